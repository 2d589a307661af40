"""Plan: how to get it, in one city. With the profile's dates (graduation, arrival, start of work) every item
the profile can get there, and the national routes in reach, in the order to act on them, each with its
steps, documents and dates; what was missed and why; exports as a PDF checklist and an .ics calendar.
Wiring only: dates come from engine.deadlines, files from plan_exports."""

from __future__ import annotations

from datetime import date

import pandas as pd
import streamlit as st

from dashboard import data_access as DA
from dashboard import page_url
from dashboard import procedure_view as PV
from dashboard.catalog import procedures as P
from dashboard.engine.deadlines import build_plan
from dashboard.i18n import name, t
from dashboard.views import esc, status_label, verification_badge

view = st.session_state["view"]
profile, weights, selected, lang = view["profile"], view["weights"], view["cities"], view["lang"]
res = DA.catalog()
inputs = DA.inputs()
settings = DA.settings()
city_names = {c: name(f, lang) for c, f in inputs.cities.items()}

st.title(t("plan.title", lang))
st.caption(t("plan.intro", lang))

ranking = DA.ranking(profile, weights, selected)
order = [r.city for r in ranking.rows]
page_url.restore("pcity", order, lang)
if st.session_state.get("plan_city") not in order:
    st.session_state["plan_city"] = order[0]

DATE_FIELDS = (("graduation_date", "plan_w_grad"), ("arrival_date", "plan_w_arrival"), ("work_start_date", "plan_w_work"))
c0, c1, c2, c3 = st.columns([2, 1, 1, 1])
c0.selectbox(t("plan.city", lang), order, key="plan_city",
             format_func=lambda c: f"{order.index(c) + 1}. {city_names[c]}")
for col, (fname, wkey) in zip((c1, c2, c3), DATE_FIELDS, strict=True):
    if wkey not in st.session_state:  # a widget's state is dropped when its page is left: restore it from the profile
        st.session_state[wkey] = st.session_state.get(f"p_{fname}")
    col.date_input(t(f"plan.f.{fname}", lang), key=wkey, min_value=date(1990, 1, 1), max_value=date(2045, 12, 31),
                   format="YYYY-MM-DD", help=t(f"plan.f.{fname}.help", lang))
dates = {fname: st.session_state.get(wkey) for fname, wkey in DATE_FIELDS}
for fname, value in dates.items():  # the profile carries the dates to the other pages (Explore's detail)
    st.session_state[f"p_{fname}"] = value
# The address is written now, not on the next run: the sidebar wrote it before these widgets committed.
page_url.write_dates(dates)
page_url.write("pcity", st.session_state["plan_city"])
profile = profile.model_copy(update=dates)
city = st.session_state["plan_city"]
if profile.graduation_date and profile.graduation_year and profile.graduation_date.year != profile.graduation_year:
    st.info(t("plan.year_mismatch", lang, year=profile.graduation_year, date=profile.graduation_date.isoformat()))

result = ranking.by_city()[city].result
plan = build_plan(profile, city, inputs, settings, res.procedures, result=result)

if plan.needs:
    st.info(t("plan.needs", lang, fields=", ".join(t(f"plan.f.{f}", lang) for f in plan.needs)), icon=":material/event:")
for n in plan.notes_zh if lang == "zh" else plan.notes_en:
    st.caption(esc(n))

upcoming = plan.dated(upcoming_only=True)
deadlines = [x for x in upcoming if x[2].deadline]
m1, m2, m3, m4 = st.columns(4)
m1.metric(t("plan.m.items", lang), len(plan.items))
m2.metric(t("plan.m.next", lang), upcoming[0][0].isoformat() if upcoming else "—")
m3.metric(t("plan.m.deadline", lang), deadlines[0][0].isoformat() if deadlines else "—")
m4.metric(t("plan.m.missed", lang), len(plan.missed))

# --- everything in date order ------------------------------------------------------------------------------
st.subheader(t("plan.in_order", lang))


