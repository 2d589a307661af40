"""Uploaded offers: a city that is not in the catalog (Suzhou, Wuhan...) as YAML or XLSX, for one session.

The I/O boundary for uploads (the engine never sees bytes). An upload is validated exactly like a file in
``data/cities/``: YAML goes through ``loader.load_file(raw=...)``; an XLSX workbook is first checked as an
untrusted archive, then its rows are turned into the same mapping a YAML city file holds and validated by
the same code, so both give the same ``file:record:field`` messages. Nothing is ever written to ``data/``.

XLSX defences, in order, all before openpyxl parses anything (the zip directory is read, never trusted
beyond its declared sizes, which Python's zipfile enforces while reading):
- extension: ``.xlsm``/``.xltm``/``.xlam`` (macros) and ``.xls``/``.xlsb`` (binary) are refused; an OLE
  file (encrypted or legacy workbook) is refused by its magic bytes;
- size: the upload at most ``MAX_UPLOAD_BYTES``; the declared uncompressed total at most
  ``MAX_UNCOMPRESSED_BYTES`` (a zip bomb is refused from its directory); at most ``MAX_SHEETS`` sheets and
  ``MAX_PARTS`` parts; only stored or deflated parts (bzip2/lzma could expand without bound per read);
- content: no ``vbaProject.bin`` or macro-enabled content type, no external links (``xl/externalLinks``),
  no data connections, no embedded objects or ActiveX, no encrypted parts, no DTD or entity declarations;
- then openpyxl in read-only mode: only the known sheet names; at most ``MAX_ROWS`` rows and
  ``MAX_COLUMNS`` columns per sheet (checked from the declared dimension and again while reading, so a
  sheet without a dimension cannot run on); no formulas (a cell of type formula or text starting "=").

The workbook format is documented in ``docs/offer_template.md`` and in the README sheet of the template
(``offer_template_xlsx``).
"""

from __future__ import annotations

import io
import re
import typing
import warnings
import zipfile
from collections.abc import Iterable, Mapping
from datetime import date, datetime
from difflib import get_close_matches
from pathlib import Path
from typing import Any

import yaml

from dashboard.catalog import schema as S
from dashboard.catalog.loader import DEFAULT_STALE_DAYS, DataError, Problem, load_file, parse_yaml_bytes
from dashboard.engine.whatif import validate_city_data

MAX_UPLOAD_BYTES = 2_000_000
MAX_UNCOMPRESSED_BYTES = 20_000_000
MAX_PARTS = 100
MAX_SHEETS = 10
MAX_ROWS = 2_000
MAX_COLUMNS = 60
MAX_CELL_PROBLEMS = 20

TEMPLATE_CITY = "yourcity"
TEMPLATE_URL_PREFIX = "https://example.org/template/"
OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"

# --- the workbook format -------------------------------------------------------------------------------

README_SHEET = "README"
SHEETS = ("city", "sources", "incentives", "tiers", "schedule", "conditions", "absences")
REQUIRED_SHEETS = ("city", "sources", "incentives")
LIST_SECTIONS = ("sources", "incentives", "absences")

Spec = dict[str, tuple[tuple[str, ...], str]]  # column -> (path in the record, "value" | "list" | "yaml")


def _cols(*names: str, lists: tuple[str, ...] = (), paths: Mapping[str, tuple[str, ...]] | None = None) -> Spec:
    paths = paths or {}
    return {n: (paths.get(n, (n,)), "list" if n in lists else "value") for n in names}


_AMOUNT = {"amount_value": ("amount", "value"), "amount_min": ("amount", "min"), "amount_max": ("amount", "max"),
           "amount_up_to": ("amount", "up_to"), "amount_currency": ("amount", "currency")}

