"""Saved scenarios on the Benchmark page: save (with conflict detection), open, rename, duplicate, delete,
export and import. Every store failure is shown as its own bilingual message; the page keeps working."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any

import streamlit as st

from dashboard import bench_state as BS
from dashboard.catalog.archetypes import Archetype
from dashboard.i18n import t
from dashboard.store import Store, StoreError
from dashboard.views import esc


@st.cache_resource(show_spinner=False)
def store() -> Store | StoreError:
    """One store per server process (SQLite, or PostgreSQL when ATLAS_DB_URL is set)."""
    try:
        return Store()
    except StoreError as e:
        return e


FAILED = object()


def _run(fn: Callable[[], Any], lang: str) -> Any:
    """Call the store; on a StoreError show its message and return FAILED (None is a valid result)."""
    try:
        return fn()
    except StoreError as e:
        st.error(esc(e.message(lang)))
        return FAILED


def render_scenarios(sc: BS.BenchScenario, defaults: Sequence[Archetype], lang: str, weights: Mapping[str, float]) -> None:
    s = store()
    if isinstance(s, StoreError):
        st.error(esc(s.message(lang)))
        return
    for n in s.take_notices():
        st.info(esc(n.message(lang)))
    if sc.name:
        st.caption(t("scen.current", lang, name=esc(sc.name), version=sc.version or 0))
    c1, c2 = st.columns([3, 1])
    new_name = c1.text_input(t("scen.name", lang), value=sc.name or "", max_chars=120, key="scen_name")
    if c2.button(t("scen.save", lang), key="scen_save", width="stretch"):
        payload = sc.to_payload(lang, weights)
        if sc.name and new_name == sc.name and sc.version:
            v = _run(lambda: s.save(sc.name, payload, sc.version), lang)
            if v is not FAILED:
                sc.version = v
                st.success(t("scen.saved", lang, name=esc(sc.name), version=v))
        else:
            got = _run(lambda: s.create(new_name, payload), lang)
            if got is not FAILED:
                sc.name, sc.version = got.name, got.version
                st.success(t("scen.saved", lang, name=esc(got.name), version=got.version))
    infos = _run(s.list, lang)
    infos = [] if infos is FAILED else infos
    if not infos:
        st.caption(t("scen.none", lang))
    else:
        names = [i.name for i in infos]
        pick = st.selectbox(t("scen.saved_list", lang), names, key="scen_pick",
                            format_func=lambda n: f"{n} (v{next(i.version for i in infos if i.name == n)})")
        b1, b2, b3, b4 = st.columns(4)
        if b1.button(t("scen.open", lang), key="scen_open", width="stretch"):
            got = _run(lambda: s.get(pick), lang)
            if got is not FAILED:
                new, problems = BS.from_payload(got.payload, defaults, name=got.name, version=got.version)
                st.session_state["bench"] = new
                st.session_state["scen_opened_problems"] = problems
                st.rerun()
        other = st.text_input(t("scen.other_name", lang), max_chars=120, key="scen_other")
        renamed = b2.button(t("scen.rename", lang), key="scen_rename", width="stretch") and other
        if renamed and _run(lambda: s.rename(pick, other), lang) is not FAILED:
            if sc.name == pick:
                sc.name = other
            st.rerun()
        if b3.button(t("scen.duplicate", lang), key="scen_dup", width="stretch") and other:
            _run(lambda: s.duplicate(pick, other), lang)
        deleted = b4.button(t("scen.delete", lang), key="scen_delete", width="stretch")
        if deleted and _run(lambda: s.delete(pick), lang) is not FAILED:
            if sc.name == pick:
                sc.name, sc.version = None, None
            st.rerun()
        data = _run(lambda: s.export_json(pick), lang)
        if data is not FAILED:
            st.download_button(t("scen.export", lang), data, file_name=f"scenario-{BS._slug(pick)}.json",
                               mime="application/json", key="scen_export")
    for p in st.session_state.pop("scen_opened_problems", []):
        st.warning(esc(p))
    up = st.file_uploader(t("scen.import", lang), type=["json"], key="scen_import")
    if up is not None and st.session_state.get("scen_import_seen") != (up.name, up.size):
        st.session_state["scen_import_seen"] = (up.name, up.size)
        got = _run(lambda: s.import_json(up.getvalue()), lang)
        if got is not FAILED:
            st.success(t("scen.imported", lang, name=esc(got.name)))
