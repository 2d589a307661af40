"""N app processes behind HAProxy on one machine, sharing one scenario database (``make serve N=2``).

Every process is the same ``streamlit run dashboard/app.py`` with the repository's .streamlit/config.toml (so
the same security settings), bound to 127.0.0.1 on its own port; only the proxy's port is for users. They
share:
- the scenario store: ``ATLAS_DB_URL`` (PostgreSQL), so a scenario saved through one process is seen by all
  and the store's compare-and-swap keeps concurrent saves safe across processes;
- one cookie secret (``server.cookieSecret``, passed in the environment, never on a command line), so the
  XSRF cookie a browser got from one process is valid on the process it fails over to.
Data, boundaries and figures are read-only and cached in each process.
"""

from __future__ import annotations

import os
import secrets
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from dashboard.serve import proxy

ROOT = Path(__file__).resolve().parents[2]
APP = ROOT / "dashboard" / "app.py"
HEALTH = "/_stcore/health"
# glibc gives each thread that allocates its own malloc arena (up to 8 per core) and rarely returns their
# memory; Streamlit runs every session's script in a new thread, so a process kept growing after sessions had
# closed (benchmarks/PROFILE.md, "memory"). Two arenas keep that bounded at no measurable CPU cost here.
MALLOC_ENV = {"MALLOC_ARENA_MAX": "2"}


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def healthy(url: str, timeout: float = 2.0) -> bool:
    if not url.startswith("http://127.0.0.1:"):  # loopback only: the processes and the proxy bind there
        raise ValueError(f"not a loopback URL: {url}")
    try:
        with urllib.request.urlopen(url, timeout=timeout) as r:  # noqa: S310 (checked above)
            return r.status == 200
    except OSError:
        return False


def wait_healthy(url: str, proc: subprocess.Popen | None = None, timeout: float = 90.0) -> None:
    deadline = time.time() + timeout
    while time.time() < deadline:
        if healthy(url):
            return
        if proc is not None and proc.poll() is not None:
            raise RuntimeError(f"{url}: the process exited with {proc.returncode}")
        time.sleep(0.2)
    raise RuntimeError(f"{url} did not become healthy in {timeout:.0f} s")


def start_app(port: int, env: dict[str, str], extra: Sequence[str] = (), stderr: Any = subprocess.DEVNULL) -> subprocess.Popen:
    cmd = [sys.executable, "-m", "streamlit", "run", str(APP), "--server.address", "127.0.0.1",
           "--server.port", str(port), "--server.headless", "true", "--browser.gatherUsageStats", "false", *extra]
    return subprocess.Popen(cmd, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=stderr,
                            env={**MALLOC_ENV, **os.environ, "PYTHONPATH": str(ROOT), **env})  # a MALLOC_ARENA_MAX already set wins


def stop_proc(proc: subprocess.Popen, timeout: float = 10.0) -> None:
    """Terminate one process this module started (never by name)."""
    if proc.poll() is None:
        proc.terminate()
        try:
            proc.wait(timeout)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(5)


@dataclass
class Cluster:
    port: int
    app_ports: list[int]
    apps: list[subprocess.Popen]
    proxy: subprocess.Popen
    folder: Path
    env: dict[str, str] = field(default_factory=dict)
    extra: tuple[str, ...] = ()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/"

    def kill(self, i: int) -> None:
        """Kill app process ``i`` as a crash would (SIGKILL: no cleanup, sockets reset)."""
        self.apps[i].send_signal(signal.SIGKILL)
        self.apps[i].wait(10)

    def stop(self) -> None:
        stop_proc(self.proxy)
        for p in self.apps:
            stop_proc(p)


def start(processes: int, port: int, folder: Path, db_url: str | None, *, extra: Sequence[str] = (),
          app_stderr: Any = subprocess.DEVNULL, proxy_stderr: Any = subprocess.DEVNULL) -> Cluster:
    """Start ``processes`` apps and the proxy in front of them; wait until the proxy answers healthy.
    Raises proxy.ProxyUnavailable (one line) when the proxy cannot run; nothing is left running then."""
    proxy.binary()  # fail before starting anything
    if not proxy.port_free(port):
        raise proxy.ProxyUnavailable(f"port {port} on 127.0.0.1 is taken: choose another with PORT=... "
                                     "(or stop what uses it)")
    env = {"STREAMLIT_SERVER_COOKIE_SECRET": secrets.token_hex(32)}
    if db_url:
        env["ATLAS_DB_URL"] = db_url
    ports = [free_port() for _ in range(processes)]
    errs = app_stderr if isinstance(app_stderr, list) else [app_stderr] * processes  # one file each, or one for all
    apps = [start_app(p, env, extra, err) for p, err in zip(ports, errs, strict=True)]
    try:
        for p, proc in zip(ports, apps, strict=True):
            wait_healthy(f"http://127.0.0.1:{p}{HEALTH}", proc)
        px = proxy.start(proxy.config(ports, port), folder, port, stderr=proxy_stderr)
    except BaseException:
        for proc in apps:
            stop_proc(proc)
        raise
    cluster = Cluster(port, ports, apps, px, folder, env, tuple(extra))
    try:
        wait_healthy(f"http://127.0.0.1:{port}{HEALTH}", px, timeout=30)
    except BaseException:
        cluster.stop()
        raise
    return cluster