SOURCE_COLUMNS = _cols(*S.Source.model_fields)
INCENTIVE_COLUMNS = _cols(
    "id", "research_ref", "name_en", "name_zh", "category", "scope_level", "scope_name_en", "scope_name_zh",
    "audience_en", "audience_zh", "benefit_form", *_AMOUNT, "duration_months", "duration_years",
    "rent_discount_share", "tax_rule", "status_kind", "benefit_description_en", "benefit_description_zh", "excludes",
    "status", "valid_from", "valid_to", "status_note", "verification", "sources", "note",
    lists=("research_ref", "excludes", "sources"),
    paths={"scope_level": ("scope", "level"), "scope_name_en": ("scope", "name_en"),
           "scope_name_zh": ("scope", "name_zh"), "benefit_form": ("benefit", "form"),
           **{k: ("benefit", *v) for k, v in _AMOUNT.items()},
           **{k: ("benefit", k) for k in ("duration_months", "duration_years", "rent_discount_share", "tax_rule",
                                          "status_kind")},
           "benefit_description_en": ("benefit", "description_en"),
           "benefit_description_zh": ("benefit", "description_zh")})
TIER_COLUMNS = {"incentive_id": (("incentive_id",), "value"), **_cols("id", "label_en", "label_zh", *_AMOUNT, paths=_AMOUNT)}
SCHEDULE_COLUMNS = {"incentive_id": (("incentive_id",), "value"), **_cols(*S.Payment.model_fields)}


def _condition_fields() -> list[str]:
    union = typing.get_args(typing.get_args(S.Condition)[0])
    out: list[str] = []
    for model in union:
        out.extend(f for f in model.model_fields if f not in out)
    late = ("wording_en", "wording_zh", "note")  # kind first, the source's words last: easier to fill in
    return ["kind", *(f for f in out if f not in (*late, "kind")), *late]


_COND_FIELDS = _condition_fields()
CONDITION_COLUMNS: Spec = {
    "incentive_id": (("incentive_id",), "value"), "tier_id": (("tier_id",), "value"),
    **{f: ((f,), "yaml" if f == "conditions" else "list" if f == "any_of" else "value") for f in _COND_FIELDS},
}
ABSENCE_COLUMNS = _cols(*S.Absence.model_fields, lists=("research_ref", "sources"))
CITY_FIELDS = tuple(f for f in S.CityFile.model_fields if f not in LIST_SECTIONS)

COLUMNS: dict[str, Spec] = {"sources": SOURCE_COLUMNS, "incentives": INCENTIVE_COLUMNS, "tiers": TIER_COLUMNS,
                            "schedule": SCHEDULE_COLUMNS, "conditions": CONDITION_COLUMNS, "absences": ABSENCE_COLUMNS}


class _Refused(Exception):
    def __init__(self, problems: list[Problem]):
        super().__init__(str(problems[0]) if problems else "refused")
        self.problems = problems


# --- entry point ---------------------------------------------------------------------------------------


def display_name(filename: str) -> str:
    """The upload's base name, safe to print in a message (no folders, no control characters)."""
    base = Path(str(filename).replace("\\", "/")).name
    base = re.sub(r"[^\w.\- ()]", "_", base)[:100].strip()
    return base or "upload"


def parse_offer(filename: str, raw: bytes, *, existing: Mapping[str, S.CityFile] | None = None,
                today: date | None = None, stale_days: int = DEFAULT_STALE_DAYS) -> tuple[S.CityFile | None, list[Problem]]:
    """Validate one uploaded offer. ``existing`` holds the cities already compared (the catalog and other
    uploads of the session, without the one being replaced): the upload must not reuse their city id,
    administrative code or incentive ids. Returns the city (None on any error) and every problem."""
    today = today or date.today()
    name = display_name(filename)
    suffix = Path(name).suffix.lower()
    if suffix in (".yaml", ".yml"):
        model, problems = load_file(Path(name), "cities", today=today, stale_days=stale_days, display=name, raw=raw)
        city = model if isinstance(model, S.CityFile) else None
    elif suffix == ".xlsx":
        city, problems = _parse_xlsx(name, raw, today, stale_days)
    elif suffix in (".xlsm", ".xltm", ".xlam"):
        return None, [Problem(name, "-", "-", f"a macro-enabled workbook ({suffix}) is not accepted; expected .xlsx "
                              "without macros, or .yaml")]
    elif suffix in (".xls", ".xlsb"):
        return None, [Problem(name, "-", "-", f"a binary Excel workbook ({suffix}) is not accepted; expected .xlsx "
                              "(File > Save As > Excel Workbook) or .yaml")]
    else:
        return None, [Problem(name, "-", "-", f"unsupported file type {suffix or '(none)'!r}; expected .yaml, .yml "
                              "or .xlsx")]
    if city is None:
        return None, problems
    extra = _session_checks(name, city, existing or {})
    problems = [*problems, *extra]
    if any(p.severity == "error" for p in problems):
        return None, problems
    return city, problems


