"""Hostile input through every way in: URL parameters (random, huge, wrong types, tags), profile values at and
beyond their limits (URL and command line), and catalog text carrying HTML, JavaScript, Markdown links and
spreadsheet formulas (a city file is also what an upload is).

What must hold: nothing raises; a bad value becomes a visible notice; text is escaped wherever it is rendered
as Markdown (pages, labels) or as plotly's HTML subset (hovers, legends, axis labels); tables hold it as
plain text; no page uses ``unsafe_allow_html`` with data or user text.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import streamlit as st
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as hs
from streamlit.testing.v1 import AppTest

from dashboard import state as STATE
from dashboard.engine.profile import Profile
from tests.conftest import ROOT

APP = str(ROOT / "dashboard" / "app.py")
CITIES = ["beijing", "chengdu", "hangzhou", "shanghai", "shenzhen"]
SCRIPT = "<script>alert(1)</script>"
LINK = '<a href="http://evil.example/">x</a>'
MD = "[click](javascript:alert(1)) ![i](http://evil.example/p.png)"
FORMULA = '=HYPERLINK("http://evil.example","x")'
EVIL_URL = "https://example.org/a)![x](http://evil.example/p.png"
# A raw tag or a live Markdown link/image to the evil host, not preceded by Markdown's escape backslash.
RAW = re.compile(r"(?<!\\)<(script|a |img)|(?<!\\)!\[|(?<!\\)\]\((javascript:|http://evil)")

HOSTILE_URLS: list[dict[str, str]] = [
    {"<script>": "1"},
    {"age": SCRIPT},
    {"lang": '<img src=x onerror="alert(1)">'},
    {"cities": "beijing,<b>x</b>,shenzhen"},
    {"w": "money:<script>,housing:1e999"},
    {"preset": "x" * 5000},
    {"salary": "nan"}, {"salary": "inf"}, {"salary": "-1"}, {"age": "1e309"}, {"age": "30.5"},
    {"hsk": "10"}, {"horizon": "0"}, {"rate": "0.51"}, {"abroad": "maybe"}, {"kids": "-1"},
    {"degree": MD}, {"field": FORMULA}, {"origin": LINK},
]


# --- the URL codec ---------------------------------------------------------------------------------------

TEXT = hs.text(alphabet=hs.characters(codec="utf-8"), max_size=300)
KEYS = hs.sampled_from([*STATE.PROFILE_KEYS, "lang", "preset", "w", "cities"]) | TEXT


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(hs.dictionaries(KEYS, TEXT | hs.lists(TEXT, max_size=3), max_size=8))
def test_decode_never_raises_and_reports_what_it_drops(params: dict[str, Any]) -> None:
    vs = STATE.decode(params, CITIES)
    Profile.model_validate(vs.profile)  # what it keeps is a valid profile
    assert vs.lang in ("en", "zh")
    for key, value, why in vs.notices:
        assert len(key) <= 40 and len(value) <= 40 and why  # notices are short, whatever came in
    flagged = {k for k, _, _ in vs.notices}
    for key, value in params.items():
        raw = str((value[-1] if value else "") if isinstance(value, list) else value)
        if len(raw) > STATE.MAX_PARAM_LEN:
            assert key[:40] in flagged  # huge values are dropped with a notice, never parsed
        elif key not in (*STATE.PROFILE_KEYS, *STATE.PAGE_KEYS, "lang", "preset", "w", "cities"):  # page keys: page_url
            assert key[:40] in flagged


@settings(max_examples=200, deadline=None)
@given(hs.fixed_dictionaries({}, optional={
    "age": hs.integers(16, 80), "hsk_level": hs.integers(0, 9), "annual_salary_cny": hs.floats(0, 1e9),
    "degree": hs.sampled_from(["none", "bachelor", "master", "phd", "postdoc"]), "spouse": hs.booleans()}))
def test_encode_decode_round_trip(profile: dict[str, Any]) -> None:
    vs = STATE.ViewState(profile=profile)
    back = STATE.decode(STATE.encode(vs), CITIES)
    assert back.notices == []
    # links carry what differs from the preset; the preset fills in the rest
    base = {**Profile().model_dump(), **STATE.PROFILE_PRESETS[back.preset]}
    got = {**base, **back.profile}
    for k, v in profile.items():
        assert got[k] == pytest.approx(v, rel=1e-5) if isinstance(v, float) else got[k] == v


def _limits() -> list[tuple[str, float, float, bool]]:
    """(url key, lowest, highest, integer) for every bounded profile field, from the profile's own schema."""
    props = Profile.model_json_schema()["properties"]
    out = []
    for key, fname in STATE.PROFILE_KEYS.items():
        spec = next((x for x in props[fname].get("anyOf", [props[fname]]) if "minimum" in x), None)
        if spec:
            out.append((key, spec["minimum"], spec["maximum"], spec["type"] == "integer"))
    return out


