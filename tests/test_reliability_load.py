"""Issue 6, item 7: load against the real server.

`newsearch serve` runs in its own process on 127.0.0.1 over an index of copies of the seed
pages. 16 client threads (keep-alive connections) send a seeded mix of searches (words and
parts of words from the pages, filters, sorts, pages), article pages, the JSON API, exports
and feeds for at least LOAD_SECONDS, and until at least RSS_LATE requests were served (a
bounded loop: it stops by itself after HARD_CAP_SECONDS). Expect 0 errors; the p99 latency
is reported; the server's resident memory (VmRSS) after RSS_LATE requests stays within 10 %
of its RSS after RSS_EARLY requests.
"""
from __future__ import annotations

import http.client
import json
import random
import re
import threading
import time
from urllib.parse import urlencode, urlsplit

import pytest

from reliability_support import (Server, copies_spec, describe, http_get, run_newsearch, seed_pages,
                                 write_corpus)

pytestmark = pytest.mark.slow

CONCURRENCY = 16
LOAD_SECONDS = 60.0
HARD_CAP_SECONDS = 240.0
RSS_EARLY, RSS_LATE = 1_000, 10_000
RSS_GROWTH = 0.10


def url_mix(base: str, rng: random.Random) -> list[tuple[str, int]]:
    """(path, expected status) pairs; a few hundred distinct URLs so caches keep turning."""
    _, _, body = http_get(base + "/export.json")
    rows = json.loads(body)
    assert len(rows) > 100
    ids = [r["id"] for r in rows]
    districts = sorted({r["district"] for r in rows if r["district"]})
    reporters = sorted({n for r in rows for n in r["reporters"]})
    text = "".join(p.read_text(encoding="utf-8") for p in seed_pages())
    runs = re.findall(r"[\u4e00-\u9fff]{2,}", text)
    words = sorted({run[i:i + n] for run in runs for n in (2, 3, 4) for i in range(0, max(1, len(run) - n), 5)})
    rng.shuffle(words)
    words = words[:260]
    mix: list[tuple[str, int]] = []
    for w in words:
        args = {"q": w}
        r = rng.random()
        if r < 0.2:
            args["district"] = rng.choice(districts)
        elif r < 0.3:
            args["sort"] = rng.choice(["newest", "oldest"])
        elif r < 0.4:
            args["page"] = str(rng.randint(1, 3))
        elif r < 0.45:
            args["q"] = f"{w} {rng.choice(words)}"
        elif r < 0.5:
            args["from"], args["to"] = "2022", "2023-06"
        endpoint = rng.choices(["/", "/api/search", "/feed.atom", "/export.csv"], [6, 6, 1, 1])[0]
        mix.append((f"{endpoint}?{urlencode(args)}", 200))
    for article_id in rng.sample(ids, 60):
        mix.append((f"/articles/{article_id}?{urlencode({'q': rng.choice(words)})}", 200))
        mix.append((f"/api/articles/{article_id}", 200))
    for name in reporters[:10]:
        mix.append((f"/?{urlencode({'reporter': name})}", 200))
    mix += [("/", 200), ("/api/info", 200), ("/export.json?q=%E9%A1%B9%E7%9B%AE", 200),
            ("/articles/0000000000000000", 404), ("/api/articles/ffffffffffffffff", 404)]
    return mix


class Load:
    def __init__(self, base: str, mix, server: Server):
        parts = urlsplit(base)
        self.host, self.port = parts.hostname, parts.port
        self.mix = mix
        self.server = server
        self.lock = threading.Lock()
        self.count = 0
        self.errors: list[str] = []
        self.latencies: list[float] = []
        self.rss: dict[int, int] = {}
        self.stop = threading.Event()

    def client(self, n: int) -> None:
        rng = random.Random(1000 + n)
        conn = http.client.HTTPConnection(self.host, self.port, timeout=60)
        while not self.stop.is_set():
            path, want = rng.choice(self.mix)
            t0 = time.perf_counter()
            try:
                conn.request("GET", path, headers={"Accept-Encoding": "identity"})
                resp = conn.getresponse()
                body = resp.read()
                status = resp.status
                if resp.getheader("Connection", "").lower() == "close":
                    conn.close()
            except (OSError, http.client.HTTPException) as e:
                conn.close()
                conn = http.client.HTTPConnection(self.host, self.port, timeout=60)
                with self.lock:
                    self.errors.append(f"{path}: {type(e).__name__}: {e}")
                continue
            seconds = time.perf_counter() - t0
            with self.lock:
                self.count += 1
                self.latencies.append(seconds)
                if status != want or (status == 200 and not body):
                    self.errors.append(f"{path}: HTTP {status} (expected {want}) {body[:200]!r}")
                for mark in (RSS_EARLY, RSS_LATE):
                    if self.count == mark:
                        self.rss[mark] = self.server.rss_kib()
        conn.close()


def test_sixteen_clients_for_a_minute(tmp_path):
    pages, index_dir = tmp_path / "pages", tmp_path / "index"
    write_corpus(pages, copies_spec(range(8)))
    built = run_newsearch("index", pages, "--index-dir", index_dir)
    assert built.returncode == 0, describe(built)

    with Server(index_dir, threads=8) as server:
        mix = url_mix(server.url, random.Random(7))
        for path, want in mix[:40]:                     # warm up: jieba, caches, templates
            assert http_get(server.url + path)[0] == want, path
        rss_start = server.rss_kib()
        load = Load(server.url, mix, server)
        threads = [threading.Thread(target=load.client, args=(n,), daemon=True) for n in range(CONCURRENCY)]
        t0 = time.monotonic()
        for t in threads:
            t.start()
        while True:
            time.sleep(0.2)
            elapsed = time.monotonic() - t0
            with load.lock:
                done = load.count
            if (elapsed >= LOAD_SECONDS and done >= RSS_LATE) or elapsed >= HARD_CAP_SECONDS:
                break
            assert server.proc.poll() is None, "the server died:\n" + "".join(server.output[-50:])
        load.stop.set()
        for t in threads:
            t.join(timeout=120)
        elapsed = time.monotonic() - t0
        rss_end = server.rss_kib()

    lat = sorted(load.latencies)
    p50, p99 = lat[len(lat) // 2], lat[min(len(lat) - 1, int(len(lat) * 0.99))]
    early, late = load.rss.get(RSS_EARLY), load.rss.get(RSS_LATE)
    print(f"\n[load] {load.count} requests in {elapsed:.1f}s at concurrency {CONCURRENCY} "
          f"({load.count / elapsed:.0f}/s), {len(load.errors)} errors, {len(mix)} distinct URLs; "
          f"latency p50 {p50 * 1000:.0f} ms, p99 {p99 * 1000:.0f} ms, max {lat[-1] * 1000:.0f} ms; "
          f"server RSS {rss_start // 1024} MiB at start, {early and early // 1024} MiB after {RSS_EARLY}, "
          f"{late and late // 1024} MiB after {RSS_LATE}, {rss_end // 1024} MiB at the end")
    assert not load.errors, f"{len(load.errors)} errors, first: {load.errors[:5]}"
    assert elapsed >= LOAD_SECONDS
    assert load.count >= RSS_LATE, (
        f"only {load.count} requests in {elapsed:.0f}s: the server is too slow to reach {RSS_LATE}")
    assert late <= early * (1 + RSS_GROWTH), f"RSS grew from {early} KiB to {late} KiB"
