"""The web UI in a real browser: Debian's chromium driven by Playwright against the real
server (waitress, see the live_server fixture) on 127.0.0.1.

These tests never skip: without /usr/bin/chromium they fail and say how to install it.
UPDATE_SCREENSHOT=1 also copies the screenshots of the results page, an article page and the
phone layout to docs/screenshot.png, docs/article.png and docs/phone.png.
"""
from __future__ import annotations

import csv
import io
import json
import os
import re
import shutil
import urllib.request
from pathlib import Path
from urllib.parse import quote

import pytest

pytestmark = pytest.mark.browser

ROOT = Path(__file__).resolve().parent.parent


def api(base: str, path: str) -> dict:
    with urllib.request.urlopen(base + path, timeout=30) as resp:
        return json.load(resp)


def total_on(pg) -> int:
    return int(pg.locator(".summary .total").inner_text())


def test_search_from_the_box(page, live_server):
    page.goto(live_server + "/")
    page.fill("input[name=q]", "签约")
    with page.expect_navigation():
        page.press("input[name=q]", "Enter")
    assert "q=%E7%AD%BE%E7%BA%A6" in page.url
    assert "from=" not in page.url and "to=" not in page.url          # empty fields left out
    expected = api(live_server, "/api/search?q=" + quote("签约"))["total"]
    assert expected > 1 and total_on(page) == expected
    assert page.locator("article.hit").count() == min(expected, 20)
    assert "条结果" in page.locator(".summary").inner_text() and "用时" in page.locator(".summary").inner_text()


def test_matches_are_marked(page, live_server):
    page.goto(live_server + "/?q=" + quote("签约"))
    marks = page.locator("article.hit mark")
    assert marks.count() >= 2
    assert set(marks.all_inner_texts()) == {"签约"}
    bg = marks.first.evaluate("m => getComputedStyle(m).backgroundColor")
    assert bg not in ("rgba(0, 0, 0, 0)", "transparent")              # visibly highlighted


def test_ticking_a_district_changes_counts_and_hits(page, live_server):
    page.goto(live_server + "/?q=" + quote("签约"))
    before_total = total_on(page)
    before_titles = page.locator(".hit-title").all_inner_texts()
    row = page.locator('.facet[data-facet="district"] li', has=page.locator('input[value="惠济区"]'))
    count = int(row.locator(".fv-count").inner_text())
    before_types = page.locator('.facet[data-facet="type"] .fv-count').all_inner_texts()
    assert 0 < count < before_total
    with page.expect_navigation():
        row.locator("input[type=checkbox]").check()                  # app.js submits on change
    assert "district=%E6%83%A0%E6%B5%8E%E5%8C%BA" in page.url
    assert total_on(page) == count
    assert page.locator("article.hit").count() == count
    assert set(page.locator(".hit .m-district").all_inner_texts()) == {"惠济区"}
    assert page.locator(".hit-title").all_inner_texts() != before_titles
    assert page.locator('.facet[data-facet="type"] .fv-count').all_inner_texts() != before_types
    assert page.locator('.facet[data-facet="district"] input[value="惠济区"]').is_checked()
    # the chip removes the filter again
    with page.expect_navigation():
        page.locator(".chip-include").first.click()
    assert total_on(page) == before_total


def test_excluding_a_value(page, live_server):
    page.goto(live_server + "/?q=" + quote("签约"))
    total = total_on(page)
    row = page.locator('.facet[data-facet="district"] li', has=page.locator('input[value="惠济区"]'))
    count = int(row.locator(".fv-count").inner_text())
    row.hover()
    with page.expect_navigation():
        row.locator(".fv-exclude").click()
    assert total_on(page) == total - count
    assert "惠济区" not in page.locator(".hit .m-district").all_inner_texts()
    assert page.locator(".chip-exclude").inner_text().startswith("排除区县")


def test_timeline_bar_filters_to_its_period(page, live_server):
    page.goto(live_server + "/")
    bar = page.locator("svg.timeline a.period").first
    period = bar.get_attribute("data-period")
    n = int(re.search(r"：(\d+) 条", bar.locator("title").text_content()).group(1))
    with page.expect_navigation():
        bar.locator("rect.bar").click()
    assert f"from={period}" in page.url and f"to={period}" in page.url
    assert total_on(page) == n


def test_show_more_reveals_long_facet_lists(page, live_server):
    page.goto(live_server + "/")
    more = page.locator(".facet-more").first
    if more.count() == 0:
        pytest.fail("the seed index should have a facet with more than 8 values (reporters)")
    hidden = more.locator(".facet-value").first
    assert not hidden.is_visible()
    more.locator("summary").click()
    assert hidden.is_visible()


