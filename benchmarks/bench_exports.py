"""Export speed: seconds per export (median of a few runs, in English and Chinese) beside the floor measured
in the same run: a bare ``plotly.io`` write_image of an empty figure (kaleido starting its own chromium, as
plotly does by default) and the same empty figure through the exports' long-lived browser.

    .venv/bin/python -m benchmarks.bench_exports [--repeats 5]
"""

from __future__ import annotations

import argparse
import io
import json
import statistics
import time
from collections.abc import Callable
from datetime import date
from typing import Any

import plotly.graph_objects as go

from dashboard import exports as X
from dashboard import maps
from dashboard.catalog import load_catalog
from dashboard.catalog_table import catalog_frame
from dashboard.engine.evaluate import inputs_from
from dashboard.engine.profile import Profile, Settings
from dashboard.engine.rank import rank_cities

TODAY = date(2026, 11, 23)
PROFILE = Profile(age=31, origin="returnee", degree="phd", field="biotech", graduation_year=2025,
                  annual_salary_cny=300_000, intent="research")


def timed(fn: Callable[[], Any], repeats: int) -> tuple[float, Any]:
    """Median seconds of ``repeats`` calls, and the last result."""
    times, out = [], None
    for _ in range(repeats):
        t0 = time.perf_counter()
        out = fn()
        times.append(time.perf_counter() - t0)
    return statistics.median(times), out


def run(repeats: int = 5) -> dict[str, Any]:
    settings = Settings(today=TODAY)
    inputs = inputs_from(load_catalog(today=TODAY))
    ranking = rank_cities(PROFILE, inputs, settings)
    maps.use_local_topojson()

    empty = go.Figure()
    t0 = time.perf_counter()
    empty.write_image(io.BytesIO(), format="png", width=700, height=500)  # plotly's default: a chromium per image
    floor_bare = time.perf_counter() - t0

    X.close_renderer()
    t0 = time.perf_counter()
    X.figure_png(empty, 700, 500)
    first = time.perf_counter() - t0  # starts the shared browser
    floor_warm, _ = timed(lambda: X.figure_png(empty, 700, 500), repeats)

    out: dict[str, Any] = {
        "floor_bare_write_image_empty_s": round(floor_bare, 3),
        "first_png_with_browser_start_s": round(first, 3),
        "floor_warm_png_empty_s": round(floor_warm, 3),
        "repeats": repeats,
    }
    for lang in ("en", "zh"):
        res: dict[str, float] = {}
        res["brief_data_s"], data = timed(lambda lang=lang: X.brief_data(
            ranking, inputs, lang, home_city="chengdu", scenario_name="Benchmark", today=TODAY, profile=PROFILE), repeats)
        figs = X.chart_figures(ranking, inputs, lang, horizon_years=PROFILE.horizon_years)
        for kind, fig in figs.items():
            res[f"png_{kind}_s"], _ = timed(lambda fig=fig, kind=kind: X.figure_png(fig, *X.CHART_SIZES[kind]), repeats)
        res["png_map_2x_s"], map_png = timed(lambda figs=figs: X.figure_png(figs["map"], 1100, 680, scale=2), repeats)
        res["pdf_brief_s"], pdf = timed(lambda data=data, map_png=map_png: X.brief_pdf(data, map_png), repeats)
        res["pptx_deck_s"], pptx = timed(lambda data=data, map_png=map_png: X.deck_pptx(data, map_png), repeats)
        ev = X.evaluation_rows(ranking, inputs, lang)
        cat = catalog_frame(inputs.cities, lang)
        res["xlsx_workbook_s"], xlsx = timed(lambda data=data, ev=ev, cat=cat: X.workbook_xlsx(data, ev, cat), repeats)
        res["csv_ranking_s"], csv = timed(lambda data=data: X.csv_bytes(X.ranking_frame(data)), repeats)
        out[lang] = {k: round(v, 3) for k, v in res.items()} | {
            "bytes": {"pdf": len(pdf), "pptx": len(pptx), "xlsx": len(xlsx), "csv": len(csv), "map_2x_png": len(map_png)}}
    X.close_renderer()
    return out


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--repeats", type=int, default=5)
    args = ap.parse_args()
    print(json.dumps(run(args.repeats), indent=2))


if __name__ == "__main__":
    main()
