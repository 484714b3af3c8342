"""Check that the indexer's segmenter (indexer/segmenter.py: jieba's cuts computed by jieba-rs)
cuts a whole parsed benchmark corpus exactly as jieba does, and how fast each is.

    python benchmarks/segcheck.py benchmarks/work/a100000/articles.jsonl [--jobs N] [--out F]

Every article's indexed headline and body are normalised as the indexer does and cut by both
(``Segmenter.cut_fast`` and ``jieba_tokenizer().cut(text, HMM=True)``); the output gives the
characters and fields compared, the fields that differ (with the first few) and each one's
CPU speed. Exit status 1 when any field differs. Run on every usable core.
"""
from __future__ import annotations

import argparse
import json
import os
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
if str(HERE.parent) not in sys.path:
    sys.path.insert(0, str(HERE.parent))

BATCH = 2000


def _texts(line: str) -> tuple[str, str]:
    from indexer.analysis import normalize
    from indexer.article import Article
    from indexer.schema import indexed_title

    a = Article.from_dict(json.loads(line))
    return normalize(indexed_title(a)), normalize(a.body)


def _check(lines: list[str]) -> dict:
    from indexer.analysis import jieba_tokenizer, segmenter

    seg, tk = segmenter(), jieba_tokenizer()
    seg.fast                                    # set up outside the timings
    out = {"fields": 0, "chars": 0, "differ": 0, "examples": [], "jieba_cpu": 0.0, "fast_cpu": 0.0}
    for line in lines:
        for text in _texts(line):
            t0 = time.process_time()
            want = list(tk.cut(text, HMM=True))
            t1 = time.process_time()
            got = seg.cut_fast(text)
            t2 = time.process_time()
            out["jieba_cpu"] += t1 - t0
            out["fast_cpu"] += t2 - t1
            out["fields"] += 1
            out["chars"] += len(text)
            if got != want:
                out["differ"] += 1
                if len(out["examples"]) < 5:
                    i = next((i for i, (x, y) in enumerate(zip(want, got)) if x != y), min(len(want), len(got)))
                    out["examples"].append({"jieba": want[max(0, i - 3):i + 4], "fast": got[max(0, i - 3):i + 4]})
    return out


def _batches(path: Path):
    batch = []
    with open(path, encoding="utf-8") as f:
        for line in f:
            batch.append(line)
            if len(batch) >= BATCH:
                yield batch
                batch = []
    if batch:
        yield batch


def check(path, jobs: int | None = None) -> dict:
    from multiprocessing import get_context

    from indexer.analysis import analyzer_version, segmenter

    segmenter().fast                            # load once before forking
    jobs = max(1, jobs or len(os.sched_getaffinity(0)))
    total = {"fields": 0, "chars": 0, "differ": 0, "examples": [], "jieba_cpu": 0.0, "fast_cpu": 0.0}
    t0 = time.perf_counter()
    with get_context("fork").Pool(jobs) as pool:
        for part in pool.imap_unordered(_check, _batches(Path(path))):
            for k in ("fields", "chars", "differ", "jieba_cpu", "fast_cpu"):
                total[k] += part[k]
            total["examples"] += part["examples"][:max(0, 5 - len(total["examples"]))]
    total.update(seconds=time.perf_counter() - t0, jobs=jobs, articles_file=str(path),
                 analyzer_version=analyzer_version(),
                 jieba_chars_per_cpu_s=total["chars"] / max(total["jieba_cpu"], 1e-9),
                 fast_chars_per_cpu_s=total["chars"] / max(total["fast_cpu"], 1e-9))
    return total


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(prog="benchmarks/segcheck.py", description=__doc__.split("\n\n")[0])
    ap.add_argument("articles", help="a parsed corpus (articles.jsonl of a benchmark work dir)")
    ap.add_argument("--jobs", type=int, default=None)
    ap.add_argument("--out", help="write the result as JSON here too")
    args = ap.parse_args(argv)
    res = check(args.articles, args.jobs)
    text = json.dumps(res, ensure_ascii=False, indent=1)
    if args.out:
        Path(args.out).write_text(text + "\n", encoding="utf-8")
    print(text)
    print(f"{res['fields']:,} fields, {res['chars']:,} characters: {res['differ']} differ; "
          f"jieba {res['jieba_chars_per_cpu_s']:,.0f} chars/CPU-s, segmenter "
          f"{res['fast_chars_per_cpu_s']:,.0f} ({res['fast_chars_per_cpu_s'] / res['jieba_chars_per_cpu_s']:.1f}x), "
          f"{res['seconds']:.0f} s on {res['jobs']} processes", file=sys.stderr)
    return 1 if res["differ"] else 0


if __name__ == "__main__":
    sys.exit(main())