def _session_checks(name: str, city: S.CityFile, existing: Mapping[str, S.CityFile]) -> list[Problem]:
    """An upload adds a city: it may not shadow one, and it may not still be the template."""
    out = []
    if city.city == TEMPLATE_CITY:
        out.append(Problem(name, "-", "city", f"still the template's placeholder {TEMPLATE_CITY!r}; expected the "
                           "city's own id, e.g. suzhou"))
    for s in city.sources:
        if s.url and s.url.startswith(TEMPLATE_URL_PREFIX):
            out.append(Problem(name, s.id, "url", "still the template's placeholder URL; expected the address of the "
                               "source document"))
    if city.city in existing:
        out.append(Problem(name, "-", "city", f"city {city.city!r} is already in the comparison; expected a city "
                           "that is not (an upload adds a city, it does not replace one)"))
    for other in existing.values():
        if other.adcode == city.adcode and other.city != city.city:
            out.append(Problem(name, "-", "adcode", f"adcode {city.adcode} is {other.name_en}'s ({other.city}); "
                               "expected the uploaded city's own code"))
    seen = {i.id: c.city for c in existing.values() for i in c.incentives}
    for inc in city.incentives:
        if inc.id in seen:
            out.append(Problem(name, inc.id, "id", f"id also used in {seen[inc.id]}; expected ids unique across cities"))
    return out


# --- XLSX: the archive ---------------------------------------------------------------------------------


def _archive_problems(name: str, raw: bytes) -> list[Problem]:
    """Everything that can be refused from the bytes and the zip directory, before any XML is parsed."""
    def refuse(msg: str) -> list[Problem]:
        return [Problem(name, "-", "-", msg)]

    if len(raw) > MAX_UPLOAD_BYTES:
        return refuse(f"file is {len(raw):,} bytes; expected at most {MAX_UPLOAD_BYTES:,}")
    if raw[:8] == OLE_MAGIC:
        return refuse("an encrypted or legacy binary workbook; expected an .xlsx saved without a password")
    try:
        zf = zipfile.ZipFile(io.BytesIO(raw))
        infos = zf.infolist()
    except Exception:  # BadZipFile, LargeZipFile, ValueError, EOFError...: the directory is unreadable
        return refuse("not a valid .xlsx workbook (not a zip archive); expected an Excel workbook saved as .xlsx")
    names = [i.filename for i in infos]
    sheets = [n for n in names if re.fullmatch(r"xl/(worksheets|chartsheets|dialogsheets)/[^/]+\.xml", n)]
    if len(sheets) > MAX_SHEETS:
        return refuse(f"workbook has {len(sheets):,} sheets; expected at most {MAX_SHEETS} "
                      f"({', '.join((README_SHEET, *SHEETS))})")
    if len(infos) > MAX_PARTS:
        return refuse(f"workbook has {len(infos):,} parts; expected at most {MAX_PARTS}")
    total = sum(i.file_size for i in infos)
    if total > MAX_UNCOMPRESSED_BYTES:
        return refuse(f"workbook expands to {total:,} bytes; expected at most {MAX_UNCOMPRESSED_BYTES:,} "
                      "(refused unopened: a zip bomb or a very large sheet)")
    for i in infos:
        low = i.filename.lower()
        if low.endswith("vbaproject.bin") or low.endswith("vbaprojectsignature.bin"):
            return refuse(f"workbook contains macros ({i.filename}); expected an .xlsx without macros")
        if low.startswith("xl/externallinks/"):
            return refuse(f"workbook links to other workbooks ({i.filename}); expected plain values without "
                          "external links")
        if low == "xl/connections.xml" or low.startswith("xl/querytables/"):
            return refuse(f"workbook has external data connections ({i.filename}); expected plain values")
        if low.startswith(("xl/embeddings/", "xl/activex/")):
            return refuse(f"workbook contains embedded objects ({i.filename}); expected plain values")
        if i.flag_bits & 0x1:
            return refuse(f"workbook part {i.filename} is encrypted; expected an .xlsx saved without a password")
        if i.compress_type not in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED):
            return refuse(f"workbook part {i.filename} uses an unusual compression; expected a workbook saved by a "
                          "spreadsheet program")
    try:
        for i in infos:
            if not i.filename.lower().endswith((".xml", ".rels", ".vml")):
                continue
            body = zf.read(i)  # bounded: zipfile stops at the declared size, checked above
            if i.filename == "[Content_Types].xml" and b"macroEnabled" in body:
                return refuse("workbook is macro-enabled ([Content_Types].xml); expected an .xlsx without macros")
            if b"<!DOCTYPE" in body or b"<!ENTITY" in body:
                return refuse(f"workbook part {i.filename} declares a DTD or entities; expected plain XLSX XML")
    except Exception as e:  # zlib.error, BadZipFile (CRC), EOFError...: a damaged archive, whatever the cause
        return refuse(f"workbook is damaged ({type(e).__name__}); expected an .xlsx saved by a spreadsheet program")
    return []


