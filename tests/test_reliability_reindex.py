"""Issue 6, item 1: reindex while serving.

Threads search without pause — over HTTP against `newsearch serve` and in-process through a
shared SearchService — while `newsearch index --rebuild` and incremental runs (files added,
changed, removed) change the index under them. Every answer must come from a complete index
state that was live while the request ran: the corpus states are known in advance (their
article ids from `newsearch parse`, their hit counts from the seed pages they copy), so a
total that is not one of them means an empty or partial view.
"""
from __future__ import annotations

import json
import threading
import time
from dataclasses import dataclass, field
from urllib.parse import urlencode

import pytest

from reliability_support import (STATE_QUERIES, Expectations, Server, State, copies_spec, describe,
                                 http_get, index_state, run_newsearch, write_corpus)

pytestmark = pytest.mark.slow


@dataclass
class Step:
    name: str
    spec: dict
    rebuild: bool
    state: State | None = None
    started: float = 0.0
    finished: float = 0.0


@dataclass
class Observations:
    lock: threading.Lock = field(default_factory=threading.Lock)
    seen: list = field(default_factory=list)        # (t0, t1, source, q, total, ids)
    errors: list = field(default_factory=list)

    def add(self, *obs) -> None:
        with self.lock:
            self.seen.append(obs)

    def error(self, message: str) -> None:
        with self.lock:
            self.errors.append(message)
        time.sleep(0.05)        # a failing searcher must not starve the rest of the CPU


def _steps() -> list[Step]:
    s0 = copies_spec(range(0, 3))
    s1 = copies_spec(range(0, 4), rotate=1)                       # every file changed, 5 added
    s2 = {**s1, **copies_spec(range(4, 6), rotate=2)}             # 10 files added
    s3 = {**s2, **copies_spec([0], rotate=3)}                     # 5 files changed
    s4 = {k: v for k, v in s3.items() if not k.startswith(("c001_", "c002_"))}   # 10 removed
    s5 = {**s4, **copies_spec([7], rotate=4)}                     # rebuilt with 5 more
    return [Step("initial", s0, False), Step("rebuild", s1, True), Step("add", s2, False),
            Step("change", s3, False), Step("remove", s4, False), Step("rebuild-again", s5, True)]


def _allowed(steps: list[Step], t0: float, t1: float) -> list[State]:
    """States that may have been live at some moment of [t0, t1]: step k's state can be
    live from the start of its run until the end of the next run."""
    out = []
    for k, step in enumerate(steps):
        live_from = step.started
        live_to = steps[k + 1].finished if k + 1 < len(steps) else float("inf")
        if live_from <= t1 and t0 <= live_to:
            out.append(step.state)
    return out


