"""Reference data (wages, rents, house prices, economy, rankings) and the industry-fit file: they load clean,
the figures the engine relies on exist for every city, and a broken industry file is reported with
file:record:field instead of being half-read."""

from __future__ import annotations

import copy
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any

import pytest
import yaml

from dashboard.catalog.industry import RESEARCH_ROWS, IndustryFitFile
from dashboard.catalog.loader import LoadResult, load_catalog, load_file
from dashboard.catalog.schema import CITIES, FIELDS

ROOT = Path(__file__).resolve().parents[1]
REF = ROOT / "data" / "reference"
INDUSTRY = REF / "industry_fit.yaml"
TODAY = date(2026, 11, 23)
TOPICS = {"wages", "rents", "house_prices", "economy", "rankings"}

# The figures recommended to the engine (see the header comments of wages.yaml and rents.yaml).
LOCAL_WAGE = {
    "beijing": "beijing-wage-2024-nonprivate_employed",
    "shanghai": "shanghai-wage-2024-all_urban",  # flagged: Shanghai's 2024 non-private value was not retrieved
    "shenzhen": "shenzhen-wage-2024-nonprivate_employed",
    "hangzhou": "hangzhou-wage-2024-nonprivate_employed",
    "chengdu": "chengdu-wage-2024-nonprivate_employed",
}
MARKET_RENT = {c: f"{c}-rent-m2-2018-zhuge" for c in CITIES}
WAGE_CODES = (
    "nonprivate_employed", "nonprivate_onpost", "nonprivate", "private", "all_urban", "large_enterprise", "si_average",
)


@pytest.fixture(scope="module")
def catalog() -> LoadResult:
    return load_catalog(today=date(2026, 12, 4))  # the data as of its newest retrieval


@pytest.fixture(scope="module")
def industry() -> IndustryFitFile:
    model, problems = load_file(INDUSTRY, today=TODAY)
    assert [str(p) for p in problems] == []
    assert isinstance(model, IndustryFitFile)
    return model


def _figures(catalog: LoadResult, topic: str) -> dict[str, Any]:
    return {f.id: f for f in catalog.reference[topic].figures}


# --- reference figures ---------------------------------------------------------------------------------


def test_reference_files_load(catalog: LoadResult) -> None:
    ref_errors = [str(p) for p in catalog.errors if "data/reference/" in p.file]
    assert ref_errors == []
    assert set(catalog.reference) >= TOPICS
    assert "industry_fit" in catalog.reference_extra


def test_every_city_has_an_annual_wage(catalog: LoadResult) -> None:
    wages = catalog.reference["wages"].figures
    for city in CITIES:
        assert any(f.city == city and f.metric == "avg_annual_wage" and f.unit == "CNY_per_year" for f in wages), city


def test_recommended_wage_and_rent_figures_exist(catalog: LoadResult) -> None:
    wages, rents = _figures(catalog, "wages"), _figures(catalog, "rents")
    for city in CITIES:
        w = wages[LOCAL_WAGE[city]]
        assert (w.city, w.metric, w.unit, w.year) == (city, "avg_annual_wage", "CNY_per_year", 2024)
        r = rents[MARKET_RENT[city]]
        assert (r.city, r.metric, r.unit) == (city, "rent_per_m2_month", "CNY_per_m2_month")
    # only Shanghai's pick is flagged: a different definition from the other four
    assert [c for c in CITIES if not wages[LOCAL_WAGE[c]].comparable] == ["shanghai"]


def test_wage_ids_carry_their_definition(catalog: LoadResult) -> None:
    for f in catalog.reference["wages"].figures:
        code = next((c for c in WAGE_CODES if f"-{c}" in f.id), None)
        assert code is not None, f.id
        assert f.definition_en.startswith(code), f.id


def test_national_benchmarks_have_no_city(catalog: LoadResult) -> None:
    wages = _figures(catalog, "wages")
    assert wages["national-wage-2024-nonprivate_employed"].city is None
    assert wages["national-wage-2024-nonprivate_employed"].value == 124110


# --- industry fit --------------------------------------------------------------------------------------


def test_industry_fit_covers_every_city_and_row(industry: IndustryFitFile) -> None:
    cells = {(d.city, d.research_row) for d in industry.designations}
    assert cells == {(c, r) for c in CITIES for r in RESEARCH_ROWS}
    assert {m.field for m in industry.field_mapping} == set(FIELDS)


def test_industry_fit_levels(industry: IndustryFitFile) -> None:
    assert industry.level_for("shanghai", "semiconductors") == "core"
    assert industry.level_for("hangzhou", "quantum") == "not_found"
    assert industry.level_for("beijing", "quantum") == "priority_future"
    # information_technology takes the strongest of software_internet and electronics_hardware
    assert industry.level_for("shenzhen", "information_technology") == "core"
    assert industry.level_for("shanghai", "information_technology") == "priority"
    # medicine reads the biotech_biomedicine row
    assert industry.level_for("beijing", "medicine") == industry.level_for("beijing", "biotech") == "core"
    # not assessed by the research: unknown, never 0
    assert industry.level_for("chengdu", "mathematics") is None
    assert industry.level_score("chengdu", "mathematics") is None
    assert industry.level_score("chengdu", "advanced_manufacturing") == 1.0


def test_industry_fit_cells_cite_sources(industry: IndustryFitFile) -> None:
    for d in industry.designations:
        if d.level != "not_found":
            assert d.documents and d.sources, d.id


def _copy_with(tmp_path: Path, mutate: Callable[[dict[str, Any]], None]) -> Path:
    data = yaml.safe_load(INDUSTRY.read_text(encoding="utf-8"))
    data = copy.deepcopy(data)
    mutate(data)
    out = tmp_path / "reference" / "industry_fit.yaml"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return out


def _cell(data: dict[str, Any], cell_id: str) -> dict[str, Any]:
    return next(d for d in data["designations"] if d["id"] == cell_id)


def test_unknown_field_is_reported_with_file_record_field(tmp_path: Path) -> None:
    path = _copy_with(tmp_path, lambda d: _cell(d, "beijing.ai").update(fields=["robotics"]))
    model, problems = load_file(path, today=TODAY)
    assert model is None
    hits = [p for p in problems if p.record == "beijing.ai" and p.field in ("fields.0", "fields[0]")]
    assert hits, [str(p) for p in problems]
    assert hits[0].file == str(path)
    assert "robotics" in hits[0].message
    assert str(hits[0]).startswith(f"{path}:beijing.ai:{hits[0].field}:")


def test_check_reports_unknown_city_source_and_document(tmp_path: Path) -> None:
    def mutate(d: dict[str, Any]) -> None:
        _cell(d, "shanghai.ai").update(city="wuhan")
        _cell(d, "shenzhen.ai")["sources"].append("I999")
        _cell(d, "chengdu.ai")["documents"].append("D-XX9")

    model, problems = load_file(_copy_with(tmp_path, mutate), today=TODAY)
    assert model is None
    got = {(p.record, p.field) for p in problems}
    assert ("shanghai.ai", "city") in got
    assert ("shenzhen.ai", "sources") in got
    assert ("chengdu.ai", "documents") in got


def test_check_reports_fields_that_disagree_with_the_mapping(tmp_path: Path) -> None:
    path = _copy_with(tmp_path, lambda d: _cell(d, "hangzhou.semiconductors").update(fields=["ai"]))
    model, problems = load_file(path, today=TODAY)
    assert model is None
    assert any(p.record == "hangzhou.semiconductors" and p.field == "fields" for p in problems)
