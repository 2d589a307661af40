"""What-if: every edit changes exactly what it names (one diff line, one value), invalid edits get the data
editor's message, the official record and data/ are never touched, and the scenario feeds the engine."""

from __future__ import annotations

import hashlib
from datetime import date
from pathlib import Path

import pytest
import yaml

from dashboard.catalog.loader import DATA_DIR, load_file
from dashboard.catalog.schema import CityFile
from dashboard.engine import whatif as W
from dashboard.engine.evaluate import Inputs, evaluate_city
from dashboard.engine.profile import Profile, Settings
from dashboard.engine.rank import rank_cities
from dashboard.engine.templates import TEMPLATES

REPO = Path(__file__).resolve().parents[1]
TODAY = date(2026, 11, 23)
SETTINGS = Settings(today=TODAY)
EXPECTED = yaml.safe_load((REPO / "tests" / "data" / "bad" / "EXPECTED.yaml").read_text(encoding="utf-8"))
PHD_30 = Profile(age=30, degree="phd", horizon_years=5, discount_rate=0.0)


@pytest.fixture(scope="module")
def official() -> CityFile:
    """tests/data/minimal_city.yaml: a PhD living subsidy (100,000, PhD, under 35) and a housing allowance
    (1,000 a month for 24 months) that cannot be combined with it."""
    model, problems = load_file(REPO / "tests" / "data" / "minimal_city.yaml", today=TODAY)
    assert problems == [] and isinstance(model, CityFile)
    return model


def _value(city: CityFile, inc_id: str, profile: Profile = PHD_30) -> float:
    """The incentive's expected value as counted in the city's total (0 when ineligible or displaced)."""
    res = evaluate_city(profile, city.city, Inputs({city.city: city}), SETTINGS)
    return sum(e.value.expected for e in res.evaluations if e.id == inc_id and e.counted)


def _lines(w: W.WhatIf) -> list[tuple[str, str, str, str | None, str | None]]:
    return [(d.record, d.field, d.change, d.before, d.after) for d in w.diff]


def test_set_amount_changes_one_field_and_one_value(official: CityFile) -> None:
    w = W.apply_edits(official, [W.SetAmount("tc-phd-living", 150_000)], today=TODAY)
    assert w.ok and w.problems == ()
    assert _lines(w) == [("tc-phd-living", "benefit.amount.value", "changed", "100,000", "150,000")]
    d = w.diff[0]
    assert (d.label_en, d.label_zh, d.record_en, d.record_zh) == ("amount: fixed amount", "金额：固定金额",
                                                                  "PhD living subsidy", "博士生活补贴")
    assert (_value(official, "tc-phd-living"), _value(w.city, "tc-phd-living")) == (100_000, 150_000)
    assert _value(w.city, "tc-housing-allowance") == _value(official, "tc-housing-allowance")


def test_set_up_to_makes_the_amount_discretionary(official: CityFile) -> None:
    w = W.apply_edits(official, [W.SetAmount("tc-phd-living", 200_000, shape="up_to")], today=TODAY)
    assert _lines(w) == [("tc-phd-living", "benefit.amount.value", "removed", "100,000", None),
                         ("tc-phd-living", "benefit.amount.up_to", "added", None, "200,000")]
    assert _value(w.city, "tc-phd-living") == 100_000  # midpoint rule: 0 + 50% of 200,000


def test_set_duration(official: CityFile) -> None:
    w = W.apply_edits(official, [W.SetDuration("tc-housing-allowance", months=12)], today=TODAY)
    assert _lines(w) == [("tc-housing-allowance", "benefit.duration_months", "changed", "24", "12")]
    assert w.diff[0].label_zh == "期限（月）"
    master = Profile(age=30, degree="master", discount_rate=0.0)  # the PhD subsidy fails, so the allowance counts
    assert (_value(official, "tc-housing-allowance", master), _value(w.city, "tc-housing-allowance", master)) == (
        24_000, 12_000)


def test_update_condition_changes_who_qualifies(official: CityFile) -> None:
    older = Profile(age=37, degree="phd", discount_rate=0.0)
    w = W.apply_edits(official, [W.UpdateCondition("tc-phd-living", 1, {"max": 40})], today=TODAY)
    assert _lines(w) == [("tc-phd-living", "conditions[1].max", "changed", "35", "40")]
    assert (w.diff[0].label_en, w.diff[0].label_zh) == ("condition 2: maximum", "条件2：上限")
    assert (_value(official, "tc-phd-living", older), _value(w.city, "tc-phd-living", older)) == (0, 100_000)


