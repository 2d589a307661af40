"""The national panel on Explore: K / R / Z visa, work-permit points per city, income tax and zone refund."""

from __future__ import annotations

from typing import Any

import streamlit as st


def render_national(profile: Any, ranking: Any, inputs: Any, lang: str, city_names: dict[str, str]) -> None:
    st.info("…")
