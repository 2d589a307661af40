"""The social-insurance reference file (``data/reference/social_insurance.yaml``): per city, the employee's rates,
the contribution base floor and cap, and the national special additional deductions the take-home engine applies.

Why its own model: a rate or a base is not a ``Figure`` (it has a floor and a cap, and many are missing on
purpose). Every number names its sources and verification; a part that is left out stays unknown, and the engine
says so instead of guessing. Sources are the shared ``Source`` model (with its ``kind``).
"""

from __future__ import annotations

from datetime import date
from typing import Literal

from pydantic import BaseModel, Field, model_validator

from dashboard.catalog.schema import ID, LONG, SHORT, SOURCE_ID, Source, Strict, Verification

RentTier = Literal["tier1", "tier2", "tier3"]
PARTS = ("pension", "medical", "unemployment")


class Base(Strict):
    """Monthly contribution base bounds (CNY per month)."""

    floor: float = Field(gt=0)
    cap: float = Field(gt=0)
    verification: Verification
    sources: list[SOURCE_ID] = Field(min_length=1)
    note: LONG | None = None

    @model_validator(mode="after")
    def _order(self) -> Base:
        if self.floor >= self.cap:
            raise ValueError(f"floor {self.floor:g} is not below cap {self.cap:g}; expected floor < cap")
        return self


class Rate(Strict):
    """The employee's share of one insurance, as a fraction of the base (0.08 = 8%)."""

    rate: float = Field(ge=0, le=0.3)
    verification: Verification
    sources: list[SOURCE_ID] = Field(min_length=1)
    note: LONG | None = None


class RateRange(Strict):
    min: float = Field(ge=0, le=0.3)
    max: float = Field(ge=0, le=0.3)
    verification: Verification
    sources: list[SOURCE_ID] = Field(min_length=1)
    note: LONG | None = None


class CitySI(Strict):
    city: ID
    contribution_year: int | None = Field(None, ge=2000, le=2035, description="the year the base figures are for")
    period: SHORT | None = None
    si_base: Base | None = None
    pension: Rate | None = None
    medical: Rate | None = None
    unemployment: Rate | None = None
    housing_fund_base: Base | None = None
    housing_fund_rate: Rate | None = None
    rent_deduction_tier: RentTier | None = None
    note: LONG | None = None

    @model_validator(mode="after")
    def _year(self) -> CitySI:
        if self.si_base is not None and self.contribution_year is None:
            raise ValueError("si_base given without contribution_year; expected the year the base is for")
        return self


class Deduction(Strict):
    id: ID
    kind: Literal["housing_rent"]
    tier: RentTier
    amount_cny_per_month: float = Field(gt=0, le=100_000)
    condition_en: LONG
    condition_zh: LONG
    verification: Verification
    sources: list[SOURCE_ID] = Field(min_length=1)


class SocialInsuranceFile(Strict):
    topic: Literal["social_insurance"]
    title_en: SHORT
    title_zh: SHORT
    as_of: date
    sources: list[Source] = Field(min_length=1)
    cities: list[CitySI] = Field(min_length=1)
    housing_fund_rate_range: RateRange | None = None
    deductions: list[Deduction] = Field(default_factory=list)

    def city(self, city: str) -> CitySI | None:
        return next((c for c in self.cities if c.city == city), None)

    def deduction(self, kind: str, tier: str | None) -> Deduction | None:
        return next((d for d in self.deductions if d.kind == kind and d.tier == tier), None)


FILES: dict[str, type[BaseModel]] = {"social_insurance.yaml": SocialInsuranceFile}


def check(file: str, model: BaseModel, today: date) -> list:
    """Cross-record checks: source ids exist, cities are listed once, dates are not in the future."""
    from dashboard.catalog.loader import Problem

    if not isinstance(model, SocialInsuranceFile):
        return []
    out: list[Problem] = []
    known = {s.id for s in model.sources}
    ids = [s.id for s in model.sources]
    for d in sorted({i for i in ids if ids.count(i) > 1}):
        out.append(Problem(file, d, "id", "duplicate source id; expected each listed once"))
    names = [c.city for c in model.cities]
    for d in sorted({c for c in names if names.count(c) > 1}):
        out.append(Problem(file, d, "city", "city listed twice; expected one record per city"))
    for s in model.sources:
        if s.retrieved > today:
            out.append(Problem(file, s.id, "retrieved", f"date {s.retrieved} is in the future; expected a past date"))

    from dashboard.catalog.loader import verification_problems

    by_id = {s.id: s for s in model.sources}

    def refs(record: str, fld: str, sources: list[str], verification: str | None = None) -> None:
        for sid in sources:
            if sid not in known:
                out.append(Problem(file, record, f"{fld}.sources",
                                   f"unknown source id {sid!r}; expected one of the file's sources"))
        if verification is not None:  # the shared rule between verification and the kinds of the sources cited
            for p in verification_problems(file, record, verification, [by_id[s] for s in sources if s in by_id]):
                out.append(Problem(p.file, p.record, f"{fld}.{p.field}", p.message, p.severity))

    for c in model.cities:
        if c.contribution_year is not None and c.contribution_year > today.year:
            out.append(Problem(file, c.city, "contribution_year",
                               f"year {c.contribution_year} is in the future; expected {today.year} or earlier"))
        for fld in ("si_base", "housing_fund_base", "housing_fund_rate", *PARTS):
            part = getattr(c, fld)
            if part is not None:
                refs(c.city, fld, part.sources, part.verification)
        if c.rent_deduction_tier and model.deduction("housing_rent", c.rent_deduction_tier) is None:
            out.append(Problem(file, c.city, "rent_deduction_tier",
                               f"no housing_rent deduction for {c.rent_deduction_tier}; expected one in deductions"))
    for d in model.deductions:
        refs(d.id, "deduction", d.sources, d.verification)
    if model.housing_fund_rate_range is not None:
        r = model.housing_fund_rate_range
        refs("housing_fund_rate_range", "housing_fund_rate_range", r.sources, r.verification)
    return out
