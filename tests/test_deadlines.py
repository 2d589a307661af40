"""Personal deadlines: date arithmetic at every edge (the day a window opens and closes, month ends, leap years,
'within 2 years' against 'less than 2 years'), from tables; then the plan logic on small hand-made procedures
(missed windows with their reason, conflicts, openings after closings, constraints, annual tax-year windows,
instalments from the incentive's schedule)."""

from __future__ import annotations

from datetime import date

import pytest

from dashboard.catalog import procedures as P
from dashboard.catalog import schema as S
from dashboard.catalog.schema import Source
from dashboard.engine.deadlines import closing_day, days_in_year_from, opening_day, plan_item, shift, within
from dashboard.engine.profile import Profile, Settings

TODAY = date(2026, 11, 23)
D = date.fromisoformat


def edge(event: str = "graduation", *, years: int = 0, months: int = 0, days: int = 0, inclusive: bool = True,
         at: str | None = None) -> P.Edge:
    return P.Edge(event=event, years=years, months=months, days=days, inclusive=inclusive,  # type: ignore[arg-type]
                  date=D(at) if at else None)


# --- arithmetic ----------------------------------------------------------------------------------------

SHIFTS = [
    # anchor, years, months, days, expected: month ends clamp, leap days, day carry after clamping
    ("2026-06-30", 2, 0, 0, "2028-06-30"),
    ("2024-02-29", 1, 0, 0, "2025-02-28"),   # leap day + 1 year -> 28 February
    ("2024-02-29", 4, 0, 0, "2028-02-29"),   # ... + 4 years -> a leap day again
    ("2024-02-29", 2, 0, 0, "2026-02-28"),
    ("2026-01-31", 0, 1, 0, "2026-02-28"),   # 31 January + 1 month -> end of February
    ("2028-01-31", 0, 1, 0, "2028-02-29"),   # ... in a leap year
    ("2026-08-31", 0, 6, 0, "2027-02-28"),
    ("2026-03-31", 0, 1, 0, "2026-04-30"),
    ("2026-10-31", 0, 3, 0, "2027-01-31"),   # no clamping needed
    ("2026-01-31", 0, 1, 1, "2026-03-01"),   # months first (28 Feb), then the day
    ("2026-12-15", 0, 0, 30, "2027-01-14"),  # days carry over the year end
    ("2026-06-30", 2, 6, 0, "2028-12-30"),   # 2.5 years
    ("2025-12-31", 0, 2, 0, "2026-02-28"),
]


@pytest.mark.parametrize(("anchor", "years", "months", "days", "want"), SHIFTS)
def test_shift(anchor: str, years: int, months: int, days: int, want: str) -> None:
    assert shift(D(anchor), years=years, months=months, days=days) == D(want)


CLOSES = [
    # "within 2 years" / "no more than 2 years" (inclusive): the anniversary itself is the last day
    ("2026-06-30", 2, 0, True, "2028-06-30"),
    # "less than 2 years" (exclusive): the day before
    ("2026-06-30", 2, 0, False, "2028-06-29"),
    ("2024-02-29", 2, 0, True, "2026-02-28"),
    ("2024-02-29", 2, 0, False, "2026-02-27"),
    ("2024-02-29", 4, 0, False, "2028-02-28"),
    ("2026-03-01", 2, 0, False, "2028-02-29"),  # the day before 1 March 2028 is the leap day
    ("2026-01-31", 0, 1, True, "2026-02-28"),
    ("2026-01-31", 0, 1, False, "2026-02-27"),
]


@pytest.mark.parametrize(("anchor", "years", "months", "inclusive", "want"), CLOSES)
def test_closing_day(anchor: str, years: int, months: int, inclusive: bool, want: str) -> None:
    assert closing_day(D(anchor), edge(years=years, months=months, inclusive=inclusive)) == D(want)


OPENS = [
    # "after 3 months" / 满3个月 (inclusive): open on the day; strict "more than 3 months": the day after
    ("2026-09-01", 3, True, "2026-12-01"),
    ("2026-09-01", 3, False, "2026-12-02"),
    ("2026-11-30", 3, True, "2027-02-28"),
    ("2026-11-30", 3, False, "2027-03-01"),
    ("2027-11-30", 3, True, "2028-02-29"),
    ("2026-08-31", 6, True, "2027-02-28"),
    ("2026-08-31", 12, True, "2027-08-31"),
]


@pytest.mark.parametrize(("anchor", "months", "inclusive", "want"), OPENS)
def test_opening_day(anchor: str, months: int, inclusive: bool, want: str) -> None:
    assert opening_day(D(anchor), edge("work_start", months=months, inclusive=inclusive)) == D(want)


