"""The investigation tools in a real browser (Debian's chromium via Playwright, the real app
under waitress): the keyword-in-context tab and the batch search page.

Like tests/test_browser.py these never skip: without /usr/bin/chromium they fail and say how
to install it.
"""
from __future__ import annotations

import csv
import io
import json
import urllib.request
from pathlib import Path
from urllib.parse import quote

import pytest

pytestmark = pytest.mark.browser

CHROMIUM = Path("/usr/bin/chromium")
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
        "--disable-component-update", "--disable-sync"]


def api(base: str, path: str) -> dict:
    with urllib.request.urlopen(base + path, timeout=30) as resp:
        return json.load(resp)


@pytest.fixture(scope="module")
def browser():
    if not CHROMIUM.exists():
        pytest.fail(f"chromium not found at {CHROMIUM}: install it with "
                    "`apt-get install chromium fonts-noto-cjk` (or `make browser`); the browser tests need it")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=ARGS)
        yield b
        b.close()


@pytest.fixture
def page(browser, live_server):
    """A fresh page; fails the test on any console error (CSP violations, JS errors)."""
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="zh-CN", accept_downloads=True)
    pg = context.new_page()
    errors: list[str] = []
    pg.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    pg.on("pageerror", lambda e: errors.append(str(e)))
    pg.set_default_timeout(15_000)
    yield pg
    context.close()
    assert errors == []


# --------------------------------------------------------------------------- KWIC

def test_kwic_tab_lines_order_and_jump_to_the_match(page, live_server, tmp_path):
    page.goto(live_server + "/?q=" + quote("惠济区") + "&district=" + quote("惠济区"))
    with page.expect_navigation():
        page.click("a.view-tab:has-text('关键词上下文')")
    assert "/kwic?" in page.url
    total = int(page.locator(".summary .total").inner_text())
    assert total > 5
    assert set(page.locator(".kwic-line .k-match").all_inner_texts()) == {"惠济区"}
    assert set(page.locator(".kwic-line .k-district").all_inner_texts()) == {"惠济区"}
    # right-context order: app.js submits on change
    with page.expect_navigation():
        page.select_option("select[name=order]", "right")
    assert "order=right" in page.url
    rights = page.locator(".kwic-line .k-right").all_inner_texts()
    assert rights == sorted(rights, key=lambda s: "".join(s.split()))
    # a narrower context
    page.fill("input[name=width]", "6")
    with page.expect_navigation():
        page.press("input[name=width]", "Enter")
    assert all(len(t) <= 6 for t in page.locator(".kwic-line .k-left").all_inner_texts())
    # the full export
    with page.expect_download() as info:
        page.click("text=导出 CSV")
    path = tmp_path / "kwic.csv"
    info.value.save_as(path)
    rows = list(csv.reader(io.StringIO(path.read_bytes().decode("utf-8-sig"))))
    assert len(rows) == total + 1
    # jump to the occurrence in the article
    link = page.locator(".kwic-line .k-match a[href*='#m']").first
    anchor = link.get_attribute("href").split("#")[1]
    with page.expect_navigation():
        link.click()
    assert "/articles/" in page.url and page.url.endswith("#" + anchor)
    mark = page.locator(f"mark#{anchor}")
    assert mark.inner_text() == "惠济区" and mark.is_visible()
