"""The catalog: shipped data loads clean, every malformed file fails with exactly the lines a data editor
needs (file, record, field, what is expected), and nothing a file contains can make the loader raise.

The bad corpus is tests/data/bad/: each file is tests/data/minimal_city.yaml with one defect, and
tests/data/bad/EXPECTED.yaml holds the exact lines ``python -m dashboard check`` prints for it.
"""

from __future__ import annotations

import json
import subprocess
import sys
from datetime import date
from pathlib import Path

import pytest
import yaml
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from dashboard.catalog.loader import (
    MAX_FILE_BYTES,
    DataError,
    data_files,
    load_catalog,
    load_file,
    parse_yaml_bytes,
)
from dashboard.catalog.schema import CityFile

REPO = Path(__file__).resolve().parents[1]
BAD = REPO / "tests" / "data" / "bad"
MINIMAL = REPO / "tests" / "data" / "minimal_city.yaml"
TODAY = date(2026, 11, 23)  # the research sheets' compilation date: status and staleness check (bad corpus)
DATA_TODAY = date(2026, 12, 4)  # the shipped data, as of its newest retrieval (the official-text pass)s stay stable
EXPECTED: dict[str, list[str]] = yaml.safe_load((BAD / "EXPECTED.yaml").read_text(encoding="utf-8"))
BAD_FILES = sorted(p.name for p in BAD.glob("*.yaml") if p.name != "EXPECTED.yaml")
_VENV_PY = REPO / ".venv" / "bin" / "python"
PYTHON = str(_VENV_PY) if _VENV_PY.exists() else sys.executable


def run_check(*args: str) -> subprocess.CompletedProcess[str]:
    """``python -m dashboard check ARGS`` from the repository root, as a data editor runs it."""
    return subprocess.run([PYTHON, "-m", "dashboard", "check", *args], cwd=REPO, capture_output=True,
                          text=True, timeout=120, check=False)


def _no_traceback(text: str) -> None:
    assert "Traceback" not in text, text


# --- shipped data --------------------------------------------------------------------------------------


def test_shipped_data_has_no_errors() -> None:
    res = load_catalog(today=DATA_TODAY)
    assert [str(p) for p in res.errors] == []
    assert res.unavailable == {}


@pytest.mark.parametrize("path", data_files(), ids=lambda p: f"{p.parent.name}/{p.name}")
def test_each_shipped_file_loads(path: Path) -> None:
    model, problems = load_file(path, today=DATA_TODAY)
    assert [str(p) for p in problems if p.severity == "error"] == []
    assert model is not None
    if path.parent.name == "cities":
        assert isinstance(model, CityFile) and model.city == path.stem


def test_minimal_city_is_valid() -> None:
    """The base of the bad corpus: if it had a problem of its own, every bad file would test two things."""
    model, problems = load_file(MINIMAL, today=TODAY)
    assert problems == []
    assert isinstance(model, CityFile)
    assert model.as_of == date(2026, 11, 1)  # dates reach pydantic as text and come back as dates
    assert model.incentives[0].valid_to == date(2027, 12, 31)


def test_plain_safe_loader_untouched() -> None:
    """The loader drops the timestamp resolver on its own copy of the table, not on yaml.SafeLoader."""
    assert yaml.safe_load("d: 2025-01-01") == {"d": date(2025, 1, 1)}


# --- the bad corpus ------------------------------------------------------------------------------------


def test_corpus_is_complete() -> None:
    assert len(BAD_FILES) >= 24
    assert sorted(EXPECTED) == BAD_FILES