WITHIN = [
    # event, anchor (graduation), years, inclusive, in time?
    ("2028-06-30", "2026-06-30", 2, True, True),    # the anniversary itself: still "within 2 years"
    ("2028-06-30", "2026-06-30", 2, False, False),  # ... but not "less than 2 years"
    ("2028-06-29", "2026-06-30", 2, False, True),
    ("2028-07-01", "2026-06-30", 2, True, False),
    ("2026-02-28", "2024-02-29", 2, True, True),
    ("2026-03-01", "2024-02-29", 2, True, False),
]


@pytest.mark.parametrize(("event", "anchor", "years", "inclusive", "ok"), WITHIN)
def test_within(event: str, anchor: str, years: int, inclusive: bool, ok: bool) -> None:
    assert within(D(event), D(anchor), edge(years=years, inclusive=inclusive)) is ok


DAYS = [
    ("2026-10-02", 2026, 91),  # 2 October to 31 December, both counted: exactly 91 ("more than 90")
    ("2026-10-03", 2026, 90),  # one day later: 90, not enough
    ("2028-10-02", 2028, 91),  # leap years change nothing after February
    ("2028-01-01", 2028, 366),
    ("2026-01-01", 2026, 365),
    ("2025-06-01", 2026, 365),  # started the year before: the whole year
    ("2027-01-01", 2026, 0),    # starts later
    ("2026-12-31", 2026, 1),
]


@pytest.mark.parametrize(("start", "year", "want"), DAYS)
def test_days_in_year_from(start: str, year: int, want: int) -> None:
    assert days_in_year_from(D(start), year) == want


@pytest.mark.parametrize(("today", "want"), [("2026-11-23", "2026-11-30"), ("2026-11-30", "2026-11-30"),
                                              ("2026-12-01", "2027-11-30")])
def test_yearly_next(today: str, want: str) -> None:
    assert P.Yearly(month=11, day=30).next_on_or_after(D(today)) == D(want)


def test_yearly_refuses_a_date_not_in_every_year() -> None:
    with pytest.raises(ValueError, match="not a date in every year"):
        P.Yearly(month=2, day=29)


@pytest.mark.parametrize(("kw", "msg"), [
    ({"event": "fixed", "inclusive": True}, "needs date"),
    ({"event": "fixed", "inclusive": True, "date": "2025-10-01", "years": 1}, "takes no years"),
    ({"event": "graduation", "inclusive": True, "date": "2025-10-01"}, "only with event 'fixed'"),
    ({"event": "graduation"}, "inclusive"),
])
def test_edge_validation(kw: dict, msg: str) -> None:
    with pytest.raises(ValueError, match=msg):
        P.Edge.model_validate(kw)


# --- plan logic on hand-made procedures -----------------------------------------------------------------

SRC = Source(id="X1", kind="official", issuer="Test issuer", title="Test rule", retrieved=TODAY)


def reading(e: P.Edge | None, **kw: object) -> P.Reading:
    return P.Reading(edge=e, verification="official", sources=["X1"], **kw)  # type: ignore[arg-type]


def proc(**kw: object) -> P.Found:
    base = {"id": "t-proc", "incentives": ["t-inc"], "name_en": "Test", "name_zh": "测试", "files_by": "applicant",
            "files_by_en": "you", "files_by_zh": "本人", "timing_en": "-", "timing_zh": "-", "verification": "official",
            "sources": ["X1"]}
    p = P.Procedure.model_validate({**base, **kw})
    f = P.ProcedureFile(topic="test", title_en="t", title_zh="t", city="testcity", as_of=TODAY, sources=[SRC], procedures=[p])
    return P.Found(p, f, "testcity")


def incentive(schedule: list[tuple[float, int]] | None = None, amount: float | None = 100000, **kw: object) -> S.Incentive:
    data = {
        "id": "t-inc", "name_en": "Test incentive", "name_zh": "测试", "category": "living",
        "scope": {"level": "city", "name_en": "Testcity", "name_zh": "测试市"}, "audience_en": "-", "audience_zh": "-",
        "benefit": {"form": "one_off", "amount": {"value": amount} if amount else None,
                    "schedule": [{"share": s, "after_si_months": m} for s, m in schedule] if schedule else None,
                    "description_en": "-", "description_zh": "-"},
        "status": "in_force", "verification": "official", "sources": ["X1"], **kw}
    return S.Incentive.model_validate(data)


def run(found: P.Found | None, profile: Profile, inc: S.Incentive | None = None, tier: str | None = None,
        today: date = TODAY):
    incs = [inc] if inc is not None else []
    item, needs = plan_item("t", ("Test", "测试"), "eligible", ["t-inc"], found, incs, tier, profile,
                            Settings(today=today), city="testcity", city_file="cities/testcity", scheme_sources=["cities/testcity:X1"])
    return item, needs


