"""The long lists of Explore, built only when their expander is opened: one city's incentives (eligible,
possible, ineligible, each lazily detailed) and what would change the top city. Wiring only."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import streamlit as st

from dashboard import views
from dashboard.catalog import schema as S
from dashboard.i18n import name, t
from dashboard.views import esc


def city_details(row: Any, city: S.CityFile, lang: str) -> None:
    """Eligible, possible and ineligible items of one city; an item's details are built when it is opened."""
    r = row.result
    if row.user_supplied:
        st.warning(t("user_supplied", lang))
    groups = [("eligible", [e for e in r.evaluations if e.status == "eligible"]),
              ("possible", [e for e in r.evaluations if e.status == "possible"]),
              ("ineligible", [e for e in r.evaluations if e.status == "ineligible"])]
    for status, evs in groups:
        st.markdown(f"#### {views.status_label(status, lang)} ({len(evs)})")
        if status == "possible":
            st.caption(t("possible_help", lang))
        if status == "ineligible":
            st.caption(t("ineligible_help", lang))
        for e in sorted(evs, key=lambda e: (-e.value.expected, e.id)):
            head = f"{esc(name(e.incentive, lang))} · {views.amount_text(e, lang)} · {esc(views.scope_label(e.incentive, lang))}"
            if e.outside_zone or e.excluded_by:
                head += " · " + t("not_counted", lang)
            with st.expander(head, icon=views.STATUS_MATERIAL[e.status], key=f"inc_{row.city}_{e.id}",
                             on_change="rerun") as box:
                if box.open is not False:
                    views.incentive_detail(e, city, lang)
    if city.absences:
        st.markdown(f"#### {t('absences', lang)}")
        st.markdown("\n".join(f"- {esc(name(a, lang, 'statement'))} ({views.verification_badge(a.verification, lang)})"
                              for a in city.absences))


def change_label(ch: Any, lang: str, city_names: dict[str, str]) -> str:
    if ch.kind == "weight":
        return t("raise_weight", lang, dim=t(f"dim.{ch.detail['dimension']}", lang), n=f"{ch.detail['add']:g}",
                 to=f"{ch.detail.get('to', '')}")
    return ch.label_zh if lang == "zh" else ch.label_en


def render_changes(changes: Iterable[Any], lang: str, city_names: dict[str, str]) -> None:
    """Profile changes and weight changes that change the leader; weights only within the sliders' range."""
    changes = list(changes)
    if not changes:
        st.markdown(t("no_change_found", lang))
    if not any(ch.kind == "weight" for ch in changes):
        st.caption(t("no_weight_change", lang))
    st.markdown("\n".join(f"- {esc(change_label(ch, lang, city_names))} → **{esc(city_names.get(ch.new_leader, ch.new_leader))}** "
                          + t("becomes_first", lang) for ch in changes))
