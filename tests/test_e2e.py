"""End to end in headless Debian Chromium: load, set a profile, see the map and the ranking, switch to
Chinese, open a shared URL and get the same ranking, and no request leaves the machine."""

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


def _page(browser, width: int, external: list[str]):
    page = browser.new_page(viewport={"width": width, "height": 1000 if width > 600 else 844})
    page.on("request", lambda r: None if LOCAL.match(r.url) or r.url.startswith(("data:", "blob:", "about:"))
            else external.append(r.url))
    return page


def _settle(page) -> None:
    page.wait_for_selector('[data-testid="stApp"]', timeout=60_000)
    page.wait_for_function("() => !document.querySelector('[data-testid=\"stStatusWidget\"]')", timeout=60_000)
    page.wait_for_selector(".js-plotly-plot .scattergeo", timeout=60_000)
    page.wait_for_timeout(800)


def _ranking_text(page) -> list[str]:
    """The city names on the ranking cards, in order (the h3 headings '1. Shenzhen')."""
    heads = page.locator('[data-testid="stMarkdownContainer"] h3').all_inner_texts()
    return [h.strip() for h in heads if re.match(r"^\d\.", h.strip())]


def test_journey_map_ranking_language_and_shared_url(app_url: str, browser) -> None:
    SHOTS.mkdir(exist_ok=True)
    external: list[str] = []
    page = _page(browser, 1440, external)
    page.goto(app_url + "?preset=phd_researcher&degree=phd&age=31&field=biotech&origin=returnee&salary=400000",
              wait_until="domcontentloaded")
    _settle(page)
    # map: city markers drawn (one scattergeo trace per city, with text labels)
    assert page.locator(".js-plotly-plot .scattergeo").count() >= 5
    ranking = _ranking_text(page)
    assert len(ranking) == 5, ranking
    page.screenshot(path=str(SHOTS / "explore-en-1440.png"), full_page=True)

    # a shared URL reproduces the same ranking in a fresh page
    shared = page.url
    other = _page(browser, 1440, external)
    other.goto(shared, wait_until="domcontentloaded")
    _settle(other)
    assert _ranking_text(other) == ranking
    other.close()

    # switch to Chinese: the title and the city names change
    page.get_by_text("中文", exact=True).first.click()
    page.wait_for_function("() => document.body.innerText.includes('去哪座城市')", timeout=60_000)
    _settle(page)
    zh = _ranking_text(page)
    assert any(name in " ".join(zh) for name in ("深圳", "上海", "北京", "杭州", "成都"))
    page.screenshot(path=str(SHOTS / "explore-zh-1440.png"), full_page=True)
    page.close()

    phone = _page(browser, 390, external)
    phone.goto(shared + "&lang=zh", wait_until="domcontentloaded")
    _settle(phone)
    phone.screenshot(path=str(SHOTS / "explore-zh-390.png"), full_page=True)
    phone.close()
    assert external == [], f"requests left the machine: {external[:5]}"


def test_bad_url_parameter_shows_notice(app_url: str, browser) -> None:
    external: list[str] = []
    page = _page(browser, 1024, external)
    page.goto(app_url + "?age=abc&lang=xx&<script>=1", wait_until="domcontentloaded")
    _settle(page)
    text = page.inner_text("body")
    assert "Ignored link parameter age=abc" in text
    assert "Ignored link parameter <script>=1" in text  # shown as text...
    assert page.locator('[data-testid="stSidebar"] script').count() == 0  # ...never as markup
    page.close()
    assert external == []
