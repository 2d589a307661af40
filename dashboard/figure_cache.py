"""Explore's figures, built once per (ranking, language) and shared read-only by every session.

Building the map is plotly validating ~40 traces and a layout: about a third of an Explore rerun's server CPU
(benchmarks/PROFILE.md), paid again on every rerun although the figure only changes when the ranking or the
language does. Each figure here is keyed by what it shows (the map by its points' values, ranks and
texts; the breakdown by the profile and the city order; the sensitivity chart by the ranking's key), so a
rerun that changes none of that (a tab or expander opened, a return from another page, a weight change that
keeps the order, another session with the same view) reuses it. Streamlit copies a figure (``to_dict``) before
serialising it, so one shared instance is never changed by a page.

16 entries: a map holds its outline arrays (~0.4 MB); the rankings they come from are cached 32 deep.
"""

from __future__ import annotations

from typing import Any

import plotly.graph_objects as go
import streamlit as st

from dashboard import charts, map_data, maps, views
from dashboard import data_access as DA
from dashboard.engine.rank import Ranking
from dashboard.i18n import name, t

RankingKey = tuple[str, str, tuple[str, ...], str]


def _plot_names(lang: str) -> dict[str, str]:
    return {c: map_data.plotly_text(name(f, lang)) for c, f in DA.inputs().cities.items()}


def map_figure(ranking: Ranking, lang: str, horizon_years: int, points: Any, outlines: Any) -> go.Figure:
    """The Explore map for this ranking. Keyed by what the map shows (each city's name, value, rank and hover
    text), not by the ranking: a weight change that leaves the order alone, or another profile with the same
    values, draws the same map."""
    pts = map_data.map_points(ranking, DA.inputs(), lang, points=points, horizon_years=horizon_years)
    return _map(pts.to_json(orient="split"), lang, pts, outlines)


@st.cache_resource(show_spinner=False, max_entries=16)
def _map(points_json: str, lang: str, _points: Any, _outlines: Any) -> go.Figure:
    """``_points``/``_outlines``: the leading underscore keeps Streamlit from hashing them on every call."""
    return maps.city_map(_points, map_data.map_labels(lang), outlines=_outlines)


def breakdown(key: RankingKey, ranking: Ranking, lang: str) -> go.Figure:
    """Value by category per city in rank order: it depends on the profile's evaluations and the order only."""
    return _breakdown(key[0], tuple(r.city for r in ranking.rows), key[3], lang, ranking)


@st.cache_resource(show_spinner=False, max_entries=32)
def _breakdown(profile_json: str, order: tuple[str, ...], today: str, lang: str, _ranking: Ranking) -> go.Figure:
    labels = {f"cat.{c}": t(f"cat.{c}", lang) for c in views.S.CATEGORIES} | {
        "title": t("breakdown.title", lang), "yaxis": t("breakdown.yaxis", lang)}
    return charts.category_breakdown(_ranking, labels, _plot_names(lang))


@st.cache_resource(show_spinner=False, max_entries=32)
def sensitivity(key: RankingKey, lang: str) -> go.Figure:
    labels = {"title": t("sens.title", lang), "xaxis": t("sens.xaxis", lang), "rank": t("rank", lang)}
    return charts.sensitivity_chart(DA.ranking_from_key(key), labels, _plot_names(lang))
