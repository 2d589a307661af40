"""Plotly figures from engine results (no policy logic): category breakdown and rank sensitivity.
Pure functions taking already-translated labels, tested directly."""

from __future__ import annotations

from collections.abc import Mapping

import plotly.graph_objects as go

from dashboard.catalog import schema as S
from dashboard.engine.rank import Ranking
from dashboard.maps import FONT_FAMILY

# Okabe-Ito: distinguishable with the common colour-vision deficiencies.
CATEGORY_COLOURS = {"tax": "#0072B2", "housing": "#E69F00", "living": "#009E73", "startup": "#D55E00",
                    "research": "#CC79A7", "hukou_residence": "#56B4E9", "family": "#F0E442"}
PATTERNS = {"tax": "", "housing": "/", "living": ".", "startup": "x", "research": "\\", "hukou_residence": "+", "family": "-"}


def category_breakdown(ranking: Ranking, labels: Mapping[str, str], city_names: Mapping[str, str]) -> go.Figure:
    """Stacked bars: expected value by category per city, in rank order. Patterns back up the colours."""
    rows = ranking.rows
    x = [f"{r.rank}. {city_names.get(r.city, r.city)}" for r in rows]
    fig = go.Figure()
    for cat in S.CATEGORIES:
        ys = [r.result.by_category[cat].expected for r in rows]
        if not any(ys):
            continue
        fig.add_bar(x=x, y=ys, name=labels[f"cat.{cat}"], marker={"color": CATEGORY_COLOURS[cat],
                    "pattern": {"shape": PATTERNS[cat]}},
                    hovertemplate="%{x}<br>" + labels[f"cat.{cat}"] + ": %{y:,.0f}<extra></extra>")
    # automargin set here, not left to the template: in the app process Streamlit makes its own template the
    # default, which has none, and exported PNGs then cut the axis labels (tests/test_png_labels.py).
    fig.update_layout(barmode="stack", title=labels["title"], yaxis={"title": labels["yaxis"], "automargin": True},
                      xaxis={"title": None, "automargin": True}, font={"family": FONT_FAMILY},
                      legend={"orientation": "h", "y": -0.2}, margin={"t": 50, "b": 10}, height=380)
    return fig


def sensitivity_chart(ranking: Ranking, labels: Mapping[str, str], city_names: Mapping[str, str]) -> go.Figure:
    """Each city's rank with its range under weight perturbation (labelled sensitivity, not confidence)."""
    rows = ranking.rows
    names = [city_names.get(r.city, r.city) for r in rows]
    fig = go.Figure()
    fig.add_scatter(x=[r.rank for r in rows], y=names, mode="markers", marker={"size": 12, "color": "#0072B2"},
                    error_x={"type": "data", "symmetric": False, "array": [r.rank_max - r.rank for r in rows],
                             "arrayminus": [r.rank - r.rank_min for r in rows]},
                    name=labels["rank"], hovertemplate="%{y}: %{x}<extra></extra>")
    fig.update_layout(title=labels["title"], xaxis={"title": labels["xaxis"], "dtick": 1, "autorange": "reversed",
                                                   "automargin": True},
                      yaxis={"autorange": "reversed", "automargin": True}, font={"family": FONT_FAMILY}, height=260,
                      margin={"t": 50, "b": 60}, showlegend=False)  # room for the axis title under the ticks
    return fig