@pytest.mark.parametrize(("key", "lo", "hi", "integer"), _limits())
def test_url_profile_values_at_and_beyond_limits(key: str, lo: float, hi: float, integer: bool) -> None:
    step = 1 if integer else max(0.01, (hi - lo) / 1000)
    fmt = (lambda x: str(int(x))) if integer else (lambda x: f"{x:g}")
    for ok in (lo, hi):
        assert STATE.decode({key: fmt(ok)}, CITIES).notices == [], (key, ok)
    for bad in (lo - step, hi + step):
        vs = STATE.decode({key: fmt(bad)}, CITIES)
        assert [n[0] for n in vs.notices] == [key], (key, bad)
        assert STATE.PROFILE_KEYS[key] not in vs.profile


# --- the command line --------------------------------------------------------------------------------------


def _cli(tmp_path: Path, profile: dict[str, Any]) -> subprocess.CompletedProcess[str]:
    f = tmp_path / "me.json"
    f.write_text(json.dumps(profile), encoding="utf-8")
    return subprocess.run([sys.executable, "-m", "dashboard", "rank", "--profile", str(f)], cwd=ROOT,
                          capture_output=True, text=True, timeout=120)


def test_cli_profile_beyond_limits_one_line_per_field(tmp_path: Path) -> None:
    bad = {"age": 81, "hsk_level": -1, "horizon_years": 31, "discount_rate": 0.6, "degree": SCRIPT}
    out = _cli(tmp_path, bad)
    assert out.returncode == 2
    lines = [x for x in (out.stdout + out.stderr).splitlines() if x.strip()]
    assert sorted(x.split(": ")[1] for x in lines) == sorted(bad), lines
    assert all(x.startswith(str(tmp_path / "me.json")) for x in lines)


def test_cli_profile_at_limits_ranks(tmp_path: Path) -> None:
    props = Profile.model_json_schema()["properties"]
    for edge in ("minimum", "maximum"):
        prof = {}
        for fname, p in props.items():
            spec = next((x for x in p.get("anyOf", [p]) if edge in x), None)
            if spec:
                prof[fname] = spec[edge]
        out = _cli(tmp_path, prof)
        assert out.returncode == 0, (edge, out.stdout[-500:], out.stderr[-500:])


# --- pages: URL parameters ------------------------------------------------------------------------------------


def _texts(at: AppTest) -> Iterator[tuple[str, str]]:
    """Every string the page renders as Markdown: bodies, captions, headings, alerts, and widget, expander and
    tab labels."""
    for kind in ("markdown", "caption", "title", "header", "subheader", "warning", "info", "error", "success"):
        for e in getattr(at, kind):
            yield kind, str(e.value)
    for e in at.expander:
        yield "expander", str(e.label)
    for e in at.tabs:
        yield "tab", str(e.label)
    for kind in ("selectbox", "multiselect", "number_input", "slider", "button_group"):
        for e in at.get(kind):
            yield kind, str(getattr(e, "label", ""))


def _plotly_strings(at: AppTest) -> Iterator[str]:
    def walk(x: Any) -> Iterator[str]:
        if isinstance(x, str):
            yield x
        elif isinstance(x, dict):
            for k, v in x.items():
                if k not in ("hovertemplate", "bdata"):  # templates hold plotly's own <extra> tags
                    yield from walk(v)
        elif isinstance(x, list):
            for v in x:
                yield from walk(v)

    for chart in at.get("plotly_chart"):
        yield from walk(json.loads(chart.proto.spec))


def run(params: dict[str, str] | None = None, page: str | None = None) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=120)
    for k, v in (params or {}).items():
        at.query_params[k] = v
    at.run()
    if page:
        at.switch_page(page).run()
    assert not at.exception, [e.value for e in at.exception]
    return at


@pytest.mark.parametrize("params", HOSTILE_URLS, ids=lambda p: next(iter(p))[:12])
def test_hostile_url_parameters_become_escaped_notices(params: dict[str, str]) -> None:
    at = run(params)
    notices = [w.value for w in at.sidebar.warning]
    assert notices, "a bad parameter must be reported"
    for kind, text in _texts(at):
        assert not RAW.search(text), (kind, text[:200])
    # the page still renders its ranking: answer rows ('### 1. Shenzhen'), one per city the link kept
    assert [m for m in at.markdown if m.value.startswith("### ") and m.value[4:5].isdigit()]


