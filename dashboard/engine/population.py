"""Population sweep: many profiles at once, vectorised with numpy, equal profile by profile to the scalar
engine (tests/test_population.py checks that on a sample).

How: the profile set becomes columns (one array per field; unknown = NaN or -1). Each condition becomes a
vector of -1 (fail), 0 (unknown), 1 (pass); an incentive's status is the minimum over its conditions
(fail dominates, then unknown) and ``any_of`` takes the maximum. Values do not depend on the person
except through the chosen tier and the tax refund, so each (incentive, tier) is valued once by the scalar
``value_of`` and broadcast; the tax refund is linear in the yearly refund. The work-permit class is
computed once per distinct combination of the fields the points table reads and broadcast back.
"""

from __future__ import annotations

import itertools
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from dashboard.catalog import schema as S
from dashboard.engine import reference as R
from dashboard.engine import score as SC
from dashboard.engine.evaluate import Inputs
from dashboard.engine.industry import industry_scores
from dashboard.engine.profile import Profile, Settings
from dashboard.engine.rank import resolve_weights
from dashboard.engine.value import value_of

PASS, UNK, FAIL = np.int8(1), np.int8(0), np.int8(-1)
DEGREES = list(S.DEGREE_ORDER)
ORIGINS = ["foreign", "overseas_chinese", "returnee", "mainland", "hk_macao_taiwan"]
INTENTS = ["employment", "startup", "research"]
FIELDS = list(S.FIELDS)
NUM = ("age", "graduation_year", "university_rank", "experience_years", "annual_salary_cny",
       "months_in_china_per_year", "hsk_level", "years_in_china_continuous", "years_since_return", "children")
BOOL = ("degree_abroad", "chinese_taught_degree", "former_chinese_national", "fortune500_experience", "holds_patent",
        "owns_home_in_city", "spouse")
CODES = {"degree": DEGREES, "origin": ORIGINS, "intent": INTENTS, "field": FIELDS}


# --- profiles as columns -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Columns:
    n: int
    num: dict[str, np.ndarray]       # float, NaN = unknown
    code: dict[str, np.ndarray]      # int16 index into CODES, -1 = unknown
    flag: dict[str, np.ndarray]      # int8 1/0, -1 = unknown
    horizon: int
    rate: float


def to_columns(profiles: Sequence[Profile]) -> Columns:
    if not profiles:
        raise ValueError("no profiles")
    horizons = {p.horizon_years for p in profiles}
    rates = {p.discount_rate for p in profiles}
    if len(horizons) != 1 or len(rates) != 1:
        raise ValueError("a sweep values every profile over one horizon and discount rate")
    num = {k: np.array([np.nan if getattr(p, k) is None else float(getattr(p, k)) for p in profiles]) for k in NUM}
    code = {k: np.array([-1 if getattr(p, k) is None else CODES[k].index(getattr(p, k)) for p in profiles], dtype=np.int16)
            for k in CODES}
    flag = {k: np.array([-1 if getattr(p, k) is None else int(getattr(p, k)) for p in profiles], dtype=np.int8) for k in BOOL}
    return Columns(len(profiles), num, code, flag, horizons.pop(), rates.pop())


GRID_AXES: dict[str, list[Any]] = {
    "degree": ["bachelor", "master", "phd", "postdoc"],
    "age": list(range(22, 46)),
    "field": ["ai", "semiconductors", "biotech", "new_energy", "information_technology", "non_stem"],
    "origin": ORIGINS,
    "annual_salary_cny": [150_000, 250_000, 400_000, 600_000, 1_000_000, 2_000_000],
    "intent": INTENTS,
}


def grid_columns() -> Columns:
    """The documented grid built directly as columns (no Profile objects): the fast path for the sweep."""
    axes = list(GRID_AXES.values())
    idx = np.indices([len(a) for a in axes]).reshape(len(axes), -1)
    n = idx.shape[1]
    num = {k: np.full(n, np.nan) for k in NUM}
    code = {k: np.full(n, -1, np.int16) for k in CODES}
    flag = {k: np.full(n, -1, np.int8) for k in BOOL}
    for (name, values), ix in zip(GRID_AXES.items(), idx, strict=True):
        if name in CODES:
            code[name] = np.array([CODES[name].index(v) for v in values], dtype=np.int16)[ix]
        else:
            num[name] = np.array(values, dtype=float)[ix]
    defaults = Profile()
    return Columns(n, num, code, flag, defaults.horizon_years, defaults.discount_rate)


