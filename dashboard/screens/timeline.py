"""Policy timeline: the dated changes of the national scheme and the five cities, 2013-2031 (enactments,
extensions, expiries, windows, announced next steps), filterable by city, topic and kind, with sources; the
scheduled expiries that end something in this profile's results within its horizon are highlighted. The
figure downloads as a PNG for briefings. Wiring only: the selection and the highlights come from
engine.timeline, the figure from timeline_chart."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from dashboard import data_access as DA
from dashboard import timeline_chart as TC
from dashboard.catalog import procedures as P
from dashboard.engine import timeline as TL
from dashboard.i18n import name, t
from dashboard.views import esc, verification_badge

view = st.session_state["view"]
profile, weights, selected, lang = view["profile"], view["weights"], view["cities"], view["lang"]
res = DA.catalog()
inputs = DA.inputs()
today = DA.settings().today
city_names = {c: name(f, lang) for c, f in inputs.cities.items()}

st.title(t("tl.title", lang))
st.caption(t("tl.intro", lang))
tl = res.timeline
if tl is None:
    st.warning(t("tl.unavailable", lang))
    st.stop()

# --- what affects this profile ---------------------------------------------------------------------------
ranking = DA.ranking(profile, weights, selected)
highlights = TL.affecting(tl.events, {r.city: r.result for r in ranking.rows}, today, profile.horizon_years)
end = TL.horizon_end(today, profile.horizon_years)
if highlights:
    st.subheader(t("tl.affects_you", lang, end=end.isoformat(), years=profile.horizon_years))
    for h in highlights:
        ev = h.event
        names = []
        for c, iid, status in h.hits:
            inc = next(i for i in inputs.cities[c].incentives if i.id == iid)
            names.append(f"{city_names[c]}: {name(inc, lang)} ({t('status.' + status, lang)})")
        st.warning(t("tl.affects_line", lang, date=TL.date_label(ev), event=esc(name(ev, lang)),
                     items=esc("; ".join(names))), icon=":material/hourglass_bottom:")
else:
    st.caption(t("tl.nothing_affects", lang, end=end.isoformat()))

# --- filters ---------------------------------------------------------------------------------------------
c1, c2, c3 = st.columns([2, 2, 2])
cities = c1.multiselect(t("cities", lang), list(TL.FIVE), default=[c for c in selected if c in TL.FIVE] or list(TL.FIVE),
                        format_func=lambda c: city_names.get(c, c), key="tl_cities")
topics = c2.multiselect(t("tl.topics", lang), list(P.TOPICS), default=list(P.TOPICS),
                        format_func=lambda v: t(f"tl.topic.{v}", lang), key="tl_topics")
kinds = c3.multiselect(t("tl.kinds", lang), list(P.EVENT_KINDS), default=list(P.EVENT_KINDS),
                       format_func=lambda v: t(f"tl.kind.{v}", lang), key="tl_kinds")
d1, d2, d3 = st.columns([3, 1, 1])
years = d1.slider(t("tl.years", lang), 2013, 2031, (2013, 2031), key="tl_years")
national = d2.toggle(t("tl.national", lang), value=True, key="tl_national")
other = d3.toggle(t("tl.other_regions", lang), value=False, key="tl_other")
shown = TL.select(tl.events, cities=cities, national=national, other=other, topics=topics, kinds=kinds, years=years)
pending = TL.select(tl.events, cities=cities, national=national, other=other, topics=topics, kinds=kinds, undated=True)
pending = [e for e in pending if e.date is None]

labels = TC.labels(lang)
hl_ids = [h.event.id for h in highlights]
st.markdown(t("tl.count", lang, n=len(shown), total=len(tl.events)))
if shown:
    fig = TC.timeline_figure(shown, labels, lang=lang, today=today, highlight=hl_ids)
    st.plotly_chart(fig, key="timeline_chart", config={"displaylogo": False})
    if st.button(t("tl.prepare_png", lang), icon=":material/image:", key="tl_png"):
        try:
            st.session_state["tl_png_bytes"] = TC.to_png(fig)
        except Exception as e:  # kaleido or chromium missing: say so and keep the page
            st.session_state.pop("tl_png_bytes", None)
            st.warning(t("tl.png_failed", lang, why=esc(str(e)[:200])))
    if st.session_state.get("tl_png_bytes"):
        st.download_button(t("tl.download_png", lang), st.session_state["tl_png_bytes"],
                           file_name=f"policy-timeline-{today.isoformat()}-{lang}.png", mime="image/png",
                           icon=":material/download:", key="tl_png_download")
else:
    st.markdown(t("tl.none", lang))

# --- the events with their sources -----------------------------------------------------------------------
st.subheader(t("tl.events", lang))


def first_url(ev: P.TimelineEvent) -> str | None:
    for sid in ev.sources:
        s = P.resolve(f"timeline:{sid}", res)
        if s is not None and s.url:
            return s.url
    return None


rows = [{t("tl.col.date", lang): TL.date_label(e), t("tl.col.level", lang): t(f"tl.lane.{e.level}", lang),
         t("tl.col.kind", lang): t(f"tl.kind.{e.kind}", lang), t("tl.col.topic", lang): t(f"tl.topic.{e.topic}", lang),
         t("tl.col.event", lang): name(e, lang), t("tl.col.until", lang): e.until.isoformat() if e.until else "",
         t("verification", lang): verification_badge(e.verification, lang, plain=True),
         t("tl.col.affects", lang): "⚑" if e.id in hl_ids else "", t("tl.col.source", lang): first_url(e)}
        for e in shown]
if rows:
    st.dataframe(pd.DataFrame(rows), hide_index=True, width="stretch", key="tl_table",
                 column_config={t("tl.col.source", lang): st.column_config.LinkColumn(t("tl.col.source", lang))})
if pending:
    st.markdown(f"**{t('tl.pending', lang)}**")
    for e in pending:
        st.markdown(f"- {esc(name(e, lang))} · {verification_badge(e.verification, lang)}")
with st.expander(t("tl.all_sources", lang)):
    for e in [*shown, *pending]:
        lines = []
        for sid in e.sources:
            s = P.resolve(f"timeline:{sid}", res)
            if s is None:
                continue
            when = s.published.isoformat() if s.published else t("retrieved_on", lang, date=s.retrieved.isoformat())
            title = esc(s.title[:150])
            lines.append(f"[{title}]({s.url})" if s.url else title)
            lines[-1] += f" · {esc(s.issuer)} · {when}"
        head = f"**{TL.date_label(e) or t('tl.undated', lang)}** {esc(name(e, lang))}"
        note = e.note_zh if lang == "zh" else e.note_en
        st.markdown(head + (f"  \n{esc(note)}" if note else "") + "".join(f"\n  - {x}" for x in lines)
                    if lines else head + f" · {t('tl.no_source', lang)}")
