"""Generations, the atomic CURRENT swap, the run lock and IndexHandle, on real indexes."""
from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import threading
import time

import pytest
from whoosh.query import Every

from indexer import store
from indexer.article import Article, article_id
from indexer.indexing import write_articles
from indexer.schema import article_document
from indexer.store import IndexBusy, IndexHandle, IndexLock, IndexNotFound, IndexVersionMismatch


def articles(n: int, tag: str) -> list[Article]:
    out = []
    for i in range(n):
        title, body = f"{tag}标题{i}", f"{tag}正文第{i}篇,惠济区项目建设。"
        out.append(Article(id=article_id(f"{tag}.txt", title, body), source=f"{tag}.txt",
                           ordinal=i + 1, title=title, subtitle="", body=body,
                           date="2022-03-23", district="惠济区"))
    return out


def count(handle: IndexHandle) -> int:
    with handle.searcher() as s:
        return len(s.search(Every(), limit=None))


def test_missing_index_says_how_to_build_it(tmp_path):
    with pytest.raises(IndexNotFound, match="newsearch index"):
        with IndexHandle(tmp_path / "nothing").searcher():
            pass
    (tmp_path / "empty").mkdir()
    with pytest.raises(IndexNotFound):
        IndexHandle(tmp_path / "empty").info()


def test_handle_follows_swaps_and_commits(tmp_path):
    ix_dir = tmp_path / "ix"
    write_articles(articles(3, "甲"), ix_dir)
    with IndexHandle(ix_dir) as h:
        gen1 = h.generation()
        assert count(h) == 3
        write_articles(articles(5, "乙"), ix_dir)           # a rebuild: new generation
        gen2 = h.generation()
        assert gen2 != gen1 and count(h) == 5
        writer = store.open_index(store.current_generation(ix_dir)).writer(timeout=5)
        writer.add_document(**article_document(articles(1, "丙")[0]))
        writer.commit()                                     # an incremental commit
        assert h.generation() != gen2 and count(h) == 6
        info = h.info()
        assert info["doc_count"] == 6 and info["version_ok"] and info["created"]


def test_each_call_gets_its_own_searcher(tmp_path):
    write_articles(articles(2, "甲"), tmp_path / "ix")
    with IndexHandle(tmp_path / "ix") as h:
        with h.searcher() as s1, h.searcher() as s2:
            assert s1 is not s2 and s1.reader() is not s2.reader()
            assert s1.doc_count() == s2.doc_count() == 2


def test_version_mismatch_asks_for_rebuild(tmp_path):
    gen = write_articles(articles(1, "甲"), tmp_path / "ix")
    meta = store.read_meta(gen)
    meta["index_version"] = "s0/a0-old"
    store.write_meta(gen, meta)
    h = IndexHandle(tmp_path / "ix")
    with pytest.raises(IndexVersionMismatch, match="--rebuild"):
        with h.searcher():
            pass
    assert h.info()["version_ok"] is False
    h.close()


def test_old_generations_are_pruned_but_the_previous_one_kept(tmp_path):
    ix_dir = tmp_path / "ix"
    gens = [write_articles(articles(1, t), ix_dir).name for t in "甲乙丙丁"]
    left = sorted(p.name for p in ix_dir.iterdir() if p.name.startswith(store.GEN_PREFIX))
    assert left == sorted(gens[-2:])
    assert store.current_name(ix_dir) == gens[-1]
    assert not [p for p in ix_dir.iterdir() if p.name.endswith(".tmp")]


def test_current_pointing_nowhere_is_not_an_index(tmp_path):
    (tmp_path / store.CURRENT_FILE).write_text("gen-missing\n")
    assert store.current_generation(tmp_path) is None
    (tmp_path / store.CURRENT_FILE).write_text("../etc\n")
    assert store.current_generation(tmp_path) is None