def default_grid(settings: Settings, *, sample: int | None = None, seed: int = 0) -> list[Profile]:
    """The documented grid: degree x age x field x origin x salary x intent (51,840 profiles), or a random
    sample of it, as Profile objects (same order as grid_columns). Other fields unknown; horizon 5 years,
    rate 3%."""
    grid = list(itertools.product(*GRID_AXES.values()))
    if sample is not None:
        if sample <= 0:
            raise ValueError("--sample must be positive")
        rng = np.random.default_rng(seed)
        idx = rng.choice(len(grid), size=min(sample, len(grid)), replace=False)
        grid = [grid[i] for i in sorted(idx)]
    return [Profile(**dict(zip(GRID_AXES, values, strict=True))) for values in grid]


# --- conditions, vectorised ----------------------------------------------------------------------------


def _tri(known: np.ndarray, ok: np.ndarray) -> np.ndarray:
    return np.where(known, np.where(ok, PASS, FAIL), UNK).astype(np.int8)


def _within(x: np.ndarray, limit: float, inclusive: bool) -> np.ndarray:
    return x <= limit if inclusive else x < limit


@dataclass(frozen=True)
class VecCtx:
    today: Any
    wage: float | None
    permit_code: np.ndarray   # 0 A, 1 B, 2 C, 3 none; -1 unknown
    permit_known: np.ndarray  # bool


PERMIT_CODES = {"A": 0, "B": 1, "C": 2, None: 3}


def vec_condition(c: S.Condition, cols: Columns, ctx: VecCtx) -> np.ndarray:
    k, n = c.kind, cols.n
    num, code, flag = cols.num, cols.code, cols.flag
    if k == "degree":
        d = code["degree"]
        known = d >= 0
        ok = d >= S.DEGREE_ORDER[c.min]
        if c.max is not None:
            ok &= d <= S.DEGREE_ORDER[c.max]
        return _tri(known, ok)
    if k == "age":
        a = num["age"]
        known = ~np.isnan(a)
        ok = np.ones(n, bool)
        with np.errstate(invalid="ignore"):
            if c.min is not None:
                ok &= (a >= c.min) if c.min_inclusive else (a > c.min)
            if c.max is not None:
                ok &= (a <= c.max) if c.max_inclusive else (a < c.max)
        return _tri(known, ok)
    if k == "born_on_or_after":
        a = num["age"]
        from datetime import date

        out = np.full(n, UNK, np.int8)
        for age in np.unique(a[~np.isnan(a)]):
            t = ctx.today
            latest = date(t.year - int(age), t.month, min(t.day, 28))
            earliest = date(t.year - int(age) - 1, t.month, min(t.day, 28))
            v = PASS if earliest >= c.date else (FAIL if latest < c.date else UNK)
            out[a == age] = v
        return out
    if k in ("origin", "field", "intent"):
        col = code[k]
        want = [CODES[k].index(x) for x in c.any_of]
        return _tri(col >= 0, np.isin(col, want))
    if k == "years_since_graduation":
        g = num["graduation_year"]
        known = ~np.isnan(g)
        years = ctx.today.year - g
        lo = years + (ctx.today.month - 12) / 12
        hi = years + (ctx.today.month - 1) / 12
        with np.errstate(invalid="ignore"):
            pas = _within(hi, c.max_years, c.inclusive)
            fail = ~_within(np.maximum(lo, 0.0), c.max_years, c.inclusive)
        return np.where(~known, UNK, np.where(pas, PASS, np.where(fail, FAIL, UNK))).astype(np.int8)
    if k == "years_since_return":
        y = num["years_since_return"]
        with np.errstate(invalid="ignore"):
            return _tri(~np.isnan(y), _within(y, c.max_years, c.inclusive))
    if k == "graduated_on_or_after":
        g = num["graduation_year"]
        known = ~np.isnan(g)
        jan1 = c.date.month == 1 and c.date.day == 1
        with np.errstate(invalid="ignore"):
            pas = (g > c.date.year) | ((g == c.date.year) & jan1)
            fail = g < c.date.year
        return np.where(~known, UNK, np.where(pas, PASS, np.where(fail, FAIL, UNK))).astype(np.int8)
    if k == "university_rank":
        r = num["university_rank"]
        with np.errstate(invalid="ignore"):
            return _tri(~np.isnan(r), r <= c.max_rank)
    if k == "degree_abroad":
        f = flag["degree_abroad"].copy()
        f[(f < 0) & (code["origin"] == ORIGINS.index("returnee"))] = 1
        return _tri(f >= 0, (f == 1) == c.required)
    if k == "salary":
        s = num["annual_salary_cny"]
        if c.min_cny is not None:
            floor = c.min_cny
        elif ctx.wage is None:
            return np.full(n, UNK, np.int8)
        else:
            floor = c.min_multiple_of_local_wage * ctx.wage  # type: ignore[operator]
        with np.errstate(invalid="ignore"):
            return _tri(~np.isnan(s), s >= floor)
    if k in ("experience_years", "hsk_level", "months_in_china_per_year"):
        x = num[k]
        with np.errstate(invalid="ignore"):
            return _tri(~np.isnan(x), x >= c.min)
    if k == "work_permit_class":
        mainland = code["origin"] == ORIGINS.index("mainland")
        want = [PERMIT_CODES[x] for x in c.any_of]
        hit = np.isin(ctx.permit_code, want)
        out = np.where(hit, PASS, np.where(ctx.permit_known, FAIL, UNK)).astype(np.int8)
        out[mainland] = FAIL
        return out
    if k == "has_spouse":
        f = flag["spouse"]
        return _tri(f >= 0, f == 1)
    if k == "has_children":
        ch = num["children"]
        with np.errstate(invalid="ignore"):
            return _tri(~np.isnan(ch), ch > 0)
    if k == "no_local_home":
        f = flag["owns_home_in_city"]
        return _tri(f >= 0, f == 0)
    if k == "commitment":
        return np.full(n, PASS, np.int8)
    if k == "manual":
        return np.full(n, UNK, np.int8)
    if k == "any_of":
        return np.max(np.stack([vec_condition(s, cols, ctx) for s in c.conditions]), axis=0)
    raise ValueError(f"unknown condition kind {k!r}")


