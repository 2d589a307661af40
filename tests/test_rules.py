"""Eligibility rule tables: every condition kind at its boundaries, as the source words them."""

from __future__ import annotations

from datetime import date

import pytest
from pydantic import TypeAdapter

from dashboard.catalog import schema as S
from dashboard.engine.profile import Profile
from dashboard.engine.rules import CityContext, evaluate_condition, evaluate_incentive

TODAY = date(2026, 11, 23)
COND = TypeAdapter(S.Condition)


def ev(cond: dict, ctx: CityContext | None = None, **profile: object) -> str:
    c = COND.validate_python(cond)
    return evaluate_condition(c, Profile(**profile), ctx or CityContext("x", TODAY)).status


AGE = [
    # "under 35" (未满35周岁): 34 passes, 35 fails
    ({"kind": "age", "max": 35, "max_inclusive": False}, 34, "pass"),
    ({"kind": "age", "max": 35, "max_inclusive": False}, 35, "fail"),
    # "35 and under" (35周岁以下, 以下 includes): 35 passes, 36 fails
    ({"kind": "age", "max": 35, "max_inclusive": True}, 35, "pass"),
    ({"kind": "age", "max": 35, "max_inclusive": True}, 36, "fail"),
    # "aged 18 or over" / "over 18"
    ({"kind": "age", "min": 18, "min_inclusive": True}, 18, "pass"),
    ({"kind": "age", "min": 18, "min_inclusive": False}, 18, "fail"),
    ({"kind": "age", "min": 18, "min_inclusive": False}, 19, "pass"),
    ({"kind": "age", "min": 18, "min_inclusive": True, "max": 45, "max_inclusive": True}, 45, "pass"),
    ({"kind": "age", "min": 18, "min_inclusive": True, "max": 45, "max_inclusive": True}, 46, "fail"),
]


@pytest.mark.parametrize(("cond", "age", "want"), AGE)
def test_age_boundaries(cond: dict, age: int, want: str) -> None:
    assert ev(cond, age=age) == want


def test_age_unknown_is_not_fail() -> None:
    assert ev({"kind": "age", "max": 35, "max_inclusive": False}) == "unknown"


DEGREE = [("bachelor", "master", "fail"), ("master", "master", "pass"), ("phd", "master", "pass"),
          ("postdoc", "phd", "pass"), ("none", "bachelor", "fail")]


@pytest.mark.parametrize(("have", "need", "want"), DEGREE)
def test_degree_minimum(have: str, need: str, want: str) -> None:
    assert ev({"kind": "degree", "min": need}, degree=have) == want


def test_degree_range_upper_bound() -> None:
    cond = {"kind": "degree", "min": "bachelor", "max": "master"}
    assert ev(cond, degree="master") == "pass"
    assert ev(cond, degree="phd") == "fail"


# Today is 2026-11-23: a degree from year G was awarded between Jan and Dec of G, so the time since
# graduation lies in [2026 - G - 1/12, 2026 - G + 10/12] years.
GRAD = [
    # within 2 years (inclusive: "within 2 years", "no more than 2 years")
    (2, True, 2026, "pass"), (2, True, 2025, "pass"),     # at most 1.83 years
    (2, True, 2024, "unknown"),                           # 1.92 to 2.83: depends on the month
    (2, True, 2023, "fail"),                              # at least 2.92
    # "less than 1 year": 2026 graduates have at most 0.83 years
    (1, False, 2026, "pass"), (1, False, 2025, "unknown"), (1, False, 2024, "fail"),
    # within 5 years
    (5, True, 2022, "pass"), (5, True, 2021, "unknown"), (5, True, 2020, "fail"),
]


@pytest.mark.parametrize(("years", "inclusive", "grad", "want"), GRAD)
def test_years_since_graduation(years: float, inclusive: bool, grad: int, want: str) -> None:
    cond = {"kind": "years_since_graduation", "max_years": years, "inclusive": inclusive}
    assert ev(cond, graduation_year=grad, degree="bachelor") == want


def test_years_since_return_exact_edge() -> None:
    within3 = {"kind": "years_since_return", "max_years": 3, "inclusive": True}
    under3 = {"kind": "years_since_return", "max_years": 3, "inclusive": False}
    assert ev(within3, years_since_return=3) == "pass"
    assert ev(under3, years_since_return=3) == "fail"
    assert ev(under3, years_since_return=2.99) == "pass"


GRAD_AFTER = [("2019-06-03", 2020, "pass"), ("2019-06-03", 2019, "unknown"), ("2019-06-03", 2018, "fail"),
              ("2021-01-01", 2021, "pass")]


