"""Faults users would meet, each with the behaviour they would expect: a corrupt or missing city file (the
other cities still rank and the page says which file is unavailable and why), missing or corrupt boundary
files (the map says it is unavailable, the tables work), a scenario database that cannot be opened (a
message, the Benchmark page keeps working)."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import streamlit as st
from streamlit.testing.v1 import AppTest

from dashboard.catalog import loader
from tests.conftest import ROOT

APP = str(ROOT / "dashboard" / "app.py")


@pytest.fixture
def data_copy(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    dst = tmp_path / "data"
    shutil.copytree(ROOT / "data", dst)
    monkeypatch.setattr(loader, "DATA_DIR", dst)
    st.cache_resource.clear()
    yield dst
    st.cache_resource.clear()


@pytest.fixture
def geo_copy(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    from dashboard import geo

    dst = tmp_path / "geo"
    shutil.copytree(ROOT / "geo", dst)
    monkeypatch.setattr(geo, "GEO_DIR", dst)
    geo._cached_outlines.cache_clear()
    st.cache_resource.clear()
    yield dst
    geo._cached_outlines.cache_clear()
    st.cache_resource.clear()


def run_app(page: str | None = None) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=180).run()
    if page:
        at.switch_page(page).run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def cards(at: AppTest) -> list[str]:
    return [m.value for m in at.markdown if m.value.startswith("### ") and m.value[4:5].isdigit()]


def test_corrupt_city_file_the_others_still_rank(data_copy: Path) -> None:
    (data_copy / "cities" / "hangzhou.yaml").write_bytes(b"city: hangzhou\nincentives: [unclosed\n")
    at = run_app()
    warnings = " ".join(w.value for w in at.warning)
    assert "hangzhou.yaml" in warnings and "not valid YAML" in warnings
    shown = cards(at)
    assert len(shown) == 4 and not any("Hangzhou" in c for c in shown)


def test_missing_city_file_the_others_still_rank(data_copy: Path) -> None:
    (data_copy / "cities" / "shanghai.yaml").unlink()
    at = run_app()
    shown = cards(at)
    assert len(shown) == 4 and not any("Shanghai" in c for c in shown)
    at = run_app("screens/sources.py")
    assert "shanghai" not in set(at.dataframe[0].value["city"].str.lower())


def test_invalid_city_record_names_file_record_field(data_copy: Path) -> None:
    f = data_copy / "cities" / "chengdu.yaml"
    f.write_text(f.read_text(encoding="utf-8").replace("category: housing", "category: castles", 1), encoding="utf-8")
    at = run_app()
    warnings = " ".join(w.value for w in at.warning)
    assert "chengdu.yaml" in warnings and "category" in warnings and "castles" in warnings


def test_missing_boundaries_map_unavailable_tables_work(geo_copy: Path) -> None:
    (geo_copy / "provinces.geojson").unlink()
    at = run_app()
    warnings = " ".join(w.value for w in at.warning)
    assert "map is unavailable" in warnings and "provinces.geojson" in warnings
    assert len(cards(at)) == 5
    assert not at.get("plotly_chart") or all("scattergeo" not in c.proto.spec for c in at.get("plotly_chart"))


def test_corrupt_boundaries_map_unavailable(geo_copy: Path) -> None:
    (geo_copy / "cities.geojson").write_text("{not json", encoding="utf-8")
    at = run_app()
    assert "map is unavailable" in " ".join(w.value for w in at.warning)
    assert len(cards(at)) == 5


def test_unopenable_scenario_database_benchmark_keeps_working(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    blocker = tmp_path / "not-a-dir"
    blocker.write_text("x", encoding="utf-8")
    monkeypatch.setenv("ATLAS_DB_PATH", str(blocker / "scenarios.sqlite3"))  # its parent is a file: cannot be created
    monkeypatch.delenv("ATLAS_DB_URL", raising=False)
    st.cache_resource.clear()
    at = run_app("screens/benchmark.py")
    assert at.error, "the store failure is shown"
    assert any(d.value.columns[0] == "Archetype" for d in at.dataframe)  # the matrix still works
    st.cache_resource.clear()


def test_cli_check_names_the_broken_file(tmp_path: Path) -> None:
    dst = tmp_path / "data"
    shutil.copytree(ROOT / "data", dst)
    (dst / "cities" / "beijing.yaml").write_bytes(b"\xff\xfe not utf8")
    r = subprocess.run([sys.executable, "-m", "dashboard", "check"], cwd=ROOT, capture_output=True, text=True,
                       env={"ATLAS_DATA_DIR": str(dst), "PATH": "/usr/bin:/bin"}, timeout=120)
    assert r.returncode == 1
    assert "cities/beijing.yaml:-:-: not UTF-8" in r.stdout and "Traceback" not in r.stderr
