"""An empty search costs what a hit costs (issue 11, item 13).

It used to take ~1 s in the CLI and ~1.5 s on the first web request: the advice for an empty
result split the word with jieba, which loads its dictionary on first use. The split now asks
the index (searchapp.suggest.index_split). This prints, for a query with hits and one without:

- CLI: wall time of `newsearch search Q --limit 1` (a fresh process each time; best of 3);
- web: the first request of a fresh app (`/?q=Q`), and the second one.

    python benchmarks/nohit_latency.py [--index-dir DIR]    # default: a fresh index of seeds/
"""
from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import quote

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
QUERIES = {"hit": "惠济区", "no hit": "惠济区经济运行分析会议"}


def cli_ms(index_dir: str, q: str) -> float:
    best = float("inf")
    for _ in range(3):
        t = time.perf_counter()
        subprocess.run([sys.executable, "-c", "from searchapp.cli import main; main()", "search", q,
                        "--limit", "1", "--index-dir", index_dir], check=True, capture_output=True,
                       env={**os.environ, "PYTHONPATH": str(ROOT)})
        best = min(best, (time.perf_counter() - t) * 1000)
    return best


def web_ms(index_dir: str, q: str) -> tuple[float, float]:
    code = ("import sys, time\nfrom searchapp.web import create_app\n"
            "c = create_app({'INDEX_DIR': sys.argv[1]}).test_client()\n"
            "out = []\n"
            "for _ in range(2):\n"
            "    t = time.perf_counter(); r = c.get(sys.argv[2]); assert r.status_code == 200\n"
            "    out.append((time.perf_counter() - t) * 1000)\n"
            "print(*out)\n")
    res = subprocess.run([sys.executable, "-c", code, index_dir, "/?q=" + quote(q)], check=True,
                         capture_output=True, text=True, env={**os.environ, "PYTHONPATH": str(ROOT)})
    first, second = map(float, res.stdout.split())
    return first, second


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--index-dir")
    args = ap.parse_args()
    index_dir = args.index_dir
    if index_dir is None:
        from indexer.indexing import index_paths

        index_dir = tempfile.mkdtemp(prefix="nohit-")
        index_paths([ROOT / "seeds"], index_dir, procs=1)
    print(f"{'query':<8} {'CLI ms':>8} {'web 1st ms':>11} {'web 2nd ms':>11}")
    for label, q in QUERIES.items():
        first, second = web_ms(index_dir, q)
        print(f"{label:<8} {cli_ms(index_dir, q):>8.0f} {first:>11.0f} {second:>11.1f}")


if __name__ == "__main__":
    main()
