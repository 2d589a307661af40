"""The load test in its short form (benchmarks/load.py --short: 5 sessions, 2 of them Chromium pages, 25 s):
every step of every journey succeeds. The full form (20 sessions, latency and memory targets) is
``python -m benchmarks.load``; its numbers are in README "Scale"."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import CHROMIUM, ROOT

pytestmark = [pytest.mark.e2e, pytest.mark.slow]


def test_short_load_has_no_errors(tmp_path: Path) -> None:
    if not Path(CHROMIUM).exists():
        pytest.skip("Debian chromium not installed (make test installs it as root)")
    pytest.importorskip("playwright")
    report_file = tmp_path / "load.json"
    out = subprocess.run([sys.executable, "-m", "benchmarks.load", "--short", "--json", str(report_file)], cwd=ROOT,
                         capture_output=True, text=True, timeout=280)
    assert report_file.exists(), out.stdout[-2000:] + out.stderr[-2000:]
    report = json.loads(report_file.read_text())
    assert report["errors"] == 0, report["error_examples"]
    assert out.returncode == 0, out.stdout[-2000:]
    assert report["journeys"] >= 3
    # every step of the journey was exercised by both kinds of client
    for kind in ("browser", "protocol"):
        for step in ("load", "profile", "weights", "language", "compare", "explore"):
            assert report["steps"].get(f"{kind}:{step}", {}).get("n", 0) >= 1, (kind, step, report["steps"].keys())
