"""Issue 10, items 5-8: hostile names, folders and files on the indexer's side.

Non-UTF-8 file names, a previously indexed folder that becomes unreadable, folders 1,000
deep, FIFOs and links to devices named *.txt, UTF-16 without a BOM, a file with one
undecodable line, and bidi controls in titles - through the real `newsearch` commands
and index_paths over real folders.
"""
from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

import pytest

from indexer import reading
from indexer.indexing import index_paths
from indexer.store import IndexHandle
from reliability_support import describe, run_newsearch

pytestmark = pytest.mark.slow

PR_CAPBSET_DROP, CAP_DAC_OVERRIDE, CAP_DAC_READ_SEARCH = 24, 1, 2


def page(tag: str, n: int = 2) -> str:
    return "\n\n".join(
        f"# {tag}第{i + 1}条:惠济区召开项目建设推进会\n\n"
        f"本报讯 3月{i + 2}日,惠济区召开{tag}项目建设推进会,坚持“项目为王”。\n\n记者 简洋"
        for i in range(n)) + "\n"


def stored(index_dir: Path) -> list[dict]:
    with IndexHandle(index_dir) as h, h.searcher() as s:
        return sorted(s.all_stored_fields(), key=lambda d: d["id"])


def without_dac_override():
    """preexec_fn making file modes apply to a root child (None when not root)."""
    if os.geteuid() != 0:
        return None
    import ctypes

    libc = ctypes.CDLL(None, use_errno=True)

    def drop():
        for cap in (CAP_DAC_OVERRIDE, CAP_DAC_READ_SEARCH):
            if libc.prctl(PR_CAPBSET_DROP, cap, 0, 0, 0) != 0:
                raise OSError(ctypes.get_errno(), "prctl(PR_CAPBSET_DROP) failed")

    return drop


# --------------------------------------------------------------------------- item 5

def test_non_utf8_file_names_are_indexed_escaped_with_stable_ids(tmp_path):
    pages = tmp_path / "pages"
    pages.mkdir()
    gbk_name = "郑州日报惠济.txt".encode("gbk")                 # as unzipped from Windows
    with open(os.path.join(os.fsencode(pages), gbk_name), "w", encoding="utf-8") as f:
        f.write(page("甲"))
    (pages / "plain.txt").write_text(page("乙"), encoding="utf-8")
    index_dir = tmp_path / "index"

    result = run_newsearch("index", pages, "--index-dir", index_dir)
    assert result.returncode == 0, describe(result)
    docs = stored(index_dir)
    odd = [d for d in docs if "\\x" in d["source"]]
    assert len(docs) == 4 and len(odd) == 2, [d["source"] for d in docs]
    escaped = os.fsencode(pages).decode() + "/" + gbk_name.decode("utf-8", "backslashreplace")
    assert all(d["source"] == escaped for d in odd)
    ids = [d["id"] for d in docs]

    again = run_newsearch("index", pages, "--index-dir", index_dir)
    assert again.returncode == 0 and "未变 2" in again.stdout, describe(again)
    rebuilt = run_newsearch("index", "--rebuild", pages, "--index-dir", index_dir)
    assert rebuilt.returncode == 0, describe(rebuilt)
    assert [d["id"] for d in stored(index_dir)] == ids          # stable ids

    parsed = run_newsearch("parse", "--json", pages)
    assert parsed.returncode == 0 and "Traceback" not in parsed.stderr, describe(parsed)
    rows = [json.loads(line) for line in parsed.stdout.splitlines()]
    assert sorted(r["id"] for r in rows) == sorted(ids)
    assert {r["source"] for r in rows if "\\x" in r["source"]} == {escaped}
    listing = run_newsearch("parse", pages)
    assert listing.returncode == 0 and escaped in listing.stdout, describe(listing)


# --------------------------------------------------------------------------- item 6