CITY_KINDS = ("salary", "work_permit_class", "any_of")  # conditions whose result depends on the city (ctx)


def _all(conds: Sequence[S.Condition], cols: Columns, ctx: VecCtx, cache: dict[Any, np.ndarray] | None = None,
         city: str = "") -> np.ndarray:
    """Minimum over the conditions (fail dominates, then unknown). ``cache`` keeps each distinct condition's
    vector for the sweep: many incentives repeat a condition (degree >= master, age <= 35), and a condition
    that does not read the city is the same vector in every city."""
    out: np.ndarray | None = None
    for c in conds:
        if c.kind == "commitment":
            continue  # always passes
        v = None
        if cache is not None:
            key = (city if c.kind in CITY_KINDS else "", c.model_dump_json())
            v = cache.get(key)
            if v is None:
                v = cache[key] = vec_condition(c, cols, ctx)
        else:
            v = vec_condition(c, cols, ctx)
        out = v.copy() if out is None else np.minimum(out, v, out=out)
    return np.full(cols.n, PASS, np.int8) if out is None else out


def _gate(inc: S.Incentive, today: Any) -> np.int8 | None:
    if inc.status == "expired" or (inc.valid_to and inc.valid_to < today):
        return FAIL
    if inc.status == "proposed" or (inc.valid_from and inc.valid_from > today):
        return FAIL
    if inc.status == "unknown" or inc.verification == "unverified":  # as rules._status_gate/_verification_gate
        return UNK
    return None


# --- national pieces, vectorised -----------------------------------------------------------------------


def _permit(cols: Columns, inputs: Inputs, city: str, wage: float | None, today: Any) -> tuple[np.ndarray, np.ndarray]:
    """Permit class per profile (vectorised mirror of national.work_permit, see permit_vec). As in
    evaluate._permit, an unknown or mainland origin has no permit result: class none, not known."""
    codes = np.full(cols.n, PERMIT_CODES[None], np.int16)
    known = np.zeros(cols.n, bool)
    if inputs.national is None:
        return codes, known
    from dashboard.engine.permit_vec import permit_classes

    c, k = permit_classes(cols, inputs.national, city, wage, today)
    o = cols.code["origin"]
    has = (o >= 0) & (o != ORIGINS.index("mainland"))
    codes[has], known[has] = c[has], k[has]
    return codes, known


