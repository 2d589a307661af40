"""Data health (issue 10): source kinds, counted value on official sources, weak-only records, staleness."""

from __future__ import annotations

import json
import subprocess
import sys
from datetime import date
from pathlib import Path

import pytest
import yaml

from dashboard.catalog import schema as S
from dashboard.catalog.loader import load_catalog, load_file
from dashboard.health import best_kind, health, text_report

REPO = Path(__file__).resolve().parents[1]
MINIMAL = REPO / "tests" / "data" / "minimal_city.yaml"
TODAY = date(2026, 11, 23)


def _city(tmp_path: Path, edit) -> Path:
    data = yaml.safe_load(MINIMAL.read_text(encoding="utf-8"))
    edit(data)
    (tmp_path / "cities").mkdir(exist_ok=True)
    path = tmp_path / "cities" / "testcity.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    return path


def _report(path: Path, today: date = TODAY) -> dict:
    res = load_catalog(paths=[path], today=today)
    assert not res.errors, res.errors
    return health(res, today)["cities"][0]


def _src(kind: str, faithful: bool = False, sid: str = "X") -> S.Source:
    return S.Source(id=sid, kind=kind, faithful_repost=faithful, issuer="i", title="t", retrieved=TODAY)


def test_best_kind_prefers_official_and_counts_faithful_reposts_as_official() -> None:
    assert best_kind([_src("press"), _src("official")]) == "official"
    assert best_kind([_src("machine_translation"), _src("aggregator", faithful=True)]) == "official"
    assert best_kind([_src("machine_translation"), _src("firm")]) == "firm"
    assert best_kind([]) is None


def test_counted_value_on_official_sources(tmp_path: Path) -> None:
    """All value on an official source is a share of 1; a press-only scheme that is counted too lowers the
    share by exactly its value."""
    rep = _report(_city(tmp_path, lambda d: None))
    assert rep["official_sources"] == 1 and rep["sources_by_kind"] == {"official": 1}
    assert rep["counted_value"] > 0 and rep["share_counted_official"] == 1.0

    def add_press(d: dict) -> None:
        d["sources"].append({"id": "P1", "kind": "press", "issuer": "A newspaper", "title": "report",
                             "retrieved": "2026-11-01"})
        d["incentives"][1]["sources"] = ["P1"]
    rep2 = _report(_city(tmp_path, add_press))
    assert rep2["sources_by_kind"] == {"official": 1, "press": 1}
    assert rep2["counted_value"] > rep2["counted_value_official"] > 0
    assert rep2["share_counted_official"] == round(rep2["counted_value_official"] / rep2["counted_value"], 4)


def test_weak_only_records_are_listed_and_never_counted(tmp_path: Path) -> None:
    def machine(d: dict) -> None:
        d["sources"][0]["kind"] = "machine_translation"
        for inc in d["incentives"]:
            inc["verification"] = "unverified"
    rep = _report(_city(tmp_path, machine))
    assert rep["weak_only"] == ["tc-phd-living", "tc-housing-allowance"]
    assert rep["counted_value"] == 0 and rep["share_counted_official"] is None
    assert rep["by_verification"] == {"unverified": 2}


def test_stale_sources_and_unresolved_statuses(tmp_path: Path) -> None:
    def old(d: dict) -> None:
        d["sources"][0]["published"] = "2024-01-01"
        d["sources"][0]["retrieved"] = "2025-11-22"   # 366 days before TODAY
        d["incentives"][1]["status"] = "unknown"
    rep = _report(_city(tmp_path, old))
    assert rep["stale_sources"] == ["S1"]
    assert rep["unresolved_status"] == ["tc-housing-allowance"]  # a monthly cash allowance: money
    fresh = _report(_city(tmp_path, lambda d: d["sources"][0].update(retrieved="2025-11-23")))
    assert fresh["stale_sources"] == []                           # exactly 365 days: not stale


def test_the_real_catalog_meets_the_rules() -> None:
    """No counted incentive rests only on machine translations or AI answers, in any city, for any preset."""
    res = load_catalog()
    rep = health(res, TODAY)
    assert {c["city"] for c in rep["cities"]} == set(res.cities)
    for c in rep["cities"]:
        city = res.cities[c["city"]]
        weak = set(c["weak_only"])
        assert all(i.verification == "unverified" for i in city.incentives if i.id in weak)
        assert 0 <= c["counted_value_official"] <= c["counted_value"]
    assert "value on official" in text_report(rep)


def test_every_source_in_data_has_a_kind_and_official_verification_is_backed() -> None:
    for path in sorted((REPO / "data" / "cities").glob("*.yaml")):
        model, problems = load_file(path, today=date(2026, 12, 4))
        assert model is not None, problems
        by_id = {s.id: s for s in model.sources}
        for inc in model.incentives:
            if inc.verification == "official":
                assert any(by_id[s].backs_official for s in inc.sources), inc.id


def run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "dashboard", "health", *args], cwd=REPO, capture_output=True,
                          text=True, timeout=300, check=False)


def test_cli_health_json_and_text() -> None:
    proc = run("--json", "--today", "2026-12-04")
    assert proc.returncode == 0, proc.stderr
    data = json.loads(proc.stdout)
    assert data["today"] == "2026-12-04" and len(data["cities"]) >= 5
    keys = {"sources_by_kind", "by_verification", "by_status", "share_counted_official", "weak_only",
            "stale_sources", "unresolved_status"}
    assert all(keys <= set(c) for c in data["cities"])


@pytest.mark.parametrize("bad", ["2026-13-01", "yesterday"])
def test_cli_health_bad_date(bad: str) -> None:
    proc = run("--today", bad)
    assert proc.returncode == 2 and proc.stderr.strip() == f"--today: {bad!r} is not a date; expected YYYY-MM-DD"
