"""Issue 6, items 2, 3 and 5: crash safety, two indexers at once, full disk / read-only.

Real `newsearch index` processes are killed with SIGKILL at chosen moments. The moments
are picked by watching the index directory: the run lock taken, a new generation created,
the first data file written, a Whoosh segment, a substring chunk or chunk list, the commit
(a new table of contents), the manifest, the CURRENT swap, or a seeded random delay. At the
moment a point is reached the indexer (with its workers) is frozen with SIGSTOP, a second
indexer is started and must be told that another run is in progress, then the first one
is killed. After every kill the live index must open and hold the old or the new corpus
completely, a long-running server must still answer from it, the stale lock of the dead
process must not stop the next run, and the next `newsearch index` must complete.

The expected corpus states come from `newsearch parse` (article ids) and the seed pages
each file copies (hit counts), not from the index under test.
"""
from __future__ import annotations

import os
import random
import signal
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path

import pytest

from reliability_support import (BUSY_DIR, BUSY_ZH, EXIT_BUSY, EXIT_WRITE, WRITE_ZH, DirSnapshot,
                                 Expectations, Server, api_total, copies_spec, describe,
                                 generations, index_state, lock_holder, pid_alive, run_newsearch,
                                 start_newsearch, toc_numbers, wait_group_gone, write_corpus)

V0 = copies_spec(range(0, 4))
# 5 files removed (c000), 5 changed (c001 hold other seed pages), 5 added (c004).
V1 = {k: v for k, v in {**V0, **copies_spec([1], rotate=2), **copies_spec([4], rotate=1)}.items()
      if not k.startswith("c000_")}
_FIXED = ("MAIN_WRITELOCK", "newsearch.json")


# --------------------------------------------------------------------------- kill points

@dataclass
class Watch:
    """What a kill point sees: the directory before the run and now, the run's pid, time."""
    before: DirSnapshot
    now: DirSnapshot
    pid: int
    rebuild: bool
    elapsed: float
    first_seen: dict

    def target(self) -> str | None:
        if not self.rebuild:
            return self.before.current
        new = [g for g in self.now.gens if g not in self.before.gens]
        return new[0] if new else None

    def changed(self) -> dict:
        """Files of the target generation created or rewritten since the run started."""
        gen = self.target()
        if gen is None:
            return {}
        old = {} if self.rebuild else self.before.files(gen)
        now = self.now.files(gen)
        return {f: m for f, m in now.items() if old.get(f) != m}

    def data_files(self) -> list[str]:
        return [f for f in self.changed()
                if f not in _FIXED and not f.endswith((".toc", ".json", ".tmp"))]

    def locked(self) -> bool:
        return self.now.lock_pid == self.pid


def _first_toc(w: Watch) -> int:
    return 0 if w.rebuild else max(toc_numbers(w.before.files(w.before.current)) or {0})


TRIGGERS = {
    "lock": lambda w: w.locked(),
    "new-generation": lambda w: w.locked() and w.target() is not None,
    "first-data-file": lambda w: w.locked() and bool(w.data_files()),
    "whoosh-segment": lambda w: w.locked() and any(f.endswith(".seg") for f in w.data_files()),
    "substring-chunk": lambda w: w.locked() and any(f.startswith("substr/c-") for f in w.changed()),
    "chunk-list": lambda w: w.locked() and any(f.startswith("substr/list-") for f in w.changed()),
    "commit": lambda w: w.locked() and max(toc_numbers(w.changed()) or {-1}) > _first_toc(w),
    "manifest": lambda w: w.locked() and _manifest_rewritten(w),
    "swap": lambda w: w.locked() and w.now.current != w.before.current,
}


def _manifest_rewritten(w: Watch) -> bool:
    gen = w.target()
    if gen is None:
        return False
    mtime = w.now.files(gen).get("newsearch.json")
    if mtime is None:
        return False
    first = w.before.files(gen).get("newsearch.json") if not w.rebuild else None
    if first is None:
        first = w.first_seen.setdefault(gen, mtime)
    return mtime != first


def delay_trigger(seconds: float):
    return lambda w: w.locked() and w.elapsed >= seconds


