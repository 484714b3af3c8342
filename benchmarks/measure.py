"""Measuring helpers: process-tree memory from /proc, percentiles, disk usage, machine facts."""
from __future__ import annotations

import datetime as dt
import importlib.metadata
import os
import platform
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

PAGE = os.sysconf("SC_PAGE_SIZE")
PACKAGES = ("whoosh-reloaded", "jieba", "numpy", "flask", "waitress", "click", "opencc",
            "tantivy", "rjieba", "newsearch")


def _children_map() -> dict[int, list[int]]:
    kids: dict[int, list[int]] = {}
    for entry in os.scandir("/proc"):
        if not entry.name.isdigit():
            continue
        try:
            with open(f"/proc/{entry.name}/stat", "rb") as f:
                stat = f.read()
        except OSError:
            continue
        # the command name may hold spaces and parentheses: fields follow the last ')'
        ppid = int(stat[stat.rindex(b")") + 2:].split()[1])
        kids.setdefault(ppid, []).append(int(entry.name))
    return kids


def tree_pids(pid: int) -> list[int]:
    kids = _children_map()
    out, todo = [], [pid]
    while todo:
        p = todo.pop()
        out.append(p)
        todo.extend(kids.get(p, ()))
    return out


def rss_bytes(pid: int) -> int:
    try:
        with open(f"/proc/{pid}/statm") as f:
            return int(f.read().split()[1]) * PAGE
    except (OSError, IndexError, ValueError):
        return 0


class TreeMemory:
    """Polls the resident memory of a process and all its descendants (sum), in a thread."""

    def __init__(self, pid: int, interval: float = 0.1):
        self.pid, self.interval = pid, interval
        self.peak_tree = 0          # bytes, sum over the tree at one instant
        self.peak_single = 0        # bytes, largest single process
        self.max_procs = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _sample(self) -> None:
        pids = tree_pids(self.pid)
        sizes = [rss_bytes(p) for p in pids]
        self.peak_tree = max(self.peak_tree, sum(sizes))
        self.peak_single = max(self.peak_single, max(sizes, default=0))
        self.max_procs = max(self.max_procs, sum(1 for s in sizes if s))

    def _run(self) -> None:
        while not self._stop.is_set():
            self._sample()
            self._stop.wait(self.interval)

    def __enter__(self) -> "TreeMemory":
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._stop.set()
        self._thread.join()


