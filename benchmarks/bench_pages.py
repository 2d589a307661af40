"""Page speed in headless Debian chromium: the app beside its floor (benchmarks/floor_app.py, a bare page that
draws the same map from the same files), both measured in this run on this machine.

    .venv/bin/python -m benchmarks.bench_pages [--contexts 5]

Figures (medians over ``--contexts`` fresh browser contexts, after one warm-up visit):
- cold start: from launching the server to the first map drawn (server boot, catalog and boundaries loaded);
- first render: from opening the page to the map drawn and the ranking shown, caches warm;
- rerun: from a widget change (age) to the updated ranking drawn (the run finished and nothing stale left).
Targets (README): first render within 1.5x the floor, rerun within 1.3x.
"""

from __future__ import annotations

import argparse
import json
import os
import tempfile
import time
from pathlib import Path
from typing import Any

from benchmarks._common import (
    APP,
    CHROMIUM,
    CHROMIUM_ARGS,
    FLOOR_APP,
    MAP_JS,
    RANKING_JS,
    ROOT,
    SETTLED_JS,
    free_port,
    have_chromium,
    med,
    start_app,
    stop,
)
from benchmarks.load import HOOK_JS

FIRST_RENDER_TARGET = 1.5
RERUN_TARGET = 1.3
TIMEOUT_MS = 90_000


def _floor_script(tmp: Path) -> Path:
    """The floor app in a folder whose static/ is the app's, so the local topojson stub is served the same way."""
    script = tmp / "floor_app.py"
    script.write_text(FLOOR_APP.read_text(encoding="utf-8"), encoding="utf-8")
    os.symlink(ROOT / "dashboard" / "static", tmp / "static")
    return script


def _drawn(page: Any, n0: int) -> None:
    page.wait_for_function(f"() => window.__lt && window.__lt.ok > {n0} && ({SETTLED_JS})() && ({MAP_JS})() "
                           f"&& ({RANKING_JS})()", timeout=TIMEOUT_MS, polling=20)


def measure(script: Path, url_query: str, contexts: int, browser: Any) -> dict[str, Any]:
    port = free_port()
    base = f"http://127.0.0.1:{port}/{url_query}"
    t0 = time.perf_counter()
    proc = start_app(port, script=script)
    try:
        ctx = browser.new_context(viewport={"width": 1280, "height": 900})
        ctx.add_init_script(HOOK_JS)
        page = ctx.new_page()
        page.goto(base, wait_until="commit")
        _drawn(page, 0)
        cold = time.perf_counter() - t0
        ctx.close()
        first, rerun = [], []
        for i in range(contexts):
            ctx = browser.new_context(viewport={"width": 1280, "height": 900})
            ctx.add_init_script(HOOK_JS)
            page = ctx.new_page()
            t1 = time.perf_counter()
            page.goto(base, wait_until="commit")
            _drawn(page, 0)
            first.append(time.perf_counter() - t1)
            page.wait_for_timeout(300)  # let plotly finish its layout before the next action
            n0 = page.evaluate("() => window.__lt.ok")
            box = page.locator(".st-key-p_age input")
            t2 = time.perf_counter()
            box.fill(str(30 + i))
            box.press("Enter")
            _drawn(page, n0)
            rerun.append(time.perf_counter() - t2)
            ctx.close()
        return {"cold_start_s": cold, "first_render_s": med(first), "rerun_s": med(rerun),
                "first_render_all_s": first, "rerun_all_s": rerun}
    finally:
        stop(proc)


def run(contexts: int = 5) -> dict[str, Any]:
    """App and floor, same browser, same run; ratios against the floor and whether the targets hold."""
    if not have_chromium():
        return {"skipped": f"{CHROMIUM} or playwright missing"}
    from playwright.sync_api import sync_playwright

    with tempfile.TemporaryDirectory(prefix="atlas-floor-") as tmp, sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            floor = measure(_floor_script(Path(tmp)), "", contexts, browser)
            app = measure(APP, "?preset=graduate", contexts, browser)
        finally:
            browser.close()
    out: dict[str, Any] = {"contexts": contexts, "app": app, "floor": floor}
    for key, target in (("cold_start_s", None), ("first_render_s", FIRST_RENDER_TARGET), ("rerun_s", RERUN_TARGET)):
        ratio = app[key] / floor[key]
        out[key[:-2] + "_ratio"] = {"ratio": ratio, "target": target,
                                            "ok": None if target is None else ratio <= target}
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--contexts", type=int, default=5)
    args = ap.parse_args()
    print(json.dumps(run(args.contexts), indent=2))


if __name__ == "__main__":
    main()
