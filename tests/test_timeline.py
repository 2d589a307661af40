"""The policy timeline: filters by city, level, topic, kind and years; the expiries that affect a profile
inside its horizon; date labels at the source's precision; the figure (lanes, shapes, the red ring) and its
PNG export through kaleido with Debian chromium."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest

from dashboard import timeline_chart as TC
from dashboard.engine import timeline as TL
from dashboard.engine.evaluate import evaluate_city
from dashboard.engine.profile import Profile, Settings
from dashboard.state import PROFILE_PRESETS
from tests.conftest import CHROMIUM, TODAY


@pytest.fixture(scope="module")
def events(catalog):
    return catalog.timeline.events


def ids(evs) -> set[str]:
    return {e.id for e in evs}


def test_city_filter_keeps_that_city_and_the_national_scheme(events) -> None:
    got = TL.select(events, cities=["chengdu"])
    assert "2017-chengdu-rongpiao" in ids(got) and "2025-k-visa-in-force" in ids(got)
    assert "2021-shenzhen-phd-subsidy" not in ids(got)
    assert "2019-gba-iit-policy" not in ids(got)  # national, but names Shenzhen only
    assert "2020-hainan-15pct" not in ids(got)     # another region: only with other=True
    assert "2020-hainan-15pct" in ids(TL.select(events, cities=["chengdu"], other=True))
    assert ids(TL.select(events, cities=["chengdu"], national=False)) <= {e.id for e in events if "chengdu" in e.cities}


def test_topic_kind_and_year_filters(events) -> None:
    got = TL.select(events, topics=["tax"], kinds=["expires"], years=(2027, 2031))
    assert ids(got) == {"2027-gba-iit-ends", "2027-foreigner-allowances-end"}
    assert all(e.date is not None for e in TL.select(events))
    pending = [e for e in TL.select(events, undated=True) if e.date is None]
    assert {e.kind for e in pending} == {"pending"} and len(pending) == 3
    dates = [e.date for e in TL.select(events)]
    assert dates == sorted(dates)


@pytest.mark.parametrize(("eid", "label"), [("2015-shanghai-12-measures", "2015-07"),
                                            ("2026-gba-window-ty2025", "2026"), ("2025-k-visa-in-force", "2025-10-01"),
                                            ("pending-k-visa-details", "")])
def test_date_label_keeps_the_precision(events, eid: str, label: str) -> None:
    assert TL.date_label(next(e for e in events if e.id == eid)) == label


def _results(preset: str, inputs, today: date = TODAY, **over: object) -> dict:
    prof = Profile(**{**PROFILE_PRESETS[preset], **over})
    st = Settings(today=today)
    return {c: evaluate_city(prof, c, inputs, st) for c in sorted(inputs.cities)}


def test_gba_expiry_is_highlighted_for_a_foreign_talent_within_the_horizon(events, inputs) -> None:
    hl = TL.affecting(events, _results("k_visa_talent", inputs), TODAY, 5)
    by_id = {h.event.id: h for h in hl}
    assert ("shenzhen", "sz-gba-iit-refund", "possible") in by_id["2027-gba-iit-ends"].hits
    assert "2025-hengqin-ends" not in by_id  # already past


def test_no_highlight_outside_the_horizon_or_for_an_ineligible_profile(events, inputs) -> None:
    assert "2027-gba-iit-ends" not in {h.event.id for h in TL.affecting(events, _results("k_visa_talent", inputs), TODAY, 1)}
    assert TL.horizon_end(TODAY, 1) == date(2026, 12, 31) and TL.horizon_end(TODAY, 2) == date(2027, 12, 31)
    assert "2027-gba-iit-ends" in {h.event.id for h in TL.affecting(events, _results("k_visa_talent", inputs), TODAY, 2)}
    mainland = TL.affecting(events, _results("graduate", inputs), TODAY, 5)
    assert "2027-gba-iit-ends" not in {h.event.id for h in mainland}


LABELS = {"title": "Policy timeline", "today": "today", "affects": "affects your results", "sources": "source(s)"}


def test_figure_has_lanes_shapes_and_the_red_ring(events) -> None:
    shown = TL.select(events, other=True)
    fig = TC.timeline_figure(shown, LABELS | {"lane.national": "National", "lane.shenzhen": "Shenzhen"}, lang="en",
                             today=TODAY, highlight=["2027-gba-iit-ends"])
    spec = json.loads(fig.to_json())
    markers = [t for t in spec["data"] if t.get("mode") == "markers" and t.get("x") and t["x"][0] is not None]
    assert sum(len(t["x"]) for t in markers) == len(shown)
    tax = next(t for t in markers if t["name"] == "tax")
    i = tax["text"].index("Scheduled end of the GBA IIT subsidy (Caishui [2023] No. 34)")
    assert tax["marker"]["line"]["width"][i] == 3 and tax["marker"]["line"]["color"][i] == TC.HIGHLIGHT
    assert tax["marker"]["symbol"][i] == "x"
    lanes = spec["layout"]["yaxis"]["categoryarray"]
    assert lanes[-1] == "National" and "hainan" in lanes  # an unlabelled lane falls back to its id
    assert any(a["text"] == "today" for a in spec["layout"]["annotations"])


def test_figure_in_chinese(events) -> None:
    fig = TC.timeline_figure(TL.select(events, cities=["shenzhen"]), {"lane.national": "国家", "lane.shenzhen": "深圳",
                             "topic.tax": "税收", "title": "政策时间线"}, lang="zh", today=TODAY)
    spec = json.loads(fig.to_json())
    assert spec["layout"]["title"]["text"] == "政策时间线"
    tax = next(t for t in spec["data"] if t.get("name") == "税收" and "text" in t)
    assert any("粤港澳大湾区" in x for x in tax["text"]) and set(tax["y"]) <= {"国家", "深圳", "guangdong"}


@pytest.mark.slow
@pytest.mark.skipif(not Path(CHROMIUM).exists(), reason="Debian chromium not installed (kaleido needs it)")
def test_png_export(events) -> None:
    fig = TC.timeline_figure(TL.select(events), LABELS, lang="en", today=TODAY, highlight=["2027-gba-iit-ends"])
    png = TC.to_png(fig, width=900, scale=1)
    assert png[:8] == b"\x89PNG\r\n\x1a\n" and len(png) > 20_000
