"""Benchmarking: archetypes load and validate; the matrix agrees with the ranking an applicant sees; gaps
name the incentives behind them; the cost to lead matches hand-computed answers on small made-up catalogs.

The hand-built catalogs have no reference data, so money is compared in CNY (flagged) and industry and pay
level score 0 everywhere: only the weighted dimensions below move the scores, and every answer can be
worked out on paper (each worked answer is in the test's docstring).
"""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from dashboard.catalog import schema as S
from dashboard.catalog.archetypes import Archetype, archetype_from, load_archetypes
from dashboard.engine import benchmark as B
from dashboard.engine.evaluate import Inputs
from dashboard.engine.profile import Profile, Settings
from dashboard.engine.rank import rank_cities

TODAY = date(2026, 11, 23)
SETTINGS = Settings(today=TODAY)
W_60_40 = {"money": 60, "housing": 40, "status": 0, "startup": 0, "industry": 0, "market": 0}


# --- hand-built catalogs -------------------------------------------------------------------------------


def _inc(city: str, name: str, category: str, value: float, **benefit: Any) -> dict[str, Any]:
    return {"id": f"{city}-{category}", "name_en": f"{name} {category}", "name_zh": f"{name}{category}",
            "category": category, "scope": {"level": "city", "name_en": name, "name_zh": name},
            "audience_en": "test", "audience_zh": "测试",
            "benefit": {"form": "one_off", "amount": {"value": value}, "description_en": "d", "description_zh": "d",
                        **benefit},
            "conditions": [{"kind": "degree", "min": "phd"}], "status": "in_force", "verification": "official",
            "sources": ["S1"]}


def city(cid: str, **amounts: float) -> S.CityFile:
    name = cid.capitalize()
    return S.CityFile.model_validate({
        "city": cid, "name_en": name, "name_zh": name, "province_en": "P", "province_zh": "省", "adcode": 900000 + len(cid),
        "as_of": "2026-11-01",
        "sources": [{"id": "S1", "kind": "official", "issuer": "test", "title": "made-up test source", "retrieved": "2026-11-01"}],
        "incentives": [_inc(cid, name, cat, v) for cat, v in amounts.items()]})


def inputs_of(*cities: S.CityFile) -> Inputs:
    return Inputs({c.city: c for c in cities})


PHD = Archetype(id="phd", name_en="PhD", name_zh="博士", why_en="test", why_zh="测试", preset="graduate",
                profile=Profile(age=30, degree="phd"))
MASTER = Archetype(id="master", name_en="Master", name_zh="硕士", why_en="test", why_zh="测试", preset="graduate",
                   profile=Profile(age=30, degree="master"))

THREE = inputs_of(city("acity", living=100_000), city("bcity", housing=50_000),
                  city("ccity", living=50_000, housing=25_000))


# --- archetypes ----------------------------------------------------------------------------------------


def test_default_archetypes_hold_what_the_issue_states() -> None:
    archetypes, problems = load_archetypes()
    assert problems == []
    by_id = {a.id: a.profile for a in archetypes}
    assert len(by_id) == 6
    k = by_id["k-visa-bachelor-ai"]
    assert (k.origin, k.degree, k.age, k.field) == ("foreign", "bachelor", 24, "ai")
    r = by_id["returnee-master-semiconductors"]
    assert (r.origin, r.degree, r.age, r.field) == ("returnee", "master", 28, "semiconductors")
    p = by_id["phd-researcher-biotech"]
    assert (p.degree, p.age, p.field, p.intent) == ("phd", 32, "biotech", "research")
    f = by_id["founder-master-hardware"]
    assert (f.degree, f.age, f.intent) == ("master", 30, "startup")
    m = by_id["family-mover-phd"]
    assert (m.degree, m.age, m.children) == ("phd", 35, 2)
    assert by_id["hk-young-professional"].origin == "hk_macao_taiwan"
    for a in archetypes:  # every assumption is visible, and every archetype has both names and a reason
        assert set(a.assumed) <= a.profile.model_fields_set
        assert a.name_en and a.name_zh and a.why_en and a.why_zh


