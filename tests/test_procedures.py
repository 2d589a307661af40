"""Procedure and timeline data: the shipped files load clean, cover the items the research sheet covers, cite
sources that resolve, and a broken reference or a malformed record is reported at its file, record and field."""

from __future__ import annotations

import shutil
from datetime import date
from pathlib import Path

import pytest

from dashboard.catalog import procedures as P
from dashboard.catalog.loader import load_catalog
from tests.conftest import DATA_TODAY, ROOT

# apply_and_timeline.md Part A: the items it covers, by incentive or national rule id.
COVERED = [
    "k-visa", "wp-class-a", "wp-class-b", "wp-class-c", "z-visa", "r-visa", "pr-salary-6x", "sz-pr-salary-route",
    "sz-gba-iit-refund", "sz-new-phd-living-subsidy", "sz-youth-housing-subsidy", "sz-youth-housing-flat",
    "hz-graduate-living-allowance", "sh-returnee-hukou", "sh-lingang-settlement-allowance", "bj-graduate-hukou",
    "bj-returnee-hukou", "bj-haidian-returnee-introduction", "cd-hukou-graduate-diploma", "cd-youth-talent-inn",
]


def test_shipped_procedures_and_timeline_load_clean(catalog) -> None:
    mine = [p for p in catalog.problems if p.file.startswith(("data/procedures/", "data/timeline"))]
    assert [str(p) for p in mine] == []
    assert set(catalog.procedures) == {"national", "beijing", "shanghai", "shenzhen", "hangzhou", "chengdu"}
    assert catalog.timeline is not None


def test_every_covered_item_has_exactly_one_procedure(catalog) -> None:
    idx = P.index(catalog.procedures)
    assert [k for k in COVERED if k not in idx] == []
    keys = [k for f in catalog.procedures.values() for p in f.procedures for k in [*p.incentives, *p.national]]
    assert len(keys) == len(set(keys))


def test_every_source_reference_resolves(catalog) -> None:
    for stem, f in catalog.procedures.items():
        for p in f.procedures:
            for sid in p.cited():
                assert P.resolve(f"procedures/{stem}:{sid}", catalog) is not None, (stem, p.id, sid)
    for e in catalog.timeline.events:
        for sid in e.sources:
            assert P.resolve(f"timeline:{sid}", catalog) is not None, (e.id, sid)
    assert P.resolve("procedures/nowhere:A01", catalog) is None
    assert P.resolve("cities/shenzhen:S96", catalog).url.startswith("http")


def test_unknowns_stay_unknown(catalog) -> None:
    """The research's gaps are stated, not filled: K-visa fee and checklist, Shenzhen youth housing portal,
    Lingang window, Chengdu hukou office."""
    by = P.by_id(catalog.procedures)
    k = by["k-visa-application"].procedure
    assert all(f.amount_cny is None for f in k.fees) and "Fee" in k.unknown_en
    assert not by["sz-youth-housing-application"].procedure.places
    assert "Application window" in by["sh-lingang-allowance-application"].procedure.unknown_en
    assert any("office" in u for u in by["cd-hukou-application"].procedure.unknown_en)


def test_conflicting_deadlines_are_data(catalog) -> None:
    hz = P.by_id(catalog.procedures)["hz-living-allowance-application"].procedure
    overseas = {r.edge.years for r in hz.closes if r.edge is not None and "foreign" in r.origins}
    assert overseas == {5, 6}
    domestic = [r for r in hz.closes if "mainland" in r.origins]
    assert {r.edge is None for r in domestic} == {True, False}


def test_timeline_spans_2013_to_2031_with_the_key_events(catalog) -> None:
    ev = {e.id: e for e in catalog.timeline.events}
    dated = [e.date for e in ev.values() if e.date]
    assert min(dated).year == 2013 and max(dated).year == 2031
    assert ev["2025-k-visa-in-force"].date == date(2025, 10, 1)
    gba = ev["2027-gba-iit-ends"]
    assert gba.kind == "expires" and gba.date == date(2027, 12, 31) and "sz-gba-iit-refund" in gba.incentives
    assert ev["2015-shanghai-12-measures"].precision == "month"
    assert {e.kind for e in ev.values()} >= {"enacted", "extended", "expires", "announced", "window", "pending"}
    assert {c for e in ev.values() for c in e.cities} == {"beijing", "shanghai", "shenzhen", "hangzhou", "chengdu"}


@pytest.fixture
def data_copy(tmp_path: Path) -> Path:
    root = tmp_path / "data"
    root.mkdir()
    for sub in ("cities", "national", "reference"):
        (root / sub).symlink_to(ROOT / "data" / sub)
    shutil.copytree(ROOT / "data" / "procedures", root / "procedures")
    shutil.copy(ROOT / "data" / "timeline.yaml", root / "timeline.yaml")
    return root


