"""How often a related article shares the subject (issue 11, item 14).

For every article of an index, take its related articles (SearchService.related) and judge
each pair independently of how they were found: the pair shares the subject when the two
texts have a *distinctive* word in common — a jieba word of two or more characters that is
not a place name of the gazetteer, not a number, and occurs in at most 10% of the articles.
Pairs that share only common words (发展, 项目, 实现 …) or a district name are off-topic.

    python benchmarks/related_eval.py [--index-dir DIR]      # default: a fresh index of seeds/

Prints: articles, related pairs, on-topic pairs, precision, articles with no related.
"""
from __future__ import annotations

import argparse
import re
import sys
import tempfile
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def words(text: str) -> set[str]:
    from indexer.analysis import normalize, word_tokens

    return {w for w, _, _ in word_tokens(normalize(text)) if len(w) >= 2 and not re.search(r"\d", w)}


def evaluate(svc, limit: int = 5) -> dict:
    """{"articles", "pairs", "on_topic", "precision", "lonely"} of the service's related lists."""
    from indexer.districts import mentioned_districts
    from searchapp.model import SearchQuery

    articles = {}
    for h in svc.iter_hits(SearchQuery(sort="newest")):
        a = svc.article(h.id)
        articles[h.id] = words(a["title"] + "\n" + a["subtitle"] + "\n" + a["body"])
    df = Counter(w for ws in articles.values() for w in ws)
    limit = max(2, round(0.10 * len(articles)))
    distinctive = {w for w, n in df.items() if n <= limit and not mentioned_districts(w)}
    pairs = on_topic = lonely = 0
    for aid, ws in articles.items():
        related = svc.related(aid, limit=limit)
        lonely += not related
        for r in related:
            pairs += 1
            on_topic += bool(ws & articles.get(r.id, set()) & distinctive)
    return {"articles": len(articles), "pairs": pairs, "on_topic": on_topic,
            "precision": on_topic / pairs if pairs else 0.0, "lonely": lonely}


def main() -> None:
    from indexer.indexing import index_paths
    from searchapp.service import SearchService

    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--index-dir")
    ap.add_argument("--limit", type=int, default=5)
    args = ap.parse_args()
    index_dir = args.index_dir
    if index_dir is None:
        index_dir = tempfile.mkdtemp(prefix="related-eval-")
        index_paths([ROOT / "seeds"], index_dir, procs=1)
    r = evaluate(SearchService(index_dir), args.limit)
    print(f"articles {r['articles']}  related pairs {r['pairs']}  on-topic {r['on_topic']}  "
          f"precision {r['precision']:.2f}  articles without related {r['lonely']}")


if __name__ == "__main__":
    main()
