"""Server CPU per rerun, page by page, and a cProfile of a rerun (issue 14: "cheaper reruns").

    .venv/bin/python -m benchmarks.rerun_cpu [--reruns 20] [--pages explore,compare] [--json out.json]
    .venv/bin/python -m benchmarks.rerun_cpu --profile explore [--top 30]

CPU: one app server on loopback, one protocol session (benchmarks/load.py's websocket client). For each page
the session opens it, then changes the age (or a weight, or the language: ``--changes``) ``--reruns`` times,
a new value each time, so every rerun is a real one. The server process's user+system CPU
(``/proc/<pid>/stat``, all threads, 10 ms ticks) is read before and after each rerun. The median is the
figure the target is about (<= 100 ms for Explore); the mean is given too, because ticks quantise a single
rerun. A rerun costs the server its script time plus serialising and sending its deltas, which is why it is
read from the server process and not timed inside the script.

Profile: ``--profile PAGE`` runs the app in this process with ``streamlit.testing.v1.AppTest`` (no server),
warms it, and profiles reruns after an age change with cProfile (the standard library's deterministic
profiler; pyinstrument is not in the lock). AppTest runs the script in its own thread, so the profiler is
switched on in that thread by a ``threading.setprofile`` hook. The output is cumulative time per function:
what dominates a rerun. See benchmarks/PROFILE.md for the before/after figures.
"""

from __future__ import annotations

import argparse
import asyncio
import cProfile
import io
import json
import pstats
import statistics
import sys
import threading
import time
from pathlib import Path
from typing import Any

from benchmarks._common import APP, cpu_seconds, free_port, start_app, stop

PAGES = ("explore", "compare", "plan", "benchmark", "brief", "timeline", "method", "sources")
TARGET_MS = 100.0


CHANGES = ("age", "weight", "language")  # what each rerun changes: new evaluations / re-scoring / new labels


def _change(p: Any, change: str, i: int) -> list[Any]:
    if change == "age":
        return [p.state("p_age", double_value=22 + i % 15)]
    if change == "weight":
        return [p.state("w_money", double_array_value=[10 + i % 15])]
    return [p.state("lang", string_array_value=["中文" if i % 2 == 0 else "English"])]


async def _page_cpu(port: int, pid: int, page: str, reruns: int, change: str = "age") -> dict[str, Any]:
    import websockets

    from benchmarks.load import Protocol

    async with websockets.connect(f"ws://127.0.0.1:{port}/_stcore/stream", subprotocols=["streamlit"],
                                  max_size=None) as ws:
        p = Protocol(ws)
        p.query = "preset=graduate"
        await p.run(page="")
        if page != "explore":
            await p.run(page=page)
        await p.run([p.state("p_age", double_value=40)])  # one warm rerun on this page (caches, imports)
        per: list[float] = []
        for i in range(reruns):
            c0 = cpu_seconds([pid])
            await p.run(_change(p, change, i))
            await asyncio.sleep(0.05)  # let the server finish sending before reading its CPU
            per.append((cpu_seconds([pid]) - c0) * 1000)
        if p.exceptions:
            raise RuntimeError(f"{page}: the page shows an exception: {p.exceptions[0]}")
    return {"median_ms": statistics.median(per), "mean_ms": statistics.fmean(per), "max_ms": max(per), "n": reruns}


def measure(pages: tuple[str, ...] = PAGES, reruns: int = 20, changes: tuple[str, ...] = ("age",)) -> dict[str, Any]:
    """Per page and kind of change: server CPU per rerun (median, mean, max ms)."""
    port = free_port()
    proc = start_app(port)
    try:
        out = {f"{page}:{ch}": asyncio.run(_page_cpu(port, proc.pid, page, reruns, ch))
               for page in pages for ch in changes}
    finally:
        stop(proc)
    return out


def _apply(at: Any, change: str, i: int) -> Any:
    if change == "age":
        return at.number_input(key="p_age").set_value(22 + i % 15)
    if change == "weight":
        return at.slider(key="w_money").set_value(10 + i % 15)
    return at.segmented_control(key="lang").set_value("zh" if i % 2 == 0 else "en")


def profile(page: str = "explore", reruns: int = 10, top: int = 30, change: str = "age") -> str:
    """cProfile of ``reruns`` reruns of ``page`` after a change (AppTest, in this process)."""
    from streamlit.testing.v1 import AppTest

    at = AppTest.from_file(str(APP), default_timeout=120)
    at.query_params["preset"] = "graduate"
    at.run()
    if page != "explore":
        at.switch_page(f"screens/{page}.py").run()
    at.number_input(key="p_age").set_value(40).run()
    prof = cProfile.Profile()

    def hook(*_: Any) -> None:
        threading.setprofile(None)
        sys.setprofile(None)
        prof.enable()

    t0 = time.perf_counter()
    for i in range(reruns):
        threading.setprofile(hook)
        _apply(at, change, i).run()
        threading.setprofile(None)
    wall = (time.perf_counter() - t0) / reruns * 1000
    prof.disable()
    buf = io.StringIO()
    stats = pstats.Stats(prof, stream=buf).strip_dirs().sort_stats("cumulative")
    stats.print_stats(top)
    return f"{page}: {reruns} reruns ({change}), {wall:.0f} ms wall per rerun in AppTest (profiler on)\n{buf.getvalue()}"


def table(res: dict[str, Any]) -> str:
    lines = [f"{'page:change':<20}{'median ms':>11}{'mean ms':>10}{'max ms':>9}"]
    for page, r in res.items():
        lines.append(f"{page:<20}{r['median_ms']:>11.0f}{r['mean_ms']:>10.0f}{r['max_ms']:>9.0f}")
    for key, r in res.items():
        if key.startswith("explore:"):
            ok = r["median_ms"] <= TARGET_MS
            lines.append(f"target: Explore ({key[8:]}) median <= {TARGET_MS:.0f} ms: {'ok' if ok else 'MISSED'}")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--reruns", type=int, default=20)
    ap.add_argument("--pages", default=",".join(PAGES))
    ap.add_argument("--changes", default="age", help=f"comma-separated, of {', '.join(CHANGES)}")
    ap.add_argument("--profile", metavar="PAGE", default=None, help="cProfile reruns of this page instead")
    ap.add_argument("--top", type=int, default=30)
    ap.add_argument("--json", type=Path, default=None)
    args = ap.parse_args(argv)
    if args.profile:
        print(profile(args.profile, min(args.reruns, 20), args.top, args.changes.split(",")[0]))
        return 0
    pages = tuple(p for p in args.pages.split(",") if p)
    unknown = [p for p in pages if p not in PAGES]
    if unknown:
        ap.error(f"unknown page(s) {', '.join(unknown)}; expected some of {', '.join(PAGES)}")
    changes = tuple(c for c in args.changes.split(",") if c)
    if any(c not in CHANGES for c in changes):
        ap.error(f"--changes: expected some of {', '.join(CHANGES)}")
    res = measure(pages, max(3, args.reruns), changes)
    print(table(res))
    if args.json:
        args.json.write_text(json.dumps(res, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
