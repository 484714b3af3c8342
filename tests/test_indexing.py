"""index_paths: incremental runs, rebuilds, broken files, locking and crash safety."""
from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from whoosh.writing import SegmentWriter

from indexer import indexing, reading, store
from indexer.extract import parse_file
from indexer.indexing import IndexWriteError, default_index_dir, index_paths
from indexer.store import IndexBusy, IndexHandle, IndexLock

ROOT = Path(__file__).resolve().parent.parent


def page(tag: str, n: int = 2, extra: str = "") -> str:
    """A page of n articles in the seeds' layout (headline, 本报讯 lead, byline)."""
    parts = []
    for i in range(n):
        parts.append(
            f"# {tag}第{i + 1}条:惠济区召开项目建设推进会\n\n"
            f"本报讯 3月{i + 2}日,惠济区召开{tag}项目建设推进会,坚持“项目为王”,"
            f"推进“三个一批”活动{extra}。会议要求各部门全力以赴抓落实,确保实现“开门红”。\n\n"
            f"记者 简洋")
    return "\n\n".join(parts) + "\n"


def expected_ids(folder: Path) -> set[str]:
    ids = set()
    for p in [folder] if folder.is_file() else sorted(folder.rglob("*.txt")):
        ids |= {a.id for a in parse_file(p)}
    return ids


def indexed_ids(index_dir: Path) -> list[str]:
    with IndexHandle(index_dir) as h, h.searcher() as s:
        return sorted(d["id"] for d in s.all_stored_fields())


def substring_ids(index_dir: Path, q: str, title_only: bool = False) -> set[str]:
    """Ids of the live articles the substring index finds q in (through the dockey map)."""
    import numpy as np

    from indexer import substring
    from indexer.analysis import normalize

    with IndexHandle(index_dir) as h, h.searcher() as s:
        r = s.reader()
        live = np.zeros(r.doc_count_all(), dtype=bool)
        live[list(r.all_doc_ids())] = True
        docmap = substring.DocMap(substring.dockey_column(r), live)
        subs = substring.SubstringIndex.open(store.current_generation(index_dir), r.generation())
        occ = subs.find(substring.query_codes(normalize(q)), title_only)
        docs = docmap.docnums(occ.dockeys)
        return {s.stored_fields(d)["id"] for d in set(docs[docs >= 0].tolist())}


def test_first_run_indexes_every_article(tmp_path, make_pages):
    pages = make_pages(tmp_path / "pages", {"2022-03-24.txt": page("甲"), "sub/2022-03-25.txt": page("乙", 3)})
    report = index_paths([pages], tmp_path / "ix", procs=1)
    ids = expected_ids(pages)
    assert len(ids) >= 5
    assert (report.files_read, report.files_skipped, report.files_failed) == (2, 0, [])
    assert report.added == len(ids) and report.rebuilt and report.doc_count == len(ids)
    assert sorted(ids) == indexed_ids(tmp_path / "ix")


def test_incremental_skip_change_and_remove(tmp_path, make_pages):
    pages = make_pages(tmp_path / "pages", {"a.txt": page("甲"), "b.txt": page("乙"), "c.txt": page("丙")})
    ix = tmp_path / "ix"
    index_paths([pages], ix, procs=1)

    again = index_paths([pages], ix, procs=1)
    assert (again.files_read, again.files_skipped, again.added, again.deleted) == (0, 3, 0, 0)
    assert not again.rebuilt

    # change one article of b.txt, remove c.txt
    (pages / "b.txt").write_text(page("乙", extra=",新增内容"), encoding="utf-8")
    (pages / "c.txt").unlink()
    report = index_paths([pages], ix, procs=1)
    assert (report.files_read, report.files_skipped) == (1, 1)
    assert report.added == 2 and report.deleted == 2 + 2 and report.updated == 0
    assert indexed_ids(ix) == sorted(expected_ids(pages))
    assert len(substring_ids(ix, "新增内容")) == 2


