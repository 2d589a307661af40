"""Sources: the whole catalog, browsable, with amounts, conditions in plain words, scope, status,
verification and the documents behind every figure. Proof that the data is real and visible."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from dashboard import data_access as DA
from dashboard import views
from dashboard.catalog import schema as S
from dashboard.catalog_table import catalog_frame
from dashboard.i18n import money, name, t
from dashboard.source_charts import source_kinds_chart

view = st.session_state["view"]
lang = view["lang"]
res = DA.catalog()
inputs = DA.inputs()

st.title(t("sources.title", lang))
st.caption(t("sources.intro", lang))

df = catalog_frame(inputs.cities, lang)
c1, c2, c3, c4 = st.columns(4)
cities = c1.multiselect(t("cities", lang), sorted(inputs.cities), format_func=lambda c: name(inputs.cities[c], lang))
cats = c2.multiselect(t("category", lang), list(S.CATEGORIES), format_func=lambda c: t(f"cat.{c}", lang))
levels = c3.multiselect(t("verification", lang), list(S.VERIFICATIONS),
                        format_func=lambda v: views.verification_badge(v, lang, plain=True))
text = c4.text_input(t("search", lang), max_chars=100)
show_history = st.toggle(t("show_expired", lang), value=False)

view_df = df
if cities:
    view_df = view_df[view_df["city_id"].isin(cities)]
if cats:
    view_df = view_df[view_df["category_id"].isin(cats)]
if levels:
    view_df = view_df[view_df["verification_id"].isin(levels)]
if not show_history:
    view_df = view_df[view_df["policy_status_id"] != "expired"]
if text:
    mask = pd.Series(False, index=view_df.index)
    for col in ("name", "name_other", "conditions", "amount", "scope", "id"):
        mask |= view_df[col].astype(str).str.contains(text, case=False, regex=False)
    view_df = view_df[mask]

st.markdown(t("sources.count", lang, n=len(view_df), total=len(df)))
shown = [c for c in view_df.columns if not c.endswith("_id") and c not in ("name_other",)]
st.dataframe(view_df[shown], hide_index=True, width="stretch",
             column_config={"source_url": st.column_config.LinkColumn(t("col.source_url", lang)),
                            **{c: t(f"col.{c}", lang) for c in shown if c != "source_url"}})
st.download_button(t("download_csv", lang), view_df.to_csv(index=False).encode("utf-8-sig"),
                   file_name=f"talent-incentives-{DA.settings().today.isoformat()}.csv", mime="text/csv")

st.subheader(t("health.title", lang))
st.caption(t("health.intro", lang))
report = DA.health()
city_names = {c: name(f, lang) for c, f in inputs.cities.items()}
st.dataframe(pd.DataFrame([{
    t("health.col.city", lang): city_names.get(c["city"], c["city"]),
    t("health.col.sources", lang): c["sources"],
    t("health.col.official", lang): c["official_sources"],
    t("health.col.weak_only", lang): len(c["weak_only"]),
    t("health.col.unresolved", lang): len(c["unresolved_status"]),
    t("health.col.stale", lang): len(c["stale_sources"]),
    t("health.col.value", lang): money(c["counted_value"], lang),
    t("health.col.value_official", lang): "—" if c["share_counted_official"] is None
    else f"{c['share_counted_official']:.0%}",
} for c in report["cities"]]), hide_index=True, width="stretch")
labels = {"title": t("health.chart", lang), "xaxis": t("health.xaxis", lang),
          **{f"kind.{k}": t(f"kind.{k}", lang) for k in S.SOURCE_KINDS}}
st.plotly_chart(source_kinds_chart(report, labels, city_names), config={"displaylogo": False})
weak = [(c["city"], i) for c in report["cities"] for i in c["weak_only"]]
if weak:
    with st.expander(f"{t('health.weak_list', lang)} ({len(weak)})"):
        for cid, iid in weak:
            inc = next(i for i in inputs.cities[cid].incentives if i.id == iid)
            st.markdown(f"- **{views.esc(city_names[cid])}** · {views.esc(name(inc, lang))}")

st.subheader(t("sources.absences", lang))
for _cid, city in sorted(inputs.cities.items()):
    for a in city.absences:
        st.markdown(f"- **{views.esc(name(city, lang))}** · {t(f'cat.{a.category}', lang)}: "
                    f"{views.esc(name(a, lang, 'statement'))} ({views.verification_badge(a.verification, lang)})")

st.subheader(t("sources.freshness", lang))
fresh = []
for _cid, city in sorted(inputs.cities.items()):
    dates = [s.retrieved for s in city.sources]
    pubs = [s.published for s in city.sources if s.published]
    fresh.append({t("col.city", lang): name(city, lang), t("col.as_of", lang): city.as_of.isoformat(),
                  t("col.sources", lang): len(city.sources),
                  t("col.newest_published", lang): max(pubs).isoformat() if pubs else "—",
                  t("col.oldest_published", lang): min(pubs).isoformat() if pubs else "—",
                  t("col.retrieved", lang): max(dates).isoformat()})
st.dataframe(pd.DataFrame(fresh), hide_index=True, width="stretch")
if res.warnings:
    with st.expander(t("stale_warnings", lang, n=len(res.warnings))):
        for p in res.warnings:
            st.markdown(f"- `{views.esc(str(p))}`")
