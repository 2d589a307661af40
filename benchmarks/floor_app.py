"""The floor for the page benchmarks: a bare Streamlit page that reads the same catalog and boundary files,
ranks one profile with the same engine and draws the same map with ``dashboard.maps.city_map``; one widget
(age) reruns it. No sidebar, no navigation, no details: what any page showing this map must pay.

Run by benchmarks/bench_pages.py from a temporary folder beside a link to dashboard/static (the local
topojson stub is served from the script's own static/ folder).
"""

from __future__ import annotations

import streamlit as st

from dashboard import map_data, maps
from dashboard.catalog import load_catalog
from dashboard.engine.evaluate import Inputs, inputs_from
from dashboard.engine.profile import Profile, Settings
from dashboard.engine.rank import rank_cities
from dashboard.geo import Outlines, city_points, load_outlines
from dashboard.state import PROFILE_PRESETS


@st.cache_resource
def base() -> tuple[Inputs, object, Outlines]:
    return inputs_from(load_catalog()), city_points(), load_outlines()


inputs, points, outlines = base()
age = st.number_input("Age", min_value=16, max_value=80, value=24, key="p_age")
ranking = rank_cities(Profile(**{**PROFILE_PRESETS["graduate"], "age": int(age)}), inputs, Settings())
for row in ranking.rows:
    st.markdown(f"### {row.rank}. {inputs.cities[row.city].name_en}")
st.plotly_chart(map_data.map_figure(ranking, inputs, "en", points=points, outlines=outlines),
                config=maps.PLOTLY_CONFIG, key="map")
