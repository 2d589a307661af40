"""Valuation by hand-computed tables: schedules, horizons, discounting, ranges, rent, tax refunds."""

from __future__ import annotations

import pytest

from dashboard.catalog import schema as S
from dashboard.engine.value import STATUS_POINTS, value_of


def benefit(**kw: object) -> S.Benefit:
    return S.Benefit.model_validate({"description_en": "d", "description_zh": "d", **kw})


def amount(**kw: object) -> S.Amount:
    return S.Amount.model_validate(kw)


def test_one_off_with_schedule_discounted() -> None:
    # 100,000 paid 30% after 3 months and 70% after 12 months of social insurance, 3% a year:
    # 30,000 / 1.03**0.25 + 70,000 / 1.03**1 = 29,778.92 + 67,961.17 = 97,740.09
    b = benefit(form="one_off", schedule=[{"share": 0.3, "after_si_months": 3}, {"share": 0.7, "after_si_months": 12}])
    v = value_of(b, amount(value=100000), horizon=5, rate=0.03, share=0.5)
    assert v.expected == pytest.approx(30000 / 1.03 ** 0.25 + 70000 / 1.03, rel=1e-9)
    assert v.nominal == 100000
    assert v.low == v.high == v.expected


def test_payment_after_horizon_is_not_counted() -> None:
    b = benefit(form="one_off", schedule=[{"share": 0.5, "after_si_months": 6}, {"share": 0.5, "after_si_months": 24}])
    v = value_of(b, amount(value=10000), horizon=1, rate=0.0, share=0.5)
    assert v.expected == 5000
    assert "after the 1-year horizon" in v.rule_en


def test_monthly_capped_by_duration_and_horizon() -> None:
    b = benefit(form="monthly", duration_months=24)
    assert value_of(b, amount(value=1250), horizon=5, rate=0.0, share=0.5).expected == 30000
    assert value_of(b, amount(value=1250), horizon=1, rate=0.0, share=0.5).expected == 15000


def test_annual_and_discounting() -> None:
    b = benefit(form="annual", duration_years=3)
    v = value_of(b, amount(value=10000), horizon=5, rate=0.1, share=0.5)
    assert v.expected == pytest.approx(10000 + 10000 / 1.1 + 10000 / 1.21)


def test_up_to_is_a_range_with_the_midpoint_rule() -> None:
    b = benefit(form="one_off")
    v = value_of(b, amount(up_to=1_000_000), horizon=5, rate=0.0, share=0.5)
    assert (v.low, v.expected, v.high) == (0, 500_000, 1_000_000)
    v = value_of(b, amount(min=200_000, up_to=500_000), horizon=5, rate=0.0, share=0.25)
    assert (v.low, v.expected, v.high) == (200_000, 275_000, 500_000)
    assert v.discretionary


def test_rent_discount_uses_market_rent_and_flat_size() -> None:
    b = benefit(form="rent_discount", rent_discount_share=0.4, duration_months=36)
    v = value_of(b, None, horizon=5, rate=0.0, share=0.5, rent_per_m2_month=100.0, flat_m2=40)
    assert v.expected == pytest.approx(0.4 * 100 * 40 * 36)
    unknown = value_of(b, None, horizon=5, rate=0.0, share=0.5, rent_per_m2_month=None)
    assert not unknown.known and unknown.expected == 0


def test_tax_refund_paid_the_following_year_for_each_tax_year() -> None:
    b = benefit(form="tax_refund", tax_rule="gba-15pct-refund")
    v = value_of(b, None, horizon=5, rate=0.0, share=0.5, tax_refund_per_year=12000, tax_years=2)
    assert v.expected == 24000 and [p.years for p in v.payments] == [1, 2]
    assert not value_of(b, None, horizon=5, rate=0.0, share=0.5).known


def test_status_and_loans_are_not_money() -> None:
    v = value_of(benefit(form="status", status_kind="hukou"), None, horizon=5, rate=0.03, share=0.5)
    assert not v.money and v.expected == 0 and v.status_points == STATUS_POINTS["hukou"]
    v = value_of(benefit(form="loan"), amount(up_to=500000), horizon=5, rate=0.03, share=0.5)
    assert not v.money and v.expected == 0 and v.loan_cap == 500000


def test_unpublished_amount_is_unknown_not_zero_silently() -> None:
    v = value_of(benefit(form="one_off"), None, horizon=5, rate=0.03, share=0.5)
    assert not v.known and v.rule_en == "amount not published"
