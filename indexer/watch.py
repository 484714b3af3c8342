"""`newsearch index --watch`: keep the index current while files are added, changed or removed.

After a first normal run over the given paths, file events (watchdog: inotify on Linux)
mark the page files and folders that changed. Events are collected into batches: a batch is
indexed once the folder has been quiet for `debounce` seconds (or `max_delay` seconds after
its first event, whatever comes first), so a burst of copies is one index run. Every
batch goes through indexing.index_paths: the same run lock (a second indexer waits or is
retried later) and the same commit or atomic swap as a normal run, so a server keeps
answering from the previous state until the batch is committed.

A full incremental rescan of the paths runs every `rescan` seconds as well: it catches what
events miss (network file systems, an overflowing event queue, a watch that could not be
set up; then rescans are all there is).

One log line per batch on stdout; failed files on stderr.
"""
from __future__ import annotations

import datetime as _dt
import os
import sys
import threading
import time
from pathlib import Path
from typing import Callable, Iterable

from indexer.indexing import IndexReport, IndexWriteError, RebuildWouldLose, index_paths
from indexer.reading import PAGE_SUFFIXES
from indexer.store import IndexBusy

RETRY_SECONDS = 5.0            # after a busy lock or a write error, try the batch again


def _stamp() -> str:
    return _dt.datetime.now().strftime("%Y-%m-%d %H:%M:%S")


def _default_log(message: str) -> None:
    print(message, flush=True)


