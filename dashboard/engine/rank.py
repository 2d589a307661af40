"""The ranking a user sees: every city evaluated, scored, ranked, with sensitivity, what the leader offers
that others do not, and the smallest changes that would change the top city."""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np

from dashboard.catalog import schema as S
from dashboard.engine import score as SC
from dashboard.engine.evaluate import CityResult, Evaluation, Inputs, evaluate_city
from dashboard.engine.industry import industry_scores
from dashboard.engine.profile import Profile, Settings
from dashboard.engine.rules import INTENT_EN, INTENT_ZH


@dataclass(frozen=True)
class CityRank:
    city: str
    rank: int
    score: float
    rank_min: int
    rank_max: int
    share_first: float
    dims: dict[str, float]        # normalised 0..1
    raw: dict[str, float]         # before normalisation (see score.py for units)
    result: CityResult
    user_supplied: bool = False


@dataclass(frozen=True)
class Ranking:
    rows: tuple[CityRank, ...]                 # in rank order
    weights: dict[str, float]
    flags: tuple[str, ...] = ()
    draws: int = 0

    def by_city(self) -> dict[str, CityRank]:
        return {r.city: r for r in self.rows}

    @property
    def leader(self) -> CityRank:
        return self.rows[0]


def resolve_weights(weights: Mapping[str, float] | None = None, preset: str | None = None) -> dict[str, float]:
    if weights is not None:
        unknown = set(weights) - set(SC.DIMENSIONS)
        if unknown:
            raise ValueError(f"unknown weight dimension(s) {sorted(unknown)}; expected {list(SC.DIMENSIONS)}")
        w = {d: float(weights.get(d, 0.0)) for d in SC.DIMENSIONS}
        SC.weight_vector(w)  # validates
        return w
    name = preset or SC.DEFAULT_PRESET
    if name not in SC.PRESETS:
        raise ValueError(f"unknown preset {name!r}; expected one of {sorted(SC.PRESETS)}")
    return dict(SC.PRESETS[name])


def rank_cities(profile: Profile, inputs: Inputs, settings: Settings, *, weights: Mapping[str, float] | None = None,
                preset: str | None = None, cities: Sequence[str] | None = None,
                draws: int = SC.SENSITIVITY_DRAWS) -> Ranking:
    w = resolve_weights(weights, preset)
    ids = [c for c in (cities or inputs.cities) if c in inputs.cities]
    if not ids:
        raise ValueError("no cities to rank")
    results = [evaluate_city(profile, c, inputs, settings) for c in ids]
    return rank_results(results, profile, inputs, w, draws=draws)


def rank_results(results: Sequence[CityResult], profile: Profile, inputs: Inputs, w: Mapping[str, float], *,
                 draws: int = SC.SENSITIVITY_DRAWS) -> Ranking:
    ind = industry_scores(inputs.industry, profile.field, [r.city for r in results])
    table = SC.raw_dimensions(results, ind, _money_left(results, profile, inputs))
    wv = SC.weight_vector(w)
    sc = SC.scores(table.norm, wv)
    tiebreak = np.array([r.total.expected for r in results])
    rk = SC.ranks_from(sc, tiebreak)
    keep = np.ones(len(wv), bool)
    keep[-1] = wv[-1] > 0  # an unweighted money_left is left out of the draws, so they are the same as before it
    sens = SC.sensitivity(table.norm[:, keep], wv[keep], tiebreak, draws=draws)
    rows = [
        CityRank(r.city, int(rk[i]), float(sc[i]), int(sens.rank_min[i]), int(sens.rank_max[i]),
                 float(sens.share_first[i]), dict(zip(SC.DIMENSIONS, map(float, table.norm[i]), strict=True)),
                 dict(zip(SC.DIMENSIONS, map(float, table.raw[i]), strict=True)), r,
                 r.city in inputs.user_supplied)
        for i, r in enumerate(results)
    ]
    rows.sort(key=lambda x: x.rank)
    return Ranking(tuple(rows), dict(w), table.flags, draws)


