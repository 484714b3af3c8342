"""`newsearch index --watch`: batches of file events, rescans, and the real server answering
while files are added, changed and removed.

Real parts only: watchdog's inotify observer on tmp_path, a Whoosh index on disk, and for
the acceptance test `newsearch index --watch` and `newsearch serve` as processes.
"""
from __future__ import annotations

import signal
import threading
import time
from pathlib import Path
from urllib.parse import urlencode

import pytest

from indexer.store import IndexHandle
from indexer.watch import Watcher, batch_targets
from reliability_support import Server, http_get, start_newsearch

PAGE_A = "花园路街道开展暖冬行动\n\n本报讯 12月3日,花园路街道为独居老人检修暖气。\n\n记者 林小雨\n"
PAGE_A2 = "花园路街道开展冬季消防演练\n\n本报讯 12月5日,花园路街道组织居民参加冬季消防演练。\n\n记者 林小雨\n"
PAGE_B = "中牟县举办农民丰收节\n\n本报讯 9月23日,中牟县在官渡镇举办农民丰收节。\n\n记者 宋明\n"
PAGE_HTML = ("<html><head><meta charset='gbk'><title>登封市召开秋粮收购推进会_登封市人民政府</title></head>"
             "<body><div class='nav'><a href='/'>首页</a></div><h1>登封市召开秋粮收购推进会</h1>"
             "<div class='TRS_Editor'><p>9月22日,登封市召开秋粮收购推进会,部署秋粮收购。</p></div>"
             "</body></html>")


def wait_for(check, timeout: float = 60.0, what: str = "", log: list | None = None):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = check()
        if value:
            return value
        time.sleep(0.1)
    raise AssertionError(f"timed out waiting for {what or check}\n" + "\n".join(log or ()))


def count(index_dir: Path, q: str) -> int:
    """Articles whose title or body holds `q` (read through the live index)."""
    handle = IndexHandle(index_dir)
    try:
        with handle.searcher() as s:
            return sum(1 for doc in s.all_stored_fields()
                       if q in (doc.get("title") or "") + (doc.get("body") or ""))
    finally:
        handle.close()


# ---------------------------------------------------------------- batch targets

def test_batch_targets(tmp_path):
    root = tmp_path / "archive"
    (root / "2023" / "02").mkdir(parents=True)
    page = root / "2023" / "02" / "a.txt"
    page.write_text(PAGE_A, encoding="utf-8")
    (root / "notes.doc").write_text("x")
    targets = batch_targets([str(page), str(root / "2023" / "02" / "gone.txt"),
                             str(root / "2023" / "gone" / "deep" / "b.htm"),
                             str(root / "notes.doc"), str(tmp_path / "elsewhere.txt")], [root])
    # the existing page is inside the folder walked for the removed one: only that folder
    assert targets == [root / "2023"]
    assert batch_targets([str(page)], [root]) == [page]
    assert batch_targets([str(root / "notes.doc")], [root]) == []
    rel = Path("archive")                              # targets spelled from the root as given
    import os
    old = os.getcwd()
    os.chdir(tmp_path)
    try:
        assert batch_targets([str(page.resolve())], [rel]) == [rel / "2023" / "02" / "a.txt"]
    finally:
        os.chdir(old)


# ---------------------------------------------------------------- the watcher in-process

@pytest.fixture
def watcher_factory(tmp_path):
    started = []

    def start(folder: Path, **options) -> tuple[Watcher, list[str]]:
        lines: list[str] = []
        w = Watcher([folder], tmp_path / "index", procs=1, log=lines.append, error=lines.append,
                    **options)
        t = threading.Thread(target=w.run, daemon=True)
        t.start()
        started.append((w, t))
        wait_for(lambda: any("首次索引" in ln for ln in lines), what="the first run")
        return w, lines

    yield start
    for w, t in started:
        w.stop.set()
        t.join(timeout=30)
        assert not t.is_alive()


def test_watcher_follows_adds_changes_and_removals(tmp_path, watcher_factory):
    pages = tmp_path / "pages"
    pages.mkdir()
    (pages / "b.txt").write_text(PAGE_B, encoding="utf-8")
    w, lines = watcher_factory(pages, debounce=0.3, rescan=3600)
    index_dir = tmp_path / "index"
    assert count(index_dir, "丰收节") == 1

    (pages / "a.txt").write_text(PAGE_A, encoding="utf-8")
    wait_for(lambda: count(index_dir, "暖冬行动") == 1, what="the added page", log=lines)
    (pages / "a.txt").write_text(PAGE_A2, encoding="utf-8")
    wait_for(lambda: count(index_dir, "消防演练") == 1 and count(index_dir, "暖冬行动") == 0,
             what="the changed page", log=lines)
    sub = pages / "2025" / "09"
    sub.mkdir(parents=True)
    (sub / "portal.html").write_bytes(PAGE_HTML.encode("gbk"))
    wait_for(lambda: count(index_dir, "秋粮收购") == 1, what="the page in a new folder", log=lines)
    (pages / "a.txt").unlink()
    wait_for(lambda: count(index_dir, "消防演练") == 0, what="the removed page", log=lines)
    import shutil
    shutil.rmtree(pages / "2025")
    wait_for(lambda: count(index_dir, "秋粮收购") == 0, what="the removed folder", log=lines)
    assert count(index_dir, "丰收节") == 1
    batch_lines = [ln for ln in lines if "路径变化" in ln]
    assert len(batch_lines) >= 3 and all("文章: 新增" in ln for ln in batch_lines)


