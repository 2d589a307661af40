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
from dashboard.engine.evaluate import CityResult, Inputs, evaluate_city, inputs_from
from dashboard.engine.profile import Profile, Settings
from dashboard.engine.rank import Candidate, Change, Ranking, candidate_standings, rank_results, resolve_weights, what_would_change


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


# What a rerun costs is mostly evaluation (every incentive's conditions and values, with reasons in two
# languages). Evaluations depend on the profile and the cities, never on the weights, so they are cached apart
# from the ranking: a weight change re-scores cached evaluations (numpy, about a millisecond) instead of
# evaluating five cities again, and "what would change it" keeps its candidate profiles' standings (a few
# floats per city) across weight changes (benchmarks/PROFILE.md).
# 32 entries: one profile's evaluations with their reasons are ~0.4 MB, so 256 entries grew the server by
# ~100 MB under load and never gave it back; rankings share these objects, so 32 of each cost little more.
@st.cache_resource(show_spinner=False, max_entries=32)
def _results(profile_json: str, cities: tuple[str, ...], today: str) -> tuple[CityResult, ...]:
    profile = Profile.model_validate_json(profile_json)
    ids = [c for c in (cities or tuple(inputs().cities)) if c in inputs().cities]
    if not ids:
        raise ValueError("no cities to rank")
    settings = Settings(today=today)
    return tuple(evaluate_city(profile, c, inputs(), settings) for c in ids)


@st.cache_resource(show_spinner=False, max_entries=32)
def _ranking(profile_json: str, weights_json: str, cities: tuple[str, ...], today: str) -> Ranking:
    profile = Profile.model_validate_json(profile_json)
    weights = resolve_weights(json.loads(weights_json))
    return rank_results(_results(profile_json, cities, today), profile, inputs(), weights)


def ranking_key(profile: Profile, weights: dict[str, float], cities: list[str]) -> tuple[str, str, tuple[str, ...], str]:
    """The cache key of this view's ranking: figures built from it are cached under the same key."""
    return profile.model_dump_json(), json.dumps(weights, sort_keys=True), tuple(cities), settings().today.isoformat()


def ranking_from_key(key: tuple[str, str, tuple[str, ...], str]) -> Ranking:
    return _ranking(*key)


def ranking(profile: Profile, weights: dict[str, float], cities: list[str]) -> Ranking:
    return _ranking(*ranking_key(profile, weights, cities))


# Small (a few floats per city and candidate), so more entries than the evaluations: a session's weight and
# language changes keep hitting its profile's entry while 50 other sessions change theirs.
@st.cache_resource(show_spinner=False, max_entries=256)
def _candidates(profile_json: str, order: tuple[str, ...], today: str) -> tuple[Candidate, ...]:
    return candidate_standings(Profile.model_validate_json(profile_json), inputs(), Settings(today=today), order)


@st.cache_resource(show_spinner=False, max_entries=32)
def _changes(profile_json: str, weights_json: str, cities: tuple[str, ...], today: str,
             with_profile: bool = True) -> tuple[Change, ...]:
    ranking = _ranking(profile_json, weights_json, cities, today)
    order = tuple(r.city for r in ranking.rows)  # the engine breaks exact ties by this order
    cands = _candidates(profile_json, order, today) if with_profile else ()
    return tuple(what_would_change(Profile.model_validate_json(profile_json), inputs(), Settings(today=today), ranking,
                                   candidates=cands))


def changes(profile: Profile, weights: dict[str, float], cities: list[str], *,
            with_profile: bool = True) -> tuple[Change, ...]:
    """What would change the top city (cached like the ranking). ``with_profile=False``: only the single-weight
    changes, which need no evaluation (the profile changes re-evaluate every city ~8 times)."""
    return _changes(*ranking_key(profile, weights, cities), with_profile)
