"""One browser check in headless Debian Chromium: the Plan page renders its date-ordered list and the item
cards, and the Timeline page draws its figure; no request leaves the machine."""

from __future__ import annotations

import re
import tempfile
from pathlib import Path

import pytest

from tests.conftest import CHROMIUM, CHROMIUM_ARGS

pytestmark = pytest.mark.e2e
LOCAL = re.compile(r"^(https?|wss?)://(127\.0\.0\.1|localhost|\[::1\])(:\d+)?/")
SHOTS = Path(tempfile.gettempdir()) / "atlas-e2e"


@pytest.fixture(scope="module")
def browser():
    pw = pytest.importorskip("playwright.sync_api")
    with pw.sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield b
        b.close()


def _settle(page, selector: str) -> None:
    page.wait_for_selector('[data-testid="stApp"]', timeout=60_000)
    page.wait_for_function("() => !document.querySelector('[data-testid=\"stStatusWidget\"]')", timeout=90_000)
    page.wait_for_selector(selector, timeout=90_000)
    page.wait_for_timeout(800)


def test_plan_and_timeline_render(app_url: str, browser) -> None:
    SHOTS.mkdir(exist_ok=True)
    external: list[str] = []
    page = browser.new_page(viewport={"width": 1440, "height": 1000})
    page.on("request", lambda r: None if LOCAL.match(r.url) or r.url.startswith(("data:", "blob:", "about:"))
            else external.append(r.url))

    page.goto(app_url + "plan?preset=k_visa_talent", wait_until="domcontentloaded")
    _settle(page, '[data-testid="stMain"] [data-testid="stExpander"] >> text=Apply for the K visa')
    body = page.inner_text("body")
    assert "Your plan: how to get it" in body and "Everything in date order" in body
    assert page.locator('[data-testid="stMain"] [data-testid="stExpander"]').count() >= 3
    assert "Apply for the K visa" in body
    card = page.locator('[data-testid="stMain"] [data-testid="stExpander"]').filter(has_text="Apply for the K visa").first
    card.locator("summary").click()
    page.wait_for_function("(d) => d.open", arg=card.locator("details").element_handle(), timeout=10_000)
    assert "Chinese embassy or consulate abroad" in card.inner_text()  # the procedure's place, now shown
    page.screenshot(path=str(SHOTS / "plan-en-1440.png"), full_page=True)

    page.goto(app_url + "timeline?preset=k_visa_talent&lang=zh", wait_until="domcontentloaded")
    _settle(page, '[data-testid="stMain"] .js-plotly-plot .scatterlayer .point')
    assert page.locator(".js-plotly-plot .scatterlayer .point").count() > 40
    body = page.inner_text("body")
    assert "政策时间线" in body and "2027-12-31" in body
    page.screenshot(path=str(SHOTS / "timeline-zh-1440.png"), full_page=True)
    page.close()
    assert external == [], f"requests left the machine: {external[:5]}"
