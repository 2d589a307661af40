"""Models for ``data/national/*.yaml``: the national scheme (visas, work-permit points, income tax, zone
tax caps, permanent residence). Each file name maps to one model; every rule carries its sources and
verification level like city incentives do.

``FILES`` is the registry the loader uses; ``check`` runs the cross-record checks a model cannot make
(unknown source or rule ids, points bands that overlap or leave gaps, tax brackets out of order, quick
deductions that break the continuity of the tax curve, class thresholds that disagree with the routes).

Why the points bands keep the source's interval notation (``"[35, 45)"``, ``"≥ 45"``, ``"> 60"``): the data
editor copies what the table says, and the parser, not a person, turns it into bounds. A typo in a bracket
becomes a validation error instead of a silently shifted band edge.
"""

from __future__ import annotations

import functools
import itertools
import operator
import re
import typing
from collections.abc import Iterable
from datetime import date
from typing import Annotated, Literal

from pydantic import BaseModel, Field, model_validator

from dashboard.catalog import schema as S
from dashboard.catalog.loader import Problem
from dashboard.catalog.schema import (
    CITIES,
    ID,
    LONG,
    SHORT,
    SOURCE_ID,
    Degree,
    Origin,
    PermitClass,
    Scope,
    Source,
    Status,
    Strict,
    Verification,
)

# --- shared pieces -------------------------------------------------------------------------------------


class NationalFile(Strict):
    """Header every national file shares: what it covers, as of when, and the sources its rules cite."""

    topic: ID
    title_en: SHORT
    title_zh: SHORT
    as_of: date
    research_ref: list[SHORT] = Field(default_factory=list, description="sections of the research sheets")
    sources: list[Source] = Field(min_length=1)


class Rule(Strict):
    """One sourced rule. ``status`` and the validity dates say whether it applies today."""

    id: ID
    research_ref: list[SHORT] = Field(default_factory=list, description="row ids in the research, e.g. WP-06")
    name_en: SHORT
    name_zh: SHORT
    status: Status
    valid_from: date | None = None
    valid_to: date | None = None
    status_note: LONG | None = None
    verification: Verification
    sources: list[SOURCE_ID] = Field(min_length=1)
    note: LONG | None = Field(None, description="conflicts between sources and how they were resolved")

    @model_validator(mode="after")
    def _dates(self) -> Rule:
        if self.valid_from and self.valid_to and self.valid_from > self.valid_to:
            raise ValueError(f"valid_from {self.valid_from} is after valid_to {self.valid_to}; expected from <= to")
        return self


class Fact(Rule):
    """A rule the engine does not compute with but the app shows (validity, documents, fees, dependants)."""

    text_en: LONG
    text_zh: LONG


# --- conditions: the city vocabulary plus what only the national scheme needs --------------------------


class _NatCond(Strict):
    wording_en: LONG | None = None
    wording_zh: LONG | None = None
    note: LONG | None = None


class StemFieldCond(_NatCond):
    """The field is one of the STEM fields (schema.STEM_FIELDS): shorter to read than a 16-item list."""

    kind: Literal["stem_field"]


class YearsInChinaCond(_NatCond):
    """Consecutive years working (and living) in China, against ``Profile.years_in_china_continuous``."""

    kind: Literal["years_in_china"]
    min: float = Field(gt=0, le=50)


class IitPaidCond(_NatCond):
    """Annual IIT paid: a fixed floor (``min_cny``) or a share of a wage standard expressed as a multiple
    of the local average wage (PR-04: IIT >= 20% of 6x the local wage). The engine estimates the IIT from
    the salary with the brackets in iit.yaml."""

    kind: Literal["iit_paid"]
    min_cny: float | None = Field(None, gt=0)
    min_share: float | None = Field(None, gt=0, le=1)
    of_local_wage_multiple: float | None = Field(None, gt=0)

    @model_validator(mode="after")
    def _shape(self) -> IitPaidCond:
        share = self.min_share is not None and self.of_local_wage_multiple is not None
        if (self.min_cny is not None) == share:
            raise ValueError("give min_cny, or min_share with of_local_wage_multiple (not both)")
        if (self.min_share is None) != (self.of_local_wage_multiple is None):
            raise ValueError("min_share and of_local_wage_multiple go together")
        return self


