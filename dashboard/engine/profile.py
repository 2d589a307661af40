"""The applicant profile: the engine's one input about a person, and a public JSON interface.

Every field but the two valuation settings may be unknown (``None``): unknown answers make conditions
"unknown", never "fail". The JSON Schema (``python -m dashboard schema``) is generated from this model, so
the documented interface cannot drift from the code.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from dashboard.catalog.schema import Degree, Field_, Intent, Origin


class Profile(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    age: int | None = Field(None, ge=16, le=80, description="age in whole years")
    origin: Origin | None = Field(None, description="foreign | overseas_chinese | returnee | mainland | hk_macao_taiwan")
    degree: Degree | None = Field(None, description="highest degree: none | bachelor | master | phd | postdoc")
    field: Field_ | None = Field(None, description="field of the degree or work; non_stem for anything else")
    graduation_year: int | None = Field(None, ge=1960, le=2035, description="year the highest degree was awarded")
    university_rank: int | None = Field(None, ge=1, le=5000, description="world rank of the degree-granting university")
    degree_abroad: bool | None = Field(None, description="highest degree earned outside mainland China")
    experience_years: float | None = Field(None, ge=0, le=60, description="years of relevant work experience")
    annual_salary_cny: float | None = Field(None, ge=0, le=1e9, description="expected gross annual salary in CNY")
    intent: Intent | None = Field(None, description="employment | startup | research")
    months_in_china_per_year: float | None = Field(None, ge=0, le=12)
    hsk_level: int | None = Field(None, ge=0, le=9, description="HSK level passed; 0 for none")
    chinese_taught_degree: bool | None = Field(None, description="holds a degree from a Chinese university")
    former_chinese_national: bool | None = None
    fortune500_experience: bool | None = Field(None, description="worked for a Fortune Global 500 company")
    holds_patent: bool | None = Field(None, description="holds an invention patent or core IP")
    years_in_china_continuous: float | None = Field(None, ge=0, le=80)
    years_since_return: float | None = Field(None, ge=0, le=60, description="returnees: years since coming back")
    owns_home_in_city: bool | None = Field(None, description="owns a home in the destination city")
    spouse: bool | None = None
    children: int | None = Field(None, ge=0, le=10)
    # Dates for the personal plan (engine/deadlines.py); optional, unknown dates leave deadlines unknown.
    graduation_date: date | None = Field(None, description="day the highest degree was (or will be) awarded")
    arrival_date: date | None = Field(None, description="day of arrival in China to take up the move (for returnees: the return)")
    work_start_date: date | None = Field(None, description="first day of work; months of social insurance are counted from this day")
    horizon_years: int = Field(5, ge=1, le=30, description="how many years ahead values are counted")
    discount_rate: float = Field(0.03, ge=0, le=0.5, description="annual rate for discounting later payments")

    @model_validator(mode="after")
    def _coherent(self) -> Profile:
        if self.degree == "none" and self.graduation_year is not None:
            raise ValueError("graduation_year given but degree is none")
        return self


class Settings(BaseModel):
    """Engine settings that are not facts about the applicant."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    today: date = Field(default_factory=date.today)
    k_visa_max_age: int | None = Field(None, ge=18, le=80, description="unpublished; None = unknown")
    discretionary_expected_share: float = Field(0.5, ge=0, le=1,
        description="expected value of an 'up to' amount = min + share x (max - min); 0.5 is the midpoint rule")
    rent_flat_m2: float = Field(40.0, gt=0, le=300, description="flat size for valuing below-market rent")


class ProfileError(ValueError):
    """A profile that does not validate; ``problems`` holds one 'field: message' line per problem."""

    def __init__(self, problems: list[str]):
        super().__init__("; ".join(problems))
        self.problems = problems


def parse_profile(data: Any) -> Profile:
    """Validate a mapping (parsed JSON) into a Profile, or raise ProfileError with one line per field."""
    if not isinstance(data, dict):
        raise ProfileError([f"profile: expected a JSON object, got {type(data).__name__}"])
    try:
        return Profile.model_validate(data)
    except ValidationError as e:
        out = []
        for err in e.errors():
            where = ".".join(str(p) for p in err["loc"]) or "profile"
            msg = str(err["msg"]).removeprefix("Value error, ")
            if err["type"] == "extra_forbidden":
                msg = "unknown field"
            out.append(f"{where}: {msg}")
        raise ProfileError(out) from None


def profile_json_schema() -> dict[str, Any]:
    return Profile.model_json_schema()