def run_until(proc: subprocess.Popen, index_dir: Path, trigger, rebuild: bool,
              before: DirSnapshot, timeout: float = 300) -> DirSnapshot | None:
    """Watch the index dir until `trigger` fires, then freeze the run (SIGSTOP to its process
    group) and return the snapshot; None when the run ended first."""
    started = time.monotonic()
    first_seen: dict = {}
    while time.monotonic() - started < timeout:
        if proc.poll() is not None:
            return None
        now = DirSnapshot.take(index_dir)
        if trigger(Watch(before, now, proc.pid, rebuild, time.monotonic() - started, first_seen)):
            try:
                os.killpg(proc.pid, signal.SIGSTOP)
            except ProcessLookupError:
                return None
            if proc.poll() is not None:
                return None
            return now
        time.sleep(0.0005)
    raise AssertionError("index run neither finished nor reached the kill point")


def index_args(pages: Path, index_dir: Path, rebuild: bool, procs: int) -> list:
    return ["index", pages, "--index-dir", index_dir, "--procs", procs] + (["--rebuild"] if rebuild else [])


def assert_busy_message(result, holder_pid: int) -> None:
    assert result.returncode == EXIT_BUSY, describe(result)
    assert BUSY_ZH in result.stderr and BUSY_DIR in result.stderr, describe(result)
    assert f"pid {holder_pid}" in result.stderr, describe(result)
    assert "Traceback" not in result.stderr, describe(result)


@pytest.fixture(scope="module")
def expected(tmp_path_factory, seed_index_dir):
    """The States of corpus versions V0 and V1."""
    expect = Expectations(seed_index_dir)
    scratch = tmp_path_factory.mktemp("expected")
    states = []
    for spec in (V0, V1):
        write_corpus(scratch, spec)
        states.append(expect.state(scratch, spec))
    assert states[0] != states[1]
    return states


# --------------------------------------------------------------------------- item 2

PLAN = [   # (rebuild, procs, kill point, kill the whole group or only the main process)
    (False, 2, "lock", "group"),
    (True, 2, "new-generation", "main"),
    (True, 1, "first-data-file", "group"),
    (False, 1, "first-data-file", "group"),
    (True, 2, "substring-chunk", "main"),
    (False, 2, "whoosh-segment", "group"),
    (True, 2, "chunk-list", "group"),
    (False, 1, "commit", "group"),
    (True, 1, "commit", "main"),
    (False, 2, "manifest", "group"),
    (True, 2, "manifest", "group"),
    (True, 2, "swap", "group"),
    (False, 2, "delay", "main"),
    (True, 1, "delay", "group"),
]
MIN_KILLS = 10


