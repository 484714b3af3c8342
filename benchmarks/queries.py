"""Plan the benchmark's query mix from the generated vocabulary and verify each class.

Classes (document frequency = share of articles whose title or body contains the query
text verbatim within a line, spaces inside a line ignored as the substring index does: the
recall contract of the search issue):
  rare      df < 0.1 % of articles (at least one): generated person/company/project names,
            long dictionary words
  medium    1 % <= df <= 5 %: dictionary words
  common    df > 20 %: dictionary words, alone or two AND-ed
  phrase    a quoted multi-word string: slogans and word sequences taken from the articles
  filtered  a medium or common word plus a district or year facet

Every query's df is computed from the parsed corpus itself, so the class is verified, not
assumed. The plan is seeded, so the same corpus gives the same queries.
"""
from __future__ import annotations

import bisect
import json
import math
import re

import numpy as np

from benchmarks.peers import squash_lines   # the substring index's text model: spaces inside a line ignored

CLASSES = ("rare", "medium", "common", "phrase", "filtered")
RARE_MAX, MEDIUM_MIN, MEDIUM_MAX, COMMON_MIN = 0.001, 0.01, 0.05, 0.20
_CJK = re.compile(r"^[\u4e00-\u9fff]+$")


class Corpus:
    """Article texts and facet values for document-frequency checks.

    The texts are joined into one string, so that finding a term is one C-level scan and
    only its hits are visited in Python (a common term costs one step per article)."""

    def __init__(self, articles, normalize=None):
        """`articles`: any iterable of article dicts (read once: a file of a million
        articles is streamed, only the joined text and two facet lists are kept)."""
        self.normalize = normalize or (lambda s: s)
        texts, self.districts, self.years, self.starts = [], [], [], [0]
        for a in articles:
            t = f"{a.get('title') or ''}\n{a.get('subtitle') or ''}\n{a.get('body') or ''}"
            t = squash_lines(self.normalize(t))
            texts.append(t)
            self.starts.append(self.starts[-1] + len(t) + 1)
            self.districts.append(a.get("district") or "")
            d = a.get("date") or ""
            self.years.append(d[:4] if d[:1].isdigit() else "")
        self.big = "\x00".join(texts)
        del texts
        self.n = len(self.districts)

    def docs_with(self, term: str) -> list[int]:
        term = squash_lines(self.normalize(term))
        big, starts, out, pos = self.big, self.starts, [], 0
        if not term:
            return out
        while True:
            p = big.find(term, pos)
            if p < 0:
                return out
            d = bisect.bisect_right(starts, p) - 1
            out.append(d)
            pos = starts[d + 1]

    def df(self, *terms: str, district: str | None = None, year: str | None = None) -> int:
        docs = None
        for t in terms:
            found = set(self.docs_with(t))
            docs = found if docs is None else docs & found
        docs = docs or set()
        if district is not None:
            docs = {d for d in docs if self.districts[d] == district}
        if year is not None:
            docs = {d for d in docs if self.years[d] == year}
        return len(docs)


def _expected_df(p: np.ndarray, units: float) -> np.ndarray:
    return 1.0 - np.exp(-units * p)


class ArticleFile:
    """The articles of a JSON-lines file, read one at a time (len, [i], iteration) without
    holding them: a million parsed articles as dicts do not fit in memory."""

    def __init__(self, path):
        self.path = path
        offsets = [0]
        with open(path, "rb") as f:
            for line in f:
                offsets.append(offsets[-1] + len(line))
        self.offsets = np.asarray(offsets[:-1], dtype=np.int64)

    def __len__(self) -> int:
        return len(self.offsets)

    def __getitem__(self, i: int) -> dict:
        with open(self.path, "rb") as f:
            f.seek(int(self.offsets[i]))
            return json.loads(f.readline())

    def __iter__(self):
        with open(self.path, encoding="utf-8") as f:
            for line in f:
                yield json.loads(line)