def run_measured(cmd: list[str], log_path: Path, env: dict | None = None,
                 timeout: float | None = None) -> dict:
    """Run a command, polling its process tree's memory; also ru_maxrss from wait4.

    Returns {"returncode", "seconds", "peak_tree_rss", "peak_single_rss", "maxrss_wait4",
    "user_cpu", "sys_cpu", "procs"}.
    """
    t0 = time.perf_counter()
    killed = False
    with open(log_path, "ab") as log:
        # its own session, so that a timeout can stop the whole tree it started
        proc = subprocess.Popen(cmd, stdout=log, stderr=subprocess.STDOUT, env=env, start_new_session=True)
        with TreeMemory(proc.pid) as mem:
            deadline = None if timeout is None else time.monotonic() + timeout
            while True:
                pid, status, ru = os.wait4(proc.pid, os.WNOHANG)
                if pid:
                    break
                if deadline is not None and time.monotonic() > deadline:
                    os.killpg(proc.pid, signal.SIGKILL)
                    killed = True
                    pid, status, ru = os.wait4(proc.pid, 0)
                    break
                time.sleep(0.05)
    if not killed:
        try:                       # leftovers of a finished run (none expected)
            os.killpg(proc.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
    proc.returncode = os.waitstatus_to_exitcode(status)
    return {
        "returncode": proc.returncode,
        "killed": killed,
        "seconds": time.perf_counter() - t0,
        "peak_tree_rss": mem.peak_tree,
        "peak_single_rss": mem.peak_single,
        "maxrss_wait4": ru.ru_maxrss * 1024,      # KiB on Linux; max over the child and its waited-for descendants
        "user_cpu": ru.ru_utime,
        "sys_cpu": ru.ru_stime,
        "procs": mem.max_procs,
    }


def timed_passes(queries: list[dict], run_one, passes: int = 2, seed: int = 7) -> list[dict]:
    """Run every query `passes` times, each pass in a seeded shuffled order, timing each call.

    `run_one(rec)` returns a dict of result fields for the row; a failure is a row with
    "error", not a crash.
    """
    import random

    rnd = random.Random(seed)
    rows = []
    for p in range(passes):
        order = list(range(len(queries)))
        rnd.shuffle(order)
        for i in order:
            t = time.perf_counter()
            try:
                fields = run_one(queries[i])
                rows.append({"i": i, "pass": p, "ms": (time.perf_counter() - t) * 1000, **fields})
            except Exception as e:          # a failing query is a result, not a crash
                rows.append({"i": i, "pass": p, "ms": (time.perf_counter() - t) * 1000,
                             "error": f"{type(e).__name__}: {e}"})
    return rows


def interleaved_passes(queries: list[dict], engines: dict, passes: int = 2, seed: int = 7) -> dict[str, list[dict]]:
    """Run every query on every engine in turn, query by query, so that load on the machine
    hits all engines alike; the engine order rotates from query to query, and each pass takes
    the queries in another seeded order. `engines` maps a name to run_one(rec) -> fields.

    Returns {engine: rows} with rows as timed_passes makes them (plus "slot", the engine's
    place in that query's turn)."""
    import random

    rnd = random.Random(seed)
    names = list(engines)
    rows: dict[str, list[dict]] = {n: [] for n in names}
    for p in range(passes):
        order = list(range(len(queries)))
        rnd.shuffle(order)
        for k, i in enumerate(order):
            shift = (k + p) % len(names) if names else 0
            for slot, name in enumerate(names[shift:] + names[:shift]):
                t = time.perf_counter()
                try:
                    fields = engines[name](queries[i])
                    rows[name].append({"i": i, "pass": p, "slot": slot,
                                       "ms": (time.perf_counter() - t) * 1000, **fields})
                except Exception as e:          # a failing query is a result, not a crash
                    rows[name].append({"i": i, "pass": p, "slot": slot,
                                       "ms": (time.perf_counter() - t) * 1000,
                                       "error": f"{type(e).__name__}: {e}"})
    return rows


def percentile(values, p: float) -> float | None:
    """Linear-interpolated percentile (numpy's default), None for no values."""
    xs = sorted(values)
    if not xs:
        return None
    k = (len(xs) - 1) * p / 100.0
    lo = int(k)
    hi = min(lo + 1, len(xs) - 1)
    return xs[lo] + (xs[hi] - xs[lo]) * (k - lo)


def latency_summary(ms: list[float]) -> dict:
    return {"n": len(ms), "p50": percentile(ms, 50), "p95": percentile(ms, 95),
            "p99": percentile(ms, 99), "max": max(ms) if ms else None,
            "mean": sum(ms) / len(ms) if ms else None}


def disk_usage(path) -> int:
    total = 0
    for root, _dirs, files in os.walk(path):
        for name in files:
            try:
                total += os.lstat(os.path.join(root, name)).st_blocks * 512
            except OSError:
                pass
    return total


def drop_page_cache(paths) -> dict:
    """Drop the files under `paths` from the kernel's page cache (written back first, then
    POSIX_FADV_DONTNEED), so engines queried side by side all start from disk: an index
    built minutes ago is still cached while one reused from an earlier run is not, and this
    machine pages out idle cache anyway. Returns {"files", "bytes"} dropped."""
    files = size = 0
    advise = getattr(os, "posix_fadvise", None)
    for top in paths:
        walk = [(os.path.dirname(top), [], [os.path.basename(top)])] if os.path.isfile(top) else os.walk(top)
        for root, _dirs, names in walk:
            for name in names:
                path = os.path.join(root, name)
                try:
                    fd = os.open(path, os.O_RDONLY)
                except OSError:
                    continue
                try:
                    os.fsync(fd)
                    if advise is not None:
                        advise(fd, 0, 0, os.POSIX_FADV_DONTNEED)
                    files += 1
                    size += os.fstat(fd).st_size
                except OSError:
                    pass
                finally:
                    os.close(fd)
    return {"files": files, "bytes": size}


def _cpuinfo() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


def _meminfo_total() -> int:
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal:"):
                return int(line.split()[1]) * 1024
    except OSError:
        pass
    return 0


def _version(name: str) -> str:
    try:
        return importlib.metadata.version(name)
    except importlib.metadata.PackageNotFoundError:
        return "not installed"


def git_commit(repo: Path) -> str:
    try:
        out = subprocess.run(["git", "-C", str(repo), "rev-parse", "--short", "HEAD"],
                             capture_output=True, text=True, timeout=10)
        dirty = subprocess.run(["git", "-C", str(repo), "status", "--porcelain"],
                               capture_output=True, text=True, timeout=10)
        return out.stdout.strip() + (" (+ uncommitted changes)" if dirty.stdout.strip() else "")
    except (OSError, subprocess.SubprocessError):
        return "unknown"


def machine(repo: Path) -> dict:
    return {
        "date": dt.datetime.now().astimezone().isoformat(timespec="seconds"),
        "cpu": _cpuinfo(),
        "cores": os.cpu_count(),
        "cores_usable": len(os.sched_getaffinity(0)),
        "ram": _meminfo_total(),
        "os": f"{platform.system()} {platform.release()}",
        "python": sys.version.split()[0],
        "packages": {p: _version(p) for p in PACKAGES},
        "loadavg": os.getloadavg(),
        "commit": git_commit(repo),
    }


def mib(n: float | None) -> str:
    return "—" if n is None else f"{n / 2**20:,.0f} MiB"
