"""Cost of the near-duplicate stories (indexer/stories.py) on a real index.

    python -m benchmarks.stories_cost CORPUS_DIR --workdir DIR

Builds the index of CORPUS_DIR (``newsearch index --rebuild``, which computes the stories
after the commit) and reports: the rebuild time, the part of it spent on stories when the
signature cache is cold (a rebuild) and warm (an incremental run: only new articles are
sketched, the clusters are recomputed over all), the size of the stories files against the
whole index, and the number of multi-article stories found.
"""
from __future__ import annotations

import argparse
import json
import shutil
import time
from pathlib import Path



def _size(path: Path) -> int:
    return sum(p.stat().st_size for p in path.rglob("*") if p.is_file())


def main(argv=None) -> int:
    from indexer import store, stories
    from indexer.indexing import index_paths

    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("corpus", type=Path)
    ap.add_argument("--workdir", type=Path, default=Path("benchmarks/work/stories"))
    ap.add_argument("--procs", type=int, default=1)
    args = ap.parse_args(argv)
    ix = args.workdir / "index"
    shutil.rmtree(ix, ignore_errors=True)
    t0 = time.perf_counter()
    report = index_paths([args.corpus], ix, rebuild=True, procs=args.procs)
    rebuild = time.perf_counter() - t0
    gen = store.current_generation(ix)
    (gen / stories.CACHE_FILE).unlink()
    t0 = time.perf_counter()
    result = stories.update(gen)
    cold = time.perf_counter() - t0
    t0 = time.perf_counter()
    stories.update(gen)
    warm = time.perf_counter() - t0
    files = [p for p in gen.iterdir() if p.name.startswith(stories.STORIES_PREFIX)]
    story_bytes = sum(p.stat().st_size for p in files)
    total = _size(gen)
    multi = int((result.sizes > 1).sum())
    out = {"articles": report.doc_count, "rebuild_seconds": round(rebuild, 1),
           "stories_cold_seconds": round(cold, 1), "stories_warm_seconds": round(warm, 1),
           "stories_share_of_rebuild": round(cold / rebuild, 3),
           "stories_bytes": story_bytes, "index_bytes": total,
           "stories_share_of_index": round(story_bytes / total, 4),
           "multi_article_stories": multi,
           "articles_in_multi_stories": int(result.sizes[result.sizes > 1].sum())}
    print(json.dumps(out, ensure_ascii=False, indent=1))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
