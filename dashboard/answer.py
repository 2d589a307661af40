"""The answer row: one line per city that a person reads in five seconds.

Why a module of its own: Explore used to bury the answer (the K visa and the work permit ~4,600 px down, in
run-on reasons). This builds, from engine results only, what the top of Explore shows first: whether and how
the profile can be there (foreigners: K visa and work-permit class with points; Chinese nationals: the hukou
route), the sure money over the horizon, the discretionary upside as "up to", and the first step of the plan.
Pure: no Streamlit; text comes from the message catalog so both languages say the same thing.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from dashboard.engine.deadlines import Plan
from dashboard.engine.evaluate import CityResult
from dashboard.engine.national import VisaResult
from dashboard.i18n import money, name, t

FOREIGN = ("foreign",)
# Streamlit's own icons (a font the app ships), not emoji: headless Chromium here has no emoji font.
ICON = {"pass": ":green[:material/check_circle:]", "unknown": ":orange[:material/help:]",
        "fail": ":red[:material/cancel:]", "not_applicable": "", "none": ":gray[:material/remove:]"}


@dataclass(frozen=True)
class Line:
    """One short statement with its status (pass / unknown / fail / none)."""

    status: str
    text: str


@dataclass(frozen=True)
class Answers:
    """The national line (the K visa: the same in every city) and one Answer per city."""

    national: tuple[Line, ...]
    rows: tuple[Answer, ...]


@dataclass(frozen=True)
class Answer:
    city: str
    rank: int
    city_name: str
    access: tuple[Line, ...]
    sure: str                 # money certain over the horizon (the floor of every counted item)
    up_to: str | None         # the counted items' discretionary top, when above the sure amount
    possible: int             # items that need a check, never added to the money
    next_step: str | None     # the plan's first item for this city, with its date when known
    next_key: str | None      # the plan item's key (the Plan page opens on that city)


def k_visa_line(kv: VisaResult | None, lang: str) -> Line | None:
    """'K visa: possible, the age limit is not published' - one reason, the first open or failed check."""
    if kv is None or kv.status == "not_applicable":
        return None
    word = t(f"ans.k.{kv.status}", lang)
    pick = [c for c in kv.checks if c.status == kv.status] if kv.status != "pass" else []
    if kv.status == "fail":
        routes = [c for c in kv.checks if c.id not in ("k-origin", "k-age")]
        if all(c.status == "fail" for c in routes) and routes:
            pick = routes
    why = ""
    if pick:
        c = pick[0]
        key = f"ans.k.why.{c.id}.{c.status}"
        why = t(key, lang)
        if why == key:  # no short text for this check: its name
            why = (c.name_zh if lang == "zh" else c.name_en) or c.id
    return Line(kv.status, t("ans.k", lang, word=word) + (t("ans.sep", lang) + why if why else ""))


def permit_line(permit: Any, lang: str) -> Line | None:
    """'Work permit: class B (49-56 points)'; C is a job category, so it is named as 'C only'."""
    if permit is None or permit.class_status == "not_applicable":
        return None
    pts = (f"{permit.points_min}" if permit.points_min == permit.points_max
           else f"{permit.points_min}–{permit.points_max}")
    if permit.class_status == "fail":
        return Line("fail", t("ans.permit.fail", lang))
    cls = permit.permit_class or "—"
    key = "ans.permit.c" if cls == "C" else f"ans.permit.{permit.class_status}"
    return Line("pass" if permit.class_status == "pass" and cls != "C" else "unknown",
                t(key, lang, cls=cls, pts=pts))


def hukou_line(result: CityResult, lang: str) -> Line:
    """The best hukou route the profile has there: eligible first, then possible; 'none found' otherwise."""
    hk = [e for e in result.evaluations if e.incentive.category == "hukou_residence"
          and e.incentive.benefit.status_kind == "hukou" and not e.outside_zone]
    for status in ("eligible", "possible"):
        got = [e for e in hk if e.status == status]
        if got:
            key = "ans.hukou.eligible" if status == "eligible" else "ans.hukou.possible"
            return Line("pass" if status == "eligible" else "unknown",
                        t(key, lang, name=name(got[0].incentive, lang), n=len(got)))
    return Line("fail" if hk else "none", t("ans.hukou.none", lang))


def next_step(plan: Plan | None, lang: str) -> tuple[str | None, str | None]:
    """The first item of the city's plan (the plan is already in the order to act on it)."""
    if plan is None or not plan.items:
        return None, None
    it = plan.items[0]
    nm = it.name_zh if lang == "zh" else it.name_en
    nd = it.next_date(plan.today)
    return (t("ans.next_dated", lang, item=nm, date=nd.isoformat()) if nd else nm), it.key


def build(ranking: Any, profile: Any, kv: VisaResult | None, plans: dict[str, Plan | None], lang: str,
          city_names: dict[str, str]) -> Answers:
    """The K visa line (foreign profiles) and one Answer per ranked city, in rank order."""
    foreign = profile.origin in FOREIGN
    k = k_visa_line(kv, lang) if foreign else None
    out = []
    for row in ranking.rows:
        r = row.result
        access: list[Line] = []
        if foreign:
            access += [x for x in (permit_line(r.permit, lang),) if x is not None]
        else:
            access.append(hukou_line(r, lang))
        tot = r.total
        up = money(tot.high, lang) if tot.high > tot.low + 1 else None
        step, key = next_step(plans.get(row.city), lang)
        out.append(Answer(row.city, row.rank, city_names[row.city], tuple(access), money(tot.low, lang), up,
                          tot.possible_count, step, key))
    return Answers(tuple(x for x in (k,) if x is not None), tuple(out))
