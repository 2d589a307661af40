"""Whom each city wins (Benchmark page): shares first per city and by segment for the documented population,
official offer against the what-if edits, uploads and added offers; the population weights are editable.
One call from ``screens/benchmark.py``: ``render``. Figures come from engine/whom.py.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

import pandas as pd

from dashboard.catalog import schema as S
from dashboard.i18n import t

DEGREE_EN = {"bachelor": "bachelor's", "master": "master's", "phd": "PhD", "postdoc": "postdoc"}
DEGREE_ZH = {"bachelor": "本科", "master": "硕士", "phd": "博士", "postdoc": "博士后"}


def segment_text(segment: str, lang: str) -> str:
    """'phd|biotech' -> 'PhD applicants in Biotech / biomedicine' / '生物医药领域的博士申请人'."""
    if segment == "all":
        return "all applicants" if lang == "en" else "全部申请人"
    if "|" in segment:
        d, f = segment.split("|")
        fld = t(f"field.{f}", lang)
        return f"{DEGREE_EN[d]} applicants in {fld}" if lang == "en" else f"{fld}领域的{DEGREE_ZH[d]}申请人"
    axis, v = segment.split("=", 1)
    if axis == "degree":
        return f"{DEGREE_EN[v]} applicants" if lang == "en" else f"{DEGREE_ZH[v]}申请人"
    if axis in ("field", "origin", "intent"):
        return f"applicants: {t(f'{axis}.{v}', lang)}" if lang == "en" else f"{t(f'{axis}.{v}', lang)}申请人"
    return f"{t(f'pop.axis.{axis}', lang)} {v}"


def value_text(axis: str, v: str, lang: str) -> str:
    if axis in ("field", "origin", "intent", "degree"):
        return t(f"{axis}.{v}", lang) if axis != "degree" else (DEGREE_EN[v] if lang == "en" else DEGREE_ZH[v])
    return v


def pct(x: float) -> str:
    return f"{x:.1%}"


def weights_table(pop: Any) -> pd.DataFrame:
    return pd.DataFrame([{"axis": a, "value": str(v), "weight": float(w)} for a, vals in pop.axes.items()
                         for v, w in vals.items()])


def population_from_table(pop: Any, df: pd.DataFrame) -> tuple[Any, list[str]]:
    """Rebuild the population from the edited weights table and validate it like the file."""
    from dashboard.catalog.population import load_population

    data = pop.model_dump()
    axes: dict[str, dict[str, float]] = {}
    for _, row in df.iterrows():
        a, v, w = row.get("axis"), row.get("value"), row.get("weight")
        if a is None or v is None or (isinstance(v, float) and pd.isna(v)):
            continue
        axes.setdefault(str(a), {})[str(v)] = float("nan") if w is None or pd.isna(w) else float(w)
    data["axes"] = axes
    new, problems = load_population(data=data, display="population weights")
    return new, [str(p) for p in problems]


def render(base: Any, inputs: Any, settings: Any, lang: str, city_names: Mapping[str, str],
           weights: Mapping[str, float], *, changed: bool) -> None:
    """``base``: the official catalog; ``inputs``: with the session's what-if edits and uploads (``changed``
    says whether there are any)."""
    import streamlit as st

    from dashboard.engine import whom as W
    from dashboard.views import esc

    st.subheader(t("pop.title", lang))
    if not st.toggle(t("pop.show", lang), key="pop_show"):
        return
    pop, problems = _population()
    if pop is None:
        st.error(t("pop.bad", lang, why=esc("; ".join(str(p) for p in problems))))
        return
    with st.expander(t("pop.weights", lang)):
        st.caption(t("pop.weights_help", lang))
        edited = st.data_editor(weights_table(pop), hide_index=True, key="pop_weights", width="stretch",
                                disabled=["axis", "value"],
                                column_config={"weight": st.column_config.NumberColumn(min_value=0.0, step=0.01)})
        new, errs = population_from_table(pop, edited)
        if errs:
            st.warning(t("pop.bad", lang, why=esc("; ".join(errs))))
        else:
            pop = new
    ids = sorted(inputs.cities)
    with st.expander(t("pop.add", lang)):
        c1, c2, c3 = st.columns(3)
        a_city = c1.selectbox(t("pop.add_city", lang), [None, *ids], key="pop_add_city",
                              format_func=lambda c: "—" if c is None else city_names.get(c, c))
        a_cat = c2.selectbox(t("pop.add_category", lang), list(S.CATEGORIES), index=S.CATEGORIES.index("living"),
                             key="pop_add_cat", format_func=lambda c: t(f"cat.{c}", lang))
        a_amt = c3.number_input(t("pop.add_amount", lang), min_value=0, max_value=int(W.MAX_ADD), value=0, step=10000,
                                key="pop_add_amt")
    adds = [W.Add(a_city, a_cat, float(a_amt))] if a_city and a_amt > 0 else []
    wkey = json.dumps(dict(weights), sort_keys=True)
    pkey = pop.model_dump_json()
    before = _official_shares(pkey, wkey, settings.today.isoformat(), base)
    st.caption(t("pop.intro", lang, n=f"{before.profiles:,}"))
    if changed or adds:
        after = W.whom_wins(pop, W.with_adds(inputs, adds, settings.today), settings, weights=dict(weights))
    else:
        after = before
        st.caption(t("pop.no_change", lang))
    cities = list(after.cities)
    rows = [{t("pop.col.city", lang): city_names.get(c, c), t("pop.col.before", lang): pct(before.share_first.get(c, 0.0)),
             t("pop.col.after", lang): pct(after.share_first.get(c, 0.0))} for c in cities]
    st.dataframe(pd.DataFrame(rows), hide_index=True, width="stretch")
    if after is not before:
        st.markdown(f"**{t('pop.moves', lang)}**")
        for m in W.moves(before, after, limit=6):
            st.markdown("- " + t("pop.move_line", lang, city=esc(city_names.get(m.city, m.city)), before=pct(m.before),
                                 after=pct(m.after), segment=esc(segment_text(m.segment, lang))))
    st.markdown(f"**{t('pop.segment', lang)}**")
    axis = st.segmented_control(t("pop.segment_axis", lang), list(pop.segments), default=pop.segments[0],
                                format_func=lambda a: t(f"pop.axis.{a}", lang), key="pop_seg") or pop.segments[0]
    seg = after.by_segment.get(axis, {})
    st.dataframe(pd.DataFrame([{t(f"pop.axis.{axis}", lang): value_text(axis, v, lang),
                                **{city_names.get(c, c): pct(sh.get(c, 0.0)) for c in cities}} for v, sh in seg.items()]),
                 hide_index=True, width="stretch")
    st.caption(t("pop.timing", lang, n=f"{after.profiles:,}", m=len(cities), s=after.seconds or before.seconds))


def _population() -> tuple[Any, list[Any]]:
    from dashboard.catalog.population import load_population

    return _cached(load_population)()


def _cached(fn: Any) -> Any:
    import streamlit as st

    return st.cache_resource(show_spinner=False)(fn)


def _official_shares(pop_json: str, weights_json: str, today: str, base: Any) -> Any:
    """Shares under the official offer, cached per population, weights and day (the catalog is cached)."""
    return _shares_cached()(pop_json, weights_json, today, base)


def _shares(pop_json: str, weights_json: str, today: str, _base: Any) -> Any:
    from datetime import date

    from dashboard.catalog.population import Population
    from dashboard.engine import whom as W
    from dashboard.engine.profile import Settings

    pop = Population.model_validate_json(pop_json)
    return W.whom_wins(pop, _base, Settings(today=date.fromisoformat(today)), weights=json.loads(weights_json))


def _shares_cached() -> Any:
    import streamlit as st

    return st.cache_resource(show_spinner=False, max_entries=16)(_shares)