def test_replace_and_remove_a_condition(official: CityFile) -> None:
    master = Profile(age=30, degree="master", discount_rate=0.0)
    w = W.apply_edits(official, [W.ReplaceCondition("tc-phd-living", 0, {"kind": "degree", "min": "master"})],
                      today=TODAY)
    assert _lines(w) == [("tc-phd-living", "conditions[0].min", "changed", "phd", "master")]
    assert _value(w.city, "tc-phd-living", master) == 100_000
    w = W.apply_edits(official, [W.RemoveCondition("tc-phd-living", 0)], today=TODAY)
    assert _lines(w) == [("tc-phd-living", "conditions[0]", "removed", "degree (min=phd)", None)]
    assert [c.kind for c in w.city.incentives[0].conditions] == ["age"]
    w = W.apply_edits(official, [W.AddCondition("tc-housing-allowance", {"kind": "has_children"})], today=TODAY)
    assert _lines(w) == [("tc-housing-allowance", "conditions[0]", "added", None, "has_children")]


def test_disable_an_incentive_also_frees_its_exclusion(official: CityFile) -> None:
    w = W.apply_edits(official, [W.DisableIncentive("tc-phd-living")], today=TODAY)
    assert w.ok
    assert _lines(w) == [("tc-phd-living", "-", "removed", "PhD living subsidy", None),
                         ("tc-housing-allowance", "excludes", "changed", "tc-phd-living", "none")]
    assert (w.diff[1].label_zh, w.diff[1].after_zh) == ("不可同时享受", "无")
    assert [i.id for i in w.city.incentives] == ["tc-housing-allowance"]
    # the PhD now gets the housing allowance the subsidy used to displace
    assert _value(official, "tc-housing-allowance") == 0 and _value(w.city, "tc-housing-allowance") == 24_000


def test_add_from_template(official: CityFile) -> None:
    w = W.apply_edits(official, [W.AddFromTemplate("housing_monthly", amount=2_000, duration_months=12)], today=TODAY)
    assert w.ok, w.problems
    added = w.city.incentives[-1]
    assert (added.id, added.category, added.verification, added.sources) == (
        "testcity-whatif-housing-monthly", "housing", "hypothetical", ["WHATIF"])
    assert added.name_en == "Monthly rent subsidy (what-if)"
    assert _lines(w) == [("testcity-whatif-housing-monthly", "-", "added", None, "Monthly rent subsidy (what-if)"),
                         ("WHATIF", "-", "added", None,
                          "Incentive added in the benchmark what-if from a template; not in any official text")]
    assert w.diff[0].after_zh == "按月租房补贴（模拟）"
    newcomer = Profile(age=30, degree="phd", owns_home_in_city=False, discount_rate=0.0)
    assert _value(w.city, added.id, newcomer) == 24_000
    two = W.apply_edits(official, [W.AddFromTemplate("living_one_off", amount=1_000),
                                   W.AddFromTemplate("family_one_off", amount=1_000)], today=TODAY)
    assert two.ok and [s.id for s in two.city.sources].count("WHATIF") == 1


def test_every_template_adds_a_valid_incentive(official: CityFile) -> None:
    for tid, tpl in TEMPLATES.items():
        edit = W.AddFromTemplate(tid, amount=1_000 if tpl.has_amount else None, duration_months=12, duration_years=2)
        w = W.apply_edits(official, [edit], today=TODAY)
        assert w.ok, (tid, [str(p) for p in w.problems])


@pytest.mark.parametrize(("edit", "line"), [
    (W.SetAmount("tc-nope", 1), "what-if:testcity:tc-nope:-: unknown incentive id 'tc-nope'; expected one of "
                                "tc-phd-living, tc-housing-allowance"),
    (W.RemoveCondition("tc-phd-living", 5), "what-if:testcity:tc-phd-living:conditions: no condition 5; expected 0 to 1"),
    (W.RemoveCondition("tc-housing-allowance", 0),
     "what-if:testcity:tc-housing-allowance:conditions: no condition 0; the incentive has no conditions"),
    (W.SetDuration("tc-housing-allowance"), "what-if:testcity:tc-housing-allowance:benefit: give months or years, not "
                                            "both and not neither"),
    (W.AddFromTemplate("villa"), "what-if:testcity:-:template: unknown template 'villa'; expected one of "
                                 + ", ".join(TEMPLATES)),
    (W.AddFromTemplate("living_one_off"), "what-if:testcity:testcity-whatif-living-one-off:benefit.amount: missing; a "
                                          "template has no amount: give one"),
    (W.AddFromTemplate("living_one_off", amount=1, incentive_id="tc-phd-living"),
     "what-if:testcity:tc-phd-living:id: an incentive with this id is already in the scenario; expected a new id"),
    (W.SetAmount("tc-phd-living", 1, tier_id="phd"), "what-if:testcity:tc-phd-living:tiers: unknown tier id 'phd'; "
                                                     "expected one of none (the incentive has no tiers)"),
])
def test_edits_that_cannot_apply(official: CityFile, edit: W.Edit, line: str) -> None:
    w = W.apply_edits(official, [edit], today=TODAY)
    assert (w.city, [str(p) for p in w.problems], w.diff) == (None, [line], ())


