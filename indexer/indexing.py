"""Incremental and full (re)indexing of page files into the store.

``index_paths`` finds the page files under the given paths and brings the index in line:

* unchanged files are skipped: not read at all when their stat is as recorded
  (indexer/filestate.py), else read and skipped when their content sha256 is;
* a new or changed file is parsed and its articles replace the ones it had before;
* a file recorded under one of the given folders that no longer exists loses its articles;
* a broken file is reported by path (``files_failed``) and skipped; its old articles stay.

A rebuild (``rebuild=True``, a missing index, or an index built by another analyzer version)
writes a fresh generation beside the live one and swaps it in atomically; readers keep the
old index until the swap. Incremental runs commit into the live generation. The file list
(content hashes and article ids, store.write_manifest) and the substring chunk list of a
commit are written before the commit under its Whoosh generation number, and Whoosh's
commit (renaming its table of contents) is atomic: so the live commit and its file list
always agree, whatever stops a run (a kill, a full disk), and the next run starts from a
list that describes the index exactly. Articles are deleted by source and id before they
are added again, so repeating work is harmless.

Parsing and tokenising run in ``procs`` worker processes, each writing its own Whoosh segment
and its own substring-index chunks (indexer/substring.py); the parent applies deletions,
writes the substring chunk list for the commit it is about to make, and commits all
segments in one table of contents. Every article gets a ``dockey`` (a counter shared by the
workers, kept in the chunk list) that links its substring postings to its Whoosh document;
postings of deleted or never-committed articles map to no document and are dropped when
chunks are merged.
"""
from __future__ import annotations

import hashlib
import multiprocessing
import os
import queue
import shutil
import time
import traceback
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Iterable

import numpy as np
from whoosh.writing import SegmentWriter

from indexer import filestate, store, stories, substring
from indexer.analysis import analyzer_version, key_terms, normalize, segment, segmenter
from indexer.article import Article
from indexer.pages import parse_bytes
from indexer.reading import (PageReadError, describe_bad_lines, display_path, iter_page_entries,
                             read_page_bytes, reader_name, undecodable_lines)
from indexer.schema import (SCHEMA_VERSION, article_document, build_schema, index_version,
                            indexed_title)

WRITER_TIMEOUT = 60.0          # seconds to wait for Whoosh's own write lock
WRITER_LIMIT_MB = 128          # posting-pool memory per writer before spilling to disk
# Below this many files to parse, worker processes cost more than they save.
PARALLEL_MIN_FILES = 16

ProgressFn = Callable[[int, int], None]


class IndexWriteError(Exception):
    """The index directory could not be written (full disk, read-only, permissions)."""


class RebuildWouldLose(Exception):
    """A rebuild could not read page files the live index holds articles of (an unreadable
    folder): it is not done, the live index stays as it is."""

    def __init__(self, files: list[str], articles: int):
        self.files, self.articles = files, articles
        shown = "; ".join(files[:5]) + (f" 等 {len(files)} 个" if len(files) > 5 else "")
        super().__init__(f"未重建: 索引中 {articles} 篇文章所在的 {len(files)} 个文件现在无法读取 "
                         f"({shown}); 重建会丢失这些文章, 原索引保持不变。"
                         "请恢复读取权限后重试; 若文件已不需要, 请将其删除后重试。")


@dataclass
class IndexReport:
    index_dir: str = ""
    files_read: int = 0            # files parsed (new or changed)
    files_skipped: int = 0         # unchanged since the last run
    files_failed: list[tuple[str, str]] = field(default_factory=list)   # (path, reason)
    files_warned: list[tuple[str, str]] = field(default_factory=list)   # indexed, with a problem
    added: int = 0
    updated: int = 0
    deleted: int = 0
    seconds: float = 0.0
    rebuilt: bool = False
    rebuild_reason: str = ""       # why a rebuild happened ("" for incremental runs)
    doc_count: int = 0             # articles in the live index after the run

    @property
    def ok(self) -> bool:
        return not self.files_failed


def default_index_dir() -> Path:
    """$NEWSEARCH_INDEX_DIR, else ~/.local/share/newsearch/index."""
    env = os.environ.get("NEWSEARCH_INDEX_DIR")
    if env:
        return Path(env).expanduser()
    return Path.home() / ".local" / "share" / "newsearch" / "index"


