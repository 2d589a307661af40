"""What you keep: a gross-to-left waterfall per city and a table, for Explore and Compare (one call each:
``render``). Figures come from engine/takehome.py; this module only lays them out and translates them.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import pandas as pd
import plotly.graph_objects as go

from dashboard.engine.takehome import TakeHome
from dashboard.i18n import money, t
from dashboard.maps import FONT_FAMILY

STEPS = ("social_insurance", "housing_fund", "iit", "rent", "incentives")


def _step_amounts(row: TakeHome) -> dict[str, float | None]:
    return {"social_insurance": row.social_insurance, "housing_fund": row.housing_fund, "iit": row.iit,
            "rent": row.rent, "incentives": row.incentives_per_year}


def waterfall(row: TakeHome, lang: str, city_name: str) -> go.Figure:
    """Gross, minus each deduction, plus incentives, = left. An unknown part is drawn as 0 and labelled
    "unknown"; the last bar is then the upper estimate and says so."""
    amounts = _step_amounts(row)
    x = [t("th.gross", lang)]
    y = [row.gross]
    text = [money(row.gross, lang)]
    measure = ["absolute"]
    for k in STEPS:
        v = amounts[k]
        label = t(f"th.{k}", lang)
        x.append(label)
        measure.append("relative")
        if v is None:
            y.append(0.0)
            text.append(t("th.unknown_part", lang))
        else:
            sign = 1 if k == "incentives" else -1
            y.append(sign * v)
            text.append(("+" if sign > 0 else "−") + money(v, lang))
    left = row.best_left
    x.append(t("th.left" if row.left is not None else "th.left_upper", lang))
    y.append(left or 0.0)
    measure.append("total")
    text.append(money(left, lang))
    fig = go.Figure(go.Waterfall(
        x=x, y=y, measure=measure, text=text, textposition="outside", cliponaxis=False,
        connector={"line": {"color": "#999"}}, decreasing={"marker": {"color": "#D55E00"}},
        increasing={"marker": {"color": "#009E73"}}, totals={"marker": {"color": "#0072B2"}},
        hovertemplate="%{x}: %{text}<extra></extra>"))
    fig.update_layout(title=t("th.chart_title", lang, city=city_name), font={"family": FONT_FAMILY}, height=340,
                      margin={"t": 50, "b": 40, "l": 10, "r": 10}, showlegend=False,
                      yaxis={"title": None, "tickformat": ",.0f"}, xaxis={"automargin": True})
    return fig


def table(rows: Sequence[TakeHome], lang: str, city_names: Mapping[str, str]) -> pd.DataFrame:
    """One row per city: every step of the waterfall, in the page's language."""
    out = []
    for r in rows:
        a = _step_amounts(r)
        out.append({t("pop.col.city", lang): city_names.get(r.city, r.city), t("th.gross", lang): money(r.gross, lang),
                    **{t(f"th.{k}", lang): money(a[k], lang) for k in STEPS},
                    t("th.col.deductions", lang): money(sum(r.deductions.values()), lang),
                    t("th.col.taxable", lang): money(r.taxable_income, lang),
                    t("th.left" if r.left is not None else "th.left_upper", lang): money(r.best_left, lang),
                    t("th.col.horizon", lang, years=r.horizon_years): money(
                        None if r.best_left is None else r.best_left * r.horizon_years, lang),
                    t("th.col.left_years", lang): "—" if r.left_in_wage_years is None else f"{r.left_in_wage_years:.2f}"})
    return pd.DataFrame(out)


def compute(profile: Any, results: Sequence[Any], inputs: Any, settings: Any) -> list[TakeHome]:
    from dashboard.engine.takehome import take_home_for

    return take_home_for(profile, inputs, settings, cities=[r.city for r in results], results=results)


def render(profile: Any, results: Sequence[Any], inputs: Any, settings: Any, lang: str,
           city_names: Mapping[str, str], *, key: str) -> None:
    """The "what you keep" section: intro, one waterfall per city (two columns), the table and the notes."""
    import streamlit as st

    from dashboard.map_data import plotly_text
    from dashboard.views import esc

    st.subheader(t("th.title", lang))
    st.caption(t("th.intro", lang))
    if profile.annual_salary_cny is None:
        st.info(t("th.no_salary", lang))
        return
    try:
        rows = compute(profile, results, inputs, settings)
    except ValueError as e:
        st.warning(t("th.unavailable", lang, why=esc(str(e))))
        return
    cols = st.columns(2)  # a grid, not tabs: every city's chart is there at once (and no widget state)
    for i, r in enumerate(rows):
        with cols[i % 2]:
            st.plotly_chart(waterfall(r, lang, plotly_text(city_names.get(r.city, r.city))), key=f"{key}_wf_{r.city}")
            notes = r.notes_en if lang == "en" else r.notes_zh
            for n in notes:
                st.caption(esc(n))
            if r.verification:
                from dashboard.views import verification_badge

                items = "; ".join(f"{t(f'th.part.{k}', lang)}: {verification_badge(v, lang, plain=True)}"
                                  for k, v in sorted(r.verification.items()))
                st.caption(t("th.verification", lang, items=items))
            st.caption(t("th.sources", lang, ids=", ".join(f"`{s}`" for s in r.sources)))  # ids as code
    st.dataframe(table(rows, lang, city_names), hide_index=True, width="stretch")
