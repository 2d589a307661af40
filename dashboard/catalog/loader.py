"""Read and validate the data files: the only code that touches ``data/``.

Every problem becomes a :class:`Problem` naming the file, the record (its ``id`` where it has one) and the
field, with what is wrong and what is expected. Nothing here raises on bad data: callers get the problems
and whatever loaded cleanly, so the app can serve four cities when the fifth file is broken.

YAML is read with the safe loader, with anchors and aliases refused outright (an alias bomb never expands)
and a size cap checked before parsing.
"""

from __future__ import annotations

import difflib
import os
import re
import types
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path
from typing import Annotated, Any, Union, get_args, get_origin

import yaml
from pydantic import BaseModel, ValidationError

from dashboard.catalog.schema import WEAK_KINDS, CityFile, ReferenceFile, Source

MAX_FILE_BYTES = 1_000_000
DEFAULT_STALE_DAYS = 730
# ATLAS_DATA_DIR points the app and the CLI at another copy of the data (fault tests, a staging review).
DATA_DIR = Path(os.environ.get("ATLAS_DATA_DIR") or Path(__file__).resolve().parents[2] / "data")


@dataclass(frozen=True)
class Problem:
    file: str
    record: str
    field: str
    message: str
    severity: str = "error"  # or "warning"

    def __str__(self) -> str:
        tag = "" if self.severity == "error" else "warning: "
        return f"{self.file}:{self.record}:{self.field}: {tag}{self.message}"


class DataError(Exception):
    """Raised by :func:`read_yaml` with a ready-made message (record and field are '-')."""


# --- safe YAML -----------------------------------------------------------------------------------------

_TIMESTAMP_TAG = "tag:yaml.org,2002:timestamp"


class _NoAliasLoader(yaml.SafeLoader):
    """SafeLoader that refuses anchors and aliases: data files never need them, and refusing them is the
    simplest complete defence against alias bombs. Explicit tags (``!!python/object``, ``!foo``, even
    ``!!int``) are refused too: plain data never needs them.

    Dates stay strings here (no implicit timestamp resolver): pydantic parses them, so an impossible date
    such as 2025-13-40 is reported at its record and field instead of failing the whole file."""

    def compose_node(self, parent: Any, index: Any) -> Any:
        event = self.peek_event()
        if isinstance(event, yaml.AliasEvent):
            raise DataError(f"YAML alias '*{event.anchor}' at line {event.start_mark.line + 1} is not allowed; "
                            "expected plain data without anchors or aliases")
        line = event.start_mark.line + 1
        anchor = getattr(event, "anchor", None)
        if anchor is not None:
            raise DataError(f"YAML anchor '&{anchor}' at line {line} is not allowed; "
                            "expected plain data without anchors or aliases")
        tag = getattr(event, "tag", None)
        if tag is not None:  # only explicit tags reach here; they run constructors that can fail in any way
            name = tag.replace("tag:yaml.org,2002:", "!!")
            raise DataError(f"YAML tag '{name}' at line {line} is not allowed; expected plain data without tags "
                            "(quote a value to keep it as text)")
        return super().compose_node(parent, index)


# A copy, not an edit: the resolver table is a class attribute shared with yaml.SafeLoader.
_NoAliasLoader.yaml_implicit_resolvers = {
    first: [(tag, rx) for tag, rx in resolvers if tag != _TIMESTAMP_TAG]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}


def _yaml_message(e: yaml.MarkedYAMLError) -> str:
    """One line for a PyYAML error: where, what, and the construct it was inside."""
    mark = e.problem_mark
    problem = e.problem or e.context or "syntax error"
    where = f" at line {mark.line + 1}, column {mark.column + 1}" if mark else ""
    inside = ""
    if e.problem and e.context and e.context_mark and (mark is None or e.context_mark.line != mark.line):
        inside = f" ({e.context} that starts at line {e.context_mark.line + 1})"
    return f"not valid YAML{where}: {problem}{inside}"