def _edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def test_unknown_incentive_id_is_reported_and_the_file_left_out(data_copy: Path) -> None:
    _edit(data_copy / "procedures" / "hangzhou.yaml", "incentives: [hz-graduate-living-allowance]",
          "incentives: [hz-graduate-living-alowance]")
    res = load_catalog(root=data_copy, today=DATA_TODAY)
    msgs = [str(p) for p in res.errors]
    assert msgs == ["data/procedures/hangzhou.yaml:hz-living-allowance-application:incentives: unknown incentive id "
                    "'hz-graduate-living-alowance'; expected an id in data/cities/hangzhou.yaml"]
    assert "hangzhou" not in res.procedures and "data/procedures/hangzhou.yaml" in res.unavailable
    assert "shenzhen" in res.procedures  # the others still load


def test_unknown_national_rule_and_tier_are_reported(data_copy: Path) -> None:
    _edit(data_copy / "procedures" / "national.yaml", "national: [r-visa]", "national: [r-visas]")
    _edit(data_copy / "procedures" / "shanghai.yaml", "tiers: [top-500]", "tiers: [top-50]")
    res = load_catalog(root=data_copy, today=DATA_TODAY)
    msgs = sorted(str(p) for p in res.errors)
    assert any(m.startswith("data/procedures/national.yaml:r-visa-application:national: unknown national rule id "
                            "'r-visas'") for m in msgs)
    assert any(m.startswith("data/procedures/shanghai.yaml:sh-returnee-hukou-application:opens[0].tiers: unknown tier "
                            "'top-50'") for m in msgs)


def test_malformed_records_name_record_and_field(data_copy: Path) -> None:
    _edit(data_copy / "procedures" / "chengdu.yaml", "edge: {event: graduation, inclusive: true,",
          "edge: {event: graduation,")
    _edit(data_copy / "timeline.yaml", "    date: 2015-07-01\n    precision: month", "    date: 2015-07-12\n    precision: month")
    res = load_catalog(root=data_copy, today=DATA_TODAY)
    msgs = [str(p) for p in res.errors]
    assert "data/procedures/chengdu.yaml:cd-hukou-application:opens[0].edge.inclusive: missing; this field is required" in msgs
    assert any(m.startswith("data/timeline.yaml:2015-shanghai-12-measures:") and "month precision" in m for m in msgs)
    assert res.timeline is None


def test_step_order_and_places_are_checked() -> None:
    base = {"id": "x-proc", "national": ["k-visa"], "name_en": "x", "name_zh": "x", "files_by": "applicant",
            "files_by_en": "x", "files_by_zh": "x", "timing_en": "x", "timing_zh": "x", "verification": "official",
            "sources": ["A01"]}
    step = {"who": "applicant", "text_en": "x", "text_zh": "x", "verification": "official", "sources": ["A01"]}
    with pytest.raises(ValueError, match="not an earlier step"):
        P.Procedure.model_validate({**base, "steps": [{**step, "id": "one", "after": ["two"]}, {**step, "id": "two"}]})
    with pytest.raises(ValueError, match="names place"):
        P.Procedure.model_validate({**base, "steps": [{**step, "id": "one", "place": "nowhere"}]})
    with pytest.raises(ValueError, match="same items in both languages"):
        P.Procedure.model_validate({**base, "unknown_en": ["a", "b"], "unknown_zh": ["甲"]})


def test_a_catalog_without_procedures_still_loads(tmp_path: Path) -> None:
    root = tmp_path / "data"
    root.mkdir()
    for sub in ("cities", "national", "reference"):
        (root / sub).symlink_to(ROOT / "data" / sub)
    res = load_catalog(root=root, today=DATA_TODAY)
    assert res.procedures == {} and res.timeline is None and res.errors == []


def test_every_vocabulary_the_pages_show_has_both_languages() -> None:
    from dashboard.i18n import catalog as strings

    keys = set(strings())
    groups = {"proc.files": P.Who.__args__, "proc.who": P.StepWho.__args__, "proc.place": P.PlaceKind.__args__,  # type: ignore[attr-defined]
              "tl.topic": P.TOPICS, "tl.kind": P.EVENT_KINDS, "tl.lane": P.Level.__args__,  # type: ignore[attr-defined]
              "plan.kind": ("opens", "closes"),
              "plan.f": ("graduation_date", "arrival_date", "work_start_date"),
              }
    missing = [f"{g}.{v}" for g, vals in groups.items() for v in vals if f"{g}.{v}" not in keys]
    missing += [f"plan.f.{f}.help" for f in groups["plan.f"] if f"plan.f.{f}.help" not in keys]
    assert missing == []


def test_profile_dates_are_optional_and_in_the_json_schema() -> None:
    from dashboard.engine.profile import Profile, parse_profile, profile_json_schema

    props = profile_json_schema()["properties"]
    for f in ("graduation_date", "arrival_date", "work_start_date"):
        assert {"type": "string", "format": "date"} in props[f]["anyOf"] and props[f]["description"]
    p = parse_profile({"graduation_date": "2026-06-30"})
    assert p.graduation_date == date(2026, 6, 30) and p.work_start_date is None
    assert Profile().arrival_date is None
