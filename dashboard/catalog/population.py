"""The applicant population file (``data/population.yaml``): axes, their values' weights (stated assumptions)
and the graduation age per degree. Read like every other data file: safe YAML, pydantic validation,
``file:record:field`` problems; a bad edit on the page gets the same one-line messages.
"""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

from pydantic import Field, ValidationError, field_validator, model_validator

from dashboard.catalog.loader import DATA_DIR, Problem, read_mapping, validation_problems
from dashboard.catalog.schema import DEGREE_ORDER, FIELDS, LONG, SHORT, Strict

POPULATION_FILE = DATA_DIR / "population.yaml"
ORIGINS = ("foreign", "overseas_chinese", "returnee", "mainland", "hk_macao_taiwan")
INTENTS = ("employment", "startup", "research")
AXES = ("degree", "field", "origin", "annual_salary_cny", "intent", "years_since_graduation", "age_offset")
SEGMENT_AXES = ("degree", "field", "origin", "intent", "annual_salary_cny", "years_since_graduation")
MAX_PROFILES = 500_000


def _closed(axis: str, key: str) -> Any:
    """Parse one axis value (YAML keys are strings), or raise a message naming the axis and the value."""
    if axis == "degree":
        if key not in DEGREE_ORDER or key == "none":
            raise ValueError(f"degree {key!r} unknown; expected one of bachelor, master, phd, postdoc")
        return key
    if axis == "field":
        if key not in FIELDS:
            raise ValueError(f"field {key!r} unknown; expected one of {', '.join(FIELDS)}")
        return key
    if axis == "origin":
        if key not in ORIGINS:
            raise ValueError(f"origin {key!r} unknown; expected one of {', '.join(ORIGINS)}")
        return key
    if axis == "intent":
        if key not in INTENTS:
            raise ValueError(f"intent {key!r} unknown; expected one of {', '.join(INTENTS)}")
        return key
    try:
        v = float(key)
    except ValueError:
        raise ValueError(f"{axis} value {key!r} is not a number") from None
    limits = {"annual_salary_cny": (0, 1e8), "years_since_graduation": (0, 40), "age_offset": (-5, 20)}[axis]
    if not (limits[0] <= v <= limits[1]) or not math.isfinite(v):
        raise ValueError(f"{axis} value {key!r} is out of range; expected {limits[0]:g} to {limits[1]:g}")
    return int(v) if v == int(v) else v


class Population(Strict):
    title_en: SHORT
    title_zh: SHORT
    note_en: LONG | None = None
    note_zh: LONG | None = None
    graduation_age: dict[str, int] = Field(description="typical age at graduation per degree")
    axes: dict[str, dict[str, float]]
    segments: list[str] = Field(default_factory=lambda: ["degree", "field", "origin"])

    @field_validator("axes")
    @classmethod
    def _axes(cls, v: dict[str, dict[str, float]]) -> dict[str, dict[str, float]]:
        for axis in v:
            if axis not in AXES:
                raise ValueError(f"unknown axis {axis!r}; expected axes among {', '.join(AXES)}")
        for axis in AXES:
            if axis not in v or not v[axis]:
                raise ValueError(f"axis {axis!r} missing or empty; expected at least one value with a weight")
        for axis, values in v.items():
            for key, w in values.items():
                _closed(axis, str(key))
                if not math.isfinite(w) or w < 0:
                    raise ValueError(f"{axis}: weight of {key!r} is {w}; expected a number 0 or more")
            if sum(values.values()) <= 0:
                raise ValueError(f"{axis}: weights sum to 0; expected a positive total")
        n = math.prod(len(x) for x in v.values())
        if n > MAX_PROFILES:
            raise ValueError(f"the axes give {n:,} profiles; expected at most {MAX_PROFILES:,}")
        return v

    @model_validator(mode="after")
    def _ages(self) -> Population:
        for d in self.axes["degree"]:
            if d not in self.graduation_age:
                raise ValueError(f"graduation_age has no entry for degree {d!r}; expected one per degree on the axis")
        for d, a in self.graduation_age.items():
            if not 16 <= a <= 60:
                raise ValueError(f"graduation_age of {d!r} is {a}; expected 16 to 60")
        for s in self.segments:
            if s not in SEGMENT_AXES:
                raise ValueError(f"segment {s!r} unknown; expected among {', '.join(SEGMENT_AXES)}")
        return self

    def values(self, axis: str) -> list[Any]:
        return [_closed(axis, str(k)) for k in self.axes[axis]]

    def weights(self, axis: str) -> list[float]:
        w = list(self.axes[axis].values())
        total = sum(w)
        return [x / total for x in w]


def load_population(path: Path = POPULATION_FILE, *, raw: bytes | None = None, data: Any = None,
                    display: str | None = None) -> tuple[Population | None, list[Problem]]:
    """The population (None when the file has an error) and every problem found. ``raw`` or ``data``
    validate an edited copy (from the page) without touching the file."""
    name = display or str(path)
    if data is None:
        data, problems = read_mapping(path, raw, name)
        if data is None:
            return None, problems
    if not isinstance(data, dict):
        return None, [Problem(name, "-", "-", f"top level is a {type(data).__name__}; expected a mapping")]
    try:
        return Population.model_validate(data), []
    except ValidationError as e:
        return None, validation_problems(name, data, e, Population)
