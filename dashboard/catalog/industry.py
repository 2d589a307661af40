"""Models for reference files with their own shape (registered in ``FILES`` by file name).

``industry_fit.yaml`` holds the city x field "industry fit" input from research/industry_fit.md:

- ``field_mapping``: how the research's field list maps onto the project's fields (``Field_``). A field with no
  research rows was not assessed: the engine must say "unknown", never "not a priority".
- ``documents``: the policy documents (D-BJ1 ...) that designate priority industries.
- ``designations``: one record per city and research row (Part A matrix cell): its level (core, priority,
  priority_future, not_found), the project fields it counts for, its documents and sources.
- ``indicators``: comparable strength indicators per city (Part B), each with year, unit, source and a
  qualifier for "about", "over", "not in the top N" values.
- ``gaps``: indicators the research looked for and did not find, so the app can say so.
- ``level_scores`` and ``strength_rules``: the research's *derived* suggestions (numeric encoding of levels;
  B8 strength inputs by field). They are proposals, not sourced facts, and are marked ``basis: derived``.

Why research rows are kept beside project fields: one project field can draw on several research rows
(information_technology <- software_internet + electronics_hardware), and one row can feed two fields
(biotech_biomedicine -> biotech, medicine). Keeping the row makes every level traceable to the matrix cell.
"""

from __future__ import annotations

from collections import Counter
from datetime import date
from typing import Annotated, Literal

from pydantic import BaseModel, Field, model_validator

from dashboard.catalog.loader import Problem
from dashboard.catalog.schema import (
    CITIES,
    FIELDS,
    ID,
    LONG,
    SHORT,
    SOURCE_ID,
    Field_,
    ScopeLevel,
    Source,
    Strict,
    Verification,
)

# The research's own field list (industry_fit.md, "Field list"), kept as row labels for traceability.
ResearchRow = Literal[
    "ai", "semiconductors", "biotech_biomedicine", "quantum", "new_energy", "aerospace_aviation",
    "electronics_hardware", "software_internet", "advanced_manufacturing", "materials", "fintech", "non_stem",
]
RESEARCH_ROWS: tuple[str, ...] = ResearchRow.__args__  # type: ignore[attr-defined]

# Part A cell legend: core (headline designation), priority (current strategic/emerging list), priority_future
# (only among "future industries"), not_found ("—": not in the retrieved documents; not proof of absence).
Level = Literal["core", "priority", "priority_future", "not_found"]
LEVEL_ORDER: dict[str, int] = {"not_found": 0, "priority_future": 1, "priority": 2, "core": 3}

IndicatorMetric = Literal[
    "little_giant_firms", "high_tech_enterprises", "rd_intensity", "invention_patents_per_10k",
    "high_value_patents_per_10k_province_rank", "double_first_class_universities",
    "nature_index_science_city_rank", "nature_index_life_sciences_rank", "gii_cluster_rank", "ai_city_rank",
    "ic_city_rank_mainland", "ic_city_rank_world", "fintech_hub_rank", "gfci_rank", "gfci_fintech_rank",
    "ai_core_industry_scale", "ai_firms", "ic_industry_scale", "ic_design_sales", "health_industry_scale",
    "biomedicine_industry_scale", "pharma_manufacturing_output",
]
IndicatorUnit = Literal["count", "percent_of_gdp", "per_10k_persons", "rank", "CNY_bn"]
# exact; about (约); over (>, 超过); not_in_top (rank worse than value); within_top (rank at most value, exact
# rank not given).
Qualifier = Literal["exact", "about", "over", "not_in_top", "within_top"]

DOC_ID = Annotated[str, Field(pattern=r"^D-[A-Z]{2}[0-9]{1,2}$")]


class FieldMapping(Strict):
    """Which research rows feed one project field (empty: not assessed by the research)."""

    field: Field_
    research_rows: list[ResearchRow] = Field(default_factory=list)
    note: LONG | None = None


