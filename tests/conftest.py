"""Shared fixtures: the shipped catalog, engine inputs, a running app server for browser tests."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest

from benchmarks import _common
from benchmarks._common import CHROMIUM, CHROMIUM_ARGS, free_port  # one definition for tests and benchmarks

ROOT = Path(__file__).resolve().parents[1]
TODAY = date(2026, 11, 23)       # the engine's "today" for golden outputs (graduation windows, instalments)
DATA_TODAY = date(2026, 12, 4)   # the shipped data is checked as of its newest retrieval (the official-text pass)
__all__ = ["CHROMIUM", "CHROMIUM_ARGS", "DATA_TODAY", "ROOT", "TODAY", "free_port", "start_app", "stop_app"]


@pytest.fixture(scope="session")
def catalog():
    from dashboard.catalog import load_catalog

    return load_catalog(today=DATA_TODAY)


@pytest.fixture(scope="session")
def inputs(catalog):
    from dashboard.engine.evaluate import inputs_from

    return inputs_from(catalog)


@pytest.fixture(scope="session")
def settings():
    from dashboard.engine.profile import Settings

    return Settings(today=TODAY)


def start_app(port: int, env: dict[str, str] | None = None):
    """The app on 127.0.0.1:port, healthy (benchmarks._common.start_app: its stderr never fills a pipe)."""
    return _common.start_app(port, env=env)


stop_app = _common.stop


@pytest.fixture(scope="session")
def app_url() -> Iterator[str]:
    if not Path(CHROMIUM).exists():
        pytest.skip("Debian chromium not installed (make test installs it as root)")
    port = free_port()
    proc = start_app(port)
    try:
        yield f"http://127.0.0.1:{port}/"
    finally:
        stop_app(proc)
