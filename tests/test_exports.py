"""Exports: every produced file is opened and checked, in English and Chinese, with hostile user text injected
(an uploaded city and incentive whose names are formulas and HTML, and a scenario name to match).

PNG: Pillow opens it at the requested size. PDF: one page (pdfinfo), not blank at 50 dpi (pdftoppm), Chinese
and the hostile text extracted back as text (pdftotext). PPTX: python-pptx finds the ranking as a native table
with every city's name. XLSX: openpyxl (data_only=False) finds no formula and the hostile text kept as text.
CSV: BOM, neutralised cells, numbers still numbers.
"""

from __future__ import annotations

import csv
import io
import re
import shutil
import subprocess
from datetime import date
from pathlib import Path

import pandas as pd
import pytest
import yaml

from dashboard import exports as X
from dashboard import provenance as PV
from dashboard.catalog import schema as S
from dashboard.catalog.loader import LoadResult
from dashboard.catalog_table import catalog_frame
from dashboard.engine.evaluate import Inputs, inputs_from
from dashboard.engine.profile import Profile, Settings
from dashboard.engine.rank import Ranking, rank_cities
from dashboard.map_data import map_points

TODAY = date(2026, 11, 23)
ROOT = Path(__file__).resolve().parent
LANGS = ("en", "zh")
HOSTILE_CITY = '=HYPERLINK("http://evil.example/x","open me")'
HOSTILE_CITY_ZH = "@SUM(1+1)*cmd|' /C calc'!A0"
HOSTILE_INCENTIVE = "=1+2 <img src=x onerror=alert(1)>"
HOSTILE_ISSUER = "+cmd|' /C calc'!A0"
HOSTILE_TITLE = "-2+3 <script>alert('t')</script>"
SCENARIO = {"en": "=2*3 <b>PhD</b> returnee </script><script>alert(1)</script>", "zh": "-博士回国方案 <i>测试</i>"}
PROFILE = Profile(age=31, origin="returnee", degree="phd", field="biotech", graduation_year=2025,
                  annual_salary_cny=300_000, intent="research")
Files = dict[str, dict[str, bytes]]
needs_chromium = pytest.mark.skipif(not Path(X.CHROMIUM).exists(), reason="Debian chromium not installed")
needs_poppler = pytest.mark.skipif(shutil.which("pdftoppm") is None, reason="poppler-utils not installed")


def hostile_city() -> S.CityFile:
    data = yaml.safe_load((ROOT / "data" / "minimal_city.yaml").read_text(encoding="utf-8"))
    data["name_en"], data["name_zh"] = HOSTILE_CITY, HOSTILE_CITY_ZH
    data["sources"][0]["issuer"], data["sources"][0]["title"] = HOSTILE_ISSUER, HOSTILE_TITLE
    data["incentives"][0]["name_en"] = data["incentives"][0]["name_zh"] = HOSTILE_INCENTIVE
    data["incentives"][1]["name_en"] = "Housing\x07 allowance"  # a control character XML cannot hold
    return S.CityFile.model_validate(data)


@pytest.fixture(scope="module")
def hostile_inputs(catalog: LoadResult) -> Inputs:
    return inputs_from(catalog, extra_cities={"testcity": hostile_city()})


@pytest.fixture(scope="module")
def ranking(hostile_inputs: Inputs, settings: Settings) -> Ranking:
    return rank_cities(PROFILE, hostile_inputs, settings)


def brief(ranking: Ranking, inputs: Inputs, lang: str, home: str | None = "chengdu") -> X.BriefData:
    return X.brief_data(ranking, inputs, lang, home_city=home, scenario_name=SCENARIO[lang], today=TODAY, profile=PROFILE)


@pytest.fixture(scope="module")
def files(ranking: Ranking, hostile_inputs: Inputs) -> Files:
    """Every export in both languages, made once: {lang: {kind: bytes}}."""
    if not Path(X.CHROMIUM).exists():
        pytest.skip("Debian chromium not installed (make test installs it as root)")
    out: dict[str, dict[str, bytes]] = {}
    try:
        for lang in LANGS:
            data = brief(ranking, hostile_inputs, lang)
            figs = X.chart_figures(ranking, hostile_inputs, lang, horizon_years=PROFILE.horizon_years)
            f = {f"png_{k}": X.figure_png(fig, *X.CHART_SIZES[k]) for k, fig in figs.items()}
            f["map_2x"] = X.figure_png(figs["map"], 1100, 680, scale=2)
            f["pdf"] = X.brief_pdf(data, f["map_2x"])
            f["pptx"] = X.deck_pptx(data, f["map_2x"])
            f["xlsx"] = X.workbook_xlsx(data, X.evaluation_rows(ranking, hostile_inputs, lang),
                                        catalog_frame(hostile_inputs.cities, lang))
            f["csv"] = X.csv_bytes(X.ranking_frame(data))
            out[lang] = f
    finally:
        X.close_renderer()
    return out