class PolicyDocument(Strict):
    """A document that designates priority industries (industry_fit.md A2)."""

    id: DOC_ID
    city: ID
    scope_level: ScopeLevel = "city"
    scope_name_en: SHORT | None = Field(None, description="the district or zone, when scope_level is not city")
    title_zh: LONG | None = None
    title_en: LONG
    document_number: SHORT | None = None
    issuer: SHORT
    date_text: SHORT = Field(description="the date as the research gives it, e.g. 'Aug 2021', '2023-2024'")
    published: date | None = Field(None, description="only when the research gives a full date")
    designates_en: LONG
    verification: Verification
    sources: list[SOURCE_ID] = Field(min_length=1)
    note: LONG | None = None

    @model_validator(mode="after")
    def _scope(self) -> PolicyDocument:
        if self.scope_level != "city" and not self.scope_name_en:
            raise ValueError("a district/zone/province document needs scope_name_en")
        return self


class Designation(Strict):
    """One Part A matrix cell: how strongly a city designates one research row, and the fields it counts for."""

    id: ID
    city: ID
    research_row: ResearchRow
    fields: list[Field_] = Field(description="project fields this row counts for (from field_mapping)")
    level: Level
    evidence_en: LONG | None = Field(None, description="the cell's own words: which list or cluster names it")
    documents: list[DOC_ID] = Field(default_factory=list)
    verification: Verification
    sources: list[SOURCE_ID] = Field(default_factory=list)
    note: LONG | None = None

    @model_validator(mode="after")
    def _evidence(self) -> Designation:
        if self.level != "not_found" and not (self.documents or self.sources):
            raise ValueError(f"level {self.level} needs documents or sources; expected at least one")
        return self


class Indicator(Strict):
    """One comparable strength indicator value for a city (industry_fit.md Part B)."""

    id: ID
    city: ID
    metric: IndicatorMetric
    value: float = Field(ge=0)
    qualifier: Qualifier = "exact"
    unit: IndicatorUnit
    year: int = Field(ge=1990, le=2035)
    period: SHORT | None = None
    definition_en: LONG
    comparable: bool = Field(description="false where definitions or bases differ between cities")
    weak: bool = False
    verification: Verification
    sources: list[SOURCE_ID] = Field(default_factory=list)
    note: LONG | None = None

    @model_validator(mode="after")
    def _shape(self) -> Indicator:
        if self.qualifier in ("not_in_top", "within_top") and self.unit != "rank":
            raise ValueError(f"qualifier {self.qualifier} is for ranks; expected unit rank")
        if self.unit == "rank" and self.value < 1:
            raise ValueError("a rank starts at 1")
        if not self.sources and self.verification != "unverified":
            raise ValueError("sources are required unless verification is unverified")
        return self


class Gap(Strict):
    """An indicator the research looked for and did not find (unknown, not zero)."""

    id: ID
    metric: IndicatorMetric | None = None
    cities: list[ID] = Field(min_length=1)
    statement_en: LONG
    research_ref: SHORT


class LevelScores(Strict):
    """The research's suggested numeric encoding of levels: derived, not from any source."""

    basis: Literal["derived"]
    rule_en: LONG
    research_ref: SHORT
    core: float = Field(ge=0, le=1)
    priority: float = Field(ge=0, le=1)
    priority_future: float = Field(ge=0, le=1)
    not_found: float = Field(ge=0, le=1)

    @model_validator(mode="after")
    def _monotonic(self) -> LevelScores:
        if not self.core >= self.priority >= self.priority_future >= self.not_found:
            raise ValueError("expected core >= priority >= priority_future >= not_found")
        return self


