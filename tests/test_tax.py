"""Income tax brackets, the basic deduction and the zone caps.

Expected values are hand-computed from research/national_scheme.md §5 (T-04: <=36,000 3% / 0;
36,000-144,000 10% / 2,520; 144,000-300,000 20% / 16,920; 300,000-420,000 25% / 31,920; 420,000-660,000
30% / 52,920; 660,000-960,000 35% / 85,920; >960,000 45% / 181,920; upper bounds inclusive) and T-09
(GBA refund = min(5,000,000, max(0, IIT - 15% x taxable income))), never by calling the code under test.
"""

from __future__ import annotations

from datetime import date

import pytest

from dashboard.catalog import national as N
from dashboard.catalog.loader import DATA_DIR, load_catalog
from dashboard.engine.national import NationalScheme, national_scheme
from dashboard.engine.tax import iit_annual, taxable_income_from_salary, zone_refund

TODAY = date(2026, 11, 23)


@pytest.fixture(scope="module")
def nat() -> NationalScheme:
    files = sorted((DATA_DIR / "national").glob("*.yaml"))
    res = load_catalog(paths=files, today=TODAY)
    assert not res.errors, [str(p) for p in res.errors]
    return national_scheme(res.national)


BRACKETS = [  # (taxable income, IIT): at each edge (upper bound inclusive) and one yuan above
    (0, 0.0),
    (1, 0.03),                  # 1 x 3%
    (36_000, 1_080.0),          # 36,000 x 3%
    (36_001, 1_080.10),         # 36,001 x 10% - 2,520 = 3,600.10 - 2,520
    (144_000, 11_880.0),        # 144,000 x 10% - 2,520 = 14,400 - 2,520
    (144_001, 11_880.20),       # 144,001 x 20% - 16,920 = 28,800.20 - 16,920
    (300_000, 43_080.0),        # 300,000 x 20% - 16,920 = 60,000 - 16,920
    (300_001, 43_080.25),       # 300,001 x 25% - 31,920 = 75,000.25 - 31,920
    (420_000, 73_080.0),        # 420,000 x 25% - 31,920 = 105,000 - 31,920
    (420_001, 73_080.30),       # 420,001 x 30% - 52,920 = 126,000.30 - 52,920
    (660_000, 145_080.0),       # 660,000 x 30% - 52,920 = 198,000 - 52,920
    (660_001, 145_080.35),      # 660,001 x 35% - 85,920 = 231,000.35 - 85,920
    (960_000, 250_080.0),       # 960,000 x 35% - 85,920 = 336,000 - 85,920
    (960_001, 250_080.45),      # 960,001 x 45% - 181,920 = 432,000.45 - 181,920
    (2_000_000, 718_080.0),     # 2,000,000 x 45% - 181,920 = 900,000 - 181,920
]


@pytest.mark.parametrize(("taxable", "tax"), BRACKETS)
def test_iit_brackets(nat: NationalScheme, taxable: float, tax: float) -> None:
    assert iit_annual(taxable, nat) == pytest.approx(tax, abs=1e-6)


SALARY = [  # salary - 60,000 basic deduction, floored at 0
    (0, 0.0), (59_999, 0.0), (60_000, 0.0), (60_001, 1.0), (300_000, 240_000.0),
]


@pytest.mark.parametrize(("salary", "taxable"), SALARY)
def test_taxable_income_from_salary(nat: NationalScheme, salary: float, taxable: float) -> None:
    assert taxable_income_from_salary(salary, nat) == taxable


def test_salary_to_tax(nat: NationalScheme) -> None:
    # RMB 300,000 salary -> 240,000 taxable -> 240,000 x 20% - 16,920 = 31,080
    assert iit_annual(taxable_income_from_salary(300_000, nat), nat) == pytest.approx(31_080)


def test_negative_salary_is_refused(nat: NationalScheme) -> None:
    with pytest.raises(ValueError):
        taxable_income_from_salary(-1, nat)


