"""Take-home: hand-computed cases per city below the contribution floor, in the middle and above the cap; IIT
equals ``tax`` on the reported taxable income; unknown parts stay unknown; the chart and the CLI."""

from __future__ import annotations

import json
import subprocess
import sys
from datetime import date

import pytest

from dashboard.engine import tax as T
from dashboard.engine.profile import Profile
from dashboard.engine.takehome import take_home, take_home_for
from tests.conftest import ROOT

# The social-insurance sources were retrieved on 2026-12-04, after the suite's usual date (2026-11-23), so these
# tests load the catalog as of that day (the shared fixture would rightly refuse a source "retrieved in the future").
TODAY = date(2026, 12, 4)


@pytest.fixture(scope="module")
def inputs():
    from dashboard.catalog.loader import load_catalog
    from dashboard.engine.evaluate import inputs_from

    res = load_catalog(today=TODAY)
    assert "data/reference/social_insurance.yaml" not in res.unavailable, res.unavailable
    return inputs_from(res)


@pytest.fixture(scope="module")
def settings():
    from dashboard.engine.profile import Settings

    return Settings(today=TODAY)

RENT = 3000.0  # CNY a month, the profile's own rent (so the cases do not depend on the market-rent figure)

# (city, salary) -> (social insurance, taxable income, IIT, base rule), computed by hand from the data file:
# Beijing base 7,162-35,811, Shanghai 7,460-37,302 (2025), employee rates 8% + 2% + 0.5% = 10.5%; basic
# deduction 60,000 and the housing-rent deduction 1,500 x 12 = 18,000 (all five cities are tier 1).
CASES = {
    ("beijing", 60_000): (9_024.12, 0.0, 0.0, "floor"),                 # 7,162 x 10.5% x 12
    ("beijing", 240_000): (25_200.0, 136_800.0, 11_160.0, "within"),   # 136,800 x 10% - 2,520
    ("beijing", 600_000): (45_121.86, 476_878.14, 90_143.44, "cap"),   # 35,811 x 10.5% x 12; 30% - 52,920
    ("shanghai", 60_000): (9_399.6, 0.0, 0.0, "floor"),
    ("shanghai", 240_000): (25_200.0, 136_800.0, 11_160.0, "within"),
    ("shanghai", 600_000): (47_000.52, 474_999.48, 89_579.84, "cap"),
    # no base floor or cap found: social insurance unknown; taxable = salary - 78,000 (an upper estimate)
    ("shenzhen", 60_000): (None, 0.0, 0.0, "unknown"),
    ("shenzhen", 240_000): (None, 162_000.0, 15_480.0, "unknown"),    # 20% - 16,920
    ("shenzhen", 600_000): (None, 522_000.0, 103_680.0, "unknown"),   # 30% - 52,920
    ("hangzhou", 60_000): (None, 0.0, 0.0, "unknown"),
    ("hangzhou", 240_000): (None, 162_000.0, 15_480.0, "unknown"),
    ("hangzhou", 600_000): (None, 522_000.0, 103_680.0, "unknown"),
    ("chengdu", 60_000): (None, 0.0, 0.0, "unknown"),
    ("chengdu", 240_000): (None, 162_000.0, 15_480.0, "unknown"),
    ("chengdu", 600_000): (None, 522_000.0, 103_680.0, "unknown"),
}


@pytest.mark.parametrize(("city", "salary"), list(CASES))
def test_hand_computed(inputs, city: str, salary: float) -> None:
    si, taxable, iit, rule = CASES[(city, salary)]
    r = take_home(city, salary, inputs, today=TODAY, rent_month=RENT)
    assert r.base_rule == rule
    assert r.social_insurance == (None if si is None else pytest.approx(si, abs=0.01))
    assert r.taxable_income == pytest.approx(taxable, abs=0.01)
    assert r.iit == pytest.approx(iit, abs=0.01)
    assert r.iit == pytest.approx(T.iit_annual(r.taxable_income, inputs.national), abs=0.01)  # IIT = tax on it
    assert r.housing_fund is None and "housing_fund" in r.unknown  # no city's housing-fund base was found
    assert r.left is None
    assert r.left_upper == pytest.approx(salary - (si or 0) - iit - RENT * 12, abs=0.02)
    if rule == "floor":
        assert any("below the contribution floor" in n for n in r.notes_en)
        assert any("低于缴费基数下限" in n for n in r.notes_zh)
    if rule == "cap":
        assert any("above the contribution cap" in n for n in r.notes_en)
    if si is None:
        assert {"pension", "medical", "unemployment"} <= set(r.unknown)


