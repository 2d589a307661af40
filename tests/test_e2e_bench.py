"""End to end for officials in headless Debian Chromium: open Benchmark, apply a what-if, see the rank
change, save, restart the server, open the scenario again, download the PDF brief."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from tests.conftest import CHROMIUM, CHROMIUM_ARGS, free_port, start_app, stop_app

pytestmark = pytest.mark.e2e
LOCAL = re.compile(r"^(https?|wss?)://(127\.0\.0\.1|localhost|\[::1\])(:\d+)?/")


def _settle(page, text: str | None = None) -> None:
    page.wait_for_selector('[data-testid="stApp"]', timeout=60_000)
    if text:
        page.wait_for_function(f"() => document.body.innerText.includes({text!r})", timeout=120_000)
    page.wait_for_timeout(300)
    page.wait_for_function("() => !document.querySelector('[data-testid=\"stStatusWidget\"]')", timeout=120_000)
    page.wait_for_timeout(500)


def _choose(page, label: str, option: str) -> None:
    """Streamlit's selectbox is a combobox input labelled like the widget; its options are role=option."""
    box = page.get_by_role("combobox", name=label, exact=True)
    for _attempt in range(3):  # the list can close again when a rerun lands between the two clicks
        box.click()
        opt = page.get_by_role("option", name=option, exact=True)
        try:
            opt.click(timeout=10_000)
            return
        except Exception:
            page.keyboard.press("Escape")
    opt.click(timeout=10_000)


def test_whatif_save_restart_reopen_pdf(tmp_path: Path) -> None:
    if not Path(CHROMIUM).exists():
        pytest.skip("Debian chromium not installed")
    pw = pytest.importorskip("playwright.sync_api")
    env = {"ATLAS_DB_PATH": str(tmp_path / "scenarios.sqlite3"), "ATLAS_DB_URL": ""}
    port = free_port()
    proc = start_app(port, env)
    external: list[str] = []
    try:
        with pw.sync_playwright() as p:
            browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
            page = browser.new_page(viewport={"width": 1440, "height": 1200}, accept_downloads=True)
            page.on("request", lambda r: None if LOCAL.match(r.url) or r.url.startswith(("data:", "blob:", "about:"))
                    else external.append(r.url))
            url = f"http://127.0.0.1:{port}/benchmark"
            page.goto(url)
            _settle(page, "gaps to the leader")
            body = page.inner_text("body")
            assert "Chengdu ranks first" in body  # for some archetypes already (status and pathway)
            before = body.count("Chengdu ranks first")
            # what-if: add a RMB 10,000,000 one-off living subsidy for bachelor's and above
            _choose(page, "Change", "Add an incentive from a template")
            amount = page.get_by_label("Amount (CNY)")
            amount.fill("10000000")
            page.get_by_role("button", name="Apply").click()
            page.wait_for_function(f"() => document.body.innerText.split('Chengdu ranks first').length - 1 > {before}",
                                   timeout=120_000)
            _settle(page)
            after = page.inner_text("body").count("Chengdu ranks first")
            assert after > before
            page.get_by_label("Scenario name").fill("e2e 10M")
            page.locator(".st-key-scen_save button").click()
            page.wait_for_function("() => document.body.innerText.includes('Saved e2e 10M')", timeout=60_000)
            browser.close()
        stop_app(proc)
        proc = start_app(port, env)  # a server restart: nothing but the database carries the scenario over
        with pw.sync_playwright() as p:
            browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
            page = browser.new_page(viewport={"width": 1440, "height": 1200}, accept_downloads=True)
            page.on("request", lambda r: None if LOCAL.match(r.url) or r.url.startswith(("data:", "blob:", "about:"))
                    else external.append(r.url))
            page.goto(f"http://127.0.0.1:{port}/benchmark")
            _settle(page, "gaps to the leader")
            assert page.inner_text("body").count("Chengdu ranks first") == before
            page.locator(".st-key-scen_open button").click()
            page.wait_for_function(f"() => document.body.innerText.split('Chengdu ranks first').length - 1 == {after}",
                                   timeout=120_000)
            page.get_by_role("link", name="Brief").click()
            _settle(page, "Prepare the files")
            page.locator(".st-key-brief_prepare button").click()
            pdf_button = page.locator(".st-key-brief_dl_brief button")
            pdf_button.wait_for(timeout=180_000)
            with page.expect_download(timeout=60_000) as dl:
                pdf_button.click()
            path = dl.value.path()
            assert Path(path).read_bytes()[:5] == b"%PDF-"
            assert "e2e-10m" in dl.value.suggested_filename.lower()
            browser.close()
    finally:
        stop_app(proc)
    assert external == [], external[:5]
