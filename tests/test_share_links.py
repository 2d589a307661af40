"""Share links reopen what was on screen (issue 11): every page's own state - the Plan's city and dates, the
Benchmark's home city, map archetype and cost category, the Brief's subject, home city and title - is in the
address, written in the run that changed it; a bad value is ignored with a notice. Also: a city's plan never
shows another city's office. AppTest, no browser."""

from __future__ import annotations

from datetime import date

import pytest
from streamlit.testing.v1 import AppTest

from tests.conftest import ROOT

APP = str(ROOT / "dashboard" / "app.py")


def qp(at: AppTest, key: str) -> str | None:
    v = at.query_params.get(key)
    return v[-1] if isinstance(v, list) and v else v


def open_page(page: str, **params: str) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=180)
    for k, v in params.items():
        at.query_params[k] = v
    at.run()
    at.switch_page(page).run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def text(at: AppTest) -> str:
    return "\n".join(str(m.value) for m in at.markdown)


def test_plan_link_reopens_its_city_and_dates() -> None:
    at = open_page("screens/plan.py", preset="k_visa_talent", pcity="shanghai", arrive="2027-03-01")
    assert at.selectbox(key="plan_city").value == "shanghai"
    assert at.date_input(key="plan_w_arrival").value == date(2027, 3, 1)
    assert qp(at, "pcity") == "shanghai"
    at.date_input(key="plan_w_work").set_value(date(2027, 4, 1)).run()
    assert qp(at, "start") == "2027-04-01"  # written in the run that committed it, not one run later
    assert qp(at, "arrive") == "2027-03-01"
    at.selectbox(key="plan_city").set_value("chengdu").run()
    assert qp(at, "pcity") == "chengdu" and qp(at, "preset") == "k_visa_talent"


def test_a_bad_plan_city_gives_a_notice() -> None:
    at = open_page("screens/plan.py", pcity="atlantis")
    assert any("pcity" in w.value for w in at.warning)
    assert at.selectbox(key="plan_city").value != "atlantis"


@pytest.mark.parametrize("city, shows", [("shanghai", False), ("shenzhen", True)])
def test_a_city_plan_never_lists_another_city_office(city: str, shows: bool) -> None:
    at = open_page("screens/plan.py", preset="k_visa_talent", pcity=city)
    assert ("Shenzhen example" in text(at)) is shows


def test_benchmark_link_reopens_home_archetype_and_category() -> None:
    at = open_page("screens/benchmark.py", home="beijing", bcat="housing")
    assert at.selectbox(key="bench_home").value == "beijing"
    assert at.selectbox(key="bench_cost_cat").value == "housing"
    arch = at.selectbox(key="bench_map_arch").options
    assert len(arch) >= 2
    at.selectbox(key="bench_home").set_value("shanghai").run()
    assert qp(at, "home") == "shanghai" and qp(at, "bcat") == "housing"


def test_brief_link_reopens_home_and_title() -> None:
    at = open_page("screens/brief.py", bhome="shanghai", bname="Board meeting")
    assert at.selectbox(key="brief_home").value == "shanghai"
    assert at.text_input(key="brief_name").value == "Board meeting"
    assert qp(at, "bhome") == "shanghai" and qp(at, "bname") == "Board meeting"
