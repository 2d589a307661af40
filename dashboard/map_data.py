"""The map's inputs from a ranking: one row per city point and the translated labels (pure: no Streamlit).

Shared by the Explore page and the exports, so the map in a downloaded brief is the map the user saw.
City and incentive names can come from an uploaded file, and plotly reads ``<a>``, ``<b>`` and ``<br>`` in
text and hover labels as markup, so every name is HTML-escaped here (plotly.js turns the entities back into
characters): an uploaded ``<a href=...>`` shows as text, never as a link.
"""

from __future__ import annotations

import html
import math
from collections.abc import Mapping
from types import EllipsisType
from typing import Any

import pandas as pd
import plotly.graph_objects as go

from dashboard import maps
from dashboard.engine.evaluate import Inputs
from dashboard.engine.rank import Ranking
from dashboard.i18n import money, name, t


def plotly_text(text: object) -> str:
    """Escape text for plotly labels (which accept a small HTML subset); quotes are harmless there."""
    return html.escape(str(text), quote=False)


def city_names(inputs: Inputs, lang: str) -> dict[str, str]:
    """Display names of the loaded cities (uploaded ones included), not escaped."""
    return {c: name(f, lang) or c for c, f in inputs.cities.items()}


def map_labels(lang: str) -> dict[str, str]:
    """The map's fixed texts in ``lang`` (the same keys the Explore page uses)."""
    return {"title": t("map.title", lang), "legend_title": t("map.legend", lang), "note": t("map.note", lang),
            "attribution": t("map.attribution", lang), "inset_title": t("map.inset", lang),
            "unknown": t("map.unknown", lang)}


def map_points(ranking: Ranking, inputs: Inputs, lang: str, *, points: pd.DataFrame | None = None,
               horizon_years: int | None = None) -> pd.DataFrame:
    """One row per city point for :func:`dashboard.maps.city_map`: value and rank from the ranking (NaN for a
    city on the map that is not ranked), names and hover text escaped. ``points`` defaults to
    ``geo.city_points()`` (raises GeoUnavailable when the boundary files are missing)."""
    if points is None:
        from dashboard.geo import city_points

        points = city_points()
    names = city_names(inputs, lang)
    by_city = ranking.by_city()
    value_label = t("value_over", lang, years=horizon_years) if horizon_years else t("export.expected_value", lang)
    rows = []
    for _, p in points.iterrows():
        city = str(p["city"])
        shown = plotly_text(names.get(city, city))
        cr = by_city.get(city)
        hover = f"<b>{shown}</b>"
        if cr is not None:
            top = sorted(cr.result.eligible(), key=lambda e: -e.value.expected)[:3]
            hover += "<br>" + t("rank_n", lang, n=cr.rank) + "<br>" + value_label + ": " + money(cr.result.total.expected, lang)
            hover += "".join("<br>· " + plotly_text(name(e.incentive, lang)) for e in top)
        rows.append({"city": city, "name": shown, "lon": float(p["lon"]), "lat": float(p["lat"]),
                     "value": cr.result.total.expected if cr else math.nan, "rank": cr.rank if cr else math.nan,
                     "hover": hover})
    return pd.DataFrame(rows, columns=list(maps.POINT_COLUMNS))


def map_figure(ranking: Ranking, inputs: Inputs, lang: str, *, points: pd.DataFrame | None = None,
               outlines: Any | EllipsisType | None = ..., horizon_years: int | None = None,
               labels: Mapping[str, str] | None = None) -> go.Figure:
    """The Explore page's map for this ranking (``outlines=...`` loads geo/)."""
    pts = map_points(ranking, inputs, lang, points=points, horizon_years=horizon_years)
    return maps.city_map(pts, labels or map_labels(lang), outlines=outlines)