def test_an_unchanged_run_makes_no_commit(tmp_path, make_pages, monkeypatch):
    """Nothing changed: no new Whoosh commit, no file list or stories rewritten (a server
    keeps its searchers), and the articles are all still there."""
    from indexer import filestate

    monkeypatch.setattr(filestate, "RACY_NS", 0)     # files written just now count as settled
    pages = make_pages(tmp_path / "pages", {"a.txt": page("甲"), "sub/b.txt": page("乙")})
    ix = tmp_path / "ix"
    index_paths([pages], ix, procs=1)
    gen = store.current_generation(ix)
    before = store.open_index(gen).latest_generation()
    written = {p.name: p.stat().st_mtime_ns for p in gen.iterdir()}

    again = index_paths([pages], ix, procs=1)
    assert (again.files_read, again.files_skipped, again.added, again.deleted) == (0, 2, 0, 0)
    assert store.open_index(gen).latest_generation() == before
    for name in (f"files-{before}.json", f"stories-{before}.npz"):
        assert (gen / name).stat().st_mtime_ns == written[name]
    assert again.doc_count == len(expected_ids(pages)) and indexed_ids(ix) == sorted(expected_ids(pages))


def test_a_touched_file_gets_a_new_stat_record_without_a_commit(tmp_path, make_pages, monkeypatch):
    """Same content, new modification time (touched, copied back): the file is hashed, not
    parsed; its record takes the new stat in place, so the next run does not read it."""
    from indexer import filestate

    monkeypatch.setattr(filestate, "RACY_NS", 0)
    pages = make_pages(tmp_path / "pages", {"a.txt": page("甲"), "b.txt": page("乙")})
    ix = tmp_path / "ix"
    index_paths([pages], ix, procs=1)
    gen = store.current_generation(ix)
    before = store.open_index(gen).latest_generation()
    os.utime(pages / "a.txt", ns=(time.time_ns(), time.time_ns() - 10**9))

    report = index_paths([pages], ix, procs=1)
    assert (report.files_read, report.files_skipped, report.added, report.deleted) == (0, 2, 0, 0)
    assert store.open_index(gen).latest_generation() == before
    rec = store.read_manifest(gen)[str((pages / "a.txt").resolve())]
    assert rec["mtime_ns"] == (pages / "a.txt").stat().st_mtime_ns

    reads = []
    real = indexing.read_page_bytes
    monkeypatch.setattr(indexing, "read_page_bytes", lambda p: reads.append(p) or real(p))
    index_paths([pages], ix, procs=1)
    assert reads == []
    assert indexed_ids(ix) == sorted(expected_ids(pages))


def test_a_commit_left_without_its_stories_is_completed_by_an_unchanged_run(tmp_path, make_pages,
                                                                            monkeypatch):
    """A run killed between its commit and the stories file: the next run, with no file
    changed, still writes the stories of the live commit."""
    from indexer import filestate, stories

    monkeypatch.setattr(filestate, "RACY_NS", 0)
    pages = make_pages(tmp_path / "pages", {"a.txt": page("甲"), "b.txt": page("乙")})
    ix = tmp_path / "ix"
    index_paths([pages], ix, procs=1)
    gen = store.current_generation(ix)
    for p in gen.glob("stories-*.npz"):
        p.unlink()
    index_paths([pages], ix, procs=1)
    latest = store.open_index(gen).latest_generation()
    assert stories.stories_path(gen, latest).is_file()
    assert len(stories.Stories.load(stories.stories_path(gen, latest)).dockeys) == len(expected_ids(pages))


def test_a_file_removed_is_seen_by_an_otherwise_unchanged_run(tmp_path, make_pages):
    pages = make_pages(tmp_path / "pages", {"a.txt": page("甲"), "b.txt": page("乙")})
    ix = tmp_path / "ix"
    index_paths([pages], ix, procs=1)
    (pages / "b.txt").unlink()
    report = index_paths([pages], ix, procs=1)
    assert report.deleted == 2 and indexed_ids(ix) == sorted(expected_ids(pages))


def test_paths_outside_the_given_roots_are_kept(tmp_path, make_pages):
    a = make_pages(tmp_path / "a", {"x.txt": page("甲")})
    b = make_pages(tmp_path / "b", {"y.txt": page("乙")})
    ix = tmp_path / "ix"
    index_paths([a, b], ix, procs=1)
    report = index_paths([a], ix, procs=1)       # b not given: its articles stay
    assert report.deleted == 0
    assert indexed_ids(ix) == sorted(expected_ids(a) | expected_ids(b))