@pytest.mark.slow
def test_sigkill_at_many_moments_never_hurts(tmp_path, expected):
    rng = random.Random(20240606)
    pages, index_dir = tmp_path / "pages", tmp_path / "index"
    specs = (V0, V1)
    write_corpus(pages, V0)
    t0 = time.monotonic()
    first = run_newsearch(*index_args(pages, index_dir, False, 2))
    full_run = time.monotonic() - t0
    assert first.returncode == 0, describe(first)
    assert index_state(index_dir) == expected[0]
    live = 0                                      # which corpus version the live index holds

    server = Server(index_dir, threads=2)
    log, kills, extra = [], 0, 0
    plan = list(PLAN)
    try:
        while plan:
            rebuild, procs, point, scope = plan.pop(0)
            target = 1 - live
            write_corpus(pages, specs[target])
            if point == "delay":
                trigger = delay_trigger(rng.uniform(0.05, 0.9) * full_run)
            else:
                trigger = TRIGGERS[point]
            before = DirSnapshot.take(index_dir)
            args = index_args(pages, index_dir, rebuild, procs)
            proc = start_newsearch(*args)
            frozen = run_until(proc, index_dir, trigger, rebuild, before)
            if frozen is None:                    # finished before the point: nothing to kill
                out, err = proc.communicate(timeout=60)
                assert proc.returncode == 0, f"{out}\n{err}"
                assert index_state(index_dir) == expected[target]
                live = target
                log.append((point, rebuild, procs, scope, "finished first", ""))
                if len(plan) + kills < MIN_KILLS and extra < 6:
                    plan.append((rebuild, procs, "delay", scope))
                    extra += 1
                continue

            # A second indexer while the first (frozen) one holds the lock: a clear refusal.
            second = run_newsearch(*args, timeout=120)
            assert_busy_message(second, proc.pid)

            if scope == "group":
                os.killpg(proc.pid, signal.SIGKILL)
            else:                                 # only the main process: workers are orphaned
                os.kill(proc.pid, signal.SIGKILL)
                os.killpg(proc.pid, signal.SIGCONT)
            proc.communicate(timeout=60)
            assert proc.returncode == -signal.SIGKILL
            kills += 1
            leftover = wait_group_gone(proc.pid, timeout=15)
            assert not leftover, f"processes of the killed run still alive: {leftover}"

            # The dead process's lock record is still there (stale) ...
            assert lock_holder(index_dir).get("pid") == proc.pid and not pid_alive(proc.pid)
            # ... the live index opens and holds one complete corpus version ...
            state = index_state(index_dir)
            assert state in (expected[live], expected[target]), (
                f"kill at {point}: live index is neither version: {state.short()}")
            seen = "old" if state == expected[live] else "new"
            for q in ("", "惠济区"):             # ... and the running server answers from it
                assert api_total(server.url, q) == state.count(q)

            # The next run (no --wait) recovers the stale lock and completes.
            again = run_newsearch(*args)
            assert again.returncode == 0, describe(again)
            assert BUSY_ZH not in again.stderr
            assert index_state(index_dir) == expected[target]
            assert len(generations(index_dir)) <= 2, generations(index_dir)
            assert lock_holder(index_dir).get("pid") != proc.pid
            for q in ("", "惠济区"):
                assert api_total(server.url, q) == expected[target].count(q)
            live = target
            files = sorted(f for g in frozen.gens.values() for f in g)
            log.append((point, rebuild, procs, scope, f"killed, live index {seen}", f"{len(files)} files"))
    finally:
        server.stop()

    lines = "\n".join(f"  {'rebuild' if r else 'update '} procs={p} {pt:16s} {sc:5s} -> {what} {more}"
                      for pt, r, p, sc, what, more in log)
    print(f"\n[crash] {len(log)} runs, {kills} SIGKILLs survived:\n{lines}")
    assert kills >= MIN_KILLS, lines
    outcomes = {what for *_, what, _ in log}
    # Kills landed both before the new index became live and after.
    assert "killed, live index old" in outcomes and "killed, live index new" in outcomes, lines


# --------------------------------------------------------------------------- item 3

