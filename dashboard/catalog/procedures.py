"""How to get it: procedures (who files, where, when, documents, time, fees, pitfalls) and the policy
timeline, as sourced data: ``data/procedures/*.yaml`` and ``data/timeline.yaml``.

A procedure is keyed by the incentive ids (``incentives``) or national rule ids (``national``) it is the
way to; the loader checks every referenced id exists. Timing is data, never code:

- ``opens`` / ``closes`` hold *readings*: each reading is one source's version of the rule (an ``Edge``: an
  event in the applicant's life plus an offset, or a fixed date; or no edge at all when the source states no
  deadline). Readings filtered to the applicant (by origin, by tier) that disagree are a conflict, shown as
  such, never silently resolved.
- ``Edge.inclusive`` keeps the source's wording: for a closing edge "within 2 years / no more than 2 years
  / 2年内 / 不超过" is ``true`` (the anniversary itself is still in time), "less than 2 years / 未满" is
  ``false`` (the last day is the day before); for an opening edge "after 3 months / 满3个月" is ``true`` (open
  on the day), "more than 3 months" in the strict sense is ``false`` (open the day after).
- ``constraints`` are orderings of the applicant's own events ("job within 2 years of return": the work
  start must fall on or before return + 2 years); ``annual`` is a window opened once a year for the previous
  tax year, with the windows actually published.

Why a separate module: the city schema stays about *what you get*; this one is about *how*, and it is
optional (a city without procedures still loads). Models reuse the city vocabulary and provenance
(``Source``, ``Verification``) so every date, document and fee is sourced and rated the same way.
"""

from __future__ import annotations

import calendar
import datetime as dt
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, Field, ValidationError, model_validator

from dashboard.catalog.schema import ID, LONG, SHORT, SOURCE_ID, Origin, Source, Strict, Verification

EventName = Literal["graduation", "arrival", "work_start", "identification", "fixed"]
ProfileEvent = Literal["graduation", "arrival", "work_start"]
Who = Literal["applicant", "employer", "both", "either"]  # both: jointly; either: two routes
StepWho = Literal["applicant", "employer", "both", "either", "authority"]
PlaceKind = Literal["portal", "app", "office", "embassy", "system"]
Unit = Literal["working_days", "days", "weeks", "months"]

# --- timing --------------------------------------------------------------------------------------------


class Edge(Strict):
    """A date: ``event`` + years/months/days (month arithmetic clamps to the month's end), or a fixed date.
    ``inclusive`` is required so that nobody has to guess the source's wording (see the module docstring)."""

    event: EventName
    date: dt.date | None = Field(None, description="only with event 'fixed'")
    years: int = Field(0, ge=0, le=50)
    months: int = Field(0, ge=0, le=600)
    days: int = Field(0, ge=0, le=3650)
    inclusive: bool
    wording_en: LONG | None = None
    wording_zh: LONG | None = None

    @model_validator(mode="after")
    def _shape(self) -> Edge:
        if self.event == "fixed":
            if self.date is None:
                raise ValueError("a fixed edge needs date")
            if self.years or self.months or self.days:
                raise ValueError("a fixed edge takes no years, months or days")
        elif self.date is not None:
            raise ValueError(f"date goes only with event 'fixed', not with {self.event!r}")
        return self


class Reading(Strict):
    """One source's version of when a window opens or closes. No ``edge``: the source states none."""

    edge: Edge | None = None
    origins: list[Origin] = Field(default_factory=list, description="whom it applies to; empty: everyone")
    tiers: list[ID] = Field(default_factory=list, description="incentive tiers it applies to; empty: all")
    verification: Verification
    sources: list[SOURCE_ID] = Field(min_length=1)
    note_en: LONG | None = None
    note_zh: LONG | None = None


class Constraint(Strict):
    """An event of the applicant's must fall inside bounds ("first job within 2 years of graduating")."""

    event: ProfileEvent
    on_or_after: Edge | None = None
    on_or_before: Edge | None = None
    origins: list[Origin] = Field(default_factory=list)
    tiers: list[ID] = Field(default_factory=list)
    text_en: LONG
    text_zh: LONG
    verification: Verification
    sources: list[SOURCE_ID] = Field(min_length=1)

    @model_validator(mode="after")
    def _bounds(self) -> Constraint:
        if self.on_or_after is None and self.on_or_before is None:
            raise ValueError("give on_or_after or on_or_before")
        for e in (self.on_or_after, self.on_or_before):
            if e is not None and e.event == self.event:
                raise ValueError(f"the bound is relative to the constrained event {self.event!r} itself")
        return self