class PointsCond(_NatCond):
    """Work-permit points total at least ``min`` (evaluated on the computed points range)."""

    kind: Literal["points"]
    min: int = Field(ge=0, le=200)


_SCHEMA_CONDS: tuple[type, ...] = typing.get_args(typing.get_args(S.Condition)[0])
_NAT_CONDS: tuple[type, ...] = (StemFieldCond, YearsInChinaCond, IitPaidCond, PointsCond)
NatCondition = Annotated[functools.reduce(operator.or_, _SCHEMA_CONDS + _NAT_CONDS), Field(discriminator="kind")]


class Route(Rule):
    """A way to a status (a permit class, a visa, permanent residence): every condition must pass.

    ``disputed`` holds conditions that some sources add and others do not (the 4x-wage route's two years of
    experience): failing one makes the route unknown, not failed. ``cities`` limits a local route to the
    dashboard cities where it applies (empty: national)."""

    grants: PermitClass | None = None
    scope: Scope | None = None
    cities: list[ID] = Field(default_factory=list)
    conditions: list[NatCondition] = Field(min_length=1)
    disputed: list[NatCondition] = Field(default_factory=list)

    @model_validator(mode="after")
    def _local(self) -> Route:
        if self.cities and self.scope is None:
            raise ValueError("a local route (cities given) needs its scope named")
        return self


# --- k_visa.yaml ---------------------------------------------------------------------------------------


class KVisa(Rule):
    """The K visa as published. There is deliberately no age field: no number has been published, and the
    engine takes the limit from ``Settings.k_visa_max_age`` (default unknown)."""

    origins: list[Origin] = Field(min_length=1, description="who the visa is for")
    routes: list[Route] = Field(min_length=1, description="any one route qualifies")
    age_requirement_en: LONG
    age_requirement_zh: LONG
    employer_required: bool
    provisional: bool = Field(description="always true: details are set by embassies")
    unpublished_en: list[SHORT] = Field(default_factory=list)
    unpublished_zh: list[SHORT] = Field(default_factory=list)
    facts: list[Fact] = Field(default_factory=list)

    @model_validator(mode="after")
    def _provisional(self) -> KVisa:
        if not self.provisional:
            raise ValueError("provisional must be true until embassies publish the detailed conditions")
        return self


class KVisaFile(NationalFile):
    visa: KVisa


# --- r_z_visas.yaml ------------------------------------------------------------------------------------


class VisaRule(Rule):
    visa: Literal["R", "Z"]
    requires_work_permit: bool
    requires_permit_classes: list[PermitClass] = Field(min_length=1)
    facts: list[Fact] = Field(default_factory=list)


class RZVisasFile(NationalFile):
    visas: list[VisaRule] = Field(min_length=1)
    residence: list[Fact] = Field(default_factory=list)


# --- work_permit.yaml ----------------------------------------------------------------------------------

_NUM = r"-?\d+(?:\.\d+)?"
_PAIR = re.compile(rf"^([\[(])\s*({_NUM})\s*,\s*({_NUM})\s*([\])])$")
_ONE = re.compile(rf"^(≥|>=|>|≤|<=|<)\s*({_NUM})$")