def test_searches_see_a_complete_index_during_rebuild_and_updates(tmp_path, seed_index_dir):
    expect = Expectations(seed_index_dir)
    steps = _steps()
    scratch = tmp_path / "expected"
    for step in steps:
        write_corpus(scratch, step.spec)
        step.state = expect.state(scratch, step.spec)
    assert len({s.state for s in steps}) == len(steps), "each step must change the index"
    all_ids = frozenset().union(*(s.state.ids for s in steps))

    pages, index_dir = tmp_path / "pages", tmp_path / "index"
    first = steps[0]
    write_corpus(pages, first.spec)
    first.started = time.monotonic()
    result = run_newsearch("index", pages, "--index-dir", index_dir)
    first.finished = time.monotonic()
    assert result.returncode == 0, describe(result)
    assert index_state(index_dir) == first.state

    from searchapp.model import SearchQuery
    from searchapp.service import SearchService

    server = Server(index_dir, threads=4)
    service = SearchService(index_dir)            # one service shared by threads, as in the app
    obs = Observations()
    stop = threading.Event()

    def http_searcher(n: int) -> None:
        i = n
        while not stop.is_set():
            q = STATE_QUERIES[i % len(STATE_QUERIES)]
            i += 1
            t0 = time.monotonic()
            try:
                status, _, body = http_get(f"{server.url}/api/search?{urlencode({'q': q, 'size': 5})}")
                t1 = time.monotonic()
                if status != 200:
                    obs.error(f"HTTP {status} for q={q!r}: {body[:300]!r}")
                    continue
                data = json.loads(body)
                ids = [h["id"] for h in data["hits"]]
                if len(ids) != min(5, data["total"]):
                    obs.error(f"q={q!r}: {len(ids)} hits on a page of a {data['total']}-hit result")
                obs.add(t0, t1, "http", q, data["total"], frozenset(ids))
            except Exception as e:  # noqa: BLE001 - every failure is an error to report
                obs.error(f"http q={q!r}: {type(e).__name__}: {e}")

    def http_exporter() -> None:
        while not stop.is_set():
            q = "惠济区"
            t0 = time.monotonic()
            try:
                status, _, body = http_get(f"{server.url}/export.json?{urlencode({'q': q})}")
                t1 = time.monotonic()
                if status != 200:
                    obs.error(f"export HTTP {status}: {body[:300]!r}")
                    continue
                rows = json.loads(body)
                obs.add(t0, t1, "export", q, len(rows), frozenset(r["id"] for r in rows))
            except Exception as e:  # noqa: BLE001
                obs.error(f"export: {type(e).__name__}: {e}")

    def inprocess_searcher(n: int) -> None:
        i = n
        while not stop.is_set():
            q = STATE_QUERIES[i % len(STATE_QUERIES)]
            i += 1
            t0 = time.monotonic()
            try:
                if i % 3 == 0:      # the whole result set, as export and feeds stream it
                    ids = [h.id for h in service.iter_hits(SearchQuery(q=q))]
                    obs.add(t0, time.monotonic(), "iter_hits", q, len(ids), frozenset(ids))
                else:
                    res = service.search(SearchQuery(q=q, page_size=5))
                    ids = [h.id for h in res.hits]
                    if len(ids) != min(5, res.total):
                        obs.error(f"in-process q={q!r}: {len(ids)} hits on a page of {res.total}")
                    obs.add(t0, time.monotonic(), "search", q, res.total, frozenset(ids))
            except Exception as e:  # noqa: BLE001
                obs.error(f"in-process q={q!r}: {type(e).__name__}: {e}")

    threads = [threading.Thread(target=http_searcher, args=(n,)) for n in range(3)]
    threads.append(threading.Thread(target=http_exporter))
    threads += [threading.Thread(target=inprocess_searcher, args=(n,)) for n in range(2)]
    runs = []
    try:
        for t in threads:
            t.start()
        time.sleep(1.0)
        for step in steps[1:]:
            write_corpus(pages, step.spec)
            args = ["index", pages, "--index-dir", index_dir] + (["--rebuild"] if step.rebuild else [])
            step.started = time.monotonic()
            result = run_newsearch(*args)
            step.finished = time.monotonic()
            runs.append((step.name, result.returncode, step.finished - step.started))
            assert result.returncode == 0, describe(result)
            time.sleep(0.5)
        time.sleep(1.0)
    finally:
        stop.set()
        for t in threads:
            t.join(timeout=60)
        server.stop()

    assert not obs.errors, f"{len(obs.errors)} errors, first: {obs.errors[:5]}"
    assert index_state(index_dir) == steps[-1].state

    bad = []
    per_window = [0] * len(steps)
    for t0, t1, source, q, total, ids in obs.seen:
        allowed = _allowed(steps, t0, t1)
        if total not in {s.count(q) for s in allowed}:
            bad.append(f"{source} q={q!r} total={total}, allowed {sorted({s.count(q) for s in allowed})}")
        if not ids <= all_ids:
            bad.append(f"{source} q={q!r}: ids of no corpus state: {sorted(ids - all_ids)[:3]}")
        for k, step in enumerate(steps[1:], 1):
            if step.started <= t0 and t1 <= step.finished:
                per_window[k] += 1
    assert not bad, f"{len(bad)} partial or stale results of {len(obs.seen)}, first: {bad[:5]}"
    # The searches really ran while each index run changed the index.
    assert all(n >= 5 for n in per_window[1:]), per_window
    totals_seen = {total for _, _, _, q, total, _ in obs.seen if q == ""}
    assert len(totals_seen) >= 4, totals_seen
    print(f"\n[reindex] {len(obs.seen)} searches (http+export+in-process), 0 errors, "
          f"{len(steps) - 1} index runs while serving: "
          + ", ".join(f"{n} rc={rc} {s:.1f}s" for n, rc, s in runs)
          + f"; searches inside each run: {per_window[1:]}")
