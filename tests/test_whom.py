"""Whom each city wins: shares sum to 1, an added offer never lowers its city's share, segment shares equal a
scalar recount on a sample, bad population files and --add lines get one clear message, and the CLI."""

from __future__ import annotations

import json
import subprocess
import sys

import numpy as np
import pytest
from hypothesis import HealthCheck, given
from hypothesis import settings as hsettings
from hypothesis import strategies as hst

from dashboard.catalog import schema as S
from dashboard.catalog.population import load_population
from dashboard.engine import whom as W
from dashboard.engine.population import Columns, sweep_columns
from dashboard.engine.rank import rank_cities
from tests.conftest import ROOT


@pytest.fixture(scope="module")
def pop():
    p, problems = load_population()
    assert problems == [] and p is not None
    return p


@pytest.fixture(scope="module")
def small(pop):
    """A smaller population (fewer values per axis) for the property tests, so each example runs fast."""
    axes = {a: dict(list(v.items())[:3]) for a, v in pop.axes.items()}
    p, problems = load_population(data={**pop.model_dump(), "axes": axes})
    assert problems == []
    return p


def test_full_population_size_and_shares_sum_to_one(pop, inputs, settings) -> None:
    sh = W.whom_wins(pop, inputs, settings)
    assert sh.profiles >= 50_000
    assert sum(sh.share_first.values()) == pytest.approx(1.0)
    for axis, vals in sh.by_segment.items():
        for v, shares in vals.items():
            assert sum(shares.values()) == pytest.approx(1.0), (axis, v)
    for k, shares in sh.pairs.items():
        assert sum(shares.values()) == pytest.approx(1.0), k


def test_graduation_years_are_relative_to_today(pop, settings) -> None:
    pc = W.population_columns(pop, settings)
    years = sorted(set(pc.cols.num["graduation_year"].tolist()))
    assert years == sorted(settings.today.year - y for y in pop.values("years_since_graduation"))
    ages = pc.cols.num["age"]
    phd = pc.cols.code["degree"] == list(S.DEGREE_ORDER).index("phd")
    assert ages[phd].min() == pop.graduation_age["phd"]  # no 22-year-old PhDs


