"""Explore: a graduate's whole answer on one screen. Where each city ranks, what you get there, why not
elsewhere, how sure the ranking is, and what would change it."""

from __future__ import annotations

import streamlit as st

from dashboard import charts, map_data, maps, takehome_view, views
from dashboard import data_access as DA
from dashboard import provenance as PV
from dashboard.engine.rank import gaps_to_leader
from dashboard.i18n import money, name, t
from dashboard.views import esc

view = st.session_state["view"]
profile, weights, selected, lang = view["profile"], view["weights"], view["cities"], view["lang"]
inputs = DA.inputs()
city_names = {c: name(f, lang) for c, f in inputs.cities.items()}
plot_names = {c: map_data.plotly_text(n) for c, n in city_names.items()}  # plotly reads <a>, <b> in labels

st.title(t("explore.title", lang))
st.caption(t("explore.intro", lang))

ranking = DA.ranking(profile, weights, selected)

# --- 1. the ranked cities ---------------------------------------------------------------------------------
st.subheader(t("ranking", lang))
cols = st.columns(len(ranking.rows))
for col, row in zip(cols, ranking.rows, strict=True):
    r = row.result
    with col.container(border=True):
        st.markdown(f"### {row.rank}. {esc(city_names[row.city])}")
        st.markdown(f"**{t('sure_value', lang, years=profile.horizon_years)}**", help=t("value_help", lang))
        st.markdown(f"#### {money(r.total.expected, lang)}")
        st.caption(PV.value_line(PV.value_provenance(inputs.cities.get(row.city), r.evaluations), lang),
                   help=t("prov.card", lang))
        if r.total.high > r.total.expected + 1:
            st.caption(t("range_line", lang, low=money(r.total.low, lang), high=money(r.total.high, lang)))
        st.caption(t("score_line", lang, score=f"{row.score:.0f}", lo=row.rank_min, hi=row.rank_max))
        if r.total.possible_count:
            st.caption(t("possible_line", lang, n=r.total.possible_count))
        if r.zone:
            zone = next(e.incentive.scope for e in r.evaluations if e.incentive.scope.name_en == r.zone)
            st.caption(t("zone_line", lang, zone=esc(name(zone, lang))))
        top = sorted(r.eligible(), key=lambda e: -(e.value.expected + 1e4 * e.value.status_points))[:3]
        for e in top:
            st.markdown(f"- {esc(name(e.incentive, lang))}")
        if not top:
            st.markdown(t("nothing_certain", lang))
        best_dim = max(row.dims, key=lambda d: row.dims[d] * weights.get(d, 0))
        st.caption(t("why_line", lang, dim=t(f"dim.{best_dim}", lang)))

# --- 2. the map --------------------------------------------------------------------------------------------
pts = DA.geo_points()
outl = DA.outlines()
if isinstance(pts, Exception) or isinstance(outl, Exception):
    st.warning(t("map_unavailable", lang, why=str(pts if isinstance(pts, Exception) else outl)))
else:
    fig = map_data.map_figure(ranking, inputs, lang, points=pts, outlines=outl, horizon_years=profile.horizon_years)
    st.plotly_chart(fig, config=maps.PLOTLY_CONFIG, key="map")

# --- 3. by category and sensitivity ------------------------------------------------------------------------
c1, c2 = st.columns([3, 2])
cat_labels = {f"cat.{c}": t(f"cat.{c}", lang) for c in views.S.CATEGORIES} | {
    "title": t("breakdown.title", lang), "yaxis": t("breakdown.yaxis", lang)}
c1.plotly_chart(charts.category_breakdown(ranking, cat_labels, plot_names), key="breakdown")
c2.plotly_chart(charts.sensitivity_chart(ranking, {"title": t("sens.title", lang), "xaxis": t("sens.xaxis", lang),
                                                   "rank": t("rank", lang)}, plot_names), key="sensitivity")
c2.caption(t("sens.caption", lang, n=ranking.draws))
takehome_view.render(profile, [r.result for r in ranking.rows], inputs, DA.settings(), lang, city_names, key="explore")

