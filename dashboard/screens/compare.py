"""Compare: two to five cities side by side, per category and per incentive, for the current profile."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from dashboard import data_access as DA
from dashboard import takehome_view, views
from dashboard.catalog import schema as S
from dashboard.catalog_table import amount_text, condition_text
from dashboard.i18n import money, name, t

view = st.session_state["view"]
profile, weights, selected, lang = view["profile"], view["weights"], view["cities"], view["lang"]
inputs = DA.inputs()
city_names = {c: name(f, lang) for c, f in inputs.cities.items()}
ranking = DA.ranking(profile, weights, selected)

st.title(t("compare.title", lang))
default = [r.city for r in ranking.rows[:3]]
chosen = st.multiselect(t("compare.choose", lang), [r.city for r in ranking.rows], default=default, max_selections=5,
                        format_func=lambda c: city_names[c], key="compare_cities")
if len(chosen) < 2:
    st.info(t("compare.need_two", lang))
    st.stop()
by_city = ranking.by_city()

st.subheader(t("compare.by_category", lang))
table = {t("col.category", lang): [t(f"cat.{c}", lang) for c in S.CATEGORIES] + [t("total", lang), t("rank", lang)]}
for c in chosen:
    r = by_city[c].result
    table[city_names[c]] = [money(r.by_category[cat].expected, lang) for cat in S.CATEGORIES] + [
        money(r.total.expected, lang), f"{by_city[c].rank} ({by_city[c].rank_min}–{by_city[c].rank_max})"]
st.dataframe(pd.DataFrame(table), hide_index=True, width="stretch")
takehome_view.render(profile, [by_city[c].result for c in chosen], inputs, DA.settings(), lang, city_names, key="compare")

st.subheader(t("compare.by_incentive", lang))
cat = st.segmented_control(t("category", lang), list(S.CATEGORIES), default="living",
                           format_func=lambda c: t(f"cat.{c}", lang), key="compare_cat") or "living"
rows = []
for c in chosen:
    city = inputs.cities[c]
    srcs = {s.id: s for s in city.sources}
    for e in by_city[c].result.evaluations:
        inc = e.incentive
        if inc.category != cat or inc.status == "expired":
            continue
        first = srcs.get(inc.sources[0])
        rows.append({t("col.city", lang): city_names[c], t("col.name", lang): name(inc, lang),
                     t("col.you", lang): views.status_label(e.status, lang, plain=True),
                     t("col.amount", lang): amount_text(inc, lang),
                     t("col.value", lang): money(e.value.expected, lang) if e.value.money and e.status != "ineligible" else "—",
                     t("col.conditions", lang): "; ".join(condition_text(x, lang) for x in inc.conditions),
                     t("col.scope", lang): views.scope_label(inc, lang),
                     t("col.policy_status", lang): t(f"policy.{inc.status}", lang),
                     t("col.verification", lang): views.verification_badge(inc.verification, lang, plain=True),
                     t("col.source_url", lang): first.url if first else None})
if rows:
    st.dataframe(pd.DataFrame(rows), hide_index=True, width="stretch",
                 column_config={t("col.source_url", lang): st.column_config.LinkColumn()})
else:
    st.markdown(t("compare.none_in_category", lang))
for c in chosen:
    for a in inputs.cities[c].absences:
        if a.category == cat:
            st.caption(f"{city_names[c]}: {views.esc(name(a, lang, 'statement'))}")
