"""Benchmark archetypes (``data/archetypes.yaml``): named applicant profiles that officials compare cities
against. Read like every other data file: safe YAML, pydantic validation, ``file:record:field`` problems.

Each archetype's ``profile`` is validated with the app's own :class:`~dashboard.engine.profile.Profile`, so
an archetype can never hold a field or value a user could not enter on the Explore page. ``assumed`` lists
the profile fields that are typical assumptions rather than given facts (the page marks them).

This module imports the engine's Profile model (the profile's schema lives there) but nothing else of the
engine; ``dashboard.catalog`` itself does not import this module, so there is no import cycle.
"""

from __future__ import annotations

from pathlib import Path

from pydantic import Field, ValidationError, field_validator, model_validator

from dashboard.catalog.loader import DATA_DIR, DataError, Problem, parse_yaml_bytes, read_yaml, validation_problems
from dashboard.catalog.schema import ID, LONG, SHORT, Strict
from dashboard.engine.profile import Profile
from dashboard.engine.score import PRESETS

ARCHETYPES_FILE = DATA_DIR / "archetypes.yaml"
MAX_ARCHETYPES = 50


class Archetype(Strict):
    """One named profile. ``preset`` is the weight preset used when the user gives no weights."""

    id: ID
    name_en: SHORT
    name_zh: SHORT
    why_en: LONG
    why_zh: LONG
    preset: str
    profile: Profile
    assumed: list[str] = Field(default_factory=list, description="profile fields that are assumptions")

    @field_validator("preset")
    @classmethod
    def _preset(cls, v: str) -> str:
        if v not in PRESETS:
            raise ValueError(f"unknown preset {v!r}; expected one of {', '.join(PRESETS)}")
        return v

    @model_validator(mode="after")
    def _assumed(self) -> Archetype:
        given = self.profile.model_fields_set
        for name in self.assumed:
            if name not in given:
                raise ValueError(f"assumed names {name!r}, which the profile does not set; expected only fields "
                                 "given in profile")
        return self


class ArchetypeFile(Strict):
    archetypes: list[Archetype] = Field(min_length=1, max_length=MAX_ARCHETYPES)


def check_archetypes(file: str, model: ArchetypeFile) -> list[Problem]:
    """Ids are keys on the page and in the matrix: each once."""
    ids = [a.id for a in model.archetypes]
    return [Problem(file, dup, "id", "duplicate archetype id; expected unique ids")
            for dup in sorted({i for i in ids if ids.count(i) > 1})]


def load_archetypes(path: Path = ARCHETYPES_FILE, *, raw: bytes | None = None,
                    display: str | None = None) -> tuple[tuple[Archetype, ...], list[Problem]]:
    """The archetypes (empty when the file has an error) and every problem found. ``raw`` validates an
    edited or uploaded copy without touching the file."""
    name = display or str(path)
    try:
        data = parse_yaml_bytes(raw) if raw is not None else read_yaml(path)
    except DataError as e:
        return (), [Problem(name, "-", "-", str(e))]
    except OSError as e:
        return (), [Problem(name, "-", "-", f"cannot read file: {e.strerror}")]
    if not isinstance(data, dict):
        return (), [Problem(name, "-", "-", f"top level is a {type(data).__name__}; expected a mapping")]
    try:
        model = ArchetypeFile.model_validate(data)
    except ValidationError as e:
        return (), validation_problems(name, data, e, ArchetypeFile)
    problems = check_archetypes(name, model)
    return (() if problems else tuple(model.archetypes)), problems


def archetype_from(data: dict, *, display: str = "archetype") -> tuple[Archetype | None, list[Problem]]:
    """Validate one archetype edited on the page (a mapping shaped like one record of the file)."""
    wrapped = {"archetypes": [data]}
    try:
        model = ArchetypeFile.model_validate(wrapped)
    except ValidationError as e:
        return None, validation_problems(display, wrapped, e, ArchetypeFile)
    return model.archetypes[0], []