def first_url(refs: tuple[str, ...]) -> str | None:
    """The first source of a date that has an address (the item's card lists them all)."""
    for ref in refs:
        s = P.resolve(ref, res)
        if s is not None and s.url:
            return s.url
    return None


if upcoming:
    rows = [{t("plan.col.date", lang): when.isoformat(),
             t("plan.col.item", lang): it.name_zh if lang == "zh" else it.name_en,
             t("plan.col.what", lang): d.label_zh if lang == "zh" else d.label_en,
             t("plan.col.basis", lang): d.basis_zh if lang == "zh" else d.basis_en,
             t("plan.col.deadline", lang): "⚑" if d.deadline else "",
             t("verification", lang): verification_badge(d.verification, lang, plain=True),
             t("plan.col.source", lang): first_url(d.sources)} for when, it, d in upcoming]
    st.dataframe(pd.DataFrame(rows), hide_index=True, width="stretch", key="plan_table",
                 column_config={t("plan.col.source", lang): st.column_config.LinkColumn(t("plan.col.source", lang))})
else:
    st.markdown(t("plan.no_dates", lang))

# --- item by item, in the order to act on them -------------------------------------------------------------
st.subheader(t("plan.by_item", lang))
st.caption(t("plan.by_item_help", lang))
by_id = P.by_id(res.procedures)
keys = {it.key: it for it in plan.items}
for n, it in enumerate(plan.items, start=1):
    nd = it.next_date(plan.today)
    head = f"{n}. {it.name_zh if lang == 'zh' else it.name_en} · {status_label(it.status, lang, plain=True)}"
    head += f" · {nd.isoformat()}" if nd else f" · {t('plan.date_unknown', lang)}"
    if it.conflicts:
        head += f" · {t('plan.has_conflict', lang)}"
    with st.expander(head):
        waits = [keys[w] for w in it.waits_for if w in keys]
        if waits:
            st.markdown(t("plan.waits_for", lang, items=esc(", ".join(w.name_zh if lang == "zh" else w.name_en
                                                                       for w in waits))))
        PV.render_item_dates(it, lang)
        found = by_id.get(it.procedure.id) if it.procedure is not None else None
        if found is not None:
            PV.render_procedure(found, lang, res, origin=profile.origin, city=city)
        else:
            PV.render_sources(list(it.sources), res, lang)
if plan.omitted_possible:
    st.caption(t("plan.omitted", lang, n=plan.omitted_possible))

if plan.missed:
    st.subheader(t("plan.missed", lang))
    for it in plan.missed:
        with st.expander(f"{it.name_zh if lang == 'zh' else it.name_en}", icon=":material/event_busy:"):
            PV.render_item_dates(it, lang)
            PV.render_sources(list(it.sources), res, lang)

# --- exports -----------------------------------------------------------------------------------------------
st.subheader(t("plan.export", lang))
from dashboard import plan_exports as X  # noqa: E402 - reportlab and icalendar only when the page runs

page_url.restore("xlang", ["en", "zh"], lang)
st.session_state.setdefault("plan_export_lang", lang)
xl = st.segmented_control(t("plan.export_lang", lang), ["en", "zh"], key="plan_export_lang",
                          format_func=lambda v: {"en": "English", "zh": "中文"}[v]) or lang
page_url.write("xlang", xl)
cname = name(inputs.cities[city], xl)
stem = f"plan-{city}-{plan.today.isoformat()}-{xl}"
e1, e2 = st.columns(2)
e1.download_button(t("plan.download_pdf", lang), X.plan_pdf(plan, xl, city_name=cname, profile=profile, res=res),
                   file_name=f"{stem}.pdf", mime="application/pdf", icon=":material/picture_as_pdf:")
e2.download_button(t("plan.download_ics", lang), X.plan_ics(plan, xl, city_name=cname, res=res),
                   file_name=f"{stem}.ics", mime="text/calendar", icon=":material/calendar_month:")
st.caption(t("plan.export_help", lang))
