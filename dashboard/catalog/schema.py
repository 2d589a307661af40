"""The catalog's data model: what a city file, a reference file and a source must say.

Every model forbids unknown keys, so a typo in a data file is an error with its file, record and field,
not a silently ignored line. Enumerations are closed for the same reason: a new category or unit is a
reviewed change to this file, not something a data file can invent.

Why pydantic: declarative validation with precise error locations (``loc``), which the loader turns into
``file:record:field`` messages; the JSON Schema it derives documents the format for data editors.
"""

from __future__ import annotations

from datetime import date
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

# --- closed vocabularies -------------------------------------------------------------------------------

CITIES = ("beijing", "shanghai", "shenzhen", "hangzhou", "chengdu")

Category = Literal["tax", "housing", "living", "startup", "research", "hukou_residence", "family"]
CATEGORIES: tuple[str, ...] = Category.__args__  # type: ignore[attr-defined]

Degree = Literal["none", "bachelor", "master", "phd", "postdoc"]
DEGREE_ORDER: dict[str, int] = {"none": 0, "bachelor": 1, "master": 2, "phd": 3, "postdoc": 4}

Origin = Literal["foreign", "overseas_chinese", "returnee", "mainland", "hk_macao_taiwan"]

# STEM fields follow the industry map in research/industry_fit.md; ``non_stem`` is everything else.
Field_ = Literal[
    "ai", "semiconductors", "biotech", "new_energy", "advanced_manufacturing", "aerospace",
    "materials", "information_technology", "quantum", "mathematics", "physics", "chemistry",
    "earth_environment", "medicine", "agriculture", "other_engineering", "non_stem",
]
FIELDS: tuple[str, ...] = Field_.__args__  # type: ignore[attr-defined]
STEM_FIELDS: tuple[str, ...] = tuple(f for f in FIELDS if f != "non_stem")

Intent = Literal["employment", "startup", "research"]
# ``hypothetical``: an entry an official made in a what-if or the cost-to-lead search; counted there, marked so.
Verification = Literal["official", "secondary", "historical", "unverified", "hypothetical"]
VERIFICATIONS: tuple[str, ...] = Verification.__args__  # type: ignore[attr-defined]

# What a source *is* (issue 10): the question an official asks in the room is "who said so?". ``official`` is a
# government or gazette site or the issuing body's own portal; ``aggregator`` covers reposts, mirrors, forums,
# encyclopedias, job sites and universities. A machine translation or an AI answer is never enough on its own.
# ``scenario`` marks the app's own what-if and cost-to-lead entries: not a document at all.
SourceKind = Literal["official", "state_media", "press", "firm", "aggregator", "machine_translation", "ai_generated",
                     "scenario"]
SOURCE_KINDS: tuple[str, ...] = SourceKind.__args__  # type: ignore[attr-defined]
WEAK_KINDS = frozenset({"machine_translation", "ai_generated", "scenario"})
REPOST_KINDS = frozenset({"aggregator", "press", "state_media"})  # may carry faithful_repost
Status = Literal["in_force", "expired", "proposed", "unknown"]
ScopeLevel = Literal["city", "district", "zone", "province"]
Currency = Literal["CNY", "USD"]
PermitClass = Literal["A", "B", "C"]

BenefitForm = Literal[
    "one_off",        # a single cash payment (maybe in instalments: see schedule)
    "monthly",        # cash per month for duration_months
    "annual",         # cash per year for duration_years
    "rent_discount",  # below-market rent: the tenant saves rent_discount_share of market rent
    "tax_refund",     # computed by the national tax engine from tax_rule
    "loan",           # a loan or guarantee: its face value is not a gift, scored as startup support
    "in_kind",        # services, school places, short free stays: ordinal, not money
    "status",         # hukou, residence or permit status: ordinal, not money
]
StatusKind = Literal[
    "hukou", "permanent_residence", "residence_permit", "work_permit", "visa", "talent_title",
    "services", "home_purchase_right", "schooling", "short_stay",
]

