"""Downloadable files from engine results: chart PNGs, a one-page PDF brief, a PPTX deck, an XLSX workbook
and CSV (pure functions returning bytes; no Streamlit).

Choices, so reviewers need not reverse-engineer them:
- Everything a file shows comes from one :class:`BriefData`, assembled from the ranking by :func:`brief_data`,
  so the PDF, the deck and the workbook cannot disagree. Numbers keep their sources: the brief lists the
  documents cited by the incentives that are counted, and the catalog's as-of date.
- **PDF via headless chromium, not reportlab.** reportlab embeds TrueType outlines only, and the one CJK font
  on the image (fonts-noto-cjk's NotoSansCJK-Regular.ttc) has PostScript (CFF) outlines: ``TTFont`` raises
  "postscript outlines are not supported". Its built-in CID fonts (STSong-Light) are not embedded, so Chinese
  would depend on the reader's machine. So the brief is an HTML page (:func:`brief_html`, print CSS, A4) that
  chromium prints (DevTools ``Page.printToPDF`` in the same browser that renders the PNGs, ~0.5 s; a fresh
  ``chromium --print-to-pdf`` costs 1-4 s); Skia embeds subsets of the Noto CJK glyphs. The page has a strict
  Content-Security-Policy (data: images and inline styles only), so nothing can be fetched or run. The page is
  kept to one sheet by measuring: it is laid out at the A4 print width and printed at the largest scale that
  fits (not below 85%); below that, fewer sources are listed (the workbook has them all).
- **PNGs via kaleido**, using one long-lived browser (a ``kaleido.Kaleido`` in a background thread) instead
  of a new chromium per image: the first image costs the browser start (~2.5 s), later ones ~0.2 s
  (benchmarks/bench_exports.py). MathJax is switched off and the topojson points at the local stub, so the
  browser asks nothing of the network. Calls are serialised by a lock; a failed or timed-out render closes
  the browser and tries once more with a new one.
- **Formula injection.** A text cell that starts with ``= + - @``, a tab or a carriage return (or their
  full-width forms, or any of these after leading spaces) is written with a leading apostrophe in XLSX and
  CSV, so spreadsheet programs show it as text and never evaluate it. User text (scenario names, uploaded
  city and incentive names) is HTML-escaped in the brief and plotly labels, and is plain text in the deck.
"""

from __future__ import annotations

import asyncio
import atexit
import base64
import contextlib
import hashlib
import html
import io
import math
import re
import tempfile
import threading
import unicodedata
from collections.abc import Awaitable, Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

import pandas as pd
import plotly.graph_objects as go

from dashboard import charts, maps
from dashboard import provenance as PV
from dashboard.catalog import schema as S
from dashboard.catalog_table import amount_text
from dashboard.engine.evaluate import Inputs
from dashboard.engine.profile import Profile
from dashboard.engine.rank import Ranking, gaps_to_leader
from dashboard.i18n import money, money_range, name, t
from dashboard.map_data import city_names, map_figure, plotly_text

CHROMIUM = "/usr/bin/chromium"
FONT = "Noto Sans CJK SC"  # fonts-noto-cjk; the only CJK font on the image (research/offline_stack.md §4)
RENDER_TIMEOUT_S = 60.0
PRINT_TIMEOUT_S = 60.0

TOP_INCENTIVES = 3
TITLE_CHARS = 160  # a source title longer than this is cut in the brief and deck (the workbook has it whole)
KEY_GAPS = 4


class ExportUnavailable(RuntimeError):
    """A renderer (Debian chromium) is missing or failed; the message says which and why."""


# --- the data every export shows -------------------------------------------------------------------------


@dataclass(frozen=True)
class BriefRow:
    rank: int
    city: str
    name: str
    score: float
    low: float
    expected: float
    high: float
    rank_min: int
    rank_max: int
    share_first: float
    top_incentives: tuple[str, ...]
    possible_count: int = 0
    wage_years: float | None = None
    user_supplied: bool = False
    value_on_official: float | None = None    # share of ``expected`` backed by an official source (issue 10)
    weakest_kind: str | None = None           # best source kind of the weakest counted item


@dataclass(frozen=True)
class BriefGap:
    category: str
    label: str
    leader_expected: float
    city_expected: float
    leader_points: int
    city_points: int
    through: tuple[str, ...]          # the leader's counted incentives in this category

    @property
    def amount(self) -> float:
        return self.leader_expected - self.city_expected


@dataclass(frozen=True)
class BriefSource:
    city: str
    city_name: str
    id: str
    issuer: str
    title: str
    url: str | None
    document_number: str | None
    published: date | None
    retrieved: date
    cited_by: tuple[str, ...]         # names of counted incentives citing it (empty: cited by none counted)
    in_brief: bool = False            # cites an incentive named in the brief (top incentives or gaps)
    kind: str = "aggregator"          # the source kind (issue 10); faithful reposts count as official
    faithful: bool = False

    @property
    def counted(self) -> bool:
        return bool(self.cited_by)


@dataclass(frozen=True)
class BriefData:
    lang: str
    scenario: str
    today: date
    rows: tuple[BriefRow, ...]
    weights: dict[str, float]
    draws: int
    as_of_min: date | None
    as_of_max: date | None
    sources: tuple[BriefSource, ...]          # cited by counted incentives, brief's own first
    all_sources: tuple[BriefSource, ...]      # every source of the ranked cities (for the workbook)
    home_city: str | None = None
    home_name: str | None = None
    home_rank: int | None = None
    gaps: tuple[BriefGap, ...] = ()
    gaps_total: int = 0                       # gaps found before keeping the KEY_GAPS largest
    horizon_years: int | None = None
    profile_line: str = ""
    notes: tuple[str, ...] = field(default_factory=tuple)

    @property
    def leader(self) -> BriefRow:
        return self.rows[0]

    @property
    def as_of(self) -> str:
        """"2026-11-23", or "2026-01-05 – 2026-11-23" when the files differ; "unknown" when none says."""
        if self.as_of_min is None or self.as_of_max is None:
            return t("unknown", self.lang)
        if self.as_of_min == self.as_of_max:
            return self.as_of_max.isoformat()
        return f"{self.as_of_min.isoformat()} – {self.as_of_max.isoformat()}"


def _top(result: Any) -> list[Any]:
    """The Explore cards' choice: money first, with status (hukou, permits) breaking in by points."""
    return sorted(result.eligible(), key=lambda e: -(e.value.expected + 1e4 * e.value.status_points))[:TOP_INCENTIVES]