class KnownWindow(Strict):
    """A published application window for one tax year (``period``)."""

    period: int = Field(ge=2000, le=2100)
    opens: date | None = Field(None, description="None when only the deadline is known")
    closes: date
    extended_to: date | None = None
    verification: Verification
    sources: list[SOURCE_ID] = Field(min_length=1)
    note_en: LONG | None = None
    note_zh: LONG | None = None

    @model_validator(mode="after")
    def _order(self) -> KnownWindow:
        if self.opens and self.opens > self.closes:
            raise ValueError(f"opens {self.opens} is after closes {self.closes}; expected opens <= closes")
        if self.extended_to and self.extended_to < self.closes:
            raise ValueError(f"extended_to {self.extended_to} is before closes {self.closes}")
        if self.closes.year <= self.period:
            raise ValueError(f"the window for tax year {self.period} closes in {self.closes.year}; expected a later year")
        return self

    @property
    def last_day(self) -> date:
        return self.extended_to or self.closes


class Annual(Strict):
    """Applications once a year for the previous tax year; ``min_days_in_period`` days in the city in that
    tax year qualify it ("more than 90 days" is 91)."""

    period: Literal["previous_tax_year"]
    min_days_in_period: int | None = Field(None, ge=1, le=366)
    usual_en: LONG
    usual_zh: LONG
    windows: list[KnownWindow] = Field(default_factory=list)
    verification: Verification
    sources: list[SOURCE_ID] = Field(min_length=1)

    @model_validator(mode="after")
    def _unique(self) -> Annual:
        periods = [w.period for w in self.windows]
        if len(set(periods)) != len(periods):
            raise ValueError("a tax year has two windows; expected one per period")
        return self


class Milestone(Strict):
    """A date worth knowing that is neither an opening nor a deadline ("the +30% premium applies within 2
    years of graduation"; when the 2 years are measured is not stated)."""

    edge: Edge
    text_en: LONG
    text_zh: LONG
    origins: list[Origin] = Field(default_factory=list)
    tiers: list[ID] = Field(default_factory=list)
    verification: Verification
    sources: list[SOURCE_ID] = Field(min_length=1)


class Yearly(Strict):
    """A recurring date ("by the end of November each year")."""

    month: int = Field(ge=1, le=12)
    day: int = Field(ge=1, le=31)

    @model_validator(mode="after")
    def _real(self) -> Yearly:
        if self.day > calendar.monthrange(2025, self.month)[1]:
            raise ValueError(f"{self.month:02d}-{self.day:02d} is not a date in every year")
        return self

    def next_on_or_after(self, d: date) -> date:
        this = date(d.year, self.month, self.day)
        return this if this >= d else date(d.year + 1, self.month, self.day)


# --- the procedure -------------------------------------------------------------------------------------


class Place(Strict):
    id: ID
    kind: PlaceKind
    name_en: SHORT
    name_zh: SHORT
    url: str | None = Field(None, pattern=r"^https?://\S+$", max_length=2000)
    address_en: SHORT | None = None
    address_zh: SHORT | None = None
    # The city an address belongs to when a national procedure gives one city's office as its example: the
    # address is shown in that city's plan only (a Shanghai plan never lists a Shenzhen window).
    address_city: ID | None = None
    verification: Verification
    sources: list[SOURCE_ID] = Field(min_length=1)
    note_en: LONG | None = None
    note_zh: LONG | None = None


class Step(Strict):
    """One step. ``after``: step ids it waits for. ``due``: its own deadline (residence permit within 30
    days of entry); ``due_yearly``: a recurring one."""

    id: ID
    who: StepWho
    text_en: LONG
    text_zh: LONG
    place: ID | None = None
    after: list[ID] = Field(default_factory=list)
    due: Edge | None = None
    due_yearly: Yearly | None = None
    origins: list[Origin] = Field(default_factory=list)
    verification: Verification
    sources: list[SOURCE_ID] = Field(min_length=1)


class Document(Strict):
    name_en: LONG
    name_zh: LONG
    who: Literal["applicant", "employer"] = "applicant"
    valid_months: int | None = Field(None, gt=0, le=120, description="how long the document stays valid")
    origins: list[Origin] = Field(default_factory=list)
    verification: Verification
    sources: list[SOURCE_ID] = Field(min_length=1)
    note_en: LONG | None = None
    note_zh: LONG | None = None