SHORT = Annotated[str, Field(min_length=1, max_length=300)]
LONG = Annotated[str, Field(min_length=1, max_length=4000)]
ID = Annotated[str, Field(pattern=r"^[a-z0-9][a-z0-9_.-]{1,79}$")]
SOURCE_ID = Annotated[str, Field(pattern=r"^[A-Za-z][A-Za-z0-9_.-]{0,39}$")]


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, str_strip_whitespace=True)


# --- provenance ----------------------------------------------------------------------------------------


class Source(Strict):
    """One document a figure comes from. Ids are local to the file that lists them."""

    id: SOURCE_ID
    issuer: SHORT
    title: LONG
    url: Annotated[str, Field(pattern=r"^https?://\S+$", max_length=2000)] | None = None
    document_number: SHORT | None = None
    published: date | None = None
    retrieved: date
    research_ref: SHORT | None = Field(None, description="where the research sheet lists it, e.g. 'cities_bj_sh_sz.md S96'")
    note: LONG | None = None
    # last, so the offer workbook's columns keep their places; data files write ``kind`` right after ``id``
    kind: SourceKind = Field(description="what the source is: official, state_media, press, firm, aggregator, "
                             "machine_translation, ai_generated")
    faithful_repost: bool = Field(False, description="the page reproduces the issuing body's text verbatim "
                                  "(aggregator, press or state_media only); counts as official for verification")

    @model_validator(mode="after")
    def _dates(self) -> Source:
        if self.published and self.published > self.retrieved:
            raise ValueError(f"published {self.published} is after retrieved {self.retrieved}; expected published <= retrieved")
        if self.faithful_repost and self.kind not in REPOST_KINDS:
            raise ValueError(f"faithful_repost is for a repost (kind aggregator, press or state_media), not kind {self.kind}")
        return self

    @property
    def backs_official(self) -> bool:
        """An official text, or a verbatim repost of one: what ``verification: official`` needs."""
        return self.kind == "official" or self.faithful_repost


# --- money ---------------------------------------------------------------------------------------------


class Amount(Strict):
    """A fixed amount (``value``), a published range (``min``/``max``) or a discretionary cap (``up_to``).

    "Up to" and 择优 amounts are never treated as certain: they become a range from ``min`` (0 unless the
    source gives a floor) to the cap, flagged ``discretionary``.
    """

    value: float | None = Field(None, gt=0)
    min: float | None = Field(None, ge=0)
    max: float | None = Field(None, gt=0)
    up_to: float | None = Field(None, gt=0)
    currency: Currency = "CNY"

    @model_validator(mode="after")
    def _one_shape(self) -> Amount:
        shapes = [self.value is not None, self.max is not None, self.up_to is not None]
        if sum(shapes) != 1:
            raise ValueError("give exactly one of value (fixed), min+max (range) or up_to (discretionary cap)")
        if self.min is not None and self.value is not None:
            raise ValueError("min goes with max or up_to, not with value")
        lo, hi = self.low, self.high
        if lo > hi:
            raise ValueError(f"min {lo} is above max {hi}; expected min <= max")
        return self

    @property
    def low(self) -> float:
        if self.value is not None:
            return self.value
        return self.min or 0.0

    @property
    def high(self) -> float:
        return self.value if self.value is not None else (self.max if self.max is not None else self.up_to)  # type: ignore[return-value]

    @property
    def discretionary(self) -> bool:
        return self.value is None


class Payment(Strict):
    """One instalment: a share of the amount, paid once the applicant has this many months of social
    insurance in the city (0 = on approval)."""

    share: float = Field(gt=0, le=1)
    after_si_months: int = Field(ge=0, le=240)


# --- conditions ----------------------------------------------------------------------------------------


