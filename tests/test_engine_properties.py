"""Property tests over the shipped catalog: any valid profile ranks without error, values are never
negative, ranks are a permutation, a higher degree never loses an incentive that only asks for a minimum
degree, and the vectorised sweep equals the scalar engine profile by profile."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from dashboard.catalog import schema as S
from dashboard.engine.evaluate import evaluate_city
from dashboard.engine.population import default_grid, sweep
from dashboard.engine.profile import Profile
from dashboard.engine.rank import rank_cities, what_would_change

opt = st.none().__or__
profiles = st.builds(
    Profile,
    age=opt(st.integers(16, 80)), origin=opt(st.sampled_from(["foreign", "overseas_chinese", "returnee", "mainland",
                                                              "hk_macao_taiwan"])),
    degree=opt(st.sampled_from(list(S.DEGREE_ORDER))), field=opt(st.sampled_from(list(S.FIELDS))),
    university_rank=opt(st.integers(1, 5000)), degree_abroad=opt(st.booleans()),
    experience_years=opt(st.floats(0, 60)), annual_salary_cny=opt(st.floats(0, 5e7)),
    intent=opt(st.sampled_from(["employment", "startup", "research"])), months_in_china_per_year=opt(st.floats(0, 12)),
    hsk_level=opt(st.integers(0, 9)), chinese_taught_degree=opt(st.booleans()), former_chinese_national=opt(st.booleans()),
    fortune500_experience=opt(st.booleans()), holds_patent=opt(st.booleans()),
    years_in_china_continuous=opt(st.floats(0, 40)), years_since_return=opt(st.floats(0, 40)),
    owns_home_in_city=opt(st.booleans()), spouse=opt(st.booleans()), children=opt(st.integers(0, 5)),
    horizon_years=st.integers(1, 30), discount_rate=st.floats(0, 0.5),
)
SLOW = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])


@SLOW
@given(p=profiles)
def test_any_valid_profile_ranks(p: Profile, inputs, settings) -> None:
    rk = rank_cities(p, inputs, settings, draws=50)
    ranks = sorted(r.rank for r in rk.rows)
    assert ranks == list(range(1, len(inputs.cities) + 1))
    for r in rk.rows:
        assert r.result.total.low >= 0 and r.result.total.expected >= r.result.total.low - 1e-6
        assert r.result.total.high >= r.result.total.expected - 1e-6
        assert 0 <= r.score <= 100 + 1e-9
        assert r.rank_min <= r.rank <= r.rank_max or r.rank_min <= r.rank_max
        for e in r.result.evaluations:
            assert e.value.low >= 0 and e.value.expected >= 0


def _only_min_degree(inc: S.Incentive) -> bool:
    return not inc.tiers and any(c.kind == "degree" and c.max is None for c in inc.conditions)


@SLOW
@given(p=profiles)
def test_higher_degree_never_removes_min_degree_eligibility(p: Profile, inputs, settings) -> None:
    order = list(S.DEGREE_ORDER)
    if p.degree is None or p.degree == "postdoc":
        return
    up = p.model_copy(update={"degree": order[order.index(p.degree) + 1]})
    for city in inputs.cities:
        before = {e.id: e.status for e in evaluate_city(p, city, inputs, settings).evaluations}
        after = {e.id: e.status for e in evaluate_city(up, city, inputs, settings).evaluations}
        for inc in inputs.cities[city].incentives:
            # only incentives whose degree conditions are all plain minimums (no upper bound anywhere)
            if not _only_min_degree(inc) or any(c.kind == "degree" and c.max is not None for c in inc.conditions):
                continue
            if before[inc.id] == "eligible":
                assert after[inc.id] == "eligible", (city, inc.id)


def test_sweep_equals_scalar_engine_on_a_sample(inputs, settings) -> None:
    sample = default_grid(settings, sample=300, seed=7)
    res = sweep(sample, inputs, settings)
    for i, p in enumerate(sample):
        rk = rank_cities(p, inputs, settings, draws=0)
        want = {r.city: r for r in rk.rows}
        for j, c in enumerate(res.cities):
            assert res.value[i, j] == pytest.approx(want[c].result.total.expected, rel=1e-9, abs=1e-6), (p, c)
            assert res.score[i, j] == pytest.approx(want[c].score, rel=1e-9, abs=1e-9), (p, c)
            assert res.rank[i, j] == want[c].rank, (p, c)
        for city in res.cities:
            for e in want[city].result.evaluations:
                code = {"eligible": 1, "possible": 0, "ineligible": -1}[e.status]
                assert res.status[e.id][i] == code, (p, e.id)


def test_sweep_summary_shares_add_up(inputs, settings) -> None:
    res = sweep(default_grid(settings, sample=200, seed=1), inputs, settings)
    s = res.summary()
    assert sum(s["share_first"].values()) == pytest.approx(1.0)
    assert (res.rank.min(axis=1) == 1).all()
    assert np.array_equal(np.sort(res.rank, axis=1), np.tile(np.arange(1, len(res.cities) + 1), (len(res.profiles), 1)))


def test_what_would_change_really_changes_the_leader(inputs, settings) -> None:
    p = Profile(age=28, origin="returnee", degree="master", field="semiconductors", graduation_year=2024,
                annual_salary_cny=300000, intent="employment", hsk_level=None)
    rk = rank_cities(p, inputs, settings, draws=0)
    for ch in what_would_change(p, inputs, settings, rk):
        if ch.kind == "profile":
            p2 = p.model_copy(update=ch.detail["profile_change"])
            assert rank_cities(p2, inputs, settings, weights=rk.weights, draws=0).leader.city == ch.new_leader
        else:
            w = dict(rk.weights)
            w[ch.detail["dimension"]] += ch.detail["add"]
            assert rank_cities(p, inputs, settings, weights=w, draws=0).leader.city == ch.new_leader


def test_grid_columns_equal_the_profile_grid(settings) -> None:
    from dashboard.engine.population import grid_columns, to_columns

    a, b = grid_columns(), to_columns(default_grid(settings))
    assert a.n == b.n == 51840
    for group in ("num", "code", "flag"):
        for k, v in getattr(a, group).items():
            assert np.array_equal(v, getattr(b, group)[k], equal_nan=True), (group, k)


@pytest.mark.parametrize("preset", ["graduate", "phd_researcher", "founder", "family_mover", "k_visa_talent"])
def test_weight_suggestions_stay_inside_the_sliders(inputs, settings, preset: str) -> None:
    """Issue 11: 'give Pay level 188.5 more weight' is no advice on a 0-100 slider. Every suggested weight is a
    whole step, ends at or under the slider's maximum, and really changes the leader."""
    from dashboard.engine import score as SC
    from dashboard.state import PROFILE_PRESETS

    p = Profile(**PROFILE_PRESETS[preset])
    rk = rank_cities(p, inputs, settings, preset=preset, draws=0)
    for ch in what_would_change(p, inputs, settings, rk):
        if ch.kind != "weight":
            continue
        d = ch.detail["dimension"]
        assert ch.detail["add"] == int(ch.detail["add"]) and ch.detail["add"] > 0
        assert rk.weights[d] + ch.detail["add"] == ch.detail["to"] <= SC.WEIGHT_MAX
        w = dict(rk.weights)
        w[d] = ch.detail["to"]
        assert rank_cities(p, inputs, settings, weights=w, draws=0).leader.city == ch.new_leader


def test_no_weight_suggestion_when_only_an_out_of_range_weight_would_flip(inputs, settings, monkeypatch) -> None:
    """With the slider maximum at the current weights nothing can be raised: no weight suggestion at all."""
    from dashboard.engine import score as SC

    p = Profile(age=28, origin="returnee", degree="master", field="semiconductors", graduation_year=2024,
                annual_salary_cny=300000, intent="employment")
    rk = rank_cities(p, inputs, settings, draws=0)
    monkeypatch.setattr(SC, "WEIGHT_MAX", max(rk.weights.values()))
    assert all(ch.kind != "weight" or rk.weights[ch.detail["dimension"]] + ch.detail["add"] <= SC.WEIGHT_MAX
               for ch in what_would_change(p, inputs, settings, rk))
