"""Engine commands of ``python -m dashboard``: rank, explain, points, tax, sweep, schema.

Every command prints a short human summary, or with ``--json`` the documented JSON (README "Command
line"). Bad input (a profile that does not validate, an unknown city, a bad option) prints one line per
problem on stderr and exits 2; no traceback.
"""

from __future__ import annotations

import argparse
import json
import sys
from datetime import date
from pathlib import Path
from typing import Any

from dashboard import serialize as SER
from dashboard.catalog.loader import load_catalog
from dashboard.engine import score as SC
from dashboard.engine.evaluate import Inputs, evaluate_city, inputs_from
from dashboard.engine.profile import Profile, ProfileError, Settings, parse_profile, profile_json_schema
from dashboard.engine.rank import gaps_to_leader, rank_cities, what_would_change


class UsageError(Exception):
    def __init__(self, lines: list[str]):
        super().__init__("; ".join(lines))
        self.lines = lines


def _inputs() -> Inputs:
    res = load_catalog()
    for name, why in res.unavailable.items():
        print(f"warning: {name} unavailable: {why}", file=sys.stderr)
    return inputs_from(res)


def _profile(path: str) -> Profile:
    try:
        raw = Path(path).read_text(encoding="utf-8") if path != "-" else sys.stdin.read()
    except (OSError, UnicodeDecodeError) as e:
        raise UsageError([f"{path}: cannot read profile: {e}"]) from None
    try:
        data = json.loads(raw)
    except json.JSONDecodeError as e:
        raise UsageError([f"{path}: not valid JSON: {e.msg} at line {e.lineno} column {e.colno}"]) from None
    try:
        return parse_profile(data)
    except ProfileError as e:
        raise UsageError([f"{path}: {p}" for p in e.problems]) from None


def _settings(args: argparse.Namespace) -> Settings:
    kw: dict[str, Any] = {}
    if getattr(args, "today", None):
        try:
            kw["today"] = date.fromisoformat(args.today)
        except ValueError:
            raise UsageError([f"--today: {args.today!r} is not a date; expected YYYY-MM-DD"]) from None
    if getattr(args, "k_visa_max_age", None) is not None:
        kw["k_visa_max_age"] = args.k_visa_max_age
    return Settings(**kw)


def _city(inputs: Inputs, city: str) -> str:
    if city not in inputs.cities:
        raise UsageError([f"--city: unknown or unavailable city {city!r}; expected one of {sorted(inputs.cities)}"])
    return city


def _weights(args: argparse.Namespace) -> dict[str, float] | None:
    if not getattr(args, "weights", None):
        return None
    out: dict[str, float] = {}
    for part in args.weights.split(","):
        k, _, v = part.partition("=")
        try:
            out[k.strip()] = float(v)
        except ValueError:
            raise UsageError([f"--weights: {part!r} is not dimension=number; dimensions: {', '.join(SC.DIMENSIONS)}"]) from None
    return out


def _emit(args: argparse.Namespace, data: Any, text: str) -> int:
    if args.json:
        print(json.dumps(data, ensure_ascii=False, indent=2))
    else:
        print(text)
    return 0


def cmd_rank(args: argparse.Namespace) -> int:
    inputs, profile, settings = _inputs(), _profile(args.profile), _settings(args)
    try:
        rk = rank_cities(profile, inputs, settings, weights=_weights(args), preset=args.preset, draws=args.draws)
    except ValueError as e:
        raise UsageError([str(e)]) from None
    data = SER.ranking(rk, inputs.cities)
    if args.why:
        data["what_would_change"] = [SER.change(c) for c in what_would_change(profile, inputs, settings, rk)]
        data["gaps_to_leader"] = {r.city: [SER.gap(g) for g in gaps_to_leader(rk, r.city)] for r in rk.rows[1:]}
    lines = [f"{'rank':>4}  {'city':<10} {'score':>6}  {'expected value (CNY)':>20}  rank range"]
    for r in rk.rows:
        lines.append(f"{r.rank:>4}  {r.city:<10} {r.score:>6.1f}  {r.result.total.expected:>20,.0f}  {r.rank_min}-{r.rank_max}")
    return _emit(args, data, "\n".join(lines))


