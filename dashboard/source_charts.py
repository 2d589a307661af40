"""The data-health bar: each city's sources by kind (Sources page, issue 10). Its own module so the shared
chart module stays about rankings."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import plotly.graph_objects as go

from dashboard.health import KIND_ORDER
from dashboard.maps import FONT_FAMILY

# Okabe-Ito again, strongest kind darkest green; the weak kinds in warm colours so they stand out.
KIND_COLOURS = {"official": "#009E73", "state_media": "#56B4E9", "press": "#0072B2", "firm": "#CC79A7",
                "aggregator": "#999999", "machine_translation": "#E69F00", "ai_generated": "#D55E00",
                "scenario": "#F0E442"}


def source_kinds_chart(report: Mapping[str, Any], labels: Mapping[str, str], city_names: Mapping[str, str]) -> go.Figure:
    """Horizontal stacked bars: how many of each city's sources are of each kind."""
    cities = report["cities"]
    names = [city_names.get(c["city"], c["city"]) for c in cities]
    fig = go.Figure()
    for kind in KIND_ORDER:
        xs = [c["sources_by_kind"].get(kind, 0) for c in cities]
        if not any(xs):
            continue
        fig.add_bar(y=names, x=xs, orientation="h", name=labels[f"kind.{kind}"], marker={"color": KIND_COLOURS[kind]},
                    hovertemplate="%{y}: %{x} " + labels[f"kind.{kind}"] + "<extra></extra>")
    fig.update_layout(barmode="stack", title=labels["title"], xaxis_title=labels["xaxis"], yaxis={"autorange": "reversed"},
                      font={"family": FONT_FAMILY}, legend={"orientation": "h", "y": -0.25}, height=120 + 40 * len(cities),
                      margin={"t": 50, "b": 10, "l": 10, "r": 10})
    return fig