class _Cond(Strict):
    wording_en: LONG | None = Field(None, description="the source's own words, translated")
    wording_zh: LONG | None = Field(None, description="the source's own words")
    note: LONG | None = None


class DegreeCond(_Cond):
    kind: Literal["degree"]
    min: Degree
    max: Degree | None = None


class AgeCond(_Cond):
    """Age limits keep the source's wording: "under 35" is max 35 exclusive; "35 and under" (35周岁以下,
    以下 includes the number in Chinese legal usage) is max 35 inclusive. Both flags are required when the
    bound is given so that nobody has to guess."""

    kind: Literal["age"]
    min: int | None = Field(None, ge=0, le=100)
    min_inclusive: bool | None = None
    max: int | None = Field(None, ge=0, le=100)
    max_inclusive: bool | None = None

    @model_validator(mode="after")
    def _bounds(self) -> AgeCond:
        if self.min is None and self.max is None:
            raise ValueError("give min or max")
        if self.max is not None and self.max_inclusive is None:
            raise ValueError("max_inclusive is required with max (true for '35 and under', false for 'under 35')")
        if self.min is not None and self.min_inclusive is None:
            raise ValueError("min_inclusive is required with min")
        if self.min is not None and self.max is not None and self.max < self.min:
            raise ValueError(f"age max {self.max} is below min {self.min}; expected max >= min")
        return self


class BornOnOrAfterCond(_Cond):
    kind: Literal["born_on_or_after"]
    date: date


class OriginCond(_Cond):
    kind: Literal["origin"]
    any_of: list[Origin] = Field(min_length=1)


class FieldCond(_Cond):
    kind: Literal["field"]
    any_of: list[Field_] = Field(min_length=1)


class IntentCond(_Cond):
    kind: Literal["intent"]
    any_of: list[Intent] = Field(min_length=1)


class _Within(_Cond):
    max_years: float = Field(gt=0, le=50)
    inclusive: bool = Field(description="true for 'within N years'/'no more than N years' (<= N)")


class YearsSinceGraduationCond(_Within):
    kind: Literal["years_since_graduation"]


class YearsSinceReturnCond(_Within):
    kind: Literal["years_since_return"]


class GraduatedOnOrAfterCond(_Cond):
    kind: Literal["graduated_on_or_after"]
    date: date


class UniversityRankCond(_Cond):
    """World rank of the degree-granting university (any of the rankings the source accepts)."""

    kind: Literal["university_rank"]
    max_rank: int = Field(ge=1, le=5000)


class DegreeAbroadCond(_Cond):
    kind: Literal["degree_abroad"]
    required: bool = True


class SalaryCond(_Cond):
    """Annual salary floor, in CNY or as a multiple of the city's average wage (reference data)."""

    kind: Literal["salary"]
    min_cny: float | None = Field(None, gt=0)
    min_multiple_of_local_wage: float | None = Field(None, gt=0)

    @model_validator(mode="after")
    def _one(self) -> SalaryCond:
        if (self.min_cny is None) == (self.min_multiple_of_local_wage is None):
            raise ValueError("give exactly one of min_cny or min_multiple_of_local_wage")
        return self


class ExperienceCond(_Cond):
    kind: Literal["experience_years"]
    min: float = Field(ge=0, le=60)


class HskCond(_Cond):
    kind: Literal["hsk_level"]
    min: int = Field(ge=1, le=9)


class MonthsInChinaCond(_Cond):
    kind: Literal["months_in_china_per_year"]
    min: float = Field(gt=0, le=12)


class WorkPermitClassCond(_Cond):
    kind: Literal["work_permit_class"]
    any_of: list[PermitClass] = Field(min_length=1)


class FamilyCond(_Cond):
    kind: Literal["has_spouse", "has_children"]


class NoHomeCond(_Cond):
    """Applicant (and usually spouse) owns no home in the city or zone."""

    kind: Literal["no_local_home"]