def _refund(cols: Columns, inputs: Inputs, rule_id: str) -> np.ndarray:
    """Yearly zone refund per profile (NaN where the salary is unknown)."""
    from dashboard.engine.tax import iit_annual, taxable_income_from_salary, zone_refund

    s = cols.num["annual_salary_cny"]
    out = np.full(cols.n, np.nan)
    for val in np.unique(s[~np.isnan(s)]):
        ti = taxable_income_from_salary(float(val), inputs.national)
        z = zone_refund(rule_id, inputs.national, taxable_income=ti, iit=iit_annual(ti, inputs.national))
        out[s == val] = np.nan if z.amount is None else z.amount
    return out


# --- the sweep -----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class SweepResult:
    profiles: Sequence[Profile] | None   # None when the sweep ran on columns
    cities: tuple[str, ...]
    value: np.ndarray      # profiles x cities, expected discounted CNY of counted incentives
    score: np.ndarray      # profiles x cities
    rank: np.ndarray       # profiles x cities, 1-based
    status: dict[str, np.ndarray]  # incentive id -> int8 per profile (1 eligible, 0 possible, -1 ineligible)

    def summary(self) -> dict[str, Any]:
        first = (self.rank == 1).mean(axis=0)
        return {
            "profiles": int(self.value.shape[0]), "cities": list(self.cities),
            "share_first": {c: round(float(first[j]), 4) for j, c in enumerate(self.cities)},
            "value": {c: {q: round(float(np.percentile(self.value[:, j], p)), 0)
                          for q, p in (("p10", 10), ("median", 50), ("p90", 90))} | {"mean": round(float(self.value[:, j].mean()), 0)}
                      for j, c in enumerate(self.cities)},
        }


def sweep(profiles: Sequence[Profile], inputs: Inputs, settings: Settings, *, weights: Mapping[str, float] | None = None,
          preset: str | None = None, cities: Sequence[str] | None = None) -> SweepResult:
    """Evaluate a list of profiles (see sweep_columns for the columnar fast path)."""
    res = sweep_columns(to_columns(profiles), inputs, settings, weights=weights, preset=preset, cities=cities)
    return SweepResult(profiles, res.cities, res.value, res.score, res.rank, res.status)


