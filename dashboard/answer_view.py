"""Streamlit rendering of the answer row (dashboard/answer.py builds it): one bordered row per city, the
city's rank and name, whether and how the profile can be there, the money, and the first step with a link
that opens the Plan on that city. Wiring only."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

import streamlit as st

from dashboard.answer import ICON, Answers
from dashboard.i18n import t
from dashboard.views import esc


def render(answers: Answers, lang: str, years: int, query: dict[str, Any]) -> None:
    for x in answers.national:  # the K visa: national, the same in every city
        st.markdown(f"{ICON.get(x.status, '')} **{esc(x.text)}** · {t('ans.every_city', lang)}")
    for a in answers.rows:
        with st.container(border=True, key=f"ans_{a.city}"):
            c1, c2, c3, c4 = st.columns([2.1, 2.8, 2.4, 2.5], vertical_alignment="center")
            c1.markdown(f"### {a.rank}. {esc(a.city_name)}")
            c2.markdown("  \n".join(f"{ICON.get(x.status, '')} {esc(x.text)}" for x in a.access))
            money = f"**{esc(t('ans.sure', lang, amount=a.sure))}**"
            if a.up_to:
                money += " · " + esc(t("ans.up_to", lang, amount=a.up_to))
            if a.possible:
                money += "  \n:gray[" + esc(t("ans.possible", lang, n=a.possible)) + "]"
            c3.markdown(money)
            # One Markdown element: the step wraps (a page link is one line and cut it) and the row stays low
            # enough for five rows in the first screen. The link keeps the whole view (the URL state) and adds
            # the city, so the Plan opens on it; relative, so it works under any base path.
            href = "plan?" + urlencode({**query, "pcity": a.city})
            c4.markdown(f":gray[{esc(t('ans.col.next', lang))}:] {esc(a.next_step or t('ans.no_step', lang))} "
                        f"· [{esc(t('ans.open_plan', lang))}]({href})")
    st.caption(t("ans.caption", lang, years=years))