@pytest.mark.parametrize("name", BAD_FILES)
def test_bad_file_fails_with_exact_lines(name: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(REPO)
    shown = f"tests/data/bad/{name}"
    res = load_catalog(paths=[Path(shown)], today=TODAY)
    lines = [str(p) for p in res.problems]
    assert lines == EXPECTED[name]
    assert res.errors and not res.cities
    assert res.unavailable == {shown: EXPECTED[name][0]}
    for line in lines:
        _no_traceback(line)
        assert line.startswith(f"{shown}:")


def test_cli_prints_exact_lines_for_all_bad_files() -> None:
    proc = run_check("--today", TODAY.isoformat(), *[f"tests/data/bad/{n}" for n in BAD_FILES])
    expected = [line for n in BAD_FILES for line in EXPECTED[n]]
    assert proc.returncode == 1
    assert proc.stdout.splitlines() == expected
    assert proc.stderr.strip() == f"{len(expected)} error(s), 0 warning(s)"
    _no_traceback(proc.stdout + proc.stderr)


@pytest.mark.parametrize("name", ["10_bad_date.yaml", "21_not_utf8.yaml", "24_alias_bomb.yaml"])
def test_cli_single_bad_file(name: str) -> None:
    proc = run_check("--today", TODAY.isoformat(), f"tests/data/bad/{name}")
    assert proc.returncode == 1
    assert proc.stdout.splitlines() == EXPECTED[name]
    _no_traceback(proc.stdout + proc.stderr)


def test_oversize_file(tmp_path: Path) -> None:
    """Generated here, not committed: a valid file padded with a comment to exactly the cap passes; one
    byte more fails before parsing."""
    assert MAX_FILE_BYTES == 1_000_000
    base = MINIMAL.read_bytes()

    def padded(size: int) -> Path:
        path = tmp_path / f"34_oversize_{size}.yaml"
        path.write_bytes(base + b"#" + b"x" * (size - len(base) - 2) + b"\n")
        assert path.stat().st_size == size
        return path

    at_cap = padded(MAX_FILE_BYTES)
    assert load_catalog(paths=[at_cap], today=TODAY).problems == []
    big = padded(MAX_FILE_BYTES + 1)
    res = load_catalog(paths=[big], today=TODAY)
    assert [str(p) for p in res.problems] == [f"{big}:-:-: file is 1,000,001 bytes; expected at most 1,000,000"]
    with pytest.raises(DataError, match="expected at most"):
        parse_yaml_bytes(big.read_bytes())


# --- the check command ---------------------------------------------------------------------------------


def test_cli_valid_file_exit_0_one_line() -> None:
    proc = run_check("--today", TODAY.isoformat(), "tests/data/minimal_city.yaml")
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert proc.stdout.splitlines() == [
        "ok: 1 cities, 2 incentives, 0 documented absences, 0 reference figures, 0 national files; 0 warning(s)"
    ]
    assert proc.stderr == ""


def test_cli_whole_catalog_exit_0() -> None:
    proc = run_check("--today", DATA_TODAY.isoformat())
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert proc.stdout.splitlines()[-1].startswith("ok: ")
    _no_traceback(proc.stdout + proc.stderr)


def test_cli_json_shape() -> None:
    bad = "tests/data/bad/07_unknown_source_id.yaml"
    proc = run_check("--json", "--today", TODAY.isoformat(), "tests/data/minimal_city.yaml", bad)
    assert proc.returncode == 1
    out = json.loads(proc.stdout)
    assert set(out) == {"errors", "warnings", "cities", "reference", "national"}
    assert out["errors"] == EXPECTED["07_unknown_source_id.yaml"]
    assert out["warnings"] == []
    assert out["cities"] == ["testcity"]
    assert out["reference"] == [] and out["national"] == []

    proc = run_check("--json", "--today", TODAY.isoformat(), "tests/data/minimal_city.yaml")
    assert proc.returncode == 0
    out = json.loads(proc.stdout)
    assert out["errors"] == [] and out["cities"] == ["testcity"]


def test_cli_stale_source_warns_exit_0(tmp_path: Path) -> None:
    old = tmp_path / "old_city.yaml"
    text = MINIMAL.read_text(encoding="utf-8")
    stale = text.replace("    published: 2025-01-15\n    retrieved: 2026-11-01\n",
                         "    published: 2019-06-01\n    retrieved: 2020-01-01\n")
    assert stale != text
    old.write_text(stale, encoding="utf-8")
    proc = run_check("--today", TODAY.isoformat(), "--stale-days", "365", str(old))
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert proc.stdout.splitlines() == [
        f"{old}:S1:retrieved: warning: retrieved 2020-01-01, older than 365 days; re-check the source",
        "ok: 1 cities, 2 incentives, 0 documented absences, 0 reference figures, 0 national files; 1 warning(s)",
    ]
    proc = run_check("--today", TODAY.isoformat(), "--stale-days", "5000", str(old))
    assert proc.returncode == 0 and "warning:" not in proc.stdout


def test_cli_bad_usage_exit_2() -> None:
    proc = run_check("--stale-days", "many")
    assert proc.returncode == 2
    _no_traceback(proc.stderr)


# --- partial loading -----------------------------------------------------------------------------------


def test_corrupt_city_leaves_the_others_available(tmp_path: Path) -> None:
    cities = tmp_path / "data" / "cities"
    cities.mkdir(parents=True)
    text = MINIMAL.read_text(encoding="utf-8")
    (cities / "testcity.yaml").write_text(text, encoding="utf-8")
    second = text.replace("testcity", "secondcity").replace("Testcity", "Secondcity").replace("tc-", "sc-")
    (cities / "secondcity.yaml").write_text(second, encoding="utf-8")
    (cities / "brokencity.yaml").write_bytes(b"city: brokencity\nsources: [unclosed\n")

    res = load_catalog(root=tmp_path / "data", today=TODAY)
    assert sorted(res.cities) == ["secondcity", "testcity"]
    assert list(res.unavailable) == ["data/cities/brokencity.yaml"]
    assert res.unavailable["data/cities/brokencity.yaml"].startswith("data/cities/brokencity.yaml:-:-: not valid YAML")
    assert [p.file for p in res.errors] == ["data/cities/brokencity.yaml"]


# --- the parser never raises anything but DataError ----------------------------------------------------

_YAMLISH = st.text(alphabet=st.sampled_from(list("-:?[]{}!&*|>'\"#%@`,.~ \t\nabz019é测")), max_size=300)


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.one_of(st.binary(max_size=2000), _YAMLISH.map(lambda s: s.encode("utf-8"))))
@example(b"!!int x")
@example(b"!!bool maybe")
@example(b"!!timestamp 2025-13-40")
@example(b"d: 2025-13-40")
@example(b"[" * 5000)
@example(b"a: " + b"9" * 5000)
@example(b"{[1]: 2}")
@example(b"\x00")
@example(b"\xef\xbb\xbfa: 1")
@example(b"a: &x 1\nb: *x")
def test_parse_yaml_bytes_raises_only_data_error(raw: bytes) -> None:
    try:
        parse_yaml_bytes(raw)
    except DataError as e:
        assert str(e) and "\n" not in str(e)


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.one_of(st.binary(max_size=500), _YAMLISH.map(lambda s: s.encode("utf-8"))))
@example(b"{1: 2}")
@example(b"incentives: [{id: x, conditions: [{kind: any_of, conditions: [1, {kind: nope}]}]}]")
@example(b"sources: [S1, {id: 5}]\nincentives: {a: 1}")
def test_load_file_never_raises(raw: bytes) -> None:
    """Whatever an upload holds, the loader answers with problems, each one line."""
    model, problems = load_file(Path("upload.yaml"), raw=raw, today=TODAY)
    if model is None:
        assert any(p.severity == "error" for p in problems)
    for p in problems:
        assert "\n" not in str(p)