def pixel_spread(png: bytes) -> float:
    """Standard deviation of the grey levels: about 0 for a blank page."""
    from PIL import Image, ImageStat

    return ImageStat.Stat(Image.open(io.BytesIO(png)).convert("L")).stddev[0]


# --- pure helpers -----------------------------------------------------------------------------------------


@pytest.mark.parametrize(("value", "expected"), [
    ("=1+1", "'=1+1"), ("+1", "'+1"), ("-1", "'-1"), ("@SUM(A1)", "'@SUM(A1)"), ("\t=1", "'\t=1"),
    ("\r=1", "'\r=1"), ("  =1", "'  =1"), ("＝1", "'＝1"), ("Beijing", "Beijing"), ("北京", "北京"),
    ("a=1", "a=1"), ("", ""), (-5, -5), (3.5, 3.5), (None, None),
])
def test_neutralise(value: object, expected: object) -> None:
    assert X.neutralise(value) == expected


@pytest.mark.parametrize(("scenario", "pattern"), [
    ("PhD returnee", r"^atlas_phd-returnee_brief_2026-11-23\.pdf$"),
    ("../../etc/passwd", r"^atlas_etc-passwd_brief_2026-11-23\.pdf$"),
    ("博士回国方案", r"^atlas_scenario-[0-9a-f]{6}_brief_2026-11-23\.pdf$"),
    ("", r"^atlas_scenario_brief_2026-11-23\.pdf$"),
    ("x" * 90, r"^atlas_x{40}-[0-9a-f]{6}_brief_2026-11-23\.pdf$"),
    ('=cmd|"/C calc"!A0 <script>', r"^atlas_cmd-c-calc-a0-script_brief_2026-11-23\.pdf$"),
])
def test_export_filename(scenario: str, pattern: str) -> None:
    name = X.export_filename(scenario, "brief", TODAY, "pdf")
    assert re.match(pattern, name), name
    assert name.isascii() and "/" not in name


def test_export_filename_keeps_chinese_scenarios_apart() -> None:
    a = X.export_filename("方案一", "deck", TODAY, "pptx", lang="zh")
    b = X.export_filename("方案二", "deck", TODAY, "pptx", lang="zh")
    assert a != b and a.endswith("_deck_zh_2026-11-23.pptx")


def test_csv_bytes_neutralises_and_keeps_numbers() -> None:
    df = pd.DataFrame({"name": ["=1+2", "Beijing", "@x", "北京"], "value": [-5.0, 1.0, 2.0, 3.0], "=head": [1, 2, 3, 4]})
    raw = X.csv_bytes(df)
    assert raw.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(raw.decode("utf-8-sig"))))
    assert rows[0] == ["name", "value", "'=head"]
    assert [r[0] for r in rows[1:]] == ["'=1+2", "Beijing", "'@x", "北京"]
    assert rows[1][1] == "-5.0"  # a number stays a number


# --- the brief's data ----------------------------------------------------------------------------------------


def test_brief_data_rows_sources_and_as_of(ranking: Ranking, hostile_inputs: Inputs) -> None:
    d = brief(ranking, hostile_inputs, "en")
    assert [r.rank for r in d.rows] == sorted(r.rank for r in d.rows)
    assert {r.city for r in d.rows} == set(hostile_inputs.cities)
    assert d.as_of_max == date(2026, 11, 23) and d.as_of_min == date(2026, 11, 1)  # the upload says 2026-11-01
    assert d.as_of == "2026-11-01 – 2026-11-23"
    assert d.sources and all(s.counted for s in d.sources)
    assert all(s.url is None or s.url.startswith(("http://", "https://")) for s in d.sources)
    # official texts first (issue 10), then the brief's own items, then the rest
    keys = [(PV.ordered_key(s), not s.in_brief) for s in d.sources]
    assert keys == sorted(keys)
    counted = {(r.city, sid) for r in ranking.rows for e in r.result.evaluations if e.counted for sid in e.incentive.sources}
    assert {(s.city, s.id) for s in d.sources} == counted
    assert len(d.all_sources) >= len(d.sources)
    assert d.profile_line.startswith("PhD, age 31")