class Duration(Strict):
    """Processing time as one source gives it; several readings that disagree are listed, not averaged."""

    min: float | None = Field(None, ge=0)
    max: float | None = Field(None, ge=0)
    unit: Unit
    text_en: LONG
    text_zh: LONG
    verification: Verification
    sources: list[SOURCE_ID] = Field(min_length=1)

    @model_validator(mode="after")
    def _order(self) -> Duration:
        if self.min is None and self.max is None:
            raise ValueError("give min or max (an unknown time goes in unknown_en / unknown_zh)")
        if self.min is not None and self.max is not None and self.min > self.max:
            raise ValueError(f"min {self.min} is above max {self.max}")
        return self


class Fee(Strict):
    what_en: SHORT
    what_zh: SHORT
    amount_cny: float | None = Field(None, ge=0, description="None: not published; 0: waived")
    verification: Verification
    sources: list[SOURCE_ID] = Field(min_length=1)
    note_en: LONG | None = None
    note_zh: LONG | None = None


class Note(Strict):
    text_en: LONG
    text_zh: LONG
    verification: Verification
    sources: list[SOURCE_ID] = Field(default_factory=list)


class Procedure(Strict):
    id: ID
    research_ref: list[SHORT] = Field(default_factory=list)
    incentives: list[ID] = Field(default_factory=list, description="city incentive ids it is the way to")
    national: list[ID] = Field(default_factory=list, description="national rule ids it is the way to")
    name_en: SHORT
    name_zh: SHORT
    files_by: Who
    files_by_en: LONG
    files_by_zh: LONG
    timing_en: LONG
    timing_zh: LONG
    places: list[Place] = Field(default_factory=list)
    opens: list[Reading] = Field(default_factory=list)
    closes: list[Reading] = Field(default_factory=list)
    constraints: list[Constraint] = Field(default_factory=list)
    annual: Annual | None = None
    milestones: list[Milestone] = Field(default_factory=list)
    schedule_inclusive: bool = Field(True, description="'after N months of social insurance' counts on the day "
                                     "N months complete (满N个月); false for a strict 'more than N months'")
    waits_for: list[ID] = Field(default_factory=list, description="procedure ids that come first when both apply")
    steps: list[Step] = Field(default_factory=list)
    documents: list[Document] = Field(default_factory=list)
    processing: list[Duration] = Field(default_factory=list)
    fees: list[Fee] = Field(default_factory=list)
    pitfalls: list[Note] = Field(default_factory=list)
    conflicts: list[Note] = Field(default_factory=list, description="disagreements other than dates")
    unknown_en: list[SHORT] = Field(default_factory=list, description="what the research did not find")
    unknown_zh: list[SHORT] = Field(default_factory=list)
    verification: Verification
    sources: list[SOURCE_ID] = Field(min_length=1)
    note: LONG | None = None

    @model_validator(mode="after")
    def _consistent(self) -> Procedure:
        if not self.incentives and not self.national:
            raise ValueError("name the incentives or national rules this procedure is for")
        step_ids = [s.id for s in self.steps]
        if len(set(step_ids)) != len(step_ids):
            raise ValueError("two steps share an id; expected unique step ids")
        places = {p.id for p in self.places}
        for s in self.steps:
            for a in s.after:
                if a not in step_ids or step_ids.index(a) >= step_ids.index(s.id):
                    raise ValueError(f"step {s.id} waits for {a!r}, which is not an earlier step")
            if s.place is not None and s.place not in places:
                raise ValueError(f"step {s.id} names place {s.place!r}; expected one of the procedure's places")
        if len(self.unknown_en) != len(self.unknown_zh):
            raise ValueError("unknown_en and unknown_zh must list the same items in both languages")
        if self.id in self.waits_for:
            raise ValueError("a procedure cannot wait for itself")
        return self

    def cited(self) -> Iterator[str]:
        """Every source id cited anywhere in the procedure."""
        yield from _cited(self)


def _cited(model: BaseModel) -> Iterator[str]:
    for name in type(model).model_fields:
        value = getattr(model, name)
        if name == "sources" and isinstance(value, list):
            yield from value
            continue
        for item in value if isinstance(value, list) else [value]:
            if isinstance(item, BaseModel):
                yield from _cited(item)


