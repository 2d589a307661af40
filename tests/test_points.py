"""Work-permit points, classes and routes; K / R / Z visas; permanent residence.

Expected values are hand-computed from the points table in research/national_scheme.md §3.2 (salary in
RMB 10,000s: >=45 -> 20, [35,45) -> 17, [25,35) -> 14, [15,25) -> 11, [7,15) -> 8, [5,7) -> 5, <5 -> 0; ...),
never by calling the code under test. Each band is tested at its lower edge and just below it.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from dashboard.catalog import national as N
from dashboard.catalog.loader import DATA_DIR, load_catalog
from dashboard.engine.national import (
    NationalScheme,
    PermitResult,
    k_visa,
    national_scheme,
    pr_routes,
    r_visa,
    work_permit,
    z_visa,
)
from dashboard.engine.profile import Profile, Settings

TODAY = date(2026, 11, 23)


@pytest.fixture(scope="module")
def nat() -> NationalScheme:
    files = sorted((DATA_DIR / "national").glob("*.yaml"))
    res = load_catalog(paths=files, today=TODAY)
    assert not res.errors, [str(p) for p in res.errors]
    return national_scheme(res.national)


# Base: every points input known. age 30 -> 15; master -> 15; 5 years -> 5 + (5 - 2) = 8; 12 months -> 15;
# HSK 0 -> 0; Beijing -> 0; RMB 300,000 = 30 (10k) in [25,35) -> 14; no extras -> 0. Total 67.
BASE = dict(
    age=30, origin="foreign", degree="master", field="ai", graduation_year=2020, degree_abroad=False,
    experience_years=5, annual_salary_cny=300_000, months_in_china_per_year=12, hsk_level=0,
    chinese_taught_degree=False, former_chinese_national=False, fortune500_experience=False, holds_patent=False,
    years_in_china_continuous=0, intent="employment",
)


def prof(**kw: object) -> Profile:
    return Profile(**{**BASE, **kw})


def permit(nat: NationalScheme, p: Profile, city: str = "beijing", wage: float | None = 100_000) -> PermitResult:
    return work_permit(p, nat, city=city, local_annual_wage=wage, today=TODAY)


def factor(res: PermitResult, fid: str):
    return next(f for f in res.factors if f.id == fid)


def route(res: PermitResult, rid: str):
    return next(c for c in res.routes + res.other_routes if c.id == rid)


def test_base_total(nat: NationalScheme) -> None:
    res = permit(nat, prof())
    assert (res.points_min, res.points_max) == (67, 67)  # 15+15+8+15+0+0+14+0
    assert res.local_bonus_max == 10


# --- every band edge ------------------------------------------------------------------------------------

SALARY = [  # (annual CNY, points): lower edge of each band, then one yuan below it
    (450_000, 20), (449_999, 17),   # 45 (10k) is the lower edge of ">= 45"
    (350_000, 17), (349_999, 14),   # [35, 45)
    (250_000, 14), (249_999, 11),   # [25, 35)
    (150_000, 11), (149_999, 8),    # [15, 25)
    (70_000, 8), (69_999, 5),       # [7, 15)
    (50_000, 5), (49_999, 0),       # [5, 7); below 5 -> 0
    (0, 0), (2_000_000, 20),
]


@pytest.mark.parametrize(("salary", "pts"), SALARY)
def test_salary_bands(nat: NationalScheme, salary: int, pts: int) -> None:
    assert factor(permit(nat, prof(annual_salary_cny=salary)), "salary").points == pts


AGE = [  # [18,25] -> 10; [26,45] -> 15; [46,55] -> 10; [56,60] -> 5; > 60 -> 0; no band below 18
    (17, 0), (18, 10), (25, 10), (26, 15), (45, 15), (46, 10), (55, 10), (56, 5), (60, 5), (61, 0), (70, 0),
]


@pytest.mark.parametrize(("age", "pts"), AGE)
def test_age_bands(nat: NationalScheme, age: int, pts: int) -> None:
    assert factor(permit(nat, prof(age=age)), "age").points == pts


EXPERIENCE = [  # under 2 -> 0; 2 -> 5; +1 a further whole year (floor); cap 20 (2 + 15 = 17 years)
    (0, 0), (1.99, 0), (2, 5), (2.99, 5), (3, 6), (10, 13), (16, 19), (17, 20), (40, 20),
]


@pytest.mark.parametrize(("years", "pts"), EXPERIENCE)
def test_experience(nat: NationalScheme, years: float, pts: int) -> None:
    assert factor(permit(nat, prof(experience_years=years)), "experience").points == pts


WORKING_TIME = [  # >= 9 -> 15; [6,9) -> 10; [3,6) -> 5; < 3 -> 0 (months a year)
    (12, 15), (9, 15), (8.99, 10), (6, 10), (5.99, 5), (3, 5), (2.99, 0), (0, 0),
]


@pytest.mark.parametrize(("months", "pts"), WORKING_TIME)
def test_working_time(nat: NationalScheme, months: float, pts: int) -> None:
    assert factor(permit(nat, prof(months_in_china_per_year=months)), "working_time").points == pts


@pytest.mark.parametrize(("degree", "pts"), [("none", 0), ("bachelor", 10), ("master", 15), ("phd", 20), ("postdoc", 20)])
def test_education(nat: NationalScheme, degree: str, pts: int) -> None:
    kw: dict[str, object] = {"degree": degree}
    if degree == "none":
        kw["graduation_year"] = None
    assert factor(permit(nat, prof(**kw)), "education").points == pts


CHINESE = [  # former national or Chinese-taught bachelor+ -> 5; HSK 5+ -> 5; HSK n -> n for 1..4
    (dict(hsk_level=0), 0), (dict(hsk_level=1), 1), (dict(hsk_level=2), 2), (dict(hsk_level=3), 3),
    (dict(hsk_level=4), 4), (dict(hsk_level=5), 5), (dict(hsk_level=6), 5), (dict(hsk_level=9), 5),
    (dict(former_chinese_national=True), 5), (dict(chinese_taught_degree=True), 5),
    (dict(chinese_taught_degree=True, degree="none", graduation_year=None), 0),  # below bachelor: no row
    (dict(hsk_level=2, former_chinese_national=True), 5),  # best row counts, cap 5
]


@pytest.mark.parametrize(("kw", "pts"), CHINESE)
def test_chinese(nat: NationalScheme, kw: dict[str, object], pts: int) -> None:
    assert factor(permit(nat, prof(**kw)), "chinese").points == pts


def test_chinese_unknown_is_a_range(nat: NationalScheme) -> None:
    f = factor(permit(nat, prof(hsk_level=3, former_chinese_national=None)), "chinese")
    assert (f.points, f.points_min, f.points_max) == (None, 3, 5)


@pytest.mark.parametrize(("city", "pts"), [("chengdu", 10), ("beijing", 0), ("shanghai", 0), ("shenzhen", 0),
                                           ("hangzhou", 0)])
def test_location(nat: NationalScheme, city: str, pts: int) -> None:
    # Chengdu is in Sichuan, listed (unverified) in the western region: 10 points; the others score 0.
    f = factor(permit(nat, prof(), city=city), "location")
    assert f.points == pts
    if pts:
        assert f.verification == "unverified"


EXTRAS = [  # each of F500 / patent / 5+ years in China -> 5; cap 5
    (dict(fortune500_experience=True), 5), (dict(holds_patent=True), 5), (dict(years_in_china_continuous=5), 5),
    (dict(years_in_china_continuous=4.9), 0), (dict(fortune500_experience=True, holds_patent=True), 5), (dict(), 0),
]


@pytest.mark.parametrize(("kw", "pts"), EXTRAS)
def test_extras(nat: NationalScheme, kw: dict[str, object], pts: int) -> None:
    assert factor(permit(nat, prof(**kw)), "extras").points == pts


def test_high_level_university_abroad_is_unknown(nat: NationalScheme) -> None:
    # "high-level university abroad" is not defined in the research: a degree from abroad leaves 0-5 open.
    f = factor(permit(nat, prof(degree_abroad=True, university_rank=3)), "extras")
    assert (f.points, f.points_min, f.points_max) == (None, 0, 5)


def test_local_bonus_not_in_total(nat: NationalScheme) -> None:
    res = permit(nat, prof())
    f = factor(res, "local_bonus")
    assert (f.points, f.points_min, f.points_max, f.assessed) == (None, 0, 10, False)
    assert res.points_max == 67


def test_unknown_salary_widens_the_total(nat: NationalScheme) -> None:
    res = permit(nat, prof(annual_salary_cny=None))
    # 67 - 14 (salary) = 53; salary may be 0..20
    assert (res.points_min, res.points_max) == (53, 73)


# --- class thresholds -----------------------------------------------------------------------------------

THRESHOLDS = [
    # age 30 (15) + master (15) + 3 yrs (6) + 12 months (15) + RMB 100,000 = 10 in [7,15) (8) = 59
    (dict(experience_years=3, annual_salary_cny=100_000), 59, None),
    # 4 yrs -> 7: 60
    (dict(experience_years=4, annual_salary_cny=100_000), 60, "B"),
    # 15 + PhD 20 + 10 yrs (5 + 8 = 13) + 15 + HSK 1 (1) + RMB 450,000 (20) = 84
    (dict(degree="phd", experience_years=10, hsk_level=1, annual_salary_cny=450_000), 84, "B"),
    # HSK 2 -> 85
    (dict(degree="phd", experience_years=10, hsk_level=2, annual_salary_cny=450_000), 85, "A"),
]


@pytest.mark.parametrize(("kw", "total", "cls"), THRESHOLDS)
def test_class_by_points(nat: NationalScheme, kw: dict[str, object], total: int, cls: str | None) -> None:
    res = permit(nat, prof(**kw))
    assert (res.points_min, res.points_max) == (total, total)
    assert res.class_by_points == cls


# Points the only way in: no degree (so the degree routes fail), wage 200,000 (4x = 800,000, 6x = 1,200,000).
NO_DEGREE = dict(degree="none", graduation_year=None, months_in_china_per_year=12)
PERMIT_BY_POINTS = [
    # Beijing: 15 + 0 + 9 yrs (5 + 7 = 12) + 15 + 0 + 0 + RMB 350,000 (17) = 59 -> no A/B: class C, unknown
    (dict(experience_years=9, annual_salary_cny=350_000), "beijing", 59, "C", "unknown", None),
    # 10 yrs (13): 60 -> B
    (dict(experience_years=10, annual_salary_cny=350_000), "beijing", 60, "B", "pass", "B"),
    # Chengdu: 15 + 0 + 17 yrs (20) + 15 + HSK 4 (4) + 10 + RMB 450,000 (20) = 84 -> B
    (dict(experience_years=17, annual_salary_cny=450_000, hsk_level=4), "chengdu", 84, "B", "pass", "B"),
    # HSK 5 (5): 85 -> A
    (dict(experience_years=17, annual_salary_cny=450_000, hsk_level=5), "chengdu", 85, "A", "pass", "A"),
]


@pytest.mark.parametrize(("kw", "city", "total", "cls", "status", "confirmed"), PERMIT_BY_POINTS)
def test_permit_class_by_points(nat: NationalScheme, kw: dict[str, object], city: str, total: int, cls: str,
                                status: str, confirmed: str | None) -> None:
    res = permit(nat, prof(**{**NO_DEGREE, **kw}), city=city, wage=200_000)
    assert res.points_min == total
    assert (res.permit_class, res.class_status, res.confirmed_class) == (cls, status, confirmed)


# --- routes that need no points ---------------------------------------------------------------------------

ROUTES = [
    # 6x wage: 6 x 100,000 = 600,000
    ("wp-a-6x-wage", dict(annual_salary_cny=600_000), "beijing", 100_000, "pass"),
    ("wp-a-6x-wage", dict(annual_salary_cny=599_999), "beijing", 100_000, "fail"),
    ("wp-a-6x-wage", dict(annual_salary_cny=600_000), "beijing", None, "unknown"),  # no wage data
    # 4x wage: 400,000; the 2-year experience is disputed, so missing it is unknown, not fail
    ("wp-b-4x-wage", dict(annual_salary_cny=400_000, experience_years=2), "beijing", 100_000, "pass"),
    ("wp-b-4x-wage", dict(annual_salary_cny=400_000, experience_years=0), "beijing", 100_000, "unknown"),
    ("wp-b-4x-wage", dict(annual_salary_cny=399_999, experience_years=5), "beijing", 100_000, "fail"),
    # master's+ from a world top-100 university abroad
    ("wp-b-top100-masters", dict(degree_abroad=True, university_rank=100), "beijing", None, "pass"),
    ("wp-b-top100-masters", dict(degree_abroad=True, university_rank=101), "beijing", None, "fail"),
    ("wp-b-top100-masters", dict(degree_abroad=False, university_rank=1), "beijing", None, "fail"),
    ("wp-b-top100-masters", dict(degree="bachelor", degree_abroad=True, university_rank=1), "beijing", None, "fail"),
    # post-doc under 40 (the "at a university" part needs a human: unknown at best)
    ("wp-a-young-postdoc", dict(degree="postdoc", age=39), "beijing", None, "unknown"),
    ("wp-a-young-postdoc", dict(degree="postdoc", age=40), "beijing", None, "fail"),
    ("wp-a-young-postdoc", dict(degree="phd", age=30), "beijing", None, "fail"),
    # bachelor's+ with 2 years, 60 or under
    ("wp-b-degree-experience", dict(degree="bachelor", experience_years=2, age=60), "beijing", None, "pass"),
    ("wp-b-degree-experience", dict(degree="bachelor", experience_years=1.9), "beijing", None, "fail"),
    ("wp-b-degree-experience", dict(degree="bachelor", experience_years=5, age=61), "beijing", None, "fail"),
    # Shanghai: STEM PhD, world top-200, within 5 years of graduating, under 40 (today 2026-11-23)
    ("wp-a-sh-top200-stem-phd", dict(degree="phd", university_rank=200, graduation_year=2022, age=39), "shanghai",
     None, "pass"),
    ("wp-a-sh-top200-stem-phd", dict(degree="phd", university_rank=201, graduation_year=2022, age=39), "shanghai",
     None, "fail"),
    ("wp-a-sh-top200-stem-phd", dict(degree="phd", university_rank=50, graduation_year=2022, age=40), "shanghai",
     None, "fail"),
    ("wp-a-sh-top200-stem-phd", dict(degree="phd", university_rank=50, graduation_year=2020, age=35), "shanghai",
     None, "fail"),  # 6 years
    ("wp-a-sh-top200-stem-phd", dict(degree="phd", university_rank=50, graduation_year=2021, age=35), "shanghai",
     None, "unknown"),  # 2021: 5 years if graduated by November, more if in December
    ("wp-a-sh-top200-stem-phd", dict(degree="phd", field="non_stem", university_rank=50, graduation_year=2022,
                                     age=35), "shanghai", None, "fail"),
    ("wp-b-sh-top500-stem", dict(degree="bachelor", university_rank=500), "shanghai", None, "pass"),
    ("wp-b-sh-top500-stem", dict(degree="bachelor", university_rank=501), "shanghai", None, "fail"),
]


@pytest.mark.parametrize(("rid", "kw", "city", "wage", "status"), ROUTES)
def test_routes(nat: NationalScheme, rid: str, kw: dict[str, object], city: str, wage: float | None,
                status: str) -> None:
    c = route(permit(nat, prof(**kw), city=city, wage=wage), rid)
    assert c.status == status, c.reason_en
    assert c.reason_en and c.reason_zh and c.sources
    assert all(s.startswith("work_permit:") for s in c.sources)


def test_local_routes_only_in_their_city(nat: NationalScheme) -> None:
    ids = {c.id for c in permit(nat, prof(), city="chengdu").routes}
    assert "wp-a-sh-top200-stem-phd" not in ids and "wp-b-bj-study-in-beijing" not in ids
    assert "wp-a-sh-top200-stem-phd" in {c.id for c in permit(nat, prof(), city="shanghai").routes}


def test_shanghai_phd_route_gives_class_a(nat: NationalScheme) -> None:
    p = prof(degree="phd", university_rank=150, graduation_year=2023, age=31)
    assert permit(nat, p, city="shanghai").class_status == "pass"
    assert permit(nat, p, city="shanghai").permit_class == "A"
    assert permit(nat, p, city="beijing").confirmed_class == "B"  # master's+ and 5 years: B, not A


def test_judgement_routes_do_not_make_everyone_possibly_a(nat: NationalScheme) -> None:
    res = permit(nat, prof())
    assert {c.id for c in res.other_routes} >= {"wp-a-talent-programme", "wp-a-recognised-achievement"}
    assert (res.permit_class, res.class_status) == ("B", "pass")
    assert res.next_class is not None and res.next_class.target == "A"
    assert res.next_class.points_needed == 18  # 85 - 67
    assert any("6x" in h for h in res.next_class.hints_en)
    assert len(res.next_class.hints_en) == len(res.next_class.hints_zh)


def test_next_class_hint_names_hsk(nat: NationalScheme) -> None:
    # 84 points: one short of A; HSK 1 -> HSK 5 gives +4
    res = permit(nat, prof(degree="phd", experience_years=10, hsk_level=1, annual_salary_cny=450_000))
    assert res.next_class is not None and res.next_class.points_needed == 1
    assert "HSK 5 gives +4" in res.next_class.hints_en[0]


def test_under_18_has_no_permit(nat: NationalScheme) -> None:
    res = permit(nat, prof(age=17))
    assert (res.permit_class, res.class_status) == (None, "fail")


@pytest.mark.parametrize("origin", ["mainland", "overseas_chinese", "returnee", "hk_macao_taiwan"])
def test_not_applicable_origins(nat: NationalScheme, origin: str) -> None:
    res = permit(nat, prof(origin=origin))
    assert (res.applicable, res.permit_class, res.class_status, res.next_class) == (False, None, "not_applicable", None)
    assert res.reason_zh


def test_unknown_origin_is_not_a_pass(nat: NationalScheme) -> None:
    res = permit(nat, prof(origin=None))
    assert res.class_status == "unknown" and res.permit_class == "B"


def test_asdict_is_json_ready(nat: NationalScheme) -> None:
    import dataclasses
    import json

    json.dumps(dataclasses.asdict(permit(nat, prof())), ensure_ascii=False)


# --- the catalog checker catches broken tables --------------------------------------------------------------


def test_checker_flags_overlap_and_gap(nat: NationalScheme) -> None:
    data = nat.work_permit.model_dump(mode="json")
    salary = next(f for f in data["points"]["factors"] if f["id"] == "salary")
    salary["bands"][2]["interval"] = "[25, 36)"  # overlaps [35, 45)
    age = next(f for f in data["points"]["factors"] if f["id"] == "age")
    age["bands"][2]["interval"] = "[47, 55]"  # gap after [26, 45]
    msgs = [p.message for p in N.check("wp", N.WorkPermitFile.model_validate(data), TODAY)]
    assert any("overlap" in m for m in msgs) and any("gap" in m for m in msgs)


def test_interval_parser() -> None:
    assert N.parse_interval("[35, 45)") == (35, True, 45, False)
    assert N.parse_interval("≥ 45") == (45, True, None, False)
    assert N.parse_interval("> 60") == (60, False, None, False)
    with pytest.raises(ValueError):
        N.parse_interval("35-45")


# --- K visa -------------------------------------------------------------------------------------------------

K_PROFILE = dict(age=30, origin="foreign", degree="bachelor", field="physics")


@pytest.mark.parametrize(("limit", "age", "age_status", "overall"), [
    (None, 30, "unknown", "unknown"),    # unpublished: never decided
    (35, 34, "pass", "unknown"),         # below the setting ("well-known" still needs a human)
    (35, 35, "pass", "unknown"),         # at: the setting is the oldest age that qualifies
    (35, 36, "fail", "fail"),            # above
])
def test_k_visa_age_setting(nat: NationalScheme, limit: int | None, age: int, age_status: str, overall: str) -> None:
    res = k_visa(Profile(**{**K_PROFILE, "age": age}), nat, Settings(today=TODAY, k_visa_max_age=limit))
    assert next(c for c in res.checks if c.id == "k-age").status == age_status
    assert res.status == overall
    assert res.provisional is True


def test_k_visa_needs_stem(nat: NationalScheme) -> None:
    res = k_visa(Profile(**{**K_PROFILE, "field": "non_stem"}), nat, Settings(today=TODAY))
    assert res.status == "fail" and res.provisional


def test_k_visa_without_degree_has_the_work_route(nat: NationalScheme) -> None:
    res = k_visa(Profile(**{**K_PROFILE, "degree": "none"}), nat, Settings(today=TODAY))
    checks = {c.id: c.status for c in res.checks}
    assert checks["k-degree-route"] == "fail" and checks["k-teaching-research-route"] == "unknown"
    assert res.status == "unknown"


def test_k_visa_not_for_mainland(nat: NationalScheme) -> None:
    res = k_visa(Profile(**{**K_PROFILE, "origin": "mainland"}), nat, Settings(today=TODAY))
    assert res.status == "not_applicable" and res.provisional


def test_k_visa_data_has_no_age_number(nat: NationalScheme) -> None:
    assert not any("age" in k and "max" in k for k in nat.k_visa.visa.model_dump())


# --- R and Z visas, permanent residence -----------------------------------------------------------------------


def test_r_visa_needs_class_a(nat: NationalScheme) -> None:
    a = permit(nat, prof(annual_salary_cny=600_000), wage=100_000)  # 6x route: confirmed A
    b = permit(nat, prof())                                          # B by points and degree + experience
    maybe = permit(nat, prof(degree="postdoc", age=35))              # post-doc route: A possible
    assert a.confirmed_class == "A" and r_visa(prof(), a, nat).status == "pass"
    assert r_visa(prof(), b, nat).status == "fail"
    assert maybe.permit_class == "A" and r_visa(prof(), maybe, nat).status == "unknown"
    mainland = permit(nat, prof(origin="mainland"))
    assert r_visa(prof(origin="mainland"), mainland, nat).status == "not_applicable"


def test_z_visa_follows_the_permit(nat: NationalScheme) -> None:
    assert z_visa(prof(), permit(nat, prof()), nat).status == "pass"
    assert z_visa(prof(age=17), permit(nat, prof(age=17)), nat).status == "fail"
    assert z_visa(prof(origin="mainland"), permit(nat, prof(origin="mainland")), nat).status == "not_applicable"


PR_SALARY = [
    # 6x route, wage 100,000: salary >= 600,000 and IIT >= 20% x 600,000 = 120,000.
    # 700,000: taxable 640,000 -> 640,000 x 30% - 52,920 = 139,080 >= 120,000; employer letter is manual -> unknown
    (dict(annual_salary_cny=700_000, years_in_china_continuous=4, months_in_china_per_year=6), "unknown"),
    # 600,000: taxable 540,000 -> 540,000 x 30% - 52,920 = 109,080 < 120,000 -> missing
    (dict(annual_salary_cny=600_000, years_in_china_continuous=4, months_in_china_per_year=6), "fail"),
    # 3 years in China -> missing
    (dict(annual_salary_cny=700_000, years_in_china_continuous=3, months_in_china_per_year=6), "fail"),
    # 5.9 months a year -> missing
    (dict(annual_salary_cny=700_000, years_in_china_continuous=4, months_in_china_per_year=5.9), "fail"),
]


@pytest.mark.parametrize(("kw", "status"), PR_SALARY)
def test_pr_salary_route(nat: NationalScheme, kw: dict[str, object], status: str) -> None:
    checks = pr_routes(prof(**kw), nat, local_annual_wage=100_000, city="shenzhen", today=TODAY)
    c = next(c for c in checks if c.id == "pr-salary-6x")
    assert c.status == status, c.reason_en
    assert "pr-zgc-points" not in {c.id for c in checks}  # Beijing-only routes stay in Beijing


def test_pr_not_for_mainland(nat: NationalScheme) -> None:
    checks = pr_routes(prof(origin="mainland"), nat, local_annual_wage=100_000)
    assert [(c.id, c.status) for c in checks] == [("pr-origin", "fail")]


def test_pr_phd_route(nat: NationalScheme) -> None:
    got = {c.id: c.status for c in pr_routes(prof(degree="phd"), nat, local_annual_wage=None, today=TODAY)}
    assert got["pr-chinese-origin-phd"] == "unknown"  # PhD passes; "of Chinese origin" needs a human
    got = {c.id: c.status for c in pr_routes(prof(), nat, local_annual_wage=None, today=TODAY)}
    assert got["pr-chinese-origin-phd"] == "fail"


def test_national_scheme_needs_every_file(nat: NationalScheme) -> None:
    files = sorted((DATA_DIR / "national").glob("*.yaml"))
    models = load_catalog(paths=[f for f in files if f.stem != "zones"], today=TODAY).national
    with pytest.raises(ValueError, match="zones"):
        national_scheme(models)
    assert Path(DATA_DIR / "national" / "k_visa.yaml").exists()
