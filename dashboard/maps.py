"""The city map: five graduated symbols over China's outlines (pure plotly; no streamlit, no I/O of its own).

Design choices, so reviewers need not reverse-engineer them:
- Outlines are lon/lat ``Scattergeo`` line traces drawn *first*, with ``geo.visible=False``: plotly then needs
  no base map, and with the local topojson stub (``TOPOJSON_URL`` / :func:`use_local_topojson`) it never
  fetches ``cdn.plot.ly`` (research/offline_stack.md §3).
- Symbol **area** is proportional to value: diameter = ``SIZE_MAX * sqrt(value / max value)``, floored at
  ``SIZE_MIN`` so a zero or tiny value still shows. Negative values are drawn at the floor. An unknown value
  (NaN) is drawn at the floor as a hollow ring: unknown is shown as unknown, never as zero.
- Colour encodes rank with the Okabe-Ito palette (colour-blind safe), and the rank number is printed next to
  every marker, so nothing depends on colour alone. An unknown rank is grey with no number.
- Every visible word comes from the caller (``points`` and ``labels``), so the figure is in whatever
  language the caller chose. Fonts prefer Noto Sans CJK SC, which renders Chinese in kaleido and the browser.
- Symbols are drawn largest first, so a small symbol is never hidden under a big neighbour.
- Shanghai and Hangzhou are about 2° apart, so they overlap at national scale. An inset (a second geo
  subplot) shows the Yangtze River Delta, and a box on the main map shows where the inset is.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from pathlib import Path
from types import EllipsisType
from typing import Any

import numpy as np
import pandas as pd
import plotly.graph_objects as go
import plotly.io as pio

from dashboard.geo import BBox, Layer, Outlines, load_outlines

# Streamlit serves dashboard/static/ at app/static/ (server.enableStaticServing). Pass
# ``config={"topojsonURL": TOPOJSON_URL}`` to st.plotly_chart so plotly.js never asks cdn.plot.ly.
TOPOJSON_URL = "app/static/topo/"
TOPOJSON_DIR = Path(__file__).resolve().parent / "static" / "topo"
PLOTLY_CONFIG: dict[str, Any] = {"topojsonURL": TOPOJSON_URL, "displaylogo": False}

FONT_FAMILY = '"Noto Sans CJK SC", "Noto Sans SC", "Source Han Sans SC", "PingFang SC", "Microsoft YaHei", sans-serif'

SIZE_MIN = 11.0  # px diameter: zero, tiny and unknown values
SIZE_MAX = 46.0  # px diameter of the largest value

# Okabe & Ito (2008) colour-blind-safe palette, in rank order 1..5; later ranks reuse it (numbers disambiguate).
RANK_COLOURS = ("#D55E00", "#E69F00", "#009E73", "#0072B2", "#CC79A7", "#56B4E9", "#F0E442", "#000000")  # Okabe-Ito
UNKNOWN_RANK_COLOUR = "#8C8C8C"

PROVINCE_LINE = {"color": "#B4B4B4", "width": 0.6}
CITY_LINE = {"color": "#9A9A9A", "width": 0.8, "dash": "dot"}
CHINA_LINE = {"color": "#5A5A5A", "width": 1.1}
DASH_LINE = {"color": "#5A5A5A", "width": 1.6}
INSET_BOX_LINE = {"color": "#7A7A7A", "width": 1.0, "dash": "dot"}

# Main frame: all of China including the South China Sea islands and the ten-dash line.
MAIN_LON = (72.5, 136.0)
MAIN_LAT = (2.5, 54.5)
# Inset: the Yangtze River Delta, where Shanghai and Hangzhou sit close together.
INSET_LON = (118.4, 122.6)
INSET_LAT = (29.2, 32.0)
INSET_BBOX: BBox = (INSET_LON[0], INSET_LAT[0], INSET_LON[1], INSET_LAT[1])

# Label placement per city at national scale (cities not listed use "top center").
TEXT_POSITION = {"beijing": "middle right", "shanghai": "middle right", "hangzhou": "bottom left",
                 "shenzhen": "bottom center", "chengdu": "middle left"}
INSET_TEXT_POSITION = {"shanghai": "bottom center", "hangzhou": "bottom center"}

POINT_COLUMNS = ("city", "name", "lon", "lat", "value", "rank", "hover")
LABEL_KEYS = ("title", "legend_title", "note", "attribution")


def use_local_topojson(folder: Path = TOPOJSON_DIR) -> str:
    """Point kaleido (static export) at the local topojson stub instead of cdn.plot.ly; returns the URI."""
    uri = folder.resolve().as_uri() + "/"
    pio.defaults.topojson = uri
    return uri


def marker_sizes(values: pd.Series | list[float]) -> list[float]:
    """Marker diameters (px): area proportional to value, floored at SIZE_MIN; NaN/negative -> SIZE_MIN."""
    vals = pd.to_numeric(pd.Series(values, dtype="float64"), errors="coerce")
    vmax = vals[vals > 0].max()
    out = []
    for v in vals:
        if pd.isna(v) or v <= 0 or pd.isna(vmax):
            out.append(SIZE_MIN)
        else:
            out.append(round(max(SIZE_MIN, SIZE_MAX * math.sqrt(v / vmax)), 2))
    return out


def rank_colour(rank: float | None) -> str:
    """Palette colour for a 1-based rank; grey when the rank is unknown."""
    if rank is None or pd.isna(rank) or int(rank) < 1:
        return UNKNOWN_RANK_COLOUR
    return RANK_COLOURS[(int(rank) - 1) % len(RANK_COLOURS)]


def _label(name: str, rank: float | None) -> str:
    return name if rank is None or pd.isna(rank) else f"{int(rank)} · {name}"


def _line_trace(lons: Any, lats: Any, line: dict[str, Any], geo: str, name: str) -> go.Scattergeo:
    return go.Scattergeo(lon=lons, lat=lats, mode="lines", line=line, hoverinfo="skip", showlegend=False,
                         geo=geo, name=name, meta=name)


# Outline coordinates as float32 arrays, built once per Outlines object and layer (NaN separates rings, as
# None does in lists). Arrays, not lists: plotly validates, copies and serialises an array in one step instead
# of point by point, which was most of a rerun's server time under load (benchmarks/load.py). float32 keeps
# about 1 m at these longitudes, far finer than the simplified outlines, and halves what each rerun sends.
_ARRAYS: dict[tuple[int, str, BBox | None], tuple[Outlines, np.ndarray, np.ndarray]] = {}


def _layer_arrays(outlines: Outlines, layer: Layer, bbox: BBox | None) -> tuple[np.ndarray, np.ndarray]:
    key = (id(outlines), layer, bbox)
    hit = _ARRAYS.get(key)
    if hit is None or hit[0] is not outlines:
        lons, lats = outlines.lines(layer, bbox)
        hit = (outlines, np.array(lons, dtype="float32"), np.array(lats, dtype="float32"))
        if len(_ARRAYS) >= 32:
            _ARRAYS.clear()
        _ARRAYS[key] = hit
    return hit[1], hit[2]


def _outline_traces(outlines: Outlines, geo: str, bbox: BBox | None) -> list[go.Scattergeo]:
    """Provinces, national outline and dash line; the inset (with a bbox) adds the city boundaries."""
    extra = [_line_trace(*_layer_arrays(outlines, "cities", bbox), CITY_LINE, geo, "cities")] \
        if bbox and outlines.cities else []
    return [*extra, _line_trace(*_layer_arrays(outlines, "provinces", bbox), PROVINCE_LINE, geo, "provinces"),
            _line_trace(*_layer_arrays(outlines, "china", bbox), CHINA_LINE, geo, "china"),
            _line_trace(*_layer_arrays(outlines, "dash", bbox), DASH_LINE, geo, "dash_line")]


def _city_trace(row: pd.Series, size: float, geo: str, *, text_position: str, legend: bool) -> go.Scattergeo:
    unknown = pd.isna(row["value"])
    colour = rank_colour(row["rank"])
    marker: dict[str, Any] = {"size": size, "color": colour, "opacity": 0.9,
                              "symbol": "circle-open" if unknown else "circle",
                              "line": {"width": 2.5 if unknown else 1.0, "color": colour if unknown else "#FFFFFF"}}
    text = _label(str(row["name"]), row["rank"])
    return go.Scattergeo(
        lon=[row["lon"]], lat=[row["lat"]], mode="markers+text", marker=marker,
        text=[text], textposition=text_position, textfont={"size": 12, "color": "#222222"},
        hovertext=[str(row["hover"])], hovertemplate="%{hovertext}<extra></extra>",
        name=text, legendgroup=str(row["city"]), showlegend=legend, geo=geo, meta=str(row["city"]),
        legendrank=int(row["rank"]) if not pd.isna(row["rank"]) else 1000,
    )


def _geo_layout(lon: tuple[float, float], lat: tuple[float, float], domain: dict[str, list[float]],
                *, frame: bool) -> dict[str, Any]:
    return {"visible": False, "showframe": frame, "framecolor": "#7A7A7A", "framewidth": 1,
            "projection": {"type": "mercator"}, "lonaxis": {"range": list(lon)}, "lataxis": {"range": list(lat)},
            "domain": domain, "bgcolor": "rgba(0,0,0,0)"}


def _box(bbox: BBox) -> tuple[list[float], list[float]]:
    x0, y0, x1, y1 = bbox
    return [x0, x1, x1, x0, x0], [y0, y0, y1, y1, y0]


def city_map(points: pd.DataFrame, labels: Mapping[str, str], *,
             outlines: Outlines | EllipsisType | None = ..., inset: bool = True) -> go.Figure:
    """Build the city map.

    ``points``: one row per city with columns city, name (display language), lon, lat, value (CNY, NaN =
    unknown), rank (1-based, NaN = unknown) and hover (preformatted hover text).
    ``labels``: title, legend_title, note (the 示意图/schematic notice) and attribution, already translated;
    optional ``inset_title`` (caption of the Yangtze Delta inset) and ``unknown`` (legend entry for the hollow
    "value unknown" symbol, shown when a value is NaN).
    ``outlines``: ``...`` loads geo/ (raises GeoUnavailable if a file is missing); ``None`` draws no outlines.
    """
    missing = [c for c in POINT_COLUMNS if c not in points.columns]
    if missing:
        raise ValueError(f"points lacks columns: {', '.join(missing)}")
    missing = [k for k in LABEL_KEYS if k not in labels]
    if missing:
        raise ValueError(f"labels lacks keys: {', '.join(missing)}")
    if outlines is ...:
        outlines = load_outlines()

    pts = points.reset_index(drop=True).copy()
    pts["_size"] = marker_sizes(pts["value"])
    # Draw big symbols first so a small one is never hidden under a big neighbour; legendrank orders the legend.
    pts = pts.sort_values(["_size", "city"], ascending=[False, True], kind="stable")

    fig = go.Figure()
    if outlines is not None:
        fig.add_traces(_outline_traces(outlines, "geo", None))
    for _, row in pts.iterrows():
        fig.add_trace(_city_trace(row, row["_size"], "geo", legend=True,
                                  text_position=TEXT_POSITION.get(str(row["city"]), "top center")))
    if "unknown" in labels and pts["value"].isna().any():
        fig.add_trace(go.Scattergeo(lon=[None], lat=[None], mode="markers", name=labels["unknown"], geo="geo",
                                    marker={"size": SIZE_MIN, "symbol": "circle-open", "color": UNKNOWN_RANK_COLOUR,
                                            "line": {"width": 2.5}},
                                    hoverinfo="skip", showlegend=True, legendrank=2000, meta="unknown_key"))

    inside = pts[pts["lon"].between(*INSET_LON) & pts["lat"].between(*INSET_LAT)]
    show_inset = inset and len(inside) >= 2
    main_domain = {"x": [0.0, 0.70], "y": [0.0, 1.0]} if show_inset else {"x": [0.0, 0.78], "y": [0.0, 1.0]}
    layout_geo: dict[str, Any] = {"geo": _geo_layout(MAIN_LON, MAIN_LAT, main_domain, frame=False)}
    annotations: list[dict[str, Any]] = [
        {"text": f"{labels['note']}<br>{labels['attribution']}", "xref": "paper", "yref": "paper", "x": 0.0,
         "y": -0.02, "xanchor": "left", "yanchor": "top", "showarrow": False, "align": "left",
         "font": {"size": 11, "color": "#555555"}},
    ]
    legend_y = 0.98
    if show_inset:
        fig.add_trace(go.Scattergeo(lon=_box(INSET_BBOX)[0], lat=_box(INSET_BBOX)[1], mode="lines",
                                    line=INSET_BOX_LINE, hoverinfo="skip", showlegend=False, geo="geo",
                                    name="inset_box", meta="inset_box"))
        if outlines is not None:
            fig.add_traces(_outline_traces(outlines, "geo2", INSET_BBOX))
        for _, row in inside.iterrows():
            fig.add_trace(_city_trace(row, row["_size"], "geo2", legend=False,
                                      text_position=INSET_TEXT_POSITION.get(str(row["city"]), "top center")))
        layout_geo["geo2"] = _geo_layout(INSET_LON, INSET_LAT, {"x": [0.72, 1.0], "y": [0.58, 0.98]}, frame=True)
        if labels.get("inset_title"):
            annotations.append({"text": labels["inset_title"], "xref": "paper", "yref": "paper", "x": 0.72,
                                "y": 0.985, "xanchor": "left", "yanchor": "bottom", "showarrow": False,
                                "font": {"size": 11, "color": "#444444"}})
        legend_y = 0.52

    # One Layout built from a dict: update_layout(**kw) parses every key as a property path and was ~15% of a
    # rerun's server time under load; the figure's layout is empty here, so the result is the same.
    fig.layout = go.Layout(
        **layout_geo,
        title={"text": labels["title"], "x": 0.0, "xref": "paper", "xanchor": "left", "font": {"size": 17}},
        font={"family": FONT_FAMILY, "size": 12, "color": "#222222"},
        legend={"title": {"text": labels["legend_title"]}, "x": 0.72 if show_inset else 0.80, "y": legend_y,
                "xanchor": "left", "yanchor": "top", "itemsizing": "constant", "bgcolor": "rgba(255,255,255,0.85)",
                "groupclick": "togglegroup"},
        annotations=annotations,
        margin={"l": 10, "r": 10, "t": 50, "b": 60},
        height=620,
        paper_bgcolor="#FFFFFF", plot_bgcolor="#FFFFFF",
        hoverlabel={"font": {"family": FONT_FAMILY}},
        template="none",
    )
    return fig
