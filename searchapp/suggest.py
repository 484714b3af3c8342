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
                                                      page_size=query.page_size, group=query.group), "filter"))
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
        bare = SearchQuery(sort=query.sort, page_size=query.page_size, group=query.group)
        out.extend(Relaxation(f"改搜“{w}”并去掉全部筛选", replace(bare, q=w), "word")
                   for w in candidates)
    return out


# ---------------------------------------------------------------- counted advice (web and CLI)

MAX_PROBES = 12           # searches spent on the suggestions of one empty result
MAX_SPLIT_PROBES = 40     # searches spent on splitting one long word into indexed pieces
MAX_SUGGESTIONS = 6
MIN_PART = 2              # single characters only match stand-alone words: never offered


@dataclass(frozen=True)
class Suggestion:
    label: str
    query: SearchQuery
    count: int
    kind: str


@dataclass(frozen=True)
class Advice:
    """What to show for an empty result: counted suggestions (each finds something), how many
    articles the query finds without any filter, and the filters that alone empty the result."""
    suggestions: list[Suggestion]
    unfiltered: int = 0
    culprits: tuple[str, ...] = ()      # labels such as 「日期：1990 至 1991」


def _count(service, query: SearchQuery) -> int:
    return service.search(replace(query, page=1, page_size=1)).total


def index_split(service, word: str) -> list[str]:
    """Split a long word into pieces the index holds, longest first (greedy, by substring
    probes): 惠济区经济运行分析会议 -> 惠济区 经济运行分析会. No tokenizer is loaded, so an empty
    result costs a few cheap searches, not jieba's start-up."""
    parts: list[str] = []
    i, probes = 0, 0
    while i < len(word) and probes < MAX_SPLIT_PROBES:
        for j in range(len(word), i + MIN_PART - 1, -1):
            if j - i == len(word):
                continue                       # the whole word is known to find nothing
            probes += 1
            if _count(service, SearchQuery(q=word[i:j])):
                parts.append(word[i:j])
                i = j
                break
            if probes >= MAX_SPLIT_PROBES:
                break
        else:
            i += 1                             # nothing starts here: skip a character
    return parts


def _filter_label(r: Relaxation) -> str:
    return r.label.split("「", 1)[1].rstrip("」") if "「" in r.label else r.label


def advise(service, query: SearchQuery) -> Advice:
    """Counted looser searches for an empty result (only those that find something)."""
    out: list[Suggestion] = []
    probes = 0
    culprits: list[str] = []
    for r in relaxations(replace(query, page=1), lambda w: index_split(service, w)):
        if probes >= MAX_PROBES or len(out) >= MAX_SUGGESTIONS:
            break
        probes += 1
        n = _count(service, r.query)
        if not n:
            continue
        out.append(Suggestion(r.label, r.query, n, r.kind))
        if r.kind == "filter" and not r.label.startswith("去掉全部"):
            culprits.append("「" + _filter_label(r) + "」")
        elif r.kind == "dates":
            dates = (f"{query.date_from or '最早'} 至 {query.date_to or '最新'}")
            culprits.append(f"「日期：{dates}」")
    unfiltered = _count(service, SearchQuery(q=query.q)) if params.has_filters(query) and query.q else 0
    return Advice(out, unfiltered, tuple(culprits))


def undated_left_out(service, query: SearchQuery) -> int:
    """How many articles the query would find without its date range that have no full date
    (a date range never includes them); 0 without a date range."""
    if not (query.date_from or query.date_to):
        return 0
    r = service.search(replace(query, date_from=None, date_to=None, page=1, page_size=1))
    return r.total - sum(c for _, c in r.timeline)
