"""Personal deadlines: from the profile's dates and the procedure data to concrete dates for each item the
profile can get in one city - when it opens, when it closes, when each instalment can be claimed, which
steps are due when - and which windows have already closed, with the reason.

Pure: no Streamlit, no I/O. Everything comes from the catalog (procedures, incentives, national rules) and
the profile; nothing is assumed that the data does not say. Unknown dates stay unknown with the reason
("needs your graduation date", "counted from identification as a youth talent, which the profile cannot
know"); readings that disagree are kept side by side as a conflict, and the earliest is used as the safe
date while the item is only called *missed* when every reading has passed.

Date arithmetic (``shift``): years and months first, clamped to the end of the month (31 January + 1 month
= 28 or 29 February; 29 February 2024 + 2 years = 28 February 2026), then days. A closing edge that is
inclusive ("within 2 years", "no more than 2 years") ends on the anniversary itself; an exclusive one ("less
than 2 years") on the day before. An opening edge that is inclusive ("after 3 months", 满3个月) opens on the
day; an exclusive one ("more than 3 months" in the strict sense) the day after. Social-insurance months are
counted from the work start date (the bureau counts paid calendar months, so the real date can differ by up
to a month; the plan says so).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import date, timedelta
from typing import Any

from dateutil.relativedelta import relativedelta

from dashboard.catalog import procedures as P
from dashboard.catalog import schema as S
from dashboard.engine.evaluate import CityResult, Evaluation, Inputs, evaluate_city
from dashboard.engine.profile import Profile, Settings

ONE_DAY = timedelta(days=1)

EVENT_EN = {"graduation": "graduation", "arrival": "arrival", "work_start": "work start",
            "identification": "identification as a youth talent", "fixed": "fixed date"}
EVENT_ZH = {"graduation": "毕业", "arrival": "到达", "work_start": "入职",
            "identification": "认定为青年人才", "fixed": "固定日期"}
NEEDS = {"graduation": "graduation_date", "arrival": "arrival_date", "work_start": "work_start_date"}

# --- date arithmetic -----------------------------------------------------------------------------------


def shift(anchor: date, *, years: int = 0, months: int = 0, days: int = 0) -> date:
    """anchor + years/months (clamped to the month's end) + days."""
    return anchor + relativedelta(years=years, months=months, days=days)


def _edge_shift(anchor: date, e: P.Edge) -> date:
    return shift(anchor, years=e.years, months=e.months, days=e.days)


def closing_day(anchor: date, e: P.Edge) -> date:
    """Last day still in time: the anniversary itself when inclusive, the day before when not."""
    d = _edge_shift(anchor, e)
    return d if e.inclusive else d - ONE_DAY


def opening_day(anchor: date, e: P.Edge) -> date:
    """First day it is open: the day itself when inclusive ("after"), the day after when strict."""
    d = _edge_shift(anchor, e)
    return d if e.inclusive else d + ONE_DAY


def within(event: date, anchor: date, e: P.Edge) -> bool:
    """Does ``event`` fall on or before the closing day of ``anchor`` + edge?"""
    return event <= closing_day(anchor, e)


def days_in_year_from(start: date, year: int) -> int:
    """Days from ``start`` (or 1 January) to 31 December of ``year``, both counted; 0 if it starts later."""
    first = max(start, date(year, 1, 1))
    last = date(year, 12, 31)
    return max(0, (last - first).days + 1)


def _offset_en(e: P.Edge) -> str:
    parts = [f"{n} {u}{'s' if n != 1 else ''}" for n, u in ((e.years, "year"), (e.months, "month"), (e.days, "day")) if n]
    return " + ".join(parts) if parts else "0 days"


def _offset_zh(e: P.Edge) -> str:
    parts = [f"{n}{u}" for n, u in ((e.years, "年"), (e.months, "个月"), (e.days, "天")) if n]
    return "".join(parts) if parts else "当天"


def _basis(anchor: date, e: P.Edge, closing: bool) -> tuple[str, str]:
    if e.event == "fixed":
        en = f"fixed date {anchor}"
        zh = f"固定日期{anchor}"
    else:
        en = f"{EVENT_EN[e.event]} {anchor} + {_offset_en(e)}"
        zh = f"{EVENT_ZH[e.event]}（{anchor}）起{_offset_zh(e)}"
    if closing:
        en += ", that day included" if e.inclusive else ", the day before"
        zh += "，含当日" if e.inclusive else "的前一日"
    else:
        en += "" if e.inclusive else ", from the day after"
        zh += "" if e.inclusive else "的次日起"
    if e.wording_en:
        en += f" ('{e.wording_en}')"
    if e.wording_zh:
        zh += f"（\u201c{e.wording_zh}\u201d）"
    return en, zh


# --- results -------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Dated:
    """One date of a plan, with how it was reached and where the rule comes from. ``date`` None: the rule is
    known but the date is not (``basis`` says why). ``sources`` are "file:id" references, e.g.
    "procedures/shenzhen:A50" or "cities/shenzhen:S96"."""

    kind: str            # opens | closes | payment | step | window | milestone | scheme_end | latest_start
    date: date | None
    label_en: str
    label_zh: str
    basis_en: str = ""
    basis_zh: str = ""
    verification: str = "unverified"
    sources: tuple[str, ...] = ()
    passed: bool = False
    share: float | None = None
    amount: float | None = None
    deadline: bool = False  # a last day (closes, step due, latest start): goes to the calendar with a reminder


@dataclass(frozen=True)
class Conflict:
    """Readings of the same date that disagree; ``options`` keep each reading (date None: no deadline)."""

    what: str  # opens | closes
    options: tuple[Dated, ...]


@dataclass(frozen=True)
class PlanItem:
    key: str                          # the procedure id, or the incentive id when no procedure exists
    city: str | None                  # None for a national route
    name_en: str
    name_zh: str
    status: str                       # eligible | possible
    targets: tuple[str, ...]          # incentive / national rule ids it gets
    procedure: P.Procedure | None
    procedure_file: str | None        # "procedures/<stem>"
    opens: Dated | None
    closes: Dated | None
    payments: tuple[Dated, ...]
    dates: tuple[Dated, ...]          # every date of the item, dated ones in order, then undated
    missed: bool
    missed_en: tuple[str, ...]
    missed_zh: tuple[str, ...]
    conflicts: tuple[Conflict, ...]
    unknown_en: tuple[str, ...]       # why some dates are unknown for this profile
    unknown_zh: tuple[str, ...]
    waits_for: tuple[str, ...]        # keys of items that come first
    notes_en: tuple[str, ...] = ()
    notes_zh: tuple[str, ...] = ()
    sources: tuple[str, ...] = ()

    def next_date(self, today: date) -> date | None:
        """The first date on or after today that matters, or today when the item is open now."""
        upcoming = [d.date for d in self.dates if d.date is not None and d.date >= today]
        if upcoming:
            return min(upcoming)
        if self.opens is not None and self.opens.date is not None and self.opens.date < today:
            return today
        return None


@dataclass(frozen=True)
class Plan:
    city: str
    today: date
    items: tuple[PlanItem, ...]       # still possible, in the order to act on them
    missed: tuple[PlanItem, ...]      # windows already closed or conditions no longer met
    needs: tuple[str, ...]            # profile date fields that would turn unknown dates into dates
    omitted_possible: int = 0         # possible items with no procedure data, left out
    notes_en: tuple[str, ...] = ()
    notes_zh: tuple[str, ...] = ()

    def dated(self, *, upcoming_only: bool = True) -> list[tuple[date, PlanItem, Dated]]:
        """Every dated entry of the still-possible items, in date order (for the list and the calendar)."""
        out = [(d.date, it, d) for it in self.items for d in it.dates
               if d.date is not None and (not upcoming_only or d.date >= self.today)]
        return sorted(out, key=lambda x: (x[0], x[1].key, x[2].kind))


# --- helpers -------------------------------------------------------------------------------------------


@dataclass
class _Ctx:
    profile: Profile
    today: date
    horizon_end: date
    file: str
    found: P.Found | None
    needs: set[str] = field(default_factory=set)

    def anchor(self, event: str) -> date | None:
        return {"graduation": self.profile.graduation_date, "arrival": self.profile.arrival_date,
                "work_start": self.profile.work_start_date}.get(event)

    def src(self, ids: Iterable[str]) -> tuple[str, ...]:
        return tuple(f"{self.file}:{i}" for i in ids)


def _applies(obj: Any, origin: str | None, tier: str | None) -> bool:
    origins = getattr(obj, "origins", [])
    tiers = getattr(obj, "tiers", [])
    if origins and origin is not None and origin not in origins:
        return False
    return not (tiers and tier is not None and tier not in tiers)


def _unknown_anchor(ctx: _Ctx, e: P.Edge) -> tuple[str, str]:
    if e.event == "identification":
        return ("counted from the day you are identified as a youth talent, which the profile cannot know",
                "自认定为青年人才之日起算，档案无法得知该日期")
    ctx.needs.add(NEEDS[e.event])
    return (f"needs your {EVENT_EN[e.event]} date", f"需要您的{EVENT_ZH[e.event]}日期")


def _edge_dated(ctx: _Ctx, kind: str, e: P.Edge, closing: bool, label: tuple[str, str], verification: str,
                sources: Sequence[str], note: tuple[str | None, str | None] = (None, None)) -> Dated:
    anchor = e.date if e.event == "fixed" else ctx.anchor(e.event)
    if anchor is None:
        ben, bzh = _unknown_anchor(ctx, e)
        return Dated(kind, None, label[0], label[1], ben, bzh, verification, ctx.src(sources), deadline=closing)
    d = closing_day(anchor, e) if closing else opening_day(anchor, e)
    ben, bzh = _basis(anchor, e, closing)
    if note[0]:
        ben += f"; {note[0]}"
    if note[1]:
        bzh += f"；{note[1]}"
    return Dated(kind, d, label[0], label[1], ben, bzh, verification, ctx.src(sources), passed=d < ctx.today,
                 deadline=closing)


def _sig(r: P.Reading) -> tuple[Any, ...]:
    e = r.edge
    return () if e is None else (e.event, e.date, e.years, e.months, e.days, e.inclusive)


def _readings(ctx: _Ctx, readings: Sequence[P.Reading], what: str, origin: str | None, tier: str | None,
              label: tuple[str, str]) -> tuple[list[Dated], bool, bool]:
    """Each applicable reading as a Dated (date None with basis 'this source states no date' for an edge-less
    one). Also: do the readings differ only because the tier is unknown (alternatives, not a conflict), and do
    they disagree (a conflict: different rules, whatever the profile's dates)."""
    use = [r for r in readings if _applies(r, origin, tier)]
    out = []
    for r in use:
        if r.edge is None:
            out.append(Dated(what, None, label[0], label[1], r.note_en or "this source states no date",
                             r.note_zh or "该来源未给出日期", r.verification, ctx.src(r.sources), deadline=what == "closes"))
        else:
            out.append(_edge_dated(ctx, what, r.edge, what == "closes", label, r.verification, r.sources,
                                   (r.note_en, r.note_zh)))
    differ = len({_sig(r) for r in use}) > 1
    by_tier = differ and tier is None and len({tuple(r.tiers) for r in use}) > 1
    return out, by_tier, differ and not by_tier


def _amount_value(inc: S.Incentive, tier_id: str | None) -> float | None:
    tier = next((t for t in inc.tiers if t.id == tier_id), None)
    a = tier.amount if tier is not None else inc.benefit.amount
    if a is None or a.discretionary:
        return None
    return a.value


def _payments(ctx: _Ctx, incs: Sequence[S.Incentive], tier_id: str | None, inclusive: bool,
              city_file: str) -> tuple[list[Dated], list[tuple[str, str]]]:
    out: list[Dated] = []
    unknown: list[tuple[str, str]] = []
    for inc in incs:
        sched = inc.benefit.schedule
        if not sched:
            continue
        start = ctx.profile.work_start_date
        total = _amount_value(inc, tier_id)
        src = tuple(f"{city_file}:{s}" for s in inc.sources)
        for k, pay in enumerate(sched, start=1):
            label_en = f"Instalment {k} of {len(sched)} ({pay.share:.0%}) can be claimed"
            label_zh = f"第{k}笔（共{len(sched)}笔，{pay.share:.0%}）可申领"
            amount = total * pay.share if total is not None else None
            if pay.after_si_months == 0:
                basis = ("on approval", "审批通过后")
                out.append(Dated("payment", None, label_en, label_zh, basis[0], basis[1], inc.verification, src,
                                 share=pay.share, amount=amount))
                continue
            if start is None:
                ctx.needs.add("work_start_date")
                unknown.append(("payment dates need your work start date", "发放日期需要您的入职日期"))
                out.append(Dated("payment", None, label_en, label_zh,
                                 f"after {pay.after_si_months} months of social insurance; needs your work start date",
                                 f"缴纳社保满{pay.after_si_months}个月后；需要您的入职日期", inc.verification, src,
                                 share=pay.share, amount=amount))
                continue
            e = P.Edge(event="work_start", months=pay.after_si_months, inclusive=inclusive)
            d = opening_day(start, e)
            ben = f"work start {start} + {pay.after_si_months} months of social insurance"
            bzh = f"入职（{start}）起缴纳社保满{pay.after_si_months}个月"
            if inc.valid_to and d > inc.valid_to:
                ben += f"; after the scheme's scheduled end on {inc.valid_to}"
                bzh += f"；晚于政策预定截止日{inc.valid_to}"
            out.append(Dated("payment", d, label_en, label_zh, ben, bzh, inc.verification, src, passed=d < ctx.today,
                             share=pay.share, amount=amount))
    unique = list(dict.fromkeys(unknown))
    return out, unique


def _annual(ctx: _Ctx, a: P.Annual, valid_to: date | None, src_file: str) -> tuple[list[Dated], list[str], list[str],
                                                                                    list[tuple[str, str]]]:
    """Per qualifying tax year: its window (published, or unknown with the usual timing). Returns the dates,
    reasons a year does not qualify (en, zh) and why dates are unknown."""
    dates: list[Dated] = []
    skip_en: list[str] = []
    skip_zh: list[str] = []
    unknown: list[tuple[str, str]] = []
    start = ctx.profile.work_start_date
    if start is None:
        ctx.needs.add("work_start_date")
        unknown.append(("which tax years count needs your work start date", "哪些纳税年度可申报需要您的入职日期"))
        return dates, skip_en, skip_zh, unknown
    last = min(valid_to.year if valid_to else ctx.horizon_end.year, ctx.horizon_end.year)
    known = {w.period: w for w in a.windows}
    for year in range(start.year, last + 1):
        days = days_in_year_from(start, year)
        if a.min_days_in_period and days < a.min_days_in_period:
            skip_en.append(f"tax year {year}: {days} days in the city from your work start, fewer than "
                           f"{a.min_days_in_period}; it does not qualify")
            skip_zh.append(f"{year}纳税年度：自入职起在该市{days}天，不足{a.min_days_in_period}天，不符合条件")
            continue
        w = known.get(year)
        if w is not None:
            src = tuple(f"{src_file}:{s}" for s in w.sources)
            if w.opens:
                dates.append(Dated("window", w.opens, f"Tax year {year}: window opens", f"{year}纳税年度：申报开始",
                                   "published window", "已公布的申报期", w.verification, src, passed=w.opens < ctx.today))
            ext = f" (extended from {w.closes})" if w.extended_to else ""
            ext_zh = f"（由{w.closes}延至）" if w.extended_to else ""
            dates.append(Dated("window", w.last_day, f"Tax year {year}: window closes{ext}",
                               f"{year}纳税年度：申报截止{ext_zh}", "published window", "已公布的申报期", w.verification,
                               src, passed=w.last_day < ctx.today, deadline=True))
        else:
            dates.append(Dated("window", None, f"Tax year {year}: window in {year + 1}, dates not published",
                               f"{year}纳税年度：{year + 1}年申报，日期未公布", a.usual_en, a.usual_zh, a.verification,
                               tuple(f"{src_file}:{s}" for s in a.sources), deadline=True))
    return dates, skip_en, skip_zh, unknown


def _order_key(d: Dated) -> tuple[int, date, str]:
    return (0, d.date, d.kind) if d.date is not None else (1, date.max, d.kind)


# --- one item ------------------------------------------------------------------------------------------


def plan_item(key: str, name: tuple[str, str], status: str, targets: Sequence[str], found: P.Found | None,
              incs: Sequence[S.Incentive], tier_id: str | None, profile: Profile, settings: Settings, *,
              city: str | None, city_file: str, valid_from: date | None = None, valid_to: date | None = None,
              scheme_sources: Sequence[str] = ()) -> tuple[PlanItem, set[str]]:
    """The dates of one item. ``incs``: the city incentives it gets (their schedules give the instalments;
    their validity bounds the window). Returns the item and the profile date fields it would need."""
    today = settings.today
    horizon_end = date(today.year + profile.horizon_years - 1, 12, 31)
    proc = found.procedure if found else None
    file = f"procedures/{found.stem}" if found else city_file
    ctx = _Ctx(profile, today, horizon_end, file, found)
    origin = profile.origin
    dates: list[Dated] = []
    conflicts: list[Conflict] = []
    unknown: list[tuple[str, str]] = []
    missed_en: list[str] = []
    missed_zh: list[str] = []
    notes_en: list[str] = []
    notes_zh: list[str] = []
    if valid_from is None and incs:
        froms = [i.valid_from for i in incs if i.valid_from]
        valid_from = max(froms) if froms else None
    if valid_to is None and incs:
        tos = [i.valid_to for i in incs if i.valid_to]
        valid_to = min(tos) if tos else None

    # -- opens
    opens: Dated | None = None
    if proc is not None and proc.opens:
        got, by_tier, conflict = _readings(ctx, proc.opens, "opens", origin, tier_id, ("Opens", "开始受理"))
        if by_tier:
            notes_en.append("the opening date depends on which route (tier) applies; the earliest is shown")
            notes_zh.append("开始日期取决于适用的档次（途径）；显示最早的日期")
        if conflict:
            conflicts.append(Conflict("opens", tuple(got)))
        dated = [d for d in got if d.date is not None]
        opens = min(dated, key=_order_key) if dated else (got[0] if got else None)
        dates.extend(got)
        unknown.extend((d.basis_en, d.basis_zh) for d in got if d.date is None and d.basis_en.startswith(("needs", "counted")))
    payments, pay_unknown = _payments(ctx, incs, tier_id, proc.schedule_inclusive if proc else True, city_file)
    unknown.extend(pay_unknown)
    if opens is None and payments:
        first = payments[0]
        opens = Dated("opens", first.date, "Opens (first instalment can be claimed)", "开始受理（可申领第一笔）",
                      first.basis_en, first.basis_zh, first.verification, first.sources, passed=first.passed)
    starts_later = opens is not None and opens.date is not None and opens.date < valid_from if valid_from else False
    if valid_from is not None and (starts_later or (opens is None and valid_from > today)):
        opens = Dated("opens", valid_from, "Opens (the scheme starts)", "开始受理（政策施行）",
                      f"the scheme runs from {valid_from}", f"政策自{valid_from}起施行", "official",
                      tuple(scheme_sources), passed=valid_from < today)
        dates.append(opens)

    # -- closes
    closes: Dated | None = None
    close_readings: list[Dated] = []
    if proc is not None and proc.closes:
        close_readings, by_tier, conflict = _readings(ctx, proc.closes, "closes", origin, tier_id,
                                                      ("Last day to apply", "申请截止"))
        if by_tier:
            notes_en.append("the last day depends on which route (tier) applies; the earliest is shown")
            notes_zh.append("截止日期取决于适用的档次（途径）；显示最早的日期")
        if conflict:
            conflicts.append(Conflict("closes", tuple(close_readings)))
        known = [d for d in close_readings if d.date is not None]
        closes = min(known, key=_order_key) if known else (close_readings[0] if close_readings else None)
        dates.extend(close_readings)
        unknown.extend((d.basis_en, d.basis_zh) for d in close_readings
                       if d.date is None and d.basis_en.startswith(("needs", "counted")))
    if valid_to is not None and (proc is None or proc.annual is None):
        end = Dated("scheme_end", valid_to, "The scheme is scheduled to end", "政策预定截止", f"valid to {valid_to}",
                    f"有效期至{valid_to}", "official", tuple(scheme_sources), passed=valid_to < today)
        dates.append(end)

    # -- constraints on the applicant's own events
    if proc is not None:
        for c in proc.constraints:
            if not _applies(c, origin, tier_id):
                continue
            event_date = ctx.anchor(c.event)
            for bound, closing in ((c.on_or_after, False), (c.on_or_before, True)):
                if bound is None:
                    continue
                b = _edge_dated(ctx, "latest_start" if closing else "constraint", bound, closing,
                                (f"Latest {EVENT_EN[c.event]}: {c.text_en}", f"最晚{EVENT_ZH[c.event]}：{c.text_zh}"),
                                c.verification, c.sources)
                if closing and b.date is not None:
                    dates.append(b)
                if b.date is None:
                    unknown.append((b.basis_en, b.basis_zh))
                    continue
                if event_date is None:
                    ctx.needs.add(NEEDS[c.event])
                    unknown.append((f"needs your {EVENT_EN[c.event]} date", f"需要您的{EVENT_ZH[c.event]}日期"))
                    continue
                ok = event_date <= b.date if closing else event_date >= b.date
                if not ok:
                    missed_en.append(f"{c.text_en} Your {EVENT_EN[c.event]} is {event_date}; "
                                     f"{'the latest' if closing else 'the earliest'} allowed is {b.date} ({b.basis_en}).")
                    missed_zh.append(f"{c.text_zh}您的{EVENT_ZH[c.event]}日期为{event_date}；"
                                     f"{'最晚' if closing else '最早'}须为{b.date}（{b.basis_zh}）。")

    # -- steps with their own due dates, milestones, annual windows
    if proc is not None:
        for s in proc.steps:
            if s.origins and origin is not None and origin not in s.origins:
                continue
            if s.due is not None:
                d = _edge_dated(ctx, "step", s.due, True, (s.text_en, s.text_zh), s.verification, s.sources)
                dates.append(d)
                if d.date is None:
                    unknown.append((d.basis_en, d.basis_zh))
            if s.due_yearly is not None:
                nd = s.due_yearly.next_on_or_after(today)
                dates.append(Dated("step", nd, s.text_en, s.text_zh,
                                   f"every year by {s.due_yearly.month:02d}-{s.due_yearly.day:02d}; the next one",
                                   f"每年{s.due_yearly.month}月{s.due_yearly.day}日前；下一次", s.verification,
                                   ctx.src(s.sources), deadline=True))
        for m in proc.milestones:
            if _applies(m, origin, tier_id):
                d = _edge_dated(ctx, "milestone", m.edge, True, (m.text_en, m.text_zh), m.verification, m.sources)
                dates.append(d)
        if proc.annual is not None:
            wd, skip_en, skip_zh, unk = _annual(ctx, proc.annual, valid_to, file)
            dates.extend(wd)
            unknown.extend(unk)
            notes_en.extend(skip_en)
            notes_zh.extend(skip_zh)
            future = [d for d in wd if d.deadline and (d.date is None or d.date >= today)]
            closed = [d for d in wd if d.deadline and d.date is not None and d.date < today]
            if closed:
                notes_en.extend(f"{d.label_en} on {d.date}: missed" for d in closed)
                notes_zh.extend(f"{d.label_zh}（{d.date}）：已错过" for d in closed)
            nxt = min((d for d in future if d.date is not None), key=lambda d: d.date, default=None)  # type: ignore[arg-type,return-value]
            if nxt is None and future:
                nxt = future[0]
            if nxt is not None:
                closes = nxt
                opens_for = next((d for d in wd if d.kind == "window" and not d.deadline and nxt.date is not None
                                  and d.date is not None and d.date.year == nxt.date.year), None)
                opens = opens_for or opens
            if closed and not future and wd:
                missed_en.append("every application window for your qualifying tax years has closed")
                missed_zh.append("您符合条件的各纳税年度申报期均已截止")
            if not wd and skip_en and profile.work_start_date is not None:
                missed_en.append("no tax year within the scheme and your horizon qualifies")
                missed_zh.append("在政策有效期和估值期限内没有符合条件的纳税年度")

    # -- missed: closed windows, or opening after closing. A reading with no date (none stated, or an
    # unknown anchor) keeps the item open: it is missed only when every reading has passed.
    known_close = [d for d in close_readings if d.date is not None]
    open_ended = any(d.date is None for d in close_readings)
    if known_close:
        last = max(d.date for d in known_close if d.date is not None)
        first = min(d.date for d in known_close if d.date is not None)
        if not open_ended and all(d.passed for d in known_close):
            missed_en.append(f"the window closed on {last}" + (f" ({closes.basis_en})" if closes and len(known_close) == 1 else ""))
            missed_zh.append(f"申请期已于{last}截止" + (f"（{closes.basis_zh}）" if closes and len(known_close) == 1 else ""))
        elif any(d.passed for d in known_close):
            notes_en.append(f"by the earliest reading the window closed on {first}; the readings disagree")
            notes_zh.append(f"按最早的说法申请期已于{first}截止；各说法不一")
        if opens is not None and opens.date is not None:
            if not open_ended and opens.date > last:
                missed_en.append(f"you can first apply on {opens.date} ({opens.basis_en}), after the last day {last}")
                missed_zh.append(f"您最早可于{opens.date}申请（{opens.basis_zh}），晚于截止日{last}")
            elif opens.date > first:
                notes_en.append(f"you can first apply on {opens.date}, after the earliest reading's last day {first}")
                notes_zh.append(f"您最早可于{opens.date}申请，晚于最早说法的截止日{first}")
    if (valid_to is not None and opens is not None and opens.date is not None and opens.date > valid_to
            and (proc is None or proc.annual is None)):
        missed_en.append(f"the scheme is scheduled to end on {valid_to}, before you can apply on {opens.date}")
        missed_zh.append(f"政策预定于{valid_to}截止，早于您可申请的{opens.date}")

    all_dates = sorted([*dates, *(p for p in payments)], key=_order_key)
    unknown = list(dict.fromkeys(unknown))
    waits = tuple(proc.waits_for) if proc else ()
    srcs = ctx.src(proc.sources) if proc else tuple(scheme_sources)
    item = PlanItem(key, city, name[0], name[1], status, tuple(targets), proc, file if found else None, opens, closes,
                    tuple(payments), tuple(all_dates), bool(missed_en), tuple(missed_en), tuple(missed_zh),
                    tuple(conflicts), tuple(u[0] for u in unknown), tuple(u[1] for u in unknown), waits,
                    tuple(dict.fromkeys(notes_en)), tuple(dict.fromkeys(notes_zh)), srcs)
    return item, ctx.needs


# --- the plan for one city -----------------------------------------------------------------------------

_RANK = {"eligible": 2, "possible": 1}


def _national_targets(profile: Profile, result: CityResult, inputs: Inputs, settings: Settings
                      ) -> list[tuple[str, str, tuple[str, str], tuple[str, ...], date | None, date | None]]:
    """(national rule id, status, name, sources, valid_from, valid_to) for the national routes in reach."""
    nat = inputs.national
    if nat is None:
        return []
    from dashboard.engine.national import k_visa, pr_routes, r_visa

    out = []
    to_status = {"pass": "eligible", "unknown": "possible"}
    kv = k_visa(profile, nat, settings)
    rule = nat.k_visa.visa
    if kv.status in to_status:
        out.append(("k-visa", to_status[kv.status], (rule.name_en, rule.name_zh), kv.sources, rule.valid_from, rule.valid_to))
    pm = result.permit
    if pm is not None and pm.class_status in to_status and pm.permit_class:
        cls = next((c for c in nat.work_permit.classes if c.permit_class == pm.permit_class), None)
        if cls is not None:
            out.append((cls.id, to_status[pm.class_status], (cls.name_en, cls.name_zh), pm.sources, cls.valid_from,
                        cls.valid_to))
        rv = r_visa(profile, pm, nat)
        r_rule = next((v for v in nat.r_z_visas.visas if v.visa == "R"), None)
        if rv.status in to_status and r_rule is not None:
            out.append((r_rule.id, to_status[rv.status], (r_rule.name_en, r_rule.name_zh), rv.sources, r_rule.valid_from,
                        r_rule.valid_to))
    wage = result.local_wage.value if result.local_wage else None
    for chk in pr_routes(profile, nat, local_annual_wage=wage, city=result.city, today=settings.today):
        if chk.id == "pr-salary-6x" and chk.status in to_status:
            out.append((chk.id, to_status[chk.status], (chk.name_en, chk.name_zh), chk.sources, None, None))
    return out


def _ordered(items: list[PlanItem], today: date) -> list[PlanItem]:
    """Date order (the next date that matters; undated last), with what an item waits for placed first."""
    def key(it: PlanItem) -> tuple[int, date, int, str]:
        nd = it.next_date(today)
        return (0 if nd else 1, nd or date.max, -_RANK.get(it.status, 0), it.key)

    by_key = {it.key: it for it in items}
    out: list[PlanItem] = []
    placed: set[str] = set()

    def place(it: PlanItem, trail: tuple[str, ...] = ()) -> None:
        if it.key in placed or it.key in trail:
            return
        for w in it.waits_for:
            if w in by_key:
                place(by_key[w], (*trail, it.key))
        placed.add(it.key)
        out.append(it)

    for it in sorted(items, key=key):
        place(it)
    return out


def build_plan(profile: Profile, city: str, inputs: Inputs, settings: Settings,
               procedures: Mapping[str, P.ProcedureFile], *, result: CityResult | None = None,
               include_possible: bool = True) -> Plan:
    """Every item the profile can get in ``city`` (eligible ones, and possible ones that have procedure data),
    plus the national routes in reach, each with its dates; the missed ones apart with their reasons."""
    result = result or evaluate_city(profile, city, inputs, settings)
    index = P.index(dict(procedures))
    city_file = f"cities/{city}"
    groups: dict[str, dict[str, Any]] = {}
    omitted = 0
    for e in result.evaluations:
        if e.status == "ineligible" or e.outside_zone or e.excluded_by:
            continue
        found = index.get(e.id)
        if e.status == "possible" and (found is None or not include_possible):
            omitted += 1
            continue
        key = found.procedure.id if found else e.id
        g = groups.setdefault(key, {"found": found, "evals": [], "national": []})
        g["evals"].append(e)
    nat_sources: dict[str, tuple[str, ...]] = {}
    for nid, status, nm, srcs, vfrom, vto in _national_targets(profile, result, inputs, settings):
        found = index.get(nid)
        if found is None:
            continue
        g = groups.setdefault(found.procedure.id, {"found": found, "evals": [], "national": []})
        g["national"].append((nid, status, nm, vfrom, vto))
        nat_sources[found.procedure.id] = tuple(f"national/{x}" for x in srcs)

    items: list[PlanItem] = []
    needs: set[str] = set()
    for key, g in groups.items():
        found: P.Found | None = g["found"]
        evals: list[Evaluation] = g["evals"]
        nats = g["national"]
        statuses = [e.status for e in evals] + [n[1] for n in nats]
        status = max(statuses, key=lambda s: _RANK.get(s, 0))
        if found is not None:
            name = (found.procedure.name_en, found.procedure.name_zh)
        else:
            name = (evals[0].incentive.name_en, evals[0].incentive.name_zh)
        incs = [e.incentive for e in evals]
        tier = next((e.tier_id for e in evals if e.tier_id), None)
        targets = [e.id for e in evals] + [n[0] for n in nats]
        scheme_src = [f"{city_file}:{s}" for i in incs for s in i.sources] or list(nat_sources.get(key, ()))
        vfrom = next((n[3] for n in nats if n[3]), None) if not incs else None
        vto = next((n[4] for n in nats if n[4]), None) if not incs else None
        item, need = plan_item(key, name, status, targets, found, incs, tier, profile, settings,
                               city=city if incs else None, city_file=city_file, valid_from=vfrom, valid_to=vto,
                               scheme_sources=list(dict.fromkeys(scheme_src)))
        if found is None:
            item = replace(item, notes_en=(*item.notes_en, "no procedure data yet: see the sources"),
                           notes_zh=(*item.notes_zh, "暂无申请办法数据：请查阅来源"))
        items.append(item)
        needs |= need
    live = [it for it in items if not it.missed]
    missed = sorted((it for it in items if it.missed), key=lambda it: it.key)
    notes_en = ("Months of social insurance are counted from your work start date; the bureau counts paid calendar "
                "months, so a real date can differ by up to a month.",)
    notes_zh = ("社保月数自入职日期起算；社保部门按实际缴费的自然月计算，实际日期可能相差最多一个月。",)
    return Plan(city, settings.today, tuple(_ordered(live, settings.today)), tuple(missed),
                tuple(sorted(needs)), omitted, notes_en, notes_zh)


def plan_dict(plan: Plan) -> dict[str, Any]:
    """A compact JSON shape of a plan (golden tests; downloads)."""
    def dd(d: Dated | None) -> dict[str, Any] | None:
        if d is None:
            return None
        return {"kind": d.kind, "date": d.date.isoformat() if d.date else None, "label": d.label_en,
                "basis": d.basis_en, "passed": d.passed, "share": d.share,
                "amount": round(d.amount) if d.amount is not None else None}

    def it(i: PlanItem) -> dict[str, Any]:
        return {"key": i.key, "status": i.status, "targets": list(i.targets), "opens": dd(i.opens), "closes": dd(i.closes),
                "payments": [dd(p) for p in i.payments], "missed": list(i.missed_en),
                "conflicts": [{"what": c.what, "options": [dd(o) for o in c.options]} for c in i.conflicts],
                "unknown": list(i.unknown_en), "waits_for": list(i.waits_for), "notes": list(i.notes_en),
                "dates": [dd(d) for d in i.dates]}

    return {"city": plan.city, "today": plan.today.isoformat(), "needs": list(plan.needs),
            "omitted_possible": plan.omitted_possible, "items": [it(i) for i in plan.items],
            "missed": [it(i) for i in plan.missed]}


def item_for(e: Evaluation, found: P.Found | None, profile: Profile, settings: Settings) -> PlanItem:
    """The dates of one evaluated incentive on its own (Explore's detail view)."""
    city_file = f"cities/{e.city}"
    name = (found.procedure.name_en, found.procedure.name_zh) if found else (e.incentive.name_en, e.incentive.name_zh)
    item, _ = plan_item(found.procedure.id if found else e.id, name, e.status, [e.id], found, [e.incentive], e.tier_id,
                        profile, settings, city=e.city, city_file=city_file,
                        scheme_sources=[f"{city_file}:{s}" for s in e.incentive.sources])
    return item