def sweep_columns(cols: Columns, inputs: Inputs, settings: Settings, *, weights: Mapping[str, float] | None = None,
                  preset: str | None = None, cities: Sequence[str] | None = None) -> SweepResult:
    w = SC.weight_vector(resolve_weights(weights, preset))
    ids = tuple(c for c in (cities or inputs.cities) if c in inputs.cities)
    n, m = cols.n, len(ids)
    ndim = 8
    want_left = w[SC.DIMENSIONS.index("money_left")] > 0
    raw = np.zeros((m, n, ndim))
    value = np.zeros((n, m))
    statuses: dict[str, np.ndarray] = {}
    field_codes = cols.code["field"]
    wage_ok = all(R.local_wage(inputs.reference, c) is not None for c in ids)
    cache: dict[Any, np.ndarray] = {}
    for j, cid in enumerate(ids):
        city = inputs.cities[cid]
        wage = R.local_wage(inputs.reference, cid)
        rent = R.market_rent(inputs.reference, cid)
        pc, pk = _permit(cols, inputs, cid, wage.value if wage else None, settings.today)
        ctx = VecCtx(settings.today, wage.value if wage else None, pc, pk)
        n_inc = len(city.incentives)
        st = np.zeros((n_inc, n), np.int8)
        # rows whose value does not depend on the person are kept as one number each (const) and broadcast
        # once after the loop; only tiered and tax-refund rows are written per profile
        val = np.empty((n_inc, n))
        hi = np.empty((n_inc, n))
        pts = np.empty((n_inc, n))
        const = np.zeros(n_inc, bool)
        c_ex, c_hi, c_pts = np.zeros(n_inc), np.zeros(n_inc), np.zeros(n_inc)
        loan = np.zeros(n_inc, bool)
        for i, inc in enumerate(city.incentives):
            s = _all(inc.conditions, cols, ctx, cache, cid)
            g = _gate(inc, settings.today)
            if g is not None:
                s = np.minimum(s, g)
            kw = dict(horizon=cols.horizon, rate=cols.rate, share=settings.discretionary_expected_share,
                      rent_per_m2_month=rent.value if rent else None, flat_m2=settings.rent_flat_m2)
            start, last = settings.today.year, inc.valid_to.year if inc.valid_to else settings.today.year + cols.horizon - 1
            tax_years = max(0, min(cols.horizon, last - start + 1))
            if inc.tiers:
                tier_st = [_all(t.conditions, cols, ctx, cache, cid) for t in inc.tiers]
                tier_v = [value_of(inc.benefit, t.amount, **kw) for t in inc.tiers]  # type: ignore[arg-type]
                highs = np.array([t.amount.high if t.amount else 0.0 for t in inc.tiers])
                # chosen tier: the best passing one; else the best unknown one (as the scalar engine does)
                ex = np.zeros(n)
                top = np.zeros(n)
                sp = np.zeros(n)
                any_pass = np.zeros(n, bool)
                any_unk = np.zeros(n, bool)
                best_pass = np.full(n, -np.inf)
                best_unk = np.full(n, -np.inf)
                for t_i, (ts, tv) in enumerate(zip(tier_st, tier_v, strict=True)):
                    h = highs[t_i]
                    upd = (ts == PASS) & (h > best_pass)
                    best_pass[upd] = h
                    ex[upd], top[upd], sp[upd] = tv.expected, tv.high, tv.status_points
                    any_pass |= ts == PASS
                    upd_u = (~any_pass) & (ts == UNK) & (h > best_unk)
                    best_unk[upd_u] = h
                    ex[upd_u], top[upd_u], sp[upd_u] = tv.expected, tv.high, tv.status_points
                    any_unk |= ts == UNK
                tier_gate = np.where(any_pass, PASS, np.where(any_unk, UNK, FAIL)).astype(np.int8)
                s = np.minimum(s, tier_gate)
                val[i], hi[i], pts[i] = ex, top, sp
            elif inc.benefit.form == "tax_refund" and inc.benefit.tax_rule and inputs.national is not None:
                unit = value_of(inc.benefit, None, tax_refund_per_year=1.0, tax_years=tax_years, **kw)  # type: ignore[arg-type]
                per_year = _refund(cols, inputs, inc.benefit.tax_rule)
                v = np.nan_to_num(per_year) * unit.expected
                val[i], hi[i], pts[i] = v, v, 0.0
            else:
                tv = value_of(inc.benefit, inc.benefit.amount, tax_years=tax_years, **kw)  # type: ignore[arg-type]
                const[i] = True
                c_ex[i], c_hi[i], c_pts[i] = tv.expected, tv.high, tv.status_points
            loan[i] = inc.benefit.form == "loan" and any(a is not None for a in [inc.benefit.amount, *(t.amount for t in inc.tiers)])
            st[i] = s
            statuses[inc.id] = s
        notfail = st != FAIL
        cc = const[:, None]
        val = np.where(cc, c_ex[:, None], val) * notfail
        hi = np.where(cc, c_hi[:, None], hi) * notfail
        pts = np.where(cc, c_pts[:, None], pts) * notfail
        counted = _resolve(city, st, val, hi, pts)
        counted = _choose_zone(city, counted, val, pts)
        cat = np.array([S.CATEGORIES.index(inc.category) for inc in city.incentives])
        v_count = val * counted
        sums = np.stack([np.isin(cat, [S.CATEGORIES.index(c) for c in SC.MONEY_CATEGORIES]),
                         cat == S.CATEGORIES.index("housing"), cat == S.CATEGORIES.index("startup"),
                         np.ones(n_inc, bool)]).astype(float) @ v_count     # category sums as one product
        money, housing, grants = sums[0], sums[1], sums[2]
        status_pts = (pts * counted).sum(axis=0)
        permit_pts = np.select([pc == 0, pc == 1, pc == 2], [3, 2, 1], 0)
        startup_cat = cat == S.CATEGORIES.index("startup")
        instruments = (counted & (loan | (startup_cat & _nonmoney(city)))[:, None]).sum(axis=0)
        value[:, j] = sums[3]
        div = wage.value if (wage and wage_ok) else 1.0
        raw[j, :, 0] = money / div
        raw[j, :, 1] = housing / div
        raw[j, :, 2] = status_pts + permit_pts
        raw[j, :, 3] = grants / div
        raw[j, :, 4] = instruments
        raw[j, :, 6] = wage.value if wage else 0.0
        if want_left:
            raw[j, :, 7] = (_left_before_incentives(cols, inputs, cid, settings) + value[:, j] / cols.horizon) / div
    # industry fit depends on the field only: one lookup per field
    for f_i in np.unique(field_codes):
        fld = FIELDS[f_i] if f_i >= 0 else None
        ind = industry_scores(inputs.industry, fld, list(ids))
        for j, cid in enumerate(ids):
            raw[j, field_codes == f_i, 5] = ind.get(cid) or 0.0
    raw_pc = np.transpose(raw, (1, 0, 2))          # profiles x cities x 7
    best = raw_pc.max(axis=1, keepdims=True)
    with np.errstate(divide="ignore", invalid="ignore"):
        norm7 = np.clip(np.where(best > 0, raw_pc / np.where(best > 0, best, 1.0), 0.0), 0, 1)
    norm = np.stack([norm7[..., 0], norm7[..., 1], norm7[..., 2], 0.5 * norm7[..., 3] + 0.5 * norm7[..., 4],
                     norm7[..., 5], norm7[..., 6], norm7[..., 7]], axis=-1)
    score = 100.0 * (norm @ w) / w.sum()
    s9 = np.round(score, 9)
    # rank: higher score, then higher value, then earlier city (as score.ranks_from does for one profile)
    order = np.lexsort((np.broadcast_to(np.arange(m), (n, m)), -value, -s9), axis=-1)
    rank = np.empty((n, m), dtype=np.int64)
    np.put_along_axis(rank, order, np.arange(1, m + 1)[None, :].repeat(n, axis=0), axis=-1)
    return SweepResult(None, ids, value, score, rank, statuses)