def test_archetype_problems_use_the_loader_messages() -> None:
    raw = ("archetypes:\n"
           "- {id: a1, name_en: A, name_zh: 甲, why_en: w, why_zh: w, preset: nope, profile: {age: 90, degre: phd}}\n"
           "- {id: a2, name_en: B, name_zh: 乙, why_en: w, why_zh: w, preset: founder, profile: {age: 30},"
           " assumed: [spouse]}\n").encode()
    got, problems = load_archetypes(raw=raw, display="up.yaml")
    assert got == ()
    assert [str(p) for p in problems] == [
        "up.yaml:a1:preset: unknown preset 'nope'; expected one of graduate, phd_researcher, founder, family_mover, "
        "k_visa_talent",
        "up.yaml:a1:profile.age: got 90; expected a number less than or equal to 80",
        "up.yaml:a1:profile.degre: unknown field; did you mean 'degree'?",
        "up.yaml:a2:assumed: assumed names 'spouse', which the profile does not set; expected only fields given in profile",
    ]


def test_duplicate_archetype_ids_and_yaml_errors() -> None:
    one = "- {id: a1, name_en: A, name_zh: 甲, why_en: w, why_zh: w, preset: founder, profile: {}}\n"
    _, problems = load_archetypes(raw=("archetypes:\n" + one + one).encode(), display="up.yaml")
    assert [str(p) for p in problems] == ["up.yaml:a1:id: duplicate archetype id; expected unique ids"]
    _, problems = load_archetypes(raw=b"archetypes: &a [1]\n", display="up.yaml")
    assert [str(p) for p in problems] == ["up.yaml:-:-: YAML anchor '&a' at line 1 is not allowed; expected plain "
                                          "data without anchors or aliases"]


def test_one_edited_archetype_validates_alone() -> None:
    a, problems = archetype_from({"id": "x1", "name_en": "X", "name_zh": "X", "why_en": "w", "why_zh": "w",
                                  "preset": "graduate", "profile": {"degree": "doctor"}})
    assert a is None
    assert [str(p) for p in problems] == ["archetype:x1:profile.degree: unknown value 'doctor'; expected 'none', "
                                          "'bachelor', 'master', 'phd' or 'postdoc'"]


# --- matrix and gaps on a hand-built catalog -----------------------------------------------------------


def test_matrix_ranks_scores_and_values_by_hand() -> None:
    """money: A 100k, B 0, C 50k -> 1, 0, 0.5; housing: A 0, B 50k, C 25k -> 0, 1, 0.5.
    Scores with money 60 / housing 40: A 60, B 40, C 30 + 20 = 50. A master's degree qualifies for nothing."""
    m = B.matrix([PHD, MASTER], THREE, SETTINGS, W_60_40)
    assert m.cities == ("acity", "bcity", "ccity")
    assert [(c.city, c.rank, round(c.score, 6), c.expected) for c in m.row("phd").cells] == [
        ("acity", 1, 60.0, 100_000), ("bcity", 3, 40.0, 50_000), ("ccity", 2, 50.0, 75_000)]
    assert m.row("phd").leader == "acity"
    assert [c.expected for c in m.row("master").cells] == [0, 0, 0]
    assert "money_raw_cny:" in m.flags


def test_matrix_uses_each_archetypes_preset_without_weights(inputs, settings) -> None:
    archetypes, _ = load_archetypes()
    m = B.matrix(archetypes, inputs, settings)
    assert m.archetypes == tuple(a.id for a in archetypes)
    for a in archetypes:
        direct = rank_cities(a.profile, inputs, settings, preset=a.preset, draws=0).by_city()
        row = m.row(a.id)
        assert sorted(c.rank for c in row.cells) == list(range(1, len(m.cities) + 1))
        for c in row.cells:
            assert (c.rank, c.score, c.expected) == (direct[c.city].rank, direct[c.city].score,
                                                     direct[c.city].result.total.expected)