def profile_line(profile: Profile | None, lang: str) -> str:
    """One line describing the applicant (only the answers given)."""
    if profile is None:
        return ""
    sep = "，" if lang == "zh" else ", "
    parts: list[str] = []
    if profile.degree:
        parts.append(t(f"degree.{profile.degree}", lang))
    if profile.age is not None:
        parts.append(t("export.age", lang, n=profile.age))
    if profile.field:
        parts.append(t(f"field.{profile.field}", lang))
    if profile.origin:
        parts.append(t(f"origin.{profile.origin}", lang))
    if profile.intent:
        parts.append(t(f"intent.{profile.intent}", lang))
    if profile.annual_salary_cny:
        parts.append(t("export.salary", lang, v=money(profile.annual_salary_cny, lang)))
    parts.append(t("export.horizon", lang, n=profile.horizon_years))
    return sep.join(parts)


def _as_of_dates(inputs: Inputs, cities: Iterable[str]) -> tuple[date | None, date | None]:
    dates = [inputs.cities[c].as_of for c in cities if c in inputs.cities]
    dates += [r.as_of for r in inputs.reference.values() if getattr(r, "as_of", None)]
    return (min(dates), max(dates)) if dates else (None, None)


def brief_data(ranking: Ranking, inputs: Inputs, lang: str, *, home_city: str | None = None, scenario_name: str,
               today: date, profile: Profile | None = None, dropped: Sequence[Any] = (),
               dropped_from: Inputs | None = None) -> BriefData:
    """Everything the brief, deck and workbook show, in ``lang``. ``profile`` (optional) adds the applicant
    line and the horizon; ``home_city`` adds its key gaps to the leader (none when it leads or is unranked).
    ``dropped``: what the "official sources only" view left out (``provenance.official_only``), said in a note."""
    names = city_names(inputs, lang)
    vps = {r.city: PV.value_provenance(inputs.cities.get(r.city), r.result.evaluations) for r in ranking.rows}
    rows = tuple(
        BriefRow(r.rank, r.city, names.get(r.city, r.city), r.score, r.result.total.low, r.result.total.expected,
                 r.result.total.high, r.rank_min, r.rank_max, r.share_first,
                 tuple(name(e.incentive, lang) for e in _top(r.result)), r.result.total.possible_count,
                 r.result.value_in_wage_years, r.user_supplied, vps[r.city].share_official, vps[r.city].weakest)
        for r in ranking.rows)
    in_brief = {(r.city, e.id) for r in ranking.rows for e in _top(r.result)}

    gaps: list[BriefGap] = []
    gaps_total = 0
    home_rank = None
    by_city = ranking.by_city()
    if home_city is not None and home_city in by_city:
        home_rank = by_city[home_city].rank
        if home_city != ranking.leader.city:
            found = gaps_to_leader(ranking, home_city)
            gaps_total = len(found)
            for g in found[:KEY_GAPS]:
                lb, cb = ranking.leader.result.by_category[g.category], by_city[home_city].result.by_category[g.category]
                gaps.append(BriefGap(g.category, t(f"cat.{g.category}", lang), g.leader_expected, g.city_expected,
                                     lb.status_points, cb.status_points, tuple(name(e.incentive, lang) for e in g.leader_items)))
                in_brief |= {(ranking.leader.city, e.id) for e in g.leader_items}

    counted_names: dict[tuple[str, str], list[str]] = {}
    brief_sources: set[tuple[str, str]] = set()
    for r in ranking.rows:
        for e in r.result.evaluations:
            if not e.counted:
                continue
            for sid in e.incentive.sources:
                counted_names.setdefault((r.city, sid), []).append(name(e.incentive, lang))
                if (r.city, e.id) in in_brief:
                    brief_sources.add((r.city, sid))
    all_sources: list[BriefSource] = []
    for r in ranking.rows:
        city = inputs.cities.get(r.city)
        for s in city.sources if city else ():
            key = (r.city, s.id)
            all_sources.append(BriefSource(r.city, names.get(r.city, r.city), s.id, s.issuer, s.title, s.url,
                                           s.document_number, s.published, s.retrieved,
                                           tuple(dict.fromkeys(counted_names.get(key, ()))), key in brief_sources,
                                           s.kind, s.faithful_repost))
    # official texts first, then the brief's own items; stable, so rank order breaks the remaining ties
    cited = sorted((s for s in all_sources if s.counted),
                   key=lambda s: (PV.ordered_key(s), not s.in_brief))

    notes = [t("user_supplied", lang) + f" ({', '.join(r.name for r in rows if r.user_supplied)})"] \
        if any(r.user_supplied for r in rows) else []
    if dropped:
        notes.append(PV.dropped_note(dropped, dropped_from or inputs, lang))
    lo, hi = _as_of_dates(inputs, (r.city for r in rows))
    return BriefData(
        lang=lang, scenario=scenario_name, today=today, rows=rows, weights=dict(ranking.weights), draws=ranking.draws,
        as_of_min=lo, as_of_max=hi, sources=tuple(cited), all_sources=tuple(all_sources),
        home_city=home_city, home_name=names.get(home_city, home_city) if home_city else None, home_rank=home_rank,
        gaps=tuple(gaps), gaps_total=gaps_total, horizon_years=profile.horizon_years if profile else None,
        profile_line=profile_line(profile, lang), notes=tuple(notes))


def gaps_message(data: BriefData) -> str:
    """The sentence above (or instead of) the gaps table."""
    lang = data.lang
    if data.home_city is None:
        return t("export.gaps.no_home", lang)
    if data.home_rank is None:
        return t("export.gaps.not_ranked", lang, home=data.home_name)
    if data.home_rank == 1:
        if len(data.rows) > 1:
            second = data.rows[1]
            return t("export.gaps.leads_by", lang, home=data.home_name, second=second.name,
                     gap=money(data.leader.expected - second.expected, lang), score=f"{data.leader.score - second.score:.0f}")
        return t("export.gaps.leads", lang, home=data.home_name)
    head = t("export.gaps.home_line", lang, home=data.home_name, rank=data.home_rank, n=len(data.rows))
    if not data.gaps:
        return head + " " + t("no_gap", lang)
    return head


def gaps_title(data: BriefData) -> str:
    """The gaps heading: what the leader offers that the home city does not; when the home city leads, where it
    leads (never "what Chengdu offers that Chengdu does not")."""
    if data.home_rank == 1:
        return t("export.gaps.leads_title", data.lang, home=data.home_name or "—")
    return t("export.gaps.title", data.lang, leader=data.leader.name, home=data.home_name or "—")


