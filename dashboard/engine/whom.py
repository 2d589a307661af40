"""Whom each city wins: the weighted share of a documented applicant population (catalog/population.py) for
whom each city ranks first, overall and by segment, and how an added offer or a what-if edit moves it.

Pure: the population becomes columns (``population.Columns``), the vectorised sweep ranks every profile, and a
profile counts with the product of its axis weights (stated assumptions). Graduation years are relative to
``settings.today``. Shares are weighted means of "ranks first", so they sum to 1 over the cities (ties are
broken by the engine's rank order, so exactly one city is first per profile).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from dashboard.catalog import schema as S
from dashboard.engine import population as P
from dashboard.engine.profile import Profile, Settings

MAX_ADD = 100_000_000.0   # as cost to lead: RMB 100M is the largest amount considered


@dataclass(frozen=True)
class PopColumns:
    cols: P.Columns
    weight: np.ndarray                 # per profile, sums to 1
    index: dict[str, np.ndarray]       # axis -> index into that axis's values, per profile
    values: dict[str, list[Any]]       # axis -> its values


def population_columns(pop: Any, settings: Settings, *, horizon: int | None = None,
                       rate: float | None = None) -> PopColumns:
    """Every combination of the axes as columns, with its weight (product of normalised axis weights)."""
    axes = [a for a in pop.axes]
    values = {a: pop.values(a) for a in axes}
    weights = {a: np.array(pop.weights(a)) for a in axes}
    idx = np.indices([len(values[a]) for a in axes]).reshape(len(axes), -1)
    n = idx.shape[1]
    index = {a: idx[i] for i, a in enumerate(axes)}
    w = np.ones(n)
    for a in axes:
        w = w * weights[a][index[a]]
    w = w / w.sum()
    num = {k: np.full(n, np.nan) for k in P.NUM}
    code = {k: np.full(n, -1, np.int16) for k in P.CODES}
    flag = {k: np.full(n, -1, np.int8) for k in P.BOOL}
    for a in ("degree", "field", "origin", "intent"):
        code[a] = np.array([P.CODES[a].index(v) for v in values[a]], dtype=np.int16)[index[a]]
    num["annual_salary_cny"] = np.array(values["annual_salary_cny"], dtype=float)[index["annual_salary_cny"]]
    ysg = np.array(values["years_since_graduation"], dtype=float)[index["years_since_graduation"]]
    grad_age = np.array([pop.graduation_age[d] for d in values["degree"]], dtype=float)[index["degree"]]
    offset = np.array(values["age_offset"], dtype=float)[index["age_offset"]]
    num["age"] = np.clip(np.floor(grad_age + ysg + offset), 16, 80)
    num["graduation_year"] = settings.today.year - np.floor(ysg)
    d = Profile()
    cols = P.Columns(n, num, code, flag, horizon or d.horizon_years, d.discount_rate if rate is None else rate)
    return PopColumns(cols, w, index, values)


def profile_at(pc: PopColumns, i: int) -> Profile:
    """Profile ``i`` of the population as a scalar Profile (for recounts with the scalar engine)."""
    c = pc.cols
    return Profile(degree=P.CODES["degree"][c.code["degree"][i]], field=P.CODES["field"][c.code["field"][i]],
                   origin=P.CODES["origin"][c.code["origin"][i]], intent=P.CODES["intent"][c.code["intent"][i]],
                   age=int(c.num["age"][i]), graduation_year=int(c.num["graduation_year"][i]),
                   annual_salary_cny=float(c.num["annual_salary_cny"][i]), horizon_years=c.horizon,
                   discount_rate=c.rate)


@dataclass(frozen=True)
class Shares:
    cities: tuple[str, ...]
    profiles: int
    share_first: dict[str, float]
    by_segment: dict[str, dict[str, dict[str, float]]]   # axis -> value -> city -> share within the segment
    pairs: dict[str, dict[str, float]]                   # "phd|biotech" -> city -> share (degree x field)
    seconds: float = 0.0


def _label(v: Any) -> str:
    return str(v)


def shares_from(pc: PopColumns, first: np.ndarray, cities: Sequence[str], segments: Sequence[str]) -> Shares:
    """Weighted shares from a profiles x cities boolean "ranks first" matrix."""
    w = pc.weight
    total = (w[:, None] * first).sum(axis=0)
    share = {c: float(total[j]) for j, c in enumerate(cities)}
    by_seg: dict[str, dict[str, dict[str, float]]] = {}
    for a in segments:
        out: dict[str, dict[str, float]] = {}
        ix = pc.index[a]
        k = len(pc.values[a])
        wsum = np.bincount(ix, weights=w, minlength=k)
        for j, c in enumerate(cities):
            won = np.bincount(ix, weights=w * first[:, j], minlength=k)
            for v_i, v in enumerate(pc.values[a]):
                if wsum[v_i] > 0:
                    out.setdefault(_label(v), {})[c] = float(won[v_i] / wsum[v_i])
        by_seg[a] = out
    pairs: dict[str, dict[str, float]] = {}
    if "degree" in pc.index and "field" in pc.index:
        kf = len(pc.values["field"])
        ix = pc.index["degree"] * kf + pc.index["field"]
        m = len(pc.values["degree"]) * kf
        wsum = np.bincount(ix, weights=w, minlength=m)
        for j, c in enumerate(cities):
            won = np.bincount(ix, weights=w * first[:, j], minlength=m)
            for p_i in range(m):
                if wsum[p_i] > 0:
                    key = f"{pc.values['degree'][p_i // kf]}|{pc.values['field'][p_i % kf]}"
                    pairs.setdefault(key, {})[c] = float(won[p_i] / wsum[p_i])
    return Shares(tuple(cities), int(pc.cols.n), share, by_seg, pairs)


def whom_wins(pop: Any, inputs: Any, settings: Settings, *, weights: Mapping[str, float] | None = None,
              preset: str | None = None, pc: PopColumns | None = None) -> Shares:
    """Shares first per city and by segment for the population under the given weights."""
    import time

    t0 = time.perf_counter()
    pc = pc or population_columns(pop, settings)
    res = P.sweep_columns(pc.cols, inputs, settings, weights=weights, preset=preset)
    out = shares_from(pc, res.rank == 1, res.cities, pop.segments)
    return Shares(out.cities, out.profiles, out.share_first, out.by_segment, out.pairs, time.perf_counter() - t0)


# --- added offers ----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Add:
    city: str
    category: str
    amount: float


def parse_add(text: str, cities: Sequence[str]) -> Add:
    """``CITY:CATEGORY:AMOUNT`` -> Add, or ValueError with one line naming the problem."""
    parts = text.split(":")
    if len(parts) != 3:
        raise ValueError(f"--add {text!r}: expected CITY:CATEGORY:AMOUNT, e.g. chengdu:living:50000")
    city, cat, amt = (p.strip() for p in parts)
    if city not in cities:
        raise ValueError(f"--add {text!r}: unknown city {city!r}; expected one of {', '.join(sorted(cities))}")
    if cat not in S.CATEGORIES:
        raise ValueError(f"--add {text!r}: unknown category {cat!r}; expected one of {', '.join(S.CATEGORIES)}")
    if not amt.isascii() or not amt.replace(".", "", 1).lstrip("-").isdigit():
        raise ValueError(f"--add {text!r}: amount {amt!r} is not a number")
    a = float(amt)
    if a <= 0:
        raise ValueError(f"--add {text!r}: amount {a:g} must be positive")
    if a > MAX_ADD:
        raise ValueError(f"--add {text!r}: amount {a:,.0f} is absurd; expected at most {MAX_ADD:,.0f}")
    return Add(city, cat, a)


def with_adds(inputs: Any, adds: Sequence[Add], today: Any) -> Any:
    """A copy of the inputs where each added offer is an unconditional, city-wide one-off payment (as in
    cost to lead); the official records are not changed."""
    import dataclasses

    from dashboard.engine.benchmark import SYNTHETIC_ID, _synthetic_city

    cities = dict(inputs.cities)
    for n, a in enumerate(adds):
        c = _synthetic_city(cities[a.city], a.category, a.amount, today)
        inc = c.incentives[-1].model_copy(update={"id": f"{SYNTHETIC_ID}.{n}"})
        srcs = c.sources if n == 0 or len({s.id for s in c.sources}) == len(c.sources) else c.sources[:-1]
        cities[a.city] = c.model_copy(update={"incentives": [*c.incentives[:-1], inc], "sources": srcs})
    return dataclasses.replace(inputs, cities=cities, _picks={})


# --- what changed ----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Move:
    city: str
    segment: str          # "all", "degree=phd", "phd|biotech"
    before: float
    after: float

    @property
    def delta(self) -> float:
        return self.after - self.before


def moves(before: Shares, after: Shares, *, city: str | None = None, limit: int = 5) -> list[Move]:
    """The largest changes of share (overall, by segment, degree x field), biggest first."""
    out: list[Move] = []
    for c in after.cities:
        if city is not None and c != city:
            continue
        out.append(Move(c, "all", before.share_first.get(c, 0.0), after.share_first.get(c, 0.0)))
        for a, vals in after.by_segment.items():
            for v, sh in vals.items():
                out.append(Move(c, f"{a}={v}", before.by_segment.get(a, {}).get(v, {}).get(c, 0.0), sh.get(c, 0.0)))
        for k, sh in after.pairs.items():
            out.append(Move(c, k, before.pairs.get(k, {}).get(c, 0.0), sh.get(c, 0.0)))
    out = [m for m in out if abs(m.delta) > 1e-9]
    return sorted(out, key=lambda m: -abs(m.delta))[:limit]
