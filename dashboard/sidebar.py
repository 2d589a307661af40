"""The sidebar every page shares: language, the profile, the weights and the cities, kept in the URL.

Order of a run: on a session's first run the URL is decoded into widget state (bad parameters become a
visible notice); widgets render from that state; the state is encoded back into the URL, so the address bar
is always a shareable link to the current view.
"""

from __future__ import annotations

from typing import Any

import streamlit as st

from dashboard import state as STATE
from dashboard.catalog import schema as S
from dashboard.engine import score as SC
from dashboard.engine.profile import Profile
from dashboard.i18n import t
from dashboard.views import esc

UNKNOWN = None
TRI = [None, True, False]


def init_from_url(known_cities: list[str]) -> None:
    if st.session_state.get("_url_loaded"):
        return
    vs = STATE.decode(st.query_params.to_dict(), known_cities)
    st.session_state["_url_loaded"] = True
    st.session_state["_notices"] = vs.notices
    st.session_state["lang"] = vs.lang
    st.session_state["preset"] = vs.preset
    prof = STATE.full_profile(vs)
    for fname in Profile.model_fields:
        st.session_state[f"p_{fname}"] = prof.get(fname, getattr(Profile(), fname) if fname in ("horizon_years", "discount_rate") else None)
    weights = vs.weights or SC.PRESETS[vs.preset]
    for d in SC.DIMENSIONS:
        st.session_state[f"w_{d}"] = round(weights.get(d, 0))
    st.session_state["cities"] = vs.cities or list(known_cities)


# Keyed widgets whose option labels are translated (format_func uses the language). A browser sends back the
# label it shows, so after a language switch it would send the old language's label on the next run (a
# KeyError in _apply_preset, a profile silently reset). Re-setting them when the language changes makes
# Streamlit send the new labels with the new values. A new keyed widget with translated options goes here.
LANG_LABELLED = ("preset", "cities", "nat_city", "compare_cities", "compare_cat", "tl_cities", "tl_topics", "tl_kinds",
                 "pop_add_city", "pop_add_cat", "pop_seg")


def _relabel() -> None:
    for key in list(st.session_state.keys()):
        if key in LANG_LABELLED or str(key).startswith("p_"):
            st.session_state[key] = st.session_state[key]


def _apply_preset() -> None:
    """Fill the profile from the preset; the user's own dates (graduation, arrival, start) are kept."""
    name = st.session_state["preset"]
    prof = STATE.PROFILE_PRESETS[name]
    for fname in Profile.model_fields:
        if fname in STATE.DATE_FIELDS:
            continue
        st.session_state[f"p_{fname}"] = prof.get(fname, getattr(Profile(), fname) if fname in ("horizon_years", "discount_rate") else None)
    for d in SC.DIMENSIONS:
        st.session_state[f"w_{d}"] = int(SC.PRESETS[name].get(d, 0))


def _select(label: str, fname: str, options: list[Any], lang: str, fmt_prefix: str | None = None) -> None:
    def fmt(v: Any) -> str:
        if v is None:
            return t("unknown_option", lang)
        if isinstance(v, bool):
            return t("yes" if v else "no", lang)
        return t(f"{fmt_prefix}.{v}", lang) if fmt_prefix else str(v)

    st.selectbox(label, options, key=f"p_{fname}", format_func=fmt, placeholder=t("unknown_option", lang))


def _number(label: str, fname: str, lang: str, *, min_value: float, max_value: float, step: float, integer: bool = True,
            help_key: str | None = None) -> None:
    cur = st.session_state.get(f"p_{fname}")
    if cur is not None:
        st.session_state[f"p_{fname}"] = int(cur) if integer else float(cur)
    st.number_input(label, min_value=int(min_value) if integer else float(min_value),
                    max_value=int(max_value) if integer else float(max_value), step=int(step) if integer else float(step),
                    key=f"p_{fname}", placeholder=t("unknown_option", lang), help=t(help_key, lang) if help_key else None)


