"""What to try when a search finds nothing: looser versions of the query.

Pure: `relaxations(query, split_words)` lists candidate queries with a Chinese label;
the web layer counts each (one cheap search each) and shows those that find something.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, replace
from typing import Callable

from searchapp import params
from searchapp.model import FACETS, SearchQuery

MAX_WORD_SUGGESTIONS = 4
_OPERATOR = re.compile(r"^(?:OR|AND|NOT)$")
_FIELD = re.compile(r"^-?\w+:")


@dataclass(frozen=True)
class Relaxation:
    label: str          # e.g. 去掉筛选「区县：惠济区」
    query: SearchQuery
    kind: str           # "filter" | "dates" | "word"


def _terms(q: str) -> list[str]:
    return [t for t in q.split() if not _OPERATOR.match(t)]


def relaxations(query: SearchQuery, split_words: Callable[[str], list[str]] | None = None) -> list[Relaxation]:
    """Filters to drop first, then shorter or fewer words."""
    out: list[Relaxation] = []
    for facet in FACETS:
        label = params.FACET_LABELS[facet]
        for v in query.included(facet):
            out.append(Relaxation(f"去掉筛选「{label}：{v}」", params.without_value(query, facet, v), "filter"))
        for v in query.excluded(facet):
            out.append(Relaxation(f"不再排除「{label}：{v}」", params.without_value(query, facet, v), "filter"))
    if query.date_from or query.date_to:
        out.append(Relaxation("去掉日期范围", params.with_period(query, None, None), "dates"))
    if params.has_filters(query) and len(out) > 1:
        out.append(Relaxation("去掉全部筛选", SearchQuery(q=query.q, sort=query.sort,
                                                      page_size=query.page_size), "filter"))
    words: list[str] = []
    q = query.q.strip()
    if '"' in q or "“" in q or "”" in q:
        words.append(re.sub('["“”]', " ", q))
    terms = _terms(q)
    if len(terms) > 1:
        words.extend(" ".join(t for t in terms if t != drop) for drop in terms)
    elif len(terms) == 1 and split_words and not _FIELD.match(terms[0]) and len(terms[0]) >= 3:
        parts = [w for w in split_words(terms[0]) if len(w) >= 2]
        if len(parts) > 1:
            words.append(" ".join(parts))
        words.extend(parts)
    seen = {q}
    candidates = []
    for w in words:
        w = " ".join(w.split())
        if w and w not in seen and len(candidates) < MAX_WORD_SUGGESTIONS:
            seen.add(w)
            candidates.append(w)
    out.extend(Relaxation(f"改搜“{w}”", replace(query, q=w, page=1), "word") for w in candidates)
    if params.has_filters(query):
        bare = SearchQuery(sort=query.sort, page_size=query.page_size)
        out.extend(Relaxation(f"改搜“{w}”并去掉全部筛选", replace(bare, q=w), "word")
                   for w in candidates)
    return out
