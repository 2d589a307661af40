"""Streamlit caches around the catalog, the boundaries and engine results.

``st.cache_resource`` holds one shared, read-only copy per server process (no per-session copies of the
catalog or of large frames: the load test checks memory). Engine results are frozen dataclasses, so a
cached ranking can be shared between sessions safely.
"""

from __future__ import annotations

import json
from typing import Any

import streamlit as st

from dashboard.catalog.loader import LoadResult, load_catalog
from dashboard.engine.evaluate import Inputs, inputs_from
from dashboard.engine.profile import Profile, Settings
from dashboard.engine.rank import Change, Ranking, rank_cities, what_would_change


@st.cache_resource(show_spinner=False)
def catalog() -> LoadResult:
    return load_catalog()


@st.cache_resource(show_spinner=False)
def inputs() -> Inputs:
    return inputs_from(catalog())


def settings() -> Settings:
    return Settings()


@st.cache_resource(show_spinner=False)
def health() -> dict[str, Any]:
    """The data-health report (five presets x every city): computed once per process."""
    from dashboard.health import health as report

    return report(catalog(), settings().today)


@st.cache_resource(show_spinner=False)
def geo_points() -> Any:
    """City centroids, or the GeoUnavailable error (returned, not raised, so it is cached too)."""
    from dashboard.geo import GeoUnavailable, city_points

    try:
        return city_points()
    except GeoUnavailable as e:
        return e


@st.cache_resource(show_spinner=False)
def outlines() -> Any:
    from dashboard.geo import GeoUnavailable, load_outlines

    try:
        return load_outlines()
    except GeoUnavailable as e:
        return e


# 32 entries: a ranking holds every evaluation with its reasons (~0.4 MB), so 256 entries grew the server by
# ~100 MB under load and never gave it back; 32 still serve every step of 20 concurrent sessions (load test).
@st.cache_resource(show_spinner=False, max_entries=32)
def _ranking(profile_json: str, weights_json: str, cities: tuple[str, ...], today: str) -> Ranking:
    profile = Profile.model_validate_json(profile_json)
    return rank_cities(profile, inputs(), Settings(today=today), weights=json.loads(weights_json),
                       cities=list(cities) or None)


def ranking(profile: Profile, weights: dict[str, float], cities: list[str]) -> Ranking:
    return _ranking(profile.model_dump_json(), json.dumps(weights, sort_keys=True), tuple(cities),
                    settings().today.isoformat())


@st.cache_resource(show_spinner=False, max_entries=32)
def _changes(profile_json: str, weights_json: str, cities: tuple[str, ...], today: str) -> tuple[Change, ...]:
    ranking = _ranking(profile_json, weights_json, cities, today)
    return tuple(what_would_change(Profile.model_validate_json(profile_json), inputs(), Settings(today=today), ranking))


def changes(profile: Profile, weights: dict[str, float], cities: list[str]) -> tuple[Change, ...]:
    """What would change the top city (cached like the ranking: it reranks the profile ~8 times, and every
    rerun of Explore asked for it again)."""
    return _changes(profile.model_dump_json(), json.dumps(weights, sort_keys=True), tuple(cities),
                    settings().today.isoformat())
