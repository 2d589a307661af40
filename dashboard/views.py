"""Small rendering helpers shared by pages: badges, condition lists, sources. Text from data files is
escaped for Markdown before it is shown; no page uses ``unsafe_allow_html`` with data or user text."""

from __future__ import annotations

import re
from collections.abc import Iterable
from urllib.parse import quote

import streamlit as st

from dashboard.catalog import schema as S
from dashboard.engine.evaluate import Evaluation
from dashboard.i18n import money, money_range, name, t

_MD = re.compile(r"([\\`*_{}\[\]()#+\-.!|<>~$])")

# Material Symbols ship with Streamlit (no emoji font needed, nothing fetched); each icon comes with a word,
# so nothing is told by colour alone.
STATUS_MATERIAL = {"eligible": ":material/check_circle:", "possible": ":material/help:", "ineligible": ":material/cancel:",
                   "pass": ":material/check_circle:", "unknown": ":material/help:", "fail": ":material/cancel:",
                   "not_applicable": ":material/remove:"}
STATUS_ICON = {k: (f":green[{v}]" if k in ("eligible", "pass") else f":red[{v}]" if k in ("ineligible", "fail")
                   else f":orange[{v}]" if k in ("possible", "unknown") else v) for k, v in STATUS_MATERIAL.items()}
COMMIT_ICON = ":blue[:material/edit_note:]"
VERIFY_ICON = {"official": ":green[:material/verified:]", "secondary": ":orange[:material/article:]",
               "historical": ":orange[:material/history:]", "unverified": ":gray[:material/help_outline:]",
               "hypothetical": ":violet[:material/science:]"}
VERIFY_TEXT = {"official": "●", "secondary": "◐", "historical": "◔", "unverified": "○", "hypothetical": "◇"}


def esc(text: str | None) -> str:
    """Escape Markdown so data text (or an uploaded name) renders as text, never as markup or a link."""
    return _MD.sub(r"\\\1", text or "")


def md_url(url: str) -> str:
    """A URL safe inside a Markdown link target: brackets, parentheses, spaces and angle brackets are
    percent-encoded, so an uploaded ``https://x/)![img](http://elsewhere)`` cannot close the link and add
    markup (the schema already allows only http and https)."""
    return quote(url, safe=":/?#@!$&'*+,;=%~-._")


def verification_badge(level: str, lang: str, *, plain: bool = False) -> str:
    """Icon and word; ``plain`` for tables, where Markdown icons do not render."""
    icon = VERIFY_TEXT.get(level, "○") if plain else VERIFY_ICON.get(level, "")
    return f"{icon} {t('verify.' + level, lang)}"


def scope_label(inc: S.Incentive, lang: str) -> str:
    if inc.scope.level == "city":
        return t("scope.city", lang)
    return f"{t('scope.' + inc.scope.level, lang)}: {name(inc.scope, lang)}"


def status_label(status: str, lang: str, *, plain: bool = False) -> str:
    icon = {"eligible": "✓", "possible": "?", "ineligible": "✗"}.get(status, "") if plain else STATUS_ICON.get(status, "")
    return f"{icon} {t('status.' + status, lang)}"


def amount_text(e: Evaluation, lang: str) -> str:
    inc = e.incentive
    tier = next((x for x in inc.tiers if x.id == e.tier_id), None)
    a = tier.amount if tier else inc.benefit.amount
    if inc.benefit.form in ("status", "in_kind"):
        return t("not_money", lang)
    if inc.benefit.form == "tax_refund":
        return money(e.value.expected, lang) if e.value.known else t("depends_on_salary", lang)
    if a is None:
        return t("amount_unknown", lang) if not (inc.benefit.form == "rent_discount" and e.value.known) else \
            money(e.value.expected, lang)
    txt = money_range(a.low, a.high, lang)
    if a.discretionary:
        txt = t("up_to", lang, amount=money(a.high, lang)) if a.low == 0 else txt + " " + t("discretionary", lang)
    return txt


def conditions(e: Evaluation, lang: str, only: Iterable[str] | None = None) -> None:
    """One Markdown element, one line per condition (one element each made Explore's reruns slow under load)."""
    lines = []
    for c in e.conditions:
        if only is not None and c.status not in only:
            continue
        reason = c.reason_zh if lang == "zh" else c.reason_en
        icon = COMMIT_ICON if c.commitment else STATUS_ICON[c.status]
        lines.append(f"{icon} {esc(reason)}")
    if lines:
        st.markdown("  \n".join(lines))


def sources(e: Evaluation, city: S.CityFile, lang: str) -> None:
    by_id = {s.id: s for s in city.sources}
    lines = []
    for sid in e.incentive.sources:
        s = by_id.get(sid)
        if s is None:
            continue
        when = t("as_of", lang, date=s.published.isoformat()) if s.published else t("retrieved_on", lang, date=s.retrieved.isoformat())
        title = esc(s.title[:160])
        line = f"[{title}]({md_url(s.url)})" if s.url else title
        lines.append(f"- {line} · {esc(s.issuer)} · {when}")
    if lines:
        st.markdown("\n".join(lines))  # one list, one element


def incentive_detail(e: Evaluation, city: S.CityFile, lang: str) -> None:
    inc = e.incentive
    st.markdown(f"**{esc(name(inc, lang))}** · {scope_label(inc, lang)} · {verification_badge(inc.verification, lang)} · "
                f"{t('policy.' + inc.status, lang)}")
    st.markdown(esc(name(inc.benefit, lang, 'description')))
    if e.value.money and e.value.known and e.status != "ineligible":
        st.markdown(t("value_line", lang, value=money(e.value.expected, lang), low=money(e.value.low, lang),
                      high=money(e.value.high, lang)) + " · " + esc(e.value.rule_zh if lang == "zh" else e.value.rule_en))
    if e.excluded_by:
        st.info(t("excluded_by", lang, other=e.excluded_by))
    if e.outside_zone:
        st.info(t("outside_zone", lang, zone=e.outside_zone))
    conditions(e, lang)
    if inc.note:
        st.caption(esc(inc.note))
    sources(e, city, lang)
    from dashboard import procedure_view  # how to get it: steps, documents, dates (when a procedure exists)

    procedure_view.render(e, city, lang)


def flag_lines(flags: Iterable[str], lang: str, city_names: dict[str, str]) -> list[str]:
    """Engine flags (``kind:detail``) as short sentences, one per kind, naming the cities concerned."""
    groups: dict[str, list[str]] = {}
    for f in flags:
        kind, _, detail = f.partition(":")
        groups.setdefault(kind, []).append(detail)
    out = []
    for kind, details in groups.items():
        cities = ("、" if lang == "zh" else ", ").join(esc(city_names.get(d, d)) for d in dict.fromkeys(details) if d)
        key = f"flag.{kind}"
        out.append(t(key, lang, cities=cities) if key in _catalog_keys() else esc(f"{kind}: {cities}"))
    return out


def _catalog_keys() -> set[str]:
    from dashboard.i18n import catalog

    return set(catalog())
