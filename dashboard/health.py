"""Data health: how citable each city's figures are (issue 10).

An official quotes a figure only if its source would survive a question in the room, so the report counts
what a reviewer would ask about: sources by kind, records by verification and status, how much of the value
the five preset profiles are counted rests on at least one official text, which records rest only on
machine translations or AI answers, which sources are old, and which money or hukou schemes still have an
unconfirmed status. Pure: a LoadResult in, plain data out (the CLI prints it; the Sources page draws it).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import asdict, dataclass, field
from datetime import date, timedelta
from typing import Any

from dashboard.catalog import schema as S
from dashboard.engine.evaluate import evaluate_city, inputs_from
from dashboard.engine.profile import Profile, Settings
from dashboard.state import PROFILE_PRESETS

STALE_DAYS = 365  # "retrieved more than 12 months before today"
MONEY_FORMS = frozenset({"one_off", "monthly", "annual", "rent_discount", "tax_refund", "loan"})
# best first: the order a source list is shown in, and the "best source kind" of a record
KIND_ORDER: tuple[str, ...] = ("official", "state_media", "press", "firm", "aggregator", "machine_translation",
                               "ai_generated", "scenario")


def carries_money_or_hukou(inc: S.Incentive) -> bool:
    return inc.benefit.form in MONEY_FORMS or inc.benefit.status_kind == "hukou"


def kind_rank(src: S.Source) -> int:
    """0 for an official text or a verbatim repost of one, then the order of KIND_ORDER."""
    return 0 if src.backs_official else KIND_ORDER.index(src.kind)


def best_kind(sources: Iterable[S.Source]) -> str | None:
    """The strongest kind among a record's sources; a faithful repost counts as official."""
    ranked = sorted(sources, key=kind_rank)
    return None if not ranked else ("official" if ranked[0].backs_official else ranked[0].kind)


def cited(city: S.CityFile, inc: S.Incentive) -> list[S.Source]:
    by_id = {s.id: s for s in city.sources}
    return [by_id[s] for s in inc.sources if s in by_id]


def official_backed(city: S.CityFile, inc: S.Incentive) -> bool:
    return any(s.backs_official for s in cited(city, inc))


def weak_only(city: S.CityFile, inc: S.Incentive) -> bool:
    srcs = cited(city, inc)
    return bool(srcs) and all(s.kind in S.WEAK_KINDS for s in srcs)


@dataclass(frozen=True)
class CityHealth:
    city: str
    sources: int
    sources_by_kind: dict[str, int]
    official_sources: int                  # kind official, or faithful reposts of official texts
    official_sources_cited: int            # ... of them cited by at least one incentive
    incentives: int
    by_verification: dict[str, int]
    by_status: dict[str, int]
    counted_value: float                   # expected value counted for the five presets, summed
    counted_value_official: float          # ... of incentives citing at least one official source
    share_counted_official: float | None   # their ratio (None when nothing is counted)
    weak_only: list[str]                   # incentives whose sources are all machine translations / AI answers
    stale_sources: list[str]               # retrieved more than STALE_DAYS before today
    unresolved_status: list[str]           # money or hukou incentives whose status is still unknown
    by_preset: dict[str, dict[str, float]] = field(default_factory=dict)


def city_health(city: S.CityFile, results: Mapping[str, Any], today: date) -> CityHealth:
    """``results``: preset name -> the engine's CityResult for this city."""
    kinds = Counter("official" if s.backs_official else s.kind for s in city.sources)
    cited_ids = {sid for inc in city.incentives for sid in inc.sources}
    official = [s for s in city.sources if s.backs_official]
    by_preset: dict[str, dict[str, float]] = {}
    total = total_official = 0.0
    for name, res in results.items():
        v = sum(e.value.expected for e in res.evaluations if e.counted)
        vo = sum(e.value.expected for e in res.evaluations if e.counted and official_backed(city, e.incentive))
        by_preset[name] = {"counted": round(v, 2), "counted_official": round(vo, 2)}
        total, total_official = total + v, total_official + vo
    stale_before = today - timedelta(days=STALE_DAYS)
    return CityHealth(
        city=city.city,
        sources=len(city.sources),
        sources_by_kind={k: kinds[k] for k in KIND_ORDER if kinds[k]},
        official_sources=len(official),
        official_sources_cited=sum(1 for s in official if s.id in cited_ids),
        incentives=len(city.incentives),
        by_verification=dict(Counter(i.verification for i in city.incentives)),
        by_status=dict(Counter(i.status for i in city.incentives)),
        counted_value=round(total, 2),
        counted_value_official=round(total_official, 2),
        share_counted_official=round(total_official / total, 4) if total > 0 else None,
        weak_only=[i.id for i in city.incentives if weak_only(city, i)],
        stale_sources=[s.id for s in city.sources if s.retrieved < stale_before],
        unresolved_status=[i.id for i in city.incentives if i.status == "unknown" and carries_money_or_hukou(i)],
        by_preset=by_preset,
    )


def health(load_result: Any, today: date | None = None) -> dict[str, Any]:
    """The whole report, as plain data (the CLI's ``--json``)."""
    today = today or date.today()
    inputs = inputs_from(load_result)
    settings = Settings(today=today)
    out = []
    for cid in sorted(load_result.cities):
        city = load_result.cities[cid]
        results = {name: evaluate_city(Profile(**p), cid, inputs, settings) for name, p in PROFILE_PRESETS.items()}
        out.append(asdict(city_health(city, results, today)))
    national = Counter()
    for model in load_result.national.values():
        for s in getattr(model, "sources", []) or []:
            national["official" if s.backs_official else s.kind] += 1
    return {"today": today.isoformat(), "stale_days": STALE_DAYS, "presets": sorted(PROFILE_PRESETS),
            "cities": out, "national_sources_by_kind": {k: national[k] for k in KIND_ORDER if national[k]}}


def text_report(report: Mapping[str, Any]) -> str:
    """A short table for the terminal (and the before-stop hook's tail)."""
    lines = [f"data health as of {report['today']} (value: the five presets' counted expected value)",
             f"{'city':<10} {'sources':>7} {'official':>8} {'weak-only':>9} {'unknown status':>14} "
             f"{'stale':>5} {'value on official':>18}"]
    for c in report["cities"]:
        share = c["share_counted_official"]
        shown = "-" if share is None else f"{share:.0%} of {c['counted_value']:,.0f}"
        lines.append(f"{c['city']:<10} {c['sources']:>7} {c['official_sources']:>8} {len(c['weak_only']):>9} "
                     f"{len(c['unresolved_status']):>14} {len(c['stale_sources']):>5} {shown:>18}")
    nat = report["national_sources_by_kind"]
    lines.append("national sources by kind: " + ", ".join(f"{k} {n}" for k, n in nat.items()))
    return "\n".join(lines)
