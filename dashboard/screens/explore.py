"""Explore: a graduate's whole answer, the answer first. One row per city (can you be there, sure money,
"up to", the first step), then the map and each city's card; the long lists (every incentive, why not
elsewhere, what would change the top city, the national scheme's reasons) are built only when opened, so a
widget change redraws little (benchmarks/bench_pages.py)."""

from __future__ import annotations

import streamlit as st

from dashboard import answer, answer_view, explore_lists, maps, takehome_view
from dashboard import data_access as DA
from dashboard import figure_cache as FC
from dashboard import provenance as PV
from dashboard.engine.deadlines import build_plan
from dashboard.engine.national import k_visa
from dashboard.engine.rank import gaps_to_leader
from dashboard.i18n import money, name, t
from dashboard.views import esc

view = st.session_state["view"]
profile, weights, selected, lang = view["profile"], view["weights"], view["cities"], view["lang"]
inputs = DA.inputs()
city_names = {c: name(f, lang) for c, f in inputs.cities.items()}

ranking = DA.ranking(profile, weights, selected)
st.title(t("explore.title", lang, n=len(ranking.rows)))

# --- 1. the answer, one row per city ----------------------------------------------------------------------
settings = DA.settings()
kv = k_visa(profile, inputs.national, settings) if inputs.national is not None else None
procs = DA.catalog().procedures
plans = {r.city: build_plan(profile, r.city, inputs, settings, procs, result=r.result) for r in ranking.rows}
answers = answer.build(ranking, profile, kv, plans, lang, city_names)
answer_view.render(answers, lang, profile.horizon_years, st.query_params.to_dict())
st.caption(t("explore.intro", lang))


def card(row, best_source: str | None = None) -> str:
    """One city's card as one Markdown block (one element, not ten: a rerun sends and redraws less).
    ``best_source`` is a slot for the source-kind badge (issue 10): nothing by default."""
    r = row.result
    lines = [f"#### {row.rank}. {esc(city_names[row.city])}",
             f"**{t('ex.sure', lang, years=profile.horizon_years)}**  \n**{esc(money(r.total.low, lang))}**"]
    small = []
    if r.total.high > r.total.low + 1:
        small.append(t("ex.up_to_line", lang, high=money(r.total.high, lang)) + " · "
                     + t("ex.scored_at", lang, x=money(r.total.expected, lang)))
    small.append(t("score_line", lang, score=f"{row.score:.0f}", lo=row.rank_min, hi=row.rank_max))
    if r.total.possible_count:
        small.append(t("possible_line", lang, n=r.total.possible_count))
    if r.zone:
        zone = next(e.incentive.scope for e in r.evaluations if e.incentive.scope.name_en == r.zone)
        small.append(t("zone_line", lang, zone=name(zone, lang)))
    lines.append("  \n".join(f":gray[{esc(x)}]" for x in small))
    top = sorted(r.eligible(), key=lambda e: -(e.value.expected + 1e4 * e.value.status_points))[:3]
    lines.append("\n".join(f"- {esc(name(e.incentive, lang))}" for e in top) if top else t("nothing_certain", lang))
    best_dim = max(row.dims, key=lambda d: row.dims[d] * weights.get(d, 0))
    tail = f":gray[{esc(t('why_line', lang, dim=t(f'dim.{best_dim}', lang)))}]"
    if best_source:  # our own Markdown (badges), not escaped
        tail += "  \n" + best_source
    lines.append(tail)
    return "\n\n".join(lines)


# --- 2. the map, drawn directly (inside tabs it was re-created on every rerun: bench_pages); the two charts
# below it are built only when their expander is opened -------------------------------------------------
pts = DA.geo_points()
outl = DA.outlines()
if isinstance(pts, Exception) or isinstance(outl, Exception):
    st.warning(t("map_unavailable", lang, why=str(pts if isinstance(pts, Exception) else outl)))
else:
    fig = FC.map_figure(ranking, lang, profile.horizon_years, pts, outl)  # cached by what it shows (figure_cache)
    st.plotly_chart(fig, config=maps.PLOTLY_CONFIG, key="map")
with st.expander(t("ex.figures_open", lang), key="ex_figures", on_change="rerun", icon=":material/bar_chart:") as box:
    if box.open:
        c1, c2 = st.columns([3, 2])
        key = DA.ranking_key(profile, weights, selected)  # figures are cached under their ranking's key
        c1.plotly_chart(FC.breakdown(key, ranking, lang), key="breakdown")
        c2.plotly_chart(FC.sensitivity(key, lang), key="sensitivity")
        c2.caption(t("sens.caption", lang, n=ranking.draws))

# --- 3. each city's card -----------------------------------------------------------------------------------
st.subheader(t("ex.cards", lang))
for col, row in zip(st.columns(len(ranking.rows)), ranking.rows, strict=True):
    prov = PV.value_line(PV.value_provenance(inputs.cities.get(row.city), row.result.evaluations), lang)
    col.container(border=True).markdown(card(row, best_source=prov), help=t("value_help", lang))
takehome_view.render(profile, [r.result for r in ranking.rows], inputs, DA.settings(), lang, city_names, key="explore")

# --- 4. the long lists, each built only when opened --------------------------------------------------------
leader = ranking.leader
with st.expander(t("why_not", lang, leader=esc(city_names[leader.city])), key="ex_why_not", on_change="rerun",
                 icon=":material/help:") as box:
    if box.open:
        for row in ranking.rows[1:]:
            gaps = gaps_to_leader(ranking, row.city)
            st.markdown(f"**{row.rank}. {esc(city_names[row.city])}**: " + t("gap_total", lang, gap=money(
                leader.result.total.expected - row.result.total.expected, lang)))
            if not gaps:
                st.markdown(t("no_gap", lang))
            lines = []
            for g in gaps:
                items = ", ".join(name(e.incentive, lang) for e in g.leader_items) or "—"
                lines.append("- " + t("gap_line", lang, cat=t(f"cat.{g.category}", lang),
                                      leader=esc(city_names[leader.city]), lv=money(g.leader_expected, lang),
                                      cv=money(g.city_expected, lang), items=esc(items)))
            if lines:
                st.markdown("\n".join(lines))

with st.expander(t("what_changes", lang), key="ex_changes", on_change="rerun", icon=":material/swap_vert:") as box:
    if box.open:
        changes = DA.changes(profile, weights, selected)
        explore_lists.render_changes(changes, lang, city_names)

with st.expander(t("ex.details_open", lang), key="ex_details", on_change="rerun", icon=":material/list:") as box:
    if box.open:
        # Lazy tabs: only the open tab's incentives are built and sent (benchmarks/load.py).
        tabs = st.tabs([f"{r.rank}. {esc(city_names[r.city])}" for r in ranking.rows], key="details_tab",
                       on_change="rerun")
        for tab, row in zip(tabs, ranking.rows, strict=True):
            if tab.open is False:
                continue
            with tab:
                explore_lists.city_details(row, inputs.cities[row.city], lang)

with st.expander(t("ans.why", lang), key="ex_national", on_change="rerun", icon=":material/badge:") as box:
    if box.open:
        if inputs.national is None:
            st.warning(t("national_unavailable", lang))
        else:
            from dashboard.national_panel import render_national

            render_national(profile, ranking, inputs, lang, city_names)