# --------------------------------------------------------------------------- one file

@dataclass
class _FileResult:
    key: str                       # resolved absolute path (manifest key)
    path: str                      # path as found (used as Article.source)
    status: str                    # "parsed" | "unchanged" | "failed"
    sha256: str = ""
    stat: dict = field(default_factory=dict)     # filestate.record() of the file as read
    ids: list[str] = field(default_factory=list)
    reason: str = ""
    warning: str = ""              # indexed, but e.g. some lines could not be decoded
    # The story signatures of the file's articles (stories.Signatures), computed where the
    # text is at hand, so the parent only clusters.
    signatures: "stories.Signatures | None" = None


def _token_ends(words: list[str]) -> np.ndarray:
    return np.cumsum(np.fromiter(map(len, words), dtype=np.int64, count=len(words)))


def analyse_article(a: Article, dockey: int) -> tuple[dict, list]:
    """(Whoosh document, substring fields) of one article: jieba runs once per field and
    gives the word-boundary flags of the substring index and the key words."""
    title, body = normalize(indexed_title(a)), normalize(a.body)
    tw, bw = segment(title), segment(body)
    fields = [substring.field_codes(title, _token_ends(tw)),
              substring.field_codes(body, _token_ends(bw))]
    return article_document(a, dockey, key_terms(tw + bw)), fields


class _Sink:
    """Where one process puts its articles: a Whoosh writer and a substring chunk builder."""

    def __init__(self, writer, gen_dir, alloc: Callable[[int], int], flush_at: int):
        self.writer = writer
        self.flush_at = flush_at       # postings per chunk (substring.flush_postings)
        self.gen_dir = gen_dir
        self.alloc = alloc
        self.builder = substring.ChunkBuilder()
        self.chunks: list[dict] = []

    def add_file(self, articles: list[Article]) -> "stories.Signatures":
        """Index the articles; returns their story signatures."""
        key = self.alloc(len(articles))
        sigs = stories.Signatures.empty(len(articles))
        for row, a in enumerate(articles):
            doc, fields = analyse_article(a, key)
            self.writer.add_document(**doc)
            self.builder.add(key, fields)
            sigs.set(row, key, a.body, doc["date"], a.id)
            key += 1
        if self.builder.full(self.flush_at):
            self.flush()
        return sigs

    def flush(self) -> list[dict]:
        entry = substring.flush(self.builder, self.gen_dir)
        if entry is not None:
            self.chunks.append(entry)
        return self.chunks


class _Counter:
    """Dockey allocation in one process."""

    def __init__(self, start: int):
        self.value = start

    def __call__(self, n: int) -> int:
        first = self.value
        self.value += n
        return first


class _SharedCounter:
    """Dockey allocation shared by forked workers."""

    def __init__(self, value):
        self.shared = value

    def __call__(self, n: int) -> int:
        with self.shared.get_lock():
            first = self.shared.value
            self.shared.value += n
        return first


def _read_hashed(path: str) -> tuple[bytes, str, dict]:
    """(bytes, sha256, filestate record) of a page file; raises PageReadError or OSError."""
    seen_ns = time.time_ns()        # before the read: a later change is never trusted
    data = read_page_bytes(path)
    st = os.stat(path)
    return data, hashlib.sha256(data).hexdigest(), filestate.record(st, seen_ns)


def _process_file(job: tuple[str, str, str], sink: "_Sink") -> _FileResult:
    """Read, hash and (when changed) parse one file, handing its articles to `sink`."""
    path, key, old_sha = job
    p = Path(path)
    shown = display_path(path)      # the source recorded and shown (non-UTF-8 bytes escaped)
    try:
        data, sha, record = _read_hashed(path)
    except PageReadError as e:
        return _FileResult(key, shown, "failed", reason=e.reason)
    except OSError as e:            # gone between reading and stat
        return _FileResult(key, shown, "failed", reason=f"无法读取: {e.strerror or e}")
    result = _FileResult(key, shown, "unchanged", sha, record)
    if sha == old_sha:
        return result
    try:
        articles, _reader = parse_bytes(p, data)
    except ValueError as e:
        return _FileResult(key, shown, "failed", reason=str(e))
    except Exception as e:  # a parser bug must not stop the whole run
        return _FileResult(key, shown, "failed",
                           reason=f"解析失败: {type(e).__name__}: {e}")
    seen, unique = set(), []
    for article in articles:
        if article.id in seen:      # the same article twice on one page: index it once
            continue
        seen.add(article.id)
        unique.append(article)
    result.signatures = sink.add_file(unique)
    result.ids = [a.id for a in unique]
    result.status = "parsed"
    if reader_name(p) == "text":
        bad = undecodable_lines(data)
        if bad:
            result.warning = describe_bad_lines(bad)
    return result