class StrengthRule(Strict):
    """A B8 suggestion: which indicators measure strength in some fields, and the city order they give.

    ``order`` lists cities best first; cities in one inner list are tied (the research's '≈' or '=').
    None means the research found no measurable input for these fields."""

    id: ID
    basis: Literal["derived"]
    applies_to: Literal["fields", "general"] = Field(description="general: fallback for any STEM field")
    research_rows: list[ResearchRow] = Field(default_factory=list)
    fields: list[Field_] = Field(default_factory=list)
    input_metrics: list[IndicatorMetric] = Field(default_factory=list)
    order: list[list[ID]] | None = None
    order_text_en: SHORT | None = Field(None, description="the research's own wording of the order")
    rule_en: LONG
    research_ref: SHORT
    note: LONG | None = None

    @model_validator(mode="after")
    def _shape(self) -> StrengthRule:
        if self.applies_to == "fields" and not self.research_rows:
            raise ValueError("a field rule needs research_rows")
        if self.order is not None and not self.input_metrics:
            raise ValueError("an order needs the input_metrics it comes from")
        return self


class IndustryFitFile(Strict):
    topic: Literal["industry_fit"]
    title_en: SHORT
    title_zh: SHORT
    as_of: date
    sources: list[Source] = Field(min_length=1)
    field_mapping: list[FieldMapping] = Field(min_length=1)
    documents: list[PolicyDocument] = Field(min_length=1)
    designations: list[Designation] = Field(min_length=1)
    indicators: list[Indicator] = Field(default_factory=list)
    gaps: list[Gap] = Field(default_factory=list)
    level_scores: LevelScores
    strength_rules: list[StrengthRule] = Field(default_factory=list)

    # --- lookups for the engine (pure, no I/O) ---

    def rows_for(self, field: str) -> list[str]:
        """Research rows that feed a project field; empty when the research did not assess it."""
        return next((list(m.research_rows) for m in self.field_mapping if m.field == field), [])

    def designations_for(self, city: str, field: str) -> list[Designation]:
        """The matrix cells behind (city, field), strongest first."""
        rows = set(self.rows_for(field))
        cells = [d for d in self.designations if d.city == city and d.research_row in rows]
        return sorted(cells, key=lambda d: -LEVEL_ORDER[d.level])

    def level_for(self, city: str, field: str) -> str | None:
        """Strongest designation level for (city, field); None when the field was not assessed or no cell exists."""
        cells = self.designations_for(city, field)
        return cells[0].level if cells else None

    def level_score(self, city: str, field: str) -> float | None:
        """The research's derived 0..1 encoding of :meth:`level_for`; None stays unknown."""
        level = self.level_for(city, field)
        return None if level is None else float(getattr(self.level_scores, level))

    def indicators_for(self, city: str, metric: str | None = None) -> list[Indicator]:
        return [i for i in self.indicators if i.city == city and (metric is None or i.metric == metric)]

    def strength_rules_for(self, field: str) -> list[StrengthRule]:
        """The B8 rules naming this field, else the general fallback (for STEM fields)."""
        specific = [r for r in self.strength_rules if field in r.fields]
        if specific or field == "non_stem":
            return specific
        return [r for r in self.strength_rules if r.applies_to == "general"]


FILES: dict[str, type[BaseModel]] = {"industry_fit.yaml": IndustryFitFile}


def _dups(file: str, ids: list[str], what: str) -> list[Problem]:
    return [Problem(file, d, "id", f"duplicate {what} id; expected each listed once")
            for d, n in sorted(Counter(ids).items()) if n > 1]