def parse_yaml_bytes(raw: bytes, max_bytes: int = MAX_FILE_BYTES) -> Any:
    """Decode and parse one YAML document, or raise DataError saying why not (never anything else)."""
    if len(raw) > max_bytes:
        raise DataError(f"file is {len(raw):,} bytes; expected at most {max_bytes:,}")
    if not raw.strip():
        raise DataError("file is empty; expected a YAML mapping")
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as e:
        line = raw[: e.start].count(b"\n") + 1
        raise DataError(f"not UTF-8: byte 0x{raw[e.start]:02x} at line {line} (offset {e.start}); "
                        "expected UTF-8 text") from None
    try:
        docs = list(yaml.load_all(text, Loader=_NoAliasLoader))
    except DataError:
        raise
    except yaml.MarkedYAMLError as e:
        raise DataError(_yaml_message(e)) from None
    except yaml.YAMLError as e:  # e.g. ReaderError: a control character
        raise DataError(f"not valid YAML: {str(e).splitlines()[0]}") from None
    except RecursionError:
        raise DataError("not valid YAML: nested too deeply; expected a few levels of mappings and lists") from None
    except Exception as e:  # the contract is DataError only, whatever a constructor does (e.g. 5000-digit int)
        raise DataError(f"not valid YAML: {type(e).__name__}: {e}; expected plain data") from None
    if len(docs) != 1:
        raise DataError(f"file holds {len(docs)} YAML documents; expected exactly one")
    return docs[0]


def read_yaml(path: Path, max_bytes: int = MAX_FILE_BYTES) -> Any:
    size = path.stat().st_size
    if size > max_bytes:  # check before reading the whole thing
        raise DataError(f"file is {size:,} bytes; expected at most {max_bytes:,}")
    return parse_yaml_bytes(path.read_bytes(), max_bytes)


# --- pydantic errors to problems -----------------------------------------------------------------------


def _types(tp: Any) -> list[Any]:
    """The concrete types an annotation can hold: Annotated and None peeled off, unions split."""
    origin = get_origin(tp)
    if origin is Annotated:
        return _types(get_args(tp)[0])
    if origin in (Union, types.UnionType):
        return [t for a in get_args(tp) for t in _types(a)]
    return [] if tp is type(None) else [tp]


def _models(candidates: list[Any]) -> list[type[BaseModel]]:
    return [t for t in candidates if isinstance(t, type) and issubclass(t, BaseModel)]


def _has_kind(model: type[BaseModel], tag: str) -> bool:
    kind = model.model_fields.get("kind")
    return kind is not None and tag in get_args(kind.annotation)


@dataclass
class _Place:
    """Where an error is: its record, its field path inside the record, and the models around it."""

    record: str = "-"
    parts: list[str] = field(default_factory=list)
    owner: type[BaseModel] | None = None  # the model whose field the last key is
    model: type[BaseModel] | None = None  # the model at the error's location, if it is one

    @property
    def path(self) -> str:
        return ".".join(self.parts) or "-"


