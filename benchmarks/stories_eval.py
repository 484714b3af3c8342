"""Quality of the near-duplicate stories (indexer/stories.py) on generated articles with
known ground truth, without building an index.

Articles are bodies from the benchmark's corpus generator (benchmarks/generate.py). A share
of them are stories printed several times; every reprint gets a new dateline and byline
(the headline is not part of the comparison, so an edited headline is free), may lose one
or two paragraphs, may have paragraphs swapped, and has 5-30 % of its characters changed
(clauses rewritten, deleted or inserted; a tenth of the change as single replaced words). Unrelated articles on the same subject (same
district, same project and company names, the same lead sentence) are mixed in as traps.

    python -m benchmarks.stories_eval --articles 100000 [--seed 13]

Prints pair precision / recall (a pair = two articles put in the same story) and the time
of each step; --json writes the numbers as one JSON object.
"""
from __future__ import annotations

import argparse
import json
import re
import sys
import time
from collections import Counter

import numpy as np

from indexer import stories


_CLAUSE = re.compile(r"[^，。、；！？]+[，。、；！？]?")


def _edit(rng, gen, text: str, fraction: float) -> str:
    """Change about `fraction` of the characters as an editor does: most of the budget by
    rewriting, deleting or inserting whole clauses, a tenth by replacing single words."""
    clauses = _CLAUSE.findall(text)
    budget = int(len(text) * fraction)
    changed = 0

    def new_clause(n: int) -> str:
        words = []
        while sum(map(len, words)) < n:
            words.append(str(gen.dict.draw(rng, 1)[0]))
        return "".join(words) + "，"

    while changed < budget * 0.9 and len(clauses) > 2:
        i = int(rng.integers(0, len(clauses)))
        op = rng.random()
        n = len(clauses[i])
        if op < 0.6:
            clauses[i] = new_clause(n)
        elif op < 0.8:
            del clauses[i]
        else:
            clauses.insert(i, new_clause(int(rng.integers(6, 20))))
        changed += n
    chars = list("".join(clauses))
    while changed < budget and len(chars) > 20:
        pos = int(rng.integers(0, len(chars) - 8))
        word = str(gen.dict.draw(rng, 1)[0])
        span = int(rng.integers(1, 4))
        chars[pos:pos + span] = list(word)
        changed += max(span, len(word))
    return "".join(chars)


def reprint(rng, gen, body: str) -> tuple[str, float]:
    """A reprint of `body` and the share of its characters that changed (approximately)."""
    paras = [p for p in body.split("\n\n") if p]
    n0 = sum(map(len, paras))
    if len(paras) > 3 and rng.random() < 0.5:            # drop one or two paragraphs
        for _ in range(int(rng.integers(1, 3))):
            if len(paras) > 3:
                paras.pop(int(rng.integers(1, len(paras))))
    if len(paras) > 2 and rng.random() < 0.3:            # reorder two paragraphs
        i = int(rng.integers(1, len(paras) - 1))
        paras[i], paras[i + 1] = paras[i + 1], paras[i]
    dropped = 1 - sum(map(len, paras)) / max(1, n0)
    target = float(rng.uniform(0.05, 0.30))
    rest = max(0.0, target - dropped)
    paras = [_edit(rng, gen, p, rest) for p in paras]
    return "\n\n".join(paras), max(target, dropped)


def corpus(n: int, seed: int, dup_share: float = 0.3, trap_share: float = 0.2):
    """(bodies, true story label per body) with n bodies."""
    from benchmarks.generate import CorpusGenerator

    gen = CorpusGenerator(seed)
    rng = np.random.default_rng([seed, 0x5709])
    bodies: list[str] = []
    labels: list[int] = []
    story = 0
    districts = gen.districts
    while len(bodies) < n:
        district = districts[int(rng.integers(len(districts)))]
        n_chars = int(np.clip(rng.normal(1560, 380), 300, 3200))
        lead = ""
        if rng.random() < trap_share:      # same subject as others: shared lead and names
            project = gen.projects.one(rng)
            company = gen.companies.one(rng)
            lead = f"{district}举行{project}集中签约仪式，{company}等企业负责人参加。"
        body = lead + gen.body(rng, district, n_chars)
        if lead:                            # its unrelated twin on the same subject
            twin = lead + gen.body(rng, district, n_chars)
        copies = int(rng.integers(2, 6)) if rng.random() < dup_share else 1
        for c in range(min(copies, n - len(bodies))):
            who = gen.reporters.one(rng)
            text = body if c == 0 else reprint(rng, gen, body)[0]
            bodies.append(f"本报讯(记者 {who}){text}")
            labels.append(story)
        story += 1
        if lead and len(bodies) < n:
            bodies.append(f"本报讯(记者 {gen.reporters.one(rng)}){twin}")
            labels.append(story)
            story += 1
    return bodies, np.asarray(labels)


def pair_scores(truth: np.ndarray, pred: np.ndarray) -> dict:
    """Pair precision and recall of a clustering against the true labels."""
    def pairs(counts) -> int:
        return int(sum(c * (c - 1) // 2 for c in counts))

    joint = Counter(zip(truth.tolist(), pred.tolist()))
    tp = pairs(joint.values())
    true_pairs = pairs(Counter(truth.tolist()).values())
    pred_pairs = pairs(Counter(pred.tolist()).values())
    return {"true_pairs": true_pairs, "predicted_pairs": pred_pairs, "correct_pairs": tp,
            "precision": tp / pred_pairs if pred_pairs else 1.0,
            "recall": tp / true_pairs if true_pairs else 1.0}


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--articles", type=int, default=100_000)
    ap.add_argument("--seed", type=int, default=13)
    ap.add_argument("--json", action="store_true")
    args = ap.parse_args(argv)
    t0 = time.perf_counter()
    bodies, truth = corpus(args.articles, args.seed)
    t1 = time.perf_counter()
    sig = [stories.signature(b) for b in bodies]
    sigs = np.stack([s for s, _ in sig])
    sizes = np.asarray([k for _, k in sig], dtype=np.int64)
    t2 = time.perf_counter()
    pred = stories.cluster(sigs, sizes)
    t3 = time.perf_counter()
    out = {"articles": len(bodies), "true_stories": int(len(set(truth.tolist()))),
           "predicted_stories": int(len(set(pred.tolist()))), **pair_scores(truth, pred),
           "seconds": {"generate": round(t1 - t0, 1), "signatures": round(t2 - t1, 1),
                       "lsh_and_clusters": round(t3 - t2, 1)},
           "params": stories.params()}
    if args.json:
        json.dump(out, sys.stdout, ensure_ascii=False)
        print()
    else:
        print(f"articles {out['articles']}  stories true {out['true_stories']} / found {out['predicted_stories']}")
        print(f"pairs: true {out['true_pairs']}  predicted {out['predicted_pairs']}  correct {out['correct_pairs']}")
        print(f"pair precision {out['precision']:.4f}  recall {out['recall']:.4f}")
        print("seconds: " + ", ".join(f"{k} {v}" for k, v in out["seconds"].items()))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