def check(file: str, model: BaseModel, today: date) -> list[Problem]:
    """Cross-record checks: unknown source ids, cities, documents and fields; the mapping and the matrix agree.

    Field names themselves are a closed Literal, so an unknown field is already reported at validation with its
    file, record and field; here the field mapping must cover every project field once, and each cell's
    ``fields`` must be what the mapping gives for its research row."""
    if not isinstance(model, IndustryFitFile):
        return []
    out: list[Problem] = []
    known_src = {s.id for s in model.sources}
    out += _dups(file, [s.id for s in model.sources], "source")
    docs = {d.id: d for d in model.documents}
    out += _dups(file, [d.id for d in model.documents], "document")
    rec_ids = ([d.id for d in model.designations] + [i.id for i in model.indicators] + [g.id for g in model.gaps]
               + [r.id for r in model.strength_rules])
    out += _dups(file, rec_ids, "record")
    for s in model.sources:
        if s.retrieved > today:
            out.append(Problem(file, s.id, "retrieved", f"date {s.retrieved} is in the future; expected a past date"))

    def city_ok(rec: str, city: str, fld: str = "city") -> None:
        if city not in CITIES:
            out.append(Problem(file, rec, fld, f"unknown city {city!r}; expected one of {', '.join(CITIES)}"))

    def sources_ok(rec: str, ids: list[str]) -> None:
        for sid in ids:
            if sid not in known_src:
                out.append(Problem(file, rec, "sources", f"unknown source id {sid!r}; expected one of the file's sources"))

    # field mapping: every project field exactly once; each research row maps somewhere at most once per field
    mapped = Counter(m.field for m in model.field_mapping)
    for f in FIELDS:
        if mapped[f] == 0:
            out.append(Problem(file, "field_mapping", f, f"field {f!r} missing from field_mapping; expected every "
                               "project field once (research_rows: [] when not assessed)"))
        elif mapped[f] > 1:
            out.append(Problem(file, "field_mapping", f, f"field {f!r} mapped {mapped[f]} times; expected once"))
    fields_of_row: dict[str, set[str]] = {r: set() for r in RESEARCH_ROWS}
    for m in model.field_mapping:
        for r in m.research_rows:
            fields_of_row[r].add(m.field)

    for d in model.documents:
        city_ok(d.id, d.city)
        sources_ok(d.id, d.sources)

    cells = Counter((d.city, d.research_row) for d in model.designations)
    for d in model.designations:
        city_ok(d.id, d.city)
        sources_ok(d.id, d.sources)
        for code in d.documents:
            if code not in docs:
                out.append(Problem(file, d.id, "documents", f"unknown document {code!r}; expected one of the "
                                   "file's documents"))
            elif docs[code].city != d.city:
                out.append(Problem(file, d.id, "documents", f"document {code!r} belongs to {docs[code].city}; "
                                   f"expected a {d.city} document"))
        expected = fields_of_row[d.research_row]
        if set(d.fields) != expected:
            out.append(Problem(file, d.id, "fields", f"fields {sorted(d.fields)} do not match field_mapping for "
                               f"research row {d.research_row!r}; expected {sorted(expected)}"))
        if cells[(d.city, d.research_row)] > 1:
            out.append(Problem(file, d.id, "research_row", f"{d.city} has more than one cell for "
                               f"{d.research_row!r}; expected one"))
    for c in CITIES:
        for r in RESEARCH_ROWS:
            if cells[(c, r)] == 0:
                out.append(Problem(file, "designations", f"{c}.{r}", "matrix cell missing; expected one designation "
                                   "per city and research row (level not_found when none was found)"))

    for i in model.indicators:
        city_ok(i.id, i.city)
        sources_ok(i.id, i.sources)
        if i.year > today.year:
            out.append(Problem(file, i.id, "year", f"year {i.year} is in the future; expected {today.year} or earlier"))
    for g in model.gaps:
        for c in g.cities:
            city_ok(g.id, c, "cities")
    for r in model.strength_rules:
        expected_fields = set().union(*(fields_of_row[row] for row in r.research_rows)) if r.research_rows else set()
        if r.applies_to == "fields" and set(r.fields) != expected_fields:
            out.append(Problem(file, r.id, "fields", f"fields {sorted(r.fields)} do not match field_mapping for "
                               f"rows {r.research_rows}; expected {sorted(expected_fields)}"))
        seen: list[str] = []
        for group in r.order or []:
            for c in group:
                city_ok(r.id, c, "order")
                if c in seen:
                    out.append(Problem(file, r.id, "order", f"city {c!r} listed twice; expected once"))
                seen.append(c)
    return out
