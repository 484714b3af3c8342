"""Precision and recall of the amount extractor (indexer/amounts.py).

Two measurements:

* **seeds** - every amount on the pages in seeds/, labelled by hand in
  tests/data/amount_labels.json; the pages are split into articles by the indexer's own
  parser and the extracted amounts of each page file are matched to its labels on
  (value in 万元, kind);
* **generated** - sentences from benchmarks/data/amount_templates.json with amounts in every
  written form (216.8亿元, 5000万元, 约12亿元, 8亿至10亿元, 3000余万元, 两亿元, 1,200万元 …) whose
  value and kind are known, mixed with sentences that hold none.

    python -m benchmarks.amounts_eval [--n 5000] [--seed 13]

Prints precision and recall for all amounts and for the investment + contract amounts the
search filter uses.
"""
from __future__ import annotations

import argparse
import json
import random
from collections import Counter
from pathlib import Path

from indexer import amounts as am

ROOT = Path(__file__).resolve().parent.parent
LABELS = ROOT / "tests" / "data" / "amount_labels.json"
TEMPLATES = Path(__file__).resolve().parent / "data" / "amount_templates.json"
CN = "零一二三四五六七八九"


def _key(value: float, kind: str) -> tuple:
    return (round(float(value), 2), kind)


def score(expected: Counter, found: Counter, kinds=None) -> dict:
    """Precision / recall of multisets of (value, kind) keys (restricted to `kinds`)."""
    if kinds is not None:
        expected = Counter({k: n for k, n in expected.items() if k[-1] in kinds})
        found = Counter({k: n for k, n in found.items() if k[-1] in kinds})
    tp = sum((expected & found).values())
    n_found, n_exp = sum(found.values()), sum(expected.values())
    return {"tp": tp, "found": n_found, "expected": n_exp,
            "precision": tp / n_found if n_found else 1.0, "recall": tp / n_exp if n_exp else 1.0}


def seed_counts(seeds_dir: Path = ROOT / "seeds") -> tuple[Counter, Counter]:
    """(labelled, extracted) (source file, value, kind) multisets over seeds/."""
    from indexer.extract import parse_file

    labels = json.loads(LABELS.read_text(encoding="utf-8"))["labels"]
    expected = Counter((lab["source"],) + _key(lab["value"], lab["kind"]) for lab in labels)
    found: Counter = Counter()
    for path in sorted(Path(seeds_dir).glob("*.txt")):
        for a in parse_file(path):
            for x in am.article_amounts(a.title, a.subtitle, a.body):
                found[(path.name,) + _key(x.value, x.kind)] += 1
    return expected, found


def _cn_int(n: int) -> str:
    """Small integers in Chinese numerals (1..9999)."""
    import cn2an
    return cn2an.an2cn(n).replace("二千", "两千") if n >= 1000 else cn2an.an2cn(n)


def random_amount(rng: random.Random) -> tuple[str, float]:
    """(written form, value in 万元 - the lower bound of a range)."""
    form = rng.choice(("yi_dec", "yi_int", "wan", "approx", "range_yi", "range_wan",
                       "yu", "cn_yi", "cn_wan", "comma", "yuan"))
    if form == "yi_dec":
        v = rng.randint(11, 9999) / 10
        return f"{v:g}亿元", v * 10000
    if form == "yi_int":
        v = rng.randint(1, 500)
        return f"{v}亿元", v * 10000.0
    if form == "wan":
        v = rng.randint(1, 99) * 100
        return f"{v}万元", float(v)
    if form == "approx":
        v = rng.randint(2, 60)
        return f"{rng.choice(('约', '近', '超过', '逾'))}{v}亿元", v * 10000.0
    if form == "range_yi":
        lo = rng.randint(1, 20)
        return f"{lo}亿{rng.choice(('至', '到', '—', '~'))}{lo + rng.randint(1, 10)}亿元", lo * 10000.0
    if form == "range_wan":
        lo = rng.randint(1, 50) * 100
        return f"{lo}万—{lo + 500}万元", float(lo)
    if form == "yu":
        v = rng.randint(1, 90) * 100
        return f"{v}{rng.choice(('余', '多'))}万元", float(v)
    if form == "cn_yi":
        v = rng.randint(1, 99)
        return f"{_cn_int(v)}亿元", v * 10000.0
    if form == "cn_wan":
        v = rng.randint(1, 9) * 1000
        return f"{_cn_int(v)}万元", float(v)
    if form == "comma":
        v = rng.randint(1001, 9999)
        return f"{v:,}万元", float(v)
    v = rng.randint(100, 9999) * 10
    return f"{v}元", v / 10000


def generated(n: int, seed: int) -> tuple[list[str], Counter]:
    """n generated texts (a few sentences each) and the (text index, value, kind) truth."""
    rng = random.Random(seed)
    t = json.loads(TEMPLATES.read_text(encoding="utf-8"))
    texts, truth = [], Counter()
    for i in range(n):
        parts = []
        for _ in range(rng.randint(1, 4)):
            kind = rng.choice(("investment", "contract", "other", "noise"))
            sent = rng.choice(t[kind])
            sent = sent.replace("{P}", rng.choice(t["places"])).replace("{C}", rng.choice(t["companies"]))
            while "{N}" in sent:
                sent = sent.replace("{N}", str(rng.randint(2, 40)), 1)
            while "{A}" in sent:
                text, value = random_amount(rng)
                sent = sent.replace("{A}", text, 1)
                truth[(i,) + _key(value, kind)] += 1
            parts.append(sent)
        # a layout line break somewhere inside, as on e-paper pages
        body = "".join(parts)
        cut = rng.randint(0, len(body))
        texts.append(body[:cut] + "\n" + body[cut:])
    return texts, truth


def generated_counts(n: int, seed: int) -> tuple[Counter, Counter]:
    texts, truth = generated(n, seed)
    found = Counter((i,) + _key(x.value, x.kind) for i, text in enumerate(texts) for x in am.extract(text))
    return truth, found


def _fmt(name: str, s: dict) -> str:
    return (f"{name:<34} precision {s['precision']:.3f}  recall {s['recall']:.3f}  "
            f"(correct {s['tp']}, extracted {s['found']}, labelled {s['expected']})")


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--n", type=int, default=5000, help="generated texts (default 5000)")
    ap.add_argument("--seed", type=int, default=13)
    args = ap.parse_args(argv)
    filt = set(am.rules().filter_kinds)
    exp, found = seed_counts()
    print(_fmt("seeds, all amounts", score(exp, found)))
    print(_fmt("seeds, investment + contract", score(exp, found, filt)))
    exp, found = generated_counts(args.n, args.seed)
    print(_fmt(f"generated ({args.n} texts), all", score(exp, found)))
    print(_fmt("generated, investment + contract", score(exp, found, filt)))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
