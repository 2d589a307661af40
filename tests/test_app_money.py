"""AppTest: "what you keep" on Explore and Compare and "whom each city wins" on Benchmark, in both languages."""

from __future__ import annotations

import json

import pytest
import streamlit as st
from streamlit.testing.v1 import AppTest

from tests.conftest import ROOT

APP = str(ROOT / "dashboard" / "app.py")


def _run(lang: str, page: str | None = None, **params: str) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=180)
    at.query_params["lang"] = lang
    for k, v in params.items():
        at.query_params[k] = v
    at.run()
    if page:
        at.switch_page(page).run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def _waterfalls(at: AppTest) -> list[dict]:
    out = []
    for c in at.get("plotly_chart"):
        fig = json.loads(c.proto.spec)
        if fig["data"] and fig["data"][0].get("type") == "waterfall":
            out.append(fig)
    return out


@pytest.mark.parametrize(("lang", "title", "left"), [("en", "What you keep each year", "Left"),
                                                      ("zh", "每年能留下多少", "结余")])
def test_explore_shows_a_waterfall_per_city(lang: str, title: str, left: str) -> None:
    at = _run(lang, salary="240000")
    assert any(title in s.value for s in at.subheader)
    figs = _waterfalls(at)
    assert len(figs) == 5
    assert all(left in f["data"][0]["x"][-1] for f in figs)


def test_explore_without_salary_says_what_is_missing() -> None:
    at = _run("en", salary="")
    assert any("Enter an expected annual salary" in i.value for i in at.info)


def test_compare_shows_the_waterfalls() -> None:
    at = _run("zh", page="screens/compare.py", salary="240000")
    assert len(_waterfalls(at)) >= 2


@pytest.mark.parametrize(("lang", "col"), [("en", "First for (official offer)"), ("zh", "排名第一比例（官方政策）")])
def test_benchmark_population_panel(monkeypatch, tmp_path, lang: str, col: str) -> None:
    monkeypatch.setenv("ATLAS_DB_PATH", str(tmp_path / "scenarios.sqlite3"))
    monkeypatch.delenv("ATLAS_DB_URL", raising=False)
    st.cache_resource.clear()
    at = _run(lang, page="screens/benchmark.py")
    at.toggle(key="pop_show").set_value(True).run()
    assert not at.exception, [e.value for e in at.exception]
    table = next(d.value for d in at.dataframe if col in d.value.columns)
    assert len(table) == 5
    shares = [float(x.rstrip("%")) for x in table[col]]
    assert sum(shares) == pytest.approx(100, abs=0.3)
    at.selectbox(key="pop_add_city").set_value("chengdu")
    at.number_input(key="pop_add_amt").set_value(50000).run()
    assert not at.exception, [e.value for e in at.exception]
    moves = [m.value for m in at.markdown if "→" in m.value]
    assert moves, "an added offer lists the largest changes"
