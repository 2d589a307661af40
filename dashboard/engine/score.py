"""Scores and ranks: documented dimensions, ratio-to-leader normalisation, weights with presets, ranks,
and sensitivity to the weights.

Dimensions (each a number per city, higher is better):
- ``money``: expected discounted cash from tax, living, research and family incentives over the horizon,
  in years of the city's average wage (cost-of-living relative; raw CNY for all cities if any wage is
  missing, flagged).
- ``housing``: the same for housing incentives (cash and below-market rent).
- ``status``: status points of hukou, residence, permit, title and service benefits (value.STATUS_POINTS)
  plus the work-permit class reachable in the city (A 3, B 2, C 1; foreign applicants only).
- ``startup``: half startup grants (expected, wage-relative), half the count of startup instruments
  (loans, incubator services) the profile qualifies for.
- ``industry``: how strongly the city backs the profile's field (data/reference/industry_fit.yaml).
- ``market``: the city's average wage, a proxy for the labour market's pay level.
- ``money_left``: what is left of the salary each year after the employee's social insurance, housing fund,
  income tax and rent, plus the incentives per year (engine/takehome.py), in years of the city's average wage.
  Optional: no preset weights it (weight 0), so rankings without it are unchanged; where a part is unknown the
  upper estimate is used and flagged.

Normalisation: each dimension is divided by the best city's value (the leader scores 1, a city with half
the leader's value 0.5; all-zero dimensions score 0 everywhere). Score = 100 x sum(w x s) / sum(w).

Sensitivity (a robustness check, not a confidence interval): 1,000 weight vectors drawn from a Dirichlet
distribution centred on the chosen weights (concentration 40); each city's rank range over the draws and
the share of draws in which it ranks first.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np

from dashboard.engine.evaluate import CityResult

DIMENSIONS: tuple[str, ...] = ("money", "housing", "status", "startup", "industry", "market", "money_left")
MONEY_CATEGORIES = ("tax", "living", "research", "family")
PERMIT_POINTS = {"A": 3, "B": 2, "C": 1}

PRESETS: dict[str, dict[str, float]] = {
    "graduate":       {"money": 30, "housing": 20, "status": 20, "startup": 5, "industry": 15, "market": 10},
    "phd_researcher": {"money": 30, "housing": 15, "status": 15, "startup": 5, "industry": 25, "market": 10},
    "founder":        {"money": 15, "housing": 10, "status": 10, "startup": 40, "industry": 15, "market": 10},
    "family_mover":   {"money": 20, "housing": 30, "status": 30, "startup": 0, "industry": 10, "market": 10},
    "k_visa_talent":  {"money": 25, "housing": 15, "status": 30, "startup": 10, "industry": 10, "market": 10},
}
DEFAULT_PRESET = "graduate"
SENSITIVITY_DRAWS = 1000
SENSITIVITY_CONCENTRATION = 40.0


@dataclass(frozen=True)
class DimensionTable:
    cities: tuple[str, ...]
    raw: np.ndarray          # cities x dimensions
    norm: np.ndarray         # cities x dimensions, 0..1
    flags: tuple[str, ...]   # what was missing or approximated


def raw_dimensions(results: Sequence[CityResult], industry: Mapping[str, float | None],
                   left: Mapping[str, float | None] | None = None) -> DimensionTable:
    """``left``: per city, the yearly money left (engine/takehome.py), or None where unknown."""
    flags: list[str] = []
    wage_ok = all(r.local_wage is not None for r in results)
    if not wage_ok:
        flags.append("money_raw_cny:")  # a city lacks an average wage: money compared in CNY, not wage-years
    rows = []
    for r in results:
        div = r.local_wage.value if (wage_ok and r.local_wage) else 1.0
        money = sum(r.by_category[c].expected for c in MONEY_CATEGORIES) / div
        housing = r.by_category["housing"].expected / div
        permit_pts = PERMIT_POINTS.get(getattr(r.permit, "klass", None) or "", 0)
        status = r.total.status_points + permit_pts
        grants = r.by_category["startup"].expected / div
        ind = industry.get(r.city)
        if ind is None:
            flags.append(f"industry_unknown:{r.city}")
        market = r.local_wage.value if r.local_wage else 0.0
        if r.local_wage is None:
            flags.append(f"wage_unknown:{r.city}")
        lv = (left or {}).get(r.city)
        if left is not None and lv is None:
            flags.append(f"money_left_unknown:{r.city}")
        rows.append([money, housing, status, grants, float(r.startup_instruments), ind or 0.0, market, (lv or 0.0) / div])
    arr = np.array(rows, dtype=float).reshape(len(results), 8)
    norm7 = _ratio_to_best(arr)
    startup = 0.5 * norm7[:, 3] + 0.5 * norm7[:, 4]
    raw = arr[:, [0, 1, 2, 3, 5, 6, 7]]  # startup raw = grants in wage-years; instruments are in CityResult
    norm = np.column_stack([norm7[:, 0], norm7[:, 1], norm7[:, 2], startup, norm7[:, 5], norm7[:, 6], norm7[:, 7]])
    return DimensionTable(tuple(r.city for r in results), raw, norm, tuple(flags))


def _ratio_to_best(a: np.ndarray) -> np.ndarray:
    best = a.max(axis=0, initial=0.0)
    with np.errstate(divide="ignore", invalid="ignore"):
        out = np.where(best > 0, a / np.where(best > 0, best, 1.0), 0.0)
    return np.clip(out, 0.0, 1.0)


# The weight sliders' range and step (sidebar): suggestions to change a weight stay inside them.
WEIGHT_MAX = 100.0
WEIGHT_STEP = 1.0


def weight_vector(weights: Mapping[str, float]) -> np.ndarray:
    w = np.array([float(weights.get(d, 0.0)) for d in DIMENSIONS])
    if (w < 0).any():
        raise ValueError("weights must be non-negative")
    if w.sum() <= 0:
        raise ValueError("at least one weight must be positive")
    return w


def scores(norm: np.ndarray, w: np.ndarray) -> np.ndarray:
    """norm: cities x dims; w: dims or draws x dims. Returns cities or draws x cities, 0..100."""
    w = np.asarray(w, dtype=float)
    if w.ndim == 1:
        return 100.0 * norm @ w / w.sum()
    return 100.0 * (w @ norm.T) / w.sum(axis=1, keepdims=True)


def ranks_from(score: np.ndarray, tiebreak: np.ndarray) -> np.ndarray:
    """1-based ranks; higher score first, then higher tiebreak (expected value), then input order."""
    n = score.shape[-1]
    order = np.lexsort((np.arange(n), -tiebreak, -np.round(score, 9)))
    ranks = np.empty(n, dtype=int)
    ranks[order] = np.arange(1, n + 1)
    return ranks


@dataclass(frozen=True)
class Sensitivity:
    rank_min: np.ndarray
    rank_max: np.ndarray
    share_first: np.ndarray


def sensitivity(norm: np.ndarray, w: np.ndarray, tiebreak: np.ndarray, *, draws: int = SENSITIVITY_DRAWS,
                concentration: float = SENSITIVITY_CONCENTRATION, seed: int = 0) -> Sensitivity:
    n = norm.shape[0]
    if draws <= 0 or n == 0:
        r = ranks_from(scores(norm, w), tiebreak)
        return Sensitivity(r, r, (r == 1).astype(float))
    rng = np.random.default_rng(seed)
    alpha = concentration * w / w.sum() + 0.05
    ws = rng.dirichlet(alpha, size=draws)
    sc = scores(norm, ws)                              # draws x cities
    # rank = 1 + number of cities strictly better (score, then tiebreak)
    s = np.round(sc, 9)
    better = (s[:, None, :] > s[:, :, None]) | ((s[:, None, :] == s[:, :, None]) & (tiebreak[None, None, :] > tiebreak[None, :, None]))
    rk = 1 + better.sum(axis=2)                         # draws x cities
    return Sensitivity(rk.min(axis=0), rk.max(axis=0), (rk == 1).mean(axis=0))


def weight_to_flip(norm: np.ndarray, w: np.ndarray, leader: int) -> list[tuple[int, int, float]]:
    """Smallest increase of one weight (in the same units as the weights) that puts another city ahead of
    the leader: [(city index, dimension index, added weight)], smallest first. Scores are linear in the
    weights, so the threshold is exact: sum(w x diff) + delta x diff_d > 0."""
    out = []
    for c in range(norm.shape[0]):
        if c == leader:
            continue
        diff = norm[c] - norm[leader]
        base = float(w @ diff)
        for d in range(norm.shape[1]):
            if diff[d] > 1e-12:
                delta = max(0.0, -base / diff[d]) + 1e-6
                out.append((c, d, delta))
    return sorted(out, key=lambda t: t[2])
