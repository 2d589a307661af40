"""'How to get it': a procedure's who, where, when, steps, documents, times, fees, pitfalls and conflicts,
and (when the profile has dates) the item's own dates. Used by Explore's incentive detail (one call in
views.incentive_detail) and by the Plan page. Rendering only: dates come from engine.deadlines; every text
from the data files goes through views.esc."""

from __future__ import annotations

from typing import Any

import streamlit as st

from dashboard.catalog import procedures as P
from dashboard.catalog import schema as S
from dashboard.engine.deadlines import Dated, PlanItem, item_for
from dashboard.engine.evaluate import Evaluation
from dashboard.i18n import money, t
from dashboard.views import esc, verification_badge

KIND_ICON = {"opens": ":material/lock_open:", "closes": ":material/event_busy:", "payment": ":material/payments:",
             "step": ":material/assignment:", "window": ":material/date_range:", "milestone": ":material/flag:",
             "scheme_end": ":material/hourglass_bottom:", "latest_start": ":material/work_history:",
             "constraint": ":material/rule:"}


def _l(obj: Any, lang: str, attr: str) -> str:
    zh = getattr(obj, f"{attr}_zh", None)
    en = getattr(obj, f"{attr}_en", None)
    # Both empty -> "" (the old precedence gave str(None): "None" in the Plan's steps on zh pages).
    return str(((zh or en) if lang == "zh" else (en or zh)) or "")


def source_md(ref: str, res: Any, lang: str) -> str | None:
    s = P.resolve(ref, res)
    if s is None:
        return None
    when = t("as_of", lang, date=s.published.isoformat()) if s.published else t("retrieved_on", lang, date=s.retrieved.isoformat())
    title = esc(s.title[:160])
    line = f"[{title}]({s.url})" if s.url else title
    return f"{line} · {esc(s.issuer)} · {when}"


def render_sources(refs: list[str] | tuple[str, ...], res: Any, lang: str) -> None:
    lines = [x for x in (source_md(r, res, lang) for r in dict.fromkeys(refs)) if x]
    if lines:
        st.markdown(f"**{t('proc.sources', lang)}**")
        st.markdown("\n".join(f"- {x}" for x in lines))


def dated_md(d: Dated, lang: str) -> str:
    when = f"**{d.date.isoformat()}**" if d.date else f"**{t('plan.date_unknown', lang)}**"
    if d.passed:  # a last day that has gone is passed; an opening or an instalment date reached stays open
        when += f" ({t('plan.passed' if d.deadline else 'plan.reached', lang)})"
    amount = f" · {money(d.amount, lang)}" if d.amount is not None else ""
    icon = KIND_ICON.get(d.kind, "")
    return (f"{icon} {when} · {esc(_l(d, lang, 'label'))}{amount} — {esc(_l(d, lang, 'basis'))} · "
            f"{verification_badge(d.verification, lang)}")


def render_item_dates(item: PlanItem, lang: str) -> None:
    """The item's dates, missed reasons, conflicts, notes and what is unknown."""
    for r in (item.missed_zh if lang == "zh" else item.missed_en):
        st.error(t("plan.missed_because", lang, why=esc(r)), icon=":material/event_busy:")
    for c in item.conflicts:
        opts = "\n".join(f"  - {dated_md(o, lang)}" for o in c.options)
        st.warning(t("plan.conflict_head", lang, what=t(f"plan.kind.{c.what}", lang)) + "\n" + opts,
                   icon=":material/compare_arrows:")
    if item.dates:
        st.markdown("\n".join(f"- {dated_md(d, lang)}" for d in item.dates))
    for n in (item.notes_zh if lang == "zh" else item.notes_en):
        st.caption(esc(n))
    unknown = item.unknown_zh if lang == "zh" else item.unknown_en
    if unknown:
        st.caption(t("plan.unknown_because", lang, why=esc("; ".join(unknown))))


