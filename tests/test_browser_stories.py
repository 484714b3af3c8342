"""Story clusters in a real browser (Debian's chromium, Playwright) against the real app
under waitress over an index of literal pages holding one story printed twice."""
from __future__ import annotations

import os
import shutil
import threading
from pathlib import Path
from urllib.parse import quote

import pytest

from tests.conftest import watched_page

from tests.test_stories import OTHER, REPRINT, STORY, page as page_text

pytestmark = pytest.mark.browser

ROOT = Path(__file__).resolve().parent.parent


def _keep(shot: Path, name: str) -> None:
    """UPDATE_SCREENSHOT=1 copies a screenshot to docs/."""
    data = shot.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n" and len(data) > 10_000
    if os.environ.get("UPDATE_SCREENSHOT") == "1":
        shutil.copyfile(shot, ROOT / "docs" / name)


@pytest.fixture(scope="module")
def story_server(tmp_path_factory):
    import waitress
    from waitress import wasyncore

    from indexer.indexing import index_paths
    from searchapp.web import create_app

    root = tmp_path_factory.mktemp("browser-stories")
    pages = root / "pages"
    pages.mkdir()
    (pages / "20220401_01.txt").write_text(page_text("惠济区12个项目集中签约", STORY, "2022-04-01"), encoding="utf-8")
    (pages / "20220403_02.txt").write_text(page_text("85亿元！惠济区签约一批重大项目", REPRINT, "2022-04-03"), encoding="utf-8")
    (pages / "20220402_03.txt").write_text(page_text("金水区召开经济运行分析会", OTHER, "2022-04-02"), encoding="utf-8")
    index_paths([pages], root / "index", procs=1)
    server = waitress.create_server(create_app({"INDEX_DIR": str(root / "index")}), host="127.0.0.1",
                                    port=0, threads=2, ident="newsearch-test")
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.effective_port}"
    finally:
        server.close()
        wasyncore.close_all(server._map)
        server.task_dispatcher.shutdown()
        thread.join(timeout=10)


@pytest.fixture
def spage(browser, story_server):
    with watched_page(browser) as pg:
        yield pg


def test_cluster_expands_switches_and_opens_the_diff(spage, story_server, tmp_path):
    pg = spage
    pg.goto(story_server + "/?q=" + quote("签约"))
    cards = pg.locator("article.hit")
    assert cards.count() == 1
    more = cards.first.locator("details.story-more")
    assert more.locator("summary").inner_text() == "另有 1 篇相同报道"
    versions = more.locator("li.story-version")
    assert not versions.first.is_visible()                 # folded until clicked
    more.locator("summary").click()
    assert versions.first.is_visible() and versions.count() == 1
    other_title = versions.first.locator("a").inner_text()
    shot = tmp_path / "stories.png"
    pg.screenshot(path=str(shot))
    _keep(shot, "stories.png")
    # the switch: every article
    pg.get_by_role("link", name="显示全部文章").click()
    pg.wait_for_url("**all=1**")
    assert pg.locator("article.hit").count() == 2 and pg.locator("details.story-more").count() == 0
    pg.get_by_role("link", name="合并相同报道").click()
    assert pg.locator("article.hit").count() == 1
    # 只看首发 from the sidebar
    pg.locator("input[name=first]").check()
    pg.wait_for_url("**first=1**")
    assert pg.locator(".chip-first").count() == 1
    # the other version's page: versions earliest first and the diff
    pg.goto(story_server + "/?q=" + quote("签约") + "&all=1")
    pg.locator("article.hit", has=pg.locator(".story-badge")).locator("h3 a").click()
    panel = pg.locator(".story-panel")
    assert panel.locator("li.story-version").count() == 2
    assert "首发" in panel.locator("li.story-version").first.inner_text()
    assert pg.locator(".story-diff del").count() >= 1 and pg.locator(".story-diff ins").count() >= 1
    assert other_title in (pg.locator("h1.article-title").inner_text(),
                           panel.locator("li.story-version").first.locator("a").inner_text())