def test_broken_files_are_reported_and_skipped(tmp_path, make_pages):
    pages = make_pages(tmp_path / "pages", {"good.txt": page("甲")})
    (pages / "binary.txt").write_bytes(bytes(range(256)) * 10)
    (pages / "empty.txt").write_bytes(b"")
    (pages / "loop").symlink_to(pages)
    errors: list = []
    report = index_paths([pages, tmp_path / "missing"], tmp_path / "ix", procs=1, errors=errors)
    failed = dict(report.files_failed)
    assert str(pages / "binary.txt") in failed
    assert str(tmp_path / "missing") in failed
    assert errors == report.files_failed
    assert indexed_ids(tmp_path / "ix") == sorted(expected_ids(pages / "good.txt"))


def test_a_file_that_breaks_keeps_its_old_articles(tmp_path, make_pages):
    pages = make_pages(tmp_path / "pages", {"a.txt": page("甲")})
    ix = tmp_path / "ix"
    index_paths([pages], ix, procs=1)
    before = indexed_ids(ix)
    (pages / "a.txt").write_bytes(b"\x00\x01\x02" * 100)
    report = index_paths([pages], ix, procs=1)
    assert [p for p, _ in report.files_failed] == [str(pages / "a.txt")]
    assert indexed_ids(ix) == before


def test_too_large_file_is_reported(tmp_path, make_pages, monkeypatch):
    pages = make_pages(tmp_path / "pages", {"a.txt": page("甲"), "big.txt": page("乙") * 50})
    monkeypatch.setattr(reading, "MAX_PAGE_BYTES", 4096)
    report = index_paths([pages], tmp_path / "ix", procs=1)
    assert [p for p, _ in report.files_failed] == [str(pages / "big.txt")]
    assert "过大" in report.files_failed[0][1]


def test_rebuild_swaps_in_a_new_generation(tmp_path, make_pages):
    pages = make_pages(tmp_path / "pages", {"a.txt": page("甲")})
    ix = tmp_path / "ix"
    index_paths([pages], ix, procs=1)
    gen1 = store.current_name(ix)
    report = index_paths([pages], ix, rebuild=True, procs=1)
    assert report.rebuilt and report.rebuild_reason == "requested"
    assert store.current_name(ix) != gen1
    assert indexed_ids(ix) == sorted(expected_ids(pages))


def test_analyzer_change_triggers_announced_rebuild(tmp_path, make_pages):
    a = make_pages(tmp_path / "a", {"x.txt": page("甲")})
    b = make_pages(tmp_path / "b", {"y.txt": page("乙")})
    ix = tmp_path / "ix"
    index_paths([a, b], ix, procs=1)
    gen = store.current_generation(ix)
    meta = store.read_meta(gen)
    meta["index_version"] = "s0/a0-old"
    store.write_meta(gen, meta)
    notices: list[str] = []
    report = index_paths([a], ix, procs=1, notice=notices.append)
    assert report.rebuilt and report.rebuild_reason == "version"
    assert notices and "重建" in notices[0]
    # a rebuild for a new analyzer keeps the files the old index held outside the given paths
    assert indexed_ids(ix) == sorted(expected_ids(a) | expected_ids(b))
    with IndexHandle(ix) as h:
        assert h.info()["version_ok"]


def test_parallel_run_gives_the_same_index(tmp_path, make_pages):
    pages = make_pages(tmp_path / "pages",
                       {f"2022-03-{d:02d}.txt": page(f"页{d}", 3) for d in range(1, 21)})
    serial = index_paths([pages], tmp_path / "ix1", procs=1)
    parallel = index_paths([pages], tmp_path / "ix2", procs=2)
    assert serial.added == parallel.added == len(expected_ids(pages))
    assert indexed_ids(tmp_path / "ix1") == indexed_ids(tmp_path / "ix2")
    # an incremental parallel run on top replaces a changed file correctly
    (pages / "2022-03-05.txt").write_text(page("改", 2), encoding="utf-8")
    for d in range(21, 41):
        (pages / f"2022-04-{d - 20:02d}.txt").write_text(page(f"新{d}", 1), encoding="utf-8")
    report = index_paths([pages], tmp_path / "ix2", procs=2)
    assert report.files_read == 21 and report.files_skipped == 19
    assert indexed_ids(tmp_path / "ix2") == sorted(expected_ids(pages))
    with IndexHandle(tmp_path / "ix2") as h, h.searcher() as s:
        assert s.doc_count() == len(expected_ids(pages))