def _locate(data: Any, loc: tuple[Any, ...], root: type[BaseModel] | None = None) -> _Place:
    """Walk ``loc`` through the data and (when ``root`` is given) the schema. The record is the first list
    element with an ``id``; pydantic's union tags (``age`` in ``conditions.1.age.max``) are dropped."""
    place = _Place()
    node: Any = data
    cands: list[Any] = [root] if root else []
    for key in loc:
        models = _models(cands)
        if isinstance(key, str) and not (isinstance(node, Mapping) and key in node):
            is_tag = isinstance(node, Mapping) and node.get("kind") == key
            is_member = any(m.__name__ == key for m in models) or key.endswith("Cond") or "[" in key
            if is_tag or is_member:
                cands = [m for m in models if m.__name__ == key or _has_kind(m, key)] or cands
                continue
        is_index = isinstance(key, int) and not isinstance(node, Mapping)  # {1: x} has an int field name
        if is_index:
            cands = [t for c in cands if get_origin(c) is list for t in _types(get_args(c)[0])]
        else:
            place.owner = models[0] if len(models) == 1 else None
            cands = [t for m in models if key in m.model_fields for t in _types(m.model_fields[key].annotation)]
        child = None
        if isinstance(node, Mapping | list):
            try:
                child = node[key]
            except (KeyError, IndexError, TypeError):
                child = None
        if is_index and place.record == "-":
            rid = child.get("id") if isinstance(child, Mapping) else None
            sane = isinstance(rid, str) and re.fullmatch(r"[\w.-]{1,80}", rid)  # else name it by position
            place.record = rid if sane else f"{'.'.join(place.parts)}[{key}]"
            place.parts = []
        elif is_index:
            place.parts[-1:] = [f"{place.parts[-1] if place.parts else ''}[{key}]"]
        else:  # a key that is not a plain name (an unknown field "a b:") is quoted so the line stays parseable
            place.parts.append(key if isinstance(key, str) and re.fullmatch(r"[\w.-]+", key) else repr(key))
        node = child
    models = _models(cands)
    place.model = models[0] if len(models) == 1 else None
    return place


def _record_and_field(data: Any, loc: tuple[Any, ...], root: type[BaseModel] | None = None) -> tuple[str, str]:
    """Turn ``('incentives', 3, 'benefit', 'amount', 'value')`` into ('sz-phd-living', 'benefit.amount.value')."""
    place = _locate(data, loc, root)
    return place.record, place.path


def _show(value: Any) -> str:
    """A short description of a bad input for a message."""
    if isinstance(value, Mapping):
        return "a mapping"
    if isinstance(value, list):
        return "a list"
    if value is None:
        return "nothing (null)"
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


def _message(err: Mapping[str, Any], place: _Place | None = None) -> str:
    """Pydantic's message rewritten to say what was found and what is expected."""
    msg = str(err.get("msg", "invalid"))
    typ = str(err.get("type", ""))
    ctx: Mapping[str, Any] = err.get("ctx") or {}
    got = _show(err.get("input"))
    owner = place.owner if place else None
    if msg.startswith("Value error, "):
        return msg[len("Value error, "):]
    if typ == "extra_forbidden":
        name = str(err["loc"][-1]) if err.get("loc") else ""
        if owner is not None:
            close = difflib.get_close_matches(name, list(owner.model_fields), n=1, cutoff=0.6)
            if close:
                return f"unknown field; did you mean {close[0]!r}?"
            return f"unknown field; expected one of {', '.join(owner.model_fields)}"
        return "unknown field; expected only the fields of the schema (a typo?)"
    if typ == "missing":
        return "missing; this field is required"
    if typ == "invalid_key":
        return f"field name {got} is not text; expected a field name of the schema"
    if typ == "literal_error":
        return f"unknown value {got}; expected {ctx.get('expected', msg)}"
    if typ == "union_tag_invalid":
        return f"unknown kind {ctx.get('tag', got)!r}; expected one of {ctx.get('expected_tags', '')}"
    if typ == "union_tag_not_found":
        return f"missing; expected a {ctx.get('discriminator', 'kind')} field"
    if typ in ("model_type", "dict_type", "model_attributes_type"):
        return f"got {got}; expected a mapping (field: value lines)"
    if typ == "list_type":
        return f"got {got}; expected a list (- item lines or [a, b])"
    if typ == "too_short" and "min_length" in ctx:
        n = ctx.get("actual_length") or 0
        return f"{'empty' if n == 0 else f'has {n} item(s)'}; expected at least {ctx['min_length']} item(s)"
    if typ == "string_too_short":
        return "empty; expected some text"
    if typ in ("greater_than", "greater_than_equal", "less_than", "less_than_equal"):
        return f"got {got}; expected a number {msg.removeprefix('Input should be ')}"
    if typ.startswith("date_") or typ.startswith("datetime_"):
        why = f" ({ctx['error']})" if ctx.get("error") else ""
        return f"{got} is not a valid date{why}; expected YYYY-MM-DD"
    if typ == "string_pattern_mismatch":
        return f"got {got}; expected text matching {ctx.get('pattern', '')}"
    if msg.startswith("Input should be "):
        return f"got {got}; expected {msg.removeprefix('Input should be ')}"
    return msg