class ProcedureFile(Strict):
    topic: ID
    title_en: SHORT
    title_zh: SHORT
    city: ID | None = Field(None, description="the city whose incentives it covers; None for national rules")
    as_of: date
    research_ref: list[SHORT] = Field(default_factory=list)
    sources: list[Source] = Field(min_length=1)
    procedures: list[Procedure] = Field(min_length=1)


# --- the policy timeline -------------------------------------------------------------------------------

Level = Literal["national", "guangdong", "hainan", "beijing", "shanghai", "shenzhen", "hangzhou", "chengdu"]
Topic = Literal["visa", "work_permit", "residence", "hukou", "tax", "housing", "living", "talent", "immigration", "zone"]
TOPICS: tuple[str, ...] = Topic.__args__  # type: ignore[attr-defined]
EventKind = Literal["enacted", "in_force", "extended", "expires", "announced", "window", "pending"]
EVENT_KINDS: tuple[str, ...] = EventKind.__args__  # type: ignore[attr-defined]
Precision = Literal["day", "month", "year", "none"]


class TimelineEvent(Strict):
    """One dated change. ``precision`` keeps what the source gives ("2015-07" is month precision and is
    stored as the 1st); ``none`` is an announced step with no date. ``cities``: which of the dashboard's
    cities it concerns (empty for the national scheme, which concerns all). ``incentives`` / ``national``:
    the records it changes, so the app can tell a profile that an expiry affects its results."""

    id: ID
    date: dt.date | None = None
    precision: Precision
    effective: dt.date | None = Field(None, description="in force on, when later than the date of issue")
    until: dt.date | None = Field(None, description="last day of a window or of the validity it sets")
    level: Level
    cities: list[ID] = Field(default_factory=list)
    topic: Topic
    kind: EventKind
    name_en: LONG
    name_zh: LONG
    who_en: SHORT | None = None
    who_zh: SHORT | None = None
    incentives: list[ID] = Field(default_factory=list)
    national: list[ID] = Field(default_factory=list)
    verification: Verification
    sources: list[SOURCE_ID] = Field(default_factory=list)
    research_ref: list[SHORT] = Field(default_factory=list)
    note_en: LONG | None = None
    note_zh: LONG | None = None

    @model_validator(mode="after")
    def _precision(self) -> TimelineEvent:
        if (self.date is None) != (self.precision == "none"):
            raise ValueError("precision none goes with no date, and a date needs day, month or year precision")
        if self.date is not None and self.precision == "month" and self.date.day != 1:
            raise ValueError(f"month precision is stored as the 1st; got {self.date}")
        if self.date is not None and self.precision == "year" and (self.date.month, self.date.day) != (1, 1):
            raise ValueError(f"year precision is stored as 1 January; got {self.date}")
        if self.date is None and self.kind not in ("pending", "announced"):
            raise ValueError(f"an undated event must be pending or announced, not {self.kind}")
        if not self.sources and self.verification != "unverified":
            raise ValueError("an event without sources must be rated unverified")
        if self.effective and self.date and self.effective < self.date:
            raise ValueError(f"effective {self.effective} is before the date {self.date}")
        if self.until and self.date and self.until < self.date:
            raise ValueError(f"until {self.until} is before the date {self.date}")
        return self


class TimelineFile(Strict):
    topic: ID
    title_en: SHORT
    title_zh: SHORT
    as_of: date
    research_ref: list[SHORT] = Field(default_factory=list)
    sources: list[Source] = Field(min_length=1)
    events: list[TimelineEvent] = Field(min_length=1)


# --- loading and checks --------------------------------------------------------------------------------


@dataclass(frozen=True)
class Found:
    """A procedure with the file it came from (its sources are file-local)."""

    procedure: Procedure
    file: ProcedureFile
    stem: str

    def source(self, sid: str) -> Source | None:
        return next((s for s in self.file.sources if s.id == sid), None)


def index(files: dict[str, ProcedureFile]) -> dict[str, Found]:
    """incentive id / national rule id -> its procedure (the loader guarantees at most one)."""
    out: dict[str, Found] = {}
    for stem, f in sorted(files.items()):
        for p in f.procedures:
            for key in [*p.incentives, *p.national]:
                out.setdefault(key, Found(p, f, stem))
    return out


def by_id(files: dict[str, ProcedureFile]) -> dict[str, Found]:
    return {p.id: Found(p, f, stem) for stem, f in sorted(files.items()) for p in f.procedures}