@pytest.mark.slow
def test_two_indexers_at_once(tmp_path, expected, seed_index_dir):
    """The second indexer exits with a clear message (or waits with --wait); the index is
    never corrupted, whichever order the runs take."""
    pages, index_dir = tmp_path / "pages", tmp_path / "index"
    write_corpus(pages, V0)
    assert run_newsearch("index", pages, "--index-dir", index_dir).returncode == 0

    # Without --wait, started as soon as the first one holds the lock. If the first run was
    # over before the second reached the lock, try again with a larger corpus.
    trials = [(V1, expected[1]), (copies_spec(range(10, 18)), None), (copies_spec(range(20, 36)), None)]
    overlapped, outcomes = 0, []
    for spec, want in trials:
        if want is None:
            scratch = tmp_path / f"expected-{len(spec)}"
            write_corpus(scratch, spec)
            want = Expectations(seed_index_dir).state(scratch, spec)
        write_corpus(pages, spec)
        first = start_newsearch("index", pages, "--index-dir", index_dir, "--rebuild")
        before = DirSnapshot.take(index_dir)
        while lock_holder(index_dir).get("pid") != first.pid and first.poll() is None:
            time.sleep(0.001)
        second = run_newsearch("index", pages, "--index-dir", index_dir, timeout=300)
        still_running = first.poll() is None
        out, err = first.communicate(timeout=300)
        assert first.returncode == 0, f"{out}\n{err}"
        if second.returncode == EXIT_BUSY:
            assert_busy_message(second, first.pid)
            overlapped += 1
        else:                                     # it only started after the first finished
            assert second.returncode == 0 and not still_running, describe(second)
        outcomes.append(f"{len(spec)} files: second exit {second.returncode}")
        assert index_state(index_dir) == want
        assert len(generations(index_dir)) <= 2
        assert before.current != DirSnapshot.take(index_dir).current
        if overlapped:
            break
    assert overlapped, f"the second indexer never overlapped the first: {outcomes}"

    # With --wait: both complete, one after the other. (The folder of a running indexer is
    # not changed under it: the waiting run rebuilds from another folder.)
    other = tmp_path / "other-pages"
    write_corpus(pages, V1)
    write_corpus(other, V0)
    first = start_newsearch("index", pages, "--index-dir", index_dir, "--rebuild")
    while lock_holder(index_dir).get("pid") != first.pid and first.poll() is None:
        time.sleep(0.001)
    waited_from = time.monotonic()
    second = run_newsearch("index", other, "--index-dir", index_dir, "--rebuild", "--wait", "300", timeout=400)
    waited = time.monotonic() - waited_from
    out, err = first.communicate(timeout=300)
    assert first.returncode == 0, f"{out}\n{err}"
    assert second.returncode == 0, describe(second)
    assert index_state(index_dir) == expected[0]          # the waiting run came last
    print(f"\n[two indexers] without --wait: exit 2 naming the running pid; "
          f"with --wait: both completed, the second {waited:.1f}s after it started")

    # --wait that runs out: exit 2 with the message, after having waited.
    holder = start_newsearch("index", other, "--index-dir", index_dir, "--rebuild")
    while lock_holder(index_dir).get("pid") != holder.pid and holder.poll() is None:
        time.sleep(0.001)
    os.killpg(holder.pid, signal.SIGSTOP)
    try:
        t0 = time.monotonic()
        result = run_newsearch("index", other, "--index-dir", index_dir, "--wait", "1.5")
        assert time.monotonic() - t0 >= 1.5
        assert_busy_message(result, holder.pid)
    finally:
        os.killpg(holder.pid, signal.SIGCONT)
    out, err = holder.communicate(timeout=300)
    assert holder.returncode == 0, f"{out}\n{err}"
    assert index_state(index_dir) == expected[0]


# --------------------------------------------------------------------------- item 5

@pytest.fixture
def small_mount(tmp_path):
    """A tmpfs of a given size mounted at tmp_path/"disk" (root), or None when not allowed."""
    mounts = []

    def mount(size_kib: int) -> Path | None:
        where = tmp_path / f"disk{len(mounts)}"
        where.mkdir()
        r = subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={size_kib}k,mode=0755", "tmpfs", str(where)],
                           capture_output=True, text=True)
        if r.returncode != 0:
            return None
        mounts.append(where)
        return where

    yield mount
    for where in mounts:
        subprocess.run(["umount", "-l", str(where)], capture_output=True)


def _fill(folder: Path, leave_kib: int) -> Path:
    """Fill the file system of `folder` until about leave_kib KiB are free."""
    st = os.statvfs(folder)
    free = st.f_bavail * st.f_frsize
    filler = folder / "filler.bin"
    size = max(0, free - leave_kib * 1024)
    with open(filler, "wb") as f:
        chunk = b"\0" * (1 << 20)
        while size > 0:
            n = min(size, len(chunk))
            try:
                f.write(chunk[:n])
            except OSError:
                break
            size -= n
    return filler


def _du_kib(path: Path) -> int:
    return sum(p.stat().st_size for p in path.rglob("*") if p.is_file()) // 1024


def _write_error_problems(result, reasons: tuple[str, ...]) -> list[str]:
    """What is wrong with the outcome of a run that could not write (empty when right)."""
    problems = []
    if result.returncode != EXIT_WRITE:
        problems.append(f"exit {result.returncode}, expected {EXIT_WRITE}")
    if WRITE_ZH not in result.stderr or not any(r in result.stderr for r in reasons):
        problems.append(f"message lacks {WRITE_ZH!r} and one of {reasons}")
    if "Traceback" in result.stderr:
        problems.append("a traceback instead of a message")
    if problems:
        last = [line for line in result.stderr.strip().splitlines() if line.strip()][-1:]
        problems.append(f"last stderr line: {last}")
    return problems


DISK_FULL = ("No space left on device", "磁盘空间不足")