def test_brief_data_home_city_cases(ranking: Ranking, hostile_inputs: Inputs) -> None:
    leader = ranking.leader.city
    last = ranking.rows[-1].city
    d = brief(ranking, hostile_inputs, "en", home=last)
    assert d.home_rank == len(ranking.rows) and 0 < len(d.gaps) <= X.KEY_GAPS
    assert [g.amount for g in d.gaps] == sorted((g.amount for g in d.gaps), reverse=True)
    assert "rank" in X.gaps_message(d)
    d = brief(ranking, hostile_inputs, "zh", home=leader)
    assert d.gaps == () and "排名第一" in X.gaps_message(d)
    d = brief(ranking, hostile_inputs, "en", home=None)
    assert d.gaps == () and "No home city" in X.gaps_message(d)
    d = brief(ranking, hostile_inputs, "en", home="atlantis")
    assert d.gaps == () and "not among" in X.gaps_message(d)


def test_map_points_escape_uploaded_names(ranking: Ranking, hostile_inputs: Inputs) -> None:
    pts = pd.DataFrame([{"city": "testcity", "lon": 110.0, "lat": 30.0}, {"city": "chengdu", "lon": 104.1, "lat": 30.7}])
    df = map_points(ranking, hostile_inputs, "en", points=pts, horizon_years=5)
    row = df.set_index("city").loc["testcity"]
    assert "<" not in row["name"] and "&lt;" not in row["name"]  # the city name has no markup to escape
    assert "<img" not in row["hover"] and "&lt;img src=x" in row["hover"]  # the incentive name does
    assert df.set_index("city").loc["chengdu", "rank"] == ranking.by_city()["chengdu"].rank


def test_brief_html_escapes_everything(ranking: Ranking, hostile_inputs: Inputs) -> None:
    page = X.brief_html(brief(ranking, hostile_inputs, "en", home="testcity"), b"\x89PNG fake")
    assert "<script>" not in page and "<img src=x" not in page and "<b>PhD" not in page
    assert "&lt;/script&gt;&lt;script&gt;alert(1)" in page
    assert "Content-Security-Policy" in page and "default-src 'none'" in page
    assert re.findall(r'<a href="([^"]+)"', page) and all(u.startswith("http") for u in re.findall(r'<a href="([^"]+)"', page))


# --- the files, opened and checked ---------------------------------------------------------------------------


@needs_chromium
@pytest.mark.slow
@pytest.mark.parametrize("lang", LANGS)
def test_png_sizes(files: Files, lang: str) -> None:
    from PIL import Image

    for kind, (w, h) in X.CHART_SIZES.items():
        png = files[lang][f"png_{kind}"]
        im = Image.open(io.BytesIO(png))
        assert im.format == "PNG" and im.size == (w, h), kind
        assert pixel_spread(png) > 5, f"{kind} looks blank"
    assert Image.open(io.BytesIO(files[lang]["map_2x"])).size == (2200, 1360)


@needs_chromium
@needs_poppler
@pytest.mark.slow
@pytest.mark.parametrize("lang", LANGS)
def test_pdf_is_one_nonblank_page_with_text(files: Files, lang: str, tmp_path: Path) -> None:
    pdf = tmp_path / "brief.pdf"
    pdf.write_bytes(files[lang]["pdf"])
    info = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True, check=True).stdout
    assert re.search(r"^Pages:\s+1$", info, re.M), info
    assert re.search(r"Page size:\s+59[45]\.\d+ x 84[12]\.\d+ pts \(A4\)", info), info
    subprocess.run(["pdftoppm", "-r", "50", "-png", "-singlefile", str(pdf), str(tmp_path / "page")], check=True)
    page = (tmp_path / "page.png").read_bytes()
    assert pixel_spread(page) > 20, "the brief renders blank"
    text = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
    flat = re.sub(r"\s+", "", text)
    for city in ("深圳", "成都", "上海") if lang == "zh" else ("Shenzhen", "Chengdu", "Shanghai"):
        assert city in flat
    assert re.sub(r"\s+", "", SCENARIO[lang]) in flat  # the hostile name printed as text, tags and all
    fonts = subprocess.run(["pdffonts", str(pdf)], capture_output=True, text=True, check=True).stdout
    assert all(line.split()[-5] == "yes" for line in fonts.splitlines()[2:]), fonts  # every font embedded


