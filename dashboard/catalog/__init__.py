"""The catalog: typed, validated records read from ``data/``. The only package that reads that folder."""

from dashboard.catalog.loader import DATA_DIR, LoadResult, Problem, load_catalog, load_file

__all__ = ["DATA_DIR", "LoadResult", "Problem", "load_catalog", "load_file"]