def cmd_explain(args: argparse.Namespace) -> int:
    inputs, profile, settings = _inputs(), _profile(args.profile), _settings(args)
    city = _city(inputs, args.city)
    r = evaluate_city(profile, city, inputs, settings)
    data = SER.city_result(r, inputs.cities[city])
    lines = []
    for e in data["incentives"]:
        mark = {"eligible": "+", "possible": "?", "ineligible": "-"}[e["status"]]
        lines.append(f"{mark} {e['id']:<40} {e['status']:<10} {e['value']['expected'] or 0:>12,.0f}")
        for c in e["reasons"]:
            if c["status"] != "pass":
                lines.append(f"      {c['status']}: {c['en']}")
    return _emit(args, data, "\n".join(lines))


def cmd_points(args: argparse.Namespace) -> int:
    inputs, profile, settings = _inputs(), _profile(args.profile), _settings(args)
    city = _city(inputs, args.city)
    if inputs.national is None:
        raise UsageError(["national scheme data unavailable (see python -m dashboard check)"])
    from dashboard.engine.national import work_permit
    from dashboard.engine.reference import local_wage

    wage = local_wage(inputs.reference, city)
    res = work_permit(profile, inputs.national, city=city, local_annual_wage=wage.value if wage else None,
                      today=settings.today)
    data = SER.plain(res)
    data["city"] = city
    data["local_wage"] = SER.plain(wage)
    # the documented short names (README "Command line") beside the full result
    data["total"] = res.points_min if res.points_min == res.points_max else [res.points_min, res.points_max]
    data["class"] = res.permit_class
    data["factors"] = {f.id: {"points": f.points, "min": f.points_min, "max": f.points_max, "cap": f.cap,
                              "en": f.reason_en, "zh": f.reason_zh} for f in res.factors}
    data["routes"] = [{"id": r.id, "status": r.status, "grants": r.grants, "en": r.reason_en, "zh": r.reason_zh}
                      for r in res.routes]
    lines = [f"{city}: class {res.permit_class or '-'} ({res.class_status}), points {data['total']}"]
    lines += [f"  {f.id:<14} {f.points if f.points is not None else f'{f.points_min}-{f.points_max}':>6}  {f.reason_en}"
              for f in res.factors]
    return _emit(args, data, "\n".join(lines))


def cmd_tax(args: argparse.Namespace) -> int:
    inputs, profile = _inputs(), _profile(args.profile)
    city = _city(inputs, args.city)
    if inputs.national is None:
        raise UsageError(["national scheme data unavailable (see python -m dashboard check)"])
    from dashboard.engine.tax import iit_annual, taxable_income_from_salary, zone_refund

    if args.taxable_income is not None:
        if args.taxable_income < 0:
            raise UsageError(["--taxable-income: must be 0 or more"])
        ti = float(args.taxable_income)
    elif profile.annual_salary_cny is not None:
        ti = taxable_income_from_salary(profile.annual_salary_cny, inputs.national)
    else:
        raise UsageError(["give --taxable-income or a profile with annual_salary_cny"])
    iit = iit_annual(ti, inputs.national)
    refunds = []
    for inc in inputs.cities[city].incentives:
        if inc.benefit.form == "tax_refund" and inc.benefit.tax_rule:
            z = zone_refund(inc.benefit.tax_rule, inputs.national, taxable_income=ti, iit=iit)
            refunds.append({"incentive": inc.id, "rule": inc.benefit.tax_rule, "scope": inc.scope.name_en, **SER.plain(z)})
    data = {"city": city, "taxable_income": round(ti, 2), "iit": round(iit, 2),
            "zone_refund": refunds[0] if refunds else None, "zone_refunds": refunds,
            "note": "zone refunds also need the incentive's eligibility: see explain"}
    text = f"taxable income {ti:,.0f}; IIT {iit:,.0f}; " + (
        "; ".join(f"{z['incentive']}: {z.get('amount')}" for z in refunds) or "no zone refund in this city")
    return _emit(args, data, text)


