"""The answer at a glance, in headless Debian Chromium (issue 11): on Explore, before anything else, one row
per city; for a foreign profile the K-visa answer and every city's work-permit class with points are inside
the first screen (1440x900) in English and Chinese; at 390 px the rows are still there and nothing scrolls
sideways. Offline: no request leaves the machine."""

from __future__ import annotations

import re
import tempfile
from pathlib import Path

import pytest

from tests.conftest import CHROMIUM, CHROMIUM_ARGS

pytestmark = pytest.mark.e2e
LOCAL = re.compile(r"^(https?|wss?)://(127\.0\.0\.1|localhost|\[::1\])(:\d+)?/")
SHOTS = Path(tempfile.gettempdir()) / "atlas-e2e"
WORDS = {"en": ("K visa", "Work permit", "Sure"), "zh": ("K字签证", "工作许可", "确定")}


@pytest.fixture(scope="module")
def browser():
    pw = pytest.importorskip("playwright.sync_api")
    with pw.sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield b
        b.close()


def _open(browser, url: str, width: int, height: int, external: list[str]):
    page = browser.new_page(viewport={"width": width, "height": height})
    page.on("request", lambda r: None if LOCAL.match(r.url) or r.url.startswith(("data:", "blob:", "about:"))
            else external.append(r.url))
    page.goto(url, wait_until="domcontentloaded")
    page.wait_for_selector('[data-testid="stApp"]', timeout=90_000)
    page.wait_for_function("() => !document.querySelector('[data-testid=\"stStatusWidget\"]') && "
                           "document.querySelectorAll('[class*=\"st-key-ans_\"]').length >= 5", timeout=90_000)
    page.wait_for_timeout(500)
    return page


def _visible_in_first_screen(page, text: str, height: int) -> bool:
    """Some element containing ``text`` has its top inside the first screen (no scrolling)."""
    return bool(page.evaluate("""([text, h]) => Array.from(document.querySelectorAll('[data-testid="stMarkdownContainer"]'))
        .some(el => el.innerText.includes(text) && el.getBoundingClientRect().top >= 0
                    && el.getBoundingClientRect().bottom <= h)""", [text, height]))


def _rows(page) -> list[dict]:
    """The answer rows' boxes and texts in one call (a busy page answers one evaluate faster than many locators)."""
    return page.evaluate("""() => Array.from(document.querySelectorAll('[class*="st-key-ans_"]')).map(el => {
        const r = el.getBoundingClientRect();
        return {x: r.x, y: r.y, w: r.width, h: r.height, text: el.innerText,
                plan: el.querySelectorAll('a[href*="pcity="]').length};
    })""")


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_k_visa_and_permits_in_the_first_screen(app_url: str, browser, lang: str) -> None:
    SHOTS.mkdir(exist_ok=True)
    external: list[str] = []
    page = _open(browser, f"{app_url}?preset=k_visa_talent&lang={lang}", 1440, 900, external)
    k, permit, sure = WORDS[lang]
    assert _visible_in_first_screen(page, k, 900), "K-visa answer below the first screen"
    rows = _rows(page)
    assert len(rows) == 5
    for i, row in enumerate(rows):
        assert row["y"] + row["h"] <= 900, f"answer row {i + 1} below the first screen"
        assert permit in row["text"] and sure in row["text"]
        assert re.search(r"\d+(–\d+)?", row["text"])  # the points
    # the answer comes before the map
    plot_y = page.evaluate("() => { const p = document.querySelector('.js-plotly-plot'); "
                           "return p ? p.getBoundingClientRect().y : null; }")
    assert plot_y is None or plot_y > rows[0]["y"]
    page.screenshot(path=str(SHOTS / f"answer-{lang}-1440.png"))
    assert not external, external
    page.close()


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_answer_rows_at_phone_width(app_url: str, browser, lang: str) -> None:
    external: list[str] = []
    page = _open(browser, f"{app_url}?preset=graduate&lang={lang}", 390, 844, external)
    rows = _rows(page)
    assert len(rows) == 5
    width = page.evaluate("() => document.documentElement.clientWidth")
    for i, row in enumerate(rows):
        assert row["x"] >= 0 and row["x"] + row["w"] <= width + 1, (i, row, width)
    assert all(row["plan"] == 1 for row in rows)  # each first step opens the Plan on that city
    page.screenshot(path=str(SHOTS / f"answer-{lang}-390.png"))
    assert not external, external
    page.close()
