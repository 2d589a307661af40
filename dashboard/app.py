"""Streamlit entry point: page config, the shared sidebar, navigation. Wiring only (see ARCHITECTURE)."""

from __future__ import annotations

from pathlib import Path

import streamlit as st

from dashboard import data_access as DA
from dashboard import sidebar
from dashboard.i18n import t

PAGES = Path(__file__).with_name("screens")  # not "pages/": that name switches Streamlit to its old multipage mode

FAVICON = str(Path(__file__).with_name("static") / "favicon.png")  # a local file: an emoji or icon name is fetched from a CDN
st.set_page_config(page_title="Talent Incentive Atlas · 人才政策地图", page_icon=FAVICON, layout="wide")

res = DA.catalog()
cities = sorted(DA.inputs().cities)
names = {c: {"en": f.name_en, "zh": f.name_zh} for c, f in DA.inputs().cities.items()}
sidebar.init_from_url(cities)
lang = st.session_state.get("lang") or "en"
nav = st.navigation({
    t("nav.graduates", lang): [
        st.Page(PAGES / "explore.py", title=t("page.explore", lang), icon=":material/explore:", default=True,
                url_path="explore"),
        st.Page(PAGES / "compare.py", title=t("page.compare", lang), icon=":material/compare_arrows:", url_path="compare"),
        st.Page(PAGES / "plan.py", title=t("page.plan", lang), icon=":material/checklist:", url_path="plan"),
    ],
    t("nav.officials", lang): [
        st.Page(PAGES / "benchmark.py", title=t("page.benchmark", lang), icon=":material/leaderboard:", url_path="benchmark"),
        st.Page(PAGES / "brief.py", title=t("page.brief", lang), icon=":material/slideshow:", url_path="brief"),
        st.Page(PAGES / "timeline.py", title=t("page.timeline", lang), icon=":material/timeline:", url_path="timeline"),
    ],
    t("nav.reference", lang): [
        st.Page(PAGES / "method.py", title=t("page.method", lang), icon=":material/functions:", url_path="method"),
        st.Page(PAGES / "sources.py", title=t("page.sources", lang), icon=":material/menu_book:", url_path="sources"),
    ],
})
profile, weights, selected, lang = sidebar.render(cities, names)
st.session_state["view"] = {"profile": profile, "weights": weights, "cities": selected, "lang": lang}
for file, why in res.unavailable.items():
    st.warning(t("file_unavailable", lang, file=file, why=why))
nav.run()