def cmd_sweep(args: argparse.Namespace) -> int:
    from dashboard.engine.population import default_grid, grid_columns, sweep, sweep_columns

    inputs, settings = _inputs(), _settings(args)
    try:
        if args.sample:
            res = sweep(default_grid(settings, sample=args.sample, seed=args.seed), inputs, settings,
                        weights=_weights(args), preset=args.preset)
        else:
            res = sweep_columns(grid_columns(), inputs, settings, weights=_weights(args), preset=args.preset)
    except ValueError as e:
        raise UsageError([str(e)]) from None
    data = res.summary()
    lines = [f"{data['profiles']:,} profiles x {len(res.cities)} cities"]
    for c, share in data["share_first"].items():
        lines.append(f"  {c:<10} first for {share:6.1%}   median value {data['value'][c]['median']:>12,.0f}")
    return _emit(args, data, "\n".join(lines))


def cmd_schema(args: argparse.Namespace) -> int:
    print(json.dumps(profile_json_schema(), ensure_ascii=False, indent=2))
    return 0


def _wrap(fn: Any) -> Any:
    def run(args: argparse.Namespace) -> int:
        try:
            return int(fn(args))
        except UsageError as e:
            for line in e.lines:
                print(line, file=sys.stderr)
            return 2
    return run


def register(sub: Any) -> None:
    def common(p: argparse.ArgumentParser, profile: bool = True, city: bool = False) -> None:
        if profile:
            p.add_argument("--profile", required=True, help="profile JSON file ('-' for stdin)")
        if city:
            p.add_argument("--city", required=True)
        p.add_argument("--json", action="store_true", help="print the documented JSON")
        p.add_argument("--today", help="evaluate as of this date (YYYY-MM-DD); default today")
        p.add_argument("--k-visa-max-age", type=int, dest="k_visa_max_age",
                       help="K-visa age limit to assume (unpublished: default unknown)")

    p = sub.add_parser("rank", help="rank the cities for a profile")
    common(p)
    p.add_argument("--preset", choices=sorted(SC.PRESETS), help="weight preset (default graduate)")
    p.add_argument("--weights", help="e.g. money=30,housing=20,status=20,startup=5,industry=15,market=10")
    p.add_argument("--draws", type=int, default=SC.SENSITIVITY_DRAWS, help="sensitivity draws (0 = off)")
    p.add_argument("--why", action="store_true", help="add gaps to the leader and what would change the top city")
    p.set_defaults(func=_wrap(cmd_rank))
    p = sub.add_parser("explain", help="every incentive in a city: status, reasons, value, sources")
    common(p, city=True)
    p.set_defaults(func=_wrap(cmd_explain))
    p = sub.add_parser("points", help="work-permit points, class and routes in a city")
    common(p, city=True)
    p.set_defaults(func=_wrap(cmd_points))
    p = sub.add_parser("tax", help="annual IIT and zone refund in a city")
    common(p, city=True)
    p.add_argument("--taxable-income", type=float, dest="taxable_income")
    p.set_defaults(func=_wrap(cmd_tax))
    p = sub.add_parser("sweep", help="many profiles at once: share of profiles each city ranks first for")
    common(p, profile=False)
    p.add_argument("--preset", choices=sorted(SC.PRESETS))
    p.add_argument("--weights")
    p.add_argument("--sample", type=int, help="random sample of this many profiles instead of the full grid")
    p.add_argument("--seed", type=int, default=0)
    p.set_defaults(func=_wrap(cmd_sweep))
    p = sub.add_parser("schema", help="print the profile's JSON Schema")
    p.set_defaults(func=_wrap(cmd_schema))
