"""The cheaper-rerun paths give the same answers as the plain engine: a Standing names the same leader as a
full ranking under any weights, and what-would-change from cached candidates equals the uncached result."""

from __future__ import annotations

import random

import pytest

from dashboard.catalog.loader import load_catalog
from dashboard.engine import score as SC
from dashboard.engine.evaluate import evaluate_city, inputs_from
from dashboard.engine.profile import Profile, Settings
from dashboard.engine.rank import candidate_standings, rank_cities, rank_results, standing, what_would_change
from dashboard.state import PROFILE_PRESETS
from tests.conftest import TODAY


@pytest.fixture(scope="module")
def inputs():  # type: ignore[no-untyped-def]
    return inputs_from(load_catalog())


@pytest.mark.parametrize("preset", sorted(PROFILE_PRESETS))
def test_standing_leader_matches_rank_cities(inputs, preset: str) -> None:  # type: ignore[no-untyped-def]
    settings = Settings(today=TODAY)
    profile = Profile.model_validate(PROFILE_PRESETS[preset])
    cities = sorted(inputs.cities)
    results = [evaluate_city(profile, c, inputs, settings) for c in cities]
    st = standing(results, profile, inputs)
    rng = random.Random(7)
    for _ in range(40):
        w = {d: float(rng.choice([0, 0, 5, 10, 30, 60, 100])) for d in SC.DIMENSIONS}
        if not any(w.values()):
            w["money"] = 1.0
        full = rank_cities(profile, inputs, settings, weights=w, cities=cities, draws=0)
        assert st.leader(w) == full.leader.city
        assert rank_results(results, profile, inputs, w, draws=0).leader.city == full.leader.city


@pytest.mark.parametrize("preset", sorted(PROFILE_PRESETS))
def test_cached_candidates_give_the_same_changes(inputs, preset: str) -> None:  # type: ignore[no-untyped-def]
    settings = Settings(today=TODAY)
    profile = Profile.model_validate(PROFILE_PRESETS[preset])
    for w in (SC.PRESETS[preset] if preset in SC.PRESETS else SC.PRESETS[SC.DEFAULT_PRESET],
              {d: 10.0 for d in SC.DIMENSIONS}):
        rk = rank_cities(profile, inputs, settings, weights=w)
        cands = candidate_standings(profile, inputs, settings, [r.city for r in rk.rows])
        assert what_would_change(profile, inputs, settings, rk, candidates=cands) == \
            what_would_change(profile, inputs, settings, rk)
        for cand in cands:  # each cached standing names the leader a full re-ranking of that profile names
            p2 = Profile.model_validate(profile.model_copy(update=cand.diff).model_dump())
            again = rank_cities(p2, inputs, settings, weights=w, cities=[r.city for r in rk.rows], draws=0)
            assert cand.standing.leader(w) == again.leader.city, cand.label_en
        weight_only = what_would_change(profile, inputs, settings, rk, candidates=())
        assert all(c.kind == "weight" for c in weight_only)
