"""Golden plans: the five presets in Shenzhen and Hangzhou, with fixed personal dates, as of 2026-11-23.
Reviewed by hand when recorded (dates recomputed on paper: instalments from the work start, closing days from
graduation and arrival, the 91-day tax-year test, the Hangzhou deadline conflict). A change to the procedure
data or the deadline engine that moves any of them fails here until the new output is reviewed and
re-recorded with ``UPDATE_GOLDEN=1 pytest tests/test_plan_golden.py``."""

from __future__ import annotations

import json
import os
from datetime import date
from pathlib import Path

import pytest

from dashboard.engine import score as SC
from dashboard.engine.deadlines import build_plan, plan_dict
from dashboard.engine.profile import Profile
from dashboard.state import PROFILE_PRESETS

GOLDEN = Path(__file__).with_name("golden") / "plans"
D = date.fromisoformat

# Each preset's dates, consistent with its graduation year and years since return.
DATES = {
    "graduate": {"graduation_date": D("2026-06-30"), "arrival_date": D("2026-08-20"), "work_start_date": D("2026-09-01")},
    "phd_researcher": {"graduation_date": D("2026-06-15"), "arrival_date": D("2026-09-01"),
                       "work_start_date": D("2026-10-08")},
    "founder": {"graduation_date": D("2022-06-30"), "arrival_date": D("2025-11-01"), "work_start_date": D("2025-12-01")},
    "family_mover": {"graduation_date": D("2018-07-01"), "arrival_date": D("2027-02-15"),
                     "work_start_date": D("2027-03-01")},
    "k_visa_talent": {"graduation_date": D("2025-06-30"), "arrival_date": D("2027-01-10"),
                      "work_start_date": D("2027-02-01")},
}
CITIES = ("shenzhen", "hangzhou")


def plan_for(preset: str, city: str, catalog, inputs, settings):
    prof = Profile(**PROFILE_PRESETS[preset], **DATES[preset])
    return build_plan(prof, city, inputs, settings, catalog.procedures)


@pytest.mark.parametrize("city", CITIES)
@pytest.mark.parametrize("preset", list(SC.PRESETS))
def test_golden_plan(preset: str, city: str, catalog, inputs, settings) -> None:
    got = plan_dict(plan_for(preset, city, catalog, inputs, settings))
    path = GOLDEN / f"{preset}-{city}.json"
    if os.environ.get("UPDATE_GOLDEN"):
        GOLDEN.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(got, ensure_ascii=False, indent=1, sort_keys=True) + "\n", encoding="utf-8")
    want = json.loads(path.read_text(encoding="utf-8"))
    assert [i["key"] for i in got["items"]] == [i["key"] for i in want["items"]]
    assert got == want


def test_reviewed_facts(catalog, inputs, settings) -> None:
    """The hand-checked numbers, stated once more so a re-recording cannot silently change them."""
    sz = plan_for("phd_researcher", "shenzhen", catalog, inputs, settings)
    phd = next(i for i in sz.items if i.key == "sz-new-phd-subsidy-application")
    assert [(p.date, p.amount) for p in phd.payments] == [(D("2027-01-08"), 30000), (D("2027-10-08"), 70000)]
    gba = next(i for i in sz.items if i.key == "sz-gba-iit-application")
    assert any("tax year 2026: 85 days" in n for n in gba.notes_en)  # 8 Oct to 31 Dec: 85 days, under 91
    hz = plan_for("graduate", "hangzhou", catalog, inputs, settings)
    allowance = next(i for i in hz.items if i.key == "hz-living-allowance-application")
    assert [p.date for p in allowance.payments] == [D("2027-03-01"), D("2027-09-01")]
    assert [p.amount for p in allowance.payments] == [15000, 15000]  # master's: 30,000 in two halves
    assert allowance.conflicts and allowance.closes is not None and allowance.closes.date == D("2028-06-30")
    kv = plan_for("k_visa_talent", "hangzhou", catalog, inputs, settings)
    assert [i.key for i in kv.items][:2] == ["k-visa-application", "work-permit-application"]
    wp = kv.items[1]
    assert {d.date for d in wp.dates if d.kind == "step"} == {D("2027-01-25"), D("2027-02-09")}
    founder = plan_for("founder", "hangzhou", catalog, inputs, settings)
    fa = next(i for i in founder.items if i.key == "hz-living-allowance-application")
    assert fa.payments[0].passed and not fa.payments[1].passed  # first half reached 2026-06-01, second 2026-12-01
