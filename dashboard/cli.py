"""Command line: the same catalog and engine as the app, JSON out.

Exit codes: 0 success; 1 data problems found by ``check``; 2 bad usage or bad input (profile, city,
option), with one line per problem on stderr and no traceback.
"""

from __future__ import annotations

import argparse
import json
import sys
from datetime import date
from pathlib import Path

from dashboard import cli_engine, cli_money
from dashboard.catalog.loader import DEFAULT_STALE_DAYS, load_catalog


def _cmd_check(args: argparse.Namespace) -> int:
    today = date.fromisoformat(args.today) if args.today else None
    paths = [Path(p) for p in args.paths] or None
    res = load_catalog(paths=paths, today=today, stale_days=args.stale_days)
    if paths is None:  # the benchmark archetypes are data too (dashboard/catalog/archetypes.py)
        from dashboard.catalog.archetypes import load_archetypes

        res.problems.extend(load_archetypes(display="data/archetypes.yaml")[1])
    if args.json:
        print(json.dumps({"errors": [str(p) for p in res.errors], "warnings": [str(p) for p in res.warnings],
                          "cities": sorted(res.cities), "reference": sorted(res.reference),
                          "national": sorted(res.national)}, ensure_ascii=False, indent=2))
        return 1 if res.errors else 0
    for p in res.problems:
        print(p)
    if res.errors:
        print(f"{len(res.errors)} error(s), {len(res.warnings)} warning(s)", file=sys.stderr)
        return 1
    n_inc = sum(len(c.incentives) for c in res.cities.values())
    n_abs = sum(len(c.absences) for c in res.cities.values())
    n_fig = sum(len(r.figures) for r in res.reference.values())
    n_proc = sum(len(getattr(f, "procedures", [])) for f in res.procedures.values())
    n_events = len(getattr(res.timeline, "events", []) or [])
    extra = f", {n_proc} procedures, {n_events} timeline events" if paths is None else ""
    print(f"ok: {len(res.cities)} cities, {n_inc} incentives, {n_abs} documented absences, "
          f"{n_fig} reference figures, {len(res.national)} national files{extra}; {len(res.warnings)} warning(s)")
    return 0


def _cmd_health(args: argparse.Namespace) -> int:
    from dashboard.health import health, text_report

    try:
        today = date.fromisoformat(args.today) if args.today else None
    except ValueError:
        print(f"--today: {args.today!r} is not a date; expected YYYY-MM-DD", file=sys.stderr)
        return 2
    res = load_catalog(today=today)
    for name, why in res.unavailable.items():
        print(f"warning: {name} unavailable: {why}", file=sys.stderr)
    report = health(res, today)
    print(json.dumps(report, ensure_ascii=False, indent=2) if args.json else text_report(report))
    return 0


def build_parser() -> argparse.ArgumentParser:
    ap = argparse.ArgumentParser(prog="python -m dashboard", description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = ap.add_subparsers(dest="command", required=True)
    c = sub.add_parser("check", help="validate data files (all of data/, or the given files)")
    c.add_argument("paths", nargs="*", help="files to check; default: everything under data/")
    c.add_argument("--today", help="date to check status and staleness against (YYYY-MM-DD)")
    c.add_argument("--stale-days", type=int, default=DEFAULT_STALE_DAYS,
                   help=f"warn when a source was retrieved longer ago than this (default {DEFAULT_STALE_DAYS})")
    c.add_argument("--json", action="store_true")
    c.set_defaults(func=_cmd_check)
    h = sub.add_parser("health", help="how citable the data is: sources by kind, value on official sources, "
                       "weak-only records, stale sources, unresolved statuses")
    h.add_argument("--today", help="date for staleness and status (YYYY-MM-DD)")
    h.add_argument("--json", action="store_true")
    h.set_defaults(func=_cmd_health)
    cli_engine.register(sub)
    cli_money.register(sub)
    return ap


def main(argv: list[str] | None = None) -> int:
    ap = build_parser()
    args = ap.parse_args(argv)
    try:
        return int(args.func(args))
    except BrokenPipeError:
        return 0
