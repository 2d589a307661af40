"""Models for ``data/national/*.yaml``: the national scheme (visas, work-permit points, income tax, zone
tax caps, permanent residence). Each file name maps to one model; every rule carries its sources and
verification level like city incentives do.

``FILES`` is the registry the loader uses; ``check`` runs the cross-record checks a model cannot make.
"""

from __future__ import annotations

from datetime import date

from pydantic import BaseModel

from dashboard.catalog.loader import Problem

FILES: dict[str, type[BaseModel]] = {}


def model_for(filename: str) -> type[BaseModel] | None:
    return FILES.get(filename)


def check(file: str, model: BaseModel, today: date) -> list[Problem]:
    return []