def test_instalments_follow_the_incentive_schedule_from_the_work_start() -> None:
    item, needs = run(proc(), Profile(work_start_date=D("2026-11-30")), incentive([(0.3, 3), (0.7, 12)]))
    assert [(p.date, p.share, p.amount) for p in item.payments] == [
        (D("2027-02-28"), 0.3, 30000), (D("2027-11-30"), 0.7, 70000)]
    assert item.opens is not None and item.opens.date == D("2027-02-28")
    assert not item.missed and needs == set()


def test_strict_schedule_opens_the_day_after() -> None:
    item, _ = run(proc(schedule_inclusive=False), Profile(work_start_date=D("2026-09-01")), incentive([(1.0, 3)]))
    assert item.payments[0].date == D("2026-12-02")


def test_unknown_work_start_leaves_payments_undated_and_says_why() -> None:
    item, needs = run(proc(), Profile(), incentive([(0.5, 6), (0.5, 12)]))
    assert [p.date for p in item.payments] == [None, None]
    assert "work_start_date" in needs
    assert any("work start date" in u for u in item.unknown_en)
    assert not item.missed


@pytest.mark.parametrize(("grad", "today", "missed"), [
    ("2024-11-23", "2026-11-23", False),  # the anniversary is the last day: still open today
    ("2024-11-22", "2026-11-23", True),   # one day earlier graduation: closed yesterday
])
def test_window_closing_today_is_not_missed_yesterday_is(grad: str, today: str, missed: bool) -> None:
    f = proc(closes=[reading(edge(years=2, inclusive=True))])
    item, _ = run(f, Profile(graduation_date=D(grad)), today=D(today))
    assert item.missed is missed
    if missed:
        assert "closed on 2026-11-22" in item.missed_en[0]
        assert "graduation 2024-11-22 + 2 years" in item.missed_en[0]


def test_less_than_two_years_closes_a_day_earlier() -> None:
    f = proc(closes=[reading(edge(years=2, inclusive=False))])
    item, _ = run(f, Profile(graduation_date=D("2024-11-23")))
    assert item.closes is not None and item.closes.date == D("2026-11-22")
    assert item.missed and "the day before" in item.missed_en[0]


def test_opening_after_the_last_day_is_missed_with_both_dates() -> None:
    f = proc(closes=[reading(edge(years=2))])
    item, _ = run(f, Profile(graduation_date=D("2026-06-30"), work_start_date=D("2028-03-01")), incentive([(1.0, 6)]))
    assert item.missed
    assert "2028-09-01" in item.missed_en[0] and "2028-06-30" in item.missed_en[0]


def test_conflicting_deadlines_are_kept_and_the_earliest_is_the_safe_date() -> None:
    f = proc(closes=[reading(edge(years=5)), reading(edge(years=6))])
    item, _ = run(f, Profile(graduation_date=D("2022-06-30")))
    assert len(item.conflicts) == 1
    assert sorted(o.date for o in item.conflicts[0].options) == [D("2027-06-30"), D("2028-06-30")]
    assert item.closes is not None and item.closes.date == D("2027-06-30")
    assert not item.missed


def test_conflict_missed_only_when_every_reading_has_passed() -> None:
    f = proc(closes=[reading(edge(years=5)), reading(edge(years=6))])
    partly, _ = run(f, Profile(graduation_date=D("2021-06-30")))   # 5 years passed, 6 not yet
    assert not partly.missed and any("disagree" in n for n in partly.notes_en)
    both, _ = run(f, Profile(graduation_date=D("2020-06-30")))
    assert both.missed


def test_a_source_with_no_deadline_conflicts_with_one_that_has_one_and_keeps_the_item_open() -> None:
    f = proc(closes=[reading(edge(years=2)), reading(None, note_en="no deadline stated")])
    item, _ = run(f, Profile(graduation_date=D("2020-06-30")))
    assert len(item.conflicts) == 1
    assert not item.missed


def test_readings_are_filtered_by_origin() -> None:
    f = proc(closes=[reading(edge(years=2), origins=["mainland"]), reading(edge(years=5), origins=["foreign"])])
    item, _ = run(f, Profile(origin="foreign", graduation_date=D("2024-06-30")))
    assert not item.conflicts and item.closes is not None and item.closes.date == D("2029-06-30")


def test_tier_alternatives_are_not_a_conflict() -> None:
    f = proc(closes=[reading(edge("arrival", years=2), tiers=["ta"]), reading(edge("arrival", years=2, months=6), tiers=["tb"])])
    unknown_tier, _ = run(f, Profile(arrival_date=D("2026-01-10")))
    assert not unknown_tier.conflicts and any("tier" in n for n in unknown_tier.notes_en)
    assert unknown_tier.closes is not None and unknown_tier.closes.date == D("2028-01-10")
    tier_b, _ = run(f, Profile(arrival_date=D("2026-01-10")), tier="tb")
    assert tier_b.closes is not None and tier_b.closes.date == D("2028-07-10")