def parse_interval(text: str) -> tuple[float | None, bool, float | None, bool]:
    """``"[35, 45)"`` → (35, True, 45, False); ``"≥ 45"`` → (45, True, None, False); ``"< 5"`` → (None,
    False, 5, False). Raises ValueError on anything else."""
    t = text.strip()
    m = _PAIR.match(t)
    if m:
        lo, hi = float(m.group(2)), float(m.group(3))
        if lo > hi or (lo == hi and not (m.group(1) == "[" and m.group(4) == "]")):
            raise ValueError(f"interval {text!r} is empty; expected lower < upper")
        return lo, m.group(1) == "[", hi, m.group(4) == "]"
    m = _ONE.match(t)
    if m:
        op, v = m.group(1), float(m.group(2))
        if op in ("≥", ">="):
            return v, True, None, False
        if op == ">":
            return v, False, None, False
        if op in ("≤", "<="):
            return None, False, v, True
        return None, False, v, False
    raise ValueError(f"interval {text!r} not understood; expected '[a, b)', '[a, b]', '(a, b]', '≥ a', '> a', "
                     "'≤ b' or '< b' as in the source")


class Band(Strict):
    """One row of a numeric factor, in the source's own interval notation."""

    interval: SHORT
    points: int = Field(ge=0, le=50)
    label_en: SHORT | None = None
    label_zh: SHORT | None = None

    @model_validator(mode="after")
    def _parse(self) -> Band:
        parse_interval(self.interval)
        return self

    @property
    def bounds(self) -> tuple[float | None, bool, float | None, bool]:
        return parse_interval(self.interval)

    def contains(self, x: float) -> bool:
        lo, lo_in, hi, hi_in = self.bounds
        if lo is not None and (x < lo or (x == lo and not lo_in)):
            return False
        return not (hi is not None and (x > hi or (x == hi and not hi_in)))


Flag = Literal[
    "former_chinese_national", "chinese_taught_degree", "top_university_abroad", "fortune500", "patent",
    "china_5y_continuous",
]


class Option(Strict):
    """One row of a categorical factor. Which profile answer it matches is said by exactly one of
    ``degrees`` (education), ``hsk_min`` (Chinese level), ``flag`` (a yes/no fact) or ``region``."""

    id: ID
    label_en: SHORT
    label_zh: SHORT
    points: int = Field(ge=0, le=50)
    degrees: list[Degree] = Field(default_factory=list)
    hsk_min: int | None = Field(None, ge=0, le=9)
    hsk_exact: bool = Field(False, description="true for 'HSK 4' (that level only); false for 'HSK 5 or above'")
    flag: Flag | None = None
    region: ID | None = None
    verification: Verification | None = Field(None, description="only when weaker than the factor's")
    note: LONG | None = None

    @model_validator(mode="after")
    def _one_key(self) -> Option:
        keys = [bool(self.degrees), self.hsk_min is not None, self.flag is not None, self.region is not None]
        if sum(keys) != 1:
            raise ValueError("give exactly one of degrees, hsk_min, flag or region")
        return self


class Increment(Strict):
    """Points that grow per unit above a start (work experience: 5 at 2 years, +1 a year)."""

    start: float = Field(ge=0)
    base_points: int = Field(ge=0)
    points_per_unit: int = Field(gt=0)
    rounding: Literal["floor"]
    verification: Verification
    note: LONG | None = None


FactorId = Literal[
    "salary", "education", "experience", "working_time", "chinese", "location", "age", "extras", "local_bonus",
]


class Factor(Strict):
    id: FactorId
    name_en: SHORT
    name_zh: SHORT
    source_label_zh: SHORT
    cap: int = Field(gt=0, le=50)
    unit: Literal["cny_10k_per_year", "years", "months_per_year", "age_years", "none"] = "none"
    domain: Literal["real", "integer"] = "real"
    bands: list[Band] = Field(default_factory=list)
    options: list[Option] = Field(default_factory=list)
    increment: Increment | None = None
    up_to: int | None = Field(None, gt=0, description="a discretionary bonus the profile cannot answer")
    verification: Verification
    sources: list[SOURCE_ID] = Field(min_length=1)
    note: LONG | None = None

    @model_validator(mode="after")
    def _shape(self) -> Factor:
        if not (self.bands or self.options or self.up_to):
            raise ValueError("a factor needs bands, options or up_to")
        if self.bands and self.options:
            raise ValueError("give bands or options, not both")
        for b in self.bands:
            if b.points > self.cap:
                raise ValueError(f"band {b.interval} gives {b.points} points, above the cap {self.cap}")
        for o in self.options:
            if o.points > self.cap:
                raise ValueError(f"option {o.id} gives {o.points} points, above the cap {self.cap}")
        if self.up_to is not None and self.up_to > self.cap:
            raise ValueError(f"up_to {self.up_to} is above the cap {self.cap}")
        return self