_MINIMAL_DATA = yaml.safe_load(MINIMAL.read_text(encoding="utf-8"))
_JSONISH = st.recursive(
    st.none() | st.booleans() | st.integers(-10**6, 10**6) | st.floats(allow_nan=False) | st.text(max_size=20),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=10), inner, max_size=3),
    max_leaves=8,
)


def _paths(node: object, prefix: tuple[object, ...] = ()) -> list[tuple[object, ...]]:
    out = [prefix]
    if isinstance(node, dict):
        for k, v in node.items():
            out += _paths(v, (*prefix, k))
    elif isinstance(node, list):
        for i, v in enumerate(node):
            out += _paths(v, (*prefix, i))
    return out


_ALL_PATHS = [p for p in _paths(_MINIMAL_DATA) if p]


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.sampled_from(_ALL_PATHS), _JSONISH)
def test_any_one_wrong_value_gives_problems_not_exceptions(path: tuple[object, ...], value: object) -> None:
    """Replace one node of the minimal city with anything: the loader still answers with one-line problems,
    and a file that fails names at least one problem."""
    data = yaml.safe_load(MINIMAL.read_text(encoding="utf-8"))
    node = data
    for key in path[:-1]:
        node = node[key]  # type: ignore[index]
    node[path[-1]] = value  # type: ignore[index]
    raw = yaml.safe_dump(data, allow_unicode=True).encode("utf-8")
    model, problems = load_file(Path("upload.yaml"), raw=raw, today=TODAY)
    assert model is not None or any(p.severity == "error" for p in problems)
    for p in problems:
        assert "\n" not in str(p) and p.record and p.field