# --------------------------------------------------------------------------- workers

def _worker_main(gen_dir: str, jobs, results, limitmb: int, inherited_fds: list[int],
                 parent_pid: int, counter, flush_at: int) -> None:
    """Worker process: parse files from `jobs` into its own segment of the index."""
    _die_with_parent(parent_pid)
    # The forked copies of the parent's lock descriptors would keep the run lock and
    # Whoosh's write lock held after the parent died: drop them (the parent keeps its own).
    for fd in inherited_fds:
        try:
            os.close(fd)
        except OSError:
            pass
    try:
        ix = store.open_index(gen_dir)
        writer = SegmentWriter(ix, _lk=False, limitmb=limitmb)
        sink = _Sink(writer, gen_dir, _SharedCounter(counter), flush_at)
        while True:
            try:
                job = jobs.get(timeout=1.0)
            except queue.Empty:
                if os.getppid() != parent_pid:      # the parent was killed: stop quietly
                    os._exit(1)
                continue
            if job is None:
                break
            if os.getppid() != parent_pid:
                os._exit(1)
            results.put(("file", _process_file(job, sink)))
        chunks = sink.flush()
        if writer._added:
            segment = writer._finalize_segment()
        else:
            writer._close_segment()
            segment = None
        results.put(("segment", (segment, chunks)))
    except OSError as e:           # full disk, read-only, file size limit: the parent says so
        results.put(("oserror", (e.errno, e.strerror or str(e), e.filename)))
        return                     # no traceback on stderr: the parent reports it
    except BaseException:
        results.put(("crash", traceback.format_exc()))
        raise


def _die_with_parent(parent_pid: int) -> None:
    """Have the kernel kill this process when its parent dies (Linux PR_SET_PDEATHSIG), so a
    killed indexer never leaves workers behind, blocked on a queue nobody reads. Elsewhere the
    worker's own getppid() checks stop it at its next job."""
    try:
        import ctypes
        import signal

        libc = ctypes.CDLL(None, use_errno=True)
        PR_SET_PDEATHSIG = 1
        libc.prctl(PR_SET_PDEATHSIG, int(signal.SIGKILL), 0, 0, 0)
    except (OSError, AttributeError):
        pass
    if os.getppid() != parent_pid:      # the parent died before the signal was armed
        os._exit(1)


def _commit_with_segments(writer: SegmentWriter, segments: list) -> None:
    """Commit `writer` (its deletions and own documents) plus segments built by workers."""
    final = writer._merge_segments(None, None, None)
    if writer._added:
        final.append(writer._finalize_segment())
    else:
        writer._close_segment()
    writer._commit_toc(final + segments)
    writer._finish()


