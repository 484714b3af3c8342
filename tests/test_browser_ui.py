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


# ---------------------------------------------------------------- 6. the date range applies on change

def test_date_range_applies_on_change_and_keeps_a_visible_button(page, live_server):
    page.goto(live_server + "/?q=" + quote("惠济区"))
    assert page.locator(".apply-filters").is_visible()                  # JS on: still a button
    page.fill("input[name=from]", "2023")
    with page.expect_navigation():
        page.locator("input[name=to]").focus()                          # leaving the field applies it
    assert "from=2023" in page.url
    expected = api(live_server, "/api/search?from=2023&q=" + quote("惠济区"))["total"]
    assert int(page.locator(".summary .total").inner_text()) == expected
    page.fill("input[name=to]", "2023-12")
    with page.expect_navigation():
        page.click(".apply-filters")
    assert "to=2023-12" in page.url


# ---------------------------------------------------------------- 11. 排除 is visible, and not on a ticked value

def test_exclude_is_visible_without_hover_and_not_offered_on_a_ticked_value(page, live_server):
    page.goto(live_server + "/?q=" + quote("签约"))
    page.mouse.move(900, 10)                                            # nowhere near the sidebar
    rows = page.locator('.facet[data-facet="district"] li.facet-value')
    assert rows.count() > 1
    assert rows.first.locator(".fv-exclude").is_visible()
    color = rows.first.locator(".fv-exclude").evaluate("e => getComputedStyle(e).opacity")
    assert float(color) >= 0.6
    with page.expect_navigation():
        rows.first.locator("input[type=checkbox]").check()
    ticked = page.locator('.facet[data-facet="district"] li.facet-value.selected')
    assert ticked.count() == 1
    assert ticked.locator(".fv-exclude").count() == 0


# ---------------------------------------------------------------- 9. phone width

@pytest.fixture
def phone(browser, live_server):
    context = browser.new_context(viewport=PHONE, locale="zh-CN", is_mobile=True, has_touch=True,
                                  device_scale_factor=2)
    pg = context.new_page()
    errors: list[str] = []
    pg.on("pageerror", lambda e: errors.append(str(e)))
    pg.set_default_timeout(15_000)
    yield pg
    context.close()
    assert errors == []


def test_phone_reaches_the_filters_from_the_top(phone, live_server):
    phone.goto(live_server + "/?q=" + quote("签约"))
    first_hit = phone.locator("article.hit").first.bounding_box()
    toggle = phone.locator(".filter-toggle")
    assert toggle.is_visible() and toggle.bounding_box()["y"] < first_hit["y"]
    toggle.click()
    box = phone.locator('.facet[data-facet="district"] input[type=checkbox]').first
    assert box.is_visible()
    assert box.bounding_box()["y"] < phone.locator("article.hit").first.bounding_box()["y"]
    with phone.expect_navigation():
        box.check()
    assert "district=" in phone.url


def test_phone_timeline_labels_are_readable(phone, live_server):
    phone.goto(live_server + "/?from=2022&to=2022")                     # a month view: 12 bars
    heights = phone.locator("svg.timeline text.label").evaluate_all(
        "els => els.map(e => e.getBoundingClientRect().height)")
    assert len(heights) == 12 and min(heights) >= 12, heights


def test_phone_article_shows_its_metadata_before_the_text(phone, live_server):
    hit = api(live_server, "/api/search?q=" + quote("开门红"))["hits"][0]
    phone.goto(live_server + "/articles/" + hit["id"] + "?q=" + quote("开门红"))
    meta = phone.locator(".article-meta")
    body = phone.locator(".article-body")
    assert meta.is_visible() and meta.bounding_box()["y"] < body.bounding_box()["y"]
    text = meta.inner_text()
    assert hit["date"] in text and hit["district"] in text
    assert all(name in text for name in hit["reporters"])


# ---------------------------------------------------------------- 5. advice when nothing is found

def test_no_hit_advice_is_links_that_find_something(page, live_server):
    page.goto(live_server + "/?q=" + quote("惠济区经济运行分析会议"))
    assert int(page.locator(".summary .total").inner_text()) == 0
    links = page.locator(".empty .suggestions a")
    assert links.count() >= 2
    assert page.locator(".notice", has_text="空格").count() == 0            # no plain-text advice
    urls = [a.get_attribute("href") for a in links.all()]
    counts = [int(c) for c in page.locator(".empty .suggestions .fv-count").evaluate_all(
        "els => els.map(e => parseInt(e.textContent))")]
    for url, count in zip(urls, counts):
        page.goto(live_server + url)
        assert int(page.locator(".summary .total").inner_text()) == count > 0, url


def test_no_hit_with_a_filter_names_the_filter(page, live_server):
    page.goto(live_server + "/?q=" + quote("签约") + "&from=1990&to=1991")
    empty = page.locator(".empty")
    text = empty.inner_text()
    assert "没有找到包含“签约”的文章" not in text                           # several do, outside the filter
    unfiltered = api(live_server, "/api/search?q=" + quote("签约"))["total"]
    assert f"不加筛选有 {unfiltered} 篇" in text and "日期" in text
    assert empty.locator(".empty-cause").inner_text().count("日期") == 1


# ---------------------------------------------------------------- 14. the source path wraps between names

def test_source_path_wraps_only_between_names(page, live_server):
    hit = api(live_server, "/api/search?q=" + quote("开门红"))["hits"][0]
    page.goto(live_server + f"/articles/{hit['id']}")
    code = page.locator(".meta-table dd.source code")
    assert code.inner_text().replace("\n", "") == hit["source"] or hit["source"].endswith(code.inner_text())
    # the lines of the file name (the last text node): one line, however narrow the column
    tops = code.evaluate("""c => { const t = [...c.childNodes].filter(n => n.nodeType === 3).pop();
        const r = document.createRange(); r.selectNodeContents(t);
        return [...new Set([...r.getClientRects()].map(x => Math.round(x.top)))]; }""")
    assert len(tops) == 1, tops
