"""What a journalist meets on a first day with the web page (issue 11), in Debian's chromium
driven by Playwright against the real app under waitress (fixtures in conftest.py)."""
from __future__ import annotations

import json
import urllib.request
from urllib.parse import quote

import pytest

pytestmark = pytest.mark.browser

PHONE = {"width": 390, "height": 844}


def api(base: str, path: str) -> dict:
    with urllib.request.urlopen(base + path, timeout=30) as resp:
        return json.load(resp)


def first_ids(pg, n: int = 3) -> list[str]:
    return pg.locator("article.hit").evaluate_all(f"els => els.slice(0, {n}).map(e => e.dataset.id)")


# ---------------------------------------------------------------- 1. a typed query is ranked by relevance

def test_a_query_typed_on_the_home_page_is_ranked_by_relevance(page, live_server):
    page.goto(live_server + "/")
    assert page.locator("select[name=sort] option:checked").inner_text() == "最新"   # browsing: newest
    page.fill("input[name=q]", "惠济区")
    with page.expect_navigation():
        page.press("input[name=q]", "Enter")
    assert "sort=" not in page.url
    assert page.locator("select[name=sort] option:checked").inner_text() == "相关度"
    best = api(live_server, "/api/search?sort=relevance&q=" + quote("惠济区"))["hits"]
    newest = api(live_server, "/api/search?sort=newest&q=" + quote("惠济区"))["hits"]
    assert [h["id"] for h in best[:3]] != [h["id"] for h in newest[:3]]       # the order matters here
    assert first_ids(page) == [h["id"] for h in best[:3]]


def test_a_chosen_sort_is_kept_while_refining(page, live_server):
    page.goto(live_server + "/?q=" + quote("惠济区"))
    with page.expect_navigation():
        page.select_option("select[name=sort]", label="最新")
    assert "sort=newest" in page.url
    page.fill("input[name=q]", "惠济区 疫情")
    with page.expect_navigation():
        page.press("input[name=q]", "Enter")
    assert "sort=newest" in page.url
    assert page.locator("select[name=sort] option:checked").inner_text() == "最新"
    # and browsing with a chosen 最早 keeps it when a query is typed
    page.goto(live_server + "/?sort=oldest")
    page.fill("input[name=q]", "惠济区")
    with page.expect_navigation():
        page.press("input[name=q]", "Enter")
    assert "sort=oldest" in page.url
