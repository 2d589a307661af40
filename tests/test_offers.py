"""Uploaded offers: validated exactly like data/ (the bad corpus gives the same lines as YAML and as XLSX),
the templates are documented placeholders that cannot be uploaded unchanged, shipped cities survive a trip
through the workbook format unchanged, and every kind of hostile workbook is refused with its own message,
before openpyxl opens it where the zip directory is enough."""

from __future__ import annotations

import io
import zipfile
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any

import openpyxl
import pytest
import yaml

from dashboard import offers as O
from dashboard.catalog.loader import parse_yaml_bytes

REPO = Path(__file__).resolve().parents[1]
BAD = REPO / "tests" / "data" / "bad"
TODAY = date(2026, 12, 4)  # on or after the shipped data's newest retrieval (uploads are checked against it)
EXPECTED: dict[str, list[str]] = yaml.safe_load((BAD / "EXPECTED.yaml").read_text(encoding="utf-8"))
README_AND_SHEETS = "README, city, sources, incentives, tiers, schedule, conditions, absences"

# Corpus files that cannot be written as a workbook at all: their defect is YAML syntax or a shape a
# workbook has no way to hold (a list where a mapping goes, a scalar where a list goes: in a workbook a
# comma list is always a list). 16 (a misspelt field) is a column in a workbook: its own test below.
NOT_A_WORKBOOK = {"21_not_utf8.yaml", "22_custom_tag_python.yaml", "23_custom_tag_local.yaml", "24_alias_bomb.yaml",
                  "25_empty.yaml", "26_top_level_list.yaml", "27_benefit_as_list.yaml", "28_scalar_for_list.yaml",
                  "31_two_documents.yaml", "32_invalid_syntax.yaml", "16_unknown_field.yaml"}


def lines(problems: list[Any]) -> list[str]:
    return [str(p) for p in problems]


def parse(name: str, raw: bytes, catalog: Any = None) -> tuple[Any, list[str]]:
    city, problems = O.parse_offer(name, raw, existing=catalog.cities if catalog else None, today=TODAY)
    return city, lines(problems)


def template_for(city_id: str = "suzhou", adcode: int = 320500) -> bytes:
    """The YAML template with its placeholders replaced (a real-looking upload for the tests)."""
    raw = O.offer_template_yaml().decode()
    raw = raw.replace("city: yourcity", f"city: {city_id}").replace("adcode: 999999", f"adcode: {adcode}")
    raw = raw.replace("yourcity-", f"{city_id}-").replace(O.TEMPLATE_URL_PREFIX, "https://example.org/test-upload/")
    return raw.encode()


def workbook(data: dict[str, Any] | None = None) -> bytes:
    return O.city_to_xlsx(data if data is not None else parse_yaml_bytes(template_for()))