def test_gaps_name_the_leaders_incentives() -> None:
    """C vs leader A: living 100,000 vs 50,000 is a gap; housing (A 0, C 25,000) is not."""
    (g,) = B.home_gaps("ccity", [PHD], THREE, SETTINGS, W_60_40)
    assert (g.home_rank, g.leader, round(g.home_score, 6), round(g.leader_score, 6)) == (2, "acity", 50.0, 60.0)
    assert [c.category for c in g.categories] == ["living"]
    gap = g.categories[0]
    assert (gap.amount, [i.incentive_id for i in gap.leader_items], [i.incentive_id for i in gap.home_items]) == (
        50_000, ["acity-living"], ["ccity-living"])
    assert gap.leader_items[0].sources == ("S1",)
    assert gap.text_en == ("Acity pays RMB 100,000 (living subsidy, expected value over 5 years) to “PhD” through "
                           "Acity living (RMB 100,000); Ccity pays RMB 50,000 through Ccity living (RMB 50,000).")
    assert gap.text_zh == ("Acity向「博士」提供10万元（生活补贴，5年期望值），来自Acityliving（10万元）；"
                           "Ccity提供5万元，来自Ccityliving（5万元）。")
    assert g.text_en == "For “PhD”, Ccity ranks 2 (score 50.0); the leader Acity scores 60.0."


def test_gap_when_home_pays_nothing_and_when_home_leads() -> None:
    (g,) = B.home_gaps("bcity", [PHD], THREE, SETTINGS, W_60_40)
    assert g.categories[0].text_en == ("Acity pays RMB 100,000 (living subsidy, expected value over 5 years) to “PhD” "
                                       "through Acity living (RMB 100,000); Bcity pays RMB 0.")
    (lead,) = B.home_gaps("acity", [PHD], THREE, SETTINGS, W_60_40)
    assert (lead.home_rank, lead.categories) == (1, ())
    assert lead.text_en == "Acity ranks first for “PhD” (score 60.0; next Ccity 50.0)."


def test_gaps_reuse_the_matrix_rankings() -> None:
    m = B.matrix([PHD], THREE, SETTINGS, W_60_40)
    assert B.home_gaps("ccity", [PHD], THREE, SETTINGS, W_60_40, bench=m) == \
        B.home_gaps("ccity", [PHD], THREE, SETTINGS, W_60_40)


# --- cost to lead --------------------------------------------------------------------------------------


@pytest.mark.parametrize(("home", "category", "amount", "why"), [
    ("ccity", "living", 16_700,
     "C's money (50k + x)/100k: 60 (50k + x)/100k + 20 > 60 when x > 16,666.7 -> 16,700"),
    ("ccity", "research", 16_700, "research cash feeds the same money dimension as living"),
    ("ccity", "housing", 12_600,
     "C's housing (25k + y)/50k: 40 (25k + y)/50k + 30 > 60 when y > 12,500; at 12,500 the scores tie at 60 and "
     "the tie-break (total expected value: A 100,000 > C 87,500) keeps A first -> 12,600"),
    ("bcity", "living", 33_400, "B: 40 + 60 x/100k > 60 when x > 33,333.3 (and then B is also above C's 50) -> 33,400"),
    ("acity", "living", 0, "A already leads"),
])
def test_cost_to_lead_by_hand(home: str, category: str, amount: float, why: str) -> None:
    r = B.cost_to_lead(home, PHD, category, THREE, SETTINGS, W_60_40)
    assert (r.reachable, r.amount, r.rank_at_cap) == (True, amount, 1), why