@pytest.mark.parametrize(("d", "grad", "want"), GRAD_AFTER)
def test_graduated_on_or_after(d: str, grad: int, want: str) -> None:
    assert ev({"kind": "graduated_on_or_after", "date": d}, graduation_year=grad, degree="bachelor") == want


BORN = [
    # born on/after 1974-01-01, evaluated on 2026-11-23: age 51 -> born 1974-11-24..1975-11-23 -> pass
    (51, "pass"),
    # age 52 -> born 1973-11-24..1974-11-23: straddles 1974-01-01 -> unknown
    (52, "unknown"),
    # age 53 -> born 1972-11-24..1973-11-23 -> fail
    (53, "fail"),
]


@pytest.mark.parametrize(("age", "want"), BORN)
def test_born_on_or_after(age: int, want: str) -> None:
    assert ev({"kind": "born_on_or_after", "date": "1974-01-01"}, age=age) == want


def test_salary_absolute_and_multiple() -> None:
    assert ev({"kind": "salary", "min_cny": 500000}, annual_salary_cny=500000) == "pass"
    assert ev({"kind": "salary", "min_cny": 500000}, annual_salary_cny=499999) == "fail"
    ctx = CityContext("x", TODAY, local_annual_wage=100_000)
    assert ev({"kind": "salary", "min_multiple_of_local_wage": 6}, ctx, annual_salary_cny=600000) == "pass"
    assert ev({"kind": "salary", "min_multiple_of_local_wage": 6}, ctx, annual_salary_cny=599999) == "fail"
    # no wage in the data: unknown, never fail
    assert ev({"kind": "salary", "min_multiple_of_local_wage": 6}, annual_salary_cny=10**7) == "unknown"


def test_rank_and_counts() -> None:
    assert ev({"kind": "university_rank", "max_rank": 100}, university_rank=100) == "pass"
    assert ev({"kind": "university_rank", "max_rank": 100}, university_rank=101) == "fail"
    assert ev({"kind": "hsk_level", "min": 4}, hsk_level=4) == "pass"
    assert ev({"kind": "hsk_level", "min": 4}, hsk_level=3) == "fail"
    assert ev({"kind": "months_in_china_per_year", "min": 6}, months_in_china_per_year=6) == "pass"
    assert ev({"kind": "months_in_china_per_year", "min": 6}, months_in_china_per_year=5.9) == "fail"
    assert ev({"kind": "experience_years", "min": 2}, experience_years=2) == "pass"


def test_origin_field_intent() -> None:
    assert ev({"kind": "origin", "any_of": ["foreign", "returnee"]}, origin="returnee") == "pass"
    assert ev({"kind": "origin", "any_of": ["foreign"]}, origin="mainland") == "fail"
    assert ev({"kind": "field", "any_of": ["ai"]}, field="biotech") == "fail"
    assert ev({"kind": "intent", "any_of": ["startup"]}, intent="startup") == "pass"


def test_returnee_implies_degree_abroad() -> None:
    assert ev({"kind": "degree_abroad"}, origin="returnee") == "pass"
    assert ev({"kind": "degree_abroad"}, origin="foreign") == "unknown"
    assert ev({"kind": "degree_abroad"}, origin="foreign", degree_abroad=False) == "fail"


def test_permit_class_condition() -> None:
    cond = {"kind": "work_permit_class", "any_of": ["A", "B"]}
    assert ev(cond, CityContext("x", TODAY, permit_class="B", permit_class_known=True), origin="foreign") == "pass"
    assert ev(cond, CityContext("x", TODAY, permit_class="C", permit_class_known=True), origin="foreign") == "fail"
    assert ev(cond, CityContext("x", TODAY), origin="foreign") == "unknown"
    assert ev(cond, CityContext("x", TODAY), origin="mainland") == "fail"
    # B confirmed while A is still possible: satisfies "A or B", not "A only"
    b_sure = CityContext("x", TODAY, permit_class="B", permit_class_known=False)
    assert ev(cond, b_sure, origin="foreign") == "pass"
    assert ev({"kind": "work_permit_class", "any_of": ["A"]}, b_sure, origin="foreign") == "unknown"


