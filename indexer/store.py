"""The on-disk index: generations, the atomic CURRENT pointer, the run lock, and readers.

Layout of an index directory::

    index_dir/
      .lock                       flock()ed by the one running indexer (pid + start time inside)
      CURRENT                     name of the live generation, replaced atomically (os.replace)
      gen-20240101T120000-1a2b3c/ a Whoosh index + newsearch.json (versions, times)
        files-N.json              the file list (content hashes, article ids) of Whoosh commit N

Incremental runs commit into the live generation (a Whoosh commit is itself atomic: readers
see the old or the new table of contents). A rebuild writes a new generation beside the live
one and swaps CURRENT; the previous generation is kept until the next swap so readers that
still hold it keep working. Readers (IndexHandle) resolve CURRENT on every searcher() call.

The file list is part of the commit: it is written as files-N.json for the Whoosh
generation N about to be committed, before the commit, so whatever stops a run (a kill, a
full disk) leaves the list of the live commit describing exactly that commit. A list
of a commit that never happened is overwritten by the next run (it gets the same N).
"""
from __future__ import annotations

import fcntl
import json
import os
import secrets
import shutil
import socket
import threading
import time
import weakref
from contextlib import contextmanager
from datetime import datetime, timezone
from pathlib import Path
from typing import Iterator

from whoosh.filedb.filestore import FileStorage
from whoosh.index import EmptyIndexError, FileIndex
from whoosh.searching import Searcher


def _remember_missing_columns() -> None:
    """Whoosh 2.7's per-document reader looks a missing column up on disk on every call
    (``_cached_reader`` -> ``has_column`` -> a stat): finishing a segment asks for the field
    length of every posting, so each posting of a field without lengths cost a stat, 3.5 %
    of a rebuild's CPU. The answer is kept per reader instead: a reader's segment files
    never change once written."""
    from whoosh.codec import whoosh3

    cls = whoosh3.W3PerDocReader
    if getattr(cls, "_newsearch_patched", False):
        return
    missing = object()

    def _cached_reader(self, fieldname, column):
        reader = self._readers.get(fieldname, missing)
        if reader is missing:
            reader = self.column_reader(fieldname, column) if self.has_column(fieldname) else None
            self._readers[fieldname] = reader
        return reader

    cls._cached_reader = _cached_reader
    cls._newsearch_patched = True


_remember_missing_columns()

CURRENT_FILE = "CURRENT"
LOCK_FILE = ".lock"
META_FILE = "newsearch.json"
MANIFEST_PREFIX = "files-"
GEN_PREFIX = "gen-"
INDEX_NAME = "MAIN"


class IndexNotFound(Exception):
    """No live index in the directory."""

    def __init__(self, index_dir, detail: str = ""):
        self.index_dir = Path(index_dir)
        msg = f"索引不存在,请先运行 newsearch index PATH (index not found: {self.index_dir})"
        super().__init__(msg + (f": {detail}" if detail else ""))


class IndexVersionMismatch(Exception):
    """The live index was built by another analyzer/dictionary/schema version."""

    def __init__(self, index_dir, found: str | None, expected: str):
        self.index_dir, self.found, self.expected = Path(index_dir), found, expected
        super().__init__(
            "索引由旧版分词器建立,请运行 newsearch index --rebuild PATH "
            f"(index built with analyzer {found or '?'}, this program uses {expected}; "
            f"index dir: {self.index_dir})")


_HOLDER_WAIT = 1.0          # seconds a busy run waits for the holder to write who it is


class IndexBusy(Exception):
    """Another index run holds the lock."""

    def __init__(self, index_dir, holder: dict):
        self.index_dir, self.holder = Path(index_dir), holder
        pid = holder.get("pid", "?")
        started = holder.get("started", "?")
        super().__init__(
            f"另一个索引任务正在运行 (pid {pid}, 开始于 {started}),索引目录 {self.index_dir}。"
            "稍后重试,或使用 --wait 秒数 等待")


def now_iso() -> str:
    return datetime.now(timezone.utc).astimezone().isoformat(timespec="seconds")


# --------------------------------------------------------------------------- small files