class _Run:
    """One index run against a target generation (live for incremental, new for rebuild)."""

    def __init__(self, gen_dir: Path, manifest: dict, report: IndexReport,
                 progress: ProgressFn | None, procs: int, fresh: bool, lock_fds: list[int],
                 previous: dict | None = None, now: str | None = None):
        self.gen_dir = gen_dir
        # The live index's file list (also on a rebuild) and this run's time: an article keeps
        # the time it first entered the index ("first_seen", per id) through updates and rebuilds.
        self.previous = previous if previous is not None else manifest
        self.now = now or store.now_iso()
        self.lock_fds = lock_fds
        self.fresh = fresh             # a new generation: nothing to delete
        self.manifest = manifest
        self.report = report
        self.progress = progress
        self.procs = procs
        self.ix = store.open_index(gen_dir)
        self.writer = self.ix.writer(timeout=WRITER_TIMEOUT, limitmb=WRITER_LIMIT_MB)
        self.done = 0
        self.total = 0
        self.committed = False         # the commit happened: the index changed
        # The substring chunks of the commit this run replaces, and the next free dockey.
        self.base = substring.read_list(gen_dir, self.writer.generation - 1)
        self.new_chunks: list[dict] = []
        self.next_dockey = int(self.base.get("next_dockey", 1))
        self.signatures: list = []     # stories.Signatures of the articles this run added

    def delete_ids(self, ids: Iterable[str]) -> None:
        if self.fresh:
            return
        for i in ids:
            self.writer.delete_by_term("id", i)

    def apply(self, res: _FileResult) -> None:
        """Deletions and counts for one processed file (its documents are already added)."""
        old = self.manifest.get(res.key)
        if res.status == "failed":
            self.report.files_failed.append((res.path, res.reason))
        elif res.status == "unchanged" and old is not None:
            self.report.files_skipped += 1
            old.update(res.stat)        # same content, new stat (touched, copied back)
        else:
            self.report.files_read += 1
            if res.warning:
                self.report.files_warned.append((res.path, res.warning))
            old_ids = set(old.get("ids", ())) if old else set()
            new_ids = set(res.ids)
            # Replace: the file's previous articles (by id and by source) and any copy of the
            # new ones (a crash between commit and manifest, or the same page elsewhere).
            self.delete_ids(old_ids | new_ids)
            if not self.fresh:
                if old:
                    self.writer.delete_by_term("source", old.get("source", res.path))
                self.writer.delete_by_term("source", res.path)
            if res.signatures is not None:
                self.signatures.append(res.signatures)
            self.report.added += len(new_ids - old_ids)
            self.report.updated += len(new_ids & old_ids)
            self.report.deleted += len(old_ids - new_ids)
            self.manifest[res.key] = {
                "source": res.path, "sha256": res.sha256, **res.stat, "ids": res.ids,
                "first_seen": self._first_seen(res.key, res.ids, old),
            }
        self.done += 1
        if self.progress:
            self.progress(self.done, self.total)

    def _first_seen(self, key: str, ids, old: dict | None) -> dict:
        prior: dict = {}
        for rec in (self.previous.get(key), old):
            if rec:
                prior.update(rec.get("first_seen") or {})
        return {i: prior.get(i, self.now) for i in ids}

    def remove(self, key: str) -> None:
        old = self.manifest.pop(key)
        self.delete_ids(old.get("ids", ()))
        self.writer.delete_by_term("source", old.get("source", key))
        self.report.deleted += len(old.get("ids", ()))

    def process(self, jobs: list[tuple[str, str, str]]) -> None:
        self.total = len(jobs)
        if self.procs > 1 and len(jobs) >= PARALLEL_MIN_FILES:
            self._process_parallel(jobs)
        else:
            counter = _Counter(self.next_dockey)
            sink = _Sink(self.writer, self.gen_dir, counter, substring.flush_postings(1))
            for job in jobs:
                self.apply(_process_file(job, sink))
            self.new_chunks = sink.flush()
            self.next_dockey = counter.value
            self._write_commit_lists()
            self.writer.commit()
        self.committed = True
        self._after_commit()

    def _write_commit_lists(self) -> None:
        """The substring chunks and the file list of the commit about to be made (written
        before it, under its generation: the commit makes them live)."""
        self.chunks = list(self.base["chunks"]) + self.new_chunks
        substring.write_list(self.gen_dir, self.writer.generation, self.chunks, self.next_dockey)
        store.write_manifest(self.gen_dir, self.writer.generation, self.manifest)

    def _after_commit(self) -> None:
        """Merge small chunks when there are many (dropping dead articles), then remove
        files no kept chunk list names."""
        generation = self.writer.generation
        if len(self.chunks) > substring.MAX_CHUNKS:
            with self.ix.reader() as reader:
                live = np.zeros(reader.doc_count_all(), dtype=bool)
                live[np.fromiter(reader.all_doc_ids(), dtype=np.int64)] = True
                dockeys = substring.dockey_column(reader)
            live_keys = np.sort(dockeys[live & (dockeys > 0)])
            chunks = substring.compact(self.gen_dir, self.chunks, live_keys,
                                      max_chunks=substring.MAX_CHUNKS)
            substring.write_list(self.gen_dir, generation, chunks, self.next_dockey)
        substring.cleanup(self.gen_dir, generation)
        store.prune_manifests(self.gen_dir, generation)

    def _process_parallel(self, jobs) -> None:
        segmenter().fast             # set up once; forked workers share it copy-on-write
        ctx = multiprocessing.get_context("fork")
        job_q, result_q = ctx.Queue(), ctx.Queue()
        counter = ctx.Value("q", self.next_dockey)
        fds = [fd for fd in (*self.lock_fds, getattr(self.writer.writelock, "fd", None))
               if fd is not None]
        workers = [ctx.Process(target=_worker_main, daemon=True,
                               args=(str(self.gen_dir), job_q, result_q, WRITER_LIMIT_MB,
                                     fds, os.getpid(), counter,
                                     substring.flush_postings(self.procs)))
                   for _ in range(self.procs)]
        for w in workers:
            w.start()
        try:
            for job in jobs:
                job_q.put(job)
            for _ in workers:
                job_q.put(None)
            segments, finished = [], 0
            while finished < len(workers):
                try:
                    kind, payload = result_q.get(timeout=1.0)
                except queue.Empty:
                    if any(not w.is_alive() and w.exitcode for w in workers):
                        raise RuntimeError("索引子进程意外退出")
                    continue
                if kind == "file":
                    self.apply(payload)
                elif kind == "segment":
                    finished += 1
                    segment, chunks = payload
                    if segment is not None:
                        segments.append(segment)
                    self.new_chunks.extend(chunks)
                elif kind == "oserror":
                    errno_, strerror, filename = payload
                    raise OSError(errno_, strerror, filename)
                else:
                    raise RuntimeError(f"索引子进程出错:\n{payload}")
            for w in workers:
                w.join()
            self.next_dockey = counter.value
            self._write_commit_lists()
            _commit_with_segments(self.writer, segments)
        finally:
            for w in workers:
                if w.is_alive():
                    w.kill()
                    w.join()
            # Jobs no worker will read must not hold this process at exit (the queue's
            # feeder thread would wait forever to write them into the pipe).
            for q in (job_q, result_q):
                q.cancel_join_thread()
                q.close()

    def has_committed(self) -> bool:
        """Whether this run's commit is on disk (also when the commit call failed after
        writing its table of contents, e.g. while removing temporary files)."""
        if self.committed:
            return True
        try:
            return store.open_index(self.gen_dir, readonly=True).latest_generation() >= self.writer.generation
        except Exception:
            return False

    def cancel(self) -> None:
        try:
            if not self.writer.is_closed:
                self.writer.cancel()
        except Exception:
            pass