def render(known_cities: list[str], city_names: dict[str, dict[str, str]]) -> tuple[Profile, dict[str, float], list[str], str]:
    init_from_url(known_cities)
    with st.sidebar:
        st.segmented_control("Language / 语言", ["en", "zh"], key="lang", required=True, on_change=_relabel,
                             format_func=lambda v: {"en": "English", "zh": "中文"}[v])
        if st.session_state.get("lang") is None:
            st.session_state["lang"] = "en"
        lang = st.session_state["lang"]
        for key, value, why in st.session_state.get("_notices", []):
            st.warning(t("notice_bad_param", lang, key=esc(key), value=esc(value), why=esc(why)), icon=":material/warning:")
        st.header(t("profile", lang))
        st.selectbox(t("preset", lang), list(SC.PRESETS), key="preset", on_change=_apply_preset,
                     format_func=lambda v: t(f"preset.{v}", lang))
        _number(t("f.age", lang), "age", lang, min_value=16, max_value=80, step=1)
        _select(t("f.origin", lang), "origin", [None, "foreign", "overseas_chinese", "returnee", "mainland",
                                                "hk_macao_taiwan"], lang, "origin")
        _select(t("f.degree", lang), "degree", [None, *S.DEGREE_ORDER], lang, "degree")
        _select(t("f.field", lang), "field", [None, *S.FIELDS], lang, "field")
        _number(t("f.graduation_year", lang), "graduation_year", lang, min_value=1960, max_value=2035, step=1)
        _number(t("f.annual_salary_cny", lang), "annual_salary_cny", lang, min_value=0, max_value=1e9, step=10000.0,
                integer=False)
        _select(t("f.intent", lang), "intent", [None, "employment", "startup", "research"], lang, "intent")
        with st.expander(t("more_details", lang)):
            _number(t("f.university_rank", lang), "university_rank", lang, min_value=1, max_value=5000, step=1)
            _select(t("f.degree_abroad", lang), "degree_abroad", TRI, lang)
            _number(t("f.experience_years", lang), "experience_years", lang, min_value=0, max_value=60, step=1.0, integer=False)
            _number(t("f.months_in_china_per_year", lang), "months_in_china_per_year", lang, min_value=0, max_value=12,
                    step=1.0, integer=False)
            _number(t("f.hsk_level", lang), "hsk_level", lang, min_value=0, max_value=9, step=1)
            _select(t("f.chinese_taught_degree", lang), "chinese_taught_degree", TRI, lang)
            _select(t("f.former_chinese_national", lang), "former_chinese_national", TRI, lang)
            _select(t("f.fortune500_experience", lang), "fortune500_experience", TRI, lang)
            _select(t("f.holds_patent", lang), "holds_patent", TRI, lang)
            _number(t("f.years_in_china_continuous", lang), "years_in_china_continuous", lang, min_value=0, max_value=80,
                    step=1.0, integer=False)
            _number(t("f.years_since_return", lang), "years_since_return", lang, min_value=0, max_value=60, step=1.0,
                    integer=False)
            _select(t("f.owns_home_in_city", lang), "owns_home_in_city", TRI, lang)
            _select(t("f.spouse", lang), "spouse", TRI, lang)
            _number(t("f.children", lang), "children", lang, min_value=0, max_value=10, step=1)
            _number(t("f.horizon_years", lang), "horizon_years", lang, min_value=1, max_value=30, step=1)
            _number(t("f.discount_rate", lang), "discount_rate", lang, min_value=0, max_value=0.5, step=0.01, integer=False)
        with st.expander(t("weights", lang)):
            st.caption(t("weights_help", lang))
            for d in SC.DIMENSIONS:
                st.slider(t(f"dim.{d}", lang), 0, 100, key=f"w_{d}")
        st.multiselect(t("cities", lang), known_cities, key="cities",
                       format_func=lambda c: city_names.get(c, {}).get(lang, c))
    prof_data = {f: st.session_state.get(f"p_{f}") for f in Profile.model_fields}
    prof_data = {k: v for k, v in prof_data.items() if v is not None}
    try:
        profile = Profile.model_validate(prof_data)
    except ValueError as e:
        st.sidebar.error(str(e))
        profile = Profile()
    weights = {d: float(st.session_state.get(f"w_{d}", 0)) for d in SC.DIMENSIONS}
    if sum(weights.values()) <= 0:
        st.sidebar.warning(t("weights_zero", lang))
        weights = dict(SC.PRESETS[st.session_state["preset"]])
    cities = [c for c in st.session_state.get("cities", []) if c in known_cities] or list(known_cities)
    vs = STATE.ViewState(profile=profile.model_dump(), preset=st.session_state["preset"],
                         weights=weights, cities=cities if len(cities) < len(known_cities) else [], lang=lang)
    current = st.query_params.to_dict()
    encoded = STATE.encode(vs) | {k: v for k, v in current.items() if k in STATE.PAGE_KEYS}  # pages own those
    if encoded != current:
        st.query_params.from_dict(encoded)
    return profile, weights, cities, lang