def test_cost_to_lead_beyond_the_leaders_own_amount() -> None:
    """A: money 100k, housing 50k; B: housing 50k; weights 50/50: A 100, B 50 + 50 x/100k. At x = 100,000
    both score 100 and tie on total value (150,000), and A is listed first; above it B's money becomes the
    best (1) and A's falls below 1, so B leads from 100,100."""
    inputs = inputs_of(city("acity", living=100_000, housing=50_000), city("bcity", housing=50_000))
    w = {"money": 50, "housing": 50}
    r = B.cost_to_lead("bcity", PHD, "living", inputs, SETTINGS, w)
    assert (r.amount, r.rank_before, r.leader_before) == (100_100, 2, "acity")


def test_cost_to_lead_not_reachable() -> None:
    """Hukou cash feeds no dimension; startup has weight 0 here; a RMB 10,000 cap leaves C at
    60 x 60k/100k + 20 = 56 < 60, still second."""
    hukou = B.cost_to_lead("ccity", PHD, "hukou_residence", THREE, SETTINGS, W_60_40)
    assert (hukou.reachable, hukou.amount, hukou.rank_at_cap, hukou.dimension) == (False, None, 2, None)
    assert hukou.text_en == ("Not reachable through hukou and residence: cash in hukou and residence feeds no score "
                             "dimension. Even RMB 100,000,000 more leaves Ccity ranked 2 for “PhD” (now 2; leader Acity).")
    start = B.cost_to_lead("ccity", PHD, "startup", THREE, SETTINGS, W_60_40)
    assert not start.reachable and "the weight of the startup dimension is 0" in start.text_en
    capped = B.cost_to_lead("ccity", PHD, "living", THREE, SETTINGS, W_60_40, cap=10_000)
    assert (capped.reachable, capped.rank_at_cap, capped.cap) == (False, 2, 10_000)
    assert "even the best money score does not close the gap" in capped.text_en


def test_cost_to_lead_is_the_smallest_step_by_the_engine_itself(inputs, settings) -> None:
    """On the shipped catalog: with the found amount the home city is first in an independent engine run,
    and with RMB 100 less it is not."""
    archetypes, _ = load_archetypes()
    checked = 0
    for a in archetypes:
        for cat in ("living", "housing"):
            r = B.cost_to_lead("chengdu", a, cat, inputs, settings)
            if not r.reachable or not r.amount:
                continue
            assert r.amount % 100 == 0 and r.evaluations <= 30
            for x, first in ((r.amount, True), (r.amount - 100, False)):
                cities = dict(inputs.cities)
                if x > 0:
                    cities["chengdu"] = B._synthetic_city(inputs.cities["chengdu"], cat, x, settings.today)
                ranking = rank_cities(a.profile, Inputs(cities, inputs.reference, inputs.national, inputs.industry),
                                      settings, preset=a.preset, draws=0)
                assert (ranking.leader.city == "chengdu") is first, (a.id, cat, x)
            checked += 1
    assert checked >= 3


def test_cost_to_lead_rejects_bad_arguments() -> None:
    with pytest.raises(ValueError, match="unknown category 'cash'"):
        B.cost_to_lead("ccity", PHD, "cash", THREE, SETTINGS, W_60_40)
    with pytest.raises(ValueError, match="unknown home city 'zcity'"):
        B.cost_to_lead("zcity", PHD, "living", THREE, SETTINGS, W_60_40)


def test_cost_to_lead_table_covers_every_category() -> None:
    table = B.cost_to_lead_table("ccity", [PHD], THREE, SETTINGS, W_60_40)
    assert [(t.category, t.amount) for t in table] == [
        ("tax", 16_700), ("housing", 12_600), ("living", 16_700), ("startup", None), ("research", 16_700),
        ("hukou_residence", None), ("family", 16_700)]


def test_money_text_in_both_languages() -> None:
    assert (B.rmb_en(100_000), B.rmb_zh(100_000), B.rmb_zh(950), B.rmb_zh(3e8)) == (
        "RMB 100,000", "10万元", "950元", "3亿元")