def _validator_field(place: _Place, message: str) -> str | None:
    """A model validator reports at the model, not at a field: take the first of the model's field names
    its message mentions ("monthly benefit needs duration_months" -> duration_months; "exclude" names
    excludes). A message offering a choice ("give exactly one of ...") is about the whole model and keeps
    the model's path, unless that path is the record itself."""
    if place.model is None or (message.startswith("give ") and place.parts):
        return None
    fields = place.model.model_fields
    for word in re.findall(r"[a-z_]+", message):
        for name in (word, word + "s"):
            if name in fields:
                return name
    return None


def validation_problems(file: str, data: Any, exc: ValidationError,
                        model: type[BaseModel] | None = None) -> list[Problem]:
    """One problem per pydantic error; ``model`` (the validated class) sharpens fields and suggestions."""
    out = []
    for err in exc.errors():
        place = _locate(data, tuple(err["loc"]), model)
        text = _message(err, place)
        typ = err.get("type")
        if typ in ("union_tag_invalid", "union_tag_not_found"):
            place.parts.append("kind")
        elif typ == "value_error":
            extra = _validator_field(place, text)
            if extra:
                place.parts.append(extra)
        out.append(Problem(file, place.record, place.path, text))
    return out


# --- cross-record checks -------------------------------------------------------------------------------


def _iter_conditions(conds: Iterable[Any]) -> Iterable[Any]:
    for c in conds:
        yield c
        if getattr(c, "kind", None) == "any_of":
            yield from _iter_conditions(c.conditions)


def verification_problems(file: str, record: str, verification: str, cited: Iterable[Source]) -> list[Problem]:
    """The rule between a record's ``verification`` and the kinds of the sources it cites (issue 10).

    ``official`` needs an official text or a verbatim repost of one; a record that rests only on machine
    translations or AI answers must say ``unverified`` (the engine then never counts it). One line per rule,
    naming the sources, so the data editor sees which source to replace.
    """
    cited = list(cited)
    if not cited:
        return []
    out: list[Problem] = []
    if verification == "official" and not any(s.backs_official for s in cited):
        kinds = ", ".join(f"{s.id} ({s.kind})" for s in cited)
        out.append(Problem(file, record, "verification", f"official but no cited source is official or a faithful "
                           f"repost: {kinds}; expected an official source, or verification secondary/historical"))
    scenario = [s for s in cited if s.kind == "scenario"]
    if (verification == "hypothetical") != bool(scenario):
        out.append(Problem(file, record, "verification", f"verification {verification} with scenario sources "
                           f"{[s.id for s in scenario]}; expected hypothetical exactly when a source is a scenario"))
    elif verification not in ("unverified", "hypothetical") and all(s.kind in WEAK_KINDS for s in cited):
        kinds = ", ".join(f"{s.id} ({s.kind})" for s in cited)
        out.append(Problem(file, record, "verification", f"{verification} but every cited source is a machine "
                           f"translation or an AI answer: {kinds}; expected unverified"))
    return out


