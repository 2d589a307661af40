"""The load test through the proxy in its short form (``benchmarks.load --processes 2 --short``: 2 app
processes behind HAProxy, scenarios in a throw-away PostgreSQL, 10 protocol sessions for 20 s, the process
serving most sessions killed halfway). Judged on what holds on a loaded 2-core machine: no errors, every
session of the killed process reconnected, the scenarios saved before the kill intact. Latency and memory are
reported, not asserted (the full form is in README "Scale")."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from dashboard.serve import pg, proxy
from tests.conftest import ROOT

pytestmark = [pytest.mark.e2e, pytest.mark.slow]


def test_short_load_through_proxy_survives_a_killed_process(tmp_path: Path) -> None:
    try:
        proxy.binary()
    except proxy.ProxyUnavailable as e:
        pytest.skip(str(e))
    if pg.bindir() is None:
        pytest.skip("PostgreSQL server binaries not found (make test installs 'postgresql' as root)")
    report_file = tmp_path / "cluster.json"
    out = subprocess.run([sys.executable, "-m", "benchmarks.load", "--processes", "2", "--short", "--json",
                          str(report_file)], cwd=ROOT, capture_output=True, text=True, timeout=400)
    assert report_file.exists(), out.stdout[-2000:] + out.stderr[-2000:]
    report = json.loads(report_file.read_text())
    assert report["errors"] == 0, report["error_examples"]
    kill = report["kill"]
    assert kill["process"] in ("app1", "app2")
    assert kill["sessions_on_it"] >= 1, kill
    assert kill["reconnected"] == kill["sessions_on_it"], kill
    assert set(kill["sessions_per_process"]) == {"app1", "app2"}, kill  # the proxy spread the sessions
    sc = report["scenarios"]
    assert sc["intact"] and all(sc["intact"].values()), sc
    assert sc["listed_through_proxy"] == sorted(sc["intact"]), sc
    assert report["memory_mb"][kill["process"]]["after"] is None  # the killed one is not judged
    assert out.returncode == 0, out.stdout[-2000:]
    for step in ("load", "profile", "weights", "language", "compare", "explore"):
        assert report["steps"].get(f"protocol:{step}", {}).get("n", 0) >= 1, step
