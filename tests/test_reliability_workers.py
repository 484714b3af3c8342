"""Issue 10, item 2: a killed indexer leaves no worker processes behind.

A real `newsearch index --rebuild --procs 2` over a few hundred page files is killed with
SIGKILL (the parent only, as the OOM killer or `kill -9 PID` would) at several moments while
its workers are busy. Every process of the run carries a marker in its environment; after
each kill the test counts the processes that still carry it. None may be left after a few
seconds, and the next run must complete.
"""
from __future__ import annotations

import os
import signal
import time
import uuid
from pathlib import Path

import pytest

from reliability_support import (copies_spec, describe, run_newsearch, start_newsearch,
                                 write_corpus, cli_env)

pytestmark = pytest.mark.slow

MARK = "NEWSEARCH_KILL_TEST"


def marked_pids(tag: str) -> list[int]:
    """Live (non-zombie) processes whose environment holds MARK=tag."""
    needle = f"{MARK}={tag}".encode()
    out = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            if needle not in (entry / "environ").read_bytes().split(b"\0"):
                continue
            state = (entry / "stat").read_text().rsplit(")", 1)[1].split()[0]
        except OSError:
            continue
        if state != "Z":
            out.append(int(entry.name))
    return out


def children(pid: int) -> list[int]:
    try:
        return [int(c) for c in Path(f"/proc/{pid}/task/{pid}/children").read_text().split()]
    except OSError:
        return []


def test_killed_indexer_leaves_no_workers(tmp_path):
    pages, index_dir = tmp_path / "pages", tmp_path / "index"
    write_corpus(pages, copies_spec(range(30)))
    assert run_newsearch("index", pages, "--index-dir", index_dir, "--procs", "1").returncode == 0
    leftovers, log = [], []
    for attempt, delay in enumerate((0.0, 0.3, 0.8, 1.5, 2.5, 4.0)):
        tag = uuid.uuid4().hex
        proc = start_newsearch("index", "--rebuild", pages, "--index-dir", index_dir, "--procs", "2",
                               env=cli_env(**{MARK: tag}))
        try:
            deadline = time.monotonic() + 120
            while len(children(proc.pid)) < 2 and proc.poll() is None and time.monotonic() < deadline:
                time.sleep(0.02)
            assert proc.poll() is None, "the run ended before its workers were seen:\n" + proc.stderr.read()
            time.sleep(delay)
            workers = children(proc.pid)
            proc.send_signal(signal.SIGKILL)
            proc.wait(timeout=30)
            deadline = time.monotonic() + 10
            while marked_pids(tag) and time.monotonic() < deadline:
                time.sleep(0.05)
            left = marked_pids(tag)
            log.append(f"kill after {delay}s: {len(workers)} workers, {len(left)} left")
            if left:
                leftovers.append((delay, left))
        finally:
            for pid in marked_pids(tag):          # never leave them to the rest of the suite
                try:
                    os.kill(pid, signal.SIGKILL)
                except ProcessLookupError:
                    pass
            proc.stdout.close()
            proc.stderr.close()
    print("\n[kill] " + "; ".join(log))
    assert not leftovers, f"processes left after SIGKILL of the indexer: {leftovers}"
    again = run_newsearch("index", pages, "--index-dir", index_dir, "--procs", "2")
    assert again.returncode == 0, describe(again)
