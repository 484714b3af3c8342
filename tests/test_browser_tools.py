"""The investigation tools in a real browser (Debian's chromium via Playwright, the real app
under waitress): the keyword-in-context tab and the batch search page.

Like tests/test_browser.py these never skip (the browser and page fixtures of conftest.py): without /usr/bin/chromium they fail and say how
to install it.
"""
from __future__ import annotations

import csv
import io
import json
import urllib.request
from urllib.parse import quote

import pytest

pytestmark = pytest.mark.browser

def api(base: str, path: str) -> dict:
    with urllib.request.urlopen(base + path, timeout=30) as resp:
        return json.load(resp)


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


# --------------------------------------------------------------------------- batch

def test_batch_paste_filter_follow_and_export(page, live_server, tmp_path):
    names = ["惠济区", "签约", "魏东", "不存在的名字"]
    page.goto(live_server + "/batch")
    page.fill("textarea[name=lines]", "\n".join(names + ["，，"]))
    page.select_option("select[name=district]", "惠济区")
    with page.expect_navigation():
        page.click("button:has-text('批量搜索')")
    expected = [api(live_server, "/api/search?size=1&district=" + quote("惠济区") + "&q=" + quote(n))["total"]
                for n in names]
    got = [int(t) for t in page.locator(".batch-row .b-total").all_inner_texts()]
    assert got == expected and any(expected) and 0 in expected
    assert "没有可搜索的文字" in page.locator(".batch-problems").inner_text()
    assert page.locator("select[name=district]").input_value() == "惠济区"      # kept for the next run
    # the export repeats the same batch, every line
    with page.expect_download() as info:
        page.click("button:has-text('导出 CSV')")
    path = tmp_path / "batch.csv"
    info.value.save_as(path)
    rows = list(csv.reader(io.StringIO(path.read_bytes().decode("utf-8-sig"))))
    assert [int(r[2]) for r in rows[1:len(names) + 1]] == expected
    # a line's link opens its search with the same filters and the same total
    with page.expect_navigation():
        page.locator(".batch-row .b-query a").first.click()
    assert int(page.locator(".summary .total").inner_text()) == expected[0]
    assert "district=" in page.url


def test_batch_upload_a_file(page, live_server, tmp_path):
    f = tmp_path / "names.csv"
    f.write_bytes("名字,备注\n签约,甲\n魏东,乙\n".encode("gb18030"))
    page.goto(live_server + "/batch")
    page.set_input_files("input[name=file]", str(f))
    page.check("input[name=header]")
    with page.expect_navigation():
        page.click("button:has-text('批量搜索')")
    expected = [api(live_server, "/api/search?size=1&q=" + quote(n))["total"] for n in ("签约", "魏东")]
    assert [int(t) for t in page.locator(".batch-row .b-total").all_inner_texts()] == expected
    assert "names.csv" in page.locator(".notice").first.inner_text()
    assert page.locator("textarea[name=lines]").input_value() == "签约\n魏东"
