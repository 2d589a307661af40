"""What the page and load benchmarks share: a loopback app server, its memory, the browser, and how to tell
that a Streamlit page has finished drawing.

Nothing here leaves the machine: servers bind 127.0.0.1, the browser is Debian chromium
(never `playwright install`), and the app's own config forbids usage statistics.
"""

from __future__ import annotations

import os
import socket
import statistics
import subprocess
import sys
import time
import urllib.request
from collections.abc import Sequence
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
APP = ROOT / "dashboard" / "app.py"
FLOOR_APP = ROOT / "benchmarks" / "floor_app.py"
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync",
                 "--disable-renderer-backgrounding", "--disable-background-timer-throttling",
                 "--disable-backgrounding-occluded-windows"]

# The page is drawn when Streamlit's "running" widget is gone, no element is stale (left over from the
# previous run) and the map's city markers exist.
SETTLED_JS = """() => document.querySelector('[data-testid="stApp"]') !== null
  && !document.querySelector('[data-testid="stStatusWidget"]')
  && !document.querySelector('[data-stale="true"]')"""
MAP_JS = "() => document.querySelectorAll('.js-plotly-plot .scattergeo').length >= 1"
RANKING_JS = """() => Array.from(document.querySelectorAll('[data-testid="stMarkdownContainer"] h3'))
  .filter(h => /^\\d\\./.test(h.innerText.trim())).length >= 1"""


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def start_app(port: int, script: Path = APP, env: dict[str, str] | None = None,
              extra: Sequence[str] = (), stderr: Any = subprocess.DEVNULL) -> subprocess.Popen:
    """Start ``streamlit run script`` on 127.0.0.1:port and wait for /_stcore/health (tests/conftest pattern).

    ``stderr`` goes to a file or DEVNULL, never an unread pipe: a chatty server would block on a full pipe."""
    cmd = [sys.executable, "-m", "streamlit", "run", str(script), "--server.address", "127.0.0.1",
           "--server.port", str(port), "--server.headless", "true", "--browser.gatherUsageStats", "false", *extra]
    proc = subprocess.Popen(cmd, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=stderr,
                            env={**os.environ, "PYTHONPATH": str(ROOT), **(env or {})})
    deadline = time.time() + 60
    while time.time() < deadline:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/_stcore/health", timeout=2) as r:
                if r.status == 200:
                    return proc
        except OSError:
            time.sleep(0.1)
        if proc.poll() is not None:
            raise RuntimeError(f"app exited with {proc.returncode}")
    stop(proc)
    raise RuntimeError("app did not become healthy in 60 s")


def stop(proc: subprocess.Popen) -> None:
    """Terminate the one server this run started (never by name)."""
    if proc.poll() is None:
        proc.terminate()
        try:
            proc.wait(10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(5)


def rss_mb(pid: int) -> float:
    """Resident memory of one process in MB (psutil when installed, else /proc)."""
    try:
        import psutil  # type: ignore[import-not-found]

        return float(psutil.Process(pid).memory_info().rss) / 2**20
    except ImportError:
        pass
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    raise RuntimeError(f"no VmRSS for pid {pid}")


def cpu_seconds(pids: Sequence[int]) -> float:
    """User+system CPU seconds used so far by these processes (from /proc; 0 for a vanished one)."""
    tick = os.sysconf("SC_CLK_TCK")
    total = 0.0
    for pid in pids:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        total += (int(fields[11]) + int(fields[12])) / tick
    return total


def descendants(pid: int) -> list[int]:
    """Every process below ``pid`` (the browser's renderers, for client CPU accounting)."""
    kids: dict[int, list[int]] = {}
    for d in Path("/proc").iterdir():
        if not d.name.isdigit():
            continue
        try:
            ppid = int((d / "stat").read_text().rsplit(")", 1)[1].split()[1])
        except (OSError, IndexError, ValueError):
            continue
        kids.setdefault(ppid, []).append(int(d.name))
    out, todo = [], [pid]
    while todo:
        p = todo.pop()
        for c in kids.get(p, []):
            out.append(c)
            todo.append(c)
    return out


def pct(xs: Sequence[float], q: float) -> float:
    """The q-th percentile (nearest rank) of xs; NaN when empty."""
    if not xs:
        return float("nan")
    s = sorted(xs)
    k = max(0, min(len(s) - 1, round(q / 100 * len(s) + 0.5) - 1))
    return s[k]


def med(xs: Sequence[float]) -> float:
    return statistics.median(xs) if xs else float("nan")


def have_chromium() -> bool:
    if not Path(CHROMIUM).exists():
        return False
    try:
        import playwright  # noqa: F401
    except ImportError:
        return False
    return True
