"""indexer/filestate.py: an incremental run reads only page files whose stat changed since
they were read, and never trusts a stat that a later write could share."""
from __future__ import annotations

import os

import pytest

from indexer import filestate, indexing
from indexer.indexing import index_paths
from searchapp.model import SearchQuery
from searchapp.service import SearchService


def _page(tag: str) -> str:
    return (f"# {tag}:惠济区召开项目建设推进会\n\n本报讯 3月2日,惠济区召开{tag}推进会,坚持“项目为王”。"
            f"会议要求各部门全力以赴抓落实。\n\n记者 简洋")


def _settled(path, sha="ab") -> dict:
    """A file list entry of `path` read well after it last changed."""
    st = os.stat(path)
    return {"sha256": sha, **filestate.record(st, max(st.st_mtime_ns, st.st_ctime_ns) + 2 * filestate.RACY_NS)}


def test_a_file_as_recorded_is_unchanged(tmp_path):
    f = tmp_path / "a.txt"
    f.write_text("甲", encoding="utf-8")
    assert filestate.unchanged(os.stat(f), _settled(f))


@pytest.mark.parametrize("field", ["size", "mtime_ns", "ctime_ns", "ino"])
def test_any_stat_field_that_differs_means_changed(tmp_path, field):
    f = tmp_path / "a.txt"
    f.write_text("甲", encoding="utf-8")
    rec = _settled(f)
    rec[field] += 1
    assert not filestate.unchanged(os.stat(f), rec)


def test_a_change_just_before_the_read_is_not_trusted(tmp_path):
    f = tmp_path / "a.txt"
    f.write_text("甲", encoding="utf-8")
    st = os.stat(f)
    racy = {"sha256": "ab", **filestate.record(st, st.st_ctime_ns + filestate.RACY_NS - 1)}
    assert not filestate.unchanged(st, racy)


@pytest.mark.parametrize("drop", ["sha256", "ino", "ctime_ns", "seen_ns"])
def test_an_entry_without_every_field_is_read_again(tmp_path, drop):
    f = tmp_path / "a.txt"
    f.write_text("甲", encoding="utf-8")
    rec = _settled(f)
    del rec[drop]
    assert not filestate.unchanged(os.stat(f), rec)
    assert not filestate.unchanged(os.stat(f), None)


@pytest.fixture
def reads(monkeypatch):
    """The page files the indexer reads (the real reader, counted)."""
    seen = []
    real = indexing.read_page_bytes

    def counted(path):
        seen.append(os.path.basename(path))
        return real(path)

    monkeypatch.setattr(indexing, "read_page_bytes", counted)
    monkeypatch.setattr(filestate, "RACY_NS", 0)      # files written by the test are "settled"
    return seen


def test_an_update_reads_only_files_whose_stat_changed(tmp_path, make_pages, reads):
    pages = make_pages(tmp_path / "pages", {"a.txt": _page("甲"), "b.txt": _page("乙")})
    ix = tmp_path / "ix"
    index_paths([pages], ix, procs=1)
    assert sorted(reads) == ["a.txt", "b.txt"]

    reads.clear()
    report = index_paths([pages], ix, procs=1)
    assert reads == [] and report.files_skipped == 2 and report.files_read == 0

    # The same size and the modification time put back (cp -p, rsync -t): the change time
    # still tells, so the file is read and its new text found (hashed first, then parsed:
    # a file of the recorded size might only have been touched).
    b = pages / "b.txt"
    st = os.stat(b)
    b.write_text(_page("丙"), encoding="utf-8")
    os.utime(b, ns=(st.st_atime_ns, st.st_mtime_ns))
    assert os.stat(b).st_size == st.st_size
    reads.clear()
    report = index_paths([pages], ix, procs=1)
    assert set(reads) == {"b.txt"} and report.files_read == 1 and report.files_skipped == 1
    assert SearchService(ix).search(SearchQuery(q="丙推进会")).total == 1


def test_a_touched_file_is_hashed_once_then_skipped_by_its_new_stat(tmp_path, make_pages, reads):
    pages = make_pages(tmp_path / "pages", {"a.txt": _page("甲")})
    ix = tmp_path / "ix"
    index_paths([pages], ix, procs=1)
    os.utime(pages / "a.txt")                  # new times, same content
    reads.clear()
    report = index_paths([pages], ix, procs=1)
    assert reads == ["a.txt"] and report.files_skipped == 1 and report.files_read == 0
    reads.clear()
    report = index_paths([pages], ix, procs=1)
    assert reads == [] and report.files_skipped == 1


def test_a_rebuild_reads_every_file(tmp_path, make_pages, reads):
    pages = make_pages(tmp_path / "pages", {"a.txt": _page("甲"), "b.txt": _page("乙")})
    ix = tmp_path / "ix"
    index_paths([pages], ix, procs=1)
    reads.clear()
    index_paths([pages], ix, procs=1, rebuild=True)
    assert sorted(reads) == ["a.txt", "b.txt"]


def test_file_keys_are_the_resolved_paths(tmp_path, monkeypatch):
    """Keys of files in real and symlinked folders, symlinked files and relative paths equal
    str(Path.resolve()), as the file list has always used."""
    from pathlib import Path

    real = tmp_path / "real" / "sub"
    real.mkdir(parents=True)
    (real / "a.txt").write_text("甲", encoding="utf-8")
    (tmp_path / "linked").symlink_to(tmp_path / "real")
    (tmp_path / "real" / "b.txt").symlink_to(real / "a.txt")
    monkeypatch.chdir(tmp_path)
    keys = indexing._FileKeys()
    paths = [real / "a.txt", tmp_path / "linked" / "sub" / "a.txt", tmp_path / "real" / "b.txt",
             Path("linked/sub/a.txt"), Path("real/sub/../sub/a.txt"), Path("real") / "b.txt"]
    for p in paths:
        assert keys(p) == str(Path(p).resolve()), p
        assert keys(p) == str(Path(p).resolve()), p        # and again, from the folder cache
