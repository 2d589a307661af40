"""Engine results as plain JSON-ready dicts: one shape for the CLI, the app's downloads and the exports.

Documented in the README ("Command line"); golden tests pin it.
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Mapping
from typing import Any

from dashboard.catalog import schema as S
from dashboard.engine.evaluate import CityResult, Evaluation, Total
from dashboard.engine.rank import Change, Gap, Ranking


def _num(x: float | None, nd: int = 2) -> float | None:
    if x is None or (isinstance(x, float) and math.isnan(x)):
        return None
    return round(float(x), nd)


def total(t: Total) -> dict[str, Any]:
    return {"low": _num(t.low, 0), "expected": _num(t.expected, 0), "high": _num(t.high, 0),
            "status_points": t.status_points, "count": t.count, "possible_count": t.possible_count,
            "possible_high": _num(t.possible_high, 0)}


def amount(a: S.Amount | None) -> dict[str, Any] | None:
    if a is None:
        return None
    return {"low": a.low, "high": a.high, "currency": a.currency, "discretionary": a.discretionary}


def source(s: S.Source) -> dict[str, Any]:
    return {"id": s.id, "issuer": s.issuer, "title": s.title, "url": s.url, "document_number": s.document_number,
            "published": s.published.isoformat() if s.published else None, "retrieved": s.retrieved.isoformat()}


def evaluation(e: Evaluation, city: S.CityFile) -> dict[str, Any]:
    inc = e.incentive
    srcs = {s.id: s for s in city.sources}
    tier = next((t for t in inc.tiers if t.id == e.tier_id), None)
    return {
        "id": inc.id, "name_en": inc.name_en, "name_zh": inc.name_zh, "category": inc.category,
        "scope": {"level": inc.scope.level, "name_en": inc.scope.name_en, "name_zh": inc.scope.name_zh},
        "status": e.status, "excluded_by": e.excluded_by,
        "reasons": [{"kind": c.kind, "status": c.status, "en": c.reason_en, "zh": c.reason_zh,
                     "commitment": c.commitment} for c in e.conditions],
        "tier": e.tier_id,
        "amount": amount(tier.amount if tier else inc.benefit.amount), "form": inc.benefit.form,
        "value": {"low": _num(e.value.low, 0), "expected": _num(e.value.expected, 0), "high": _num(e.value.high, 0),
                  "known": e.value.known, "money": e.value.money, "status_points": e.value.status_points,
                  "rule_en": e.value.rule_en, "rule_zh": e.value.rule_zh},
        "policy_status": inc.status, "valid_from": inc.valid_from.isoformat() if inc.valid_from else None,
        "valid_to": inc.valid_to.isoformat() if inc.valid_to else None, "verification": inc.verification,
        "sources": [source(srcs[s]) for s in inc.sources if s in srcs],
    }


def city_result(r: CityResult, city: S.CityFile) -> dict[str, Any]:
    return {
        "city": r.city, "total": total(r.total),
        "by_category": {k: total(v) for k, v in r.by_category.items()},
        "value_in_wage_years": _num(r.value_in_wage_years, 3),
        "local_wage": dataclasses.asdict(r.local_wage) if r.local_wage else None,
        "market_rent": dataclasses.asdict(r.market_rent) if r.market_rent else None,
        "incentives": [evaluation(e, city) for e in r.evaluations],
        "absences": [{"id": a.id, "category": a.category, "en": a.statement_en, "zh": a.statement_zh,
                      "verification": a.verification} for a in city.absences],
    }


def ranking(rk: Ranking, cities: Mapping[str, S.CityFile] | None = None) -> dict[str, Any]:
    rows = []
    for r in rk.rows:
        rows.append({
            "city": r.city, "rank": r.rank, "score": _num(r.score, 2),
            "value": total(r.result.total), "value_in_wage_years": _num(r.result.value_in_wage_years, 3),
            "by_category": {k: total(v) for k, v in r.result.by_category.items()},
            "rank_range": [r.rank_min, r.rank_max], "share_first": _num(r.share_first, 3),
            "dimensions": {k: _num(v, 4) for k, v in r.dims.items()},
            "dimensions_raw": {k: _num(v, 4) for k, v in r.raw.items()},
            "permit_class": getattr(r.result.permit, "klass", None),
            "top_incentives": [e.id for e in sorted(r.result.eligible(), key=lambda e: -e.value.expected)[:3]],
            "user_supplied": r.user_supplied,
        })
    return {"cities": rows, "weights": rk.weights, "sensitivity_draws": rk.draws, "flags": list(rk.flags)}


def gap(g: Gap) -> dict[str, Any]:
    return {"category": g.category, "leader_expected": _num(g.leader_expected, 0), "city_expected": _num(g.city_expected, 0),
            "gap": _num(g.amount, 0), "leader_items": [e.id for e in g.leader_items], "city_items": [e.id for e in g.city_items]}


def change(c: Change) -> dict[str, Any]:
    return {"kind": c.kind, "en": c.label_en, "zh": c.label_zh, "new_leader": c.new_leader, **c.detail}


def plain(obj: Any) -> Any:
    """Dataclasses (national results) to JSON-ready data."""
    if dataclasses.is_dataclass(obj) and not isinstance(obj, type):
        return {k: plain(v) for k, v in dataclasses.asdict(obj).items()}
    if isinstance(obj, Mapping):
        return {str(k): plain(v) for k, v in obj.items()}
    if isinstance(obj, (list, tuple)):
        return [plain(v) for v in obj]
    if isinstance(obj, float):
        return _num(obj, 2)
    if hasattr(obj, "isoformat"):
        return obj.isoformat()
    return obj