def gap_cells(g: BriefGap, lang: str) -> tuple[str, str, str, str]:
    """(leader, home, gap, through) as text: money, plus status points where they differ."""
    lv, cv, gap = money(g.leader_expected, lang), money(g.city_expected, lang), money(g.amount, lang)
    if g.leader_points != g.city_points:
        pts = t("export.points", lang, lp=g.leader_points, cp=g.city_points)
        if abs(g.amount) < 0.5:
            gap = pts
        else:
            gap += f" · {pts}"
    sep = "、" if lang == "zh" else "; "
    return lv, cv, gap, sep.join(g.through) or "—"


def weights_line(data: BriefData) -> str:
    total = sum(data.weights.values()) or 1.0
    sep = "，" if data.lang == "zh" else ", "
    parts = [f"{t(f'dim.{d}', data.lang)} {100 * w / total:.0f}%" for d, w in data.weights.items() if w > 0]
    return t("export.weights", data.lang, w=sep.join(parts))


def method_line(data: BriefData) -> str:
    years = data.horizon_years or t("export.the_horizon", data.lang)
    return t("export.method", data.lang, years=years, n=data.draws)


def value_header(data: BriefData) -> str:
    if data.horizon_years:
        return t("value_over", data.lang, years=data.horizon_years)
    return t("export.expected_value", data.lang)


def ranking_table(data: BriefData) -> list[list[str]]:
    """Header plus one row per city, as display text (the brief's and the deck's ranking table)."""
    lang = data.lang
    head = [t("export.col.rank", lang), t("export.col.city", lang), t("export.col.score", lang), value_header(data),
            t("export.col.range", lang), t("export.col.rank_range", lang), t("export.col.top", lang),
            t("export.col.provenance", lang)]
    out = [head]
    sep = "、" if lang == "zh" else "; "
    for r in data.rows:
        rng = money_range(r.low, r.high, lang) if r.high - r.low >= 0.5 else "—"
        top = sep.join(r.top_incentives) or t("export.nothing_certain", lang)
        if r.possible_count:
            top += " " + t("export.possible", lang, n=r.possible_count)
        city = r.name + (" *" if r.user_supplied else "")
        out.append([str(r.rank), city, f"{r.score:.0f}", money(r.expected, lang), rng, f"{r.rank_min}–{r.rank_max}", top,
                    provenance_cell(r, lang)])
    return out


def provenance_cell(r: BriefRow, lang: str) -> str:
    """"● 100% official" / "● 59% official; rest ◐ state media" / "—" (plain marks: files carry no icons)."""
    return PV.value_line(PV.ValueProvenance(r.expected, (r.value_on_official or 0) * r.expected, r.weakest_kind),
                         lang, plain=True) if r.weakest_kind else "—"


def source_line(s: BriefSource, lang: str) -> str:
    """Kind, issuer, title, document number and date, as plain text (the URL goes apart). A machine
    translation or an AI answer says so in words, first."""
    when = t("as_of", lang, date=s.published.isoformat()) if s.published else \
        t("retrieved_on", lang, date=s.retrieved.isoformat())
    doc = f" ({s.document_number})" if s.document_number else ""
    title = _short(s.title, TITLE_CHARS)
    kind = PV.badge("official" if s.faithful else s.kind, lang, plain=True)
    return f"[{kind}] {s.city_name} · {s.issuer}: {title}{doc} · {when}"


# --- file names and spreadsheet safety -------------------------------------------------------------------


def export_filename(scenario: str, kind: str, today: date, ext: str, *, lang: str | None = None) -> str:
    """``atlas_<scenario-slug>_<kind>[_<lang>]_<YYYY-MM-DD>.<ext>``, ASCII only. When the slug loses part of
    the name (Chinese characters, or a name over 40 characters) a short hash of the name is added, so two
    scenarios never share a file name."""
    def slug(text: str, limit: int) -> str:
        ascii_ = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
        return re.sub(r"[^a-z0-9]+", "-", ascii_.lower()).strip("-")[:limit].strip("-")

    full = slug(scenario or "", 1000)
    s = full[:40].strip("-") or "scenario"
    if (full and s != full) or re.search(r"[^\x00-\x7f]", scenario or ""):  # lossy slug: keep names apart with a hash
        s = f"{s}-{hashlib.sha1((scenario or '').encode()).hexdigest()[:6]}"  # noqa: S324 - a name tag, not security
    parts = ["atlas", s, slug(kind, 20) or "export"] + ([slug(lang, 5)] if lang else []) + [today.isoformat()]
    return "_".join(parts) + "." + (slug(ext, 8) or "bin")


_FORMULA_START = ("=", "+", "-", "@", "\t", "\r", "\n", "＝", "＋", "－", "＠")


def neutralise(value: Any) -> Any:
    """Text a spreadsheet could read as a formula gets a leading apostrophe; everything else is unchanged."""
    if isinstance(value, str) and value.lstrip(" ").startswith(_FORMULA_START):
        return "'" + value
    return value


def csv_bytes(df: pd.DataFrame) -> bytes:
    """UTF-8 with a BOM (Excel then reads Chinese correctly); formula-like text neutralised, headers too."""
    out = df.copy()
    out.columns = [neutralise(str(c)) for c in out.columns]
    for c in out.columns:
        if out[c].dtype == object or pd.api.types.is_string_dtype(out[c]):
            out[c] = out[c].map(neutralise)
    return out.to_csv(index=False).encode("utf-8-sig")


# --- static images: one kaleido browser, reused --------------------------------------------------------


