"""Batch search benchmark: N generated names against an existing index, in-process.

    python benchmarks/batch_bench.py INDEX_DIR [--names 1000] [--seed 20240601] [--district D]

The names are the benchmark corpus generator's own person names (benchmarks/generate.py,
same seed): reporters and correspondents (frequent in bylines and datelines) and people
named in article bodies (most of them rare), in a fixed mix, so the list has names with many
hits, few hits and none. Prints the time of ``searchapp.batch.run`` (the web page's and the
CLI's code path) after opening the index and one warm-up query, and per-line latencies.
"""
from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
if str(HERE.parent) not in sys.path:
    sys.path.insert(0, str(HERE.parent))

import numpy as np  # noqa: E402

from benchmarks import generate as gen  # noqa: E402


def names(n: int, seed: int) -> list[str]:
    g = gen.CorpusGenerator(seed)
    rng = np.random.default_rng([seed, 0xBA7C])
    pools = [g.reporters.names, g.correspondents.names, g.people.names]
    shares = [0.1, 0.2, 0.7]
    out: list[str] = []
    seen: set[str] = set()
    for pool, share in zip(pools, shares):
        k = round(n * share)
        for i in rng.permutation(len(pool)):
            if k == 0:
                break
            name = str(pool[i])
            if name not in seen:
                seen.add(name)
                out.append(name)
                k -= 1
    return out[:n]


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("index_dir")
    ap.add_argument("--names", type=int, default=1000)
    ap.add_argument("--seed", type=int, default=gen.DEFAULT_SEED)
    ap.add_argument("--district", action="append", default=[])
    ap.add_argument("--json", action="store_true", help="print the numbers as one JSON object")
    a = ap.parse_args(argv)

    from searchapp import batch
    from searchapp.model import SearchQuery
    from searchapp.service import SearchService

    lst = names(a.names, a.seed)
    t0 = time.perf_counter()
    svc = SearchService(a.index_dir)
    svc.counts(SearchQuery.make("郑州"))                       # open the index state, warm up
    t_open = time.perf_counter() - t0
    base = SearchQuery.make("", include={"district": a.district} if a.district else None)
    lines = batch.read_lines("\n".join(lst))
    per_line = []
    problems: list = []
    t1 = time.perf_counter()
    rows = []
    it = batch.iter_rows(svc, lines, base, problems)
    while True:
        s = time.perf_counter()
        try:
            rows.append(next(it))
        except StopIteration:
            break
        per_line.append(time.perf_counter() - s)
    total = time.perf_counter() - t1
    lat = np.array(per_line) * 1000
    out = {
        "index_dir": a.index_dir, "names": len(lst), "rows": len(rows), "skipped": len(problems),
        "district": a.district, "open_warmup_s": round(t_open, 2), "batch_s": round(total, 2),
        "per_line_ms": {"p50": round(float(np.percentile(lat, 50)), 1), "p95": round(float(np.percentile(lat, 95)), 1),
                        "max": round(float(lat.max()), 1)},
        "names_with_hits": sum(1 for r in rows if r.total), "hits_sum": sum(r.total for r in rows),
        "max_total": max((r.total for r in rows), default=0),
        "doc_count": svc.info().get("doc_count"),
    }
    if a.json:
        print(json.dumps(out, ensure_ascii=False))
    else:
        for k, v in out.items():
            print(f"{k}: {v}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
