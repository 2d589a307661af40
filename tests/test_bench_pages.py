"""Benchmark and Brief pages (AppTest) and the scenario round trip: a what-if changes the matrix, a saved
scenario reopens to the same matrix, the brief's files are produced."""

from __future__ import annotations

from datetime import date

import pytest
import streamlit as st
from streamlit.testing.v1 import AppTest

from dashboard import bench_state as BS
from dashboard.catalog.archetypes import load_archetypes
from dashboard.engine import benchmark as B
from dashboard.engine import whatif as W
from tests.conftest import DATA_TODAY, ROOT

APP = str(ROOT / "dashboard" / "app.py")
TODAY = date(2026, 12, 4)  # on or after the shipped data's newest retrieval: what-if edits re-validate against it


def bench_app(monkeypatch: pytest.MonkeyPatch, tmp_path) -> AppTest:
    monkeypatch.setenv("ATLAS_DB_PATH", str(tmp_path / "scenarios.sqlite3"))
    monkeypatch.delenv("ATLAS_DB_URL", raising=False)
    st.cache_resource.clear()  # the store is cached per process: point it at this test's database
    at = AppTest.from_file(APP, default_timeout=180)
    at.run()
    at.switch_page("screens/benchmark.py").run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def matrix_cell(at: AppTest, archetype_col: str, city_col_prefix: str) -> dict[str, str]:
    df = next(d.value for d in at.dataframe if d.value.columns[0] == archetype_col)
    col = next(c for c in df.columns if c.startswith(city_col_prefix))
    return dict(zip(df[archetype_col], df[col], strict=True))


def test_edit_round_trip_through_the_payload(inputs, settings) -> None:
    arch, problems = load_archetypes()
    assert not problems and len(arch) >= 6
    sc = BS.BenchScenario("chengdu", list(arch), [W.AddFromTemplate("living_one_off", amount=10_000_000,
                                                                    incentive_id="chengdu-whatif-test")])
    back, problems = BS.from_payload(sc.to_payload("en"), arch)
    assert not problems
    assert back.edits == sc.edits and back.home == "chengdu"
    assert [a.profile for a in back.archetypes] == [a.profile for a in sc.archetypes]
    # the edit makes Chengdu first for every archetype whose profile has a bachelor's or more
    inputs2, wi, errs = BS.session_inputs(inputs, back, DATA_TODAY)  # re-validated as of the data's newest retrieval
    assert wi is not None and wi.ok and not errs
    m = B.matrix(back.archetypes, inputs2, settings)
    for row in m.rows:
        a = next(x for x in back.archetypes if x.id == row.archetype)
        if a.profile.degree in ("bachelor", "master", "phd", "postdoc"):
            assert row.cell("chengdu").rank == 1, a.id


def test_bad_saved_edit_is_reported_not_fatal() -> None:
    arch, _ = load_archetypes()
    payload = BS.BenchScenario("chengdu", list(arch)).to_payload("en").model_copy(
        update={"edits": [{"kind": "Teleport", "x": 1}]})
    sc, problems = BS.from_payload(payload, arch)
    assert sc.edits == [] and "unknown edit kind 'Teleport'" in problems[0]


def test_benchmark_page_whatif_changes_the_matrix(monkeypatch: pytest.MonkeyPatch, tmp_path) -> None:
    at = bench_app(monkeypatch, tmp_path)
    head = "Archetype"
    before = matrix_cell(at, head, "Chengdu")
    at.selectbox(key="bench_home").set_value("chengdu")
    form_select = next(s for s in at.selectbox if s.label == "Change")
    form_select.set_value("template")
    next(n for n in at.number_input if n.label == "Amount (CNY)").set_value(10_000_000.0)
    next(b for b in at.button if b.label == "Apply").click().run()
    assert not at.exception, [e.value for e in at.exception]
    after = matrix_cell(at, head, "Chengdu")
    assert after != before
    assert any(v.startswith("1 · ") for v in after.values())
    # the diff against the official record is shown: the added incentive, field by field
    diff = next(d.value for d in at.dataframe if d.value.columns[0] == "Record")
    assert (diff["Change"] == "added").any()


def test_save_and_reopen_scenario(monkeypatch: pytest.MonkeyPatch, tmp_path) -> None:
    at = bench_app(monkeypatch, tmp_path)
    head = "Archetype"
    next(s for s in at.selectbox if s.label == "Change").set_value("template")
    next(n for n in at.number_input if n.label == "Amount (CNY)").set_value(10_000_000.0)
    next(b for b in at.button if b.label == "Apply").click().run()
    edited = matrix_cell(at, head, "Chengdu")
    at.text_input(key="scen_name").set_value("Chengdu 10M test")
    at.button(key="scen_save").click().run()
    assert not at.exception
    assert any("Saved" in s.value for s in at.success)
    # a fresh session (as after a server restart) opens the scenario and sees the same matrix
    at2 = bench_app(monkeypatch, tmp_path)
    assert matrix_cell(at2, head, "Chengdu") != edited  # a new session starts from the official offer
    at2.selectbox(key="scen_pick").set_value("Chengdu 10M test")
    at2.button(key="scen_open").click().run()
    assert not at2.exception
    assert matrix_cell(at2, head, "Chengdu") == edited


def test_brief_page_prepares_every_file(monkeypatch: pytest.MonkeyPatch, tmp_path) -> None:
    pytest.importorskip("kaleido")
    at = bench_app(monkeypatch, tmp_path)
    at.switch_page("screens/brief.py").run()
    assert not at.exception
    at.button(key="brief_prepare").click().run(timeout=300)
    assert not at.exception, [e.value for e in at.exception]
    labels = {b.label for b in at.get("download_button")}
    assert {"PDF brief", "PPTX deck", "XLSX workbook", "CSV"} <= labels


def test_a_failing_export_shows_a_message_and_the_rest_still_work(monkeypatch: pytest.MonkeyPatch, tmp_path) -> None:
    from dashboard import exports as X

    def boom(*_a: object, **_k: object) -> bytes:
        raise RuntimeError("renderer crashed")

    monkeypatch.setattr(X, "brief_pdf", boom)
    monkeypatch.setattr(X, "figure_png", boom)
    at = bench_app(monkeypatch, tmp_path)
    at.switch_page("screens/brief.py").run()
    at.button(key="brief_prepare").click().run(timeout=300)
    assert not at.exception, [e.value for e in at.exception]
    errors = " ".join(e.value for e in at.error)
    assert "PDF export failed: renderer crashed" in errors and "PNG export failed" in errors
    labels = {b.label for b in at.get("download_button")}
    assert {"PPTX deck", "XLSX workbook", "CSV"} <= labels and "PDF brief" not in labels
    assert at.title[0].value.startswith("Brief")
