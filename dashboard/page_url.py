"""Page-level view state in the URL (the Plan's city, the Benchmark's home city and map archetype, the
Brief's options), beside the shared profile keys of ``dashboard.state``.

Why apart from ``state``: these belong to one page each and are only meaningful there, but a shared link
must reopen what was on screen. The sidebar keeps these keys when it rewrites the address (it rewrites the
rest on every run); a page reads its keys once per session (``restore``) and writes them on every run
(``write``), so a change is in the address as soon as the widget commits it. A bad value is ignored with a
visible notice, like the shared keys.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

import streamlit as st

from dashboard.i18n import t
from dashboard.state import PAGE_KEYS, PROFILE_KEYS
from dashboard.views import esc

NONE = "-"  # an explicit "no value" (the Brief's "no home city")


def kept(params: dict[str, Any]) -> dict[str, Any]:
    """The page keys of a query-parameter dict: what the sidebar must not drop when it rewrites the URL."""
    return {k: v for k, v in params.items() if k in PAGE_KEYS}


_MISSING = object()


def take(url_key: str, allowed: Iterable[Any] | None, lang: str, parse: Callable[[str], Any] = str) -> Any:
    """Once per session and key: the link's value when it is an allowed one (``allowed`` None: any text),
    else ``_MISSING`` (a bad value is shown as a notice). Later runs keep what the user picked."""
    done = st.session_state.setdefault("_page_url_done", set())
    if url_key in done:
        return _MISSING
    done.add(url_key)
    raw = st.query_params.get(url_key)
    if raw is None:
        return _MISSING
    try:
        value = None if raw == NONE else parse(raw)
    except ValueError:
        value = _MISSING
    if value is not _MISSING and (allowed is None or value in list(allowed)):
        return value
    st.warning(t("notice_bad_param", lang, key=esc(url_key), value=esc(str(raw)[:40]),
                 why=esc(t("page_url.not_allowed", lang))), icon=":material/warning:")
    return _MISSING


def found(value: Any) -> bool:
    return value is not _MISSING


def restore(url_key: str, allowed: Iterable[Any] | None, lang: str, parse: Callable[[str], Any] = str) -> None:
    """``take`` straight into the widget's state (for widgets given no default value of their own)."""
    value = take(url_key, allowed, lang, parse)
    if found(value):
        st.session_state[PAGE_KEYS[url_key]] = value


def write(url_key: str, value: Any) -> None:
    """The widget's current value into the address (only when it differs: each write is a browser update)."""
    s = NONE if value is None else str(value)
    if st.query_params.get(url_key) != s:
        st.query_params[url_key] = s


def write_dates(dates: dict[str, Any]) -> None:
    """The profile's dates (graduation, arrival, start of work) under their shared keys (``state``)."""
    keys = {f: k for k, f in PROFILE_KEYS.items()}
    for fname, value in dates.items():
        k = keys[fname]
        if value is None:
            if k in st.query_params:
                del st.query_params[k]
        elif st.query_params.get(k) != value.isoformat():
            st.query_params[k] = value.isoformat()