class PointsTable(Rule):
    max_total: int = Field(gt=0)
    factors: list[Factor] = Field(min_length=1)


class PermitClassRule(Rule):
    permit_class: PermitClass
    min_points: int | None = Field(None, ge=0, description="threshold, inclusive (85分以上 = 85 or more)")
    description_en: LONG
    description_zh: LONG


class Region(Strict):
    id: ID
    name_en: SHORT
    name_zh: SHORT
    provinces_en: list[SHORT] = Field(default_factory=list)
    verification: Verification
    sources: list[SOURCE_ID] = Field(min_length=1)
    note: LONG | None = None


class CityProvince(Strict):
    city: ID
    province_en: SHORT
    province_zh: SHORT


class WorkPermitFile(NationalFile):
    applies_to_origins: list[Origin] = Field(min_length=1)
    applicability_note_en: LONG
    applicability_note_zh: LONG
    classes: list[PermitClassRule] = Field(min_length=1)
    points: PointsTable
    routes: list[Route] = Field(min_length=1)
    requirements: list[Route] = Field(default_factory=list, description="general requirements, not routes")
    regions: list[Region] = Field(default_factory=list)
    cities: list[CityProvince] = Field(default_factory=list)
    facts: list[Fact] = Field(default_factory=list)


# --- iit.yaml ------------------------------------------------------------------------------------------


class Bracket(Strict):
    """Taxable income above ``over`` up to ``up_to`` (inclusive: 超过X至Y元的部分) is taxed at ``rate``;
    the tax on the whole income is income x rate - quick_deduction."""

    over: float = Field(ge=0)
    up_to: float | None = Field(None, gt=0)
    rate: float = Field(gt=0, lt=1)
    quick_deduction: float = Field(ge=0)


class IitBrackets(Rule):
    period: Literal["annual"]
    income: Literal["comprehensive"]
    brackets: list[Bracket] = Field(min_length=1)


class Deduction(Rule):
    kind: Literal["basic"]
    amount_cny: float = Field(gt=0)
    period: Literal["annual", "monthly"]
    applies_to: Literal["resident", "non_resident"]


class IitFile(NationalFile):
    brackets: IitBrackets
    deductions: list[Deduction] = Field(min_length=1)
    rules: list[Fact] = Field(default_factory=list)


# --- zones.yaml ----------------------------------------------------------------------------------------


class ZoneRule(Rule):
    """A zone tax cap or relief. ``burden`` says whether the research gives the formula the engine can
    compute (``iit_minus_rate_x_taxable``) or not (``undefined``: 实际税负 was not retrieved; ``hk_burden``:
    relief down to the Hong Kong tax burden, whose method is not in the research)."""

    scope: Scope
    cities: list[ID] = Field(default_factory=list, description="dashboard cities where it can apply")
    origins: list[Origin] = Field(min_length=1)
    form: Literal["refund", "exemption", "subsidy"]
    burden: Literal["iit_minus_rate_x_taxable", "undefined", "hk_burden"]
    rate: float | None = Field(None, gt=0, lt=1)
    cap_cny: float | None = Field(None, gt=0)
    paid_year_offset: int | None = Field(None, ge=0, le=2)
    discretionary: bool = False
    formula_en: LONG
    formula_zh: LONG
    eligibility_en: LONG
    eligibility_zh: LONG
    eligible_income_en: LONG | None = None
    eligible_income_zh: LONG | None = None
    excludes: list[ID] = Field(default_factory=list)

    @model_validator(mode="after")
    def _formula(self) -> ZoneRule:
        if self.burden == "iit_minus_rate_x_taxable" and self.rate is None:
            raise ValueError("burden iit_minus_rate_x_taxable needs rate")
        if self.burden == "hk_burden" and self.rate is not None:
            raise ValueError("an HK-burden relief has no flat rate; leave rate empty")
        if self.id in self.excludes:
            raise ValueError("a rule cannot exclude itself")
        return self


