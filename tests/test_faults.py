"""Faults users would notice, with the behaviour they would expect: a broken or missing city file (the other
cities still rank and a notice names the file and why), missing or corrupt boundary files (tables still work,
the map says it is unavailable and why), and the command line naming the file.

The repository's data/ and geo/ are copied to a temporary folder and broken there; the app reads the copies
(``ATLAS_DATA_DIR`` / ``ATLAS_GEO_DIR`` for a server or the CLI; the same module paths patched for AppTest,
which runs in this process). Streamlit's resource cache is process-wide, so it is cleared around each test.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
import streamlit as st
from streamlit.testing.v1 import AppTest

from tests.conftest import CHROMIUM, CHROMIUM_ARGS, ROOT, free_port, start_app

APP = str(ROOT / "dashboard" / "app.py")
ALL = {"Beijing", "Shanghai", "Shenzhen", "Hangzhou", "Chengdu"}


@pytest.fixture
def copies(tmp_path: Path) -> tuple[Path, Path]:
    data, geo = tmp_path / "data", tmp_path / "geo"
    shutil.copytree(ROOT / "data", data)
    geo.mkdir()
    for f in (ROOT / "geo").glob("*.geojson"):
        shutil.copy(f, geo / f.name)
    return data, geo


@pytest.fixture
def app_on(monkeypatch: pytest.MonkeyPatch) -> Iterator[Callable[..., AppTest]]:
    from dashboard import geo as G
    from dashboard.catalog import loader

    def make(data: Path | None = None, geo: Path | None = None, page: str | None = None) -> AppTest:
        if data is not None:
            monkeypatch.setattr(loader, "DATA_DIR", data)
        if geo is not None:
            monkeypatch.setattr(G, "GEO_DIR", geo)
        st.cache_resource.clear()
        at = AppTest.from_file(APP, default_timeout=120)
        at.run()
        if page:
            at.switch_page(page).run()
        assert not at.exception, [e.value for e in at.exception]
        return at

    yield make
    st.cache_resource.clear()  # later tests must not see the broken copies


def cards(at: AppTest) -> list[str]:
    return [m.value.split(". ", 1)[1].replace("\\", "") for m in at.markdown
            if m.value.startswith("### ") and m.value[4:5].isdigit()]


def warnings(at: AppTest) -> str:
    return "\n".join(w.value for w in at.warning)


def has_map(at: AppTest) -> bool:
    return any(getattr(e.proto, "id", "").endswith("-map") for e in at.get("plotly_chart"))


def test_corrupt_city_file_names_it_and_the_others_rank(copies, app_on) -> None:
    data, _ = copies
    (data / "cities" / "shenzhen.yaml").write_text("city: shenzhen\nincentives: [unclosed\n", encoding="utf-8")
    at = app_on(data=data)
    text = warnings(at)
    assert "data/cities/shenzhen.yaml" in text
    assert "not valid YAML" in text  # the reason, not just "error"
    assert set(cards(at)) == ALL - {"Shenzhen"}
    assert has_map(at)


def test_city_file_that_fails_validation_says_which_field(copies, app_on) -> None:
    data, _ = copies
    path = data / "cities" / "hangzhou.yaml"
    path.write_text(path.read_text(encoding="utf-8").replace("category: housing", "category: palaces", 1),
                    encoding="utf-8")
    at = app_on(data=data)
    text = warnings(at)
    assert "data/cities/hangzhou.yaml" in text and "category" in text
    assert set(cards(at)) == ALL - {"Hangzhou"}


def test_missing_city_file_is_named_not_silently_dropped(copies, app_on) -> None:
    data, _ = copies
    (data / "cities" / "chengdu.yaml").unlink()
    at = app_on(data=data)
    text = warnings(at)
    assert "data/cities/chengdu.yaml" in text and "file not found" in text
    assert set(cards(at)) == ALL - {"Chengdu"}
    # the map still draws the other four (Chengdu's point stays, hollow: unknown, never zero)
    assert has_map(at)


@pytest.mark.parametrize("name", ["provinces.geojson", "cities.geojson"])
def test_missing_boundary_file_map_says_unavailable_tables_work(copies, app_on, name: str) -> None:
    _, geo = copies
    (geo / name).unlink()
    at = app_on(geo=geo)
    text = warnings(at)
    assert "map is unavailable" in text and name in text and "file not found" in text
    assert not has_map(at)
    assert set(cards(at)) == ALL  # the ranking does not need boundaries
    compare = app_on(geo=geo, page="screens/compare.py")
    assert len(compare.dataframe) >= 1


def test_corrupt_boundary_file_says_why(copies, app_on) -> None:
    _, geo = copies
    (geo / "china_outline.geojson").write_text('{"type": "FeatureCollection", "features": [', encoding="utf-8")
    at = app_on(geo=geo)
    text = warnings(at)
    assert "china_outline.geojson" in text and "cannot read" in text
    assert not has_map(at)
    assert set(cards(at)) == ALL


def _check(data: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "dashboard", "check"], cwd=ROOT, capture_output=True, text=True,
                          env={**os.environ, "ATLAS_DATA_DIR": str(data)}, timeout=120)


def test_cli_check_names_the_broken_and_the_missing_file(copies) -> None:
    data, _ = copies
    (data / "cities" / "shenzhen.yaml").write_text("city: [\n", encoding="utf-8")
    (data / "cities" / "chengdu.yaml").unlink()
    out = _check(data)
    assert out.returncode == 1, out.stdout + out.stderr
    lines = out.stdout.splitlines()
    assert any(re.match(r"^data/cities/shenzhen\.yaml:-:-: not valid YAML", x) for x in lines), lines
    assert any(x.startswith("data/cities/chengdu.yaml:-:-: file not found") for x in lines), lines


@pytest.mark.e2e
def test_live_server_with_a_broken_city_and_no_boundaries(copies) -> None:
    """The same faults through a real server and browser: the notices are visible text."""
    if not Path(CHROMIUM).exists():
        pytest.skip("Debian chromium not installed (make test installs it as root)")
    pw = pytest.importorskip("playwright.sync_api")
    data, geo = copies
    (data / "cities" / "shenzhen.yaml").write_text("\x00not yaml", encoding="utf-8")
    (geo / "provinces.geojson").unlink()
    port = free_port()
    proc = start_app(port, env={"ATLAS_DATA_DIR": str(data), "ATLAS_GEO_DIR": str(geo)})
    try:
        with pw.sync_playwright() as p:
            browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
            page = browser.new_page(viewport={"width": 1280, "height": 900})
            page.goto(f"http://127.0.0.1:{port}/", wait_until="domcontentloaded")
            page.wait_for_function("() => document.body.innerText.includes('The map is unavailable') "
                                   "&& !document.querySelector('[data-testid=\"stStatusWidget\"]')", timeout=60_000)
            page.wait_for_timeout(500)
            body = page.inner_text("body")
            assert "shenzhen.yaml" in body and "provinces.geojson" in body, [x for x in body.splitlines() if "unavailable" in x]
            heads = [h.strip() for h in page.locator('[data-testid="stMarkdownContainer"] h3').all_inner_texts()]
            ranked = [h for h in heads if re.match(r"^\d\.", h)]
            assert len(ranked) == 4 and not any("Shenzhen" in h for h in ranked), ranked
            assert page.locator('[data-testid="stException"]').count() == 0
            browser.close()
    finally:
        proc.terminate()
        proc.wait(10)
