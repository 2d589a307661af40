"""``make serve`` pieces: the HAProxy configuration is valid and carries its limits, and a proxy that cannot
start (binary missing, port taken) says so in one line while nothing is left running."""

from __future__ import annotations

import socket
import subprocess
import sys
from pathlib import Path

import pytest

from dashboard.serve import cluster, proxy
from tests.conftest import ROOT


def test_config_has_stickiness_health_checks_and_limits() -> None:
    cfg = proxy.config([8601, 8602], 8600)
    assert "bind 127.0.0.1:8600" in cfg
    assert "server app1 127.0.0.1:8601 cookie app1" in cfg and "server app2 127.0.0.1:8602 cookie app2" in cfg
    assert f"cookie {proxy.COOKIE} insert" in cfg and "option redispatch" in cfg
    assert "option httpchk GET /_stcore/health" in cfg
    assert f"gt {proxy.MAX_BODY_BYTES}" in cfg and "timeout http-request 10s" in cfg and "timeout tunnel 1h" in cfg
    # every setting line in the generated sections explains itself, or is self-evident plumbing
    for line in cfg.splitlines():
        s = line.strip()
        if s.startswith(("timeout", "maxconn", "retries", "balance")):
            assert "#" in s, s


def test_haproxy_accepts_the_config(tmp_path: Path) -> None:
    try:
        exe = proxy.binary()
    except proxy.ProxyUnavailable as e:
        pytest.skip(str(e))
    cfg = tmp_path / "haproxy.cfg"
    cfg.write_text(proxy.config([8601, 8602], 8600))
    out = subprocess.run([exe, "-c", "-f", str(cfg)], capture_output=True, text=True, timeout=30)
    assert out.returncode == 0, out.stderr


def test_missing_binary_is_one_clear_line(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(proxy.shutil, "which", lambda name: None)
    monkeypatch.setattr(proxy, "Path", lambda p: Path("/nonexistent/haproxy"))
    with pytest.raises(proxy.ProxyUnavailable, match="haproxy not found: install the Debian package 'haproxy'"):
        proxy.binary()
    with pytest.raises(proxy.ProxyUnavailable):  # the cluster checks before starting any app process
        cluster.start(2, 1, Path("/tmp/unused"), None)


def test_taken_port_is_one_clear_line_and_exit_1() -> None:
    try:
        proxy.binary()
    except proxy.ProxyUnavailable as e:
        pytest.skip(str(e))
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        s.listen()
        port = s.getsockname()[1]
        out = subprocess.run([sys.executable, "-m", "dashboard.serve", "--processes", "1", "--port", str(port)],
                             cwd=ROOT, capture_output=True, text=True, timeout=60)
    assert out.returncode == 1
    lines = [ln for ln in out.stderr.splitlines() if ln.strip()]
    assert lines == [f"serve: port {port} on 127.0.0.1 is taken: choose another with PORT=... (or stop what uses it)"]