# --------------------------------------------------------------------------- entry point

def _gone(key: str) -> bool:
    """The file is really gone (not just unreadable: a folder without permission keeps the
    articles of its files, and the walk reports the folder)."""
    try:
        os.stat(key)
    except (FileNotFoundError, NotADirectoryError):
        return True
    except OSError:
        return False
    return False


class _FileKeys:
    """The file list key of a page file: its absolute path with every symlink resolved
    (``str(path.resolve())``), each folder resolved once: resolving each of a million-article
    archive's 205k files component by component was a fifth of a no-op update."""

    def __init__(self):
        self._folders: dict[str, str] = {}

    def __call__(self, path, link: bool | None = None) -> str:
        """`link`: whether `path` is a symlink, when the caller knows (else looked up)."""
        s = os.fspath(path)
        folder, name = os.path.split(s)
        if not name or name in (".", "..") or (os.path.islink(s) if link is None else link):
            return os.path.realpath(s)
        real = self._folders.get(folder)
        if real is None:
            real = self._folders[folder] = os.path.realpath(folder or os.curdir)
        return os.path.join(real, name)


def _complete_generation(gen_dir: Path) -> int | None:
    """The newest commit of gen_dir when it has everything a run writes after committing
    (an interrupted run may have committed without its stories file), else None."""
    try:
        generation = store.open_index(gen_dir, readonly=True).latest_generation()
    except Exception:
        return None
    return generation if stories.stories_path(gen_dir, generation).is_file() else None


