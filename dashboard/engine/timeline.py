"""The policy timeline against a profile: which scheduled expiries fall inside the profile's horizon and end
something the profile gets (or may get) in the cities it looks at; and the filters the timeline page uses.

Pure: takes the loaded timeline and engine results; no Streamlit, no plotly.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date

from dashboard.catalog import procedures as P
from dashboard.engine.evaluate import CityResult

FIVE = ("beijing", "shanghai", "shenzhen", "hangzhou", "chengdu")


@dataclass(frozen=True)
class Highlight:
    """An upcoming expiry that ends something in the profile's results."""

    event: P.TimelineEvent
    hits: tuple[tuple[str, str, str], ...]  # (city, incentive id, status)


def horizon_end(today: date, horizon_years: int) -> date:
    """The last day the valuation counts: 31 December of the horizon's last year (the value engine counts
    whole tax years from this one)."""
    return date(today.year + horizon_years - 1, 12, 31)


def affecting(events: Iterable[P.TimelineEvent], results: Mapping[str, CityResult], today: date,
              horizon_years: int) -> list[Highlight]:
    """Expiries dated from today to the end of the horizon whose records the profile gets or may get. A
    national zone rule counts through the city incentive that refunds by it (``benefit.tax_rule``)."""
    end = horizon_end(today, horizon_years)
    out = []
    for ev in events:
        if ev.kind != "expires" or ev.date is None or not today <= ev.date <= end:
            continue
        hits = []
        for city, r in sorted(results.items()):
            for e in r.evaluations:
                if e.status == "ineligible" or e.outside_zone:
                    continue
                rule = e.incentive.benefit.tax_rule
                if e.id in ev.incentives or (rule is not None and rule in ev.national):
                    hits.append((city, e.id, e.status))
        if hits:
            out.append(Highlight(ev, tuple(hits)))
    return sorted(out, key=lambda h: (h.event.date, h.event.id))  # type: ignore[arg-type,return-value]


def concerns(ev: P.TimelineEvent, cities: Iterable[str], *, national: bool = True, other: bool = False) -> bool:
    """Shown for these cities: a city event of one of them; a national event (no city named) when
    ``national``; an event of another region that names none of the five (Hainan, Hengqin) when ``other``."""
    want = set(cities)
    if ev.cities:
        return bool(want & set(ev.cities))
    if ev.level == "national":
        return national
    return other


def select(events: Iterable[P.TimelineEvent], *, cities: Iterable[str] = FIVE, national: bool = True,
           other: bool = False, topics: Iterable[str] | None = None, kinds: Iterable[str] | None = None,
           years: tuple[int, int] | None = None, undated: bool = False) -> list[P.TimelineEvent]:
    """The events the filters keep, in date order (undated ones only when ``undated``, at the end)."""
    cities = tuple(cities)
    tp = set(topics) if topics is not None else None
    kd = set(kinds) if kinds is not None else None
    out = []
    for ev in events:
        if not concerns(ev, cities, national=national, other=other):
            continue
        if tp is not None and ev.topic not in tp:
            continue
        if kd is not None and ev.kind not in kd:
            continue
        if ev.date is None:
            if undated:
                out.append(ev)
            continue
        if years is not None and not years[0] <= ev.date.year <= years[1]:
            continue
        out.append(ev)
    return sorted(out, key=lambda e: (e.date is None, e.date or date.max, e.id))


def date_label(ev: P.TimelineEvent) -> str:
    """The date as precise as the source: 2015-07, 2026, 2016-01-12; '' when undated."""
    if ev.date is None:
        return ""
    if ev.precision == "year":
        return f"{ev.date.year}"
    if ev.precision == "month":
        return f"{ev.date.year}-{ev.date.month:02d}"
    return ev.date.isoformat()