def test_the_file_list_belongs_to_the_commit(tmp_path, make_pages):
    """The file list is written under the Whoosh generation of its commit; a live commit
    without its list (removed by hand) is rebuilt, with a notice, instead of trusted."""
    pages = make_pages(tmp_path / "pages", {"a.txt": page("甲")})
    ix = tmp_path / "ix"
    index_paths([pages], ix, procs=1)
    (pages / "b.txt").write_text(page("乙"), encoding="utf-8")
    index_paths([pages], ix, procs=1)
    gen = store.current_generation(ix)
    latest = store.open_index(gen).latest_generation()
    assert sorted(p.name for p in gen.glob("files-*.json")) == [f"files-{latest}.json"]
    assert set(store.read_manifest(gen)) == {str((pages / n).resolve()) for n in ("a.txt", "b.txt")}
    assert "files" not in store.read_meta(gen)

    store.manifest_path(gen, latest).unlink()
    notices = []
    report = index_paths([pages], ix, procs=1, notice=notices.append)
    assert report.rebuilt and report.rebuild_reason == "manifest" and "文件清单" in notices[0]
    ids = indexed_ids(ix)
    assert ids == sorted(expected_ids(pages)) and len(ids) == len(set(ids))


def test_busy_lock_is_reported(tmp_path, make_pages):
    pages = make_pages(tmp_path / "pages", {"a.txt": page("甲")})
    with IndexLock(tmp_path / "ix"):
        with pytest.raises(IndexBusy, match="另一个索引任务正在运行"):
            index_paths([pages], tmp_path / "ix", procs=1)


def test_unwritable_index_dir_is_a_clear_error(tmp_path, make_pages):
    pages = make_pages(tmp_path / "pages", {"a.txt": page("甲")})
    not_a_dir = tmp_path / "file"
    not_a_dir.write_text("x")
    with pytest.raises(IndexWriteError, match="无法写入索引目录"):
        index_paths([pages], not_a_dir / "ix", procs=1)


def test_default_index_dir(monkeypatch, tmp_path):
    monkeypatch.setenv("NEWSEARCH_INDEX_DIR", str(tmp_path / "x"))
    assert default_index_dir() == tmp_path / "x"
    monkeypatch.delenv("NEWSEARCH_INDEX_DIR")
    assert default_index_dir() == Path.home() / ".local/share/newsearch/index"


def test_seed_index_holds_every_parsed_article(seed_index_dir, seeds_dir):
    assert indexed_ids(seed_index_dir) == sorted(expected_ids(seeds_dir))


@pytest.mark.parametrize("delay", [0.05, 0.4, 0.9, 1.6])
def test_killed_indexer_leaves_a_working_index(tmp_path, make_pages, delay):
    pages = make_pages(tmp_path / "pages", {f"p{i:02d}.txt": page(f"页{i}", 3) for i in range(30)})
    old = make_pages(tmp_path / "old", {f"p{i:02d}.txt": page(f"旧{i}", 2) for i in range(5)})
    ix = tmp_path / "ix"
    index_paths([old], ix, procs=1)
    before, new = set(indexed_ids(ix)), expected_ids(pages)
    code = ("import sys; from indexer.indexing import index_paths; "
            "index_paths(sys.argv[1:2], sys.argv[2], rebuild=sys.argv[3] == '1', procs=2)")
    # every state a reader may see: old, old + incremental update, rebuilt from pages only
    allowed = [before, before | new, new]
    for rebuild in ("0", "1"):
        proc = subprocess.Popen([sys.executable, "-c", code, str(pages), str(ix), rebuild],
                                cwd=ROOT, stderr=subprocess.DEVNULL)
        time.sleep(delay)
        proc.send_signal(signal.SIGKILL)
        proc.wait()
        ids = indexed_ids(ix)                      # the live index still opens ...
        assert len(ids) == len(set(ids)) and set(ids) in allowed   # ... complete, old or new
    report = index_paths([pages], ix, procs=2, wait=10)     # the next run completes
    assert report.files_failed == []
    assert set(indexed_ids(ix)) in (before | new, new)