def _sources_problems(file: str, sources: list[Source], cited: Iterable[tuple[str, Iterable[str]]], today: date,
                      stale_days: int) -> list[Any]:
    from dashboard.catalog.loader import Problem

    out = []
    ids = [s.id for s in sources]
    for dup in sorted({s for s in ids if ids.count(s) > 1}):
        out.append(Problem(file, dup, "id", "duplicate source id; expected each source listed once"))
    known = set(ids)
    used: set[str] = set()
    for rid, sids in cited:
        for sid in sids:
            used.add(sid)
            if sid not in known:
                out.append(Problem(file, rid, "sources", f"unknown source id {sid!r}; expected one of the file's sources"))
    stale_before = today - timedelta(days=stale_days)
    for s in sources:
        if s.retrieved > today:
            out.append(Problem(file, s.id, "retrieved", f"date {s.retrieved} is in the future; expected a past date"))
        elif s.retrieved < stale_before:
            out.append(Problem(file, s.id, "retrieved", f"retrieved {s.retrieved}, older than {stale_days} days; "
                               "re-check the source", "warning"))
        if s.id not in used:
            out.append(Problem(file, s.id, "-", "source listed but not cited", "warning"))
    return out


def _national_ids(national: dict[str, BaseModel]) -> set[str]:
    from dashboard.catalog.national import _rules_in

    return {rid for m in national.values() for rid, _ in _rules_in(m)}


def check_procedures(file: str, pf: ProcedureFile, res: Any, today: date, stale_days: int) -> list[Any]:
    """Sources resolve; referenced incentives, tiers and national rules exist (when their file loaded)."""
    from dashboard.catalog.loader import Problem

    out = _sources_problems(file, pf.sources, [(p.id, p.cited()) for p in pf.procedures], today, stale_days)
    city = res.cities.get(pf.city) if pf.city else None
    if pf.city and city is None:
        out.append(Problem(file, "-", "city", f"city {pf.city!r} is not loaded; its incentive ids were not checked",
                           "warning"))
    # A city file names its own incentives; the national file may name a city's listing of a national rule.
    pool = [city] if city is not None else ([] if pf.city else list(res.cities.values()))
    incs = {i.id: i for c in pool for i in c.incentives}
    checkable = bool(pool) and (pf.city is not None or len(res.cities) == 5)
    nat_ids = _national_ids(res.national) if res.national else None
    for p in pf.procedures:
        if checkable:
            for iid in p.incentives:
                if iid not in incs:
                    where = f"data/cities/{pf.city}.yaml" if pf.city else "a city file"
                    out.append(Problem(file, p.id, "incentives", f"unknown incentive id {iid!r}; expected an id in {where}"))
        if nat_ids is not None:
            for nid in p.national:
                if nid not in nat_ids:
                    out.append(Problem(file, p.id, "national", f"unknown national rule id {nid!r}; expected an id in "
                                       "data/national/*.yaml"))
        tiers = {t.id for iid in p.incentives if iid in incs for t in incs[iid].tiers}
        for field_name in ("opens", "closes", "constraints", "milestones"):
            for i, r in enumerate(getattr(p, field_name)):
                for tid in r.tiers:
                    if checkable and tid not in tiers:
                        out.append(Problem(file, p.id, f"{field_name}[{i}].tiers", f"unknown tier {tid!r}; expected "
                                           f"one of {sorted(tiers) or 'none'}"))
    return out


def check_timeline(file: str, tl: TimelineFile, res: Any, today: date, stale_days: int) -> list[Any]:
    from dashboard.catalog.loader import Problem

    out = _sources_problems(file, tl.sources, [(e.id, e.sources) for e in tl.events], today, stale_days)
    ids = [e.id for e in tl.events]
    for dup in sorted({i for i in ids if ids.count(i) > 1}):
        out.append(Problem(file, dup, "id", "duplicate event id; expected unique ids"))
    incs = {i.id for c in res.cities.values() for i in c.incentives}
    nat_ids = _national_ids(res.national) if res.national else None
    loaded = set(res.cities)
    for e in tl.events:
        for c in e.cities:
            if c not in ("beijing", "shanghai", "shenzhen", "hangzhou", "chengdu"):
                out.append(Problem(file, e.id, "cities", f"unknown city {c!r}"))
        for iid in e.incentives:
            if iid not in incs and len(loaded) == 5:
                out.append(Problem(file, e.id, "incentives", f"unknown incentive id {iid!r}"))
        if nat_ids is not None:
            for nid in e.national:
                if nid not in nat_ids:
                    out.append(Problem(file, e.id, "national", f"unknown national rule id {nid!r}"))
        if e.kind == "expires" and e.date is not None and e.date < today and e.verification != "unverified":
            pass  # a past scheduled end is history, not an error
    return out


