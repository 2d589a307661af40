"""Method: how eligibility, value, scores and ranks are computed, worked through with the profile's own
numbers; data freshness and known gaps."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from dashboard import data_access as DA
from dashboard.catalog import schema as S
from dashboard.engine import score as SC
from dashboard.engine.value import STATUS_POINTS
from dashboard.i18n import money, name, t
from dashboard.views import esc, flag_lines

view = st.session_state["view"]
profile, weights, selected, lang = view["profile"], view["weights"], view["cities"], view["lang"]
inputs = DA.inputs()
settings = DA.settings()
city_names = {c: name(f, lang) for c, f in inputs.cities.items()}
ranking = DA.ranking(profile, weights, selected)
leader = ranking.leader

st.title(t("method.title", lang))

st.header(t("method.eligibility", lang))
st.markdown(t("method.eligibility_text", lang))

st.header(t("method.value", lang))
st.markdown(t("method.value_text", lang, horizon=profile.horizon_years, rate=f"{profile.discount_rate:.0%}",
              share=f"{settings.discretionary_expected_share:.0%}", flat=f"{settings.rent_flat_m2:g}"))
example = max(leader.result.eligible(), key=lambda e: e.value.expected, default=None)
if example is not None:
    st.markdown(t("method.example", lang, name=esc(name(example.incentive, lang)), city=esc(city_names[leader.city]),
                  rule=esc(example.value.rule_zh if lang == "zh" else example.value.rule_en),
                  value=money(example.value.expected, lang)))
    if example.value.payments:
        pays = pd.DataFrame([{t("col.years", lang): round(p.years, 2), t("col.nominal", lang): round(p.amount),
                              t("col.discounted", lang): round(p.amount * (1 + profile.discount_rate) ** -p.years)}
                             for p in example.value.payments[:24]])
        st.dataframe(pays, hide_index=True)
st.markdown(t("method.status_points", lang))
st.dataframe(pd.DataFrame([{t("col.kind", lang): t(f"status_kind.{k}", lang), t("col.points", lang): v}
                           for k, v in STATUS_POINTS.items()]), hide_index=True)

st.header(t("method.score", lang))
st.markdown(t("method.score_text", lang))
dims = pd.DataFrame([{t("col.city", lang): city_names[r.city], **{t(f"dim.{d}", lang): round(r.raw[d], 3) for d in SC.DIMENSIONS}}
                     for r in ranking.rows])
st.markdown(t("method.raw", lang))
st.dataframe(dims, hide_index=True)
norm = pd.DataFrame([{t("col.city", lang): city_names[r.city], **{t(f"dim.{d}", lang): round(r.dims[d], 3) for d in SC.DIMENSIONS},
                      t("col.score", lang): round(r.score, 1), t("rank", lang): r.rank,
                      t("col.rank_range", lang): f"{r.rank_min}–{r.rank_max}"} for r in ranking.rows])
st.markdown(t("method.norm", lang, weights=", ".join(f"{t(f'dim.{d}', lang)} {w:g}" for d, w in weights.items())))
st.dataframe(norm, hide_index=True)
contrib = " + ".join(f"{weights[d]:g}×{leader.dims[d]:.2f}" for d in SC.DIMENSIONS)
st.markdown(t("method.worked", lang, city=esc(city_names[leader.city]), contrib=contrib, total=f"{sum(weights.values()):g}",
              score=f"{leader.score:.1f}"))
st.markdown(t("method.sensitivity", lang, n=ranking.draws, k=f"{SC.SENSITIVITY_CONCENTRATION:g}"))
for line in flag_lines(ranking.flags, lang, city_names):
    st.caption(f":orange[:material/warning:] {line}")

st.header(t("method.kinds", lang))
st.markdown(t("method.kinds_text", lang))

st.header(t("method.freshness", lang))
rows = []
for _cid, city in sorted(inputs.cities.items()):
    counts = pd.Series([i.verification for i in city.incentives]).value_counts().to_dict()
    rows.append({t("col.city", lang): name(city, lang), t("col.as_of", lang): city.as_of.isoformat(),
                 t("col.incentives", lang): len(city.incentives),
                 **{t(f"verify.{v}", lang): counts.get(v, 0) for v in S.VERIFICATIONS},
                 t("col.status_unknown", lang): sum(i.status == "unknown" for i in city.incentives)})
st.dataframe(pd.DataFrame(rows), hide_index=True)
wage_rows = []
for r in ranking.rows:
    w, rent = r.result.local_wage, r.result.market_rent
    wage_rows.append({t("col.city", lang): city_names[r.city],
                      t("col.wage", lang): f"{w.value:,.0f} ({w.year}, {w.figure_id})" if w else t("unknown", lang),
                      t("col.rent", lang): f"{rent.value:,.1f} ({rent.year}, {rent.figure_id})" if rent else t("unknown", lang)})
st.markdown(t("method.reference", lang))
st.dataframe(pd.DataFrame(wage_rows), hide_index=True)

st.header(t("method.gaps", lang))
st.markdown(t("method.gaps_text", lang))
