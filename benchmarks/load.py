"""Load test: many concurrent sessions walk a realistic journey through the app on loopback for a fixed time.

    .venv/bin/python -m benchmarks.load                       # full: 20 protocol sessions, 120 s, targets enforced
    .venv/bin/python -m benchmarks.load --short               # CI: 5 sessions for 25 s, asserts no errors only
    .venv/bin/python -m benchmarks.load --sessions 20 --browser-sessions 4 --duration 60 --json out.json
    .venv/bin/python -m benchmarks.load --processes 2 [--short]     # through HAProxy, one process killed halfway

Journey, repeated by every session until the time is up (a pause of ``--think`` seconds between steps):
load a shared link with a random preset -> set a profile field (age) -> change a weight -> switch language ->
open Compare -> back to Explore. Each step is timed from the action to the updated page: for a browser
session, until Streamlit reports the run finished (``script_finished`` on the websocket, counted by a tiny
in-page hook) *and* the DOM shows the ranking with no stale element left; for a protocol session, until
``script_finished`` arrives.

Two kinds of session, because Chromium pages on a 2-core machine measure the browser more than the server:
- ``browser``: a Playwright page in headless Debian chromium (``executable_path=/usr/bin/chromium``), what a
  user sees; each browser process holds at most ``--pages-per-browser`` pages.
- ``protocol``: a websocket client that speaks Streamlit's own protobuf protocol (``/_stcore/stream``): the
  same BackMsg/ForwardMsg traffic a browser sends, without rendering. Its latencies are server-bound.
On this 2-core machine every Chromium page competes with the server for the same two cores (4 pages used 0.9
of a core and doubled the protocol sessions' latencies; 20 pages saturate both cores), so the full form's
targets are judged on 20 protocol sessions (server-bound), and ``--browser-sessions N`` adds pages to see what
a user sees under that load. The short CI form drives 2 pages and 3 protocol sessions. CPU seconds of the
server and of the client side (this process, the Playwright driver and chromium) are reported separately, so
it is clear which side was saturated.

Memory: the server's RSS at startup, idle after a warm-up session (caches filled), sampled every 0.5 s
during the run, right after every session closed, and after a short settle. Sessions stay in Streamlit's
reconnect storage for ``server.disconnectedSessionTTL`` seconds after their socket closes (see
.streamlit/config.toml), so "after" is read after that TTL plus a probe session that evicts them.

Bounded: everything binds 127.0.0.1, sessions <= 50, duration <= 600 s, every wait has a timeout.
Exit status: 0 when the targets hold (full form) or when there were no errors (short form); 1 otherwise.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import random
import re
import sys
import tempfile
import threading
import time
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from benchmarks._common import (
    CHROMIUM,
    CHROMIUM_ARGS,
    RANKING_JS,
    SETTLED_JS,
    cpu_seconds,
    descendants,
    free_port,
    have_chromium,
    med,
    pct,
    rss_mb,
    start_app,
    stop,
)

STEPS = ("load", "profile", "weights", "language", "compare", "explore")
WIDGET_STEPS = ("profile", "weights", "language")  # the "widget update" the p95 target is about
PRESETS = ("graduate", "phd_researcher", "founder", "family_mover", "k_visa_talent")
PRESET_AGE = {"graduate": 24, "phd_researcher": 31, "founder": 30, "family_mover": 35, "k_visa_talent": 25}
P95_TARGET_S = 1.0
THINK_S = (2.0, 6.0)  # a user reads the updated ranking before the next change
MEMORY_TARGET = 0.10
STEP_TIMEOUT_S = 60.0
MAX_SESSIONS = 50
MAX_DURATION_S = 600.0
WARM_PROFILES = 40  # more than the app caches (32): fills them before "idle" is read
TTL_S = 10  # server.disconnectedSessionTTL for the run: short, so "after" is measured without a 2-minute wait

# Counts ForwardMsg.script_finished (field 6) per status without a protobuf library: walks the top-level
# fields of each binary websocket message. Installed before Streamlit's own code runs.
HOOK_JS = """(() => {
  const lt = window.__lt = {ok: 0, other: 0, at: 0, frames: 0};
  const Orig = window.WebSocket;
  function varint(b, i) {
    let x = 0, s = 0, c;
    do { c = b[i++]; x += (c & 127) * Math.pow(2, s); s += 7; } while (c & 128);
    return [x, i];
  }
  function scan(buf) {
    const b = new Uint8Array(buf); let i = 0;
    while (i < b.length) {
      let k; [k, i] = varint(b, i); const f = Math.floor(k / 8), w = k & 7;
      if (w === 0) {
        let v; [v, i] = varint(b, i);
        if (f === 6) { if (v === 0) { lt.ok++; } else { lt.other++; } lt.at = performance.now(); return; }
      }
      else if (w === 2) { let n; [n, i] = varint(b, i); i += n; }
      else if (w === 1) { i += 8; } else if (w === 5) { i += 4; } else { return; }
    }
  }
  function Hooked(url, protocols) {
    const ws = protocols === undefined ? new Orig(url) : new Orig(url, protocols);
    ws.addEventListener('message', ev => {
      lt.frames++;
      if (ev.data instanceof ArrayBuffer) { try { scan(ev.data); } catch (e) {} }
    });
    return ws;
  }
  Hooked.prototype = Orig.prototype;
  Object.assign(Hooked, {CONNECTING: 0, OPEN: 1, CLOSING: 2, CLOSED: 3});
  window.WebSocket = Hooked;
})();"""

EXCEPTION_JS = "() => document.querySelectorAll('[data-testid=\"stException\"]').length"
DATAFRAME_JS = "() => document.querySelectorAll('[data-testid=\"stDataFrame\"]').length >= 1"
MAP_JS = "() => document.querySelectorAll('.js-plotly-plot .scattergeo').length >= 1"


@dataclass
class Sample:
    kind: str     # browser | protocol
    step: str
    seconds: float
    finished_s: float | None = None  # browser: when script_finished arrived (server + network)
    at: float = 0.0                  # perf_counter when the step ended (the cluster form splits at the kill)


@dataclass
class Record:
    samples: list[Sample] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    journeys: int = 0

    def error(self, kind: str, step: str, what: str) -> None:
        self.errors.append(f"{kind}:{step}: {what[:300]}")


# --- browser sessions ------------------------------------------------------------------------------------


async def _wait_run(page: Any, n0: int, extra: str, timeout: float) -> None:
    cond = f"() => window.__lt && window.__lt.ok > {n0} && ({SETTLED_JS})() && ({extra})()"
    await page.wait_for_function(cond, timeout=timeout * 1000, polling=50)


async def _browser_step(page: Any, rec: Record, step: str, action: Any, extra: str, *, fresh: bool = False) -> bool:
    """``fresh``: the action loads a new document, whose hook starts counting from zero."""
    try:
        n0 = 0 if fresh else await page.evaluate("() => window.__lt ? window.__lt.ok : 0")
        js0 = 0.0 if fresh else await page.evaluate("() => performance.now()")
        t0 = time.perf_counter()
        await action()
        await _wait_run(page, n0, extra, STEP_TIMEOUT_S)
        dt = time.perf_counter() - t0
        fin = await page.evaluate("() => window.__lt.at")
        if await page.evaluate(EXCEPTION_JS):
            rec.error("browser", step, "the page shows an exception")
            return False
        rec.samples.append(Sample("browser", step, dt, max(0.0, (fin - js0) / 1000)))
        return True
    except Exception as e:  # a timeout or a closed page: counted, and the session starts over
        rec.error("browser", step, f"{type(e).__name__}: {e}".splitlines()[0])
        return False


async def browser_session(idx: int, browser: Any, base: str, deadline: float, think: tuple[float, float],
                          rec: Record, rng: random.Random) -> None:
    ctx = await browser.new_context(viewport={"width": 1280, "height": 900})
    await ctx.add_init_script(HOOK_JS)
    page = await ctx.new_page()
    page.on("pageerror", lambda e: rec.error("browser", "page", f"pageerror: {e}"))
    lang = "en"

    async def pause() -> None:
        await asyncio.sleep(rng.uniform(*think))

    try:
        while time.perf_counter() < deadline:
            preset = rng.choice(PRESETS)
            lang = "en"

            async def load(preset: str = preset) -> None:
                await page.goto(f"{base}?preset={preset}", wait_until="commit")

            ok = await _browser_step(page, rec, "load", load, f"() => ({MAP_JS})() && ({RANKING_JS})()", fresh=True)
            if not ok:
                continue
            await pause()

            async def profile(preset: str = preset) -> None:
                box = page.locator(".st-key-p_age input")
                age = rng.randint(22, 40)
                await box.fill(str(age + 1 if age == PRESET_AGE[preset] else age))
                await box.press("Enter")

            if not await _browser_step(page, rec, "profile", profile, RANKING_JS):
                continue
            await pause()

            async def weights() -> None:
                details = page.locator("[data-testid='stSidebar'] details").filter(has=page.locator(".st-key-w_money"))
                if await details.get_attribute("open") is None:
                    await details.locator("summary").click()
                thumb = page.locator(".st-key-w_money input[type='range']")
                await thumb.focus()
                await thumb.press(rng.choice(["ArrowRight", "ArrowLeft"]))

            if not await _browser_step(page, rec, "weights", weights, RANKING_JS):
                continue
            await pause()
            target = "zh" if lang == "en" else "en"

            async def language(target: str = target) -> None:
                await page.locator(".st-key-lang button").filter(has_text="中文" if target == "zh" else "English").click()

            if not await _browser_step(page, rec, "language", language, RANKING_JS):
                continue
            lang = target
            await pause()

            async def compare() -> None:
                await page.locator("[data-testid='stSidebarNavLink'][href$='/compare']").click()

            if not await _browser_step(page, rec, "compare", compare, DATAFRAME_JS):
                continue
            await pause()

            async def explore() -> None:
                await page.locator("[data-testid='stSidebarNavLink']").first.click()

            if not await _browser_step(page, rec, "explore", explore, f"() => ({MAP_JS})() && ({RANKING_JS})()"):
                continue
            rec.journeys += 1
            await pause()
    finally:
        with contextlib.suppress(Exception):
            await ctx.close()


# --- protocol sessions --------------------------------------------------------------------------------------


class Protocol:
    """One Streamlit session over the websocket, speaking BackMsg/ForwardMsg protobufs like the frontend."""

    def __init__(self, ws: Any) -> None:
        self.ws = ws
        self.widgets: dict[str, tuple[str, str]] = {}  # user key -> (widget id, element type)
        self.options: dict[str, list[str]] = {}         # user key -> a selectbox's options as shown
        self.pages: dict[str, str] = {}                 # url path ("" = default page) -> page_script_hash
        self.page_hash = ""
        self.query = ""
        self.text: list[str] = []                       # markdown bodies of the last run
        self.exceptions: list[str] = []
        self.sent: dict[str, Any] = {}                 # widget id -> last state set: resent on every run, as a browser does

    async def run(self, widget_states: list[Any] | None = None, page: str | None = None,
                  timeout: float = STEP_TIMEOUT_S) -> None:
        from streamlit.proto.BackMsg_pb2 import BackMsg
        from streamlit.proto.ForwardMsg_pb2 import ForwardMsg

        msg = BackMsg()
        msg.rerun_script.query_string = self.query
        if page is not None:
            self.page_hash = self.pages.get(page, "")
            msg.rerun_script.page_name = page
        msg.rerun_script.page_script_hash = self.page_hash
        for w in widget_states or []:
            self.sent[w.id] = w
        msg.rerun_script.widget_states.widgets.extend(self.sent.values())
        await self.ws.send(msg.SerializeToString())
        self.text, self.exceptions = [], []
        async with asyncio.timeout(timeout):
            while True:
                fm = ForwardMsg()
                fm.ParseFromString(await self.ws.recv())
                kind = fm.WhichOneof("type")
                if kind == "delta":
                    self._delta(fm)
                elif kind == "navigation":
                    for p in fm.navigation.app_pages:
                        self.pages[p.url_pathname] = p.page_script_hash
                        if p.is_default:
                            self.pages[""] = p.page_script_hash
                    self.page_hash = fm.navigation.page_script_hash or self.page_hash
                elif kind == "page_info_changed":
                    self.query = fm.page_info_changed.query_string
                elif kind == "script_finished":
                    if fm.script_finished == ForwardMsg.FINISHED_SUCCESSFULLY:
                        return
                    if fm.script_finished == ForwardMsg.FINISHED_WITH_COMPILE_ERROR:
                        raise RuntimeError("script compile error")

    def _delta(self, fm: Any) -> None:
        if fm.delta.WhichOneof("type") != "new_element":
            return
        el = fm.delta.new_element
        kind = el.WhichOneof("type")
        if kind == "markdown":
            self.text.append(el.markdown.body)
        elif kind == "exception":
            self.exceptions.append(el.exception.message)
        elif kind:
            wid = getattr(getattr(el, kind), "id", "")
            m = re.match(r"^\$\$ID-[0-9a-f]+-(.+)$", wid or "")
            if m:
                self.widgets[m.group(1)] = (wid, kind)
                if kind == "selectbox":
                    self.options[m.group(1)] = list(el.selectbox.options)

    def state(self, key: str, **value: Any) -> Any:
        from streamlit.proto.WidgetStates_pb2 import WidgetState

        wid, _ = self.widgets[key]
        ws = WidgetState(id=wid)
        for k, v in value.items():
            if k.endswith("_array_value"):
                getattr(ws, k).data.extend(v)
            else:
                setattr(ws, k, v)
        return ws

    def ranking(self) -> list[str]:
        return [t for t in self.text if re.match(r"^### \d\. ", t)]


async def _protocol_step(p: Protocol, rec: Record, step: str, coro: Any, check: Any) -> bool:
    t0 = time.perf_counter()
    try:
        await coro
    except Exception as e:
        rec.error("protocol", step, f"{type(e).__name__}: {e}")
        return False
    dt = time.perf_counter() - t0
    if p.exceptions:
        rec.error("protocol", step, f"exception shown: {p.exceptions[0]}")
        return False
    if not check():
        rec.error("protocol", step, "the page did not show what the step expects")
        return False
    rec.samples.append(Sample("protocol", step, dt))
    return True


async def protocol_session(idx: int, port: int, deadline: float, think: tuple[float, float], rec: Record,
                           rng: random.Random) -> None:
    import websockets

    async def pause() -> None:
        await asyncio.sleep(rng.uniform(*think))

    url = f"ws://127.0.0.1:{port}/_stcore/stream"
    while time.perf_counter() < deadline:
        preset = rng.choice(PRESETS)
        t0 = time.perf_counter()
        try:
            ws = await asyncio.wait_for(websockets.connect(url, subprotocols=["streamlit"], max_size=None,
                                                           open_timeout=STEP_TIMEOUT_S), STEP_TIMEOUT_S)
        except Exception as e:
            rec.error("protocol", "load", f"connect: {type(e).__name__}: {e}")
            await pause()
            continue
        try:
            p = Protocol(ws)
            p.query = f"preset={preset}"
            ok = await _protocol_step(p, rec, "load", p.run(page=""), lambda p=p: len(p.ranking()) >= 1)
            if ok:  # the load step counts the connection too
                rec.samples[-1].seconds = time.perf_counter() - t0
            else:
                continue
            await pause()
            before = p.ranking()
            age = rng.randint(22, 40)
            if age == PRESET_AGE[preset]:  # an unchanged value is no change: Streamlit would not rerun
                age += 1
            if not await _protocol_step(p, rec, "profile", p.run([p.state("p_age", double_value=age)]),
                                        lambda p=p, age=age: f"age={age}" in p.query and len(p.ranking()) >= 1):
                continue
            await pause()
            w = rng.randint(0, 100)
            if not await _protocol_step(p, rec, "weights", p.run([p.state("w_money", double_array_value=[w])]),
                                        lambda p=p: len(p.ranking()) >= 1):
                continue
            await pause()
            if not await _protocol_step(p, rec, "language", p.run([p.state("lang", string_array_value=["中文"])]),
                                        lambda p=p: "lang=zh" in p.query and len(p.ranking()) >= 1):
                continue
            await pause()
            if not await _protocol_step(p, rec, "compare", p.run(page="compare"), lambda p=p: not p.ranking()):
                continue
            await pause()
            if not await _protocol_step(p, rec, "explore", p.run(page=""), lambda p=p: len(p.ranking()) >= 1):
                continue
            del before
            rec.journeys += 1
            await pause()
        finally:
            with contextlib.suppress(Exception):
                await ws.close()


# --- memory and CPU ------------------------------------------------------------------------------------------


class Sampler(threading.Thread):
    """Server RSS every ``every`` seconds while the sessions run."""

    def __init__(self, pid: int, every: float = 0.5) -> None:
        super().__init__(daemon=True)
        self.pid, self.every = pid, every
        self.values: list[float] = []
        self.halt = threading.Event()

    def run(self) -> None:
        while not self.halt.is_set():
            with contextlib.suppress(Exception):
                self.values.append(rss_mb(self.pid))
            self.halt.wait(self.every)


def _client_pids(server_pid: int) -> list[int]:
    me = os.getpid()
    return [me, *[p for p in descendants(me) if p != server_pid and p not in descendants(server_pid)]]


# --- the run ----------------------------------------------------------------------------------------------------


async def _sessions(port: int, n_browser: int, n_protocol: int, duration: float, think: tuple[float, float],
                    per_browser: int, seed: int, rec: Record, stagger: float) -> None:
    base = f"http://127.0.0.1:{port}/"
    deadline = time.perf_counter() + duration
    tasks = []
    browsers: list[Any] = []
    pw_cm = None
    if n_browser:
        from playwright.async_api import async_playwright

        pw_cm = async_playwright()
        pw = await pw_cm.__aenter__()
        for _ in range(-(-n_browser // per_browser)):
            browsers.append(await pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS))
    try:
        for i in range(n_browser + n_protocol):
            rng = random.Random(seed * 1000 + i)
            delay = stagger * i / max(1, n_browser + n_protocol)

            async def one(i: int = i, rng: random.Random = rng, delay: float = delay) -> None:
                await asyncio.sleep(delay)
                if i < n_browser:
                    await browser_session(i, browsers[i // per_browser], base, deadline, think, rec, rng)
                else:
                    await protocol_session(i, port, deadline, think, rec, rng)

            tasks.append(asyncio.create_task(one()))
        await asyncio.gather(*tasks)
    finally:
        for b in browsers:
            with contextlib.suppress(Exception):
                await b.close()
        if pw_cm is not None:
            await pw_cm.__aexit__(None, None, None)


async def _warm(port: int, fill: int = 0) -> None:
    """One protocol journey, then ``fill`` more profiles: with fill >= the app's cache size (32 rankings in
    dashboard/data_access.py) the shared caches are full, so "idle" is the steady state of a server that has
    served before and a later difference is memory that sessions kept."""
    import websockets

    rec = Record()
    await protocol_session(0, port, time.perf_counter() + 0.1, (0.0, 0.0), rec, random.Random(0))
    if fill:
        # Every preset, in both languages: the journeys use all five, whose evaluations and figures differ in
        # size, so a warm-up with one preset read "idle" below the caches' real steady state.
        per = -(-fill // len(PRESETS))
        for preset in PRESETS:
            async with websockets.connect(f"ws://127.0.0.1:{port}/_stcore/stream", subprotocols=["streamlit"],
                                          max_size=None) as ws:
                p = Protocol(ws)
                p.query = f"preset={preset}"
                await p.run(page="")
                for i in range(per):
                    states = [p.state("p_age", double_value=20 + (i * 7) % 40), p.state("w_money", double_array_value=[i % 7])]
                    if i == per // 2:
                        states.append(p.state("lang", string_array_value=["中文"]))
                    await p.run(states)
    if rec.errors:
        raise RuntimeError(f"warm-up failed: {rec.errors[0]}")


def summarise(rec: Record) -> dict[str, Any]:
    by: dict[tuple[str, str], list[Sample]] = defaultdict(list)
    for s in rec.samples:
        by[(s.kind, s.step)].append(s)
    steps: dict[str, dict[str, Any]] = {}
    for (kind, step), xs in sorted(by.items(), key=lambda kv: (kv[0][0], STEPS.index(kv[0][1]))):
        secs = [s.seconds for s in xs]
        row = {"n": len(xs), "p50_s": med(secs), "p95_s": pct(secs, 95), "max_s": max(secs)}
        fins = [s.finished_s for s in xs if s.finished_s is not None]
        if fins:
            row["finished_p50_s"] = med(fins)
            row["finished_p95_s"] = pct(fins, 95)
        steps[f"{kind}:{step}"] = row
    widget: dict[str, float] = {}
    for kind in ("browser", "protocol"):
        secs = [s.seconds for s in rec.samples if s.kind == kind and s.step in WIDGET_STEPS]
        if secs:
            widget[kind] = pct(secs, 95)
    return {"steps": steps, "widget_update_p95_s": widget}


def run(sessions: int = 20, browser_sessions: int | None = None, duration: float = 120.0, think: tuple[float, float] = THINK_S,
        per_browser: int = 10, seed: int = 1, short: bool = False, extra: list[str] | None = None,
        server_log: Path | None = None) -> dict[str, Any]:
    """Start the app, warm it, run the sessions, and return the report (see the module docstring)."""
    sessions = max(1, min(sessions, MAX_SESSIONS))
    duration = max(5.0, min(duration, MAX_DURATION_S))
    if browser_sessions is None:
        browser_sessions = sessions
    browser_sessions = max(0, min(browser_sessions, sessions))
    note = ""
    if browser_sessions and not have_chromium():
        note = f"{CHROMIUM} or playwright missing: every session uses the protocol client"
        browser_sessions = 0
    n_protocol = sessions - browser_sessions
    port = free_port()
    log = server_log or Path(tempfile.mkstemp(prefix="atlas-load-", suffix=".log")[1])
    t_start = time.perf_counter()
    with log.open("wb") as err:
        proc = start_app(port, extra=["--server.disconnectedSessionTTL", str(TTL_S), *(extra or [])], stderr=err)
        try:
            startup_s = time.perf_counter() - t_start
            rss_start = rss_mb(proc.pid)
            asyncio.run(_warm(port))
            time.sleep(TTL_S + 1)
            asyncio.run(_warm(port))  # a connection after the TTL evicts the warm-up session
            time.sleep(1.0)
            rss_cold_idle = rss_mb(proc.pid)
            asyncio.run(_warm(port, fill=WARM_PROFILES))
            time.sleep(TTL_S + 1)
            asyncio.run(_warm(port))
            time.sleep(1.0)
            rss_idle = rss_mb(proc.pid)
            sampler = Sampler(proc.pid)
            sampler.start()
            rec = Record()
            cpu_srv0, cpu_cli0, wall0 = cpu_seconds([proc.pid]), 0.0, time.perf_counter()
            clients_seen: set[int] = set()

            def cpu_client() -> float:
                pids = _client_pids(proc.pid)
                clients_seen.update(pids)
                return cpu_seconds(sorted(clients_seen))

            cpu_cli0 = cpu_client()
            stop_probe = threading.Event()
            client_cpu_last = [cpu_cli0]

            def probe() -> None:  # chromium processes end with the run: read their CPU while they live
                while not stop_probe.is_set():
                    client_cpu_last[0] = max(client_cpu_last[0], cpu_client())
                    stop_probe.wait(1.0)

            prober = threading.Thread(target=probe, daemon=True)
            prober.start()
            asyncio.run(_sessions(port, browser_sessions, n_protocol, duration, think, per_browser, seed, rec,
                                  stagger=min(15.0, duration / 4)))
            stop_probe.set()
            prober.join()
            wall = time.perf_counter() - wall0
            cpu_srv = cpu_seconds([proc.pid]) - cpu_srv0
            cpu_cli = client_cpu_last[0] - cpu_cli0
            sampler.halt.set()
            sampler.join()
            rss_closed = rss_mb(proc.pid)
            time.sleep(TTL_S + 1)
            asyncio.run(_warm(port))  # evicts the expired sessions from the reconnect storage
            time.sleep(2.0)
            rss_after = rss_mb(proc.pid)
        finally:
            stop(proc)
    server_log = log.read_text(errors="replace")
    if server_log is None:
        log.unlink(missing_ok=True)
    tracebacks = server_log.count("Traceback")
    if tracebacks:
        rec.errors.append(f"server: {tracebacks} traceback(s) in the server log; first: "
                          + server_log[server_log.index("Traceback"):][:400])
    during = sampler.values or [rss_idle]
    report: dict[str, Any] = {
        "config": {"sessions": sessions, "browser_sessions": browser_sessions, "protocol_sessions": n_protocol,
                   "duration_s": duration, "think_s": list(think), "pages_per_browser": per_browser,
                   "cores": os.cpu_count(), "short": short, "note": note},
        "journeys": rec.journeys,
        "errors": len(rec.errors),
        "error_examples": rec.errors[:10],
        **summarise(rec),
        "memory_mb": {"startup": rss_start, "cold_idle": rss_cold_idle, "idle": rss_idle, "during_mean": sum(during) / len(during),
                      "during_peak": max(during), "closed": rss_closed, "after": rss_after,
                      "after_vs_idle": rss_after / rss_idle - 1,
                      "per_session_peak": (max(during) - rss_idle) / sessions},
        "cpu": {"wall_s": wall, "server_cpu_s": cpu_srv, "server_util": cpu_srv / wall,
                "client_cpu_s": cpu_cli, "client_util": cpu_cli / wall,
                "bound": "client" if cpu_cli > cpu_srv else "server"},
        "startup_s": startup_s,
    }
    report["targets"] = targets(report)
    return report


def targets(report: dict[str, Any]) -> dict[str, dict[str, Any]]:
    out = {"no_errors": {"value": report["errors"], "target": "0", "ok": report["errors"] == 0}}
    for kind, p95 in report["widget_update_p95_s"].items():
        out[f"widget_update_p95_{kind}"] = {"value": round(p95, 3), "target": f"< {P95_TARGET_S} s",
                                            "ok": p95 < P95_TARGET_S}
    m = report["memory_mb"]["after_vs_idle"]
    out["memory_after_vs_idle"] = {"value": f"{m:+.1%}", "target": f"<= +{MEMORY_TARGET:.0%}", "ok": m <= MEMORY_TARGET}
    return out


def table(report: dict[str, Any]) -> str:
    c = report["config"]
    lines = [f"load: {c['sessions']} sessions ({c['browser_sessions']} browser, {c['protocol_sessions']} protocol) "
             f"for {c['duration_s']:.0f} s on {c['cores']} cores; {report['journeys']} journeys; "
             f"{report['errors']} errors",
             f"{'step':<20}{'n':>6}{'p50 s':>9}{'p95 s':>9}{'max s':>9}{'run done p95':>14}"]
    for k, r in report["steps"].items():
        fin = f"{r['finished_p95_s']:.3f}" if "finished_p95_s" in r else ""
        lines.append(f"{k:<20}{r['n']:>6}{r['p50_s']:>9.3f}{r['p95_s']:>9.3f}{r['max_s']:>9.3f}{fin:>14}")
    m, u = report["memory_mb"], report["cpu"]
    lines.append(f"server RSS MB: startup {m['startup']:.0f}, idle cold {m['cold_idle']:.0f} / warm {m['idle']:.0f}, "
                 f"during mean {m['during_mean']:.0f} peak {m['during_peak']:.0f}, closed {m['closed']:.0f}, after {m['after']:.0f} "
                 f"({m['after_vs_idle']:+.1%} vs idle); peak per session {m['per_session_peak']:.1f}")
    lines.append(f"CPU: server {u['server_util']:.0%}, client {u['client_util']:.0%} of one core "
                 f"({c['cores']} cores) -> {u['bound']}-bound")
    for name, tgt in report["targets"].items():
        lines.append(f"target {name}: {tgt['value']} (want {tgt['target']}) {'ok' if tgt['ok'] else 'MISSED'}")
    for e in report["error_examples"]:
        lines.append(f"error: {e}")
    if c["note"]:
        lines.append(f"note: {c['note']}")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--short", action="store_true", help="CI form: 5 sessions (2 browser) for 25 s; only errors fail")
    ap.add_argument("--sessions", type=int, default=None, help="concurrent sessions (default 20; short 5)")
    ap.add_argument("--browser-sessions", type=int, default=None,
                    help="how many of them are Chromium pages (default 0; short 2); the rest speak the protocol")
    ap.add_argument("--duration", type=float, default=None, help="seconds of load (default 120; short 25)")
    ap.add_argument("--think", type=float, nargs=2, default=THINK_S, metavar=("MIN", "MAX"),
                    help="pause between steps, uniform in [MIN, MAX] seconds")
    ap.add_argument("--pages-per-browser", type=int, default=10)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--json", type=Path, default=None, help="also write the report here")
    ap.add_argument("--server-log", type=Path, default=None, help="keep the server's stderr in this file")
    ap.add_argument("--processes", type=int, default=None,
                    help="N app processes behind HAProxy, scenarios in PostgreSQL, protocol sessions through the proxy, "
                         "one process killed halfway (benchmarks/load_cluster.py); short: 2 processes, 10 sessions, 20 s")
    ap.add_argument("--no-kill", action="store_true", help="with --processes: do not kill a process")
    args = ap.parse_args(argv)
    if args.processes is not None:
        return _main_cluster(args)
    sessions = args.sessions or (5 if args.short else 20)
    browser = args.browser_sessions if args.browser_sessions is not None else (2 if args.short else 0)
    duration = args.duration or (25.0 if args.short else 120.0)
    report = run(sessions, browser, duration, tuple(args.think), args.pages_per_browser, args.seed, args.short,
                 server_log=args.server_log)
    print(table(report))
    if args.json:
        args.json.write_text(json.dumps(report, indent=2))
    if args.short:
        return 0 if report["errors"] == 0 else 1
    return 0 if all(t["ok"] for t in report["targets"].values()) else 1


def _main_cluster(args: argparse.Namespace) -> int:
    from benchmarks import load_cluster as LC
    from dashboard.serve.pg import PgUnavailable
    from dashboard.serve.proxy import ProxyUnavailable

    n = max(1, min(args.processes, 8))
    sessions = min(args.sessions or (10 if args.short else 50), MAX_SESSIONS)
    duration = min(args.duration or (20.0 if args.short else 90.0), MAX_DURATION_S)
    try:
        report = LC.run(n, sessions, duration, tuple(args.think), args.seed, kill=not args.no_kill, short=args.short)
    except (ProxyUnavailable, PgUnavailable) as e:
        print(f"load: {e}", file=sys.stderr)
        return 3
    print(LC.table(report))
    if args.json:
        LC.dump(report, args.json)
    judged = ("no_errors", "killed_sessions_reconnected", "scenarios_intact") if args.short else tuple(report["targets"])
    return 0 if all(t["ok"] for k, t in report["targets"].items() if k in judged) else 1


if __name__ == "__main__":
    sys.exit(main())