def _load(path: Path, model: type[BaseModel], shown: str) -> tuple[BaseModel | None, list[Any]]:
    from dashboard.catalog.loader import DataError, Problem, read_yaml, validation_problems

    try:
        data = read_yaml(path)
    except DataError as e:
        return None, [Problem(shown, "-", "-", str(e))]
    except OSError as e:
        return None, [Problem(shown, "-", "-", f"cannot read file: {e.strerror}")]
    if not isinstance(data, dict):
        return None, [Problem(shown, "-", "-", f"top level is a {type(data).__name__}; expected a mapping")]
    try:
        return model.model_validate(data), []
    except ValidationError as e:
        return None, validation_problems(shown, data, e, model)


def load_into(res: Any, root: Path, *, today: date | None = None, stale_days: int = 730) -> None:
    """Load ``root/procedures/*.yaml`` and ``root/timeline.yaml`` into ``res`` (a LoadResult): models into
    ``res.procedures`` (by file stem) and ``res.timeline``; problems into ``res.problems``. Missing folder or
    file: nothing to load, not an error (a test catalog need not have them)."""
    from dashboard.catalog.loader import Problem, verification_walk

    today = today or date.today()
    seen: dict[str, str] = {}
    keys: dict[str, str] = {}
    for path in sorted((root / "procedures").glob("*.yaml")):
        shown = f"data/procedures/{path.name}"
        model, problems = _load(path, ProcedureFile, shown)
        if isinstance(model, ProcedureFile):
            problems += check_procedures(shown, model, res, today, stale_days)
            problems += verification_walk(shown, model)
            for p in model.procedures:
                if p.id in seen:
                    problems.append(Problem(shown, p.id, "id", f"procedure id also used in {seen[p.id]}; expected unique"))
                seen.setdefault(p.id, shown)
                for key in [*p.incentives, *p.national]:
                    if key in keys and keys[key] != p.id:
                        problems.append(Problem(shown, p.id, "incentives" if key in p.incentives else "national",
                                                f"{key!r} already has procedure {keys[key]!r}; expected one procedure per id"))
                    keys.setdefault(key, p.id)
        res.problems.extend(problems)
        if model is None or any(p.severity == "error" for p in problems):
            first = next((p for p in problems if p.severity == "error"), None)
            res.unavailable[shown] = str(first) if first else "invalid"
            continue
        res.procedures[path.stem] = model
    for stem, pf in res.procedures.items():
        for p in pf.procedures:
            for w in p.waits_for:
                if w not in seen:
                    res.problems.append(Problem(f"data/procedures/{stem}.yaml", p.id, "waits_for",
                                                f"unknown procedure id {w!r}; expected a procedure id", "warning"))
    path = root / "timeline.yaml"
    if path.exists():
        shown = "data/timeline.yaml"
        model, problems = _load(path, TimelineFile, shown)
        if isinstance(model, TimelineFile):
            problems += check_timeline(shown, model, res, today, stale_days)
            problems += verification_walk(shown, model)
        res.problems.extend(problems)
        if model is None or any(p.severity == "error" for p in problems):
            first = next((p for p in problems if p.severity == "error"), None)
            res.unavailable[shown] = str(first) if first else "invalid"
        else:
            res.timeline = model


def resolve(ref: str, res: Any) -> Source | None:
    """A "file:id" source reference from the engine ("procedures/shenzhen:A50", "cities/shenzhen:S96",
    "national/k_visa:S1", or the timeline's "timeline:A01") back to its Source, from a LoadResult."""
    where, _, sid = ref.rpartition(":")
    kind, _, stem = where.partition("/")
    model: Any = None
    if kind == "procedures":
        model = res.procedures.get(stem)
    elif kind == "cities":
        model = res.cities.get(stem)
    elif kind == "national":
        model = res.national.get(stem)
    elif kind == "timeline":
        model = res.timeline
    if model is None:
        return None
    return next((s for s in model.sources if s.id == sid), None)