@needs_chromium
@pytest.mark.slow
@pytest.mark.parametrize("lang", LANGS)
def test_pptx_has_native_ranking_table(files: Files, ranking: Ranking, hostile_inputs: Inputs, lang: str) -> None:
    from pptx import Presentation
    from pptx.enum.shapes import MSO_SHAPE_TYPE

    prs = Presentation(io.BytesIO(files[lang]["pptx"]))
    slides = list(prs.slides)
    assert len(slides) >= 5
    names = [X.brief_data(ranking, hostile_inputs, lang, scenario_name="x", today=TODAY).rows[i].name
             for i in range(len(ranking.rows))]
    tables = [sh.table for s in slides for sh in s.shapes if sh.has_table]
    ranking_tables = [tb for tb in tables if all(any(n in c.text for r in tb.rows for c in r.cells) for n in names)]
    assert ranking_tables, "no native table lists every city"
    tb = ranking_tables[0]
    assert len(tb.rows) == len(names) + 1 and tb.cell(1, 0).text == "1"
    assert any(sh.shape_type == MSO_SHAPE_TYPE.PICTURE for sh in slides[1].shapes)  # the map
    title_text = " ".join(sh.text_frame.text for sh in slides[0].shapes if sh.has_text_frame)
    assert SCENARIO[lang] in title_text  # plain text, as typed
    fonts = {el.get("typeface") for el in prs.slides[2].shapes._spTree.iter() if el.tag.endswith("}ea")}
    assert fonts == {X.FONT}


@needs_chromium
@pytest.mark.slow
@pytest.mark.parametrize("lang", LANGS)
def test_xlsx_has_no_live_formula_and_keeps_hostile_text(files: Files, lang: str) -> None:
    from openpyxl import load_workbook

    wb = load_workbook(io.BytesIO(files[lang]["xlsx"]), data_only=False)
    assert wb.sheetnames[:4] == ["Ranking", "Evaluations", "Incentives", "Sources"]
    texts = []
    for ws in wb.worksheets:
        for row in ws.iter_rows():
            for c in row:
                assert c.data_type != "f", f"{ws.title}!{c.coordinate} is a formula"
                if isinstance(c.value, str):
                    assert not c.value.lstrip(" ").startswith(("=", "+", "-", "@", "\t", "\r")), f"{ws.title}!{c.coordinate}"
                    texts.append(c.value)
    hostile_city = HOSTILE_CITY if lang == "en" else HOSTILE_CITY_ZH
    for hostile in (hostile_city, HOSTILE_INCENTIVE, HOSTILE_ISSUER, HOSTILE_TITLE, SCENARIO[lang]):
        assert "'" + hostile in texts, hostile
    if lang == "en":
        assert "Housing allowance" in texts  # the bell is dropped, the rest kept
    ranking_ws = wb["Ranking"]
    assert isinstance(ranking_ws.cell(2, 1).value, int) and isinstance(ranking_ws.cell(2, 5).value, int)
    urls = [c for c in wb["Sources"]["I"][1:] if c.hyperlink is not None]
    assert urls and all(c.hyperlink.target.startswith("http") for c in urls)


@needs_chromium
@pytest.mark.slow
@pytest.mark.parametrize("lang", LANGS)
def test_csv_file(files: Files, lang: str) -> None:
    raw = files[lang]["csv"]
    assert raw.startswith(b"\xef\xbb\xbf")
    rows = list(csv.DictReader(io.StringIO(raw.decode("utf-8-sig"))))
    assert rows[0]["rank"] == "1"
    assert all(r["scenario"] == "'" + SCENARIO[lang] for r in rows)
    hostile = HOSTILE_CITY if lang == "en" else HOSTILE_CITY_ZH
    assert any(r["city"] == "'" + hostile for r in rows)
    if lang == "zh":
        assert any(r["city"] == "成都" for r in rows)


def test_settings_today_matches(settings: Settings) -> None:
    assert settings.today == TODAY  # the fixtures and this file describe the same day


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_gaps_heading_adapts_when_the_home_city_leads(ranking: Ranking, hostile_inputs: Inputs, lang: str) -> None:
    """Issue 11: never "what Chengdu offers that Chengdu does not". The leader as home city gets "where it leads,
    and by how much"; another home city gets the gaps to the leader, naming both."""
    leader, second = ranking.rows[0], ranking.rows[1]
    lead = brief(ranking, hostile_inputs, lang, home=leader.city)
    title = X.gaps_title(lead)
    assert lead.home_name and lead.home_name in title and title.count(lead.home_name) == 1
    assert ("leads" in title) if lang == "en" else ("领先" in title)
    msg = X.gaps_message(lead)
    assert lead.rows[1].name in msg and (f"{leader.score - second.score:.0f}") in msg
    other = brief(ranking, hostile_inputs, lang, home=second.city)
    assert other.leader.name in X.gaps_title(other) and other.home_name in X.gaps_title(other)