def plan_queries(articles, manifest: dict, dictionary, per_class: int = 20,
                 seed: int = 1, normalize=None, tokens=None) -> list[dict]:
    """Return [{"cls", "q", "include", "df", "df_share", "source"}] (per_class per class).

    `dictionary` is benchmarks.generate.Dictionary (jieba's words and frequencies);
    `tokens(text) -> [(token, start, end)]` is the word tokenizer used to cut phrases.
    """
    rng = np.random.default_rng([seed, 0x5EA4C4])
    corpus = Corpus(articles, normalize)
    n = corpus.n
    out: list[dict] = []
    words = dictionary.words
    p = np.diff(np.concatenate(([0.0], dictionary.cdf)))
    lens = np.fromiter((len(w) for w in words), int, len(words))
    units = 1500 / 2.6 * 0.875                # dictionary words drawn per average article
    exp = _expected_df(p, units)

    def add(cls, q, df, source, include=None):
        out.append({"cls": cls, "q": q, "include": include or {}, "df": df,
                    "df_share": df / n if n else 0.0, "source": source})

    def take(cls, candidates, ok, source, limit):
        got = 0
        seen = {r["q"] for r in out if r["cls"] == cls}
        for q in candidates:
            if got >= limit:
                break
            if q in seen:
                continue
            df = corpus.df(*q.split())
            if ok(df):
                add(cls, q, df, source)
                seen.add(q)
                got += 1
        return got

    def shuffled(seq):
        seq = list(seq)
        rng.shuffle(seq)
        return seq

    rare_ok = lambda df: 1 <= df and df < max(RARE_MAX * n, 1.0001)     # noqa: E731
    medium_ok = lambda df: MEDIUM_MIN * n <= df <= MEDIUM_MAX * n        # noqa: E731
    common_ok = lambda df: df > COMMON_MIN * n                           # noqa: E731

    # ---- rare: names from the generator's pools that occur, and long dictionary words
    strip = re.compile(r"(股份|集团)?有限公司$")
    people = [x for x in manifest.get("people", []) if len(x) >= 3]
    companies = manifest.get("companies", [])
    projects = manifest.get("projects", [])
    def by_rank(pool, k):
        """Names at log-uniform Zipf ranks, so that both fairly and very rare names are tried."""
        if not pool:
            return []
        ranks = np.unique(np.exp(rng.uniform(0, math.log(len(pool)), k)).astype(int) - 1)
        return [pool[i] for i in shuffled(ranks.tolist())]
    got = take("rare", by_rank(people, 400), rare_ok, "person", round(per_class * 0.3))
    got += take("rare", [strip.sub("", c) if rng.random() < 0.5 else c for c in by_rank(companies, 400)],
                rare_ok, "company", round(per_class * 0.3))
    got += take("rare", by_rank(projects, 400), rare_ok, "project", round(per_class * 0.15))
    rare_words = np.where((lens >= 3) & (exp < RARE_MAX * 0.5) & (exp > 0.2 / max(n, 1)))[0]
    got += take("rare", (words[i] for i in shuffled(rare_words)[:2000]), rare_ok, "dictionary",
                per_class - got)
    if got < per_class:                     # small corpora: few dictionary words are that rare
        take("rare", by_rank(people, 2000), rare_ok, "person", per_class - got)

    # ---- medium and common: dictionary words of two or more characters
    two = lens >= 2
    med = np.where(two & (exp > 0.015) & (exp < 0.035))[0]
    take("medium", (words[i] for i in shuffled(med)[:400]), medium_ok, "dictionary", per_class)
    com = np.where(two & (exp > 0.3))[0]
    com_words = [words[i] for i in shuffled(com)[:200]]
    got = take("common", com_words[: per_class * 3], common_ok, "dictionary", per_class - per_class // 4)
    pairs = [f"{a} {b}" for a, b in zip(com_words[::2], com_words[1::2])]
    take("common", pairs, common_ok, "dictionary pair", per_class - got)

    # ---- phrase: slogans (medium/common) and word sequences cut from articles (rare)
    slogans = [s for s in manifest.get("slogans", []) if len(s) >= 4]
    got = 0
    for s in shuffled(slogans):
        if got >= per_class // 2:
            break
        df = corpus.df(s)
        if df:
            add("phrase", f'"{s}"', df, "slogan")
            got += 1
    if tokens is not None and n:
        tries = 0
        while got < per_class and tries < per_class * 50:
            tries += 1
            a = articles[int(rng.integers(n))]
            body = a.get("body") or ""
            if len(body) < 200:
                continue
            start = int(rng.integers(0, len(body) - 100))
            toks = [t for t in tokens(body[start:start + 100]) if _CJK.match(t[0])]
            k = int(rng.integers(2, 4))
            for j in range(len(toks) - k):
                seq = toks[j:j + k]
                if all(seq[m][2] == seq[m + 1][1] for m in range(k - 1)):
                    text = body[start + seq[0][1]:start + seq[-1][2]]
                    if 4 <= len(text) <= 9 and f'"{text}"' not in {r["q"] for r in out}:
                        add("phrase", f'"{text}"', corpus.df(text), "article words")
                        got += 1
                    break

    # ---- filtered: a medium or common word plus one district or one year
    med_q = [r["q"] for r in out if r["cls"] == "medium"]
    com_q = [r["q"] for r in out if r["cls"] == "common" and " " not in r["q"]]
    got = 0
    for i, q in enumerate(shuffled(med_q + com_q)):
        if got >= per_class:
            break
        docs = corpus.docs_with(q)
        if not docs:
            continue
        d = docs[int(rng.integers(len(docs)))]
        if i % 2 == 0 and corpus.districts[d]:
            inc = {"district": [corpus.districts[d]]}
            df = corpus.df(q, district=corpus.districts[d])
        elif corpus.years[d]:
            inc = {"year": [corpus.years[d]]}
            df = corpus.df(q, year=corpus.years[d])
        else:
            continue
        add("filtered", q, df, "word + " + next(iter(inc)), include=inc)
        got += 1
    return out


def check_classes(plan: list[dict], n: int) -> dict[str, dict]:
    """Per class: count, df range, and how many queries fall inside the class definition."""
    bounds = {"rare": (1, RARE_MAX * n), "medium": (MEDIUM_MIN * n, MEDIUM_MAX * n),
              "common": (COMMON_MIN * n, n + 1)}
    out = {}
    for cls in CLASSES:
        rows = [r for r in plan if r["cls"] == cls]
        dfs = [r["df"] for r in rows]
        lo, hi = bounds.get(cls, (0, n + 1))
        inside = sum(1 for d in dfs if (lo <= d < hi if cls == "rare" else lo <= d <= hi))
        if cls == "rare":
            inside = sum(1 for d in dfs if 1 <= d and d < max(hi, 1.0001))
        out[cls] = {"n": len(rows), "df_min": min(dfs, default=None), "df_max": max(dfs, default=None),
                    "df_median": sorted(dfs)[len(dfs) // 2] if dfs else None, "in_class": inside}
    return out
