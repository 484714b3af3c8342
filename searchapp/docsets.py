"""Sparse document sets for the query engine: what a query costs follows its hits.

A ``DocSet`` is a sorted array of unique int32 document numbers with an aligned float64
score per document. The query tree (AND / OR / NOT, field terms, the exact-headline boost)
is evaluated on these arrays with merges (``searchsorted``), never on arrays over every
document of the index, so a rare name costs microseconds at any index size.

``top`` ranks a result set without sorting every hit: the first k of a lexicographic order
are found by ``np.partition`` on each key in turn (ties of one key are settled by the
next), then only those k are sorted.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

_I32 = np.int32


@dataclass(frozen=True)
class DocSet:
    docs: np.ndarray        # int32, ascending, unique
    scores: np.ndarray      # float64, aligned with docs

    def __len__(self) -> int:
        return len(self.docs)


def empty() -> DocSet:
    return DocSet(np.zeros(0, _I32), np.zeros(0))


def of(docs: np.ndarray, scores: np.ndarray | float = 0.0) -> DocSet:
    """A set of already sorted unique documents (scores aligned, or one score for all)."""
    docs = np.asarray(docs, dtype=_I32)
    if np.isscalar(scores):
        scores = np.full(len(docs), float(scores))
    return DocSet(docs, np.asarray(scores, dtype=np.float64))


def from_docs(docs: np.ndarray, scores: np.ndarray | float = 0.0) -> DocSet:
    """A set of documents in any order, with repeats: each document once, its scores summed."""
    docs = np.asarray(docs, dtype=np.int64)
    if np.isscalar(scores):
        scores = np.full(len(docs), float(scores))
    if not len(docs):
        return empty()
    order = np.argsort(docs, kind="stable")
    d, sc = docs[order], np.asarray(scores, dtype=np.float64)[order]
    start = np.flatnonzero(np.concatenate(([True], d[1:] != d[:-1])))
    return DocSet(d[start].astype(_I32), np.add.reduceat(sc, start))


def _locate(sorted_docs: np.ndarray, docs: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(at, found): where each of `docs` is (or would go) in the sorted array, and whether
    it is there."""
    if not len(sorted_docs):
        return np.zeros(len(docs), dtype=np.int64), np.zeros(len(docs), dtype=bool)
    at = np.searchsorted(sorted_docs, docs)
    at[at >= len(sorted_docs)] = 0
    return at, sorted_docs[at] == docs


def member(sorted_docs: np.ndarray, docs: np.ndarray) -> np.ndarray:
    """bool[len(docs)]: which of `docs` are in the sorted array."""
    return _locate(sorted_docs, docs)[1]


def intersect(sets: list[DocSet]) -> DocSet:
    """Documents in every set; scores summed."""
    if not sets:
        return empty()
    sets = sorted(sets, key=len)
    docs, scores = sets[0].docs, sets[0].scores
    for s in sets[1:]:
        if not len(docs):
            break
        at, ok = _locate(s.docs, docs)
        docs, scores = docs[ok], scores[ok] + s.scores[at[ok]]
    return DocSet(docs, scores)


def union(sets: list[DocSet]) -> DocSet:
    """Documents in any set; scores summed over the sets holding them."""
    sets = [s for s in sets if len(s)]
    if not sets:
        return empty()
    if len(sets) == 1:
        return sets[0]
    return from_docs(np.concatenate([s.docs for s in sets]), np.concatenate([s.scores for s in sets]))


def subtract(a: DocSet, b: DocSet) -> DocSet:
    """Documents of `a` not in `b` (a's scores)."""
    if not len(a) or not len(b):
        return a
    keep = ~member(b.docs, a.docs)
    return DocSet(a.docs[keep], a.scores[keep])


def add_scores(base: DocSet, other: DocSet) -> DocSet:
    """`base`'s documents, each with `other`'s score added where other holds it."""
    if not len(base) or not len(other):
        return base
    at, ok = _locate(other.docs, base.docs)
    scores = base.scores.copy()
    scores[ok] += other.scores[at[ok]]
    return DocSet(base.docs, scores)


def top(keys: list[np.ndarray], k: int) -> np.ndarray:
    """Indices of the k smallest rows of the lexicographic order (keys[0] first), sorted in
    that order. The last key must be unique per row (it settles every tie)."""
    n = len(keys[0]) if keys else 0
    k = max(0, min(k, n))
    if k == 0:
        return np.zeros(0, dtype=np.int64)
    if k * 4 >= n:
        return np.lexsort(keys[::-1])[:k]
    chosen = []
    rows = np.arange(n)
    need = k
    for i, key in enumerate(keys):
        col = key[rows]
        if i == len(keys) - 1 or need >= len(rows):
            sel = rows if need >= len(rows) else rows[np.argpartition(col, need - 1)[:need]]
            chosen.append(sel)
            break
        kth = np.partition(col, need - 1)[need - 1]
        below = col < kth
        chosen.append(rows[below])
        need -= int(below.sum())
        rows = rows[col == kth]
        if need == 0:
            break
    idx = np.concatenate(chosen)
    order = np.lexsort([key[idx] for key in keys[::-1]])
    return idx[order]