# --- 4. why not elsewhere, and what would change it --------------------------------------------------------
leader = ranking.leader
st.subheader(t("why_not", lang, leader=esc(city_names[leader.city])))
for row in ranking.rows[1:]:
    gaps = gaps_to_leader(ranking, row.city)
    with st.expander(f"{row.rank}. {esc(city_names[row.city])}: " + t("gap_total", lang, gap=money(
            leader.result.total.expected - row.result.total.expected, lang))):
        if not gaps:
            st.markdown(t("no_gap", lang))
        for g in gaps:
            items = ", ".join(name(e.incentive, lang) for e in g.leader_items) or "—"
            st.markdown(t("gap_line", lang, cat=t(f"cat.{g.category}", lang), leader=esc(city_names[leader.city]),
                          lv=money(g.leader_expected, lang), cv=money(g.city_expected, lang), items=esc(items)))

st.subheader(t("what_changes", lang))
changes = DA.changes(profile, weights, selected)
if not changes:
    st.markdown(t("no_change_found", lang))
for ch in changes:
    if ch.kind == "weight":
        label = t("raise_weight", lang, dim=t(f"dim.{ch.detail['dimension']}", lang), n=f"{ch.detail['add']:.1f}")
    else:
        label = ch.label_zh if lang == "zh" else ch.label_en
    st.markdown(f"- {esc(label)} → **{esc(city_names.get(ch.new_leader, ch.new_leader))}** " + t("becomes_first", lang))

# --- 5. per city: what you get, what you might get, what you miss ------------------------------------------
st.subheader(t("details", lang))
# Lazy tabs: only the open tab's incentives are built and sent. All five cities' details were ~1,500 elements
# on every rerun, the largest cost for the server and the browser under load (benchmarks/load.py).
tabs = st.tabs([f"{r.rank}. {esc(city_names[r.city])}" for r in ranking.rows], key="details_tab", on_change="rerun")
for tab, row in zip(tabs, ranking.rows, strict=True):
    if tab.open is False:
        continue
    city = inputs.cities[row.city]
    r = row.result
    with tab:
        if row.user_supplied:
            st.warning(t("user_supplied", lang))
        groups = [("eligible", [e for e in r.evaluations if e.status == "eligible"]),
                  ("possible", [e for e in r.evaluations if e.status == "possible"]),
                  ("ineligible", [e for e in r.evaluations if e.status == "ineligible"])]
        for status, evs in groups:
            st.markdown(f"#### {views.status_label(status, lang)} ({len(evs)})")
            if status == "possible":
                st.caption(t("possible_help", lang))
            if status == "ineligible":
                st.caption(t("ineligible_help", lang))
            for e in sorted(evs, key=lambda e: (-e.value.expected, e.id)):
                head = f"{esc(name(e.incentive, lang))} · {views.amount_text(e, lang)} · {esc(views.scope_label(e.incentive, lang))}"
                if e.outside_zone or e.excluded_by:
                    head += " · " + t("not_counted", lang)
                # Lazy: an incentive's details are built when its expander is opened (one rerun), not on every
                # rerun for every incentive: ~30% of a rerun's server time under load (benchmarks/load.py).
                with st.expander(head, icon=views.STATUS_MATERIAL[e.status], key=f"inc_{row.city}_{e.id}",
                                 on_change="rerun") as box:
                    if box.open is not False:
                        views.incentive_detail(e, city, lang)
        if city.absences:
            st.markdown(f"#### {t('absences', lang)}")
            for a in city.absences:
                st.markdown(f"- {esc(name(a, lang, 'statement'))} ({views.verification_badge(a.verification, lang)})")

# --- 6. the national scheme --------------------------------------------------------------------------------
st.subheader(t("national", lang))
if inputs.national is None:
    st.warning(t("national_unavailable", lang))
else:
    from dashboard.national_panel import render_national

    render_national(profile, ranking, inputs, lang, city_names)