def write_atomic(path: Path, data: bytes) -> None:
    """Write a file so that readers see the old or the new content, never a part."""
    path = Path(path)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.{secrets.token_hex(4)}.tmp")
    try:
        with open(tmp, "wb") as f:
            f.write(data)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    except BaseException:
        try:
            tmp.unlink()
        except OSError:
            pass
        raise
    _fsync_dir(path.parent)


def _fsync_dir(path: Path) -> None:
    try:
        fd = os.open(path, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def current_name(index_dir) -> str | None:
    """Name of the live generation directory, or None when there is no index."""
    try:
        name = (Path(index_dir) / CURRENT_FILE).read_text(encoding="utf-8").strip()
    except (FileNotFoundError, NotADirectoryError):
        return None
    if not name.startswith(GEN_PREFIX) or "/" in name or not (Path(index_dir) / name).is_dir():
        return None
    return name


def current_generation(index_dir) -> Path | None:
    name = current_name(index_dir)
    return Path(index_dir) / name if name else None


def read_meta(gen_dir) -> dict:
    try:
        return json.loads((Path(gen_dir) / META_FILE).read_text(encoding="utf-8"))
    except FileNotFoundError:
        return {}


def write_meta(gen_dir, meta: dict) -> None:
    data = json.dumps(meta, ensure_ascii=False, indent=1, sort_keys=True).encode("utf-8")
    write_atomic(Path(gen_dir) / META_FILE, data)


# --------------------------------------------------------------------------- file lists

class ManifestMissing(Exception):
    """The live commit has no file list (written by another program, or removed)."""


def manifest_path(gen_dir, generation: int) -> Path:
    return Path(gen_dir) / f"{MANIFEST_PREFIX}{int(generation)}.json"


def write_manifest(gen_dir, generation: int, files: dict) -> None:
    """The file list of Whoosh commit `generation` (write it before that commit)."""
    data = json.dumps({"generation": int(generation), "files": files}, ensure_ascii=True,
                      separators=(",", ":"), sort_keys=True).encode("ascii")
    write_atomic(manifest_path(gen_dir, generation), data)


def _manifest_generations(gen_dir) -> list[int]:
    out = []
    try:
        names = os.listdir(gen_dir)
    except OSError:
        return out
    for name in names:
        if name.startswith(MANIFEST_PREFIX) and name.endswith(".json"):
            try:
                out.append(int(name[len(MANIFEST_PREFIX):-5]))
            except ValueError:
                pass
    return sorted(out)


def read_manifest(gen_dir, generation: int | None = None) -> dict:
    """The file list of commit `generation` (default: the newest commit of gen_dir).

    An index written before file lists were part of the commit has its list in
    newsearch.json; raises ManifestMissing when the commit has no list at all.
    """
    if generation is None:
        generation = open_index(gen_dir, readonly=True).latest_generation()
    try:
        data = json.loads(manifest_path(gen_dir, generation).read_text(encoding="utf-8"))
    except FileNotFoundError:
        if not _manifest_generations(gen_dir):
            legacy = read_meta(gen_dir).get("files")
            if legacy is not None or generation <= 0:
                return dict(legacy or {})
        raise ManifestMissing(f"{gen_dir}: no file list for commit {generation}") from None
    except ValueError as e:
        raise ManifestMissing(f"{gen_dir}: file list of commit {generation} unreadable: {e}") from e
    return dict(data.get("files", {}))


def prune_manifests(gen_dir, live_generation: int) -> None:
    """Remove the file lists of other commits (call under the index lock, after a commit)."""
    for g in _manifest_generations(gen_dir):
        if g != live_generation:
            try:
                manifest_path(gen_dir, g).unlink()
            except OSError:
                pass


# --------------------------------------------------------------------------- generations

def open_storage(path, mmap: bool = False, readonly: bool = False) -> FileStorage:
    # mmap maps every segment file into the address space: ~2 GB RSS at 100k articles.
    return FileStorage(str(path), supports_mmap=mmap, readonly=readonly)


def open_index(gen_dir, mmap: bool = False, readonly: bool = False) -> FileIndex:
    return open_storage(gen_dir, mmap, readonly).open_index(INDEX_NAME)


def new_generation(index_dir, schema, meta: dict) -> Path:
    """Create an empty Whoosh index in a fresh generation directory (not yet live)."""
    index_dir = Path(index_dir)
    index_dir.mkdir(parents=True, exist_ok=True)
    stamp = datetime.now(timezone.utc).strftime("%Y%m%dT%H%M%S")
    gen_dir = index_dir / f"{GEN_PREFIX}{stamp}-{secrets.token_hex(3)}"
    gen_dir.mkdir()
    open_storage(gen_dir).create_index(schema, indexname=INDEX_NAME)
    write_meta(gen_dir, meta)
    return gen_dir


def publish(index_dir, gen_dir) -> None:
    """Make gen_dir the live generation (atomic), then drop generations nobody needs."""
    index_dir = Path(index_dir)
    write_atomic(index_dir / CURRENT_FILE, (Path(gen_dir).name + "\n").encode("utf-8"))
    prune_generations(index_dir)


def prune_generations(index_dir) -> list[str]:
    """Remove generations other than the live one and the one it replaced.

    Only call this while holding the IndexLock: a generation being built by the lock holder
    is not live yet. The replaced generation is kept so that readers still using it (or
    just about to open it) are not broken; the next swap removes it.
    """
    index_dir = Path(index_dir)
    live = current_name(index_dir)
    if live is None:
        return []
    keep = {live, read_meta(index_dir / live).get("previous")}
    removed = []
    for child in index_dir.iterdir():
        if child.name.startswith(GEN_PREFIX) and child.name not in keep and child.is_dir():
            shutil.rmtree(child, ignore_errors=True)
            removed.append(child.name)
    return removed


# --------------------------------------------------------------------------- run lock

class IndexLock:
    """One index run at a time per index directory.

    flock() on index_dir/.lock: the kernel releases it when the holder exits or dies, so a
    lock left by a killed indexer is recovered without guessing from pids.
    """

    def __init__(self, index_dir, wait: float = 0.0):
        self.index_dir = Path(index_dir)
        self.path = self.index_dir / LOCK_FILE
        self.wait = max(0.0, float(wait or 0.0))
        self._fd: int | None = None

    def holder(self) -> dict:
        """Who holds the lock (pid, host, start), as the holder wrote it. A holder that has
        just taken the lock may not have written yet: wait a moment for it."""
        deadline = time.monotonic() + _HOLDER_WAIT
        while True:
            try:
                found = json.loads(self.path.read_text(encoding="utf-8") or "{}")
            except (OSError, ValueError):
                found = {}
            if found or time.monotonic() >= deadline:
                return found
            time.sleep(0.02)

    def acquire(self) -> "IndexLock":
        self.index_dir.mkdir(parents=True, exist_ok=True)
        fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o644)
        deadline = time.monotonic() + self.wait
        while True:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    os.close(fd)
                    raise IndexBusy(self.index_dir, self.holder()) from None
                time.sleep(min(0.1, remaining))
        info = {"pid": os.getpid(), "host": socket.gethostname(), "started": now_iso()}
        os.ftruncate(fd, 0)
        os.pwrite(fd, json.dumps(info).encode("utf-8"), 0)
        self._fd = fd
        return self

    def fileno(self) -> int | None:
        """The locked descriptor (forked workers must close their inherited copy)."""
        return self._fd

    def release(self) -> None:
        if self._fd is not None:
            try:
                os.ftruncate(self._fd, 0)
            except OSError:
                pass
            fcntl.flock(self._fd, fcntl.LOCK_UN)
            os.close(self._fd)
            self._fd = None

    def __enter__(self) -> "IndexLock":
        return self.acquire()

    def __exit__(self, *exc) -> None:
        self.release()