def test_write_atomic_replaces_content(tmp_path):
    p = tmp_path / "f.json"
    store.write_atomic(p, b"one")
    store.write_atomic(p, b"two")
    assert p.read_bytes() == b"two" and os.listdir(tmp_path) == ["f.json"]


def test_second_lock_is_refused_with_holder_pid(tmp_path):
    with IndexLock(tmp_path):
        with pytest.raises(IndexBusy, match=f"另一个索引任务正在运行 \\(pid {os.getpid()}"):
            IndexLock(tmp_path).acquire()
    with IndexLock(tmp_path):      # released: can be taken again
        pass


def test_lock_wait_gets_the_lock_when_released(tmp_path):
    first = IndexLock(tmp_path).acquire()
    threading.Timer(0.3, first.release).start()
    t0 = time.monotonic()
    with IndexLock(tmp_path, wait=10):
        assert time.monotonic() - t0 >= 0.2


def test_lock_of_a_killed_process_is_recovered(tmp_path):
    code = ("import sys, time; from indexer.store import IndexLock; "
            "IndexLock(sys.argv[1]).acquire(); print('locked', flush=True); time.sleep(60)")
    proc = subprocess.Popen([sys.executable, "-c", code, str(tmp_path)], stdout=subprocess.PIPE,
                            text=True, cwd=os.path.dirname(os.path.dirname(__file__)))
    try:
        assert proc.stdout.readline().strip() == "locked"
        with pytest.raises(IndexBusy) as busy:
            IndexLock(tmp_path).acquire()
        assert busy.value.holder["pid"] == proc.pid
    finally:
        proc.send_signal(signal.SIGKILL)
        proc.wait()
        proc.stdout.close()
    # The lock file still names the dead process, but the kernel released the lock.
    assert json.loads((tmp_path / store.LOCK_FILE).read_text())["pid"] == proc.pid
    with IndexLock(tmp_path):
        pass


def test_readers_see_old_or_new_index_complete_during_swaps(tmp_path):
    ix_dir = tmp_path / "ix"
    write_articles(articles(4, "v0"), ix_dir)
    sizes = {4} | {4 + k for k in range(1, 6)}
    seen, errors, stop = set(), [], threading.Event()
    handle = IndexHandle(ix_dir)

    def search():
        while not stop.is_set():
            try:
                n = count(handle)
                seen.add(n)
                if n not in sizes:
                    errors.append(f"partial result: {n}")
            except Exception as e:  # any error is a failure of the store
                errors.append(repr(e))

    threads = [threading.Thread(target=search) for _ in range(4)]
    for t in threads:
        t.start()
    try:
        for k in range(1, 6):
            write_articles(articles(4 + k, f"v{k}"), ix_dir)
            time.sleep(0.05)
    finally:
        stop.set()
        for t in threads:
            t.join()
        handle.close()
    assert errors == []
    with IndexHandle(ix_dir) as h:
        assert count(h) == 9


def test_a_missing_length_column_is_looked_up_once_per_reader(tmp_path, monkeypatch):
    """Whoosh's per-document reader stat()ed a missing column on every field-length call;
    store keeps the answer per reader (and the lengths stay what the columns hold)."""
    gen = write_articles(articles(5, "甲"), tmp_path / "ix")
    with store.open_index(gen).reader() as r:
        want = [r.doc_field_length(d, "title") for d in range(5)]
    with store.open_index(gen).reader() as r:
        perdoc = r._perdoc                                      # Whoosh's W3PerDocReader
        looked = []
        real = perdoc._storage.file_exists
        monkeypatch.setattr(perdoc._storage, "file_exists", lambda name: looked.append(name) or real(name))
        got = []
        for d in range(5):
            assert not perdoc.doc_field_length(d, "source")      # an ID field: no lengths
            got.append(perdoc.doc_field_length(d, "title"))
        assert len(looked) <= 2                                  # once per field, not per call
        assert got == want and all(n > 0 for n in got)
