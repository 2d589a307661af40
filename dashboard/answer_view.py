"""Streamlit rendering of the answer row (dashboard/answer.py builds it): one bordered row per city, the
city's rank and name, whether and how the profile can be there, the money, and the first step with a link
that opens the Plan on that city. Wiring only."""

from __future__ import annotations

from typing import Any

import streamlit as st

from dashboard.answer import ICON, Answer
from dashboard.i18n import t
from dashboard.views import esc

PLAN_PAGE = "screens/plan.py"


def render(answers: list[Answer], lang: str, years: int, query: dict[str, Any]) -> None:
    st.caption(t("ans.caption", lang, years=years))
    for a in answers:
        with st.container(border=True, key=f"ans_{a.city}"):
            c1, c2, c3, c4 = st.columns([1.4, 3.2, 2.2, 2.6], vertical_alignment="center")
            c1.markdown(f"### {a.rank}. {esc(a.city_name)}")
            c2.markdown("  \n".join(f"{ICON.get(x.status, '')} {esc(x.text)}" for x in a.access))
            money = f"**{esc(t('ans.sure', lang, amount=a.sure))}**"
            if a.up_to:
                money += " · " + esc(t("ans.up_to", lang, amount=a.up_to))
            if a.possible:
                money += "  \n" + esc(t("ans.possible", lang, n=a.possible))
            c3.markdown(money)
            c4.markdown(esc(a.next_step) if a.next_step else t("ans.no_step", lang))
            c4.page_link(PLAN_PAGE, label=t("ans.open_plan", lang), icon=":material/checklist:",
                         query_params={**query, "pcity": a.city})