@pytest.mark.parametrize(("edits", "corpus_file"), [
    ([W.UpdateCondition("tc-phd-living", 1, {"min": 40, "min_inclusive": True})], "05_age_max_below_min.yaml"),
    ([W.UpdateCondition("tc-phd-living", 1, {"max_inclusive": None})], "06_age_max_without_inclusive.yaml"),
    ([W.SetAmount("tc-phd-living", -100_000)], "03_negative_amount.yaml"),
    ([W.ReplaceCondition("tc-phd-living", 0, {"kind": "diploma", "min": "phd"})], "15_unknown_condition_kind.yaml"),
])
def test_invalid_results_get_the_data_editors_message(official: CityFile, edits: list[W.Edit], corpus_file: str) -> None:
    """The same defect as a file of the bad corpus gives the same message, under the scenario's name."""
    w = W.apply_edits(official, edits, today=TODAY, display="scenario")
    want = [line.replace(f"tests/data/bad/{corpus_file}", "scenario") for line in EXPECTED[corpus_file]]
    assert (w.city, [str(p) for p in w.problems]) == (None, want)


def test_nothing_official_changes(catalog, inputs) -> None:
    """Edits work on copies: the loaded model, the engine inputs and the files in data/ stay as they were."""
    files = sorted(DATA_DIR.rglob("*"))
    before = {p: hashlib.sha256(p.read_bytes()).hexdigest() for p in files if p.is_file()}
    chengdu = catalog.cities["chengdu"]
    dump = chengdu.model_dump()
    cash = next(i for i in chengdu.incentives if i.benefit.amount is not None and not i.tiers
                and i.benefit.form in ("one_off", "monthly", "annual"))
    edits = [W.SetAmount(cash.id, 123_400), W.DisableIncentive(chengdu.incentives[-1].id),
             W.AddFromTemplate("living_one_off", amount=50_000)]
    w = W.apply_edits(chengdu, edits, today=TODAY)
    assert w.ok, [str(p) for p in w.problems]
    assert chengdu.model_dump() == dump and inputs.cities["chengdu"] is chengdu
    assert {p: hashlib.sha256(p.read_bytes()).hexdigest() for p in files if p.is_file()} == before
    assert [d.record for d in w.diff if d.field == "benefit.amount.value"] == [cash.id]


def test_scenario_feeds_the_engine_for_that_city_only(catalog, inputs) -> None:
    profile = Profile(age=30, degree="phd", origin="mainland", graduation_year=2026, owns_home_in_city=False)
    w = W.apply_edits(catalog.cities["chengdu"], [W.AddFromTemplate("living_one_off", amount=5_000_000)], today=TODAY)
    scenario = W.with_city(inputs, w.city)
    base = rank_cities(profile, inputs, SETTINGS, draws=0).by_city()
    after = rank_cities(profile, scenario, SETTINGS, draws=0).by_city()
    assert after["chengdu"].rank == 1
    assert after["chengdu"].result.total.expected == pytest.approx(base["chengdu"].result.total.expected + 5_000_000)
    for c in ("beijing", "shanghai", "shenzhen", "hangzhou"):
        assert after[c].result.total == base[c].result.total
    assert inputs.cities["chengdu"] is catalog.cities["chengdu"]


def test_uploaded_cities_join_marked_user_supplied(inputs, official: CityFile) -> None:
    joined = W.with_uploads(inputs, [official])
    assert joined.user_supplied == frozenset({"testcity"}) and inputs.user_supplied == frozenset()
    ranking = rank_cities(PHD_30, joined, SETTINGS, draws=0).by_city()
    assert ranking["testcity"].user_supplied and not ranking["beijing"].user_supplied
    with pytest.raises(ValueError, match="already in the catalog"):
        W.with_uploads(inputs, [inputs.cities["beijing"]])
