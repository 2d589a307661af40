"""The work-permit class for many profiles at once: a numpy mirror of ``national.work_permit``'s class
decision (points range, general requirements, routes with their evidence rule), for the population sweep.

It returns only what the sweep needs (the class a city condition is tested against, and whether that is
settled); the scalar engine stays the reference and explains itself. tests/test_permit_vec.py checks the
two agree on sampled profiles in every city.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np

from dashboard.catalog import schema as S
from dashboard.engine import national as NAT
from dashboard.engine.profile import Profile
from dashboard.engine.tax import iit_annual, taxable_income_from_salary

if TYPE_CHECKING:
    from dashboard.engine.population import Columns

PASS, UNK, FAIL = np.int8(1), np.int8(0), np.int8(-1)
CLASS_CODE = {"A": 0, "B": 1, "C": 2, None: 3}
RANK = {"A": 3, "B": 2, "C": 1}


def _tri(known: np.ndarray, ok: np.ndarray) -> np.ndarray:
    return np.where(known, np.where(ok, PASS, FAIL), UNK).astype(np.int8)


def _bands(f: Any, x: np.ndarray) -> np.ndarray:
    """Points of the first band containing x (0 when none); x must be known."""
    pts = np.zeros(x.shape, dtype=np.int64)
    done = np.zeros(x.shape, dtype=bool)
    for b in f.bands:
        lo, lo_in, hi, hi_in = b.bounds
        m = np.ones(x.shape, dtype=bool)
        if lo is not None:
            m &= (x > lo) | ((x == lo) & lo_in)
        if hi is not None:
            m &= (x < hi) | ((x == hi) & hi_in)
        m &= ~done
        pts[m] = b.points
        done |= m
    return pts


def _unknown_range(f: Any) -> tuple[int, int]:
    pts = [b.points for b in f.bands] + [o.points for o in f.options]
    lo = min(pts) if pts else 0
    if f.increment is not None:
        pts.append(f.cap)
    hi = min(f.cap, max(pts)) if pts else f.cap
    return lo, hi


def _flag(flag: str, cols: Columns) -> np.ndarray:
    """-1 unknown, 0 false, 1 true (national._flag_value, vectorised)."""
    fl, num, code = cols.flag, cols.num, cols.code
    deg = code["degree"]
    if flag == "former_chinese_national":
        return fl["former_chinese_national"].astype(np.int8)
    if flag == "chinese_taught_degree":
        ctd = fl["chinese_taught_degree"]
        out = np.full(cols.n, -1, np.int8)
        out[(ctd == 1) & (deg >= 0)] = 1
        out[(deg >= 0) & (deg < S.DEGREE_ORDER["bachelor"])] = 0
        out[ctd == 0] = 0
        return out
    if flag == "top_university_abroad":
        out = np.full(cols.n, -1, np.int8)
        out[(deg == S.DEGREE_ORDER["none"]) | (fl["degree_abroad"] == 0)] = 0
        return out
    if flag == "fortune500":
        return fl["fortune500_experience"].astype(np.int8)
    if flag == "patent":
        return fl["holds_patent"].astype(np.int8)
    if flag == "china_5y_continuous":
        y = num["years_in_china_continuous"]
        with np.errstate(invalid="ignore"):
            return np.where(np.isnan(y), -1, (y >= 5).astype(np.int8)).astype(np.int8)
    raise ValueError(flag)


def _options(f: Any, vals: list[tuple[Any, np.ndarray]], n: int) -> tuple[np.ndarray, np.ndarray]:
    lo = np.zeros(n, dtype=np.int64)
    hi = np.zeros(n, dtype=np.int64)
    for o, v in vals:
        lo = np.where(v == 1, np.maximum(lo, o.points), lo)
        hi = np.where(v != 0, np.maximum(hi, o.points), hi)
    return lo, np.minimum(np.maximum(hi, lo), f.cap)


def points_range(cols: Columns, nat: Any, city: str) -> tuple[np.ndarray, np.ndarray]:
    wp = nat.work_permit
    n = cols.n
    lo_t = np.zeros(n, dtype=np.int64)
    hi_t = np.zeros(n, dtype=np.int64)
    num, code = cols.num, cols.code
    for f in wp.points.factors:
        fid = f.id
        if fid == "local_bonus":
            continue  # not assessed: left out of the total, as in the scalar engine
        if fid == "location":
            fs = NAT._score_factor(f, Profile(), wp, city)
            lo_t += fs.points_min
            hi_t += fs.points_max
            continue
        if fid in ("salary", "working_time", "age", "experience", "education"):
            src = {"salary": num["annual_salary_cny"], "working_time": num["months_in_china_per_year"],
                   "age": num["age"], "experience": num["experience_years"]}.get(fid)
            known = (code["degree"] >= 0) if fid == "education" else ~np.isnan(src)  # type: ignore[arg-type]
            ulo, uhi = _unknown_range(f)
            lo = np.full(n, ulo, dtype=np.int64)
            hi = np.full(n, uhi, dtype=np.int64)
            k = known
            if fid == "salary":
                pts = _bands(f, np.where(k, src / 10000, 0.0))  # type: ignore[operator]
            elif fid == "education":
                pts = np.zeros(n, dtype=np.int64)
                degs = list(S.DEGREE_ORDER)
                for d_i, d in enumerate(degs):
                    o = next((o for o in f.options if d in o.degrees), None)
                    pts[code["degree"] == d_i] = o.points if o else 0
            elif fid == "experience":
                y = np.floor(np.where(k, src, 0.0))  # type: ignore[arg-type]
                inc = f.increment
                pts = _bands(f, y)
                if inc is not None:
                    up = y >= inc.start
                    inc_pts = np.minimum(f.cap, inc.base_points + ((y - inc.start) * inc.points_per_unit).astype(np.int64))
                    pts = np.where(up, inc_pts, pts)
            else:
                pts = _bands(f, np.where(k, src, 0.0))  # type: ignore[arg-type]
            lo[k], hi[k] = pts[k], pts[k]
            lo_t += lo
            hi_t += hi
            continue
        if fid == "chinese":
            vals = []
            lvl = num["hsk_level"]
            for o in f.options:
                if o.flag is not None:
                    vals.append((o, _flag(o.flag, cols)))
                elif o.hsk_min is not None:
                    with np.errstate(invalid="ignore"):
                        ok = (lvl == o.hsk_min) if o.hsk_exact else (lvl >= o.hsk_min)
                    vals.append((o, np.where(np.isnan(lvl), -1, ok.astype(np.int8)).astype(np.int8)))
            lo, hi = _options(f, vals, n)
        elif fid == "extras":
            lo, hi = _options(f, [(o, _flag(o.flag, cols)) for o in f.options if o.flag is not None], n)
        else:
            raise ValueError(f"unknown factor {fid!r}")
        lo_t += lo
        hi_t += hi
    return lo_t, hi_t


def _cond(c: Any, cols: Columns, ctx: Any, pts: tuple[np.ndarray, np.ndarray], iit: np.ndarray,
          wage: float | None) -> np.ndarray:
    from dashboard.engine.population import vec_condition

    k = c.kind
    if k == "stem_field":
        fcode = cols.code["field"]
        stem = [S.FIELDS.index(x) for x in S.STEM_FIELDS]
        return _tri(fcode >= 0, np.isin(fcode, stem))
    if k == "points":
        lo, hi = pts
        return np.where(lo >= c.min, PASS, np.where(hi < c.min, FAIL, UNK)).astype(np.int8)
    if k == "years_in_china":
        y = cols.num["years_in_china_continuous"]
        with np.errstate(invalid="ignore"):
            return _tri(~np.isnan(y), y >= c.min)
    if k == "iit_paid":
        if c.min_cny is not None:
            floor = c.min_cny
        elif wage is None:
            return np.full(cols.n, UNK, np.int8)
        else:
            floor = c.min_share * c.of_local_wage_multiple * wage
        with np.errstate(invalid="ignore"):
            return _tri(~np.isnan(iit), iit >= floor)
    if k == "degree_abroad":
        f = cols.flag["degree_abroad"].copy()
        f[(f < 0) & (cols.code["origin"] == ["foreign", "overseas_chinese", "returnee", "mainland",
                                               "hk_macao_taiwan"].index("returnee"))] = 1
        return _tri(f >= 0, (f == 1) == c.required)
    return vec_condition(c, cols, ctx)


def _gate(rule: Any, today: Any) -> np.int8 | None:
    g = NAT._gate(rule, today)
    return None if g is None else {"pass": PASS, "unknown": UNK, "fail": FAIL}[g.status]


def _route(r: Any, cols: Columns, ctx: Any, pts: Any, iit: np.ndarray, wage: float | None,
           today: Any) -> tuple[np.ndarray, np.ndarray]:
    """(status, evidence) per profile, as national._route_eval decides them."""
    results = [(c.kind, _cond(c, cols, ctx, pts, iit, wage)) for c in r.conditions]
    for c in r.disputed:
        v = _cond(c, cols, ctx, pts, iit, wage)
        results.append((c.kind, np.where(v == FAIL, UNK, v).astype(np.int8)))
    has_manual = any(k == "manual" for k, _ in results)
    if has_manual:
        evidence = np.zeros(cols.n, bool)
        for k, v in results:
            if k != "manual":
                evidence |= v == PASS
    else:
        evidence = np.ones(cols.n, bool)
    status = np.min(np.stack([v for _, v in results]), axis=0)
    g = _gate(r, today)
    if g is not None:
        status = np.minimum(status, g)
    return status.astype(np.int8), evidence


def permit_classes(cols: Columns, nat: Any, city: str, wage: float | None, today: Any) -> tuple[np.ndarray, np.ndarray]:
    """(class code per profile: 0 A, 1 B, 2 C, 3 none; known flag) = PermitResult.klass / klass_known."""
    from dashboard.engine.population import VecCtx

    wp = nat.work_permit
    n = cols.n
    origins = ["foreign", "overseas_chinese", "returnee", "mainland", "hk_macao_taiwan"]
    ocode = cols.code["origin"]
    allowed = [origins.index(o) for o in wp.applies_to_origins]
    applicable = _tri(ocode >= 0, np.isin(ocode, allowed))
    pts = points_range(cols, nat, city)
    sal = cols.num["annual_salary_cny"]
    iit = np.full(n, np.nan)
    for v in np.unique(sal[~np.isnan(sal)]):
        iit[sal == v] = iit_annual(taxable_income_from_salary(float(v), nat), nat)
    ctx = VecCtx(today, wage, np.full(n, 3, np.int16), np.zeros(n, bool))
    gen = applicable.copy()
    for r in wp.requirements:
        if r.grants is None:
            s, _ = _route(r, cols, ctx, pts, iit, wage, today)
            gen = np.minimum(gen, s)
    confirmed = np.zeros(n, dtype=np.int8)   # RANK of the best confirmed class, 0 = none
    possible = np.zeros(n, dtype=np.int8)
    for r in wp.routes:
        if not NAT._applies_here(r, city) or NAT._is_manual_only(r) or not r.grants:
            continue
        s, ev = _route(r, cols, ctx, pts, iit, wage, today)
        rk = RANK[r.grants]
        confirmed = np.where(s == PASS, np.maximum(confirmed, rk), confirmed)
        possible = np.where((s == PASS) | ((s == UNK) & ev), np.maximum(possible, rk), possible)
    inv = {3: "A", 2: "B", 1: "C", 0: None}
    code = np.full(n, CLASS_CODE[None], np.int16)
    known = np.ones(n, bool)
    # class status: fail (no permit) when a general requirement fails; not applicable when origin fails
    ok = gen != FAIL
    # possible is None -> permit "C" with status unknown -> klass None, known True
    has = ok & (possible > 0)
    same = has & (confirmed == possible)
    status_pass = same & (gen == PASS)
    for rk_val, cls in inv.items():
        if cls is None:
            continue
        code[status_pass & (possible == rk_val)] = CLASS_CODE[cls]
    unk = has & ~status_pass
    ab = unk & (possible >= RANK["B"])        # A or B possible but unsettled: test against the confirmed class
    for rk_val, cls in inv.items():
        code[ab & (confirmed == rk_val)] = CLASS_CODE[cls]
    known[ab] = False
    return code, known