class CommitmentCond(_Cond):
    """Something the applicant does by taking the offer: work full-time in the city, pay social insurance
    for N months, sign a contract of N years, register a firm there; or a ``declaration`` the applicant makes
    about their own history that a typical newcomer can truthfully make (degree obtained full-time, first
    claim, no other housing benefit, clean tax record). Passes with a note the user must confirm; social-
    insurance months also delay payments (see Payment). Recognition by an authority, employer status and
    selection are never declarations: they stay ``manual``."""

    kind: Literal["commitment"]
    what: Literal["work_in_city", "social_insurance_months", "contract_years", "register_firm", "stay_years", "apply_within",
                  "declaration"]
    months: float | None = Field(None, ge=0, le=240)
    text_en: LONG
    text_zh: LONG


class ManualCond(_Cond):
    """A condition the profile cannot answer (talent recognition, employer type, a competition): always
    "unknown", shown with its text so the user can judge."""

    kind: Literal["manual"]
    text_en: LONG
    text_zh: LONG


class AnyOfCond(_Cond):
    """Passes when any sub-condition passes (for example: Shenzhen hukou, or an overseas talent)."""

    kind: Literal["any_of"]
    conditions: list[Condition] = Field(min_length=2)


Condition = Annotated[
    DegreeCond | AgeCond | BornOnOrAfterCond | OriginCond | FieldCond | IntentCond | YearsSinceGraduationCond
    | YearsSinceReturnCond | GraduatedOnOrAfterCond | UniversityRankCond | DegreeAbroadCond | SalaryCond
    | ExperienceCond | HskCond | MonthsInChinaCond | WorkPermitClassCond | FamilyCond | NoHomeCond
    | CommitmentCond | ManualCond | AnyOfCond,
    Field(discriminator="kind"),
]
AnyOfCond.model_rebuild()


# --- the incentive -------------------------------------------------------------------------------------


class Scope(Strict):
    """Where the scheme applies. Anything but ``city`` is a district or zone scheme and is always labelled."""

    level: ScopeLevel
    name_en: SHORT
    name_zh: SHORT


class Tier(Strict):
    """An amount that depends on the applicant (for example by degree). The engine takes the best tier
    whose conditions pass; the incentive's own conditions apply to every tier."""

    id: ID
    label_en: SHORT
    label_zh: SHORT
    conditions: list[Condition] = Field(default_factory=list)
    amount: Amount | None = None


class Benefit(Strict):
    form: BenefitForm
    amount: Amount | None = Field(None, description="omit when the source publishes no amount: shown as unknown")
    duration_months: int | None = Field(None, gt=0, le=600)
    duration_years: int | None = Field(None, gt=0, le=50)
    rent_discount_share: float | None = Field(None, gt=0, le=1)
    schedule: list[Payment] | None = None
    tax_rule: ID | None = Field(None, description="national zone rule id for tax_refund")
    status_kind: StatusKind | None = None
    description_en: LONG
    description_zh: LONG

    @model_validator(mode="after")
    def _form(self) -> Benefit:
        f = self.form
        if f == "monthly" and self.duration_months is None:
            raise ValueError("monthly benefit needs duration_months")
        if f == "annual" and self.duration_years is None:
            raise ValueError("annual benefit needs duration_years")
        if f == "rent_discount" and self.rent_discount_share is None and self.amount is None:
            raise ValueError("rent_discount needs rent_discount_share (share of market rent saved) or a monthly amount")
        if f == "tax_refund" and self.tax_rule is None:
            raise ValueError("tax_refund needs tax_rule (a national zone rule id)")
        if f in ("status", "in_kind") and self.status_kind is None:
            raise ValueError(f"{f} benefit needs status_kind")
        if self.schedule is not None:
            total = sum(p.share for p in self.schedule)
            if abs(total - 1) > 1e-6:
                raise ValueError(f"schedule shares add up to {total:g}; expected 1")
            months = [p.after_si_months for p in self.schedule]
            if months != sorted(months):
                raise ValueError("schedule instalments must be in order of after_si_months")
        return self