# --- XLSX: sheets to rows ------------------------------------------------------------------------------


def _plain_value(v: Any) -> Any:
    if isinstance(v, datetime):
        return v.date() if (v.hour, v.minute, v.second, v.microsecond) == (0, 0, 0, 0) else v
    if isinstance(v, str):
        v = v.strip()
        return v or None
    return v


def _rows(name: str, ws: Any, sheet: str, formulas: list[Problem]) -> list[tuple[Any, ...]]:
    """The sheet's values, row by row, with the limits enforced while reading (raises _Refused); formula
    cells are collected in ``formulas`` (every sheet is read, so all of them are reported at once)."""
    declared_rows, declared_cols = ws.max_row, ws.max_column
    if isinstance(declared_rows, int) and declared_rows > MAX_ROWS:
        raise _Refused([Problem(name, sheet, "-", f"sheet has {declared_rows:,} rows; expected at most {MAX_ROWS:,}")])
    if isinstance(declared_cols, int) and declared_cols > MAX_COLUMNS:
        raise _Refused([Problem(name, sheet, "-", f"sheet has {declared_cols:,} columns; expected at most {MAX_COLUMNS}")])
    out: list[tuple[Any, ...]] = []
    for n, row in enumerate(ws.iter_rows(), start=1):
        if n > MAX_ROWS:
            raise _Refused([Problem(name, sheet, "-", f"sheet has more than {MAX_ROWS:,} rows; expected at most {MAX_ROWS:,}")])
        if len(row) > MAX_COLUMNS:
            raise _Refused([Problem(name, sheet, "-", f"sheet has more than {MAX_COLUMNS} columns; expected at most "
                                    f"{MAX_COLUMNS}")])
        values = []
        for cell in row:
            v = cell.value
            if getattr(cell, "data_type", None) == "f" or (isinstance(v, str) and v.startswith("=")):
                if len(formulas) < MAX_CELL_PROBLEMS:
                    formulas.append(Problem(name, sheet, getattr(cell, "coordinate", f"row {n}"),
                                            "cell holds a formula; expected a plain value (paste values only)"))
                v = None
            values.append(_plain_value(v))
        out.append(tuple(values))
    while out and all(v is None for v in out[-1]):
        out.pop()
    return out


def _set(record: dict[str, Any], path: tuple[str, ...], value: Any) -> None:
    node = record
    for key in path[:-1]:
        node = node.setdefault(key, {})
    node[path[-1]] = value


def _split(v: Any) -> list[str]:
    if v is None:
        return []
    return [p.strip() for p in str(v).split(",") if p.strip()]