class _Renderer:
    """A ``kaleido.Kaleido`` browser kept open in a background event loop (see the module docstring)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._loop: asyncio.AbstractEventLoop | None = None
        self._thread: threading.Thread | None = None
        self._k: Any = None

    def _start(self) -> None:
        import kaleido

        loop = asyncio.new_event_loop()
        thread = threading.Thread(target=loop.run_forever, name="exports-kaleido", daemon=True)
        thread.start()
        self._loop, self._thread = loop, thread

        async def open_() -> Any:
            k = kaleido.Kaleido(n=1, mathjax=False, timeout=RENDER_TIMEOUT_S)
            await k.open()
            return k

        try:
            self._k = asyncio.run_coroutine_threadsafe(open_(), loop).result(RENDER_TIMEOUT_S)
        except Exception as exc:
            self._stop()
            raise ExportUnavailable(f"cannot start chromium for static images ({type(exc).__name__}: {exc}); "
                                    f"install Debian chromium ({CHROMIUM})") from exc

    def _stop(self) -> None:
        loop, k = self._loop, self._k
        self._k = None
        if loop is None:
            return
        if k is not None:
            with contextlib.suppress(Exception):  # best effort: the browser may already be gone
                asyncio.run_coroutine_threadsafe(k.close(), loop).result(15)
        loop.call_soon_threadsafe(loop.stop)
        if self._thread is not None:
            self._thread.join(5)
        self._loop = self._thread = None

    def run(self, job: Callable[[Any], Awaitable[Any]], what: str, timeout: float = RENDER_TIMEOUT_S) -> Any:
        """Run ``job(browser)`` in the browser's loop; on failure restart the browser and try once more."""
        with self._lock:
            for attempt in (1, 2):
                if self._k is None:
                    self._start()
                assert self._loop is not None
                try:
                    return asyncio.run_coroutine_threadsafe(job(self._k), self._loop).result(timeout + 5)
                except Exception as exc:
                    self._stop()
                    if attempt == 2:
                        raise ExportUnavailable(f"chromium could not {what} ({type(exc).__name__}: {exc})") from exc
            raise AssertionError("unreachable")

    def close(self) -> None:
        with self._lock:
            self._stop()


_RENDERER = _Renderer()
atexit.register(_RENDERER.close)


def close_renderer() -> None:
    """Close the kaleido browser (it restarts on the next image); for tests and shutdown."""
    _RENDERER.close()


def figure_png(fig: go.Figure, width: int, height: int, *, scale: float = 1.0) -> bytes:
    """A PNG of ``fig`` at width x height layout pixels (x ``scale`` physical pixels), rendered offline."""
    topojson = maps.use_local_topojson()
    opts = {"format": "png", "width": int(width), "height": int(height), "scale": float(scale)}
    spec = fig.to_dict()
    return _RENDERER.run(lambda k: k.calc_fig(spec, opts, topojson=topojson), "render the figure")


def chart_figures(ranking: Ranking, inputs: Inputs, lang: str, *, horizon_years: int | None = None,
                  points: pd.DataFrame | None = None, outlines: Any = ...) -> dict[str, go.Figure]:
    """The Explore page's charts for this ranking: ``map``, ``breakdown``, ``sensitivity`` (names escaped)."""
    names = {c: plotly_text(_short(n, CHART_NAME_CHARS)) for c, n in city_names(inputs, lang).items()}
    cat_labels = {f"cat.{c}": t(f"cat.{c}", lang) for c in S.CATEGORIES} | {
        "title": t("breakdown.title", lang), "yaxis": t("breakdown.yaxis", lang)}
    return {
        "map": map_figure(ranking, inputs, lang, points=points, outlines=outlines, horizon_years=horizon_years),
        "breakdown": charts.category_breakdown(ranking, cat_labels, names),
        "sensitivity": charts.sensitivity_chart(ranking, {"title": t("sens.title", lang), "xaxis": t("sens.xaxis", lang),
                                                          "rank": t("rank", lang)}, names),
    }