def _settle(jobs: list, sizes: dict, manifest: dict, report: IndexReport) -> tuple[list, bool]:
    """(jobs left, whether any record changed): a known file whose stat could not be
    trusted (written just before the last read, touched, copied back) but whose size (as
    walked, in `sizes` by key) and content hash are still the recorded ones only gets a new
    stat record; it is not parsed, and when every file settles so, the run needs no commit."""
    left, settled = [], False
    for job in jobs:
        path, key, old_sha = job
        rec = manifest.get(key)
        if not old_sha or not rec or sizes.get(key) != rec.get("size"):
            left.append(job)
            continue
        try:
            _data, sha, record = _read_hashed(path)
        except (PageReadError, OSError):
            left.append(job)                # the run reads it and reports what is wrong
            continue
        if sha != old_sha:
            left.append(job)
            continue
        rec.update(record)
        report.files_skipped += 1
        settled = True
    return left, settled


def _under(key: str, roots: list[str]) -> bool:
    return any(key == r or key.startswith(r.rstrip(os.sep) + os.sep) for r in roots)


def index_paths(paths, index_dir=None, rebuild: bool = False,
                progress: ProgressFn | None = None, errors: list | None = None,
                procs: int | None = None, wait: float = 0.0,
                notice: Callable[[str], None] | None = None) -> IndexReport:
    """Index the page files under `paths` into `index_dir` (see the module docstring).

    progress(done, total) is called after each file; `errors` (if given) receives the
    (path, reason) of every failed file or path; notice(message) gets announcements such as
    an automatic rebuild. Raises store.IndexBusy when another run holds the lock (after
    waiting `wait` seconds) and IndexWriteError when the index cannot be written.
    """
    started = time.monotonic()
    index_dir = Path(index_dir) if index_dir is not None else default_index_dir()
    paths = [Path(p) for p in paths]
    procs = max(1, procs if procs is not None else (os.cpu_count() or 1))
    report = IndexReport(index_dir=str(index_dir))
    try:
        lock = store.IndexLock(index_dir, wait).acquire()
    except OSError as e:
        raise IndexWriteError(_write_error_message(index_dir, e)) from e
    run = None
    fresh_gen = None
    published = False
    try:
        store.prune_generations(index_dir)
        live = store.current_generation(index_dir)
        meta = store.read_meta(live) if live else {}
        old_files: dict = {}
        manifest_problem = ""
        if live is not None:
            try:
                old_files = store.read_manifest(live)
            except store.ManifestMissing as e:
                manifest_problem = str(e)
            except Exception as e:     # an unreadable index: rebuild it from the files
                manifest_problem = f"{type(e).__name__}: {e}"
        if live is None:
            rebuild, report.rebuild_reason = True, "new"
        elif rebuild:
            report.rebuild_reason = "requested"
        elif meta.get("index_version") != index_version():
            rebuild, report.rebuild_reason = True, "version"
            if notice:
                notice("索引由旧版分词器或词典建立,正在重建整个索引 (analyzer or dictionary changed: "
                       f"{meta.get('index_version')} -> {index_version()}; rebuilding)")
        elif manifest_problem:
            rebuild, report.rebuild_reason = True, "manifest"
            if notice:
                notice("索引的文件清单缺失或损坏,正在重建整个索引 (the file list of the live "
                       f"index is missing or damaged; rebuilding: {manifest_problem})")
        report.rebuilt = rebuild

        walk_errors: list = []
        files = list(iter_page_entries(paths, walk_errors))
        file_key = _FileKeys()
        roots = [str(p.resolve()) for p in paths if p.exists()]
        if report.rebuild_reason in ("version", "manifest"):
            # Keep what the old index held outside the given paths.
            extra = [k for k in old_files if not _under(k, roots) and not _gone(k)]
            files += list(iter_page_entries(extra, walk_errors))
        for path, reason in walk_errors:
            report.files_failed.append((str(path), reason))
        if rebuild and old_files:
            # A rebuild starts from nothing: files of the live index that still exist but
            # could not be reached (an unreadable folder) would lose their articles.
            walked = {file_key(f.path, f.link) for f in files}
            keep_all = report.rebuild_reason in ("version", "manifest")
            stranded = [k for k in old_files if k not in walked and (keep_all or _under(k, roots))
                        and not _gone(k)]
            if stranded:
                raise RebuildWouldLose([old_files[k].get("source", k) for k in stranded],
                                       sum(len(old_files[k].get("ids", ())) for k in stranded))

        now = store.now_iso()
        if rebuild:
            new_meta = {"created": now, "previous": live.name if live else None}
            fresh_gen = store.new_generation(index_dir, build_schema(), _versions(new_meta))
            target, manifest = fresh_gen, {}
        else:
            target, manifest = live, old_files

        jobs, seen, sizes = [], set(), {}
        for f in files:
            key = file_key(f.path, f.link)
            if key in seen:
                continue
            seen.add(key)
            rec = manifest.get(key)
            if not rebuild and rec is not None and filestate.unchanged(f.stat, rec):
                report.files_skipped += 1       # as it was read last time: not read again
                continue
            jobs.append((f.path, key, (rec or {}).get("sha256", "")))
            sizes[key] = f.stat.st_size
        del files
        gone = [] if rebuild else [k for k in manifest if k not in seen and _under(k, roots) and _gone(k)]
        settled = False
        if not rebuild:
            jobs, settled = _settle(jobs, sizes, manifest, report)
        del sizes
        # Nothing changed since the live commit and that commit is complete: no writer, no
        # commit, no stories (at a million articles a no-op run spent 10 s rewriting the same
        # file list and stories); only new stat records are written into its file list.
        live_generation = None if (rebuild or jobs or gone) else _complete_generation(target)
        if live_generation is not None:
            if settled:
                store.write_manifest(target, live_generation, manifest)
        else:
            run = _Run(target, manifest, report, progress, procs, fresh=rebuild,
                       lock_fds=[lock.fileno()], previous=old_files, now=now)
            for key in gone:
                run.remove(key)
            run.process(jobs)
            # near-duplicate stories of the new commit (the new articles' signatures come along)
            fresh, run.signatures = stories.Signatures.concat(run.signatures), []
            stories.update(target, fresh)
            del fresh

        meta = store.read_meta(target)
        meta.pop("files", None)            # the file list lives in files-N.json now
        meta.update(updated=store.now_iso())
        store.write_meta(target, _versions(meta))
        if rebuild:
            store.publish(index_dir, target)
            fresh_gen = None
            published = True
        with store.open_index(target).searcher() as s:
            report.doc_count = s.doc_count()
    except OSError as e:
        if run is not None:
            run.cancel()
        changed = published or (run is not None and not rebuild and run.has_committed())
        raise IndexWriteError(_write_error_message(index_dir, e, changed)) from e
    except BaseException:
        if run is not None:
            run.cancel()
        raise
    finally:
        if fresh_gen is not None:     # an unfinished rebuild: the live index stays as it was
            shutil.rmtree(fresh_gen, ignore_errors=True)
        lock.release()
    if errors is not None:
        errors.extend(report.files_failed)
    report.seconds = time.monotonic() - started
    return report