def _money_left(results: Sequence[CityResult], profile: Profile, inputs: Inputs) -> dict[str, float | None] | None:
    """Per city, the yearly money left (upper estimate where a part is unknown); None without a salary."""
    if profile.annual_salary_cny is None or inputs.national is None:
        return None
    from datetime import date

    from dashboard.engine.takehome import take_home

    out: dict[str, float | None] = {}
    today = date.min  # the date only decides the "earlier contribution year" note, not the amount
    for r in results:
        try:
            t = take_home(r.city, profile.annual_salary_cny, inputs, today=today, horizon_years=profile.horizon_years,
                          incentives_per_year=r.total.expected / profile.horizon_years, owns_home=profile.owns_home_in_city)
        except ValueError:
            out[r.city] = None
            continue
        out[r.city] = t.best_left
    return out


# --- why not elsewhere ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Gap:
    category: str
    leader_expected: float
    city_expected: float
    leader_items: tuple[Evaluation, ...]
    city_items: tuple[Evaluation, ...]

    @property
    def amount(self) -> float:
        return self.leader_expected - self.city_expected


def gaps_to_leader(ranking: Ranking, city: str) -> list[Gap]:
    """Per category, what the leader pays this profile that the city does not (largest gap first)."""
    leader = ranking.leader.result
    mine = ranking.by_city()[city].result
    out = []
    for cat in S.CATEGORIES:
        le, me = leader.by_category[cat], mine.by_category[cat]
        l_items = tuple(e for e in leader.eligible() if e.incentive.category == cat)
        m_items = tuple(e for e in mine.eligible() if e.incentive.category == cat)
        if le.expected > me.expected + 0.5 or le.status_points > me.status_points:
            out.append(Gap(cat, le.expected, me.expected, l_items, m_items))
    return sorted(out, key=lambda g: -g.amount)


# --- what would change it ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Change:
    kind: str                    # "profile" | "weight"
    label_en: str
    label_zh: str
    new_leader: str
    detail: dict[str, object] = field(default_factory=dict)


DEGREE_NEXT = {"none": "bachelor", "bachelor": "master", "master": "phd"}


def _profile_candidates(p: Profile, settings: Settings) -> list[tuple[str, str, dict[str, object]]]:
    """Small, realistic changes, cheapest first."""
    c: list[tuple[str, str, dict[str, object]]] = []
    if p.graduation_year is not None and p.graduation_year < settings.today.year:
        c.append(("apply in your graduation year (within the time limits)", "在毕业当年申请（满足时限要求）",
                  {"graduation_year": settings.today.year}))
    if p.hsk_level is not None and p.hsk_level < 6:
        for lvl in (4, 5, 6):
            if lvl > p.hsk_level:
                c.append((f"pass HSK {lvl}", f"通过HSK {lvl}级", {"hsk_level": lvl}))
    if p.annual_salary_cny:
        for f in (1.25, 1.5, 2.0, 3.0):
            s = round(p.annual_salary_cny * f, -3)
            c.append((f"a salary of RMB {s:,.0f} (x{f:g})", f"年薪{s:,.0f}元（x{f:g}）", {"annual_salary_cny": s}))
    if p.degree in DEGREE_NEXT:
        d = DEGREE_NEXT[p.degree]
        c.append((f"complete a {d} degree", f"取得{ {'bachelor': '学士', 'master': '硕士', 'phd': '博士'}[d] }学位",
                  {"degree": d}))
    for intent in ("employment", "research", "startup"):
        if p.intent is not None and intent != p.intent:
            c.append((f"plan {INTENT_EN[intent]} instead of {INTENT_EN[p.intent]}", f"将意向改为{INTENT_ZH[intent]}",
                      {"intent": intent}))
    return c


@dataclass(frozen=True)
class Standing:
    """Where a profile stands in each city before any weights: the normalised dimensions and the tie-break
    (expected value) that ``rank_results`` scores. Weights only enter after this, so one Standing answers
    "who leads?" under any weights without evaluating the cities again (a weight change costs no evaluation)."""

    cities: tuple[str, ...]
    norm: np.ndarray
    tiebreak: np.ndarray

    def leader(self, weights: Mapping[str, float]) -> str:
        rk = SC.ranks_from(SC.scores(self.norm, SC.weight_vector(weights)), self.tiebreak)
        return self.cities[int(np.argmin(rk))]


