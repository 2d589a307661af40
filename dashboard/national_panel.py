"""The national panel on Explore: K / R / Z visas, work-permit points per city (work location matters),
permanent-residence routes, and income tax with zone refunds. Rendering only: every number comes from
dashboard.engine.national and dashboard.engine.tax."""

from __future__ import annotations

from typing import Any

import pandas as pd
import streamlit as st

from dashboard.engine.national import k_visa, pr_routes, r_visa, z_visa
from dashboard.engine.profile import Profile
from dashboard.engine.rank import Ranking
from dashboard.i18n import money, t
from dashboard.views import STATUS_ICON, esc

ICON = STATUS_ICON
PLAIN = {"pass": "✓", "fail": "✗", "unknown": "?", "not_applicable": "–"}


def _reason(obj: Any, lang: str) -> str:
    return obj.reason_zh if lang == "zh" else obj.reason_en


def _checks(checks: list[Any], lang: str) -> None:
    for c in checks:  # a check without a name shows its reason alone (never its internal id)
        nm = (c.name_zh if lang == "zh" else c.name_en) or (c.name_en if lang != "zh" else "")
        head = f"**{esc(nm)}**: " if nm else ""
        st.markdown(f"{ICON.get(c.status, '')} {head}{esc(_reason(c, lang))}")


def render_national(profile: Profile, ranking: Ranking, inputs: Any, lang: str, city_names: dict[str, str]) -> None:
    from dashboard import data_access as DA

    nat = inputs.national
    settings = DA.settings()
    kv = k_visa(profile, nat, settings)
    c1, c2 = st.columns(2)
    with c1.container(border=True):
        st.markdown(f"#### {ICON.get(kv.status, '')} {t('nat.k_visa', lang)}")
        st.caption(t("nat.provisional", lang))
        st.markdown(esc(_reason(kv, lang)))
        with st.expander(t("nat.k_checks", lang)):
            _checks(kv.checks, lang)
    with c2.container(border=True):
        st.markdown(f"#### {t('nat.tax', lang)}")
        if profile.annual_salary_cny is None:
            st.markdown(t("nat.tax_needs_salary", lang))
        else:
            any_row = ranking.rows[0].result
            st.metric(t("nat.iit", lang, salary=money(profile.annual_salary_cny, lang)), money(any_row.iit, lang))
            for row in ranking.rows:
                for e in row.result.evaluations:
                    if e.incentive.benefit.form == "tax_refund" and e.status != "ineligible" and e.value.known:
                        st.markdown(t("nat.zone_refund", lang, city=city_names[row.city], name=esc(
                            e.incentive.name_zh if lang == "zh" else e.incentive.name_en),
                            value=money(e.value.expected, lang), status=t(f"status.{e.status}", lang)))

    st.markdown(f"#### {t('nat.permit', lang)}")
    rows = []
    for row in ranking.rows:
        pm = row.result.permit
        if pm is None:
            continue
        rv, zv = r_visa(profile, pm, nat), z_visa(profile, pm, nat)
        pts = f"{pm.points_min}" if pm.points_min == pm.points_max else f"{pm.points_min}–{pm.points_max}"
        rows.append({t("col.city", lang): city_names[row.city], t("nat.points", lang): pts,
                     t("nat.class", lang): f"{PLAIN.get(pm.class_status, '')} {pm.permit_class or '—'}",
                     t("nat.r_visa", lang): f"{PLAIN.get(rv.status, '')} {t('tri.' + rv.status, lang)}",
                     t("nat.z_visa", lang): f"{PLAIN.get(zv.status, '')} {t('tri.' + zv.status, lang)}"})
    if not rows:
        st.markdown(t("nat.permit_na", lang))
        return
    st.dataframe(pd.DataFrame(rows), hide_index=True, width="stretch")
    city = st.selectbox(t("nat.city_detail", lang), [r.city for r in ranking.rows if r.result.permit is not None],
                        format_func=lambda c: city_names[c], key="nat_city")
    pm = ranking.by_city()[city].result.permit
    st.markdown(esc(_reason(pm, lang)))
    facs = [{t("nat.factor", lang): f.name_zh if lang == "zh" else f.name_en,
             t("nat.points", lang): str(f.points) if f.points is not None else f"{f.points_min}–{f.points_max}",
             t("nat.cap", lang): f.cap, t("nat.why", lang): _reason(f, lang)} for f in pm.factors]
    st.dataframe(pd.DataFrame(facs), hide_index=True, width="stretch")
    if pm.next_class is not None:
        hints = pm.next_class.hints_zh if lang == "zh" else pm.next_class.hints_en
        st.markdown(t("nat.next_class", lang, target=pm.next_class.target))
        for h in hints:
            st.markdown(f"- {esc(h)}")
    with st.expander(t("nat.routes", lang)):
        _checks(pm.routes + pm.other_routes, lang)
    with st.expander(t("nat.pr", lang)):
        wage = ranking.by_city()[city].result.local_wage
        _checks(pr_routes(profile, nat, local_annual_wage=wage.value if wage else None, city=city,
                          today=settings.today), lang)