class ZonesFile(NationalFile):
    rules: list[ZoneRule] = Field(min_length=1)


# --- pr_routes.yaml ------------------------------------------------------------------------------------


class PrFile(NationalFile):
    origins: list[Origin] = Field(min_length=1, description="who permanent residence is for")
    general: list[Route] = Field(default_factory=list, description="conditions every route shares (PR-01)")
    routes: list[Route] = Field(min_length=1)
    facts: list[Fact] = Field(default_factory=list)


FILES: dict[str, type[BaseModel]] = {
    "k_visa.yaml": KVisaFile,
    "r_z_visas.yaml": RZVisasFile,
    "work_permit.yaml": WorkPermitFile,
    "iit.yaml": IitFile,
    "zones.yaml": ZonesFile,
    "pr_routes.yaml": PrFile,
}


def model_for(filename: str) -> type[BaseModel] | None:
    return FILES.get(filename)


# --- cross-record checks -------------------------------------------------------------------------------


def _rules_in(model: BaseModel) -> Iterable[tuple[str, Rule]]:
    """Every Rule (and factor, region) reachable from a file, with its id."""
    if isinstance(model, Rule):
        yield model.id, model
    for name in type(model).model_fields:
        value = getattr(model, name)
        items = value if isinstance(value, list) else [value]
        for item in items:
            if isinstance(item, BaseModel) and not isinstance(item, Source):
                yield from _rules_in(item)


def _sourced(model: BaseModel) -> Iterable[tuple[str, list[str]]]:
    """(record id, source ids) for everything that cites sources: rules, factors, regions."""
    if isinstance(model, (Rule, Factor, Region)) and hasattr(model, "sources"):
        yield str(model.id), list(model.sources)
    for name in type(model).model_fields:
        value = getattr(model, name)
        items = value if isinstance(value, list) else [value]
        for item in items:
            if isinstance(item, BaseModel) and not isinstance(item, Source):
                yield from _sourced(item)


def _check_bands(file: str, f: Factor) -> list[Problem]:
    out: list[Problem] = []
    rid = f"points.{f.id}"
    bands = sorted(f.bands, key=lambda b: (b.bounds[0] is not None, b.bounds[0] or 0.0))
    step = 1.0 if f.domain == "integer" else 0.0
    for a, b in itertools.pairwise(bands):
        _alo, _alo_in, ahi, ahi_in = a.bounds
        blo, blo_in, _bhi, _bhi_in = b.bounds
        if ahi is None or blo is None:
            out.append(Problem(file, rid, "bands", f"bands {a.interval} and {b.interval} overlap; expected "
                               "disjoint bands"))
            continue
        if ahi > blo or (ahi == blo and ahi_in and blo_in):
            out.append(Problem(file, rid, "bands", f"bands {a.interval} and {b.interval} overlap; expected "
                               "disjoint bands"))
        elif step and ahi_in and blo_in and blo - ahi == step:
            continue  # integer domain: [18, 25] then [26, 45] leave no whole number out
        elif ahi < blo or (ahi == blo and not ahi_in and not blo_in):
            out.append(Problem(file, rid, "bands", f"gap between {a.interval} and {b.interval}; expected "
                               "adjacent bands"))
    # Bands of a graded factor give more points further up, except age (a hump by design).
    if f.id in ("salary", "working_time"):
        pts = [b.points for b in bands]
        if pts != sorted(pts):
            out.append(Problem(file, rid, "bands", "points do not rise with the band; expected higher bands to "
                               "give at least as many points"))
    return out


