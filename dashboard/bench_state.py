"""The officials' working scenario (home city, archetypes, what-if edits, uploaded offers) as plain data:
to and from the saved-scenario payload, and the engine inputs it implies. No Streamlit here, so the
round trip (save, reload, same ranking) is tested directly."""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from dashboard.catalog import schema as S
from dashboard.catalog.archetypes import Archetype
from dashboard.catalog.loader import Problem
from dashboard.engine import whatif as W
from dashboard.engine.evaluate import Inputs
from dashboard.engine.profile import Profile
from dashboard.store import ScenarioPayload

EDIT_KINDS: dict[str, type] = {cls.__name__: cls for cls in (
    W.SetAmount, W.SetDuration, W.ReplaceCondition, W.UpdateCondition, W.AddCondition, W.RemoveCondition,
    W.DisableIncentive, W.AddFromTemplate)}


def edit_to_dict(e: Any) -> dict[str, Any]:
    d = dataclasses.asdict(e)
    d["kind"] = type(e).__name__
    if isinstance(d.get("conditions"), tuple):
        d["conditions"] = [dict(c) for c in d["conditions"]]
    return d


def edit_from_dict(d: Mapping[str, Any]) -> Any:
    """An edit from its saved form; ValueError with a clear message when the form is not an edit."""
    data = dict(d)
    kind = data.pop("kind", None)
    cls = EDIT_KINDS.get(str(kind))
    if cls is None:
        raise ValueError(f"unknown edit kind {kind!r}; expected one of {', '.join(EDIT_KINDS)}")
    names = {f.name for f in dataclasses.fields(cls)}
    extra = set(data) - names
    if extra:
        raise ValueError(f"{kind}: unknown field(s) {', '.join(sorted(extra))}")
    if "conditions" in data and isinstance(data["conditions"], list):
        data["conditions"] = tuple(data["conditions"])
    if "condition" in data and isinstance(data["condition"], dict):
        data["condition"] = dict(data["condition"])
    try:
        return cls(**data)
    except TypeError as e:
        raise ValueError(f"{kind}: {e}") from None


def _slug(text: str) -> str:
    s = re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")[:60]
    return s if len(s) >= 2 else f"a-{abs(hash(text)) % 10**6}"


@dataclass
class BenchScenario:
    home: str
    archetypes: list[Archetype]
    edits: list[Any] = field(default_factory=list)
    offers: list[S.CityFile] = field(default_factory=list)
    name: str | None = None
    version: int | None = None

    def to_payload(self, lang: str, weights: Mapping[str, float] | None = None) -> ScenarioPayload:
        return ScenarioPayload.model_validate({
            "lang": lang, "home_city": self.home,
            "archetypes": [{"name": a.name_en, "profile": a.profile.model_dump(mode="json", exclude_none=True)}
                           for a in self.archetypes],
            "weights": dict(weights or {}),
            "edits": [edit_to_dict(e) for e in self.edits],
            "offers": [o.model_dump(mode="json", exclude_none=True) for o in self.offers],
        })


def from_payload(p: ScenarioPayload, defaults: Sequence[Archetype], *, name: str | None = None,
                 version: int | None = None) -> tuple[BenchScenario, list[str]]:
    """Rebuild the working scenario; problems (an edit or offer that no longer validates) are reported and
    that piece is left out, the rest opens."""
    problems: list[str] = []
    by_name = {a.name_en: a for a in defaults}
    archetypes = []
    for a in p.archetypes:
        base = by_name.get(a.name)
        prof = Profile.model_validate(a.profile)
        if base is not None:
            archetypes.append(base.model_copy(update={"profile": prof, "assumed": [x for x in base.assumed
                                                                                    if x in prof.model_fields_set]}))
        else:
            archetypes.append(Archetype(id=_slug(a.name), name_en=a.name, name_zh=a.name, why_en="User-defined archetype.",
                                        why_zh="用户自定义的档案。", preset="graduate", profile=prof))
    edits = []
    for d in p.edits:
        try:
            edits.append(edit_from_dict(d))
        except ValueError as e:
            problems.append(str(e))
    offers = []
    for d in p.offers:
        try:
            offers.append(S.CityFile.model_validate(d))
        except ValueError as e:
            problems.append(f"offer {d.get('city', '?')}: {str(e).splitlines()[0]}")
    return BenchScenario(p.home_city or "", archetypes, edits, offers, name, version), problems


def session_inputs(base: Inputs, sc: BenchScenario, today: date) -> tuple[Inputs, W.WhatIf | None, list[Problem]]:
    """The catalog plus the session's uploaded offers (marked user-supplied) plus the home city's what-if
    edits. When the edits do not validate, the official home city is used and the problems returned."""
    inputs = W.with_uploads(base, sc.offers) if sc.offers else base
    if not sc.edits or sc.home not in inputs.cities:
        return inputs, None, []
    wi = W.apply_edits(inputs.cities[sc.home], sc.edits, today=today)
    if wi.city is None:
        return inputs, wi, list(wi.problems)
    return W.with_city(inputs, wi.city), wi, []
