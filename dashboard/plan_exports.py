"""Exports of a personal plan: an iCalendar file of its dates (every dated entry still ahead, deadlines with a
reminder a week before) and a PDF checklist, in English or Chinese. Files from engine results only.

Why these libraries: ``icalendar`` writes RFC 5545 that calendar apps import (and the tests parse it back);
``reportlab`` lays out a multi-page PDF without a browser. ReportLab cannot embed the CFF-outline Noto CJK
fonts, so Chinese runs use the standard CID font STSong-Light (Adobe's GB1 collection: every PDF viewer and
poppler render it with their own CJK font); Latin text uses DejaVu Sans (embedded) when installed, else
Helvetica. Text is split into CJK and non-CJK runs so that mixed lines (a portal name in Chinese inside an
English sentence) render in both scripts.
"""

from __future__ import annotations

import hashlib
import io
import re
from collections.abc import Iterable
from datetime import UTC, datetime, time, timedelta
from pathlib import Path
from typing import Any
from xml.sax.saxutils import escape

from icalendar import Alarm, Calendar, Event
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.cidfonts import UnicodeCIDFont
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.platypus import Flowable, KeepTogether, Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

from dashboard.catalog import procedures as P
from dashboard.engine.deadlines import Dated, Plan, PlanItem
from dashboard.engine.profile import Profile
from dashboard.i18n import money, t

PRODID = "-//Talent Incentive Atlas//personal plan//EN"
REMIND_DAYS = 7

# --- iCalendar -----------------------------------------------------------------------------------------


def _label(obj: Any, lang: str, attr: str) -> str:
    return str(getattr(obj, f"{attr}_zh" if lang == "zh" else f"{attr}_en"))


def _source_lines(refs: Iterable[str], res: Any, lang: str) -> list[str]:
    out = []
    for ref in dict.fromkeys(refs):
        s = P.resolve(ref, res) if res is not None else None
        if s is None:
            continue
        when = s.published.isoformat() if s.published else t("plan.retrieved_short", lang, date=s.retrieved.isoformat())
        out.append(f"{s.issuer}: {s.title} ({when})" + (f" {s.url}" if s.url else ""))
    return out


def event_summary(item: PlanItem, d: Dated, lang: str) -> str:
    return f"{_label(item, lang, 'name')}: {_label(d, lang, 'label')}"


def plan_ics(plan: Plan, lang: str, *, city_name: str, res: Any = None) -> bytes:
    """One all-day event per dated entry from today on; deadlines (last days, steps due, window ends) carry a
    display alarm one week before. UIDs are stable for the same item, kind and date, so re-importing an
    updated plan replaces events instead of duplicating them."""
    cal = Calendar()
    cal.add("prodid", PRODID)
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("x-wr-calname", t("plan.ics_name", lang, city=city_name))
    stamp = datetime.combine(plan.today, time(0, 0), tzinfo=UTC)
    for when, item, d in plan.dated(upcoming_only=True):
        ev = Event()
        digest = hashlib.sha256(f"{item.key}|{d.kind}|{d.label_en}|{when}".encode()).hexdigest()[:16]
        ev.add("uid", f"{digest}@talent-incentive-atlas")
        ev.add("dtstamp", stamp)
        ev.add("dtstart", when)
        ev.add("dtend", when + timedelta(days=1))
        ev.add("summary", event_summary(item, d, lang))
        lines = [_label(d, lang, "basis"), t("plan.ics_status", lang, status=t(f"status.{item.status}", lang),
                                              verification=t(f"verify.{d.verification}", lang))]
        if d.amount is not None:
            lines.append(t("plan.amount_line", lang, amount=money(d.amount, lang)))
        lines += _source_lines(d.sources, res, lang)
        ev.add("description", "\n".join(x for x in lines if x))
        ev.add("categories", [d.kind])
        ev.add("transp", "TRANSPARENT")
        if d.deadline:
            al = Alarm()
            al.add("action", "DISPLAY")
            al.add("description", event_summary(item, d, lang))
            al.add("trigger", timedelta(days=-REMIND_DAYS))
            ev.add_component(al)
        cal.add_component(ev)
    return cal.to_ical()


