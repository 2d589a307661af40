"""The catalog as one flat table (for the Sources page, CSV and XLSX): one row per incentive, conditions
in plain words, amounts as ranges, with the first source's link. Pure (no Streamlit)."""

from __future__ import annotations

from collections.abc import Mapping

import pandas as pd

from dashboard.catalog import schema as S
from dashboard.i18n import money_range, name, t


def condition_text(c: S.Condition, lang: str) -> str:
    zh = lang == "zh"
    k = c.kind
    if c.wording_zh and zh:
        return c.wording_zh
    if c.wording_en and not zh:
        return c.wording_en
    if k == "degree":
        return t("cond.degree", lang, d=t(f"degree.{c.min}", lang))
    if k == "age":
        parts = []
        if c.min is not None:
            parts.append(t("cond.age_min_incl" if c.min_inclusive else "cond.age_min_excl", lang, n=c.min))
        if c.max is not None:
            parts.append(t("cond.age_max_incl" if c.max_inclusive else "cond.age_max_excl", lang, n=c.max))
        return ("，" if zh else ", ").join(parts)
    if k in ("origin", "field", "intent"):
        sep = "、" if zh else ", "
        return t(f"cond.{k}", lang, v=sep.join(t(f"{k}.{x}", lang) for x in c.any_of))
    if k in ("years_since_graduation", "years_since_return"):
        return t(f"cond.{k}_{'incl' if c.inclusive else 'excl'}", lang, n=f"{c.max_years:g}")
    if k in ("graduated_on_or_after", "born_on_or_after"):
        return t(f"cond.{k}", lang, d=c.date.isoformat())
    if k == "university_rank":
        return t("cond.university_rank", lang, n=c.max_rank)
    if k == "degree_abroad":
        return t("cond.degree_abroad", lang)
    if k == "salary":
        if c.min_cny is not None:
            return t("cond.salary_cny", lang, v=f"{c.min_cny:,.0f}")
        return t("cond.salary_multiple", lang, v=f"{c.min_multiple_of_local_wage:g}")
    if k in ("experience_years", "hsk_level", "months_in_china_per_year"):
        return t(f"cond.{k}", lang, n=f"{c.min:g}")
    if k == "work_permit_class":
        return t("cond.work_permit_class", lang, v="/".join(c.any_of))
    if k in ("has_spouse", "has_children", "no_local_home"):
        return t(f"cond.{k}", lang)
    if k in ("commitment", "manual"):
        return c.text_zh if zh else c.text_en
    if k == "any_of":
        inner = [condition_text(s, lang) for s in c.conditions]
        return t("cond.any_of", lang, v=(" 或 " if zh else " or ").join(inner))
    return k


def amount_text(inc: S.Incentive, lang: str) -> str:
    b = inc.benefit
    if b.form in ("status", "in_kind"):
        return t(f"status_kind.{b.status_kind}", lang)
    if b.form == "tax_refund":
        return t("tax_refund_rule", lang, rule=b.tax_rule)
    if b.form == "rent_discount" and b.rent_discount_share:
        months = f" · {t('months_n', lang, n=b.duration_months)}" if b.duration_months else ""
        return t("rent_share", lang, share=f"{b.rent_discount_share:.0%}") + months
    amounts = [(x.label_zh if lang == "zh" else x.label_en, x.amount) for x in inc.tiers] or [("", b.amount)]
    parts = []
    for label, a in amounts:
        if a is None:
            parts.append((label + ": " if label else "") + t("amount_unknown", lang))
            continue
        txt = t("up_to", lang, amount=money_range(a.high, a.high, lang)) if (a.discretionary and a.low == 0) else \
            money_range(a.low, a.high, lang)
        if a.currency != "CNY":
            txt += f" ({a.currency})"
        parts.append((label + ": " if label else "") + txt)
    unit = {"monthly": t("per_month_for", lang, n=b.duration_months),
            "annual": t("per_year_for", lang, n=b.duration_years)}.get(b.form, "")
    return "; ".join(parts) + (f" {unit}" if unit else "")


def catalog_frame(cities: Mapping[str, S.CityFile], lang: str) -> pd.DataFrame:
    rows = []
    for cid, city in sorted(cities.items()):
        srcs = {s.id: s for s in city.sources}
        for inc in city.incentives:
            first = srcs.get(inc.sources[0])
            rows.append({
                "city_id": cid, "category_id": inc.category, "verification_id": inc.verification,
                "policy_status_id": inc.status,
                "city": name(city, lang), "name": name(inc, lang),
                "name_other": inc.name_en if lang == "zh" else inc.name_zh,
                "category": t(f"cat.{inc.category}", lang),
                "scope": t("scope.city", lang) if inc.scope.level == "city" else
                f"{t('scope.' + inc.scope.level, lang)}: {name(inc.scope, lang)}",
                "amount": amount_text(inc, lang),
                "conditions": "; ".join(condition_text(c, lang) for c in inc.conditions),
                "policy_status": t(f"policy.{inc.status}", lang),
                "valid": f"{inc.valid_from or '…'} – {inc.valid_to or '…'}",
                "verification": t(f"verify.{inc.verification}", lang),
                "sources": ", ".join(inc.sources),
                "source_url": first.url if first else None,
                "as_of": max((srcs[s].published or srcs[s].retrieved) for s in inc.sources if s in srcs).isoformat(),
                "id": inc.id,
            })
    return pd.DataFrame(rows)
