"""Term trends and the 金额 panel in a real browser (Debian's chromium, Playwright, waitress).

UPDATE_SCREENSHOT=1 also copies the screenshots to docs/trends.png and docs/amounts.png.
"""
from __future__ import annotations

import os
import shutil
from pathlib import Path
from urllib.parse import quote

import pytest

pytestmark = pytest.mark.browser

ROOT = Path(__file__).resolve().parent.parent


def _keep(shot: Path, name: str) -> None:
    data = shot.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n" and len(data) > 20_000
    if os.environ.get("UPDATE_SCREENSHOT") == "1":
        (ROOT / "docs").mkdir(exist_ok=True)
        shutil.copyfile(shot, ROOT / "docs" / name)


def test_trend_chart_from_the_result_page(page, live_server, tmp_path):
    page.goto(live_server + "/?q=" + quote("项目"))
    page.get_by_role("link", name="比较趋势").click()
    page.wait_for_url("**/trends?**")
    assert page.locator("input[name=q]").first.input_value() == "项目"
    page.locator("input[name=q]").nth(1).fill("签约")
    page.locator("input[name=q]").nth(2).fill("开工 OR 投产")
    page.get_by_role("button", name="比较").click()
    chart = page.locator("svg.trend-chart")
    chart.wait_for()
    assert chart.locator("polyline").count() == 3
    # readable Chinese labels: the legend renders with real glyph widths (not tofu boxes)
    legend = chart.locator("g.legend text").nth(1)
    assert legend.text_content().startswith("签约")
    assert legend.bounding_box()["width"] > 20
    assert page.locator("table.trend-table tbody tr").count() >= 1
    point = chart.locator("a.point[data-series='1']").first
    period, count = point.get_attribute("data-period"), int(point.get_attribute("data-count"))
    page.evaluate("document.fonts.ready")
    page.screenshot(path=str(tmp_path / "trends.png"))
    _keep(tmp_path / "trends.png", "trends.png")
    point.focus()
    page.keyboard.press("Enter")
    page.wait_for_url("**/?**")
    assert page.locator("input.q").input_value() == "签约"
    assert int(page.locator(".summary .total").inner_text()) == count
    assert all(d.startswith(period) for d in page.locator("article.hit .m-date").all_inner_texts())


def test_amount_panel_opens_and_filters(page, live_server, tmp_path):
    page.goto(live_server + "/?q=" + quote("项目"))
    panel = page.locator("details.amount-panel")
    panel.locator("summary").click()
    rows = panel.locator("table[data-facet=district] tbody tr")
    assert rows.count() >= 2
    page.screenshot(path=str(tmp_path / "amounts.png"))
    _keep(tmp_path / "amounts.png", "amounts.png")
    page.locator("input[name=amin]").fill("100亿")
    page.locator("input[name=amin]").press("Enter")
    page.wait_for_url("**amin=**")
    assert page.locator(".chip-amount").inner_text().startswith("金额")
    amounts = page.locator("article.hit .hit-amount").all_inner_texts()
    assert amounts and all("亿元" in a for a in amounts)
    assert len(amounts) == int(page.locator(".summary .total").inner_text())