# --------------------------------------------------------------------------- readers

class IndexHandle:
    """Thread-safe access to the live index of one directory (make one per process).

    ``searcher()`` gives every call its own Searcher over the generation CURRENT names now
    and that generation's newest commit. Readers are recycled through a small pool (one
    reader is never used by two threads at once); a reader of an older commit is closed.
    """

    def __init__(self, index_dir, mmap: bool = False, pool_size: int = 16):
        self.index_dir = Path(index_dir)
        self.mmap = mmap
        self.pool_size = pool_size
        self._lock = threading.Lock()
        self._indexes: dict[str, tuple[FileIndex, dict]] = {}
        self._idle: dict[tuple[str, int], list] = {}
        self._current_cache: tuple[tuple, str | None] | None = None    # (stat of CURRENT, name)
        # Close pooled readers when the handle is dropped (or at exit) without close().
        self._finalizer = weakref.finalize(self, _close_pool, self._idle, self._lock)

    # -- resolving the live index
    def _current(self) -> str | None:
        """current_name(), read again only when the CURRENT file changed (it is replaced
        atomically, so a new inode, time or size): a stat per request instead of a read."""
        try:
            st = os.stat(self.index_dir / CURRENT_FILE)
            sig = (st.st_ino, st.st_mtime_ns, st.st_size)
        except OSError:
            sig = None
        cached = self._current_cache
        if sig is not None and cached is not None and cached[0] == sig:
            return cached[1]
        name = current_name(self.index_dir)
        self._current_cache = (sig, name) if sig is not None else None
        return name

    def _live(self) -> tuple[str, FileIndex, dict]:
        name = self._current()
        if name is None:
            raise IndexNotFound(self.index_dir)
        with self._lock:
            entry = self._indexes.get(name)
        if entry is None:
            gen_dir = self.index_dir / name
            try:
                ix = open_index(gen_dir, self.mmap, readonly=True)
            except (EmptyIndexError, OSError) as e:
                raise IndexNotFound(self.index_dir, str(e)) from e
            entry = (ix, read_meta(gen_dir))
            with self._lock:
                # Forget generations that are no longer live.
                for old in [k for k in self._indexes if k != name]:
                    del self._indexes[old]
                self._indexes[name] = entry
        return name, entry[0], entry[1]

    def _check_version(self, meta: dict) -> None:
        from indexer.schema import index_version

        expected = index_version()
        if meta.get("index_version") != expected:
            raise IndexVersionMismatch(self.index_dir, meta.get("index_version"), expected)

    def generation(self) -> str:
        """Changes whenever the live index changes (a swap or a new commit): a cache key."""
        name, ix, _ = self._live()
        return f"{name}/{ix.latest_generation()}"

    @contextmanager
    def searcher(self) -> Iterator[Searcher]:
        name, ix, meta = self._live()
        self._check_version(meta)
        latest = ix.latest_generation()
        reader = None
        with self._lock:
            idle = self._idle.get((name, latest))
            if idle:
                reader = idle.pop()
        if reader is None:
            try:
                reader = ix.reader()
            except (EmptyIndexError, OSError) as e:
                raise IndexNotFound(self.index_dir, str(e)) from e
        key = (name, reader.generation())
        searcher = Searcher(reader, fromindex=ix, closereader=False)
        try:
            yield searcher
        finally:
            self._give_back(key, reader)

    def _give_back(self, key, reader) -> None:
        name, _ = key
        to_close = []
        with self._lock:
            # Drop pools of older commits/generations; keep this reader if it is current.
            for k in [k for k in self._idle if k != key]:
                to_close.extend(self._idle.pop(k))
            live = self._current() == name
            pool = self._idle.setdefault(key, [])
            if live and len(pool) < self.pool_size:
                pool.append(reader)
            else:
                to_close.append(reader)
        for r in to_close:
            try:
                r.close()
            except Exception:  # a reader of deleted files may fail to close; nothing to keep
                pass

    def info(self) -> dict:
        """Doc count, versions, build/update times of the live index (no version check)."""
        from indexer.schema import index_version

        name, ix, _ = self._live()
        meta = read_meta(self.index_dir / name)
        reader = ix.reader()
        try:
            doc_count = reader.doc_count()
            try:
                files = len(read_manifest(self.index_dir / name, reader.generation()))
            except ManifestMissing:
                files = None
        finally:
            reader.close()
        return {
            "index_dir": str(self.index_dir),
            "generation": f"{name}/{ix.latest_generation()}",
            "doc_count": doc_count,
            "files": files,
            "index_version": meta.get("index_version"),
            "analyzer_version": meta.get("analyzer_version"),
            "version_ok": meta.get("index_version") == index_version(),
            "created": meta.get("created"),
            "updated": meta.get("updated"),
        }

    def close(self) -> None:
        with self._lock:
            self._indexes.clear()
        self._finalizer()

    def __enter__(self) -> "IndexHandle":
        return self

    def __exit__(self, *exc) -> None:
        self.close()


def _close_pool(idle: dict, lock: threading.Lock) -> None:
    with lock:
        readers = [r for pool in idle.values() for r in pool]
        idle.clear()
    for r in readers:
        try:
            r.close()
        except Exception:
            pass