@pytest.mark.slow
def test_full_disk_and_read_only_index_dir(tmp_path, expected, small_mount):
    """A reindex that cannot write: exit 3 with a clear message, the live index intact and
    served; once there is room (or the dir is writable again) the next run completes."""
    pages = tmp_path / "pages"
    write_corpus(pages, V0)
    probe = tmp_path / "probe-index"
    assert run_newsearch("index", pages, "--index-dir", probe).returncode == 0
    need = _du_kib(probe)

    disk = small_mount(need * 3 + 4096)
    if disk is None:
        pytest.skip("mount -t tmpfs is not permitted here")   # see _rlimit test below
    index_dir = disk / "index"
    first = run_newsearch("index", pages, "--index-dir", index_dir)
    assert first.returncode == 0, describe(first)
    assert index_state(index_dir) == expected[0]
    server = Server(index_dir, threads=2)
    outcomes = []
    try:
        write_corpus(pages, V1)
        failures = []
        for rebuild, procs, leave in ((True, 1, need // 2), (False, 1, 0), (True, 2, 64), (False, 2, 16)):
            filler = _fill(disk, leave)
            args = ["index", pages, "--index-dir", index_dir, "--procs", procs] + (["--rebuild"] if rebuild else [])
            result = run_newsearch(*args)
            filler.unlink()
            case = f"{'rebuild' if rebuild else 'update'} --procs {procs}, disk full (~{leave} KiB free)"
            problems = _write_error_problems(result, DISK_FULL)
            failures += [f"{case}: {p}" for p in problems]
            # Whatever the message, the live index must be intact and served.
            assert index_state(index_dir) == expected[0], case
            assert api_total(server.url, "") == expected[0].count("")
            outcomes.append(f"{case}: exit {result.returncode}")

        # Read-only: remount the file system read-only under the running server.
        assert subprocess.run(["mount", "-o", "remount,ro", str(disk)]).returncode == 0
        try:
            for rebuild in (True, False):
                args = ["index", pages, "--index-dir", index_dir] + (["--rebuild"] if rebuild else [])
                result = run_newsearch(*args)
                case = f"{'rebuild' if rebuild else 'update'} on a read-only file system"
                failures += [f"{case}: {p}" for p in _write_error_problems(result, ("Read-only file system",))]
                outcomes.append(f"{case}: exit {result.returncode}")
            assert index_state(index_dir) == expected[0]          # readers need no writes
            assert api_total(server.url, "惠济区") == expected[0].count("惠济区")
        finally:
            subprocess.run(["mount", "-o", "remount,rw", str(disk)], check=True)

        again = run_newsearch("index", pages, "--index-dir", index_dir)
        assert again.returncode == 0, describe(again)
        assert index_state(index_dir) == expected[1]
        assert api_total(server.url, "") == expected[1].count("")
    finally:
        server.stop()
    print("\n[disk] " + "; ".join(outcomes) + "; then completed")
    assert not failures, "\n".join(failures)


@pytest.mark.slow
def test_file_size_limit_is_a_write_error_too(tmp_path, expected):
    """Without a mount (any user): RLIMIT_FSIZE makes writes fail with EFBIG, the way a
    quota does. Exit 3 with the message, the live index intact."""
    import resource

    pages, index_dir = tmp_path / "pages", tmp_path / "index"
    write_corpus(pages, V0)
    assert run_newsearch("index", pages, "--index-dir", index_dir).returncode == 0
    write_corpus(pages, V1)

    def limit_file_size():
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)      # EFBIG instead of a killed process
        resource.setrlimit(resource.RLIMIT_FSIZE, (16 * 1024, 16 * 1024))

    failures = []
    for rebuild, procs in ((True, 1), (False, 1), (True, 2), (False, 2)):
        args = ["index", pages, "--index-dir", index_dir, "--procs", procs] + (["--rebuild"] if rebuild else [])
        result = run_newsearch(*args, preexec_fn=limit_file_size)
        case = f"{'rebuild' if rebuild else 'update'} --procs {procs} under RLIMIT_FSIZE"
        failures += [f"{case}: {p}" for p in _write_error_problems(result, ("File too large", "文件大小超出限制"))]
        assert index_state(index_dir) == expected[0], case
    assert not failures, "\n".join(failures)
    again = run_newsearch("index", pages, "--index-dir", index_dir)
    assert again.returncode == 0, describe(again)
    assert index_state(index_dir) == expected[1]
