"""Choosing one reference figure per city for the engine (local wage, market rent), by a documented rule.

Rule: among the city's figures for the metric, prefer the one the research recommends for this use
(``use_for`` in the data), then comparable over non-comparable, then not-weak over weak, then the latest
year; ties go to the first listed. The pick carries its figure id so every derived
number (the 6x-wage route, the cost-of-living measure, the value of a rent discount) cites it.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from dashboard.catalog import schema as S


@dataclass(frozen=True)
class Pick:
    value: float
    figure_id: str
    topic: str
    year: int
    unit: str
    comparable: bool
    weak: bool
    verification: str
    sources: tuple[str, ...]


def pick(reference: Mapping[str, S.ReferenceFile], city: str, metric: str, unit: str | None = None,
         use: str | None = None) -> Pick | None:
    cands: list[tuple[tuple[int, int, int, int, int], Pick]] = []
    order = 0
    for topic, ref in reference.items():
        for f in ref.figures:
            if f.city != city or f.metric != metric or (unit and f.unit != unit):
                continue
            order += 1
            p = Pick(f.value, f.id, topic, f.year, f.unit, f.comparable, f.weak, f.verification,
                     tuple(f"{topic}:{s}" for s in f.sources))
            cands.append(((int(use in f.use_for), int(f.comparable), int(not f.weak), f.year, -order), p))
    if not cands:
        return None
    return max(cands, key=lambda c: c[0])[1]


def local_wage(reference: Mapping[str, S.ReferenceFile], city: str) -> Pick | None:
    """Average annual wage (the base of the 4x/6x permit routes and of the cost-of-living measure)."""
    return pick(reference, city, "avg_annual_wage", "CNY_per_year", "local_wage")


def market_rent(reference: Mapping[str, S.ReferenceFile], city: str) -> Pick | None:
    return pick(reference, city, "rent_per_m2_month", "CNY_per_m2_month", "market_rent")