def _records(name: str, sheet: str, rows: list[tuple[Any, ...]], spec: Spec,
             problems: list[Problem]) -> list[tuple[int, dict[str, Any]]]:
    """Rows under a header row into records shaped like the YAML (row number kept for messages)."""
    if not rows:
        return []
    header = [None if h is None else str(h) for h in rows[0]]
    cols: list[tuple[int, str]] = []
    for j, h in enumerate(header):
        if h is None:
            if any(j < len(r) and r[j] is not None for r in rows[1:]):
                problems.append(Problem(name, sheet, f"column {j + 1}", "values under an empty header; expected a "
                                        "column name in the first row"))
            continue
        if h not in spec:
            close = get_close_matches(h, list(spec), n=1, cutoff=0.6)
            hint = f"did you mean {close[0]!r}?" if close else f"expected one of {', '.join(spec)}"
            problems.append(Problem(name, sheet, h, f"unknown column; {hint}"))
            continue
        if h in [c for _, c in cols]:
            problems.append(Problem(name, sheet, h, "column given twice; expected each column once"))
            continue
        cols.append((j, h))
    out = []
    for n, row in enumerate(rows[1:], start=2):
        if all(v is None for v in row):
            continue
        rec: dict[str, Any] = {}
        for j, h in cols:
            v = row[j] if j < len(row) else None
            path, kind = spec[h]
            if kind == "list":
                if v is not None or sheet in ("incentives", "absences"):  # a blank list cell is an empty list
                    _set(rec, path, _split(v))
            elif v is None:
                continue
            elif kind == "yaml":
                try:
                    _set(rec, path, parse_yaml_bytes(str(v).encode("utf-8")))
                except DataError as e:
                    problems.append(Problem(name, f"{sheet} row {n}", h, str(e)))
            else:
                _set(rec, path, v)
        out.append((n, rec))
    return out


def _city_sheet(name: str, rows: list[tuple[Any, ...]], problems: list[Problem]) -> dict[str, Any]:
    """The city sheet holds field | value pairs (an optional 'field', 'value' header row)."""
    out: dict[str, Any] = {}
    for n, row in enumerate(rows, start=1):
        key, value = (*row, None, None)[:2]
        if key is None and value is None:
            continue
        if n == 1 and (key, value) == ("field", "value"):
            continue
        key = str(key) if key is not None else None
        if key is None:
            problems.append(Problem(name, "city", f"row {n}", "value without a field name; expected a field in column A"))
        elif key in LIST_SECTIONS:
            problems.append(Problem(name, "city", key, f"{key} go on their own sheet; expected only {', '.join(CITY_FIELDS)}"))
        elif key in out:
            problems.append(Problem(name, "city", key, "given twice; expected each field once"))
        elif value is not None:
            out[key] = value
    return out


def _attach(name: str, sheet: str, rows: list[tuple[int, dict[str, Any]]], incentives: list[dict[str, Any]],
            problems: list[Problem]) -> None:
    """Tiers, schedule instalments and conditions go to their incentive (or tier) by id."""
    by_id: dict[str, dict[str, Any]] = {}
    for inc in incentives:
        if isinstance(inc.get("id"), str):
            by_id.setdefault(inc["id"], inc)
    for n, rec in rows:
        inc_id = rec.pop("incentive_id", None)
        inc = by_id.get(str(inc_id)) if inc_id is not None else None
        if inc is None:
            problems.append(Problem(name, f"{sheet} row {n}", "incentive_id",
                                    f"unknown incentive id {inc_id!r}; expected an id on the incentives sheet"
                                    if inc_id is not None else "missing; expected the id of an incentive"))
            continue
        if sheet == "tiers":
            inc.setdefault("tiers", []).append(rec)
        elif sheet == "schedule":
            inc.setdefault("benefit", {}).setdefault("schedule", []).append(rec)
        else:
            tier_id = rec.pop("tier_id", None)
            target = inc
            if tier_id is not None:
                target = next((t for t in inc.get("tiers", []) if t.get("id") == str(tier_id)), None)  # type: ignore[assignment]
                if target is None:
                    problems.append(Problem(name, f"{sheet} row {n}", "tier_id", f"unknown tier id {tier_id!r} of "
                                            f"{inc_id}; expected an id on the tiers sheet"))
                    continue
            target.setdefault("conditions", []).append(rec)