# --- PDF -----------------------------------------------------------------------------------------------

CJK = re.compile(r"([\u2e80-\u2fff\u3000-\u303f\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\uff00-\uffef]+)")
DEJAVU = Path("/usr/share/fonts/truetype/dejavu")
_FONTS: dict[str, str] = {}


def fonts() -> dict[str, str]:
    """Register the fonts once: {"latin", "latin_bold", "cjk"} -> registered names."""
    if _FONTS:
        return _FONTS
    pdfmetrics.registerFont(UnicodeCIDFont("STSong-Light"))
    latin, bold = "Helvetica", "Helvetica-Bold"
    try:
        pdfmetrics.registerFont(TTFont("AtlasSans", str(DEJAVU / "DejaVuSans.ttf")))
        pdfmetrics.registerFont(TTFont("AtlasSans-Bold", str(DEJAVU / "DejaVuSans-Bold.ttf")))
        latin, bold = "AtlasSans", "AtlasSans-Bold"
    except Exception:  # noqa: S110 - no DejaVu: the built-in Helvetica covers Latin-1
        pass
    _FONTS.update({"latin": latin, "latin_bold": bold, "cjk": "STSong-Light"})
    return _FONTS


def markup(text: str) -> str:
    """Escape for ReportLab's paragraph markup and wrap CJK runs in the CJK font."""
    cjk = fonts()["cjk"]
    parts = CJK.split(text or "")
    return "".join(f'<font name="{cjk}">{escape(p)}</font>' if i % 2 else escape(p) for i, p in enumerate(parts))


def _styles(lang: str) -> dict[str, Any]:
    f = fonts()
    wrap = "CJK" if lang == "zh" else None
    base = ParagraphStyle("base", fontName=f["latin"], fontSize=9, leading=12, wordWrap=wrap)
    return {
        "base": base,
        "small": ParagraphStyle("small", parent=base, fontSize=7.5, leading=9.5),
        "title": ParagraphStyle("title", parent=base, fontName=f["latin_bold"], fontSize=17, leading=22, spaceAfter=6),
        "h2": ParagraphStyle("h2", parent=base, fontName=f["latin_bold"], fontSize=12.5, leading=16, spaceBefore=10,
                             spaceAfter=4),
        "h3": ParagraphStyle("h3", parent=base, fontName=f["latin_bold"], fontSize=10.5, leading=14, spaceBefore=8,
                             spaceAfter=2),
        "warn": ParagraphStyle("warn", parent=base, textColor="#9a3412"),
    }


class Box(Flowable):
    """A checkbox drawn as a square (no font glyph needed)."""

    def __init__(self, size: float = 8.0) -> None:
        super().__init__()
        self.size = size
        self.width = self.height = size

    def draw(self) -> None:
        self.canv.setLineWidth(0.7)
        self.canv.rect(0, 0, self.size, self.size)


def _para(text: str, style: Any) -> Paragraph:
    return Paragraph(markup(text), style)


def _check_rows(rows: list[list[Any]], widths: list[float], header: bool = True) -> Table:
    tbl = Table(rows, colWidths=widths, repeatRows=1 if header else 0)
    style = [("VALIGN", (0, 0), (-1, -1), "TOP"), ("LINEBELOW", (0, 0), (-1, -1), 0.25, colors.HexColor("#cccccc")),
             ("LEFTPADDING", (0, 0), (-1, -1), 3), ("RIGHTPADDING", (0, 0), (-1, -1), 3)]
    if header:
        style += [("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#eeeeee"))]
    tbl.setStyle(TableStyle(style))
    return tbl


def _date_text(d: Dated, lang: str) -> str:
    return d.date.isoformat() if d.date else t("plan.date_unknown", lang)


