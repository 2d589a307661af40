"""Commands ``takehome`` (what a graduate keeps, per city) and ``population`` (whom each city wins) of
``python -m dashboard``. Same conventions as cli_engine: ``--json`` prints the documented JSON, bad input
prints one line per problem on stderr and exits 2.
"""

from __future__ import annotations

import argparse
import sys
from datetime import date
from typing import Any

from dashboard import cli_engine as CE
from dashboard.engine import score as SC


def _as_of(args: argparse.Namespace) -> Any:
    from dashboard.engine.profile import Settings

    if not args.as_of:
        return Settings()
    try:
        return Settings(today=date.fromisoformat(args.as_of))
    except ValueError:
        raise CE.UsageError([f"--as-of: {args.as_of!r} is not a date; expected YYYY-MM-DD"]) from None


def takehome_json(rows: list[Any]) -> dict[str, Any]:
    """The documented JSON of ``takehome`` (README "Command line")."""
    out = []
    for t in rows:
        out.append({
            "city": t.city, "gross": t.gross, "social_insurance": t.social_insurance, "social_insurance_parts": t.si_parts,
            "contribution_base_month": t.base_month, "base_rule": t.base_rule, "contribution_year": t.contribution_year,
            "housing_fund": t.housing_fund, "deductions": t.deductions, "taxable_income": t.taxable_income,
            "iit": t.iit, "rent": t.rent, "rent_source": t.rent_source, "incentives_per_year": t.incentives_per_year,
            "left": t.left, "left_upper": t.left_upper, "left_over_horizon": t.left_over_horizon,
            "horizon_years": t.horizon_years, "left_in_wage_years": t.left_in_wage_years, "unknown": list(t.unknown),
            "notes_en": list(t.notes_en), "notes_zh": list(t.notes_zh), "sources": list(t.sources),
            "verification": t.verification})
    return {"cities": out}


def cmd_takehome(args: argparse.Namespace) -> int:
    from dashboard.engine.takehome import take_home_for

    inputs, profile, settings = CE._inputs(), CE._profile(args.profile), _as_of(args)
    if args.rent is not None and not (0 <= args.rent <= 1_000_000):
        raise CE.UsageError([f"--rent: {args.rent:g} is out of range; expected 0 to 1,000,000 CNY a month"])
    try:
        rows = take_home_for(profile, inputs, settings, rent_month=args.rent)
    except ValueError as e:
        raise CE.UsageError([f"{args.profile}: {e}"]) from None
    lines = [f"{'city':<10} {'gross':>10} {'soc.ins.':>10} {'IIT':>9} {'rent':>9} {'incent./yr':>11} {'left':>11}"]
    for t in rows:
        si = "unknown" if t.social_insurance is None else f"{t.social_insurance:,.0f}"
        left = f"{t.left:,.0f}" if t.left is not None else f"<={t.left_upper:,.0f}"
        lines.append(f"{t.city:<10} {t.gross:>10,.0f} {si:>10} {t.iit:>9,.0f} {t.rent or 0:>9,.0f} "
                     f"{t.incentives_per_year:>11,.0f} {left:>11}")
        for n in t.notes_en:
            if "floor" in n or "cap" in n:
                lines.append(f"    {n}")
    return CE._emit(args, takehome_json(rows), "\n".join(lines))


def cmd_population(args: argparse.Namespace) -> int:
    from dashboard.catalog.population import POPULATION_FILE, load_population
    from dashboard.engine import whom as W

    inputs, settings = CE._inputs(), _as_of(args)
    path = args.file or POPULATION_FILE
    from pathlib import Path

    pop, problems = load_population(Path(path), display=str(path))
    if pop is None:
        raise CE.UsageError([str(p) for p in problems])
    errs = []
    adds = []
    for a in args.add or []:
        try:
            adds.append(W.parse_add(a, list(inputs.cities)))
        except ValueError as e:
            errs.append(str(e))
    if errs:
        raise CE.UsageError(errs)
    try:
        before = W.whom_wins(pop, inputs, settings, weights=CE._weights(args), preset=args.preset)
        after = W.whom_wins(pop, W.with_adds(inputs, adds, settings.today), settings, weights=CE._weights(args),
                            preset=args.preset) if adds else None
    except ValueError as e:
        raise CE.UsageError([str(e)]) from None
    res = after or before
    data: dict[str, Any] = {"profiles": res.profiles, "as_of": settings.today.isoformat(),
                            "cities": [{"city": c, "share_first": round(res.share_first[c], 6),
                                        "by_segment": {a: {v: round(s.get(c, 0.0), 6) for v, s in vals.items()}
                                                       for a, vals in res.by_segment.items()}} for c in res.cities]}
    if after is not None:
        data["added"] = [{"city": a.city, "category": a.category, "amount": a.amount} for a in adds]
        for row in data["cities"]:
            row["share_first_before"] = round(before.share_first[row["city"]], 6)
        data["largest_changes"] = [{"city": m.city, "segment": m.segment, "before": round(m.before, 6),
                                    "after": round(m.after, 6)} for m in W.moves(before, after, limit=10)]
    lines = [f"{res.profiles:,} weighted profiles (as of {settings.today}); share of applicants for whom each city is first"]
    for c in res.cities:
        b = f"{before.share_first[c]:6.1%} -> " if after is not None else ""
        lines.append(f"  {c:<10} {b}{res.share_first[c]:6.1%}")
    return CE._emit(args, data, "\n".join(lines))


def register(sub: Any) -> None:
    p = sub.add_parser("takehome", help="what is left of the salary in each city (social insurance, tax, rent, incentives)")
    p.add_argument("--profile", required=True, help="profile JSON file ('-' for stdin); needs annual_salary_cny")
    p.add_argument("--rent", type=float, help="your own rent in CNY a month (default: the city's market rent)")
    p.add_argument("--as-of", dest="as_of", help="compute as of this date (YYYY-MM-DD); default today")
    p.add_argument("--json", action="store_true", help="print the documented JSON")
    p.set_defaults(func=CE._wrap(cmd_takehome))
    p = sub.add_parser("population", help="whom each city wins: share of a documented applicant population")
    p.add_argument("--preset", choices=sorted(SC.PRESETS), help="weight preset (default graduate)")
    p.add_argument("--weights", help="e.g. money=30,housing=20,...")
    p.add_argument("--add", action="append", metavar="CITY:CATEGORY:AMOUNT",
                   help="add an unconditional city-wide one-off payment (repeatable)")
    p.add_argument("--file", help="population file (default data/population.yaml)")
    p.add_argument("--as-of", dest="as_of", help="graduation dates relative to this date (YYYY-MM-DD); default today")
    p.add_argument("--json", action="store_true", help="print the documented JSON")
    p.set_defaults(func=CE._wrap(cmd_population))


if __name__ == "__main__":  # pragma: no cover
    sys.exit("run: python -m dashboard takehome|population ...")