def _default_error(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


class _Events:
    """Paths named by file events, collected between batches (called from watchdog's thread)."""

    def __init__(self):
        self.cond = threading.Condition()
        self.paths: set[str] = set()
        self.first = 0.0               # monotonic time of the first event of the batch
        self.last = 0.0                # ... and of the latest

    def add(self, *paths: str) -> None:
        now = time.monotonic()
        with self.cond:
            if not self.paths:
                self.first = now
            self.paths.update(paths)
            self.last = now
            self.cond.notify_all()

    def take(self) -> set[str]:
        with self.cond:
            taken, self.paths = self.paths, set()
            return taken


def _relevant(path: str, is_directory: bool) -> bool:
    name = os.path.basename(path)
    if not name or name.startswith("."):
        return False
    return is_directory or name.lower().endswith(PAGE_SUFFIXES)


def _handler(events: _Events):
    from watchdog.events import FileSystemEventHandler

    class Handler(FileSystemEventHandler):
        def on_any_event(self, event):
            if event.event_type in ("opened", "closed_no_write"):
                return                      # reading a file changes nothing
            paths = [os.fsdecode(event.src_path)]
            dest = getattr(event, "dest_path", "")
            if dest:
                paths.append(os.fsdecode(dest))
            wanted = [p for p in paths if _relevant(p, event.is_directory)]
            if wanted:
                events.add(*wanted)

    return Handler()


def batch_targets(changed: Iterable[str], roots: list[Path]) -> list[Path]:
    """The paths one incremental run must look at for these changed paths: a page file or
    folder that exists is indexed itself; for one that is gone, its nearest existing folder
    inside a watched root is walked again, so the run deletes the articles of what vanished.
    Paths inside another target are dropped; targets are spelled from the root as given
    (so article sources read as in the first run)."""
    resolved = [(r, r.resolve()) for r in roots]
    targets: dict[Path, Path] = {}
    for raw in changed:
        p = Path(raw)
        while not p.exists() and p.parent != p:
            p = p.parent
        try:
            rp = p.resolve()
        except OSError:
            continue
        for given, root in resolved:
            if rp == root or root in rp.parents:
                if rp.is_file() and not rp.name.lower().endswith(PAGE_SUFFIXES):
                    break
                targets[rp] = given / rp.relative_to(root)
                break
    return [targets[t] for t in sorted(targets) if not any(o in t.parents for o in targets)]


def describe_report(kind: str, changed: int, report: IndexReport) -> str:
    """The log line of one batch."""
    what = f"{changed} 个路径变化" if kind == "batch" else "定期扫描"
    if kind == "initial":
        what = "首次索引"
    return (f"[{_stamp()}] {what}: 文件: 读取 {report.files_read}, "
            f"未变 {report.files_skipped}, 失败 {len(report.files_failed)}; "
            f"文章: 新增 {report.added}, 更新 {report.updated}, "
            f"删除 {report.deleted}; 共 {report.doc_count} 篇, 用时 {report.seconds:.1f} s")


class Watcher:
    """Keeps the index of `paths` current until `stop` is set (see the module docstring)."""

    def __init__(self, paths, index_dir, *, procs: int | None = None, wait: float = 0.0,
                 rebuild: bool = False, debounce: float = 1.0, max_delay: float = 10.0,
                 rescan: float = 300.0, use_events: bool = True,
                 log: Callable[[str], None] = _default_log,
                 error: Callable[[str], None] = _default_error):
        self.paths = [Path(p) for p in paths]
        self.index_dir = Path(index_dir)
        self.procs = procs
        self.wait = wait
        self.rebuild = rebuild
        self.debounce = debounce
        self.max_delay = max(max_delay, debounce)
        self.rescan = rescan
        self.use_events = use_events
        self.log = log
        self.error = error
        self.events = _Events()
        self.stop = threading.Event()
        self.batches = 0               # index runs made (for tests and the final line)
        self.observer = None

    # ------------------------------------------------------------ runs
    def _index(self, targets: list[Path], kind: str, changed: int, rebuild: bool = False) -> bool:
        """One index run; False when it must be retried (lock busy, index not writable)."""
        try:
            report = index_paths(targets, self.index_dir, rebuild=rebuild, procs=self.procs,
                                 wait=self.wait, notice=self.log)
        except IndexBusy as e:
            self.error(f"[{_stamp()}] {e} —— {RETRY_SECONDS:.0f} 秒后重试")
            return False
        except (IndexWriteError, RebuildWouldLose) as e:
            self.error(f"[{_stamp()}] {e} —— {RETRY_SECONDS:.0f} 秒后重试")
            return False
        except Exception as e:          # a bug in one run must not end the watch
            self.error(f"[{_stamp()}] 索引出错: {type(e).__name__}: {e} "
                       f"—— {RETRY_SECONDS:.0f} 秒后重试")
            return False
        self.batches += 1
        for path, reason in report.files_failed:
            self.error(f"失败: {path}: {reason}")
        if kind != "rescan" or report.files_read or report.deleted or report.files_failed:
            self.log(describe_report(kind, changed, report))
        return True

    def _start_observer(self) -> None:
        if not self.use_events:
            return
        try:
            from watchdog.observers import Observer
            observer = Observer()
            handler = _handler(self.events)
            for p in self.paths:
                if p.is_dir():
                    observer.schedule(handler, str(p), recursive=True)
                elif p.parent.is_dir():
                    observer.schedule(handler, str(p.parent), recursive=False)
            observer.daemon = True
            observer.start()
            self.observer = observer
        except (OSError, RuntimeError) as e:       # inotify limits, unsupported file system
            self.observer = None
            self.error(f"[{_stamp()}] 无法监视文件变化 (cannot watch for file events: {e}); "
                       f"改为每 {self.rescan:g} 秒扫描一次 (rescanning every {self.rescan:g} s)")

    def run(self) -> int:
        """Index, then follow the changes until stop is set. Returns the number of runs."""
        names = " ".join(str(p) for p in self.paths)
        self.log(f"[{_stamp()}] 监视: {names} (索引: {self.index_dir}; 按 Ctrl+C 停止)")
        self._start_observer()               # before the first run: no change slips between
        while not self.stop.is_set() and not self._index(self.paths, "initial", 0, self.rebuild):
            self.stop.wait(RETRY_SECONDS)
        next_rescan = time.monotonic() + self.rescan
        try:
            while not self.stop.is_set():
                if self._due_batch():
                    changed = self.events.take()
                    targets = batch_targets(changed, self.paths)
                    if targets and not self._index(targets, "batch", len(changed)):
                        self.events.add(*changed)          # keep them for the retry
                        self.stop.wait(RETRY_SECONDS)
                    continue
                if self.observer is not None and not self._observing():
                    self.error(f"[{_stamp()}] 文件事件监视中断,重新启动并扫描 "
                               "(the file event observer stopped; restarting and rescanning)")
                    self._start_observer()
                    next_rescan = time.monotonic()
                if time.monotonic() >= next_rescan:
                    if self._index(self.paths, "rescan", 0):
                        next_rescan = time.monotonic() + self.rescan
                    else:
                        next_rescan = time.monotonic() + RETRY_SECONDS
                    continue
                with self.events.cond:
                    self.events.cond.wait(timeout=min(0.2, max(0.01, next_rescan - time.monotonic())))
        finally:
            if self.observer is not None:
                self.observer.stop()
                self.observer.join(timeout=10)
        self.log(f"[{_stamp()}] 已停止监视 — {self.batches} 次索引")
        return self.batches

    def _observing(self) -> bool:
        observer = self.observer
        return observer.is_alive() and all(e.is_alive() for e in list(observer.emitters))

    def _due_batch(self) -> bool:
        with self.events.cond:
            if not self.events.paths:
                return False
            now = time.monotonic()
            return now - self.events.last >= self.debounce or now - self.events.first >= self.max_delay