def plan_pdf(plan: Plan, lang: str, *, city_name: str, profile: Profile, res: Any = None) -> bytes:
    """A checklist: the dates in order (tick boxes), what is still unknown and why, then item by item the
    steps, documents, times, fees and pitfalls, the missed items with their reasons, and every source."""
    st = _styles(lang)
    buf = io.BytesIO()
    doc = SimpleDocTemplate(buf, pagesize=A4, leftMargin=16 * mm, rightMargin=16 * mm, topMargin=16 * mm,
                            bottomMargin=16 * mm, title=t("plan.pdf_title", lang, city=city_name),
                            author="Talent Incentive Atlas", lang=lang)
    width = A4[0] - 32 * mm
    story: list[Any] = [_para(t("plan.pdf_title", lang, city=city_name), st["title"])]
    given = [(t(f"plan.f.{f}", lang), getattr(profile, f)) for f in ("graduation_date", "arrival_date", "work_start_date")]
    story.append(_para(t("plan.pdf_made", lang, date=plan.today.isoformat()) + " · " + " · ".join(
        f"{k}: {v.isoformat() if v else t('plan.not_given', lang)}" for k, v in given), st["small"]))
    for n in (plan.notes_zh if lang == "zh" else plan.notes_en):
        story.append(_para(n, st["small"]))
    story.append(_para(t("plan.pdf_check", lang), st["small"]))

    # 1. dates in order
    story.append(_para(t("plan.in_order", lang), st["h2"]))
    rows: list[list[Any]] = [["", _para(t("plan.col.date", lang), st["small"]), _para(t("plan.col.item", lang), st["small"]),
                              _para(t("plan.col.what", lang), st["small"])]]
    for when, item, d in plan.dated(upcoming_only=True):
        what = _label(d, lang, "label") + " — " + _label(d, lang, "basis")
        if d.amount is not None:
            what += " · " + t("plan.amount_line", lang, amount=money(d.amount, lang))
        rows.append([Box(), _para(when.isoformat(), st["base"]), _para(_label(item, lang, "name"), st["base"]),
                     _para(what, st["small"])])
    if len(rows) == 1:
        story.append(_para(t("plan.no_dates", lang), st["base"]))
    else:
        story.append(_check_rows(rows, [6 * mm, 22 * mm, 52 * mm, width - 80 * mm]))

    # 2. unknown dates
    unknown = [(it, u) for it in plan.items for u in (it.unknown_zh if lang == "zh" else it.unknown_en)]
    if unknown or plan.needs:
        story.append(_para(t("plan.unknown_dates", lang), st["h2"]))
        if plan.needs:
            story.append(_para(t("plan.needs", lang, fields=", ".join(t(f"plan.f.{f}", lang) for f in plan.needs)),
                               st["base"]))
        for it, u in unknown:
            story.append(_para(f"• {_label(it, lang, 'name')}: {u}", st["base"]))

    # 3. item by item
    story.append(_para(t("plan.by_item", lang), st["h2"]))
    refs: list[str] = []
    names = {it.key: _label(it, lang, "name") for it in plan.items}
    for n, it in enumerate(plan.items, start=1):
        story.extend(_item_story(n, it, lang, st, width, refs, names, city=plan.city))

    # 4. missed
    if plan.missed:
        story.append(_para(t("plan.missed", lang), st["h2"]))
        for it in plan.missed:
            reasons = it.missed_zh if lang == "zh" else it.missed_en
            block = [_para(_label(it, lang, "name"), st["h3"])] + [_para(f"• {r}", st["warn"]) for r in reasons]
            story.append(KeepTogether(block))
            refs.extend(it.sources)

    # 5. sources
    story.append(_para(t("plan.sources", lang), st["h2"]))
    lines = _source_lines([r for it in plan.items for d in it.dates for r in d.sources] + refs, res, lang)
    for k, line in enumerate(lines, start=1):
        story.append(_para(f"[{k}] {line}", st["small"]))
    if not lines:
        story.append(_para("—", st["small"]))
    story.append(Spacer(1, 4 * mm))

    def footer(canvas: Any, doc_: Any) -> None:
        canvas.saveState()
        canvas.setFont(fonts()["latin"], 7)
        canvas.drawString(16 * mm, 9 * mm, f"Talent Incentive Atlas · {plan.today.isoformat()} · {doc_.page}")
        canvas.restoreState()

    doc.build(story, onFirstPage=footer, onLaterPages=footer)
    return buf.getvalue()