def verification_walk(file: str, model: BaseModel) -> list[Problem]:
    """``verification_problems`` for every record of a file with its own shape (national rules, procedures,
    timeline events, industry fit): any nested record that has ``verification`` and cites ``sources`` by id."""
    by_id = {s.id: s for s in getattr(model, "sources", []) or [] if isinstance(s, Source)}
    out: list[Problem] = []

    def walk(m: BaseModel, where: str) -> None:
        own = getattr(m, "id", None)
        where = str(own) if isinstance(own, str) else where
        ver, cited = getattr(m, "verification", None), getattr(m, "sources", None)
        if isinstance(ver, str) and isinstance(cited, list) and cited and all(isinstance(c, str) for c in cited):
            out.extend(verification_problems(file, where, ver, (by_id[c] for c in cited if c in by_id)))
        for name in type(m).model_fields:
            value = getattr(m, name)
            items = value if isinstance(value, list) else list(value.values()) if isinstance(value, dict) else [value]
            for i, item in enumerate(items):
                if isinstance(item, BaseModel) and not isinstance(item, Source):
                    walk(item, f"{where}.{name}" + (f"[{i}]" if isinstance(value, list) else ""))

    walk(model, "-")
    return out


def check_city(file: str, city: CityFile, today: date, stale_days: int) -> list[Problem]:
    """Checks a single model cannot make: references, dates against today, freshness."""
    out: list[Problem] = []
    src_ids = [s.id for s in city.sources]
    known = set(src_ids)
    for dup in sorted({s for s in src_ids if src_ids.count(s) > 1}):
        out.append(Problem(file, dup, "id", "duplicate source id; expected each source listed once"))
    inc_ids = [i.id for i in city.incentives] + [a.id for a in city.absences]
    for dup in sorted({s for s in inc_ids if inc_ids.count(s) > 1}):
        out.append(Problem(file, dup, "id", "duplicate id in this file; expected unique ids"))
    ids = set(inc_ids)
    stale_before = today - timedelta(days=stale_days)
    for s in city.sources:
        if s.retrieved > today:
            out.append(Problem(file, s.id, "retrieved", f"date {s.retrieved} is in the future; expected a past date"))
        elif s.retrieved < stale_before:
            out.append(Problem(file, s.id, "retrieved", f"retrieved {s.retrieved}, older than {stale_days} days; "
                               "re-check the source", "warning"))
    by_id = {s.id: s for s in city.sources}
    for inc in city.incentives:
        for sid in inc.sources:
            if sid not in known:
                out.append(Problem(file, inc.id, "sources", f"unknown source id {sid!r}; expected one of the file's sources"))
        out += verification_problems(file, inc.id, inc.verification, (by_id[s] for s in inc.sources if s in by_id))
        for ex in inc.excludes:
            if ex not in ids:
                out.append(Problem(file, inc.id, "excludes", f"unknown incentive id {ex!r}; expected an id in this file"))
        if inc.status == "in_force" and inc.valid_to and inc.valid_to < today:
            out.append(Problem(file, inc.id, "status", f"in_force but valid_to {inc.valid_to} has passed; "
                               "expected expired or unknown"))
        if inc.status == "expired" and inc.valid_to and inc.valid_to >= today:
            out.append(Problem(file, inc.id, "status", f"expired but valid_to {inc.valid_to} is not yet past; "
                               "expected in_force or unknown"))
        if inc.status == "in_force" and inc.valid_from and inc.valid_from > today:
            out.append(Problem(file, inc.id, "status", f"in_force but valid_from {inc.valid_from} is in the future; "
                               "expected proposed"))
        if inc.scope.level == "city" and inc.scope.name_en.lower() != city.name_en.lower():
            out.append(Problem(file, inc.id, "scope.name_en", f"city scope names {inc.scope.name_en!r}; expected "
                               f"{city.name_en!r} (use level district/zone for a part of the city)"))
    for a in city.absences:
        for sid in a.sources:
            if sid not in known:
                out.append(Problem(file, a.id, "sources", f"unknown source id {sid!r}; expected one of the file's sources"))
        out += verification_problems(file, a.id, a.verification, (by_id[s] for s in a.sources if s in by_id))
    return out