def rezip(raw: bytes, add: dict[str, bytes] | None = None, drop: tuple[str, ...] = (),
          change: dict[str, Callable[[bytes], bytes]] | None = None, compress: int = zipfile.ZIP_DEFLATED) -> bytes:
    """A copy of an .xlsx archive with parts added, dropped or rewritten."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(raw)) as src, zipfile.ZipFile(out, "w", compress) as dst:
        for info in src.infolist():
            if info.filename in drop:
                continue
            body = src.read(info)
            if change and info.filename in change:
                body = change[info.filename](body)
            dst.writestr(info.filename, body)
        for name, body in (add or {}).items():
            dst.writestr(name, body)
    return out.getvalue()


def edit_workbook(raw: bytes, fn: Callable[[openpyxl.Workbook], None]) -> bytes:
    wb = openpyxl.load_workbook(io.BytesIO(raw))
    fn(wb)
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


@pytest.fixture
def no_openpyxl(monkeypatch: pytest.MonkeyPatch) -> None:
    """Proves a refusal came from the archive checks: opening the workbook would fail the test."""
    def boom(*_a: Any, **_k: Any) -> None:
        raise AssertionError("openpyxl opened a workbook that the archive checks should have refused")
    monkeypatch.setattr(openpyxl, "load_workbook", boom)


# --- the bad corpus, as YAML and as XLSX ---------------------------------------------------------------


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_bad_corpus_yaml_upload_gives_the_check_lines(name: str, catalog) -> None:
    city, got = parse(name, (BAD / name).read_bytes(), catalog)
    assert city is None
    assert got == [line.replace(f"tests/data/bad/{name}", name) for line in EXPECTED[name]]


@pytest.mark.parametrize("name", sorted(set(EXPECTED) - NOT_A_WORKBOOK))
def test_bad_corpus_as_xlsx_gives_the_same_lines(name: str, catalog) -> None:
    data = parse_yaml_bytes((BAD / name).read_bytes())
    xlsx = name.replace(".yaml", ".xlsx")
    city, got = parse(xlsx, O.city_to_xlsx(data), catalog)
    assert city is None
    assert got == [line.replace(f"tests/data/bad/{name}", xlsx) for line in EXPECTED[name]]


def test_misspelt_column_is_named_as_a_column() -> None:
    """Corpus file 16 misspells a field; in a workbook the misspelt thing is a column header."""
    data = parse_yaml_bytes((REPO / "tests" / "data" / "minimal_city.yaml").read_bytes())

    def misspell(wb: openpyxl.Workbook) -> None:
        header = wb["incentives"][1]
        next(c for c in header if c.value == "audience_en").value = "audiance_en"
    city, got = parse("16.xlsx", edit_workbook(O.city_to_xlsx(data), misspell))
    assert city is None
    assert got == ["16.xlsx:incentives:audiance_en: unknown column; did you mean 'audience_en'?",
                   "16.xlsx:tc-phd-living:audience_en: missing; this field is required",
                   "16.xlsx:tc-housing-allowance:audience_en: missing; this field is required"]


def test_oversize_yaml_upload() -> None:
    raw = b"city: x\n" + b"# padding\n" * 110_000
    assert parse("big.yaml", raw)[1] == [f"big.yaml:-:-: file is {len(raw):,} bytes; expected at most 1,000,000"]


# --- templates and round trips -------------------------------------------------------------------------


def test_templates_cannot_be_uploaded_unchanged() -> None:
    for name, raw in (("offer_template.yaml", O.offer_template_yaml()), ("offer_template.xlsx", O.offer_template_xlsx())):
        city, got = parse(name, raw)
        assert city is None
        assert got == [f"{name}:-:city: still the template's placeholder 'yourcity'; expected the city's own id, e.g. suzhou",
                       f"{name}:S1:url: still the template's placeholder URL; expected the address of the source document"]


def test_templates_are_marked_and_use_example_org_only() -> None:
    text = O.offer_template_yaml().decode()
    assert text.startswith("# TEMPLATE:") and "not data" in text
    urls = [s["url"] for s in parse_yaml_bytes(O.offer_template_yaml())["sources"]]
    assert urls and all(u.startswith("https://example.org/template/") for u in urls)
    wb = openpyxl.load_workbook(io.BytesIO(O.offer_template_xlsx()), read_only=True)
    assert wb.sheetnames == ["README", *O.SHEETS]
    assert next(wb["README"].iter_rows(values_only=True))[0].startswith("TEMPLATE:")


def test_filled_template_loads_the_same_from_yaml_and_xlsx(catalog) -> None:
    from_yaml, problems = parse("suzhou.yaml", template_for(), catalog)
    assert problems == [] and from_yaml is not None
    from_xlsx, problems = parse("suzhou.xlsx", workbook(), catalog)
    assert problems == [] and from_xlsx == from_yaml
    assert (from_yaml.incentives[1].tiers[1].id, from_yaml.incentives[0].benefit.schedule[1].after_si_months) == ("phd", 12)


def test_dates_typed_in_excel_are_dates() -> None:
    raw = edit_workbook(workbook(), lambda wb: wb["sources"].cell(2, 7, value=__import__("datetime").datetime(2026, 1, 1)))
    city, problems = parse("suzhou.xlsx", raw)
    assert problems == [] and city.sources[0].retrieved == date(2026, 1, 1)


@pytest.mark.parametrize("cid", ["beijing", "chengdu", "hangzhou", "shanghai", "shenzhen"])
def test_shipped_cities_survive_the_workbook_format(cid: str, catalog) -> None:
    """Every field of every shipped record, nested any_of conditions, tiers and schedules included."""
    others = {k: v for k, v in catalog.cities.items() if k != cid}
    city, problems = O.parse_offer(f"{cid}.xlsx", O.city_to_xlsx(catalog.cities[cid]), existing=others,
                                   today=date(2026, 12, 4))  # the shipped data as of its newest retrieval
    assert [str(p) for p in problems if p.severity == "error"] == []
    assert city == catalog.cities[cid]


# --- the session: no shadowing ---------------------------------------------------------------------------


def test_upload_may_not_shadow_a_catalog_city(catalog) -> None:
    raw = (REPO / "data" / "cities" / "shenzhen.yaml").read_bytes()
    city, got = parse("shenzhen.yaml", raw, catalog)
    assert city is None
    assert got[0] == ("shenzhen.yaml:-:city: city 'shenzhen' is already in the comparison; expected a city that is not "
                      "(an upload adds a city, it does not replace one)")
    first = catalog.cities["shenzhen"].incentives[0].id
    assert f"shenzhen.yaml:{first}:id: id also used in shenzhen; expected ids unique across cities" in got


def test_upload_may_not_reuse_an_adcode_or_an_incentive_id(catalog) -> None:
    raw = template_for(adcode=catalog.cities["chengdu"].adcode)
    assert parse("x.yaml", raw, catalog)[1] == [
        f"x.yaml:-:adcode: adcode {catalog.cities['chengdu'].adcode} is Chengdu's (chengdu); expected the uploaded "
        "city's own code"]
    taken = catalog.cities["beijing"].incentives[0].id
    raw = template_for().replace(b"id: suzhou-rent-subsidy", f"id: {taken}".encode())
    assert parse("x.yaml", raw, catalog)[1] == [f"x.yaml:{taken}:id: id also used in beijing; expected ids unique across cities"]


def test_file_names_and_types() -> None:
    assert O.display_name("../../etc/passwd") == "passwd"
    assert O.display_name("C:\\Users\\me\\offer:1.yaml") == "offer_1.yaml"
    assert parse("offer.csv", b"a,b")[1] == ["offer.csv:-:-: unsupported file type '.csv'; expected .yaml, .yml or .xlsx"]
    assert parse("offer.xls", b"x")[1] == ["offer.xls:-:-: a binary Excel workbook (.xls) is not accepted; "
                                           "expected .xlsx (File > Save As > Excel Workbook) or .yaml"]
    assert parse("offer.xlsm", workbook())[1] == ["offer.xlsm:-:-: a macro-enabled workbook (.xlsm) is not accepted; "
                                                  "expected .xlsx without macros, or .yaml"]


# --- hostile and broken workbooks ----------------------------------------------------------------------


def test_formula_cells_are_refused() -> None:
    def formulas(wb: openpyxl.Workbook) -> None:
        wb["incentives"]["L2"] = "=1000*100"
        wb["sources"]["B2"] = "=HYPERLINK(\"https://example.org\")"
    city, got = parse("f.xlsx", edit_workbook(workbook(), formulas))
    assert city is None
    assert got == [  # every formula, sheet by sheet in the order city, sources, incentives, ...
        "f.xlsx:sources:B2: cell holds a formula; expected a plain value (paste values only)",
        "f.xlsx:incentives:L2: cell holds a formula; expected a plain value (paste values only)"]


def test_text_that_starts_like_a_formula_is_refused() -> None:
    def text(wb: openpyxl.Workbook) -> None:
        wb["incentives"]["D2"] = "=living"
        wb["incentives"]["D2"].data_type = "s"
    assert parse("t.xlsx", edit_workbook(workbook(), text))[1] == [
        "t.xlsx:incentives:D2: cell holds a formula; expected a plain value (paste values only)"]


@pytest.mark.usefixtures("no_openpyxl")
@pytest.mark.parametrize(("make", "message"), [
    (lambda raw: rezip(raw, add={"xl/vbaProject.bin": b"\x00" * 64}),
     "workbook contains macros (xl/vbaProject.bin); expected an .xlsx without macros"),
    (lambda raw: rezip(raw, change={"[Content_Types].xml": lambda b: b.replace(
        b"</Types>", b'<Override PartName="/x" ContentType="application/vnd.ms-excel.sheet.macroEnabled.main+xml"/></Types>')}),
     "workbook is macro-enabled ([Content_Types].xml); expected an .xlsx without macros"),
    (lambda raw: rezip(raw, add={"xl/externalLinks/externalLink1.xml": b"<externalLink/>"}),
     "workbook links to other workbooks (xl/externalLinks/externalLink1.xml); expected plain values without external links"),
    (lambda raw: rezip(raw, add={"xl/connections.xml": b"<connections/>"}),
     "workbook has external data connections (xl/connections.xml); expected plain values"),
    (lambda raw: rezip(raw, add={"xl/embeddings/oleObject1.bin": b"\x00"}),
     "workbook contains embedded objects (xl/embeddings/oleObject1.bin); expected plain values"),
    (lambda raw: rezip(raw, change={"xl/worksheets/sheet1.xml": lambda b: b.replace(
        b"<worksheet", b'<!DOCTYPE worksheet [<!ENTITY a "aaaa">]><worksheet', 1)}),
     "workbook part xl/worksheets/sheet1.xml declares a DTD or entities; expected plain XLSX XML"),
    (lambda raw: rezip(raw, compress=zipfile.ZIP_BZIP2),
     "workbook part docProps/app.xml uses an unusual compression; expected a workbook saved by a spreadsheet program"),
    (lambda raw: b"this is not a zip file",
     "not a valid .xlsx workbook (not a zip archive); expected an Excel workbook saved as .xlsx"),
    (lambda raw: O.OLE_MAGIC + b"\x00" * 512,
     "an encrypted or legacy binary workbook; expected an .xlsx saved without a password"),
    (lambda raw: b"PK" + b"\x00" * 2_000_000, "file is 2,000,002 bytes; expected at most 2,000,000"),
])
def test_hostile_archives_are_refused_before_opening(make: Callable[[bytes], bytes], message: str) -> None:
    raw = make(workbook())
    assert parse("h.xlsx", raw)[1] == [f"h.xlsx:-:-: {message}"]


@pytest.mark.usefixtures("no_openpyxl")
def test_too_many_parts_are_refused() -> None:
    raw = workbook()
    n = len(zipfile.ZipFile(io.BytesIO(raw)).infolist()) + 100
    raw = rezip(raw, add={f"customXml/item{i}.xml": b"<a/>" for i in range(100)})
    assert parse("h.xlsx", raw)[1] == [f"h.xlsx:-:-: workbook has {n} parts; expected at most 100"]


@pytest.mark.usefixtures("no_openpyxl")
def test_zip_bomb_is_refused_from_the_directory() -> None:
    raw = rezip(workbook(), add={"xl/media/padding.bin": b"\x00" * 30_000_000})
    assert len(raw) < 200_000  # small on the wire
    with zipfile.ZipFile(io.BytesIO(raw)) as z:
        total = sum(i.file_size for i in z.infolist())
    assert parse("bomb.xlsx", raw)[1] == [f"bomb.xlsx:-:-: workbook expands to {total:,} bytes; expected at most "
                                          "20,000,000 (refused unopened: a zip bomb or a very large sheet)"]


@pytest.mark.usefixtures("no_openpyxl")
def test_thousands_of_sheets_are_refused_from_the_directory() -> None:
    wb = openpyxl.Workbook()
    for i in range(1_000):
        wb.create_sheet(f"s{i}")
    buf = io.BytesIO()
    wb.save(buf)
    assert parse("many.xlsx", buf.getvalue())[1] == [
        f"many.xlsx:-:-: workbook has 1,001 sheets; expected at most 10 ({README_AND_SHEETS})"]


def test_thousands_of_rows_are_refused() -> None:
    def rows(wb: openpyxl.Workbook) -> None:
        for i in range(5_000):
            wb["sources"].append([f"S{i + 2}", "issuer", "title"])
    assert parse("rows.xlsx", edit_workbook(workbook(), rows))[1] == [
        "rows.xlsx:sources:-: sheet has 5,002 rows; expected at most 2,000"]


def test_rows_are_counted_even_without_a_declared_dimension() -> None:
    """A sheet can omit its <dimension>; the reader then stops counting at the limit, whatever follows."""
    def rows(wb: openpyxl.Workbook) -> None:
        wb["absences"]["A3000"] = "far away"
    raw = edit_workbook(workbook(), rows)

    def strip_dimension(body: bytes) -> bytes:
        start = body.find(b"<dimension")
        return body[:start] + body[body.find(b"/>", start) + 2:] if start >= 0 else body
    names = openpyxl.load_workbook(io.BytesIO(raw), read_only=True).sheetnames
    part = f"xl/worksheets/sheet{names.index('absences') + 1}.xml"
    raw = rezip(raw, change={part: strip_dimension})
    assert b"<dimension" not in zipfile.ZipFile(io.BytesIO(raw)).read(part)
    assert parse("sparse.xlsx", raw)[1] == ["sparse.xlsx:absences:-: sheet has more than 2,000 rows; expected at most 2,000"]


def test_too_many_columns_are_refused() -> None:
    def cols(wb: openpyxl.Workbook) -> None:
        wb["sources"].cell(1, 61, value="extra")
    assert parse("wide.xlsx", edit_workbook(workbook(), cols))[1] == [
        "wide.xlsx:sources:-: sheet has 61 columns; expected at most 60"]


def test_wrong_and_missing_sheet_names() -> None:
    def rename(wb: openpyxl.Workbook) -> None:
        wb["incentives"].title = "Incentive"
        wb["conditions"].title = "Sheet1"
    assert parse("names.xlsx", edit_workbook(workbook(), rename))[1] == [
        "names.xlsx:Incentive:-: unknown sheet; did you mean 'incentives'?",
        f"names.xlsx:Sheet1:-: unknown sheet; expected only {README_AND_SHEETS}",
        "names.xlsx:incentives:-: missing sheet; expected the sheets city, sources and incentives (see the template)"]

    def drop(wb: openpyxl.Workbook) -> None:
        del wb["sources"]
    assert parse("drop.xlsx", edit_workbook(workbook(), drop))[1] == [
        "drop.xlsx:sources:-: missing sheet; expected the sheets city, sources and incentives (see the template)"]


def test_rows_that_point_nowhere() -> None:
    def orphan(wb: openpyxl.Workbook) -> None:
        wb["conditions"].append(["suzhou-nope", None, "degree", "phd"])
        wb["conditions"].append(["suzhou-rent-subsidy", "postdoc", "degree", "phd"])
        wb["city"].append(["incentives", "x"])
        wb["sources"].cell(1, 12, value="urll")
    assert parse("o.xlsx", edit_workbook(workbook(), orphan))[1] == [
        "o.xlsx:city:incentives: incentives go on their own sheet; expected only city, name_en, name_zh, province_en, "
        "province_zh, adcode, as_of, summary_en, summary_zh",
        "o.xlsx:sources:urll: unknown column; did you mean 'url'?",
        "o.xlsx:conditions row 6:incentive_id: unknown incentive id 'suzhou-nope'; expected an id on the "
        "incentives sheet",
        "o.xlsx:conditions row 7:tier_id: unknown tier id 'postdoc' of suzhou-rent-subsidy; expected an id on "
        "the tiers sheet"]


def test_bad_yaml_in_an_any_of_cell() -> None:
    def bad(wb: openpyxl.Workbook) -> None:
        ws = wb["conditions"]
        col = [c.value for c in ws[1]].index("conditions") + 1
        ws.append(["suzhou-graduate-living-subsidy", None, "any_of"])
        ws.cell(ws.max_row, col, value="[&a {kind: degree}]")
    got = parse("y.xlsx", edit_workbook(workbook(), bad))[1]
    assert got[0] == ("y.xlsx:conditions row 6:conditions: YAML anchor '&a' at line 1 is not allowed; expected plain "
                      "data without anchors or aliases")


def test_uploaded_city_joins_the_comparison_marked(catalog, inputs, settings) -> None:
    from dashboard.catalog.archetypes import load_archetypes
    from dashboard.engine.benchmark import matrix
    from dashboard.engine.whatif import with_uploads

    city, problems = parse("suzhou.xlsx", workbook(), catalog)
    assert problems == []
    archetypes, _ = load_archetypes()
    m = matrix(archetypes, with_uploads(inputs, [city]), settings)
    assert "suzhou" in m.cities and m.user_supplied == frozenset({"suzhou"})
    assert all(r.cell("suzhou").user_supplied and not r.cell("beijing").user_supplied for r in m.rows)


def test_damaged_workbooks_give_problems_never_exceptions() -> None:
    """Random byte flips in the archive and random characters in its XML parts: always a clean result."""
    import random

    rng = random.Random(0)
    base = workbook()
    with zipfile.ZipFile(io.BytesIO(base)) as z:
        parts = {i.filename: z.read(i) for i in z.infolist()}
    for _ in range(150):
        raw = bytearray(base)
        for _ in range(rng.randint(1, 20)):
            raw[rng.randrange(len(raw))] = rng.randrange(256)
        city, problems = O.parse_offer("f.xlsx", bytes(raw), today=TODAY)
        assert city is not None or problems
        name = rng.choice(sorted(parts))
        body = bytearray(parts[name])
        for _ in range(rng.randint(1, 5)):
            body[rng.randrange(len(body))] = rng.choice(b"<>/\"=&; aZ0\x00")
        city, problems = O.parse_offer("f.xlsx", rezip(base, change={name: lambda _b, new=bytes(body): new}), today=TODAY)
        assert city is not None or problems


def test_every_schema_field_has_a_column() -> None:
    """A new field in schema.py must get a column here, or workbooks would silently drop it."""
    from dashboard.catalog import schema as S

    paths = {path for spec in O.COLUMNS.values() for path, _ in spec.values()}
    nested = {"scope", "benefit", "conditions", "tiers"}
    assert {(f,) for f in S.Incentive.model_fields if f not in nested} <= paths
    assert {("scope", f) for f in S.Scope.model_fields} <= paths
    assert {("benefit", f) for f in S.Benefit.model_fields if f not in ("amount", "schedule")} <= paths
    assert {("benefit", "amount", f) for f in S.Amount.model_fields} <= paths
    assert {("amount", f) for f in S.Amount.model_fields} <= {p for p, _ in O.TIER_COLUMNS.values()}
    assert set(O.CITY_FIELDS) | set(O.LIST_SECTIONS) == set(S.CityFile.model_fields)
    assert {(f,) for f in S.Source.model_fields} == {p for p, _ in O.SOURCE_COLUMNS.values()}
    assert {(f,) for f in S.Absence.model_fields} == {p for p, _ in O.ABSENCE_COLUMNS.values()}