def standing(results: Sequence[CityResult], profile: Profile, inputs: Inputs) -> Standing:
    ind = industry_scores(inputs.industry, profile.field, [r.city for r in results])
    table = SC.raw_dimensions(results, ind, _money_left(results, profile, inputs))  # as rank_results scores it
    return Standing(tuple(r.city for r in results), table.norm, np.array([r.total.expected for r in results]))


@dataclass(frozen=True)
class Candidate:
    """One small profile change and where the changed profile stands (see ``candidate_standings``)."""

    label_en: str
    label_zh: str
    diff: dict[str, object]
    standing: Standing


def candidate_standings(profile: Profile, inputs: Inputs, settings: Settings,
                        cities: Sequence[str]) -> tuple[Candidate, ...]:
    """Every small profile change (``_profile_candidates``) evaluated in ``cities``: the expensive, weights-free
    half of ``what_would_change``, small enough (a few floats per city) for a caller to cache per profile."""
    out: list[Candidate] = []
    for en, zh, diff in _profile_candidates(profile, settings):
        try:
            p2 = profile.model_copy(update=diff)
            p2 = Profile.model_validate(p2.model_dump())
        except ValueError:
            continue
        results = [evaluate_city(p2, c, inputs, settings) for c in cities if c in inputs.cities]
        if results:
            out.append(Candidate(en, zh, diff, standing(results, p2, inputs)))
    return tuple(out)


def what_would_change(profile: Profile, inputs: Inputs, settings: Settings, ranking: Ranking,
                      *, limit: int = 5, candidates: Sequence[Candidate] | None = None) -> list[Change]:
    """The smallest profile changes and single-weight changes that change the top city. ``candidates``:
    the profile's ``candidate_standings`` when the caller has them (cached), else they are computed."""
    leader = ranking.leader.city
    out: list[Change] = []
    cities = [r.city for r in ranking.rows]
    if candidates is None:
        candidates = candidate_standings(profile, inputs, settings, cities)
    for cand in candidates:
        new_leader = cand.standing.leader(ranking.weights)
        if new_leader != leader:
            out.append(Change("profile", cand.label_en, cand.label_zh, new_leader, {"profile_change": cand.diff}))
        if len([o for o in out if o.kind == "profile"]) >= limit:
            break
    norm = np.array([[r.dims[d] for d in SC.DIMENSIONS] for r in ranking.rows])
    tiebreak = np.array([r.result.total.expected for r in ranking.rows])
    wv = SC.weight_vector(ranking.weights)
    seen: set[str] = set()
    for _, di, delta in SC.weight_to_flip(norm, wv, 0):
        dim = SC.DIMENSIONS[di]
        if dim not in ranking.weights:  # the optional money_left is only a lever once the user weights it
            continue
        # The sliders move in whole steps up to WEIGHT_MAX: suggest the whole step that flips the leader, and
        # nothing the controls cannot do (a weight of 188.5 on a 0-100 slider is no advice at all).
        add = float(math.ceil(delta / SC.WEIGHT_STEP - 1e-9) * SC.WEIGHT_STEP)
        if dim in seen or wv[di] + add > SC.WEIGHT_MAX + 1e-9:
            continue
        w2 = wv.copy()
        w2[di] += add
        top = ranking.rows[int(np.argmin(SC.ranks_from(SC.scores(norm, w2), tiebreak)))].city
        if top == leader:
            continue
        seen.add(dim)
        to = float(wv[di] + add)
        out.append(Change("weight", f"raise the weight of {dim} by {add:g} (to {to:g})",
                          f"将「{dim}」权重提高{add:g}（至{to:g}）", top, {"dimension": dim, "add": add, "to": to}))
        if len(seen) >= limit:
            break
    return out
