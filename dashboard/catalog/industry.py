"""Models for reference files with their own shape (registered in ``FILES`` by file name), such as the
city x field industry-fit matrix in ``data/reference/industry_fit.yaml``."""

from __future__ import annotations

from datetime import date

from pydantic import BaseModel

from dashboard.catalog.loader import Problem

FILES: dict[str, type[BaseModel]] = {}


def check(file: str, model: BaseModel, today: date) -> list[Problem]:
    return []