def workbook_to_city_data(name: str, raw: bytes) -> tuple[dict[str, Any] | None, list[Problem]]:
    """The mapping a YAML city file would hold, read from an .xlsx (after the archive checks)."""
    refused = _archive_problems(name, raw)
    if refused:
        return None, refused
    import openpyxl  # only uploads need it

    try:
        with warnings.catch_warnings():  # openpyxl warns about odd parts; the problems below are the report
            warnings.simplefilter("ignore")
            wb = openpyxl.load_workbook(io.BytesIO(raw), read_only=True, data_only=False, keep_links=False,
                                        keep_vba=False)
    except Exception as e:  # openpyxl raises many kinds on damaged files; the message is the contract
        return None, [Problem(name, "-", "-", f"cannot read the workbook ({type(e).__name__}); expected an .xlsx saved "
                              "by a spreadsheet program")]
    try:
        problems: list[Problem] = []
        known = (README_SHEET, *SHEETS)
        for sheet in wb.sheetnames:
            if sheet not in known:
                close = get_close_matches(sheet, known, n=1, cutoff=0.6) or [s for s in known if s.lower() == sheet.lower()]
                hint = f"did you mean {close[0]!r}?" if close else f"expected only {', '.join(known)}"
                problems.append(Problem(name, display_name(sheet), "-", f"unknown sheet; {hint}"))
        for sheet in REQUIRED_SHEETS:
            if sheet not in wb.sheetnames:
                problems.append(Problem(name, sheet, "-", "missing sheet; expected the sheets city, sources and incentives "
                                        "(see the template)"))
        if problems:
            return None, problems
        formulas: list[Problem] = []
        rows = {s: _rows(name, wb[s], s, formulas) for s in SHEETS if s in wb.sheetnames}
        if formulas:
            return None, formulas
    except _Refused as r:
        return None, r.problems
    except Exception as e:  # a damaged sheet part
        return None, [Problem(name, "-", "-", f"cannot read the workbook ({type(e).__name__}); expected an .xlsx saved "
                              "by a spreadsheet program")]
    finally:
        wb.close()
    data = _city_sheet(name, rows.get("city", []), problems)
    records = {s: _records(name, s, rows[s], COLUMNS[s], problems) for s in COLUMNS if s in rows}
    data["sources"] = [r for _, r in records.get("sources", [])]
    data["incentives"] = [r for _, r in records.get("incentives", [])]
    for s in ("tiers", "schedule", "conditions"):
        _attach(name, s, records.get(s, []), data["incentives"], problems)
    if "absences" in records:
        data["absences"] = [r for _, r in records["absences"]]
    return data, problems


def _parse_xlsx(name: str, raw: bytes, today: date, stale_days: int) -> tuple[S.CityFile | None, list[Problem]]:
    data, problems = workbook_to_city_data(name, raw)
    if data is None:
        return None, problems
    city, more = validate_city_data(data, display=name, today=today, stale_days=stale_days)
    problems = [*problems, *more]
    if any(p.severity == "error" for p in problems):
        return None, problems
    return city, problems


# --- writing: the template and any city as a workbook --------------------------------------------------


def _cell(v: Any, kind: str) -> Any:
    if kind == "yaml":
        return yaml.safe_dump(v, default_flow_style=True, allow_unicode=True, width=10_000, sort_keys=False).strip()
    if kind == "list" or isinstance(v, list):
        return ", ".join(str(x) for x in v)
    if isinstance(v, date):
        return v.isoformat()
    return v


def _get(record: Mapping[str, Any], path: tuple[str, ...]) -> Any:
    node: Any = record
    for key in path:
        if not isinstance(node, Mapping) or key not in node:
            return None
        node = node[key]
    return node