def indexed_folder_with_sub(tmp_path):
    """pages/sub/a.txt and pages/b.txt indexed; the privilege drop that makes chmod 0 bite."""
    drop = without_dac_override()
    pages = tmp_path / "pages"
    (pages / "sub").mkdir(parents=True)
    (pages / "sub" / "a.txt").write_text(page("甲"), encoding="utf-8")
    (pages / "b.txt").write_text(page("乙"), encoding="utf-8")
    index_dir = tmp_path / "index"
    assert run_newsearch("index", pages, "--index-dir", index_dir).returncode == 0
    return drop, pages, index_dir, stored(index_dir)


def test_unreadable_indexed_folder_is_reported_and_its_articles_kept(tmp_path):
    drop, pages, index_dir, before = indexed_folder_with_sub(tmp_path)
    (pages / "c.txt").write_text(page("丙"), encoding="utf-8")
    try:
        (pages / "sub").chmod(0)
        result = run_newsearch("index", pages, "--index-dir", index_dir, preexec_fn=drop)
    finally:
        (pages / "sub").chmod(0o755)
    assert result.returncode == 1, describe(result)
    assert f"失败: {pages / 'sub'}: 无法读取文件夹" in result.stderr, describe(result)
    assert "无法写入索引目录" not in result.stderr and "Traceback" not in result.stderr
    after = stored(index_dir)
    assert {d["id"] for d in before} < {d["id"] for d in after}          # kept, and c.txt added
    assert len(after) == 6

    shutil.rmtree(pages / "sub")                                     # really gone: removed
    gone = run_newsearch("index", pages, "--index-dir", index_dir)
    assert gone.returncode == 0 and "删除 2" in gone.stdout, describe(gone)
    assert len(stored(index_dir)) == 4


def test_a_rebuild_that_cannot_read_an_indexed_folder_is_not_done(tmp_path):
    """--rebuild starts from nothing: articles of files it cannot reach would be lost, so it
    stops with a message naming them and the live index stays as it was."""
    drop, pages, index_dir, before = indexed_folder_with_sub(tmp_path)
    try:
        (pages / "sub").chmod(0)
        result = run_newsearch("index", pages, "--index-dir", index_dir, "--rebuild", preexec_fn=drop)
    finally:
        (pages / "sub").chmod(0o755)
    assert result.returncode == 1, describe(result)
    assert "未重建" in result.stderr and "a.txt" in result.stderr and "2 篇文章" in result.stderr, describe(result)
    assert "Traceback" not in result.stderr
    assert stored(index_dir) == before                            # the live index as it was
    again = run_newsearch("index", pages, "--index-dir", index_dir, "--rebuild")
    assert again.returncode == 0 and "重建" in again.stdout, describe(again)
    assert {d["id"] for d in stored(index_dir)} == {d["id"] for d in before}
    shutil.rmtree(pages / "sub")                              # really gone: a rebuild drops it
    gone = run_newsearch("index", pages, "--index-dir", index_dir, "--rebuild")
    assert gone.returncode == 0 and len(stored(index_dir)) == 2, describe(gone)


# --------------------------------------------------------------------------- item 7

def test_folders_a_thousand_deep(tmp_path):
    pages = tmp_path / "pages"
    pages.mkdir()
    here = pages
    for depth in range(1, 1001):
        here = here / "d"
        here.mkdir()
        if depth in (500, 1000):
            (here / f"p{depth}.txt").write_text(page(f"第{depth}层"), encoding="utf-8")
    try:
        errors = []
        found = list(reading.iter_page_files([pages], errors))
        assert sorted(p.name for p in found) == ["p1000.txt", "p500.txt"] and not errors
        report = index_paths([pages], tmp_path / "index", procs=1)
        assert report.files_read == 2 and report.added == 4 and not report.files_failed
    finally:
        # shutil.rmtree (pytest's cleanup of old tmp dirs) recurses: take the chain apart here.
        while here != pages:
            for child in here.iterdir():
                child.unlink()
            here.rmdir()
            here = here.parent


# --------------------------------------------------------------------------- item 8

