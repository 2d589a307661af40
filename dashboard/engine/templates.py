"""Incentive templates for the benchmark's what-if: the *shapes* of common offers an official may want to
try ("what if we paid a one-off living subsidy to PhDs?"), never figures.

These are templates, not data: they hold no amount, no source and no claim about any city. The amount (and
the duration, where the form needs one) always comes from the user; the conditions below are editable
starting points (degree floors and plan types that the named form usually carries), which the what-if
edits can replace or remove. An incentive added from a template is marked ``verification: unverified`` and
cites a what-if source that says it is not a policy (see ``whatif.WHATIF_SOURCE``).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class Template:
    id: str
    name_en: str
    name_zh: str
    category: str
    form: str
    description_en: str
    description_zh: str
    needs: str | None = None                 # "duration_months" | "duration_years" | None
    status_kind: str | None = None           # for status forms (no amount)
    conditions: tuple[Mapping[str, Any], ...] = field(default_factory=tuple)

    @property
    def has_amount(self) -> bool:
        return self.form not in ("status", "in_kind")


_DEGREE_BACHELOR = {"kind": "degree", "min": "bachelor"}
_DEGREE_PHD = {"kind": "degree", "min": "phd"}

TEMPLATES: dict[str, Template] = {t.id: t for t in (
    Template("living_one_off", "One-off living subsidy", "一次性生活补贴", "living", "one_off",
             "A one-off cash payment on approval.", "批准后一次性发放现金。", conditions=(_DEGREE_BACHELOR,)),
    Template("living_monthly", "Monthly living allowance", "按月生活补贴", "living", "monthly",
             "A cash allowance paid every month.", "按月发放的现金补贴。", needs="duration_months",
             conditions=(_DEGREE_BACHELOR,)),
    Template("housing_monthly", "Monthly rent subsidy", "按月租房补贴", "housing", "monthly",
             "A rent subsidy paid every month.", "按月发放的租房补贴。", needs="duration_months",
             conditions=(_DEGREE_BACHELOR, {"kind": "no_local_home"})),
    Template("housing_one_off", "One-off housing subsidy", "一次性住房补贴", "housing", "one_off",
             "A one-off housing or settling-in payment.", "一次性住房或安家补贴。",
             conditions=(_DEGREE_BACHELOR, {"kind": "no_local_home"})),
    Template("research_annual", "Annual research funding", "年度科研经费", "research", "annual",
             "Research funding paid every year.", "每年发放的科研经费。", needs="duration_years",
             conditions=(_DEGREE_PHD, {"kind": "intent", "any_of": ["research"]})),
    Template("startup_one_off", "Startup grant", "创业资助", "startup", "one_off",
             "A one-off grant to a new company.", "对新创企业的一次性资助。",
             conditions=({"kind": "intent", "any_of": ["startup"]},
                         {"kind": "commitment", "what": "register_firm", "text_en": "register the company in the city",
                          "text_zh": "在本市注册企业"})),
    Template("family_one_off", "One-off family subsidy", "一次性家庭补贴", "family", "one_off",
             "A one-off payment to families with children.", "对有子女家庭的一次性补贴。",
             conditions=({"kind": "has_children"},)),
    Template("hukou_on_arrival", "Hukou on arrival", "落户", "hukou_residence", "status",
             "City hukou granted on taking up work.", "就业即可落户。", status_kind="hukou",
             conditions=(_DEGREE_BACHELOR,)),
)}