def _write_table(ws: Any, spec: Spec, records: Iterable[Mapping[str, Any]]) -> None:
    from openpyxl.styles import Font
    ws.append(list(spec))
    for rec in records:
        row = []
        for _col, (path, kind) in spec.items():
            v = _get(rec, path)
            row.append(None if v is None or (kind == "list" and not v) else _cell(v, kind))
        ws.append(row)
    for cell in ws[1]:
        cell.font = Font(bold=True)
    for row in ws.iter_rows(min_row=2):
        for cell in row:
            if isinstance(cell.value, str) and cell.value.startswith("="):
                cell.data_type = "s"  # text, not a formula (the reader refuses it anyway)


README_LINES = (
    "TEMPLATE: an offer for a city that is not in the Talent Incentive Atlas (e.g. Suzhou or Wuhan).",
    "This is a template, not data. Replace every placeholder; keep the sheet names and column headers.",
    "Full documentation: docs/offer_template.md. The upload is validated exactly like data/cities/*.yaml.",
    "",
    "Sheets (names must match exactly; README is ignored):",
    "city: field | value pairs: " + ", ".join(CITY_FIELDS) + ".",
    "sources: one row per source document; columns " + ", ".join(SOURCE_COLUMNS) + ".",
    "incentives: one row per incentive; columns " + ", ".join(INCENTIVE_COLUMNS) + ".",
    "tiers (optional): amounts that depend on the applicant; columns " + ", ".join(TIER_COLUMNS) + ".",
    "schedule (optional): instalments of a one-off payment; columns " + ", ".join(SCHEDULE_COLUMNS) + ".",
    "conditions (optional): one row per condition, linked by incentive_id (and tier_id for a tier's conditions).",
    "absences (optional): documented 'none found'; columns " + ", ".join(ABSENCE_COLUMNS) + ".",
    "",
    "Lists (sources, excludes, research_ref, any_of) are comma-separated. Dates are YYYY-MM-DD.",
    "An any_of condition gives its sub-conditions in the 'conditions' column as YAML flow text,",
    "e.g. [{kind: origin, any_of: [foreign]}, {kind: degree, min: phd}].",
    "Refused: formulas, macros (.xlsm), external links, more than "
    f"{MAX_SHEETS} sheets, {MAX_ROWS:,} rows or {MAX_COLUMNS} columns per sheet, files over {MAX_UPLOAD_BYTES:,} bytes.",
    f"The upload is refused while the city id is {TEMPLATE_CITY!r} or a source URL starts with {TEMPLATE_URL_PREFIX}.",
)


def city_to_xlsx(city: S.CityFile | Mapping[str, Any], *, readme: bool = False) -> bytes:
    """A city (model or YAML-shaped mapping) as a workbook in the upload format: the template, or an
    official offer to start from."""
    import openpyxl

    data: Mapping[str, Any] = city.model_dump(mode="json", exclude_none=True) if isinstance(city, S.CityFile) else city
    wb = openpyxl.Workbook()
    first = wb.active
    if readme:
        first.title = README_SHEET
        for line in README_LINES:
            first.append([line])
        ws_city = wb.create_sheet("city")
    else:
        first.title = "city"
        ws_city = first
    ws_city.append(["field", "value"])
    for key, v in data.items():
        if key not in LIST_SECTIONS and v is not None:
            ws_city.append([key, _cell(v, "value")])
    incentives = list(data.get("incentives", []))
    _write_table(wb.create_sheet("sources"), SOURCE_COLUMNS, data.get("sources", []))
    _write_table(wb.create_sheet("incentives"), INCENTIVE_COLUMNS, incentives)
    tiers = [{"incentive_id": i["id"], **t} for i in incentives for t in i.get("tiers", [])]
    sched = [{"incentive_id": i["id"], **p} for i in incentives for p in (i.get("benefit", {}).get("schedule") or [])]
    conds = [{"incentive_id": i["id"], **c} for i in incentives for c in i.get("conditions", [])]
    conds += [{"incentive_id": i["id"], "tier_id": t["id"], **c} for i in incentives for t in i.get("tiers", [])
              for c in t.get("conditions", [])]
    for sheet, rows in (("tiers", tiers), ("schedule", sched), ("conditions", conds)):
        if rows or readme:
            _write_table(wb.create_sheet(sheet), COLUMNS[sheet], rows)
    if data.get("absences") or readme:
        _write_table(wb.create_sheet("absences"), ABSENCE_COLUMNS, data.get("absences", []))
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