def test_open_article_and_step_through_matches(page, live_server):
    page.goto(live_server + "/?q=" + quote("开门红"))
    with page.expect_navigation():
        page.locator(".hit-title a").first.click()
    assert "/articles/" in page.url
    marks = page.locator(".article-body mark")
    n = marks.count()
    assert n >= 2
    assert int(page.locator("#match-nav").get_attribute("data-count")) == n
    page.click("#match-next")
    assert page.url.endswith("#m1")
    assert "current" in marks.nth(0).get_attribute("class")
    assert page.locator(".match-pos").inner_text() == f"（第 1 / {n} 处）"
    page.click("#match-next")
    assert "current" in marks.nth(1).get_attribute("class")
    assert "current" not in marks.nth(0).get_attribute("class")
    assert page.url.endswith("#m2")
    assert marks.nth(1).is_visible()
    page.click("#match-prev")
    assert "current" in marks.nth(0).get_attribute("class")
    page.keyboard.press("p")                                           # wraps to the last match
    assert "current" in marks.nth(n - 1).get_attribute("class")
    # metadata and the way back keep the query
    assert "来源文件" in page.locator(".meta-table").inner_text()
    with page.expect_navigation():
        page.click("#back-to-results")
    assert page.locator("input[name=q]").input_value() == "开门红"


def test_download_csv_of_the_whole_result_set(page, live_server, tmp_path):
    page.goto(live_server + "/?q=" + quote("惠济区") + "&size=5")
    total = total_on(page)
    assert total > 5                                                   # more than one page
    with page.expect_download() as info:
        page.click("text=导出 CSV")
    path = tmp_path / "export.csv"
    info.value.save_as(path)
    data = path.read_bytes()
    assert data.startswith(b"\xef\xbb\xbf")                            # BOM for Excel
    rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))
    assert rows[0][:4] == ["编号", "日期", "区县", "标题"]
    assert len(rows) == total + 1
    titles = {r[3] for r in rows[1:]}
    assert all(t in titles for t in page.locator(".hit-title").all_inner_texts() if t != "（无标题图片新闻）")


def test_works_without_javascript(browser, live_server):
    context = browser.new_context(java_script_enabled=False, viewport={"width": 1280, "height": 900})
    pg = context.new_page()
    try:
        pg.goto(live_server + "/?q=" + quote("签约"))
        row = pg.locator('.facet[data-facet="district"] li', has=pg.locator('input[value="惠济区"]'))
        count = int(row.locator(".fv-count").inner_text())
        row.locator("input[type=checkbox]").check()
        assert pg.locator(".apply-filters").is_visible()
        with pg.expect_navigation():
            pg.click(".apply-filters")
        assert total_on(pg) == count
        # match navigation falls back to anchors
        with pg.expect_navigation():
            pg.locator(".hit-title a").first.click()
        assert pg.locator("#match-next").get_attribute("href") == "#m1"
    finally:
        context.close()


def _keep_screenshot(shot: Path, name: str) -> None:
    data = shot.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n" and len(data) > 30_000
    if os.environ.get("UPDATE_SCREENSHOT") == "1":
        target = ROOT / "docs" / name
        target.parent.mkdir(exist_ok=True)
        shutil.copyfile(shot, target)


def test_results_page_screenshot(page, live_server, tmp_path):
    page.set_viewport_size({"width": 1280, "height": 960})
    page.goto(live_server + "/?q=" + quote("项目"))
    page.locator("article.hit").first.wait_for()
    assert page.locator("svg.timeline").is_visible() and page.locator(".facet-value").count() > 8
    page.evaluate("document.fonts.ready")
    shot = tmp_path / "screenshot.png"
    page.screenshot(path=str(shot), full_page=False)
    _keep_screenshot(shot, "screenshot.png")


def test_article_page_screenshot(page, live_server, tmp_path):
    page.set_viewport_size({"width": 1280, "height": 960})
    hit = api(live_server, "/api/search?q=" + quote("开门红"))["hits"][0]
    page.goto(live_server + f"/articles/{hit['id']}?q=" + quote("开门红"))
    assert page.locator(".article-meta").is_visible() and page.locator(".page-articles").is_visible()
    assert page.locator(".result-steps").is_visible()
    page.click("#match-next")
    page.evaluate("window.scrollTo(0, 0)")
    page.evaluate("document.fonts.ready")
    shot = tmp_path / "article.png"
    page.screenshot(path=str(shot), full_page=False)
    _keep_screenshot(shot, "article.png")


def test_phone_layout_screenshot(browser, live_server, tmp_path):
    context = browser.new_context(viewport={"width": 390, "height": 844}, locale="zh-CN", is_mobile=True,
                                  device_scale_factor=2)
    pg = context.new_page()
    try:
        pg.goto(live_server + "/?q=" + quote("项目"))
        pg.locator(".filter-toggle").click()                 # the filter drawer, open
        assert pg.locator('.facet[data-facet="district"]').is_visible()
        pg.evaluate("document.fonts.ready")
        shot = tmp_path / "phone.png"
        pg.screenshot(path=str(shot), full_page=False)
        _keep_screenshot(shot, "phone.png")
    finally:
        context.close()