def check_reference(file: str, ref: ReferenceFile, today: date, stale_days: int) -> list[Problem]:
    out: list[Problem] = []
    known = {s.id for s in ref.sources}
    fig_ids = [f.id for f in ref.figures]
    for dup in sorted({s for s in fig_ids if fig_ids.count(s) > 1}):
        out.append(Problem(file, dup, "id", "duplicate id in this file; expected unique ids"))
    by_id = {s.id: s for s in ref.sources}
    for f in ref.figures:
        for sid in f.sources:
            if sid not in known:
                out.append(Problem(file, f.id, "sources", f"unknown source id {sid!r}; expected one of the file's sources"))
        out += verification_problems(file, f.id, f.verification, (by_id[s] for s in f.sources if s in by_id))
        if f.year > today.year:
            out.append(Problem(file, f.id, "year", f"year {f.year} is in the future; expected {today.year} or earlier"))
    for s in ref.sources:
        if s.retrieved > today:
            out.append(Problem(file, s.id, "retrieved", f"date {s.retrieved} is in the future; expected a past date"))
    return out


# --- loading -------------------------------------------------------------------------------------------


@dataclass
class LoadResult:
    cities: dict[str, CityFile] = field(default_factory=dict)
    reference: dict[str, ReferenceFile] = field(default_factory=dict)
    national: dict[str, BaseModel] = field(default_factory=dict)
    reference_extra: dict[str, BaseModel] = field(default_factory=dict)  # e.g. industry_fit
    procedures: dict[str, BaseModel] = field(default_factory=dict)  # data/procedures/*.yaml (catalog/procedures.py)
    timeline: BaseModel | None = None  # data/timeline.yaml
    problems: list[Problem] = field(default_factory=list)
    unavailable: dict[str, str] = field(default_factory=dict)  # file -> first error, for the app to show

    @property
    def errors(self) -> list[Problem]:
        return [p for p in self.problems if p.severity == "error"]

    @property
    def warnings(self) -> list[Problem]:
        return [p for p in self.problems if p.severity == "warning"]


def _kind_of(path: Path) -> str:
    parent = path.parent.name
    if parent in ("cities", "reference", "national"):
        return parent
    return "cities"  # a lone file (an upload, a test corpus file) is read as a city offer


def _display(path: Path, root: Path | None) -> str:
    try:
        return str(path.relative_to(root)) if root else str(path)
    except ValueError:
        return str(path)


def read_mapping(path: Path, raw: bytes | None, name: str) -> tuple[dict[str, Any] | None, list[Problem]]:
    """A data file's top-level mapping (from ``raw`` bytes when given), or None and the one problem that
    stopped it: bad YAML, an unreadable file, or a top level that is not a mapping."""
    try:
        data = parse_yaml_bytes(raw) if raw is not None else read_yaml(path)
    except DataError as e:
        return None, [Problem(name, "-", "-", str(e))]
    except OSError as e:
        return None, [Problem(name, "-", "-", f"cannot read file: {e.strerror}")]
    if not isinstance(data, dict):
        return None, [Problem(name, "-", "-", f"top level is a {type(data).__name__}; expected a mapping")]
    return data, []