def _check_work_permit(file: str, wp: WorkPermitFile) -> list[Problem]:
    out: list[Problem] = []
    table = wp.points
    caps = sum(f.cap for f in table.factors)
    if caps != table.max_total:
        out.append(Problem(file, table.id, "max_total", f"factor caps add up to {caps}; the file says "
                           f"{table.max_total}"))
    ids = [f.id for f in table.factors]
    for dup in sorted({i for i in ids if ids.count(i) > 1}):
        out.append(Problem(file, f"points.{dup}", "id", "factor listed twice; expected each factor once"))
    regions = {r.id for r in wp.regions}
    for f in table.factors:
        out.extend(_check_bands(file, f))
        for o in f.options:
            if o.region is not None and o.region not in regions:
                out.append(Problem(file, f"points.{f.id}", f"options.{o.id}.region",
                                   f"unknown region {o.region!r}; expected one of {sorted(regions)}"))
        if f.increment is not None:
            inc = f.increment
            if inc.base_points > f.cap:
                out.append(Problem(file, f"points.{f.id}", "increment", "base points above the cap"))
            tops = [b.bounds[2] for b in f.bands]
            if any(t is None for t in tops) or (tops and max(t for t in tops if t is not None) != inc.start):
                out.append(Problem(file, f"points.{f.id}", "increment.start", f"the increment starts at "
                                   f"{inc.start:g} but the bands end elsewhere; expected the bands to stop there"))
    by_class = {c.permit_class: c for c in wp.classes}
    a, b = by_class.get("A"), by_class.get("B")
    if a and b and a.min_points is not None and b.min_points is not None and a.min_points <= b.min_points:
        out.append(Problem(file, a.id, "min_points", f"class A threshold {a.min_points} is not above class B's "
                           f"{b.min_points}; expected A > B"))
    for cls in wp.classes:
        if cls.min_points is None:
            continue
        if cls.min_points > table.max_total:
            out.append(Problem(file, cls.id, "min_points", f"{cls.min_points} is above the table's maximum "
                               f"{table.max_total}"))
        pts_routes = [r for r in wp.routes if r.grants == cls.permit_class
                      for c in r.conditions if c.kind == "points"]
        mins = {c.min for r in pts_routes for c in r.conditions if c.kind == "points"}
        if mins != {cls.min_points}:
            out.append(Problem(file, cls.id, "min_points", f"class {cls.permit_class} threshold {cls.min_points} "
                               f"but its points routes use {sorted(mins) or 'none'}; expected one route with it"))
    for r in wp.routes:
        if r.grants is None:
            out.append(Problem(file, r.id, "grants", "a work-permit route must say which class it grants"))
    for c in wp.cities:
        if c.city not in CITIES:
            out.append(Problem(file, c.city, "city", f"unknown city; expected one of {', '.join(CITIES)}"))
    return out


def _check_iit(file: str, iit: IitFile) -> list[Problem]:
    out: list[Problem] = []
    br = iit.brackets.brackets
    rid = iit.brackets.id
    if br[0].over != 0:
        out.append(Problem(file, rid, "brackets[0].over", f"first bracket starts at {br[0].over:g}; expected 0"))
    if br[-1].up_to is not None:
        out.append(Problem(file, rid, f"brackets[{len(br) - 1}].up_to", "last bracket has an upper bound; "
                           "expected it open-ended"))
    for i, (lo, hi) in enumerate(itertools.pairwise(br), start=1):
        if lo.up_to is None or lo.up_to != hi.over:
            out.append(Problem(file, rid, f"brackets[{i}].over", f"starts at {hi.over:g} but the previous bracket "
                               f"ends at {lo.up_to}; expected brackets in order, without gaps"))
        if hi.rate <= lo.rate:
            out.append(Problem(file, rid, f"brackets[{i}].rate", f"rate {hi.rate:g} not above {lo.rate:g}; expected "
                               "rising rates"))
        # Continuity: at the edge both formulas give the same tax, so qd_i = qd_{i-1} + edge x (r_i - r_{i-1}).
        want = lo.quick_deduction + hi.over * (hi.rate - lo.rate)
        if abs(want - hi.quick_deduction) > 0.5:
            out.append(Problem(file, rid, f"brackets[{i}].quick_deduction", f"{hi.quick_deduction:g} breaks the "
                               f"tax curve at {hi.over:g}; expected {want:g}"))
    for i, b in enumerate(br):
        if b.up_to is not None and b.up_to <= b.over:
            out.append(Problem(file, rid, f"brackets[{i}].up_to", "upper bound not above the lower bound"))
    if not any(d.kind == "basic" and d.applies_to == "resident" and d.period == "annual" for d in iit.deductions):
        out.append(Problem(file, "deductions", "-", "no annual basic deduction for residents; the engine needs one"))
    return out


