"""AppTest (no browser): every page runs, and what it shows matches the engine for the same profile."""

from __future__ import annotations

import json

import pytest
from streamlit.testing.v1 import AppTest

from dashboard import state as STATE
from dashboard.engine import score as SC
from dashboard.engine.profile import Profile, Settings
from dashboard.engine.rank import rank_cities
from tests.conftest import ROOT

APP = str(ROOT / "dashboard" / "app.py")


def run(params: dict[str, str] | None = None, page: str | None = None) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=120)
    for k, v in (params or {}).items():
        at.query_params[k] = v
    at.run()
    if page:
        at.switch_page(page).run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def card_cities(at: AppTest) -> list[str]:
    """City names on the ranking cards ('### 1. Shenzhen'), in order."""
    out = []
    for m in at.markdown:
        v = m.value
        if v.startswith("### ") and v[4:5].isdigit():
            out.append(v.split(". ", 1)[1].replace("\\", ""))
    return out


def engine_order(inputs, preset: str, lang: str = "en", **over: object) -> list[str]:
    prof = Profile(**{**STATE.PROFILE_PRESETS[preset], **over})
    rk = rank_cities(prof, inputs, Settings(), preset=preset, draws=0)
    return [getattr(inputs.cities[r.city], f"name_{lang}") for r in rk.rows]


@pytest.mark.parametrize("preset", list(SC.PRESETS))
def test_explore_cards_match_engine_for_each_preset(inputs, preset: str) -> None:
    at = run({"preset": preset})
    assert card_cities(at) == engine_order(inputs, preset)


def test_changing_a_widget_reranks_like_the_engine(inputs) -> None:
    at = run({"preset": "graduate"})
    at.selectbox(key="p_degree").set_value("phd").run()
    at.number_input(key="p_age").set_value(30).run()
    assert not at.exception
    assert card_cities(at) == engine_order(inputs, "graduate", degree="phd", age=30)
    # and the URL now carries the change, so it can be shared
    assert at.query_params["degree"] == ["phd"] or at.query_params["degree"] == "phd"


def test_chinese_everywhere_on_explore(inputs) -> None:
    at = run({"lang": "zh", "preset": "k_visa_talent"})
    assert "去哪座城市" in at.title[0].value
    assert card_cities(at) == engine_order(inputs, "k_visa_talent", lang="zh")
    fig = json.loads(at.get("plotly_chart")[0].proto.spec)
    text = json.dumps(fig, ensure_ascii=False)
    assert "示意图" in text and "排名" in text


def test_map_is_offline_and_has_city_markers() -> None:
    at = run()
    chart = at.get("plotly_chart")[0]
    assert json.loads(chart.proto.config)["topojsonURL"] == "app/static/topo/"
    fig = json.loads(chart.proto.spec)
    assert {t["type"] for t in fig["data"]} == {"scattergeo"}
    assert "cdn.plot.ly" not in chart.proto.spec


def test_bad_url_parameters_give_a_notice_not_a_crash() -> None:
    at = run({"age": "abc", "degree": "wizard", "w": "money:-5", "zzz": "<b>x</b>"})
    warnings = " ".join(w.value for w in at.warning)
    assert "age" in warnings and "degree" in warnings and "zzz" in warnings


def test_url_weights_are_applied(inputs) -> None:
    at = run({"w": "money:0,housing:0,status:100,startup:0,industry:0,market:0"})
    assert at.slider(key="w_status").value == 100
    assert at.slider(key="w_money").value == 0


def test_sources_page_lists_the_catalog(catalog) -> None:
    at = run(page="screens/sources.py")
    df = at.dataframe[0].value
    live = sum(1 for c in catalog.cities.values() for i in c.incentives if i.status != "expired")
    assert len(df) == live
    assert df["source_url"].notna().mean() > 0.9


def test_compare_and_method_pages_run(inputs) -> None:
    at = run({"preset": "founder"}, page="screens/compare.py")
    assert at.dataframe[0].value.shape[1] >= 3
    at = run({"preset": "founder"}, page="screens/method.py")
    order = engine_order(inputs, "founder")
    norm = at.dataframe[3].value
    assert list(norm.iloc[:, 0]) == order