class Incentive(Strict):
    id: ID
    research_ref: list[SHORT] = Field(default_factory=list, description="row ids in the research sheets, e.g. SZ4")
    name_en: SHORT
    name_zh: SHORT
    category: Category
    scope: Scope
    audience_en: LONG
    audience_zh: LONG
    benefit: Benefit
    conditions: list[Condition] = Field(default_factory=list)
    tiers: list[Tier] = Field(default_factory=list)
    excludes: list[ID] = Field(default_factory=list, description="ids of incentives it cannot be combined with")
    status: Status
    valid_from: date | None = None
    valid_to: date | None = None
    status_note: LONG | None = None
    verification: Verification
    sources: list[SOURCE_ID] = Field(min_length=1)
    note: LONG | None = Field(None, description="conflicts between sources and how they were resolved")

    @model_validator(mode="after")
    def _consistent(self) -> Incentive:
        if self.valid_from and self.valid_to and self.valid_from > self.valid_to:
            raise ValueError(f"valid_from {self.valid_from} is after valid_to {self.valid_to}; expected from <= to")
        if self.tiers and self.benefit.amount is not None:
            raise ValueError("give the amount in tiers or in benefit.amount, not both")
        if self.id in self.excludes:
            raise ValueError("an incentive cannot exclude itself")
        return self


class Absence(Strict):
    """A documented "none found": lets the app say so instead of showing nothing."""

    id: ID
    research_ref: list[SHORT] = Field(default_factory=list)
    category: Category
    statement_en: LONG
    statement_zh: LONG
    verification: Verification
    sources: list[SOURCE_ID] = Field(default_factory=list)


class CityFile(Strict):
    city: ID
    name_en: SHORT
    name_zh: SHORT
    province_en: SHORT
    province_zh: SHORT
    adcode: int = Field(ge=100000, le=999999)
    as_of: date
    summary_en: LONG | None = None
    summary_zh: LONG | None = None
    sources: list[Source] = Field(min_length=1)
    incentives: list[Incentive] = Field(default_factory=list)
    absences: list[Absence] = Field(default_factory=list)


# --- reference data ------------------------------------------------------------------------------------

Metric = Literal[
    "avg_annual_wage", "avg_monthly_wage", "rent_per_m2_month", "rent_room_month", "new_home_price_per_m2",
    "gdp", "population", "talent_ranking", "price_to_income",
    "home_price_per_m2", "secondhand_home_price_per_m2", "talent_index",
]
Unit = Literal[
    "CNY_per_year", "CNY_per_month", "CNY_per_m2_month", "CNY_per_m2", "CNY_100m", "persons_10k", "rank",
    "ratio", "USD_per_month", "index",
]


class Figure(Strict):
    id: ID
    city: ID | None = Field(None, description="None for a national figure")
    metric: Metric
    value: float = Field(gt=0)
    unit: Unit
    year: int = Field(ge=1990, le=2035)
    period: SHORT | None = Field(None, description="e.g. 'Dec 2018' when finer than a year")
    definition_en: LONG
    definition_zh: LONG | None = None
    comparable: bool = Field(description="false where definitions differ between cities")
    weak: bool = Field(False, description="true for figures the research calls weak")
    verification: Verification
    sources: list[SOURCE_ID] = Field(min_length=1)
    use_for: list[Literal["local_wage", "market_rent"]] = Field(
        default_factory=list, description="the figure the research recommends the engine uses for this purpose")
    note: LONG | None = None


class ReferenceFile(Strict):
    topic: ID
    title_en: SHORT
    title_zh: SHORT
    as_of: date
    sources: list[Source] = Field(min_length=1)
    figures: list[Figure] = Field(min_length=1)