def _check_zones(file: str, z: ZonesFile) -> list[Problem]:
    out: list[Problem] = []
    ids = {r.id for r in z.rules}
    for r in z.rules:
        for ex in r.excludes:
            if ex not in ids:
                out.append(Problem(file, r.id, "excludes", f"unknown rule id {ex!r}; expected an id in this file"))
        for c in r.cities:
            if c not in CITIES:
                out.append(Problem(file, r.id, "cities", f"unknown city {c!r}; expected one of {', '.join(CITIES)}"))
    return out


def _check_status(file: str, rid: str, rule: Rule, today: date) -> list[Problem]:
    out = []
    if rule.status == "in_force" and rule.valid_to and rule.valid_to < today:
        out.append(Problem(file, rid, "status", f"in_force but valid_to {rule.valid_to} has passed; expected "
                           "expired or unknown"))
    if rule.status == "expired" and rule.valid_to and rule.valid_to >= today:
        out.append(Problem(file, rid, "status", f"expired but valid_to {rule.valid_to} is not yet past"))
    if rule.status == "in_force" and rule.valid_from and rule.valid_from > today:
        out.append(Problem(file, rid, "status", f"in_force but valid_from {rule.valid_from} is in the future; "
                           "expected proposed"))
    return out


def check(file: str, model: BaseModel, today: date) -> list[Problem]:
    """Cross-record checks: source ids resolve, ids are unique, dates agree with status, and the numeric
    tables (points bands, class thresholds, tax brackets) are ordered and complete."""
    if not isinstance(model, NationalFile):
        return []
    out: list[Problem] = []
    src_ids = [s.id for s in model.sources]
    for dup in sorted({s for s in src_ids if src_ids.count(s) > 1}):
        out.append(Problem(file, dup, "id", "duplicate source id; expected each source listed once"))
    known = set(src_ids)
    for s in model.sources:
        if s.retrieved > today:
            out.append(Problem(file, s.id, "retrieved", f"date {s.retrieved} is in the future; expected a past date"))
    for rid, sids in _sourced(model):
        for sid in sids:
            if sid not in known:
                out.append(Problem(file, rid, "sources", f"unknown source id {sid!r}; expected one of the file's "
                                   "sources"))
    cited = {sid for _, sids in _sourced(model) for sid in sids}
    for sid in sorted(known - cited):
        out.append(Problem(file, sid, "-", "source listed but not cited by any rule", "warning"))
    rules = list(_rules_in(model))
    ids = [rid for rid, _ in rules]
    for dup in sorted({i for i in ids if ids.count(i) > 1}):
        out.append(Problem(file, dup, "id", "duplicate id in this file; expected unique ids"))
    for rid, rule in rules:
        out.extend(_check_status(file, rid, rule, today))
        if isinstance(rule, Route):
            for c in rule.cities:
                if c not in CITIES:
                    out.append(Problem(file, rid, "cities", f"unknown city {c!r}; expected one of {', '.join(CITIES)}"))
    if isinstance(model, WorkPermitFile):
        out.extend(_check_work_permit(file, model))
    elif isinstance(model, IitFile):
        out.extend(_check_iit(file, model))
    elif isinstance(model, ZonesFile):
        out.extend(_check_zones(file, model))
    return out
