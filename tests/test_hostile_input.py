"""Hostile input through every way in: URL parameters (random, huge, wrong types, script tags), profile
values at and beyond their limits, and names with HTML, JavaScript or formulas in the data (escaped in
pages, hover text and tables)."""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import pytest
import streamlit as st
from hypothesis import given, settings
from hypothesis import strategies as hs
from streamlit.testing.v1 import AppTest

from dashboard import state as STATE
from dashboard.catalog import loader
from dashboard.engine.profile import ProfileError, parse_profile
from tests.conftest import ROOT

APP = str(ROOT / "dashboard" / "app.py")
CITIES = ["beijing", "chengdu", "hangzhou", "shanghai", "shenzhen"]
SCRIPT = "<script>alert(1)</script>"
IMG = '<img src=x onerror="alert(2)">'
FORMULA = '=HYPERLINK("http://evil.example","x")'


@settings(max_examples=300, deadline=None)
@given(params=hs.dictionaries(hs.text(max_size=30), hs.one_of(hs.text(max_size=400), hs.lists(hs.text(max_size=50),
                                                                                                max_size=3)), max_size=12))
def test_decode_never_raises_and_keeps_only_valid_values(params: dict) -> None:
    vs = STATE.decode(params, CITIES)
    parse_profile(STATE.full_profile(vs))  # whatever survives is a valid profile
    for key, value, _why in vs.notices:
        assert len(key) <= 40 and len(value) <= 40  # notices never echo huge input back


@pytest.mark.parametrize("value", [SCRIPT, IMG, "9" * 10_000, "1e309", "-1", "null", "[]", "{}", "\x00", "０"])
def test_profile_params_at_and_beyond_limits(value: str) -> None:
    for key in ("age", "salary", "hsk", "kids", "rank", "months", "horizon", "rate", "grad_date"):
        vs = STATE.decode({key: value}, CITIES)
        assert vs.notices and STATE.full_profile(vs) == STATE.full_profile(STATE.ViewState())


@pytest.mark.parametrize(("field", "ok", "bad"), [
    ("age", [16, 80], [15, 81]), ("hsk_level", [0, 9], [-1, 10]), ("months_in_china_per_year", [0, 12], [-0.1, 12.1]),
    ("horizon_years", [1, 30], [0, 31]), ("discount_rate", [0, 0.5], [-0.01, 0.51]), ("children", [0, 10], [-1, 11]),
    ("university_rank", [1, 5000], [0, 5001]), ("annual_salary_cny", [0, 1e9], [-1, 1e9 + 1]),
])
def test_profile_limits_are_inclusive_edges(field: str, ok: list, bad: list) -> None:
    for v in ok:
        parse_profile({field: v})
    for v in bad:
        with pytest.raises(ProfileError) as e:
            parse_profile({field: v})
        assert e.value.problems[0].startswith(f"{field}: ")


def _hostile_city(data: Path) -> None:
    f = data / "cities" / "chengdu.yaml"
    text = f.read_text(encoding="utf-8")
    hostile = f"'Chengdu {SCRIPT}'"
    text = text.replace("name_en: Chengdu\n", f"name_en: {hostile}\n")  # the city and every city-wide scope
    text = text.replace("name_en: Chengdu,", f"name_en: {hostile},").replace("name_en: Chengdu}", f"name_en: {hostile}}}")
    text = text.replace("name_zh: 成都\n", f"name_zh: '成都{IMG}'\n", 1)
    # the first incentive's English name becomes a formula plus markup
    text = re.sub(r"(\n  - id: [^\n]+\n(?:    [^\n]*\n)*?    name_en: )([^\n]+)", lambda m: m.group(1) + json.dumps(
        FORMULA + " " + SCRIPT + " [click](javascript:alert(3))"), text, count=1)
    f.write_text(text, encoding="utf-8")


@pytest.fixture
def hostile_data(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    dst = tmp_path / "data"
    shutil.copytree(ROOT / "data", dst)
    _hostile_city(dst)
    monkeypatch.setattr(loader, "DATA_DIR", dst)
    st.cache_resource.clear()
    yield dst
    st.cache_resource.clear()


def _texts(at: AppTest) -> list[str]:
    out = []
    for kind in ("markdown", "caption", "title", "subheader", "warning", "info", "error"):
        out += [e.value for e in getattr(at, kind)]
    return out


def test_names_with_markup_are_escaped_everywhere(hostile_data: Path) -> None:
    assert loader.load_catalog().cities["chengdu"].name_en.endswith(SCRIPT)  # the hostile data really loads
    at = AppTest.from_file(APP, default_timeout=180)
    at.query_params["preset"] = "graduate"
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    for text in _texts(at):
        # raw tags never reach Markdown unescaped (Streamlit would strip or render them)
        assert "<script>" not in text.replace("\\<script\\>", ""), text[:200]
        assert "](javascript:" not in text
    # plotly renders hover and labels as HTML: the map's text must carry escaped entities only
    fig = json.loads(at.get("plotly_chart")[0].proto.spec)
    blob = json.dumps(fig, ensure_ascii=False)
    assert "<script>" not in blob and "onerror=\"" not in blob
    assert "&lt;script&gt;" in blob  # the name is still shown, as text
    # tables hold the text as data (the grid renders it as text, never as markup)
    at.switch_page("screens/sources.py").run()
    df = at.dataframe[0].value
    assert df["city"].str.contains("<script>", regex=False).any()


def test_url_script_tags_shown_as_text() -> None:
    st.cache_resource.clear()
    at = AppTest.from_file(APP, default_timeout=180)
    at.query_params[SCRIPT] = IMG
    at.query_params["age"] = SCRIPT
    at.run()
    assert not at.exception
    notices = " ".join(w.value for w in at.warning)
    assert "Ignored link parameter" in notices
    assert "<script>" not in notices.replace("\\<script\\>", "") and "<img" not in notices.replace("\\<img", "")
