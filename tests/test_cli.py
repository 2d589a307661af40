"""The command line: documented JSON shapes, exit codes, one message per bad field, no traceback."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import ROOT

PROFILE = {"age": 28, "origin": "foreign", "degree": "master", "field": "ai", "graduation_year": 2025,
           "university_rank": 50, "annual_salary_cny": 400000, "intent": "employment", "months_in_china_per_year": 12}


def cli(*args: str, stdin: str | None = None) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "dashboard", *args], cwd=ROOT, capture_output=True, text=True,
                          input=stdin, timeout=120)


@pytest.fixture(scope="module")
def profile_file(tmp_path_factory: pytest.TempPathFactory) -> str:
    p = tmp_path_factory.mktemp("cli") / "me.json"
    p.write_text(json.dumps(PROFILE), encoding="utf-8")
    return str(p)


def test_rank_json_shape(profile_file: str) -> None:
    r = cli("rank", "--profile", profile_file, "--json", "--today", "2026-11-23", "--draws", "100", "--why")
    assert r.returncode == 0, r.stderr
    data = json.loads(r.stdout)
    cities = data["cities"]
    assert sorted(c["rank"] for c in cities) == [1, 2, 3, 4, 5]
    for c in cities:
        assert {"city", "rank", "score", "value", "by_category", "rank_range"} <= set(c)
        assert c["rank_range"][0] <= c["rank"] <= c["rank_range"][1] or c["rank_range"][0] <= c["rank_range"][1]
        assert set(c["value"]) >= {"low", "expected", "high"}
    assert "what_would_change" in data and "gaps_to_leader" in data


def test_explain_json_shape(profile_file: str) -> None:
    r = cli("explain", "--profile", profile_file, "--city", "shenzhen", "--json", "--today", "2026-11-23")
    assert r.returncode == 0, r.stderr
    inc = json.loads(r.stdout)["incentives"]
    assert inc and all({"id", "status", "reasons", "amount", "value", "sources"} <= set(i) for i in inc)
    assert {i["status"] for i in inc} <= {"eligible", "ineligible", "possible"}
    gba = next(i for i in inc if i["id"] == "sz-gba-iit-refund")
    assert gba["sources"][0]["url"].startswith("http")


def test_points_json_shape(profile_file: str) -> None:
    r = cli("points", "--profile", profile_file, "--city", "chengdu", "--json", "--today", "2026-11-23")
    assert r.returncode == 0, r.stderr
    data = json.loads(r.stdout)
    assert {"total", "class", "factors", "routes"} <= set(data)
    # 400,000 a year is in the [35, 45) band of RMB 10,000s: 17 points; a master's: 15; age 28 in [26, 45]: 15
    assert data["factors"]["salary"]["points"] == 17
    assert data["factors"]["education"]["points"] == 15
    assert data["factors"]["age"]["points"] == 15


def test_tax_json(profile_file: str) -> None:
    r = cli("tax", "--profile", profile_file, "--city", "shenzhen", "--json", "--taxable-income", "340000")
    assert r.returncode == 0, r.stderr
    data = json.loads(r.stdout)
    # 340,000 taxable: 25% bracket, quick deduction 31,920: 85,000 - 31,920 = 53,080
    assert data["iit"] == 53080
    # GBA: 53,080 - 15% x 340,000 = 53,080 - 51,000 = 2,080
    assert data["zone_refund"]["amount"] == 2080


def test_sweep_json_sample() -> None:
    r = cli("sweep", "--sample", "300", "--json", "--today", "2026-11-23")
    assert r.returncode == 0, r.stderr
    data = json.loads(r.stdout)
    assert data["profiles"] == 300
    assert sum(data["share_first"].values()) == pytest.approx(1.0, abs=1e-3)


def test_bad_profile_one_line_per_field(tmp_path: Path) -> None:
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps({"age": 200, "degree": "wizard", "bogus": 1}), encoding="utf-8")
    r = cli("rank", "--profile", str(bad))
    assert r.returncode == 2
    lines = r.stderr.strip().splitlines()
    assert any(": age: " in line for line in lines)
    assert any(": degree: " in line for line in lines)
    assert any(": bogus: unknown field" in line for line in lines)
    assert "Traceback" not in r.stderr


@pytest.mark.parametrize(("args", "needle"), [
    (["explain", "--city", "atlantis"], "unknown or unavailable city"),
    (["rank", "--weights", "money=abc"], "--weights"),
    (["rank", "--weights", "luck=5"], "unknown weight dimension"),
    (["rank", "--today", "yesterday"], "--today"),
])
def test_bad_options_exit_2(profile_file: str, args: list[str], needle: str) -> None:
    r = cli(*args, "--profile", profile_file)
    assert r.returncode == 2, r.stdout
    assert needle in r.stderr and "Traceback" not in r.stderr


def test_not_json_and_missing_file(tmp_path: Path) -> None:
    f = tmp_path / "x.json"
    f.write_text("{not json", encoding="utf-8")
    r = cli("rank", "--profile", str(f))
    assert r.returncode == 2 and "not valid JSON" in r.stderr
    r = cli("rank", "--profile", str(tmp_path / "missing.json"))
    assert r.returncode == 2 and "cannot read profile" in r.stderr


def test_profile_from_stdin() -> None:
    r = cli("rank", "--profile", "-", "--draws", "0", "--json", stdin=json.dumps(PROFILE))
    assert r.returncode == 0 and json.loads(r.stdout)["cities"]


def test_schema_is_the_profile_json_schema() -> None:
    r = cli("schema")
    schema = json.loads(r.stdout)
    assert {"age", "origin", "degree", "field", "horizon_years", "discount_rate"} <= set(schema["properties"])