def test_fifos_and_device_links_are_reported_never_read(tmp_path):
    pages = tmp_path / "pages"
    pages.mkdir()
    (pages / "good.txt").write_text(page("甲"), encoding="utf-8")
    os.mkfifo(pages / "pipe.txt")
    (pages / "zero.txt").symlink_to("/dev/zero")
    lone = tmp_path / "lone.txt"
    os.mkfifo(lone)
    index_dir = tmp_path / "index"
    result = run_newsearch("index", pages, lone, "--index-dir", index_dir, timeout=120)
    assert result.returncode == 1, describe(result)
    for path in (pages / "pipe.txt", pages / "zero.txt", lone):
        assert f"失败: {path}: 不是普通文件" in result.stderr, describe(result)
    assert len(stored(index_dir)) == 2
    parsed = run_newsearch("parse", pages, lone, timeout=120)
    assert parsed.returncode == 1 and parsed.stderr.count("不是普通文件") == 3, describe(parsed)


@pytest.mark.parametrize("codec", ["utf-16-le", "utf-16-be"])
def test_utf16_without_bom_is_text(tmp_path, codec):
    text = page("甲") + "Zhengzhou Daily 2022\n"
    assert reading.decode_page(text.encode(codec)) == text
    pages = tmp_path / "pages"
    pages.mkdir()
    (pages / "u16.txt").write_bytes(text.encode(codec))
    (pages / "u8.txt").write_bytes(text.encode("utf-8"))
    report = index_paths([pages], tmp_path / "index", procs=1)
    assert not report.files_failed, report.files_failed
    docs = stored(tmp_path / "index")
    by_file = {}
    for d in docs:
        by_file.setdefault(Path(d["source"]).name, []).append((d["title"], d["body"]))
    assert sorted(by_file["u16.txt"]) == sorted(by_file["u8.txt"])
    assert len(docs) == 2 * len(by_file["u8.txt"]) >= 4


def test_binary_with_nul_bytes_is_still_binary():
    import random

    with pytest.raises(ValueError, match="binary|编码|文本"):
        reading.decode_page(random.Random(3).randbytes(20000))
    with pytest.raises(ValueError):
        reading.decode_page(b"\x00\x00\x00\x00" * 500)


def test_one_undecodable_line_is_reported_and_the_rest_indexed(tmp_path):
    pages = tmp_path / "pages"
    pages.mkdir()
    lines = page("甲", n=3).split("\n")
    lines.insert(4, "\ufffd")                                      # placeholder for bad bytes
    data = "\n".join(lines).encode("utf-8").replace("\ufffd".encode(), b"\xff\xfe\xfa garbled \xfb")
    (pages / "broken-line.txt").write_bytes(data)
    index_dir = tmp_path / "index"
    result = run_newsearch("index", pages, "--index-dir", index_dir)
    assert result.returncode == 0, describe(result)
    assert f"警告: {pages / 'broken-line.txt'}: 第 5 行无法解码" in result.stderr, describe(result)
    titles = sorted(d["title"] for d in stored(index_dir))
    assert titles == [f"甲第{i}条:惠济区召开项目建设推进会" for i in (1, 2, 3)]
    assert "garbled" not in json.dumps(stored(index_dir), ensure_ascii=False)
    parsed = run_newsearch("parse", pages)
    assert parsed.returncode == 0 and "第 5 行无法解码" in parsed.stderr, describe(parsed)


def test_bidi_controls_are_stripped_from_titles(tmp_path):
    from searchapp.web import create_app

    pages = tmp_path / "pages"
    pages.mkdir()
    text = page("甲").replace("惠济区召开", "惠济区\u202e开召\u202c\u2066会议\u2069", 1)
    (pages / "bidi.txt").write_text(text, encoding="utf-8")
    index_paths([pages], tmp_path / "index", procs=1)
    docs = stored(tmp_path / "index")
    assert any("惠济区开召会议" in d["title"] for d in docs), [d["title"] for d in docs]
    client = create_app({"INDEX_DIR": str(tmp_path / "index")}).test_client()
    for path in ("/?q=惠济区", f"/articles/{docs[0]['id']}", "/api/search?q=惠济区", "/feed.atom?q=惠济区"):
        body = client.get(path).get_data(as_text=True)
        assert not any(ch in body for ch in "\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"), path