def test_commitment_passes_manual_unknown_any_of() -> None:
    commit = {"kind": "commitment", "what": "work_in_city", "text_en": "work there", "text_zh": "在当地工作"}
    manual = {"kind": "manual", "text_en": "recognised", "text_zh": "经认定"}
    assert ev(commit) == "pass"
    assert ev(manual) == "unknown"
    either = {"kind": "any_of", "conditions": [{"kind": "origin", "any_of": ["foreign"]}, manual]}
    assert ev(either, origin="foreign") == "pass"
    assert ev(either, origin="mainland") == "unknown"
    both_fail = {"kind": "any_of", "conditions": [{"kind": "origin", "any_of": ["foreign"]},
                                                  {"kind": "degree", "min": "phd"}]}
    assert ev(both_fail, origin="mainland", degree="master") == "fail"


def test_reasons_are_bilingual_and_specific() -> None:
    c = COND.validate_python({"kind": "degree", "min": "phd"})
    r = evaluate_condition(c, Profile(degree="master"), CityContext("x", TODAY))
    assert r.reason_en == "requires at least a PhD; the profile has a master's"
    assert r.reason_zh == "要求博士及以上；档案为硕士"


def _incentive(**over: object) -> S.Incentive:
    base = {
        "id": "t-1", "name_en": "T", "name_zh": "T", "category": "living",
        "scope": {"level": "city", "name_en": "X", "name_zh": "X"}, "audience_en": "a", "audience_zh": "a",
        "benefit": {"form": "one_off", "amount": {"value": 1000}, "description_en": "d", "description_zh": "d"},
        "conditions": [{"kind": "degree", "min": "phd"}], "status": "in_force", "verification": "official",
        "sources": ["S1"],
    }
    base.update(over)
    return S.Incentive.model_validate(base)


def test_incentive_status_from_conditions_and_policy_status() -> None:
    ctx = CityContext("x", TODAY)
    assert evaluate_incentive(_incentive(), Profile(degree="phd"), ctx).status == "eligible"
    assert evaluate_incentive(_incentive(), Profile(degree="master"), ctx).status == "ineligible"
    assert evaluate_incentive(_incentive(), Profile(), ctx).status == "possible"
    assert evaluate_incentive(_incentive(status="unknown"), Profile(degree="phd"), ctx).status == "possible"
    assert evaluate_incentive(_incentive(status="expired", valid_to="2021-08-31"), Profile(degree="phd"), ctx).status == "ineligible"
    assert evaluate_incentive(_incentive(status="proposed"), Profile(degree="phd"), ctx).status == "ineligible"
    # the last day a scheme runs still counts; the day after does not
    last_day = _incentive(valid_to="2026-11-23")
    assert evaluate_incentive(last_day, Profile(degree="phd"), ctx).status == "eligible"
    assert evaluate_incentive(last_day, Profile(degree="phd"), CityContext("x", date(2026, 11, 24))).status == "ineligible"


@pytest.mark.parametrize(("verification", "want"), [
    ("official", "eligible"), ("secondary", "eligible"), ("historical", "eligible"),
    ("unverified", "possible"),      # rests on a machine translation, an AI answer or nothing: shown, never counted
    ("hypothetical", "eligible"),    # a what-if entry counts in its scenario
])
def test_unverified_records_are_at_best_possible(verification: str, want: str) -> None:
    ctx = CityContext("x", TODAY)
    e = evaluate_incentive(_incentive(verification=verification), Profile(degree="phd"), ctx)
    assert e.status == want
    if want == "possible":
        assert [r.kind for r in e.conditions if r.status == "unknown"] == ["verification"]
        assert "machine translation" in e.conditions[0].reason_en and "机器翻译" in e.conditions[0].reason_zh
    # a failing condition still fails: unverified never makes an ineligible record possible
    assert evaluate_incentive(_incentive(verification=verification), Profile(degree="master"), ctx).status == "ineligible"


def test_tiers_pick_the_best_passing() -> None:
    inc = _incentive(conditions=[], benefit={"form": "one_off", "description_en": "d", "description_zh": "d"}, tiers=[
        {"id": "bachelor", "label_en": "bachelor", "label_zh": "本科", "conditions": [{"kind": "degree", "min": "bachelor"}],
         "amount": {"value": 10000}},
        {"id": "phd", "label_en": "PhD", "label_zh": "博士", "conditions": [{"kind": "degree", "min": "phd"}],
         "amount": {"value": 100000}},
    ])
    ctx = CityContext("x", TODAY)
    assert evaluate_incentive(inc, Profile(degree="phd"), ctx).tier_id == "phd"
    assert evaluate_incentive(inc, Profile(degree="master"), ctx).tier_id == "bachelor"
    none = evaluate_incentive(inc, Profile(degree="none"), ctx)
    assert none.status == "ineligible" and none.tier_id is None
    assert evaluate_incentive(inc, Profile(), ctx).status == "possible"