def _item_story(n: int, it: PlanItem, lang: str, st: dict[str, Any], width: float, refs: list[str],
                names: dict[str, str], city: str | None = None) -> list[Any]:
    out: list[Any] = [_para(f"{n}. {_label(it, lang, 'name')} · {t('status.' + it.status, lang)}", st["h3"])]
    proc = it.procedure
    refs.extend(it.sources)
    if proc is not None:
        out.append(_para(t("proc.who", lang) + ": " + _label(proc, lang, "files_by"), st["base"]))
        out.append(_para(t("proc.when", lang) + ": " + _label(proc, lang, "timing"), st["base"]))
        for pl in proc.places:
            addr = _label(pl, lang, "address") if getattr(pl, f"address_{lang}", None) else ""
            if pl.address_city and city and pl.address_city != city:  # another city's example office
                addr = t("proc.address_local", lang)
            out.append(_para(f"{t('proc.where', lang)}: {_label(pl, lang, 'name')}" + (f" ({addr})" if addr else ""),
                             st["base"]))
    waits = [names[w] for w in it.waits_for if w in names]  # only what is in this plan
    if waits:
        out.append(_para(t("plan.waits_for", lang, items=", ".join(waits)), st["small"]))
    for c in it.conflicts:
        opts = "; ".join(f"{_date_text(o, lang)} ({_label(o, lang, 'basis')})" for o in c.options)
        out.append(_para(t("plan.conflict", lang, what=t(f"plan.kind.{c.what}", lang), options=opts), st["warn"]))
    for note in (it.notes_zh if lang == "zh" else it.notes_en):
        out.append(_para(f"• {note}", st["small"]))
    if proc is not None and proc.steps:
        rows = [[Box(), _para(f"{t('proc.who.' + s.who, lang)}: {_label(s, lang, 'text')}", st["base"])]
                for s in proc.steps]
        out.append(_para(t("proc.steps", lang), st["small"]))
        out.append(_check_rows(rows, [6 * mm, width - 6 * mm], header=False))
    if proc is not None and proc.documents:
        rows = []
        for doc in proc.documents:
            txt = _label(doc, lang, "name")
            if doc.valid_months:
                txt += " · " + t("proc.valid_months", lang, n=doc.valid_months)
            rows.append([Box(), _para(txt, st["base"])])
        out.append(_para(t("proc.documents", lang), st["small"]))
        out.append(_check_rows(rows, [6 * mm, width - 6 * mm], header=False))
    if proc is not None:
        for d in proc.processing:
            out.append(_para(f"{t('proc.processing', lang)}: {_label(d, lang, 'text')} "
                             f"({t('verify.' + d.verification, lang)})", st["small"]))
        for f in proc.fees:
            amt = money(f.amount_cny, lang) if f.amount_cny is not None else t("proc.fee_unknown", lang)
            note = f" — {_label(f, lang, 'note')}" if getattr(f, f"note_{lang}", None) else ""
            out.append(_para(f"{t('proc.fee', lang)}: {_label(f, lang, 'what')}: {amt}{note}", st["small"]))
        for p in proc.pitfalls:
            out.append(_para(f"! {_label(p, lang, 'text')}", st["small"]))
        unknowns = proc.unknown_zh if lang == "zh" else proc.unknown_en
        if unknowns:
            out.append(_para(t("proc.not_found", lang) + ": " + "; ".join(unknowns), st["small"]))
    return out