def load_file(path: Path, kind: str | None = None, *, today: date | None = None,
              stale_days: int = DEFAULT_STALE_DAYS, display: str | None = None,
              raw: bytes | None = None) -> tuple[BaseModel | None, list[Problem]]:
    """Validate one file (or its ``raw`` bytes, for uploads). Returns the model (None if it failed) and
    every problem found."""
    from dashboard.catalog import national as national_schema  # local: national models are their own module

    today = today or date.today()
    name = display or str(path)
    kind = kind or _kind_of(path)
    data, problems = read_mapping(path, raw, name)
    if data is None:
        return None, problems
    model_cls: type[BaseModel]
    if kind == "cities":
        model_cls = CityFile
    elif kind == "reference":
        from dashboard.catalog import industry, social_insurance  # files with their own shape

        model_cls = {**industry.FILES, **social_insurance.FILES}.get(path.name, ReferenceFile)
    else:
        found = national_schema.model_for(path.name)
        if found is None:
            return None, [Problem(name, "-", "-", f"unknown national file {path.name!r}; expected one of "
                                  f"{', '.join(sorted(national_schema.FILES))}")]
        model_cls = found
    try:
        model = model_cls.model_validate(data)
    except ValidationError as e:
        return None, validation_problems(name, data, e, model_cls)
    if isinstance(model, CityFile):
        problems = check_city(name, model, today, stale_days)
        if path.suffix in (".yaml", ".yml") and kind == "cities" and path.parent.name == "cities" and path.stem != model.city:
            problems.append(Problem(name, "-", "city", f"city {model.city!r} does not match the file name; "
                                    f"expected {path.stem!r}"))
    elif isinstance(model, ReferenceFile):
        problems = check_reference(name, model, today, stale_days)
    elif kind == "reference":
        from dashboard.catalog import industry, social_insurance

        problems = industry.check(name, model, today) + social_insurance.check(name, model, today)
    else:
        problems = national_schema.check(name, model, today)
    if not isinstance(model, (CityFile, ReferenceFile)):
        problems += verification_walk(name, model)
    if any(p.severity == "error" for p in problems):
        return None, problems
    return model, problems


def data_files(root: Path | None = None) -> list[Path]:
    root = root or DATA_DIR
    return sorted(p for sub in ("cities", "reference", "national") for p in (root / sub).glob("*.yaml"))


def load_catalog(root: Path | None = None, paths: Iterable[Path] | None = None, *, today: date | None = None,
                 stale_days: int = DEFAULT_STALE_DAYS) -> LoadResult:
    """Load every data file (or just ``paths``), keeping what validates and reporting the rest."""
    root = root or DATA_DIR  # read at call time, so tests and ATLAS_DATA_DIR can point elsewhere
    res = LoadResult()
    files = list(paths) if paths is not None else data_files(root)
    for path in files:
        shown = _display(path.resolve(), root.resolve().parent) if paths is None else str(path)
        model, problems = load_file(path, today=today, stale_days=stale_days, display=shown)
        res.problems.extend(problems)
        if model is None:
            first = next((p for p in problems if p.severity == "error"), None)
            res.unavailable[shown] = str(first) if first else "invalid"
            continue
        if isinstance(model, CityFile):
            if model.city in res.cities:
                res.problems.append(Problem(shown, "-", "city", f"city {model.city!r} is defined twice"))
                continue
            res.cities[model.city] = model
        elif isinstance(model, ReferenceFile):
            res.reference[model.topic] = model
        elif path.parent.name == "reference":
            res.reference_extra[path.stem] = model
        else:
            res.national[path.stem] = model
    res.problems.extend(_cross_file(res))
    if paths is None:  # a city whose file is gone but whose notes remain: say so rather than drop it silently
        for notes in sorted((root / "cities").glob("*.left_out.md")):
            missing = notes.with_name(notes.name.removesuffix(".left_out.md") + ".yaml")
            if not missing.exists():
                shown = _display(missing.resolve(), root.resolve().parent)
                gone = Problem(shown, "-", "-", f"file not found; expected it beside {notes.name}")
                res.problems.append(gone)
                res.unavailable[shown] = str(gone)
    if paths is None:  # how to apply, and the policy timeline: checked against what loaded above
        from dashboard.catalog import procedures

        procedures.load_into(res, root, today=today, stale_days=stale_days)
    return res


def _cross_file(res: LoadResult) -> list[Problem]:
    """Incentive ids are unique across the catalog: the engine and the URL use them as keys."""
    seen: dict[str, str] = {}
    out = []
    for city in res.cities.values():
        for inc in city.incentives:
            if inc.id in seen and seen[inc.id] != city.city:
                out.append(Problem(f"data/cities/{city.city}.yaml", inc.id, "id",
                                   f"id also used in {seen[inc.id]}; expected ids unique across cities"))
            seen.setdefault(inc.id, city.city)
    return out