@pytest.mark.parametrize("procs", [1, 2])
def test_incremental_runs_keep_the_substring_index_small_and_exact(tmp_path, make_pages,
                                                                   monkeypatch, procs):
    from indexer import substring

    monkeypatch.setattr(substring, "MAX_CHUNKS", 2)
    monkeypatch.setattr(indexing, "PARALLEL_MIN_FILES", 1)
    pages = make_pages(tmp_path / "pages", {"a.txt": page("甲"), "b.txt": page("乙")})
    ix = tmp_path / "ix"
    index_paths([pages], ix, procs=procs)
    for i, tag in enumerate(["丙", "丁", "戊"]):
        (pages / f"{tag}.txt").write_text(page(tag), encoding="utf-8")
        (pages / "a.txt").write_text(page("甲", extra=f"第{i}次修改"), encoding="utf-8")
        index_paths([pages], ix, procs=procs)
        gen = store.current_generation(ix)
        with IndexHandle(ix) as h, h.searcher() as s:
            chunks = substring.read_list(gen, s.reader().generation(), exact=True)["chunks"]
        assert len(chunks) <= 2                       # merged after every run
        names = {n.split(".")[0] for n in os.listdir(gen / "substr") if n.startswith("c-")}
        listed = {c["id"] for g in substring.list_generations(gen)
                  for c in substring.read_list(gen, g, exact=True)["chunks"]}
        assert names == listed                        # no orphan chunk files
        assert len(substring.list_generations(gen)) <= substring.LISTS_KEPT
        assert substring_ids(ix, "项目建设推进会") == set(indexed_ids(ix))
        assert substring_ids(ix, f"第{i}次修改") == expected_ids(pages / "a.txt")
        assert substring_ids(ix, f"第{i - 1}次修改") == set()        # the replaced version


@pytest.mark.parametrize("q", ["郑东", "济区", "惠济区", "216.8亿元", "WMS", "wms", "鄭州", "惠濟區",
                               "三个一批", "万人助万企", "项目为王", "开门红", "有限公司", "区委书记"])
def test_seed_index_substring_recall_and_precision(seed_index_dir, seeds_dir, q):
    """The substring index finds exactly the articles containing q verbatim."""
    import re

    from indexer.analysis import normalize

    def squash(text):
        return re.sub(r"\s+", "", normalize(text))

    expected = set()
    for p in sorted(seeds_dir.glob("*.txt")):
        for a in parse_file(p):
            if squash(q) in squash(f"{a.title}\n{a.subtitle}") or squash(q) in squash(a.body):
                expected.add(a.id)
    assert expected, f"{q} occurs in the seeds"
    assert substring_ids(seed_index_dir, q) == expected


def test_crash_between_chunk_list_and_commit_leaves_a_working_index(tmp_path, make_pages,
                                                                   monkeypatch):
    """Chunks and the chunk list of the next commit are written, then the commit fails: readers
    keep the old state, and the next run reuses nothing of the failed one and cleans it up."""
    from indexer import substring
    from searchapp.model import SearchQuery
    from searchapp.service import SearchService

    pages = make_pages(tmp_path / "pages", {"a.txt": page("甲")})
    ix = tmp_path / "ix"
    index_paths([pages], ix, procs=1)
    before = indexed_ids(ix)
    (pages / "b.txt").write_text(page("乙", extra="崩溃之前"), encoding="utf-8")

    def crash(self, *a, **kw):
        raise KeyboardInterrupt("killed before the commit")

    with monkeypatch.context() as m:
        m.setattr(SegmentWriter, "commit", crash)
        with pytest.raises(KeyboardInterrupt):
            index_paths([pages], ix, procs=1)
    gen = store.current_generation(ix)
    assert max(substring.list_generations(gen)) == 2      # the list of a commit never made
    svc = SearchService(ix)
    assert indexed_ids(ix) == before
    assert svc.search(SearchQuery(q="崩溃之前")).total == 0
    assert svc.search(SearchQuery(q="项目建设推进会")).total == len(before)

    report = index_paths([pages], ix, procs=1)
    assert report.files_read == 1 and indexed_ids(ix) == sorted(expected_ids(pages))
    assert substring_ids(ix, "崩溃之前") == expected_ids(pages / "b.txt")
    assert svc.search(SearchQuery(q="崩溃之前")).total == len(expected_ids(pages / "b.txt"))
    names = {n.split(".")[0] for n in os.listdir(gen / "substr") if n.startswith("c-")}
    listed = {c["id"] for g in substring.list_generations(gen)
              for c in substring.read_list(gen, g, exact=True)["chunks"]}
    assert names == listed                                 # the failed run's chunk is gone