def _short(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[:limit - 1].rstrip() + "…"


CHART_NAME_CHARS = 28  # an uploaded city's long name is cut on chart axes (tables show it whole)
CHART_SIZES: dict[str, tuple[int, int]] = {"map": (1100, 680), "breakdown": (1000, 500), "sensitivity": (900, 360)}


# --- the one-page brief: HTML printed by chromium ------------------------------------------------------

_CSP = "default-src 'none'; img-src data:; style-src 'unsafe-inline'"

_CSS = """
@page { size: A4; margin: 10mm 12mm 9mm 12mm; }
html { font-family: "Noto Sans CJK SC", "Noto Sans", "DejaVu Sans", sans-serif; font-size: 8.6pt; color: #1f1f1f;
       -webkit-print-color-adjust: exact; print-color-adjust: exact; }
body { margin: 0; }
h1 { font-size: 15pt; margin: 0 0 1mm 0; }
h2 { font-size: 10pt; margin: 2.6mm 0 1mm 0; border-bottom: 0.6pt solid #888; padding-bottom: 0.4mm; }
.meta { color: #444; margin: 0.3mm 0; }
.scenario { font-size: 11pt; font-weight: bold; margin: 0.5mm 0; overflow-wrap: break-word; }
figure { margin: 1.5mm 0 0 0; text-align: center; }
figure img { width: 100%; max-height: 98mm; object-fit: contain; }
table { border-collapse: collapse; width: 100%; table-layout: auto; }
th, td { text-align: left; vertical-align: top; padding: 0.8mm 1.4mm; border-bottom: 0.4pt solid #c8c8c8;
         overflow-wrap: break-word; }
th { background: #eeeeee; font-weight: bold; border-bottom: 0.7pt solid #777; }
td.num, th.num { text-align: right; white-space: nowrap; }
td.city { max-width: 34mm; }
tr.lead td { font-weight: bold; }
.msg { margin: 0.6mm 0 1mm 0; }
.notes { color: #444; font-size: 7.4pt; margin: 0.8mm 0; }
footer { margin-top: 2mm; font-size: 6.9pt; color: #333; }
footer ol { margin: 0.5mm 0 0 0; padding-left: 4.2mm; }
footer li { margin: 0 0 0.3mm 0; overflow-wrap: break-word; }
footer a { color: #1f4e8c; text-decoration: none; word-break: break-all; }
html.compact { font-size: 7.8pt; }
html.compact figure img { max-height: 84mm; }
html.compact footer { font-size: 6.3pt; }
"""

# How many sources the footer lists at each compaction level (the rest: "see the workbook").
_PDF_LEVELS = ((12, False), (10, False), (8, False), (8, True), (5, True), (0, True))
# The A4 area inside the @page margins below, in CSS px (96 per inch): 210 - 24 mm by 297 - 19 mm.
PAGE_W_PX = (210 - 24) / 25.4 * 96
PAGE_H_PX = (297 - 19) / 25.4 * 96
MIN_PRINT_SCALE = 0.85
FIT = 0.985  # keep 1.5% of the page free: layout and print differ by a line at most


def _e(text: object) -> str:
    return html.escape(str(text), quote=True)


def brief_html(data: BriefData, map_png: bytes | None, *, max_sources: int = 12, compact: bool = False) -> str:
    """The brief as a self-contained, print-ready HTML page (A4). All text is escaped; the map is a data: URI."""
    lang = data.lang
    table = ranking_table(data)
    num_cols = {0, 2, 3, 4, 5}
    head = "".join(f'<th class="num">{_e(h)}</th>' if i in num_cols else f"<th>{_e(h)}</th>" for i, h in enumerate(table[0]))
    cls = {i: ' class="num"' for i in num_cols} | {1: ' class="city"'}
    body = "".join(
        f'<tr class="{"lead" if j == 0 else ""}">' + "".join(f"<td{cls.get(i, '')}>{_e(c)}</td>" for i, c in enumerate(row))
        + "</tr>" for j, row in enumerate(table[1:]))
    gaps_html = f'<p class="msg">{_e(gaps_message(data))}</p>'
    if data.gaps:
        leader = data.leader.name
        gh = [t("export.col.category", lang), leader, data.home_name or "", t("export.col.gap", lang),
              t("export.col.through", lang)]
        gaps_html += "<table><tr>" + "".join(
            f'<th class="num">{_e(h)}</th>' if i in (1, 2, 3) else f"<th>{_e(h)}</th>" for i, h in enumerate(gh)) + "</tr>"
        for g in data.gaps:
            lv, cv, gap, through = gap_cells(g, lang)
            gaps_html += (f'<tr><td>{_e(g.label)}</td><td class="num">{_e(lv)}</td><td class="num">{_e(cv)}</td>'
                          f'<td class="num">{_e(gap)}</td><td>{_e(through)}</td></tr>')
        gaps_html += "</table>"
        if data.gaps_total > len(data.gaps):
            gaps_html += f'<p class="notes">{_e(t("export.gaps.more", lang, n=data.gaps_total - len(data.gaps)))}</p>'
    shown = data.sources[:max_sources]
    items = ""
    for s in shown:
        link = f' · <a href="{_e(s.url)}">{_e(s.url)}</a>' if s.url and re.match(r"^https?://", s.url) else ""
        items += f"<li>{_e(source_line(s, lang))}{link}</li>"
    more = len(data.sources) - len(shown)
    src_html = f"<ol>{items}</ol>" if items else ""
    if not data.sources:
        src_html += f"<p>{_e(t('export.sources.none', lang))}</p>"
    elif more:
        src_html += f"<p>{_e(t('export.sources.more', lang, n=more))}</p>"
    img = (f'<figure><img alt="{_e(t("map.title", lang))}" src="data:image/png;base64,'
           f'{base64.b64encode(map_png).decode()}"></figure>') if map_png else \
        f'<p class="msg">{_e(t("export.map_missing", lang))}</p>'
    meta = [t("export.date", lang, date=data.today.isoformat()), t("export.as_of", lang, date=data.as_of)]
    notes = "".join(f'<p class="notes">{_e(n)}</p>' for n in (*data.notes, weights_line(data), method_line(data)))
    return f"""<!doctype html>
<html lang="{'zh-CN' if lang == 'zh' else 'en'}" class="{'compact' if compact else ''}">
<head><meta charset="utf-8"><meta http-equiv="Content-Security-Policy" content="{_CSP}">
<title>{_e(t("export.title", lang))} · {_e(data.scenario)}</title><style>{_CSS}</style></head>
<body>
<header><h1>{_e(t("export.title", lang))}</h1>
<p class="scenario">{_e(t("export.scenario", lang, name=data.scenario))}</p>
<p class="meta">{_e(" · ".join(meta))}</p>
{f'<p class="meta">{_e(t("export.profile", lang, p=data.profile_line))}</p>' if data.profile_line else ""}
</header>
{img}
<h2>{_e(t("ranking", lang))}</h2>
<table><tr>{head}</tr>{body}</table>
{notes}
<h2>{_e(gaps_title(data))}</h2>
{gaps_html}
<footer><h2>{_e(t("export.sources.title", lang))}</h2>
<p class="meta">{_e(t("export.as_of", lang, date=data.as_of))} · {_e(t("map.note", lang))} · {_e(t("map.attribution", lang))}</p>
{src_html}</footer>
</body></html>"""


def pdf_page_count(pdf: bytes) -> int:
    """Pages in a PDF written by Skia (uncompressed page tree)."""
    return len(re.findall(rb"/Type\s*/Page(?![a-zA-Z])", pdf))


async def _print_fitted(k: Any, variants: Sequence[str]) -> bytes:
    """Load each variant of the page in a new tab of the renderer's browser until one fits on an A4 page at a
    scale of at least MIN_PRINT_SCALE (measured by laying it out at the print width); print it at the largest
    scale that fits, and shrink a little more if the PDF still has a second page."""
    tab = await k.create_tab("about:blank")
    try:
        async def cmd(method: str, params: dict[str, Any] | None = None) -> dict[str, Any]:
            res = await tab.send_command(method, params)
            if "error" in res:
                raise RuntimeError(f"{method}: {res['error']}")
            return res["result"]

        await cmd("Page.enable")
        await cmd("Emulation.setEmulatedMedia", {"media": "print"})

        async def height_at(scale: float) -> float:
            """Printed height (CSS px) at this scale: laid out at the print width / scale, then scaled."""
            await cmd("Emulation.setDeviceMetricsOverride", {"width": round(PAGE_W_PX / scale), "height": round(PAGE_H_PX),
                                                             "deviceScaleFactor": 1, "mobile": False})
            res = await cmd("Runtime.evaluate", {"expression": "document.body.getBoundingClientRect().height",
                                                 "returnByValue": True})
            return float(res["result"]["value"]) * scale

        scale = MIN_PRINT_SCALE
        with tempfile.TemporaryDirectory(prefix="atlas-brief-") as tmp:
            for i, page in enumerate(variants):
                src = Path(tmp) / f"brief{i}.html"
                src.write_text(page, encoding="utf-8")
                loaded = tab.subscribe_once("Page.loadEventFired")
                await cmd("Page.navigate", {"url": src.as_uri()})
                await asyncio.wait_for(loaded, PRINT_TIMEOUT_S)
                limit = FIT * PAGE_H_PX
                if await height_at(1.0) <= limit:
                    scale = 1.0
                    break
                if await height_at(MIN_PRINT_SCALE) > limit:
                    scale = MIN_PRINT_SCALE
                    continue  # too long even at the smallest scale: try the next, shorter variant
                lo, hi = MIN_PRINT_SCALE, 1.0  # the printed height grows with the scale: bisect for the largest fit
                for _ in range(6):
                    mid = (lo + hi) / 2
                    lo, hi = (mid, hi) if await height_at(mid) <= limit else (lo, mid)
                scale = lo
                break
            pdf = b""
            for _ in range(4):
                res = await cmd("Page.printToPDF", {"preferCSSPageSize": True, "printBackground": True,
                                                   "displayHeaderFooter": False, "scale": round(max(scale, 0.1), 3)})
                pdf = base64.b64decode(res["data"])
                if pdf_page_count(pdf) <= 1:
                    break
                scale *= 0.95
            return pdf
    finally:
        with contextlib.suppress(Exception):
            await k.close_tab(tab.target_id)


def brief_pdf(data: BriefData, map_png: bytes | None) -> bytes:
    """The one-page A4 brief as PDF (see the module docstring for why chromium prints it). The full brief is
    tried first; when it would print below MIN_PRINT_SCALE, fewer sources are listed (the workbook has all)."""
    variants = [brief_html(data, map_png, max_sources=n, compact=c) for n, c in _PDF_LEVELS]
    return _RENDERER.run(lambda k: _print_fitted(k, variants), "print the brief", PRINT_TIMEOUT_S * 2)


# --- the deck ------------------------------------------------------------------------------------------

_SOURCES_PER_SLIDE = 10
_SOURCE_SLIDES = 3


def _run_font(run: Any, lang: str, size: float, *, bold: bool = False, colour: str | None = None) -> None:
    """Size, weight and the CJK-capable typeface on the Latin, East Asian and complex-script slots, so
    PowerPoint and LibreOffice pick a font with Chinese glyphs."""
    from pptx.dml.color import RGBColor
    from pptx.oxml.ns import qn
    from pptx.util import Pt

    f = run.font
    f.size, f.bold, f.name = Pt(size), bold, FONT
    if colour:
        f.color.rgb = RGBColor.from_string(colour)
    rpr = run._r.get_or_add_rPr()
    rpr.set("lang", "zh-CN" if lang == "zh" else "en-US")
    rpr.set("altLang", "en-US" if lang == "zh" else "zh-CN")
    latin = rpr.find(qn("a:latin"))
    prev = latin
    for tag in ("a:ea", "a:cs"):
        el = rpr.find(qn(tag))
        if el is None:
            el = rpr.makeelement(qn(tag), {})
            prev.addnext(el)
        el.set("typeface", FONT)
        prev = el


def _text(frame: Any, lines: Sequence[str | tuple[str, dict[str, Any]]], lang: str, size: float = 14, **kw: Any) -> None:
    """Write lines into a text frame (one paragraph each); a (text, options) tuple overrides size/bold/colour."""
    frame.word_wrap = True
    first = True
    for line in lines:
        txt, opts = (line, {}) if isinstance(line, str) else line
        p = frame.paragraphs[0] if first else frame.add_paragraph()
        first = False
        run = p.add_run()
        run.text = _xml_safe(txt)
        _run_font(run, lang, opts.get("size", size), bold=opts.get("bold", kw.get("bold", False)),
                  colour=opts.get("colour", kw.get("colour")))
        if opts.get("url"):
            run.hyperlink.address = opts["url"]


_XML_BAD = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def _xml_safe(text: str) -> str:
    """Drop characters XML 1.0 cannot hold (an uploaded name could carry them); keep tab and newlines."""
    return _XML_BAD.sub("", text)


def _text_lines(text: str, width_in: float, size: float) -> int:
    """Lines a text needs in a column: CJK characters are one em wide, others about 0.55 em (an estimate that
    errs long, so rows are sized from it rather than overlapping the next one)."""
    units = sum(1.0 if unicodedata.east_asian_width(ch) in ("W", "F") else 0.55 for ch in text)
    per_line = max(1.0, (width_in - 0.2) * 72 / size)
    return max(1, math.ceil(units / per_line))


def _table(slide: Any, rows: Sequence[Sequence[str]], lang: str, left: float, top: float, width: float,
           widths: Sequence[float], size: float) -> float:
    """A native table (bold header row) with rows as tall as their text; returns its height in inches."""
    from pptx.util import Emu, Inches

    total = sum(widths)
    col_in = [width * w / total for w in widths]
    heights = [max(_text_lines(str(v), col_in[c], size) for c, v in enumerate(row)) * size * 1.25 / 72 + 0.1
               for row in rows]
    shape = slide.shapes.add_table(len(rows), len(rows[0]), Inches(left), Inches(top), Inches(width),
                                   Inches(sum(heights)))
    table = shape.table
    for i, w in enumerate(col_in):
        table.columns[i].width = Emu(int(Inches(w)))
    for r, row in enumerate(rows):
        table.rows[r].height = Emu(int(Inches(heights[r])))
        for c, val in enumerate(row):
            cell = table.cell(r, c)
            cell.text_frame.paragraphs[0].text = ""
            cell.text_frame.word_wrap = True
            run = cell.text_frame.paragraphs[0].add_run()
            run.text = _xml_safe(str(val))
            _run_font(run, lang, size, bold=r == 0)
            cell.margin_top = cell.margin_bottom = Inches(0.03)
            cell.margin_left = cell.margin_right = Inches(0.07)
    return sum(heights)


def _slide(prs: Any, title: str, data: BriefData) -> Any:
    from pptx.util import Inches

    slide = prs.slides.add_slide(prs.slide_layouts[6])  # blank: every box placed here, fonts set per run
    box = slide.shapes.add_textbox(Inches(0.5), Inches(0.25), Inches(12.3), Inches(0.85))
    size = next((z for z in (26, 22, 18) if _text_lines(title, 12.3, z) == 1), 16)  # a long (uploaded) name shrinks it
    _text(box.text_frame, [_short(title, 150)], data.lang, size, bold=True)
    foot = slide.shapes.add_textbox(Inches(0.5), Inches(7.0), Inches(12.3), Inches(0.35))
    _text(foot.text_frame, [" · ".join([t("export.title", data.lang), data.scenario, data.today.isoformat(),
                                        t("export.as_of", data.lang, date=data.as_of)])], data.lang, 10, colour="666666")
    return slide


def deck_pptx(data: BriefData, map_png: bytes | None) -> bytes:
    """Slides: title, map, ranking (a native, editable table), key gaps, sources (16:9)."""
    from pptx import Presentation
    from pptx.util import Inches

    lang = data.lang
    prs = Presentation()
    prs.slide_width, prs.slide_height = Inches(13.333), Inches(7.5)
    prs.core_properties.title = _xml_safe(f"{t('export.title', lang)} · {data.scenario}")[:250]
    prs.core_properties.author = "Talent Incentive Atlas"

    # 1. title
    slide = prs.slides.add_slide(prs.slide_layouts[6])
    box = slide.shapes.add_textbox(Inches(0.8), Inches(2.0), Inches(11.7), Inches(3.6))
    lines: list[str | tuple[str, dict[str, Any]]] = [
        (t("export.title", lang), {"size": 40, "bold": True}),
        (t("export.scenario", lang, name=data.scenario), {"size": 26}),
        (" · ".join([t("export.date", lang, date=data.today.isoformat()), t("export.as_of", lang, date=data.as_of)]),
         {"size": 16, "colour": "444444"})]
    if data.profile_line:
        lines.append((t("export.profile", lang, p=data.profile_line), {"size": 16, "colour": "444444"}))
    lines.append((t("export.leader_line", lang, leader=data.leader.name, v=money(data.leader.expected, lang)), {"size": 18}))
    _text(box.text_frame, lines, lang)

    # 2. map
    slide = _slide(prs, t("export.map_slide", lang), data)
    if map_png:
        from PIL import Image

        w, h = Image.open(io.BytesIO(map_png)).size
        max_w, max_h = 12.3, 5.7
        scale = min(max_w / w, max_h / h)
        slide.shapes.add_picture(io.BytesIO(map_png), Inches(0.5 + (max_w - w * scale) / 2), Inches(1.2),
                                 Inches(w * scale), Inches(h * scale))
    else:
        box = slide.shapes.add_textbox(Inches(0.5), Inches(1.4), Inches(12.3), Inches(1))
        _text(box.text_frame, [t("export.map_missing", lang)], lang, 16)

    # 3. ranking, as a native table
    slide = _slide(prs, t("ranking", lang), data)
    height = _table(slide, ranking_table(data), lang, 0.5, 1.2, 12.3, (0.6, 1.35, 0.7, 1.7, 1.8, 1.0, 3.15, 2.0), 12)
    notes = [weights_line(data), method_line(data), *data.notes]
    box = slide.shapes.add_textbox(Inches(0.5), Inches(1.35 + height), Inches(12.3), Inches(1.2))
    _text(box.text_frame, notes, lang, 11, colour="444444")

    # 4. gaps
    slide = _slide(prs, gaps_title(data), data)
    box = slide.shapes.add_textbox(Inches(0.5), Inches(1.2), Inches(12.3), Inches(0.6))
    _text(box.text_frame, [gaps_message(data)], lang, 16)
    if data.gaps:
        grows = [[t("export.col.category", lang), data.leader.name, data.home_name or "", t("export.col.gap", lang),
                  t("export.col.through", lang)]]
        grows += [[g.label, *gap_cells(g, lang)] for g in data.gaps]
        height = _table(slide, grows, lang, 0.5, 1.9, 12.3, (2.0, 1.6, 1.6, 2.2, 4.9), 13)
        if data.gaps_total > len(data.gaps):
            box = slide.shapes.add_textbox(Inches(0.5), Inches(2.0 + height), Inches(12.3), Inches(0.5))
            _text(box.text_frame, [t("export.gaps.more", lang, n=data.gaps_total - len(data.gaps))], lang, 12, colour="444444")

    # 5. sources (a few slides at most; the workbook has all)
    chunks = [data.sources[i:i + _SOURCES_PER_SLIDE] for i in range(0, len(data.sources), _SOURCES_PER_SLIDE)]
    chunks = chunks[:_SOURCE_SLIDES] or [()]
    listed = sum(len(c) for c in chunks)
    for i, chunk in enumerate(chunks):
        title = t("export.sources.title", lang) + (f" ({i + 1}/{len(chunks)})" if len(chunks) > 1 else "")
        slide = _slide(prs, title, data)
        box = slide.shapes.add_textbox(Inches(0.5), Inches(1.15), Inches(12.3), Inches(5.7))
        slines: list[str | tuple[str, dict[str, Any]]] = []
        for s in chunk:
            slines.append((source_line(s, lang), {"size": 11}))
            if s.url and re.match(r"^https?://", s.url):
                slines.append((s.url, {"size": 9, "colour": "1F4E8C", "url": s.url}))
        if not data.sources:
            slines.append(t("export.sources.none", lang))
        elif i == len(chunks) - 1 and listed < len(data.sources):
            slines.append((t("export.sources.more", lang, n=len(data.sources) - listed), {"size": 11, "bold": True}))
        _text(box.text_frame, slines, lang, 11)

    buf = io.BytesIO()
    prs.save(buf)
    return buf.getvalue()


# --- the workbook --------------------------------------------------------------------------------------


def _header(col: str, lang: str) -> str:
    key = f"export.col.{col}"
    text = t(key, lang)
    return col if text == key else text


def evaluation_rows(ranking: Ranking, inputs: Inputs, lang: str) -> pd.DataFrame:
    """Every incentive of every ranked city as evaluated for this profile: status, counted or not and why,
    value, the conditions that failed or are unknown, verification and source ids (the Evaluations sheet)."""
    names = city_names(inputs, lang)
    rows = []
    for r in ranking.rows:
        for e in r.result.evaluations:
            inc = e.incentive
            open_ = [c.reason_zh if lang == "zh" else c.reason_en for c in e.conditions if c.status in ("fail", "unknown")]
            rows.append({
                "city_id": r.city, "city": names.get(r.city, r.city), "city_rank": r.rank, "id": inc.id,
                "name": name(inc, lang), "category": t(f"cat.{inc.category}", lang),
                "scope": t("scope.city", lang) if inc.scope.level == "city" else
                f"{t('scope.' + inc.scope.level, lang)}: {name(inc.scope, lang)}",
                "status": t(f"status.{e.status}", lang), "counted": e.counted,
                "not_counted_because": e.excluded_by or e.outside_zone or "",
                "value_expected": round(e.value.expected) if e.value.known else None,
                "value_low": round(e.value.low) if e.value.known else None,
                "value_high": round(e.value.high) if e.value.known else None,
                "status_points": e.value.status_points, "amount": amount_text(inc, lang),
                "open_conditions": "; ".join(open_), "policy_status": t(f"policy.{inc.status}", lang),
                "verification": t(f"verify.{inc.verification}", lang), "sources": ", ".join(inc.sources),
            })
    return pd.DataFrame(rows)


def _frame(rows: pd.DataFrame | Sequence[Mapping[str, Any]]) -> pd.DataFrame:
    return rows if isinstance(rows, pd.DataFrame) else pd.DataFrame(list(rows))


def _cell_value(v: Any) -> Any:
    """Spreadsheet-safe value: NaN/None empty, dates and numbers as such, text without XML-illegal
    characters and neutralised."""
    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

    if v is None or (isinstance(v, float) and math.isnan(v)) or v is pd.NA:
        return None
    if isinstance(v, (bool, int, float, date)):
        return v
    if hasattr(v, "item"):  # numpy scalars
        return v.item()
    return neutralise(ILLEGAL_CHARACTERS_RE.sub("", str(v)))


def _sheet(wb: Any, title: str, header: Sequence[str], rows: Iterable[Sequence[Any]], *,
           widths: Mapping[int, float] | None = None, money_cols: Iterable[int] = (), url_col: int | None = None) -> Any:
    from openpyxl.styles import Alignment, Font, PatternFill
    from openpyxl.utils import get_column_letter

    ws = wb.create_sheet(title)
    ws.append([_cell_value(h) for h in header])
    for c in ws[1]:
        c.font = Font(bold=True, name=FONT)
        c.fill = PatternFill("solid", fgColor="EEEEEE")
        c.data_type = "s"
    money_set = set(money_cols)
    for row in rows:
        vals = [_cell_value(v) for v in row]
        ws.append(vals)
        r = ws.max_row
        for i, v in enumerate(vals, start=1):
            cell = ws.cell(r, i)
            if isinstance(v, str):
                cell.data_type = "s"  # never a formula, whatever the text
            if i in money_set and isinstance(v, (int, float)):
                cell.number_format = "#,##0"
            if url_col == i and isinstance(v, str) and re.match(r"^https?://\S+$", v):
                cell.hyperlink = v
                cell.font = Font(color="1F4E8C", underline="single")
    ws.freeze_panes = "A2"
    if ws.max_row > 1:
        ws.auto_filter.ref = ws.dimensions
    wrap = Alignment(vertical="top", wrap_text=True)  # only long-text columns wrap (styling cells is openpyxl's slow part)
    for i, h in enumerate(header, start=1):
        width = (widths or {}).get(i) or min(60, max(10, len(str(h)) * (2 if re.search(r"[^\x00-\x7f]", str(h)) else 1) + 2))
        ws.column_dimensions[get_column_letter(i)].width = width
        if width >= 30:
            for cell in ws[get_column_letter(i)][1:]:
                cell.alignment = wrap
    return ws


def workbook_xlsx(data: BriefData, evaluations: pd.DataFrame | Sequence[Mapping[str, Any]],
                  catalog_rows: pd.DataFrame | Sequence[Mapping[str, Any]]) -> bytes:
    """Sheets Ranking, Evaluations (:func:`evaluation_rows`), Incentives (``catalog_table.catalog_frame``),
    Sources, and About (scenario, dates, weights, method). No cell holds a formula."""
    from openpyxl import Workbook

    lang = data.lang
    wb = Workbook()
    wb.remove(wb.active)
    rank_head = ["rank", "city_id", "city", "score", "value_expected", "value_low", "value_high", "rank_min",
                 "rank_max", "share_first", "value_in_wage_years", "possible_count", "top_incentives", "user_supplied",
                 "value_share_on_official_sources", "weakest_source_kind"]
    sep = "、" if lang == "zh" else "; "
    _sheet(wb, "Ranking", [_header(h, lang) for h in rank_head],
           ([r.rank, r.city, r.name, round(r.score, 2), round(r.expected), round(r.low), round(r.high), r.rank_min,
             r.rank_max, round(r.share_first, 3), None if r.wage_years is None else round(r.wage_years, 3),
             r.possible_count, sep.join(r.top_incentives), r.user_supplied,
             None if r.value_on_official is None else round(r.value_on_official, 3), r.weakest_kind] for r in data.rows),
           widths={3: 16, 13: 60}, money_cols=(5, 6, 7))
    ev = _frame(evaluations)
    _sheet(wb, "Evaluations", [_header(str(c), lang) for c in ev.columns], ev.itertuples(index=False, name=None),
           widths={5: 40, 17: 60}, money_cols=[i + 1 for i, c in enumerate(ev.columns) if str(c).startswith("value_")])
    cat = _frame(catalog_rows)
    url_col = next((i + 1 for i, c in enumerate(cat.columns) if c == "source_url"), None)
    _sheet(wb, "Incentives", [_header(str(c), lang) for c in cat.columns], cat.itertuples(index=False, name=None),
           url_col=url_col)
    src_head = ["city_id", "city", "source_id", "issuer", "title", "document_number", "published", "retrieved", "url",
                "cited_by_counted", "source_kind", "faithful_repost"]
    _sheet(wb, "Sources", [_header(h, lang) for h in src_head],
           ([s.city, s.city_name, s.id, s.issuer, s.title, s.document_number, s.published, s.retrieved, s.url,
             sep.join(s.cited_by), s.kind, s.faithful] for s in data.all_sources),
           widths={4: 30, 5: 60, 9: 50, 10: 50}, url_col=9)
    about = [(t("export.title", lang), ""), (t("export.col.scenario", lang), data.scenario),
             (t("export.col.date", lang), data.today), (t("export.col.as_of", lang), data.as_of),
             (t("export.col.profile", lang), data.profile_line), (t("export.col.weights", lang), weights_line(data)),
             (t("export.col.method", lang), method_line(data)), *((t("export.col.note", lang), n) for n in data.notes)]
    _sheet(wb, "About", [t("export.col.item", lang), t("export.col.value", lang)], about, widths={1: 24, 2: 100})
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def ranking_frame(data: BriefData) -> pd.DataFrame:
    """The ranking as a table for CSV (numbers as numbers)."""
    return pd.DataFrame([{"rank": r.rank, "city_id": r.city, "city": r.name, "score": round(r.score, 2),
                          "value_expected": round(r.expected), "value_low": round(r.low), "value_high": round(r.high),
                          "rank_min": r.rank_min, "rank_max": r.rank_max, "share_first": round(r.share_first, 3),
                          "top_incentives": "; ".join(r.top_incentives),
                          "value_share_on_official_sources": None if r.value_on_official is None
                          else round(r.value_on_official, 3), "weakest_source_kind": r.weakest_kind,
                          "scenario": data.scenario,
                          "date": data.today.isoformat(), "data_as_of": data.as_of} for r in data.rows])


__all__ = ["BriefData", "BriefGap", "BriefRow", "BriefSource", "ExportUnavailable", "brief_data", "brief_html",
           "brief_pdf", "chart_figures", "close_renderer", "csv_bytes", "deck_pptx", "evaluation_rows",
           "export_filename", "figure_png", "neutralise", "ranking_frame", "workbook_xlsx"]
