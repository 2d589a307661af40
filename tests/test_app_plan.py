"""AppTest (no browser) for the Plan and Timeline pages and the 'how to get it' hook on Explore: what they show
matches the deadline and timeline engines for the same profile and dates."""

from __future__ import annotations

import json
from datetime import date

import pytest
from streamlit.testing.v1 import AppTest

from dashboard.engine import timeline as TL
from dashboard.engine.deadlines import build_plan
from dashboard.engine.evaluate import evaluate_city
from dashboard.engine.profile import Profile, Settings
from dashboard.state import PROFILE_PRESETS
from tests.conftest import ROOT

APP = str(ROOT / "dashboard" / "app.py")
DATES = {"graduation_date": date(2025, 6, 30), "arrival_date": date(2027, 1, 10), "work_start_date": date(2027, 2, 1)}


def run(params: dict[str, str], page: str) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=180)
    for k, v in params.items():
        at.query_params[k] = v
    at.run()
    at.switch_page(page).run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def item_heads(at: AppTest) -> list[str]:
    return [e.label.split(" · ")[0].split(". ", 1)[1] for e in at.expander if e.label[:1].isdigit()]


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_plan_page_matches_the_engine_with_dates(catalog, inputs, lang: str) -> None:
    at = run({"preset": "k_visa_talent", "lang": lang}, "screens/plan.py")
    at.selectbox(key="plan_city").set_value("hangzhou").run()
    for key, field in (("plan_w_grad", "graduation_date"), ("plan_w_arrival", "arrival_date"),
                       ("plan_w_work", "work_start_date")):
        at.date_input(key=key).set_value(DATES[field]).run()
    assert not at.exception, [e.value for e in at.exception]
    prof = Profile(**PROFILE_PRESETS["k_visa_talent"], **DATES)
    settings = Settings()
    plan = build_plan(prof, "hangzhou", inputs, settings, catalog.procedures,
                      result=evaluate_city(Profile(**PROFILE_PRESETS["k_visa_talent"]), "hangzhou", inputs, settings))
    names = [i.name_zh if lang == "zh" else i.name_en for i in plan.items]
    assert item_heads(at) == names
    table = at.dataframe[0].value
    assert list(table.iloc[:, 0]) == [d.isoformat() for d, _, _ in plan.dated(upcoming_only=True)]
    assert "2027-02-09" in set(table.iloc[:, 0])  # residence permit: arrival + 30 days
    assert at.title[0].value == ("个人申请计划：如何申请" if lang == "zh" else "Your plan: how to get it")
    assert len(at.get("download_button")) == 2
    # the dates travel with the profile: Explore's detail now shows the personal dates
    assert at.session_state["p_work_start_date"] == DATES["work_start_date"]


def test_plan_page_without_dates_says_what_it_needs() -> None:
    at = run({"preset": "graduate"}, "screens/plan.py")
    at.selectbox(key="plan_city").set_value("hangzhou").run()
    info = " ".join(i.value for i in at.info)
    assert "Work start date" in info


def test_plan_shows_a_missed_window_with_its_reason() -> None:
    at = run({"preset": "graduate"}, "screens/plan.py")
    at.selectbox(key="plan_city").set_value("beijing").run()
    at.date_input(key="plan_w_grad").set_value(date(2026, 6, 30)).run()
    at.date_input(key="plan_w_work").set_value(date(2028, 7, 1)).run()
    errors = " ".join(e.value for e in at.error).replace("\\", "")  # shown Markdown-escaped
    assert "Missed" in errors and "2028-07-01" in errors and "2028-06-30" in errors


def test_timeline_page_highlights_what_affects_the_profile(inputs, catalog) -> None:
    at = run({"preset": "k_visa_talent"}, "screens/timeline.py")
    warnings = " ".join(w.value for w in at.warning)
    assert "2027-12-31" in warnings and "GBA IIT subsidy" in warnings
    fig = json.loads(at.get("plotly_chart")[0].proto.spec)
    shown = TL.select(catalog.timeline.events, cities=sorted(inputs.cities))
    assert sum(len(t["x"]) for t in fig["data"] if t.get("mode") == "markers" and t.get("text")) == len(shown)
    rings = [w for t in fig["data"] if t.get("text") for w in t["marker"]["line"]["width"]]
    assert rings.count(3) >= 1
    at.multiselect(key="tl_cities").set_value(["chengdu"]).run()
    fig = json.loads(at.get("plotly_chart")[0].proto.spec)
    texts = [x for t in fig["data"] if t.get("text") for x in t["text"]]
    assert any("Rongpiao" in x for x in texts) and not any("Shenzhen" in x for x in texts)


def test_timeline_page_in_chinese() -> None:
    at = run({"preset": "graduate", "lang": "zh"}, "screens/timeline.py")
    assert at.title[0].value == "政策时间线"
    assert json.loads(at.get("plotly_chart")[0].proto.spec)["layout"]["title"]["text"] == "政策时间线：国家层面与各城市"


def test_explore_detail_shows_how_to_get_it(catalog) -> None:
    from dashboard.catalog import procedures as P
    from dashboard.views import esc

    at = run({"preset": "phd_researcher"}, "screens/explore.py")
    at.session_state["ex_details"] = True  # the city-by-city lists are built only when opened
    for city in catalog.cities.values():  # incentive details are lazy: open every expander (one rerun)
        for inc in city.incentives:
            at.session_state[f"inc_{city.city}_{inc.id}"] = True
    at.run()
    heads = [m.value for m in at.markdown if m.value.startswith("##### ")]
    assert "##### How to get it" in heads
    shown = {m.value for m in at.markdown}
    timings = {f"**When**: {esc(f.procedure.timing_en)}" for f in P.by_id(catalog.procedures).values()}
    assert shown & timings  # a procedure's own text, Markdown-escaped