def test_an_index_from_before_per_commit_file_lists_is_updated_incrementally(tmp_path, make_pages):
    """An index whose file list is still in newsearch.json (written by an older version) is
    read as before: unchanged files are skipped, and the next commit carries its own list."""
    pages = make_pages(tmp_path / "pages", {"a.txt": page("甲"), "b.txt": page("乙")})
    ix = tmp_path / "ix"
    index_paths([pages], ix, procs=1)
    gen = store.current_generation(ix)
    files = store.read_manifest(gen)
    for p in gen.glob("files-*.json"):
        p.unlink()
    store.write_meta(gen, {**store.read_meta(gen), "files": files})
    report = index_paths([pages], ix, procs=1)
    assert not report.rebuilt and report.files_skipped == 2 and report.files_read == 0
    # the files were read again (changed less than filestate.RACY_NS before), so only
    # the time of that read differs
    unseen = lambda m: {k: {f: v for f, v in r.items() if f != "seen_ns"} for k, r in m.items()}  # noqa: E731
    assert unseen(store.read_manifest(gen)) == unseen(files) and "files" not in store.read_meta(gen)
    assert indexed_ids(ix) == sorted(expected_ids(pages))


@pytest.mark.parametrize("procs", [1, 2])
def test_a_rebuild_writes_few_large_substring_chunks(tmp_path, make_pages, monkeypatch, procs):
    """Every query looks up its bigrams in every chunk: an index process writes its postings
    as one chunk per FLUSH_POSTINGS, not one per CHUNK_POSTINGS (the small-chunk size of
    incremental merging), and the chunks still find every article."""
    from indexer import substring

    monkeypatch.setattr(substring, "CHUNK_POSTINGS", 200)      # a few articles' postings
    monkeypatch.setattr(indexing, "PARALLEL_MIN_FILES", 1)
    pages = make_pages(tmp_path / "pages",
                       {f"2022-03-{d:02d}.txt": page(f"页{d}", 3) for d in range(1, 21)})
    ix = tmp_path / "ix"
    index_paths([pages], ix, procs=procs, rebuild=True)
    gen = store.current_generation(ix)
    with IndexHandle(ix) as h, h.searcher() as s:
        chunks = substring.read_list(gen, s.reader().generation(), exact=True)["chunks"]
    assert sum(c["postings"] for c in chunks) > 20 * substring.CHUNK_POSTINGS
    assert 1 <= len(chunks) <= procs                  # one per index process
    assert substring_ids(ix, "项目建设推进会") == set(indexed_ids(ix)) == expected_ids(pages)
    # a smaller flush size (little free memory) gives more chunks, the same hits
    monkeypatch.setattr(substring, "FLUSH_POSTINGS", 2000)
    monkeypatch.setattr(substring, "MAX_CHUNKS", 1000)
    index_paths([pages], ix, procs=procs, rebuild=True)
    gen = store.current_generation(ix)
    with IndexHandle(ix) as h, h.searcher() as s:
        chunks = substring.read_list(gen, s.reader().generation(), exact=True)["chunks"]
    assert len(chunks) > procs
    assert substring_ids(ix, "项目建设推进会") == set(indexed_ids(ix)) == expected_ids(pages)


def test_flush_size_follows_free_memory(monkeypatch):
    from indexer import substring

    monkeypatch.setattr(substring, "_available_memory", lambda: 64 << 30)
    assert substring.flush_postings(2) == substring.FLUSH_POSTINGS
    monkeypatch.setattr(substring, "_available_memory", lambda: 1 << 30)
    small = substring.flush_postings(2)
    assert substring.CHUNK_POSTINGS <= small < substring.FLUSH_POSTINGS
    assert small * 2 * substring.FLUSH_BYTES_PER_POSTING <= (1 << 30) // 2 + 2 * substring.FLUSH_BYTES_PER_POSTING
    monkeypatch.setattr(substring, "_available_memory", lambda: None)
    assert substring.flush_postings(2) == substring.CHUNK_POSTINGS
