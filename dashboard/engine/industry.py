"""Industry fit: how strongly each city backs the profile's field, 0..1, from
``data/reference/industry_fit.yaml``. None where the data does not say (shown as unknown, never imputed).

Rule (documented on the Method page): the mean of the parts that are known:
- designation: the research's derived encoding of the city's strongest official designation of the field
  (core / priority / future-only / not found), ``IndustryFitFile.level_score``;
- measured strength: the city's place in the research's B8 order for the field (best city 1, the last
  ``1/n``; tied cities share a place), from the first rule for the field that has an order.
Fields the research did not assess give None for every city.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any


def order_score(order: list[list[str]] | None, city: str) -> float | None:
    if not order:
        return None
    n = len(order)
    for pos, tier in enumerate(order):
        if city in tier:
            return (n - pos) / n
    return None


def industry_scores(industry: Any, field: str | None, cities: Sequence[str]) -> dict[str, float | None]:
    if industry is None or field is None:
        return {c: None for c in cities}
    if field == "non_stem" or not industry.rows_for(field):
        return {c: None for c in cities}
    rule = next((r for r in industry.strength_rules_for(field) if r.order), None)
    out: dict[str, float | None] = {}
    for c in cities:
        parts = [x for x in (industry.level_score(c, field), order_score(rule.order if rule else None, c)) if x is not None]
        out[c] = sum(parts) / len(parts) if parts else None
    return out