def render_procedure(found: P.Found, lang: str, res: Any, *, origin: str | None = None, city: str | None = None) -> None:
    """Who files, where, when, the steps in order, documents, times, fees, pitfalls, conflicts, gaps.
    ``city``: the plan's city; another city's example address is left out."""
    p = found.procedure
    st.markdown(f"**{t('proc.who', lang)}** ({t('proc.files.' + p.files_by, lang)}): {esc(_l(p, lang, 'files_by'))}")
    st.markdown(f"**{t('proc.when', lang)}**: {esc(_l(p, lang, 'timing'))}")
    for pl in p.places:
        addr = _l(pl, lang, "address")
        if pl.address_city and city and pl.address_city != city:
            addr = t("proc.address_local", lang)
        note = _l(pl, lang, "note")
        link = f"[{esc(_l(pl, lang, 'name'))}]({pl.url})" if pl.url else esc(_l(pl, lang, "name"))
        st.markdown(f"**{t('proc.where', lang)}** ({t('proc.place.' + pl.kind, lang)}): {link}"
                    + (f" · {esc(addr)}" if addr else "") + f" · {verification_badge(pl.verification, lang)}"
                    + (f"  \n{esc(note)}" if note else ""))
    steps = [s for s in p.steps if not s.origins or origin is None or origin in s.origins]
    if steps:
        st.markdown(f"**{t('proc.steps', lang)}**")
        index = {s.id: i for i, s in enumerate(steps, start=1)}
        lines = []
        for i, s in enumerate(steps, start=1):
            after = [str(index[a]) for a in s.after if a in index]
            wait = " " + t("proc.after_steps", lang, steps=", ".join(after)) if after else ""
            due = f" · {t('proc.due', lang)}: {esc(_l(s.due, lang, 'wording'))}" if s.due is not None and _l(s.due, lang, "wording") else ""
            yearly = (f" · {t('proc.due_yearly', lang, month=s.due_yearly.month, day=s.due_yearly.day)}"
                      if s.due_yearly else "")
            lines.append(f"{i}. **{t('proc.who.' + s.who, lang)}**: {esc(_l(s, lang, 'text'))}{wait}{due}{yearly} · "
                         f"{verification_badge(s.verification, lang)}")
        st.markdown("\n".join(lines))
    docs = [d for d in p.documents if not d.origins or origin is None or origin in d.origins]
    if docs:
        st.markdown(f"**{t('proc.documents', lang)}**")
        lines = []
        for d in docs:
            extra = f" · {t('proc.valid_months', lang, n=d.valid_months)}" if d.valid_months else ""
            who = f" ({t('proc.who.employer', lang)})" if d.who == "employer" else ""
            note = f" — {esc(_l(d, lang, 'note'))}" if _l(d, lang, "note") else ""
            lines.append(f"- {esc(_l(d, lang, 'name'))}{who}{extra}{note} · {verification_badge(d.verification, lang)}")
        st.markdown("\n".join(lines))
    if p.processing:
        st.markdown(f"**{t('proc.processing', lang)}**")
        st.markdown("\n".join(f"- {esc(_l(d, lang, 'text'))} · {verification_badge(d.verification, lang)}"
                              for d in p.processing))
    if p.fees:
        st.markdown(f"**{t('proc.fees', lang)}**")
        lines = []
        for f in p.fees:
            amt = money(f.amount_cny, lang) if f.amount_cny is not None else t("proc.fee_unknown", lang)
            if f.amount_cny == 0:
                amt = t("proc.fee_waived", lang)
            note = f" — {esc(_l(f, lang, 'note'))}" if _l(f, lang, "note") else ""
            lines.append(f"- {esc(_l(f, lang, 'what'))}: {amt}{note} · {verification_badge(f.verification, lang)}")
        st.markdown("\n".join(lines))
    if p.pitfalls:
        st.markdown(f"**{t('proc.pitfalls', lang)}**")
        st.markdown("\n".join(f"- {esc(_l(x, lang, 'text'))} · {verification_badge(x.verification, lang)}"
                              for x in p.pitfalls))
    for c in p.conflicts:
        st.warning(t("proc.conflict", lang, text=esc(_l(c, lang, "text"))), icon=":material/compare_arrows:")
    unknown = p.unknown_zh if lang == "zh" else p.unknown_en
    if unknown:
        st.caption(t("proc.not_found_list", lang, items=esc("; ".join(unknown))))
    render_sources([f"procedures/{found.stem}:{s}" for s in dict.fromkeys(p.cited())], res, lang)


def render(e: Evaluation, city: S.CityFile, lang: str) -> None:
    """Explore's hook: for an eligible or possible incentive with procedure data, how to get it, with the
    profile's own dates when it has any."""
    if e.status == "ineligible":
        return
    from dashboard import data_access as DA

    res = DA.catalog()
    found = P.index(res.procedures).get(e.id)
    if found is None:
        return
    view = st.session_state.get("view") or {}
    profile = view.get("profile")
    st.markdown(f"##### {t('proc.how', lang)}")
    if profile is not None and any(getattr(profile, f, None) for f in ("graduation_date", "arrival_date", "work_start_date")):
        render_item_dates(item_for(e, found, profile, DA.settings()), lang)
    else:
        st.caption(t("proc.add_dates", lang))
    render_procedure(found, lang, res, origin=getattr(profile, "origin", None), city=getattr(city, "city", None))