def test_identification_is_never_guessed() -> None:
    f = proc(closes=[reading(edge("identification", years=1))])
    item, needs = run(f, Profile(arrival_date=D("2026-01-10"), work_start_date=D("2026-02-01")))
    assert item.closes is not None and item.closes.date is None
    assert "identified as a youth talent" in item.unknown_en[0]
    assert needs == set()


@pytest.mark.parametrize(("start", "missed"), [("2028-08-01", False), ("2028-08-02", True)])
def test_constraint_job_within_two_years_of_return(start: str, missed: bool) -> None:
    c = P.Constraint(event="work_start", on_or_before=edge("arrival", years=2), text_en="Job within 2 years of return.",
                     text_zh="回国2年内就业。", verification="official", sources=["X1"])
    item, _ = run(proc(constraints=[c]), Profile(arrival_date=D("2026-08-01"), work_start_date=D(start)))
    assert item.missed is missed
    assert any(d.kind == "latest_start" and d.date == D("2028-08-01") for d in item.dates)
    if missed:
        assert "2028-08-02" in item.missed_en[0] and "2028-08-01" in item.missed_en[0]


def test_constraint_on_or_after_a_fixed_date() -> None:
    c = P.Constraint(event="work_start", on_or_after=edge("fixed", at="2021-09-01"), text_en="From 2021-09-01.",
                     text_zh="2021年9月1日起。", verification="official", sources=["X1"])
    early, _ = run(proc(constraints=[c]), Profile(work_start_date=D("2021-08-31")))
    on_day, _ = run(proc(constraints=[c]), Profile(work_start_date=D("2021-09-01")))
    assert early.missed and not on_day.missed


def test_scheme_ending_before_you_can_apply_is_missed() -> None:
    item, _ = run(proc(), Profile(work_start_date=D("2030-09-01")), incentive([(1.0, 6)], valid_to=D("2031-01-01")))
    assert item.missed and "2031-01-01" in item.missed_en[0]


def annual(**kw: object) -> P.Annual:
    return P.Annual.model_validate({
        "period": "previous_tax_year", "min_days_in_period": 91, "usual_en": "May-July", "usual_zh": "5-7月",
        "verification": "secondary", "sources": ["X1"],
        "windows": [{"period": 2024, "opens": "2025-06-01", "closes": "2025-07-31", "verification": "secondary",
                     "sources": ["X1"]}], **kw})


@pytest.mark.parametrize(("start", "first_year"), [("2026-10-02", 2026), ("2026-10-03", 2027)])
def test_annual_window_needs_more_than_90_days_in_the_tax_year(start: str, first_year: int) -> None:
    item, _ = run(proc(annual=annual()), Profile(work_start_date=D(start)), incentive(valid_to=D("2027-12-31")))
    years = [d.label_en.split(":")[0] for d in item.dates if d.kind == "window"]
    assert years[0] == f"Tax year {first_year}"
    assert years[-1] == "Tax year 2027"  # the scheme's last tax year; applied for in 2028
    assert not item.missed


def test_annual_windows_already_closed_are_missed_and_reported() -> None:
    item, _ = run(proc(annual=annual()), Profile(work_start_date=D("2024-01-01")), incentive(valid_to=D("2024-12-31")))
    assert item.missed and "every application window" in item.missed_en[0]
    assert any("2025-07-31: missed" in n for n in item.notes_en)


def test_annual_unknown_window_says_when_it_is_usually() -> None:
    item, _ = run(proc(annual=annual()), Profile(work_start_date=D("2026-03-01")), incentive(valid_to=D("2027-12-31")))
    w2026 = next(d for d in item.dates if d.label_en.startswith("Tax year 2026"))
    assert w2026.date is None and w2026.basis_en == "May-July" and "in 2027" in w2026.label_en


def test_step_due_relative_to_arrival_and_yearly_step() -> None:
    steps = [P.Step(id="rp", who="applicant", text_en="Residence permit", text_zh="居留许可", verification="official",
                    sources=["X1"], due=edge("arrival", days=30)),
             P.Step(id="quota", who="employer", text_en="Demand", text_zh="需求", verification="official", sources=["X1"],
                    due_yearly=P.Yearly(month=11, day=30))]
    item, _ = run(proc(steps=steps), Profile(arrival_date=D("2026-12-15")))
    due = {d.label_en: d.date for d in item.dates if d.kind == "step"}
    assert due == {"Residence permit": D("2027-01-14"), "Demand": D("2026-11-30")}
