"""Plan exports: the .ics parses with the icalendar library and holds exactly the plan's upcoming dates (with
reminders on deadlines); the PDF checklist renders to non-blank pages in English and Chinese (pdftoppm) and
its text carries the plan's dates and names."""

from __future__ import annotations

import shutil
import subprocess
from datetime import date, timedelta
from pathlib import Path

import pytest
from icalendar import Calendar

from dashboard import plan_exports as X
from dashboard.engine.deadlines import build_plan
from dashboard.engine.profile import Profile
from dashboard.state import PROFILE_PRESETS
from tests.test_plan_golden import DATES


@pytest.fixture(scope="module")
def plan_and_profile(catalog, inputs, settings):
    prof = Profile(**PROFILE_PRESETS["k_visa_talent"], **DATES["k_visa_talent"])
    return build_plan(prof, "hangzhou", inputs, settings, catalog.procedures), prof


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_ics_parses_and_holds_the_upcoming_dates(plan_and_profile, catalog, lang: str) -> None:
    plan, _ = plan_and_profile
    cal = Calendar.from_ical(X.plan_ics(plan, lang, city_name="Hangzhou", res=catalog))
    events = list(cal.walk("VEVENT"))
    want = plan.dated(upcoming_only=True)
    assert len(events) == len(want) > 0
    got = sorted((e.decoded("dtstart"), str(e.get("summary"))) for e in events)
    assert got == sorted((d, X.event_summary(it, dd, lang)) for d, it, dd in want)
    for e in events:
        start, end = e.decoded("dtstart"), e.decoded("dtend")
        assert type(start) is date and end - start == timedelta(days=1)  # all-day
        assert start >= plan.today
    assert len({str(e.get("uid")) for e in events}) == len(events)
    by_day = {e.decoded("dtstart"): e for e in events}
    rp = by_day[date(2027, 2, 9)]  # residence permit: arrival 2027-01-10 + 30 days
    alarms = list(rp.walk("VALARM"))
    assert len(alarms) == 1 and alarms[0].decoded("trigger") == timedelta(days=-7)
    first_half = by_day[date(2027, 8, 1)]  # allowance: work start 2027-02-01 + 6 months; not a deadline
    assert not list(first_half.walk("VALARM"))
    assert ("RMB 5,000" if lang == "en" else "5,000元") in str(first_half.get("description"))  # bachelor's 10,000 / 2
    assert "http" in str(first_half.get("description"))  # the source's address travels with the date
    if lang == "zh":
        assert "居留许可" in str(rp.get("summary"))
    else:
        assert "residence permit" in str(rp.get("summary"))


def test_ics_uids_are_stable_across_runs(plan_and_profile, catalog) -> None:
    plan, _ = plan_and_profile
    a = Calendar.from_ical(X.plan_ics(plan, "en", city_name="Hangzhou", res=catalog))
    b = Calendar.from_ical(X.plan_ics(plan, "en", city_name="Hangzhou", res=catalog))
    assert [str(e.get("uid")) for e in a.walk("VEVENT")] == [str(e.get("uid")) for e in b.walk("VEVENT")]


def test_cjk_runs_are_wrapped_in_the_cjk_font() -> None:
    out = X.markup("Apply on 亲清在线 <now> & then")
    assert out.count("<font") == 1 and "亲清在线</font>" in out
    assert "&lt;now&gt; &amp; then" in out


needs_poppler = pytest.mark.skipif(not shutil.which("pdftoppm"), reason="poppler-utils not installed")


@needs_poppler
@pytest.mark.parametrize(("lang", "title", "phrase"), [("en", "Your plan: Hangzhou", "Everything in date order"),
                                                        ("zh", "个人申请计划：杭州", "按日期排列")])
def test_pdf_renders_non_blank_pages(plan_and_profile, catalog, tmp_path: Path, lang: str, title: str,
                                     phrase: str) -> None:
    from PIL import Image

    plan, prof = plan_and_profile
    pdf = tmp_path / f"plan-{lang}.pdf"
    pdf.write_bytes(X.plan_pdf(plan, lang, city_name="Hangzhou" if lang == "en" else "杭州", profile=prof, res=catalog))
    subprocess.run(["pdftoppm", "-r", "40", "-png", str(pdf), str(tmp_path / "page")], check=True, timeout=60)
    pages = sorted(tmp_path.glob("page-*.png"))
    assert len(pages) >= 2
    for page in pages:
        img = Image.open(page).convert("L")
        dark = sum(img.histogram()[:200])
        assert dark > 0.005 * img.width * img.height, f"{page.name} looks blank"
    text = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
    flat = text.replace("\n", " ")
    assert title in text and phrase in text
    assert "2027-02-09" in text and "2027-08-01" in text
    if lang == "zh":
        assert "居留许可" in flat
        fonts = subprocess.run(["pdffonts", str(pdf)], capture_output=True, text=True, check=True).stdout
        assert "STSong-Light" in fonts