@hsettings(max_examples=6, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(city=hst.sampled_from(list(S.CITIES)), category=hst.sampled_from(list(S.CATEGORIES)),
       amount=hst.sampled_from([1_000.0, 20_000.0, 300_000.0, 5_000_000.0]))
def test_added_offer_never_lowers_its_city_share(small, inputs, settings, city, category, amount) -> None:
    pc = W.population_columns(small, settings)
    before = W.whom_wins(small, inputs, settings, pc=pc)
    after = W.whom_wins(small, W.with_adds(inputs, [W.Add(city, category, amount)], settings.today), settings, pc=pc)
    assert after.share_first[city] >= before.share_first[city] - 1e-12
    for axis, vals in after.by_segment.items():
        for v, shares in vals.items():
            assert shares[city] >= before.by_segment[axis][v][city] - 1e-12, (axis, v)


def _subset(pc: W.PopColumns, idx: np.ndarray) -> W.PopColumns:
    c = pc.cols
    cols = Columns(len(idx), {k: v[idx] for k, v in c.num.items()}, {k: v[idx] for k, v in c.code.items()},
                   {k: v[idx] for k, v in c.flag.items()}, c.horizon, c.rate)
    w = pc.weight[idx]
    return W.PopColumns(cols, w / w.sum(), {a: i[idx] for a, i in pc.index.items()}, pc.values)


def test_segment_shares_equal_a_scalar_recount(pop, inputs, settings) -> None:
    pc = W.population_columns(pop, settings)
    res = sweep_columns(pc.cols, inputs, settings)
    idx = np.sort(np.random.default_rng(7).choice(pc.cols.n, size=120, replace=False))
    first_scalar = np.zeros((len(idx), len(res.cities)), bool)
    for k, i in enumerate(idx):
        leader = rank_cities(W.profile_at(pc, int(i)), inputs, settings, draws=0).leader.city
        first_scalar[k, res.cities.index(leader)] = True
    sub = _subset(pc, idx)
    vec = W.shares_from(sub, res.rank[idx] == 1, res.cities, pop.segments)
    scal = W.shares_from(sub, first_scalar, res.cities, pop.segments)
    assert (res.rank[idx] == 1).tolist() == first_scalar.tolist()
    assert vec.share_first == pytest.approx(scal.share_first)
    for axis in pop.segments:
        for v in scal.by_segment[axis]:
            assert vec.by_segment[axis][v] == pytest.approx(scal.by_segment[axis][v]), (axis, v)


@pytest.mark.parametrize(("text", "needle"), [
    ("atlantis:living:1000", "unknown city 'atlantis'"),
    ("chengdu:cash:1000", "unknown category 'cash'"),
    ("chengdu:living:-5", "must be positive"),
    ("chengdu:living:0", "must be positive"),
    ("chengdu:living:1e12", "not a number"),
    ("chengdu:living:999999999999", "absurd"),
    ("chengdu:living", "expected CITY:CATEGORY:AMOUNT"),
])
def test_bad_add_lines(text: str, needle: str) -> None:
    with pytest.raises(ValueError, match=None) as e:
        W.parse_add(text, list(S.CITIES))
    assert needle in str(e.value) and "\n" not in str(e.value)


@pytest.mark.parametrize(("change", "needle"), [
    (lambda d: d["axes"]["degree"].update({"bachelor": 0, "master": 0, "phd": 0, "postdoc": 0}), "weights sum to 0"),
    (lambda d: d["axes"]["degree"].update({"bachelor": -1}), "expected a number 0 or more"),
    (lambda d: d["axes"]["field"].update({"alchemy": 1}), "field 'alchemy' unknown"),
    (lambda d: d["axes"]["origin"].update({"martian": 1}), "origin 'martian' unknown"),
    (lambda d: d["axes"].update({"height": {"180": 1}}), "unknown axis 'height'"),
    (lambda d: d["axes"]["annual_salary_cny"].update({"-5": 1}), "out of range"),
    (lambda d: d.update({"segments": ["shoe_size"]}), "segment 'shoe_size' unknown"),
])
def test_bad_population_gets_one_clear_line(pop, change, needle) -> None:
    data = json.loads(pop.model_dump_json())
    change(data)
    model, problems = load_population(data=data, display="population.yaml")
    assert model is None and len(problems) == 1
    assert needle in str(problems[0]) and str(problems[0]).startswith("population.yaml:")


def test_cli_population(tmp_path) -> None:
    run = [sys.executable, "-m", "dashboard", "population", "--as-of", "2026-11-23", "--json"]
    out = subprocess.run([*run, "--add", "chengdu:living:20000"], cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert out.returncode == 0, out.stderr
    data = json.loads(out.stdout)
    assert data["profiles"] >= 50_000
    assert sum(c["share_first"] for c in data["cities"]) == pytest.approx(1.0, abs=1e-5)
    cd = next(c for c in data["cities"] if c["city"] == "chengdu")
    assert cd["share_first"] >= cd["share_first_before"] and set(cd["by_segment"]) == {"degree", "field", "origin"}
    bad = subprocess.run([*run, "--add", "atlantis:living:5", "--add", "chengdu:gold:5"], cwd=ROOT, capture_output=True,
                         text=True, timeout=300)
    assert bad.returncode == 2 and len(bad.stderr.strip().splitlines()) == 2 and "Traceback" not in bad.stderr
    f = tmp_path / "pop.yaml"
    f.write_text("title_en: x\ntitle_zh: x\ngraduation_age: {bachelor: 22}\naxes: {degree: {bachelor: 0}}\n")
    bad = subprocess.run([*run, "--file", str(f)], cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert bad.returncode == 2 and str(f) in bad.stderr and "Traceback" not in bad.stderr
