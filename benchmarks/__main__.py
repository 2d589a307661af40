"""``make bench``: every benchmark in one run, one table, each figure beside its floor measured in this run.

    .venv/bin/python -m benchmarks [--quick]

Runs bench_engine (engine per profile, sweep throughput), bench_pages (cold start to first map, first render,
rerun after a widget change: app vs floor app), load --short (5 sessions: latency, errors, memory per
session) and bench_exports (each export vs a bare kaleido write) when present. Prints
``figure | value | floor | ratio | target`` and writes benchmarks/results.json.
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import platform
import sys
import time
from pathlib import Path
from typing import Any

from benchmarks import bench_engine, bench_pages, load

OUT = Path(__file__).with_name("results.json")
Row = tuple[str, float | None, float | None, str, str]  # figure, value, floor, unit, target


def _ratio(v: float | None, f: float | None) -> str:
    return f"{v / f:.2f}x" if v is not None and f else ""


def engine_rows(r: dict[str, Any]) -> list[Row]:
    return [
        ("engine: rank one profile, 5 cities (ms)", r["rank_one_profile_ms_median"], None, "ms", ""),
        ("engine: rank with 1,000 sensitivity draws (ms)", r["rank_one_profile_with_sensitivity_ms_median"], None, "ms", ""),
        ("sweep throughput (evaluations/s) vs scalar loop", r["sweep_evals_per_s"], r["scalar_loop_evals_per_s"], "/s",
         "faster than the loop"),
        ("sweep peak memory (MB)", r["sweep_peak_mb"], None, "MB", ""),
        (f"whom each city wins: {r['population_profiles']:,} profiles x 5 cities, one update (s)",
         r["population_update_s"], None, "s", "< 1 s"),
        ("  the same, CPU seconds (the machine is shared)", r["population_update_cpu_s"], None, "s", ""),
        ("population sweep (evaluations per CPU second) vs scalar loop", r["population_evals_per_cpu_s"],
         r["scalar_loop_evals_per_s"], "/s", "5M/s (issue 13)"),
        ("load average (1 min) during the engine benchmark", r["load_average_1min"], None, "", "2 cores"),
    ]


def page_rows(r: dict[str, Any]) -> list[Row]:
    if "skipped" in r:
        return [("pages: skipped", None, None, "", r["skipped"])]
    a, f = r["app"], r["floor"]
    return [
        ("cold start to first map (s)", a["cold_start_s"], f["cold_start_s"], "s", ""),
        ("first render, map drawn (s)", a["first_render_s"], f["first_render_s"], "s", f"<= {bench_pages.FIRST_RENDER_TARGET}x floor"),
        ("rerun after a widget change (s)", a["rerun_s"], f["rerun_s"], "s", f"<= {bench_pages.RERUN_TARGET}x floor"),
    ]


def load_rows(r: dict[str, Any]) -> list[Row]:
    rows: list[Row] = [("load --short: errors", float(r["errors"]), None, "", "0")]
    for kind, p95 in r["widget_update_p95_s"].items():
        rows.append((f"load --short: widget update p95, {kind} (s)", p95, None, "s", f"< {load.P95_TARGET_S} s"))
    m = r["memory_mb"]
    rows.append(("server RSS idle (MB)", m["idle"], m["startup"], "MB", "floor: server just started"))
    rows.append(("memory per session, peak (MB)", m["per_session_peak"], None, "MB", ""))
    rows.append(("server RSS after sessions closed vs idle", m["after_vs_idle"] * 100, None, "%",
                 f"<= +{load.MEMORY_TARGET:.0%}"))
    return rows


def export_rows(r: dict[str, Any]) -> list[Row]:
    rows: list[Row] = []
    floor = r.get("floor_warm_png_empty_s")
    for lang in ("en", "zh"):
        for k, v in r.get(lang, {}).items():
            if k.endswith("_s"):
                rows.append((f"export {lang}: {k[:-2]} (s)", v, floor if k.startswith("png") else None, "s", ""))
    rows.append(("export floor: bare kaleido write_image, empty (s)", r.get("floor_bare_write_image_empty_s"), None, "s", ""))
    return rows


def table(rows: list[Row]) -> str:
    w = max(len(r[0]) for r in rows) + 2
    out = [f"{'figure':<{w}}{'value':>12}{'floor':>12}{'ratio':>9}  target", "-" * (w + 45)]
    for name, v, f, _unit, target in rows:
        vs = "" if v is None else f"{v:,.3f}" if abs(v) < 100 else f"{v:,.0f}"
        fs = "" if f is None else f"{f:,.3f}" if abs(f) < 100 else f"{f:,.0f}"
        out.append(f"{name:<{w}}{vs:>12}{fs:>12}{_ratio(v, f):>9}  {target}")
    return "\n".join(out)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--quick", action="store_true", help="smaller engine sample and 3 browser contexts")
    args = ap.parse_args(argv)
    t0 = time.perf_counter()
    results: dict[str, Any] = {"machine": {"python": platform.python_version(), "platform": platform.platform(),
                                           "cores": __import__("os").cpu_count()}}
    rows: list[Row] = []
    print("engine ...", file=sys.stderr)
    results["engine"] = bench_engine.run(5000 if args.quick else None)
    rows += engine_rows(results["engine"])
    print("pages ...", file=sys.stderr)
    results["pages"] = bench_pages.run(3 if args.quick else 5)
    rows += page_rows(results["pages"])
    print("load --short ...", file=sys.stderr)
    results["load_short"] = load.run(5, 2, 25.0, short=True)
    rows += load_rows(results["load_short"])
    if importlib.util.find_spec("benchmarks.bench_exports") is not None:
        print("exports ...", file=sys.stderr)
        from benchmarks import bench_exports

        results["exports"] = bench_exports.run(3)
        rows += export_rows(results["exports"])
    results["seconds"] = time.perf_counter() - t0
    OUT.write_text(json.dumps(results, indent=2, default=str))
    print(table(rows))
    print(f"\n{results['seconds']:.0f} s; details in {OUT}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