GBA = [  # (taxable income, IIT (hand-computed), refund, capped)
    (36_000, 1_080.0, 0.0, False),               # 1,080 - 5,400 < 0 -> 0
    (0, 0.0, 0.0, False),
    # effective rate exactly 15%: 319,200 x 25% - 31,920 = 47,880 = 15% x 319,200 -> 0
    (319_200, 47_880.0, 0.0, False),
    # one yuan more: 319,201 x 25% - 31,920 = 47,880.25; 15% = 47,880.15 -> 0.10
    (319_201, 47_880.25, 0.10, False),
    # 17,000,000 x 45% - 181,920 = 7,468,080; minus 2,550,000 = 4,918,080 (under the cap)
    (17_000_000, 7_468_080.0, 4_918_080.0, False),
    # the cap is reached at 0.30 x T - 181,920 = 5,000,000, T = 17,273,066.67:
    # 17,273,066 -> 5,181,919.80 - 181,920 = 4,999,999.80 (not capped)
    (17_273_066, 7_590_959.70, 4_999_999.80, False),
    # 17,273,067 -> 7,590,960.15 - 2,590,960.05 = 5,000,000.10 -> capped at 5,000,000
    (17_273_067, 7_590_960.15, 5_000_000.0, True),
    # 20,000,000 -> 8,818,080 - 3,000,000 = 5,818,080 -> 5,000,000
    (20_000_000, 8_818_080.0, 5_000_000.0, True),
]


@pytest.mark.parametrize(("taxable", "iit", "refund", "capped"), GBA)
def test_gba_refund(nat: NationalScheme, taxable: float, iit: float, refund: float, capped: bool) -> None:
    z = zone_refund("gba-15pct-refund", nat, taxable_income=taxable, iit=iit)
    assert z.amount == pytest.approx(refund, abs=1e-6)
    assert z.capped is capped
    assert z.paid_year_offset == 1 and z.cap == 5_000_000 and z.rate == 0.15
    assert z.reason_en and z.reason_zh and all(s.startswith("zones:") for s in z.sources)


@pytest.mark.parametrize("rule_id", ["qianhai-hk-relief", "hetao-hk-relief"])
def test_hk_burden_reliefs_have_no_amount(nat: NationalScheme, rule_id: str) -> None:
    z = zone_refund(rule_id, nat, taxable_income=500_000, iit=97_080)
    assert (z.amount, z.approximation) == (None, None)
    assert "Hong Kong" in z.reason_en


@pytest.mark.parametrize("rule_id", ["hainan-15pct-cap", "hengqin-15pct-cap", "lingang-15pct-refund"])
def test_undefined_burden_gives_only_an_approximation(nat: NationalScheme, rule_id: str) -> None:
    # 500,000 x 30% - 52,920 = 97,080; minus 15% x 500,000 = 75,000 -> 22,080 (GBA-style approximation)
    z = zone_refund(rule_id, nat, taxable_income=500_000, iit=97_080)
    assert z.amount is None
    assert z.approximation == pytest.approx(22_080)
    assert "assumption" in z.reason_en


def test_hengqin_status_and_expiry(nat: NationalScheme) -> None:
    r = next(r for r in nat.zones.rules if r.id == "hengqin-15pct-cap")
    assert (r.status, r.valid_to) == ("unknown", date(2025, 12, 31))


def test_gba_excludes_the_hk_reliefs(nat: NationalScheme) -> None:
    r = next(r for r in nat.zones.rules if r.id == "gba-15pct-refund")
    assert set(r.excludes) == {"qianhai-hk-relief", "hetao-hk-relief"}


def test_unknown_zone_rule(nat: NationalScheme) -> None:
    # a city placeholder id gives no amount instead of failing the city's evaluation
    z = zone_refund("nowhere", nat, taxable_income=100_000, iit=7_480)
    assert (z.amount, z.approximation, z.status) == (None, None, "unknown")
    assert "nowhere" in z.reason_en


def test_foreigner_allowance_choice_ends_2027(nat: NationalScheme) -> None:
    r = next(r for r in nat.iit.rules if r.id == "iit-foreigner-allowances-choice")
    assert r.valid_to == date(2027, 12, 31)


# --- the catalog checker catches broken brackets ------------------------------------------------------------

BROKEN = [
    ("swap", "rate"),               # brackets out of order
    ("qd", "quick_deduction"),      # a quick deduction that breaks continuity
    ("gap", "over"),                # a gap between brackets
]


@pytest.mark.parametrize(("how", "field"), BROKEN)
def test_checker_flags_broken_brackets(nat: NationalScheme, how: str, field: str) -> None:
    data = nat.iit.model_dump(mode="json")
    br = data["brackets"]["brackets"]
    if how == "swap":
        br[2]["rate"], br[3]["rate"] = br[3]["rate"], br[2]["rate"]
    elif how == "qd":
        br[3]["quick_deduction"] = 31_000
    else:
        br[4]["over"] = 430_000
    problems = N.check("iit", N.IitFile.model_validate(data), TODAY)
    assert any(p.field.endswith(field) for p in problems), [str(p) for p in problems]


def test_real_brackets_pass_the_checker(nat: NationalScheme) -> None:
    assert N.check("iit", nat.iit, TODAY) == []