TEMPLATE_YAML = """\
# TEMPLATE: an offer for a city that is not in the Talent Incentive Atlas (for example Suzhou or Wuhan).
# This is a template, not data: every value below is a placeholder (amounts of 1, example.org addresses).
# Replace them all and keep the structure. Documentation: docs/offer_template.md. The upload is validated
# exactly like the files in data/cities/, and refused while the city id is still "yourcity" or a source URL
# still starts with https://example.org/template/.
city: yourcity                 # the city's lower-case id, e.g. suzhou; not a city already in the atlas
name_en: Your City
name_zh: 模板市
province_en: Your Province
province_zh: 模板省
adcode: 999999                 # the city's 6-digit administrative division code
as_of: 2026-01-01              # the date the offer describes

sources:                       # every document a figure comes from
  - id: S1
    kind: official             # official, state_media, press, firm, aggregator, machine_translation, ai_generated
    issuer: Issuing authority (placeholder)
    title: Title of the policy document (placeholder)
    url: https://example.org/template/replace-with-the-source-address
    document_number: 文号（占位）
    published: 2026-01-01
    retrieved: 2026-01-01     # when you read it

incentives:
  - id: yourcity-graduate-living-subsidy   # unique, lower-case; not used by another city
    name_en: Graduate living subsidy (placeholder)
    name_zh: 毕业生生活补贴（占位）
    category: living           # tax, housing, living, startup, research, hukou_residence or family
    scope: {level: city, name_en: Your City, name_zh: 模板市}   # or district / zone with its name
    audience_en: Who the source says it is for (placeholder).
    audience_zh: 政策对象（占位）。
    benefit:
      form: one_off            # one_off, monthly, annual, rent_discount, tax_refund, loan, in_kind, status
      amount: {value: 1}       # placeholder: the published amount in CNY (or up_to: for "up to")
      schedule:                # optional: instalments by months of social insurance
        - {share: 0.5, after_si_months: 0}
        - {share: 0.5, after_si_months: 12}
      description_en: What is paid and when (placeholder).
      description_zh: 发放内容和时间（占位）。
    conditions:
      - kind: degree
        min: bachelor
      - kind: age              # keep the source's wording: "under N" is max_inclusive false
        max: 35                # placeholder: the source's age limit
        max_inclusive: false
    status: in_force           # in_force, expired, proposed or unknown
    verification: official     # official, secondary, historical or unverified
    sources: [S1]

  - id: yourcity-rent-subsidy
    name_en: Rent subsidy by degree (placeholder)
    name_zh: 按学历租房补贴（占位）
    category: housing
    scope: {level: city, name_en: Your City, name_zh: 模板市}
    audience_en: Who the source says it is for (placeholder).
    audience_zh: 政策对象（占位）。
    benefit:
      form: monthly
      duration_months: 1       # placeholder: how many months it is paid
      description_en: A monthly subsidy (placeholder).
      description_zh: 按月补贴（占位）。
    tiers:                     # amounts that depend on the applicant
      - id: master
        label_en: Master's
        label_zh: 硕士
        conditions: [{kind: degree, min: master, max: master}]
        amount: {value: 1}     # placeholder
      - id: phd
        label_en: PhD
        label_zh: 博士
        conditions: [{kind: degree, min: phd}]
        amount: {value: 1}     # placeholder
    status: in_force
    verification: official
    sources: [S1]

absences:                      # optional: what you looked for and did not find
  - id: yourcity-no-startup-grant
    category: startup
    statement_en: No city-level startup grant found (placeholder).
    statement_zh: 未发现市级创业资助（占位）。
    verification: unverified
    sources: [S1]
"""


def offer_template_yaml() -> bytes:
    """The documented minimal offer as YAML (a template: placeholders only)."""
    return TEMPLATE_YAML.encode("utf-8")


def offer_template_xlsx() -> bytes:
    """The same template as a workbook, with a README sheet."""
    return city_to_xlsx(parse_yaml_bytes(offer_template_yaml()), readme=True)