def _left_before_incentives(cols: Columns, inputs: Inputs, city: str, settings: Settings) -> np.ndarray:
    """Yearly money left before incentives per profile (takehome.take_home once per distinct salary); 0 where
    the salary is unknown (the scalar engine has no money-left value then)."""
    from datetime import date

    from dashboard.engine.takehome import take_home

    s = cols.num["annual_salary_cny"]
    out = np.zeros(cols.n)
    if inputs.national is None:
        return out
    own = cols.flag["owns_home_in_city"]
    for val in np.unique(s[~np.isnan(s)]):
        for o in np.unique(own):
            t = take_home(city, float(val), inputs, today=date.min, horizon_years=cols.horizon,
                          owns_home=None if o < 0 else bool(o), flat_m2=settings.rent_flat_m2)
            out[(s == val) & (own == o)] = t.best_left or 0.0
    return out


def _choose_zone(city: S.CityFile, counted: np.ndarray, val: np.ndarray, pts: np.ndarray) -> np.ndarray:
    """Mirror of evaluate.choose_zone: keep city-wide schemes and the best single district or zone."""
    from dashboard.engine.evaluate import zone_key

    keys = [zone_key(inc) for inc in city.incentives]
    names = sorted({k for k in keys if k is not None})
    if not names:
        return counted
    n = counted.shape[1]
    best_s, best_p = np.full(n, -np.inf), np.full(n, -np.inf)
    best_g = np.full(n, -1)
    for g, name in enumerate(names):
        rows = np.array([k == name for k in keys])
        c = counted[rows]
        has = c.any(axis=0)
        sm = np.round(np.where(c, val[rows], 0.0).sum(axis=0), 6)
        pt = np.where(c, pts[rows], 0.0).sum(axis=0)
        upd = has & ((sm > best_s) | ((sm == best_s) & (pt >= best_p)))
        best_s[upd], best_p[upd], best_g[upd] = sm[upd], pt[upd], g
    out = counted.copy()
    for i, k in enumerate(keys):
        if k is not None:
            out[i] &= best_g == names.index(k)
    return out


def _nonmoney(city: S.CityFile) -> np.ndarray:
    return np.array([inc.benefit.form in ("status", "in_kind", "loan") for inc in city.incentives])


def _resolve(city: S.CityFile, st: np.ndarray, val: np.ndarray, hi: np.ndarray, pts: np.ndarray) -> np.ndarray:
    """Counted mask (incentives x profiles): eligible and not displaced by a better exclusive option."""
    idx = {inc.id: i for i, inc in enumerate(city.incentives)}
    counted = st == PASS
    status_rank = st.astype(float) + 1.0      # eligible 2, possible 1, ineligible 0
    for i, inc in enumerate(city.incentives):
        for x in inc.excludes:
            r = idx.get(x)
            if r is None:
                continue
            active = (st[r] != FAIL) & (st[i] != FAIL)
            # rival wins when its key (status, expected + points, high, -index) is greater
            k_i = (status_rank[i], val[i] + pts[i], hi[i])
            k_r = (status_rank[r], val[r] + pts[r], hi[r])
            gt = np.zeros(st.shape[1], bool)
            eq = np.ones(st.shape[1], bool)
            for a, b in zip(k_r, k_i, strict=True):
                gt |= eq & (a > b)
                eq &= a == b
            gt |= eq & (r < i)
            counted[i] &= ~(active & gt)
    return counted