def test_a_burst_of_files_is_one_batch(tmp_path, watcher_factory):
    pages = tmp_path / "pages"
    pages.mkdir()
    w, lines = watcher_factory(pages, debounce=1.0, max_delay=30, rescan=3600)
    runs = w.batches
    for i in range(12):
        (pages / f"p{i:02d}.txt").write_text(PAGE_B.replace("丰收节", f"丰收节{i:02d}号"),
                                             encoding="utf-8")
        time.sleep(0.02)
    wait_for(lambda: count(tmp_path / "index", "丰收节") == 12, what="the burst")
    time.sleep(1.5)
    assert w.batches - runs <= 2, lines            # 12 files, at most two index runs


def test_rescan_finds_changes_without_events(tmp_path, watcher_factory):
    pages = tmp_path / "pages"
    pages.mkdir()
    w, lines = watcher_factory(pages, use_events=False, rescan=0.5)
    (pages / "a.txt").write_text(PAGE_A, encoding="utf-8")
    wait_for(lambda: count(tmp_path / "index", "暖冬行动") == 1, what="the rescan")
    wait_for(lambda: any("定期扫描" in ln for ln in lines), what="the rescan's log line")


# ---------------------------------------------------------------- acceptance: with the server

@pytest.mark.slow
def test_watch_keeps_the_served_index_current_without_a_failed_search(tmp_path):
    pages = tmp_path / "pages"
    pages.mkdir()
    (pages / "b.txt").write_text(PAGE_B, encoding="utf-8")
    index_dir = tmp_path / "index"
    watcher = start_newsearch("index", "--watch", pages, "--index-dir", index_dir,
                              "--debounce", "0.3", "--procs", "1")
    out_lines: list[str] = []
    reader = threading.Thread(target=lambda: out_lines.extend(watcher.stdout), daemon=True)
    reader.start()
    try:
        wait_for(lambda: (index_dir / "CURRENT").exists(), what="the first index run")
        with Server(index_dir, threads=4) as server:
            failures: list[str] = []
            searches = [0]
            done = threading.Event()

            def total(q: str) -> int:
                status, _, body = http_get(f"{server.url}/api/search?{urlencode({'q': q, 'size': 1})}")
                if status != 200:
                    raise AssertionError(f"{status} {body[:200]!r}")
                import json
                return json.loads(body)["total"]

            def hammer():
                queries = ("丰收节", "暖冬行动", "消防演练", "秋粮收购", "花园路街道", "")
                i = 0
                while not done.is_set():
                    try:
                        total(queries[i % len(queries)])
                        searches[0] += 1
                    except Exception as e:           # any failed search fails the test
                        failures.append(repr(e))
                    i += 1

            threads = [threading.Thread(target=hammer, daemon=True) for _ in range(2)]
            for t in threads:
                t.start()
            try:
                assert total("丰收节") == 1
                (pages / "a.txt").write_text(PAGE_A, encoding="utf-8")
                wait_for(lambda: total("暖冬行动") == 1, what="the added page")
                (pages / "a.txt").write_text(PAGE_A2, encoding="utf-8")
                wait_for(lambda: total("消防演练") == 1 and total("暖冬行动") == 0, what="the change")
                (pages / "portal.html").write_bytes(PAGE_HTML.encode("gbk"))
                wait_for(lambda: total("秋粮收购") == 1, what="the added HTML page")
                (pages / "a.txt").unlink()
                wait_for(lambda: total("消防演练") == 0, what="the removal")
                assert total("丰收节") == 1 and total("秋粮收购") == 1
            finally:
                done.set()
                for t in threads:
                    t.join(timeout=30)
            assert failures == []
            assert searches[0] > 20
    finally:
        watcher.send_signal(signal.SIGTERM)
        code = watcher.wait(timeout=30)
        reader.join(timeout=10)
        err = watcher.stderr.read()
        watcher.stdout.close()
        watcher.stderr.close()
    assert code == 0, err
    log = "".join(out_lines)
    assert "首次索引" in log and "已停止监视" in log
    assert log.count("路径变化") >= 4, log