def test_every_rate_and_base_cites_its_source(inputs) -> None:
    si = inputs.social_insurance
    known = {s.id for s in si.sources}
    for c in si.cities:
        for part in ("si_base", "pension", "medical", "unemployment", "housing_fund_base", "housing_fund_rate"):
            p = getattr(c, part)
            if p is not None:
                assert p.sources and set(p.sources) <= known and p.verification
    assert all(s.kind for s in si.sources)  # every source says what kind of publisher it is


def test_beijing_result_cites_data_and_flags_the_old_year(inputs) -> None:
    r = take_home("beijing", 240_000, inputs, today=TODAY)
    assert "social_insurance:HCC-S67" in r.sources and r.stale and r.contribution_year == 2025
    assert r.rent_source == "market" and r.rent and r.rent > 0


def test_upper_bound_is_above_any_completion(inputs) -> None:
    """left_upper is an upper bound: charging the unknown housing fund at any rate only lowers what is left."""
    base = take_home("beijing", 240_000, inputs, today=TODAY, rent_month=RENT)
    for rate in (0.05, 0.12):
        hf = 240_000 * rate
        taxable = max(0.0, base.taxable_income - hf)
        left = 240_000 - base.social_insurance - hf - T.iit_annual(taxable, inputs.national) - RENT * 12
        assert left <= base.left_upper


def test_owner_gets_no_rent_deduction_and_bad_input(inputs) -> None:
    r = take_home("beijing", 240_000, inputs, today=TODAY, owns_home=True, rent_month=0)
    assert r.deductions["housing_rent"] == 0
    with pytest.raises(ValueError, match="salary"):
        take_home("beijing", -1, inputs, today=TODAY)
    with pytest.raises(ValueError, match="salary"):
        take_home_for(Profile(), inputs, None)


def test_incentives_per_year_from_the_evaluation(inputs, settings) -> None:
    p = Profile(degree="master", age=25, annual_salary_cny=240_000, graduation_year=2026, origin="mainland")
    rows = take_home_for(p, inputs, settings)
    from dashboard.engine.evaluate import evaluate_city

    for r in rows:
        assert r.incentives_per_year == pytest.approx(evaluate_city(p, r.city, inputs, settings).total.expected / 5, abs=0.01)


def test_waterfall_and_table_both_languages(inputs) -> None:
    from dashboard.takehome_view import table, waterfall

    r = take_home("shenzhen", 240_000, inputs, today=TODAY, rent_month=RENT)
    for lang, unknown in (("en", "unknown"), ("zh", "未知")):
        fig = waterfall(r, lang, "Shenzhen")
        wf = fig.data[0]
        assert list(wf.measure) == ["absolute", "relative", "relative", "relative", "relative", "relative", "total"]
        assert wf.text[1] == unknown and wf.y[-1] == pytest.approx(r.left_upper)
        df = table([r], lang, {"shenzhen": "深圳"})
        assert len(df) == 1


def test_cli_takehome_json(tmp_path) -> None:
    p = tmp_path / "me.json"
    p.write_text(json.dumps({"degree": "master", "age": 25, "annual_salary_cny": 240000}), encoding="utf-8")
    out = subprocess.run([sys.executable, "-m", "dashboard", "takehome", "--profile", str(p), "--rent", "3000",
                          "--as-of", "2026-12-04", "--json"], cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr
    data = json.loads(out.stdout)
    row = next(c for c in data["cities"] if c["city"] == "beijing")
    for k in ("city", "gross", "social_insurance", "housing_fund", "deductions", "taxable_income", "iit", "rent",
              "incentives_per_year", "left"):
        assert k in row
    assert row["social_insurance"] == pytest.approx(25200) and row["iit"] == pytest.approx(11160)
    bad = subprocess.run([sys.executable, "-m", "dashboard", "takehome", "--profile", str(p), "--rent", "-5"],
                         cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert bad.returncode == 2 and bad.stderr.strip().count("\n") == 0 and "--rent" in bad.stderr