# --- pages: hostile catalog text ------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def hostile_data(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A copy of data/ whose Shenzhen file carries hostile names, titles and a URL (as an upload could)."""
    data = tmp_path_factory.mktemp("hostile") / "data"
    shutil.copytree(ROOT / "data", data)
    path = data / "cities" / "shenzhen.yaml"
    text = path.read_text(encoding="utf-8")
    evil_city = json.dumps("Evil " + SCRIPT + " " + LINK + " " + FORMULA)
    text = re.sub(r"name_en: Shenzhen(?=[,}\n])", lambda m: f"name_en: {evil_city}", text)  # the city and its scopes
    evil_zh = json.dumps("深圳 " + SCRIPT + " " + LINK)
    text = re.sub(r"name_zh: 深圳(?=[,}\n])", lambda m: f"name_zh: {evil_zh}", text)
    start = text.index("incentives:")
    at = text.index("\n    name_en: ", start) + 1  # the first incentive's name
    end = text.index("\n", at)
    text = text[:at] + "    name_en: " + json.dumps(MD + " " + SCRIPT + " " + FORMULA) + text[end:]
    text = text.replace("    title: GBA tax subsidies\n", f"    title: {json.dumps(SCRIPT + ' ' + MD)}\n", 1)
    text = text.replace("    url: http://www.eyeshenzhen.com/content/2023-05/22/content_30237795.htm\n",
                        f"    url: {json.dumps(EVIL_URL)}\n", 1)
    path.write_text(text, encoding="utf-8")
    from dashboard.catalog.loader import load_file

    model, problems = load_file(path, display="shenzhen.yaml")
    assert model is not None, [str(p) for p in problems]
    assert "Evil" in model.name_en and any(s.url == EVIL_URL for s in model.sources)
    return data


@pytest.fixture
def hostile_app(hostile_data: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    from dashboard.catalog import loader

    monkeypatch.setattr(loader, "DATA_DIR", hostile_data)
    st.cache_resource.clear()
    yield
    st.cache_resource.clear()


def _open_shenzhen_details(at: AppTest) -> AppTest:
    """Open Shenzhen's details tab (lazy: only the open tab is built); ``inc_*`` keys open lazy expanders if the
    page makes them lazy, and are ignored otherwise."""
    from dashboard.catalog import loader

    at.session_state["ex_details"] = True  # the city-by-city lists are built only when opened
    at.run()
    labels = [t.label for t in at.tabs]
    shenzhen = next((lab for lab in labels if "Evil" in lab or "深圳" in lab), None)
    assert shenzhen, labels
    at.session_state["details_tab"] = shenzhen
    at.run()
    city, _ = loader.load_file(loader.DATA_DIR / "cities" / "shenzhen.yaml")
    assert city is not None
    for inc in city.incentives:
        at.session_state[f"inc_shenzhen_{inc.id}"] = True
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


@pytest.mark.usefixtures("hostile_app")
@pytest.mark.parametrize("lang", ["en", "zh"])
def test_hostile_catalog_text_escaped_on_explore(lang: str) -> None:
    at = run({"lang": lang, "preset": "graduate"})
    at = _open_shenzhen_details(at)
    seen = [text for _, text in _texts(at)]
    assert any("script" in x for x in seen)  # the hostile city is shown...
    for kind, text in _texts(at):
        assert not RAW.search(text), (kind, text[:300])  # ...as text, never as markup
    plot = list(_plotly_strings(at))
    assert any("script" in s for s in plot)
    for s in plot:
        assert "<script" not in s and "<a " not in s and "<img" not in s, s[:300]
    assert any("&lt;script&gt;" in s for s in plot)  # escaped for plotly's HTML subset, not dropped


@pytest.mark.usefixtures("hostile_app")
def test_hostile_source_url_cannot_break_out_of_its_link() -> None:
    at = _open_shenzhen_details(run({"preset": "graduate"}))
    links = [m.value for m in at.markdown if "example.org/a" in m.value]
    assert links, "the source with the hostile URL is listed"
    for v in links:
        assert "](http://evil" not in v and "%29" in v


@pytest.mark.usefixtures("hostile_app")
@pytest.mark.parametrize("page", ["screens/compare.py", "screens/sources.py", "screens/method.py"])
def test_hostile_catalog_text_escaped_on_other_pages(page: str) -> None:
    at = run({"preset": "graduate", "cities": "shenzhen,beijing"}, page=page)
    for kind, text in _texts(at):
        assert not RAW.search(text), (kind, text[:300])
    for s in _plotly_strings(at):
        assert "<script" not in s and "<a " not in s, s[:300]
    frames = [e.value for e in at.dataframe]
    cells = " ".join(str(v) for df in frames for v in [*df.columns, *df.astype(str).to_numpy().ravel()])
    if page != "screens/method.py":
        assert SCRIPT in cells  # tables hold the text itself: glide renders it as text


def test_no_unsafe_html_with_data_or_user_text() -> None:
    hits = []
    for f in (ROOT / "dashboard").rglob("*.py"):
        for n, line in enumerate(f.read_text(encoding="utf-8").splitlines(), 1):
            if "unsafe_allow_html=True" in line:
                hits.append(f"{f.relative_to(ROOT)}:{n}: {line.strip()}")
    assert hits == [], hits


def test_server_settings_are_deliberate() -> None:
    import tomllib

    cfg = tomllib.loads((ROOT / ".streamlit" / "config.toml").read_text(encoding="utf-8"))
    server = cfg["server"]
    assert server["enableXsrfProtection"] is True and server["enableCORS"] is True
    assert server.get("corsAllowedOrigins", []) == []
    assert 1 <= server["maxUploadSize"] <= 10
    assert server["enableAgentApi"] is False
    assert cfg["browser"]["gatherUsageStats"] is False
    assert cfg["client"]["showErrorDetails"] in ("type", "none")
