"""Provenance where figures are used (issue 10): card lines, source order, plain words for weak kinds, and
the "official sources only" view."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
import yaml

from dashboard import exports as X
from dashboard import provenance as PV
from dashboard.catalog import schema as S
from dashboard.catalog.loader import LoadResult
from dashboard.engine.evaluate import evaluate_city, inputs_from
from dashboard.engine.profile import Profile, Settings
from dashboard.engine.rank import rank_cities

TODAY = date(2026, 11, 23)
MINIMAL = Path(__file__).resolve().parent / "data" / "minimal_city.yaml"
PHD = Profile(age=30, degree="phd", origin="mainland")
MASTER = Profile(age=30, degree="master", origin="mainland")


def city(living_kind: str = "official", housing_kind: str | None = None) -> S.CityFile:
    """The minimal city: the PhD living subsidy on S1 (of ``living_kind``); the housing allowance on S1, or
    on a second source of ``housing_kind``."""
    data = yaml.safe_load(MINIMAL.read_text(encoding="utf-8"))
    data["sources"][0]["kind"] = living_kind
    if living_kind != "official":
        data["incentives"][0]["verification"] = "secondary"
    if housing_kind:
        data["sources"].append({"id": "S2", "kind": housing_kind, "issuer": "Second issuer", "title": "Second text",
                                "retrieved": "2026-11-01"})
        data["incentives"][1]["sources"] = ["S2"]
        if housing_kind in ("machine_translation", "ai_generated"):
            data["incentives"][1]["verification"] = "unverified"
    data["incentives"][1]["excludes"] = []
    data["incentives"][0]["excludes"] = []
    return S.CityFile.model_validate(data)


def result(c: S.CityFile, profile: Profile):
    return evaluate_city(profile, "testcity", inputs_from(LoadResult(cities={"testcity": c})), Settings(today=TODAY))


def test_value_provenance_all_official_share_and_weakest() -> None:
    all_official = PV.value_provenance(city(), result(city(), PHD).evaluations)
    assert all_official.share_official == 1.0 and all_official.weakest == "official"
    assert "all on official texts" in PV.value_line(all_official, "en")
    mixed_city = city(housing_kind="press")
    mixed = PV.value_provenance(mixed_city, result(mixed_city, PHD).evaluations)
    assert 0 < mixed.share_official < 1 and mixed.weakest == "press"
    line = PV.value_line(mixed, "en", plain=True)
    assert line == f"{mixed.share_official:.0%} on official texts; the rest: ◐ press at best"
    assert "其余最多为" in PV.value_line(mixed, "zh")


def test_nothing_counted_says_so() -> None:
    c = city(housing_kind="machine_translation")  # the only item a non-graduate could get is unverified
    vp = PV.value_provenance(c, result(c, Profile(degree="none")).evaluations)
    assert vp.weakest is None and PV.value_line(vp, "en") == "nothing counted"


def test_machine_translation_is_never_counted_and_says_so() -> None:
    c = city(housing_kind="machine_translation")
    res = result(c, MASTER)
    housing = next(e for e in res.evaluations if e.id == "tc-housing-allowance")
    assert housing.status == "possible" and not housing.counted
    assert any(r.kind == "verification" for r in housing.conditions)


@pytest.mark.parametrize(("kind", "en", "zh"), [
    ("machine_translation", "machine translation", "机器翻译"), ("ai_generated", "AI-generated answer", "AI生成的回答"),
    ("official", "official", "官方")])
def test_brief_source_lines_name_the_kind_plainly(kind: str, en: str, zh: str) -> None:
    s = X.BriefSource("c", "City", "S1", "Issuer", "Title", None, None, None, TODAY, ("x",), kind=kind)
    assert X.source_line(s, "en").startswith("[") and en in X.source_line(s, "en")
    assert zh in X.source_line(s, "zh")


def test_faithful_repost_is_shown_as_official() -> None:
    s = X.BriefSource("c", "City", "S1", "Issuer", "Title", None, None, None, TODAY, ("x",), kind="aggregator",
                      faithful=True)
    assert X.source_line(s, "en").startswith("[● official]")
    assert PV.ordered_key(s) == 0


def test_official_only_drops_and_says_what(catalog: LoadResult) -> None:
    inputs = inputs_from(catalog)
    kept, dropped = PV.official_only(inputs)
    assert dropped, "the real catalog has records without an official source"
    for cid, c in kept.cities.items():
        by_id = {s.id: s for s in c.sources}
        assert all(any(by_id[s].backs_official for s in i.sources) for i in c.incentives)
        ids = {i.id for i in c.incentives}
        assert all(set(i.excludes) <= ids for i in c.incentives)
        assert len(c.incentives) + sum(d.city == cid for d in dropped) == len(inputs.cities[cid].incentives)
    ranking = rank_cities(PHD, kept, Settings(today=TODAY))
    data = X.brief_data(ranking, kept, "en", scenario_name="t", today=TODAY, dropped=dropped, dropped_from=inputs)
    note = next(n for n in data.notes if n.startswith("Official sources only"))
    assert f"{len(dropped)} incentives" in note
    assert all(s.kind == "official" or s.faithful for s in data.sources)
    zh = X.brief_data(ranking, kept, "zh", scenario_name="t", today=TODAY, dropped=dropped, dropped_from=inputs)
    assert any(n.startswith("仅官方来源") for n in zh.notes)