def _versions(meta: dict) -> dict:
    meta.update(index_version=index_version(), analyzer_version=analyzer_version(),
                schema_version=SCHEMA_VERSION)
    return meta


def _write_error_message(index_dir: Path, e: OSError, changed: bool = False) -> str:
    if changed:
        return (f"无法写入索引目录 {index_dir}: {e.strerror or e} "
                "(cannot write the index; the update was committed and the live index is "
                "consistent with its file list, but a finishing step failed - the next run "
                "completes it) 索引已更新,收尾步骤失败,下次运行时完成")
    return (f"无法写入索引目录 {index_dir}: {e.strerror or e} "
            f"(cannot write the index; the live index is unchanged)")


def write_articles(articles: Iterable[Article], index_dir) -> Path:
    """Build a fresh live index holding exactly `articles` (for tests and benchmarks)."""
    index_dir = Path(index_dir)
    with store.IndexLock(index_dir):
        live = store.current_generation(index_dir)
        meta = {"created": store.now_iso(), "previous": live.name if live else None}
        gen = store.new_generation(index_dir, build_schema(), _versions(meta))
        writer = store.open_index(gen).writer(timeout=WRITER_TIMEOUT)
        builder = substring.ChunkBuilder()
        key = 1
        for a in articles:
            doc, fields = analyse_article(a, key)
            writer.update_document(**doc)
            builder.add(key, fields)
            key += 1
        entry = substring.flush(builder, gen)
        substring.write_list(gen, writer.generation, [entry] if entry else [], key)
        store.write_manifest(gen, writer.generation, {})
        writer.commit()
        stories.update(gen)
        store.publish(index_dir, gen)
    return gen
