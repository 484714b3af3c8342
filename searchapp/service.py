"""SearchService: the search core that the CLI and the web app both call (no Flask here).

One request = one new Whoosh Searcher (``IndexHandle.searcher()``); nothing Whoosh-owned is
shared between threads. What is shared is read-only numpy data (the facet table, the
dockey map, the memory-mapped substring index) and small caches, all keyed by the index
state (the generation directory, the Whoosh commit and its segments) and guarded by locks.

A search runs in three steps:

1. **Match** (depends on the query text only, cached): the query is parsed
   (``querylang.parse``); every text term is looked up in the substring index
   (``indexer.substring``), which returns each verbatim occurrence (article, field,
   aligned with jieba word boundaries or not) - the recall guarantee - and the terms are
   combined with AND / OR / NOT as boolean masks and score arrays over document numbers.
   Field terms (district:, reporter:, type:) and the exact-headline bonus read short Whoosh
   posting lists.
2. **Filter, count, sort** (numpy over ``facets.FacetTable``, cached per full query
   without the page): facet filters and the date range are boolean masks, facet counts are
   ``np.bincount`` under masks, and the result set is sorted by score or date.
3. **Page**: only the hits of the requested page are loaded (stored fields) and highlighted.

Ranking: per term and field, an occurrence count ``tf`` scores ``0.5 + 0.5 * tf / (tf + 1.2)``
(in [0.5, 1): BM25's saturation without idf - every hit contains the term - and without
length normalisation) times a field weight (querylang.W_*): all occurrences count at the
substring weight, occurrences aligned with jieba word boundaries count again at the word
weight. The weights are spaced so that, for each term: query == headline > word match in
headline > substring-only match in headline > word match in body > substring-only in body.
A single character matches only where jieba kept it as a word of its own (as the word
fields did).
"""
from __future__ import annotations

import math
import os
import re
import threading
import time
from collections import OrderedDict
from dataclasses import dataclass, field, replace
from typing import Iterator

import numpy as np
from whoosh import query as wq

from indexer import substring
from indexer.amounts import stored_amount
from indexer.analysis import normalize
from indexer.store import IndexHandle
from searchapp import amounts as amounts_
from searchapp import docsets
from searchapp import stories as stories_
from searchapp import facets as fx
from searchapp import highlight as hl
from searchapp import proximity
from searchapp import querylang
from searchapp.docsets import DocSet
from searchapp.model import FACETS, SORTS, Hit, SearchQuery, SearchResults

MAX_PAGE_SIZE = 500
DEFAULT_PAGE_SIZE = 20
STREAM_BATCH = 200
MATCH_CACHE_SIZE = 64
# The caches are bounded in bytes too: a common word's result set holds an entry per hit
# (at a million articles tens of MB), so a count alone let a server grow by gigabytes.
MATCH_CACHE_BYTES = 32 * 2**20
RESULT_CACHE_BYTES = 64 * 2**20
# A text term with more occurrences than 1/DENSE_SHARE of the documents is counted per
# document with one dense bincount; fewer are sorted (cost follows the hits).
DENSE_SHARE = 4
RESULT_CACHE_SIZE = 128
RELATED_TERMS = 12
RELATED_DISTINCT = 0.10     # a key word in at most this share of the articles is distinctive
STATES_KEPT = 2
COMPUTE_SLOTS = max(2, os.cpu_count() or 2)     # result sets computed at once (see _result_set)
K1 = 1.2

_WORD_RE = re.compile(r"[^\W_]")


# --------------------------------------------------------------------------- caches

class _LRU:
    """At most `size` entries and `max_bytes` (each entry weighed by nbytes(value) when put;
    an entry larger than the whole budget is not kept)."""

    def __init__(self, size: int, max_bytes: int | None = None):
        self.size = size
        self.max_bytes = max_bytes
        self.bytes = 0
        self._d: OrderedDict = OrderedDict()      # key -> (value, weight)
        self._lock = threading.Lock()

    def get(self, key):
        with self._lock:
            got = self._d.get(key)
            if got is None:
                return None
            self._d.move_to_end(key)
            return got[0]

    def put(self, key, value):
        weight = _nbytes(value) if self.max_bytes is not None else 0
        with self._lock:
            old = self._d.pop(key, None)
            if old is not None:
                self.bytes -= old[1]
            if self.size <= 0 or (self.max_bytes is not None and weight > self.max_bytes):
                return
            self._d[key] = (value, weight)
            self.bytes += weight
            while self._d and (len(self._d) > self.size
                               or (self.max_bytes is not None and self.bytes > self.max_bytes)):
                _, (_, w) = self._d.popitem(last=False)
                self.bytes -= w

    def clear(self) -> None:
        with self._lock:
            self._d.clear()
            self.bytes = 0


def _nbytes(value) -> int:
    """Memory of a cached DocSet or _ResultSet: its per-hit arrays (a result set also gets
    room for the full ranking it sorts on demand)."""
    if isinstance(value, DocSet):
        return int(value.docs.nbytes + value.scores.nbytes)
    if isinstance(value, _ResultSet):
        keys = value.keys if isinstance(value.keys, (list, tuple)) else [value.keys]
        return int(value.hits.nbytes + value.hit_scores.nbytes + 8 * len(value.hits)
                   + sum(getattr(k, "nbytes", 0) for k in keys))
    return 0


class _ResultSet:
    """A query's whole filtered result set: its documents (ascending), their scores and the
    ranking keys. ``top(k)`` ranks only the first k (a page); ``docs``/``scores`` give the
    whole ranked list (export, story grouping, neighbours), sorted once when first asked."""

    def __init__(self, hits, hit_scores, keys, facets, timeline, messages, amounts=None):
        self.hits, self.hit_scores, self.keys = hits, hit_scores, keys
        self.facets, self.timeline, self.messages, self.amounts = facets, timeline, messages, amounts
        self._order: np.ndarray | None = None
        self._stories: int | None = None
        self._lock = threading.Lock()

    def __len__(self) -> int:
        return len(self.hits)

    def _ranked(self) -> np.ndarray:
        with self._lock:
            if self._order is None:
                self._order = np.lexsort(self.keys[::-1])
            return self._order

    def top(self, lo: int, hi: int) -> tuple[np.ndarray, np.ndarray]:
        """(docs, scores) of ranks lo..hi-1."""
        order = self._order
        if order is None:
            order = docsets.top(self.keys, hi) if hi * 4 < len(self.hits) else self._ranked()
        idx = order[lo:hi]
        return self.hits[idx], self.hit_scores[idx]

    def story_count(self, labels: np.ndarray) -> int:
        """How many stories the hits belong to (labels: StoryTable.label)."""
        if self._stories is None:
            self._stories = int(len(np.unique(labels[self.hits])))
        return self._stories

    def story_page(self, labels: np.ndarray, lo: int, hi: int) -> tuple[np.ndarray, np.ndarray]:
        """(docs, scores) of the best-ranked article of each of the stories ranked lo..hi-1
        (a story ranks where its best article does). Ranks a growing prefix of the hits
        until it holds hi stories, so a page costs what its prefix costs."""
        k = max(4 * hi, 64)
        while True:
            full = self._order is not None or k * 4 >= len(self.hits)
            order = self._ranked() if full else docsets.top(self.keys, k)
            _, first = np.unique(labels[self.hits[order]], return_index=True)
            if full or len(first) >= hi:
                idx = order[np.sort(first)[lo:hi]]
                return self.hits[idx], self.hit_scores[idx]
            k *= 4

    @property
    def docs(self) -> np.ndarray:
        return self.hits[self._ranked()]

    @property
    def scores(self) -> np.ndarray:
        return self.hit_scores[self._ranked()]


def _rank_keys(sort: str, docs: np.ndarray, scores: np.ndarray, dates: np.ndarray) -> list[np.ndarray]:
    """Lexicographic keys (smallest first) of the sort order; the document number settles ties."""
    dates = dates.astype(np.int64)
    if sort == "newest":
        return [-np.where(dates == 0, -1, dates), -scores, docs]
    if sort == "oldest":
        return [np.where(dates == 0, 10 ** 9, dates), -scores, docs]
    return [-scores, -dates, docs]


@dataclass
class _State:
    """Everything derived from one index state, shared read-only by requests."""
    key: tuple
    table: fx.FacetTable
    subs: substring.SubstringIndex
    docmap: substring.DocMap
    extras: dict = field(default_factory=dict)     # other per-state data (proximity boundaries)
    amount: np.ndarray = None       # float64[size]: each article's amount in 万元 (0: none)
    live_docs: np.ndarray = None    # int32: every live document number, ascending
    stories: "stories_.StoryTable" = None


def state_key(reader) -> tuple:
    """Identifies the document numbering a reader sees: its segments and their deletions."""
    leaves = reader.leaf_readers() if not reader.is_atomic() else [(reader, 0)]
    return tuple((r.segment().segment_id() if r.segment() is not None else id(r),
                  r.doc_count_all(), r.doc_count()) for r, _ in leaves)


def _split(value) -> list[str]:
    return [v for v in (value or "").split(",") if v]


def _sat_formula(tf: np.ndarray) -> np.ndarray:
    tf = tf.astype(np.float64)
    return np.where(tf > 0, 0.5 + 0.5 * tf / (tf + K1), 0.0)


_SAT_TABLE = _sat_formula(np.arange(1024))


def _sat(tf: np.ndarray) -> np.ndarray:
    """0.5 + 0.5 * tf / (tf + K1) where tf > 0, else 0 (counts: a table for the usual ones)."""
    tf = np.asarray(tf)
    out = _SAT_TABLE[np.minimum(tf, len(_SAT_TABLE) - 1)]
    big = tf >= len(_SAT_TABLE) - 1
    if big.any():
        out[big] = _sat_formula(tf[big])
    return out


# --------------------------------------------------------------------------- the service

class SearchService:
    """Search, facets, highlights, article view, related articles and export streaming.

    Raises indexer.store.IndexNotFound / IndexVersionMismatch (Chinese messages) when the
    index directory holds no usable index; callers turn them into a message.
    """

    def __init__(self, index_dir, handle: IndexHandle | None = None, result_cache: bool = True):
        """`result_cache=False` keeps no query results between calls (the benchmark's
        setting, like its peers' query caches off); per-state tables are always kept."""
        self.index_dir = index_dir
        self.handle = handle or IndexHandle(index_dir)
        self._states: OrderedDict = OrderedDict()
        self._chunks: dict = {}             # chunk id -> substring.Chunk (files never change)
        self._segments: dict = {}           # Whoosh segment -> its facet arrays / amounts
        self._table_lock = threading.Lock()
        self._matches = _LRU(MATCH_CACHE_SIZE if result_cache else 0, MATCH_CACHE_BYTES)
        self._results = _LRU(RESULT_CACHE_SIZE if result_cache else 0, RESULT_CACHE_BYTES)
        self._first_seen: tuple[tuple, dict] | None = None      # (state key, id -> ISO time)
        self._computing = threading.BoundedSemaphore(COMPUTE_SLOTS)

    # ----------------------------------------------------------------- public API
    def info(self) -> dict:
        return self.handle.info()

    def search(self, query: SearchQuery, full: bool = False, group: bool = False) -> SearchResults:
        """One page of hits with facets and timeline; `full` adds each hit's body."""
        t0 = time.perf_counter()
        query, messages = self._sanitize(query)
        with self.handle.searcher() as s:
            rs, parsed = self._result_set(s, query)
            messages += rs.messages
            total = len(rs)
            sto = self.state(s).stories
            # group: one hit per story (the web page's list; query.group is its URL state)
            cards = rs.story_count(sto.label) if group else total
            pages = max(1, math.ceil(cards / query.page_size))
            page = query.page
            if page < 1:
                messages.append(f"页码 {page} 无效，已显示第 1 页。")
                page = 1
            elif page > pages:
                if total:
                    messages.append(f"页码 {page} 超出范围（共 {pages} 页），已显示最后一页。")
                page = pages
            lo = (page - 1) * query.page_size
            needles = _needles(parsed)
            if not group:
                docs, scores = rs.top(lo, lo + query.page_size)
                hits = [self._hit(s, d, sc, needles, full, sto)
                        for d, sc in zip(docs.tolist(), scores.tolist())]
            else:
                docs, scores = rs.story_page(sto.label, lo, lo + query.page_size)
                hits = self._story_hits(s, rs, docs, scores, needles, full, sto)
        return SearchResults(
            query=replace(query, page=page), total=total, hits=hits, facets=rs.facets,
            timeline=rs.timeline, took_ms=(time.perf_counter() - t0) * 1000, page=page,
            pages=pages, messages=messages, amounts=rs.amounts,
            stories=cards if group else None)

    def _story_hits(self, s, rs: "_ResultSet", docs, scores, needles, full, sto) -> list[Hit]:
        """One hit per story (the best-ranked version) with the story's other hits."""
        hits = []
        for d, sc in zip(docs.tolist(), scores.tolist()):
            hit = self._hit(s, d, sc, needles, full, sto)
            members = sto.members(d)
            others = [int(m) for m in members[docsets.member(rs.hits, members)] if m != d]
            hit.others = sorted((_version(stored_fields(s, m), sto, m) for m in others[:stories_.MAX_OTHERS]),
                                key=_version_order)
            hits.append(hit)
        return hits

    def iter_hits(self, query: SearchQuery, full: bool = False) -> Iterator[Hit]:
        """Every hit of the query (filters applied) in its sort order, loaded in batches.

        The whole stream reads one consistent index state (one searcher held open)."""
        query, _ = self._sanitize(query)
        with self.handle.searcher() as s:
            rs, parsed = self._result_set(s, query)
            needles = _needles(parsed)
            docs, scores = rs.docs, rs.scores
            for lo in range(0, len(docs), STREAM_BATCH):
                batch = zip(docs[lo:lo + STREAM_BATCH].tolist(), scores[lo:lo + STREAM_BATCH].tolist())
                for d, sc in batch:
                    yield self._hit(s, d, sc, needles, full)

    def iter_articles(self, query: SearchQuery) -> Iterator[dict]:
        """Every article of the result set (filters applied) in its sort order, as the dicts
        ``article`` returns without the highlight fields; one consistent index state."""
        query, _ = self._sanitize(query)
        with self.handle.searcher() as s:
            rs, _ = self._result_set(s, query)
            for d in rs.docs.tolist():
                yield _article_dict(stored_fields(s, d))

    def result_messages(self, query: SearchQuery) -> list[str]:
        """The notes a search of `query` would give (bad operators, unknown values …)."""
        query, messages = self._sanitize(query)
        with self.handle.searcher() as s:
            rs, _ = self._result_set(s, query)
        return messages + list(rs.messages)

    def counts(self, query: SearchQuery, facets=("district", "year")) -> tuple[int, dict, list[str]]:
        """(total, {facet: {value: count}}, messages) of the query's whole result set with its
        filters applied: the numbers the search page shows (``search(query).total``), and
        per-facet counts of exactly those articles (not the sidebar's counts, which ignore a
        facet's own selection). Values with no article are left out."""
        query, messages = self._sanitize(replace(query, page=1))
        with self.handle.searcher() as s:
            rs, _ = self._result_set(s, query)
            table = self.state(s).table
            out = {}
            for f in facets:
                c = table.counts(f, rs.hits)
                out[f] = {table.values[f][i]: int(c[i]) for i in np.flatnonzero(c)}
        return len(rs), out, messages + list(rs.messages)

    def facet_values(self, facet: str) -> list[str]:
        """Every value of a facet in the index (sorted)."""
        with self.handle.searcher() as s:
            return sorted(self.state(s).table.values.get(facet, []))

    @staticmethod
    def needles(q: str) -> "Needles":
        """The texts a query marks in headlines and bodies (its positive text terms)."""
        return _needles(querylang.parse(q or ""))

    def period_counts(self, queries: list[SearchQuery], by: str = "year") -> list[tuple[dict, list]]:
        """Per query (filters applied, one index state): ({period: matching articles}, messages),
        periods "YYYY" (by="year") or "YYYY-MM" (by="month"); undated articles are left out."""
        out = []
        with self.handle.searcher() as s:
            table = self.state(s).table
            for q in queries:
                q, messages = self._sanitize(q)
                rs, _ = self._result_set(s, q)
                d = table.date_num[rs.hits].astype(np.int64)
                d = d[d > 0] // (10000 if by == "year" else 100)
                keys, counts = np.unique(d, return_counts=True)
                fmt = (lambda k: f"{k:04d}") if by == "year" else (lambda k: f"{k // 100:04d}-{k % 100:02d}")
                out.append(({fmt(int(k)): int(c) for k, c in zip(keys, counts)}, messages + rs.messages))
        return out

    def article(self, article_id: str, q: str = "") -> dict | None:
        """The article as Article.to_dict() fields plus title_html, body_html, match_count."""
        with self.handle.searcher() as s:
            docnum = _docnum(s, article_id)
            if docnum is None:
                return None
            stored = stored_fields(s, docnum)
            sto = self.state(s).stories
            d = _article_dict(stored)
            d.update(_story_fields(sto, docnum, d["id"]))
            versions = sorted((_version(stored_fields(s, int(m)), sto, int(m)) for m in sto.members(docnum)),
                              key=_version_order)
            earliest = next((v for v in versions if v["first"]), versions[0] if versions else None)
            earliest_body = None
            if earliest is not None and earliest["id"] != d["id"]:
                earliest_body = stored_fields(s, _docnum(s, earliest["id"])).get("body") or ""
        d["versions"] = versions if len(versions) > 1 else []
        if earliest_body is not None:
            d["diff_html"], d["diff_stats"] = stories_.diff_html(earliest_body, d["body"])
            d["earliest"] = earliest
        needles = _needles(querylang.parse(q or ""))
        d["title_html"] = hl.highlight(d["title"], needles.title)
        d["body_html"], d["match_count"] = hl.article_html(d["body"], needles.body)
        return d

    def first_seen(self) -> dict[str, str]:
        """Article id -> when it first entered the index (ISO time, from the file list; for
        files listed before that was recorded: the file's modification time). Stable across
        incremental updates and rebuilds; read once per index state."""
        from datetime import datetime, timezone

        from indexer import store

        with self.handle.searcher() as s:
            st = self.state(s)
            cached = self._first_seen
            if cached is not None and cached[0] == st.key:
                return cached[1]
            folder, generation = st.key[0], s.reader().generation()
        try:
            files = store.read_manifest(folder, generation)
        except Exception:
            files = {}
        out: dict[str, str] = {}
        for rec in files.values():
            seen = rec.get("first_seen") or {}
            fallback = None
            if rec.get("mtime_ns"):
                fallback = datetime.fromtimestamp(rec["mtime_ns"] / 1e9, tz=timezone.utc).isoformat(timespec="seconds")
            for i in rec.get("ids", ()):
                when = seen.get(i) or fallback
                if when:
                    out[i] = when
        self._first_seen = (st.key, out)
        return out

    def neighbours(self, query: SearchQuery, article_id: str) -> dict:
        """The article's place in the query's whole result list: {"position" (1-based, None
        when the article is not a hit), "total", "previous", "next"} (ids or None)."""
        query, _ = self._sanitize(query)
        with self.handle.searcher() as s:
            docnum = _docnum(s, article_id)
            rs, _ = self._result_set(s, query)
            docs = rs.docs
            if docnum is None or not len(docs):
                return {"position": None, "total": int(len(docs)), "previous": None, "next": None}
            where = np.flatnonzero(docs == docnum)
            if not len(where):
                return {"position": None, "total": int(len(docs)), "previous": None, "next": None}
            i = int(where[0])

            def id_at(j: int) -> str | None:
                return stored_fields(s, int(docs[j])).get("id") if 0 <= j < len(docs) else None

            return {"position": i + 1, "total": int(len(docs)), "previous": id_at(i - 1), "next": id_at(i + 1)}

    def page_articles(self, article_id: str) -> list[dict]:
        """Every article of the same page file (版面), in page order: id, ordinal, title, date."""
        with self.handle.searcher() as s:
            docnum = _docnum(s, article_id)
            if docnum is None:
                return []
            source = stored_fields(s, docnum).get("source", "")
            if not source:
                return []
            out = []
            for d in s.docs_for_query(wq.Term("source", source)):
                st = stored_fields(s, d)
                out.append({"id": st.get("id", ""), "ordinal": int(st.get("ordinal") or 0),
                            "title": st.get("title") or "", "date": st.get("date") or None})
        return sorted(out, key=lambda a: a["ordinal"])

    def related(self, article_id: str, limit: int = 5) -> list[Hit]:
        """More like this: articles sharing the article's subject, itself excluded.

        The article's key words (stored at index time) minus place names (a district is a
        facet, not a subject) are searched; a candidate counts only when it shares at least
        one *distinctive* key word (in at most RELATED_DISTINCT of the articles) and two key
        words in all, so sharing common words alone (发展, 项目 …) is not enough
        (benchmarks/related_eval.py measures it)."""
        from searchapp.aliases import is_place

        limit = max(0, min(int(limit), 50))
        if not limit:
            return []
        with self.handle.searcher() as s:
            docnum = _docnum(s, article_id)
            if docnum is None:
                return []
            stored = stored_fields(s, docnum)
            terms = [t for t in (stored.get("keywords") or "").split() if not is_place(t)][:RELATED_TERMS]
            if not terms:
                return []
            reader = s.reader()
            most = max(2, int(RELATED_DISTINCT * reader.doc_count()))
            distinct = {t for t in terms if reader.doc_frequency("keywords", t) <= most}
            if not distinct:
                return []
            # Key words come most characteristic first: boost them by rank.
            q = wq.Or([wq.Term("keywords", t, boost=1.0 - 0.5 * i / len(terms))
                       for i, t in enumerate(terms)])
            out = []
            for r in s.search(q, limit=limit * 4, mask={docnum}):
                theirs = set((stored_fields(s, r.docnum).get("keywords") or "").split())
                shared = theirs.intersection(terms)
                if shared & distinct and len(shared) >= 2:
                    out.append(self._hit(s, r.docnum, r.score, Needles()))
                    if len(out) == limit:
                        break
            return out

    # ----------------------------------------------------------------- steps
    def _sanitize(self, query: SearchQuery) -> tuple[SearchQuery, list[str]]:
        messages = []
        if query.sort not in SORTS:
            messages.append(f"未知的排序方式“{query.sort}”，已按相关度排序。")
            query = replace(query, sort="relevance")
        size = query.page_size
        if not isinstance(size, int) or size < 1 or size > MAX_PAGE_SIZE:
            fixed = DEFAULT_PAGE_SIZE if not isinstance(size, int) or size < 1 else MAX_PAGE_SIZE
            messages.append(f"每页条数 {size} 无效，已改为 {fixed}。")
            query = replace(query, page_size=fixed)
        if not isinstance(query.page, int):
            query = replace(query, page=1)
        unknown = sorted({f for f, _ in (*query.include, *query.exclude) if f not in FACETS})
        if unknown:
            messages.append(f"未知的筛选项：{'、'.join(unknown)}，已忽略。")
        return query, messages

    def state(self, searcher) -> _State:
        """The shared data of the searcher's index state (built once per state)."""
        reader = searcher.reader()
        ix = getattr(searcher, "_ix", None)
        folder = getattr(getattr(ix, "storage", None), "folder", "")
        generation = reader.generation()
        key = (str(folder), generation, state_key(reader))
        with self._table_lock:
            st = self._states.get(key)
            if st is not None:
                return st
            # Built under the lock: at 100k articles this takes a while, once per state.
            table = fx.FacetTable.build(reader, cache=self._segments)
            docmap = substring.DocMap(substring.dockey_column(reader), table.live)
            subs = substring.SubstringIndex.open(folder, generation if generation is not None else 0,
                                                 cache=self._chunks)
            st = _State(key, table, subs, docmap, amount=amounts_.amount_column(reader, cache=self._segments),
                        live_docs=np.flatnonzero(table.live).astype(np.int32),
                        stories=stories_.StoryTable.build(folder, generation or 0, docmap, table.size))
            self._states[key] = st
            while len(self._states) > STATES_KEPT:
                self._states.popitem(last=False)
            used = {ch.id for s_ in self._states.values() for ch in s_.subs.chunks}
            for cid in [c for c in self._chunks if c not in used]:
                del self._chunks[cid]
            segs = {sid for s_ in self._states.values() for sid, _n, _live in s_.key[2]}
            for k in [k for k in self._segments if k[1] not in segs]:     # (tag, segment id, n)
                del self._segments[k]
            return st

    def table(self, searcher) -> tuple[tuple, fx.FacetTable]:
        """The FacetTable of the searcher's index state (built once per state)."""
        st = self.state(searcher)
        return st.key, st.table

    def _match(self, searcher, st: _State, parsed: querylang.Parsed) -> DocSet:
        ck = (st.key, parsed.text)
        m = self._matches.get(ck)
        if m is not None:
            return m
        if parsed.root is None:
            m = docsets.of(st.live_docs)
        else:
            m = self._node(searcher, st, parsed.root) or docsets.empty()
            keys = {querylang.title_key(parsed.text)}
            if isinstance(parsed.root, querylang.Term) and parsed.root.field in (None, "title"):
                keys.add(querylang.title_key(parsed.root.text))
            for k in sorted(keys):
                if len(k) < 2:
                    continue
                exact = self._whoosh_docs(searcher, st, wq.Term("title_exact", k))
                if len(exact):
                    m = docsets.union([m, docsets.of(exact, querylang.W_EXACT)])
        self._matches.put(ck, m)
        return m

    # -- query tree -> DocSet of live documents; None: nothing searchable
    def _node(self, searcher, st: _State, node) -> DocSet | None:
        if isinstance(node, querylang.Term):
            return self._term(searcher, st, node)
        if isinstance(node, querylang.Near):
            return proximity.evaluate(st, node, lambda side: self._node(searcher, st, side))
        if isinstance(node, querylang.Not):
            r = self._node(searcher, st, node.child)
            every = self._every(st)
            return every if r is None else docsets.subtract(every, r)
        if isinstance(node, querylang.Or):
            subs = [r for r in (self._node(searcher, st, c) for c in node.children) if r is not None]
            return docsets.union(subs) if subs else None
        # And: a term with nothing searchable in it (a lone punctuation mark) is left out.
        pos = [r for r in (self._node(searcher, st, c) for c in node.children
                           if not isinstance(c, querylang.Not)) if r is not None]
        neg = [r for r in (self._node(searcher, st, c.child) for c in node.children
                           if isinstance(c, querylang.Not)) if r is not None]
        if not pos and not neg:
            return None
        found = docsets.intersect(pos) if pos else self._every(st)
        for r in neg:
            found = docsets.subtract(found, r)
        return found

    def _every(self, st: _State) -> DocSet:
        return docsets.of(st.live_docs, 1.0)

    def _term(self, searcher, st: _State, term: querylang.Term) -> DocSet | None:
        if term.field not in (None, "title"):
            return docsets.of(self._whoosh_docs(searcher, st, querylang.term_query(term)), 1.0)
        return self._text(st, term.text, title_only=term.field == "title")

    def _text(self, st: _State, text: str, title_only: bool) -> DocSet | None:
        """Articles containing `text` verbatim within a line (spaces ignored), scored by tiers."""
        norm = normalize(text)
        codes = substring.query_codes(norm)
        if not len(codes):
            return None
        single = len(codes) == 1
        words = bool(_WORD_RE.search(norm))
        if single and not words:
            return None           # a lone punctuation mark: nothing searchable
        docs, fields, aligned = st.subs.find_docs(codes, st.docmap, title_only)
        n = st.table.size
        if len(docs) and int(docs.max()) >= n:
            ok = docs < n
            docs, fields, aligned = docs[ok], fields[ok], aligned[ok]
        # slot = 4 * (doc + 1) + 2 * field + aligned: an occurrence of no live document
        # (doc -1) lands in row 0, dropped below, instead of filtering three arrays; int32
        # arithmetic while it fits (a common word has a million occurrences at 100k articles).
        wide = np.int64 if 4 * (n + 1) >= 2**31 else np.int32
        slot = (docs.astype(wide) + 1) * 4 + fields.astype(wide) * 2 + aligned
        if len(slot) * DENSE_SHARE > n:
            # Many occurrences: one pass over a dense table beats sorting them.
            c = np.bincount(slot, minlength=4 * (n + 1)).reshape(n + 1, 4)[1:]
            hit = np.flatnonzero(c[:, 0] | c[:, 1] | c[:, 2] | c[:, 3])
            c = c[hit]
        else:
            keys, cnt = np.unique(slot, return_counts=True)
            live = keys >= 4
            keys, cnt = keys[live], cnt[live]
            hit, row = np.unique((keys >> 2) - 1, return_inverse=True)
            c = np.zeros((len(hit), 4), dtype=np.int64)
            c[row, keys & 3] = cnt
        t_word, b_word = c[:, 1], c[:, 3]
        if single:                # where jieba kept the character as a word of its own
            keep = (t_word + b_word) > 0
            score = querylang.W_TITLE * _sat(t_word) + querylang.W_BODY * _sat(b_word)
            return docsets.of(hit[keep], score[keep])
        t_sub, b_sub = c[:, 0] + t_word, c[:, 2] + b_word
        score = querylang.W_TITLE_BI * _sat(t_sub) + querylang.W_BODY_BI * _sat(b_sub)
        if words:
            score += querylang.W_TITLE * _sat(t_word) + querylang.W_BODY * _sat(b_word)
        return docsets.of(hit, score)

    def _whoosh_docs(self, searcher, st: _State, q) -> np.ndarray:
        """Sorted live document numbers matching a Whoosh query (field terms, title_exact)."""
        ids = np.unique(np.fromiter(searcher.docs_for_query(q), dtype=np.int64))
        ids = ids[ids < st.table.size]
        return ids[st.table.live[ids]].astype(np.int32)

    def _result_set(self, searcher, query: SearchQuery) -> tuple[_ResultSet, querylang.Parsed]:
        parsed = querylang.parse(query.q)
        st = self.state(searcher)
        rk = (st.key, parsed.text, query.include, query.exclude, query.date_from, query.date_to, query.sort,
              query.amount_min, query.amount_max, query.first_only)
        rs = self._results.get(rk)
        if rs is not None:
            return rs, parsed
        # At most COMPUTE_SLOTS result sets are computed at once: a common word's arrays are
        # hundreds of MB at a million articles, and more concurrent computations than cores
        # only multiply the memory (the server has 8 threads) without answering sooner.
        with self._computing:
            rs = self._results.get(rk)          # computed by another request meanwhile
            if rs is None:
                rs = self._compute(searcher, st, parsed, query, rk)
        return rs, parsed

    def _compute(self, searcher, st: "_State", parsed: querylang.Parsed, query: SearchQuery, rk) -> "_ResultSet":
        table = st.table
        messages = list(parsed.messages)
        match = self._match(searcher, st, parsed)

        include = {f: v for f, v in query.include if f in FACETS}
        exclude = {f: v for f, v in query.exclude if f in FACETS}
        for f, vs in include.items():
            missing = [v for v in vs if v not in table.codes[f]]
            if missing:
                messages.append(f"索引中没有“{'、'.join(missing)}”这一筛选值，它不会匹配任何文章。")
        lo, hi = _date_range(query, messages)

        # The query's documents with the date, first-version and amount filters ("matched";
        # the facets count these), then the facet filters ("final": the result set).
        docs, scores = match.docs, match.scores
        keep = np.ones(len(docs), dtype=bool)
        dmask = fx.date_mask(table, lo, hi, docs)
        if dmask is not None:
            keep &= dmask
        if query.first_only:
            keep &= st.stories.first[docs]
        amask = amounts_.range_mask(st.amount[docs], query.amount_min, query.amount_max)
        if amask is not None:
            keep &= amask
        docs, scores = docs[keep], scores[keep]
        masks = fx.filter_masks(table, include, exclude, docs)
        final = fx.combine(len(docs), masks.values())
        facets = fx.count_facets(table, docs, masks, include, exclude)
        docs, scores = docs[final], scores[final]

        one_year = None
        years = include.get("year", ())
        if len(years) == 1:
            one_year = years[0]
        elif lo is not None and hi is not None and lo // 10000 == hi // 10000:
            one_year = f"{lo // 10000:04d}"
        rs = _ResultSet(
            hits=docs, hit_scores=scores, keys=_rank_keys(query.sort, docs, scores, table.date_num[docs]),
            facets=facets, timeline=fx.timeline(table, docs, one_year),
            messages=messages, amounts=amounts_.aggregate(table, st.amount, _once_per_story(docs, st),
                                                          articles=int(len(docs))))
        if not len(docs) and query.q.strip():
            rs.messages.extend(_zero_hit_hints(parsed))
        self._results.put(rk, rs)
        return rs

    def _hit(self, searcher, docnum: int, score: float, needles: "Needles", full: bool = False,
             sto: "stories_.StoryTable | None" = None) -> Hit:
        """One hit; `sto` is the searcher's StoryTable (looked up when not given)."""
        st = stored_fields(searcher, docnum)
        title = st.get("title") or ""
        body = st.get("body") or ""
        return Hit(
            id=st.get("id", ""), score=float(score), title=title,
            title_html=hl.highlight(title, needles.title),
            snippets=hl.snippets(body, needles.body),
            date=st.get("date") or None, district=st.get("district") or None,
            reporters=_split(st.get("reporters")), correspondents=_split(st.get("correspondents")),
            photographers=_split(st.get("photographers")), project_types=_split(st.get("type")),
            source=st.get("source", ""), ordinal=int(st.get("ordinal") or 0),
            subtitle=st.get("subtitle") or "", body=body if full else None,
            page_date=st.get("page_date") or None,
            amount=_amount(st), amounts=list(st.get("amounts") or []),
            **_story_fields(sto if sto is not None else self.state(searcher).stories, docnum, st.get("id", "")))


@dataclass(frozen=True)
class Needles:
    """The texts to mark: positive (not negated) text terms of the query, per field."""
    title: tuple[str, ...] = ()
    body: tuple[str, ...] = ()


def _needles(parsed: querylang.Parsed) -> Needles:
    terms = parsed.terms(positive=True)
    return Needles(title=tuple(t.text for t in terms if t.field in (None, "title")),
                   body=tuple(t.text for t in terms if t.field is None))


def _amount(stored: dict) -> float:
    """The article's figure in 万元 (as the filter reads it from the column)."""
    return float(stored_amount(stored.get("amounts")))


def stored_fields(searcher, docnum: int) -> dict:
    """The stored fields of a document (what ``searcher.stored_fields`` gives), read from its
    segment directly: Whoosh's own call filters every key through the schema again, a
    quarter of its cost on a results page (the index version check keeps schema and
    stored keys in step)."""
    reader = searcher.reader()
    try:
        if reader.is_atomic():
            leaf, local = reader, docnum
        else:
            seg, local = reader._segment_and_docnum(docnum)
            leaf = reader.readers[seg]
        if leaf.is_closed:
            raise AttributeError
        return leaf._perdoc.stored_fields(local)
    except AttributeError:          # a reader without the per-document codec (Whoosh changed)
        return searcher.stored_fields(docnum)


def _once_per_story(docs: np.ndarray, st: "_State") -> np.ndarray:
    """The (ascending) documents that state an amount, one per story (its first such one in
    document order): a reprinted story's amount is added once. Only the documents with an
    amount are grouped, so a common word's hits are not all sorted for a few with money."""
    docs = docs[st.amount[docs] > 0]
    _, idx = np.unique(st.stories.label[docs], return_index=True)
    return docs[np.sort(idx)]


def _story_fields(sto, docnum: int, article_id: str) -> dict:
    return {"story": sto.story_id(docnum, article_id), "first": bool(sto.first[docnum]),
            "story_size": int(sto.size[docnum])}


def _version(stored: dict, sto, docnum: int) -> dict:
    """One version of a story as listed: id, date, district, title, source, first."""
    return {"id": stored.get("id", ""), "date": stored.get("date") or None,
            "district": stored.get("district") or None, "title": stored.get("title") or "",
            "source": stored.get("source", ""), "first": bool(sto.first[docnum])}


def _version_order(v: dict) -> tuple:
    """Earliest first: the first appearance, then by date (undated last), then id."""
    d = v["date"] or ""
    return (not v["first"], d if len(d) == 10 and not d.startswith("--") else "9999", v["id"])


def _docnum(searcher, article_id) -> int | None:
    if not isinstance(article_id, str) or not article_id:
        return None
    return searcher.document_number(id=article_id)


def _article_dict(st: dict) -> dict:
    return {
        "id": st.get("id", ""), "source": st.get("source", ""),
        "ordinal": int(st.get("ordinal") or 0), "title": st.get("title") or "",
        "subtitle": st.get("subtitle") or "", "body": st.get("body") or "",
        "date": st.get("date") or None, "district": st.get("district") or None,
        "districts": _split(st.get("districts")), "reporters": _split(st.get("reporters")),
        "correspondents": _split(st.get("correspondents")),
        "photographers": _split(st.get("photographers")),
        "project_types": _split(st.get("type")), "page_date": st.get("page_date") or None,
        "line_start": int(st.get("line_start") or 0), "line_end": int(st.get("line_end") or 0),
        "amount": _amount(st), "amounts": list(st.get("amounts") or []),
    }


def _date_range(query: SearchQuery, messages: list[str]) -> tuple[int | None, int | None]:
    bounds = []
    for text, upper, label in ((query.date_from, False, "起始"), (query.date_to, True, "截止")):
        try:
            bounds.append(fx.date_bound(text, upper))
        except ValueError:
            messages.append(f"{label}日期“{text}”无法识别，已忽略（格式：2023、2023-02 或 2023-02-14）。")
            bounds.append(None)
    lo, hi = bounds
    if lo is not None and hi is not None and lo > hi:
        messages.append("起始日期晚于截止日期，已交换。")
        lo, hi = fx.date_bound(query.date_to, False), fx.date_bound(query.date_from, True)
    return lo, hi


def _zero_hit_hints(parsed: querylang.Parsed) -> list[str]:
    """Notes for an empty result that no looser search can replace. Splitting a long word is
    offered by searchapp.suggest (only splits that find something, as links / counted lines)."""
    out = []
    for t in parsed.terms(positive=True):
        if t.field not in (None, "title"):
            continue
        compact = "".join(t.text.split())
        if len(compact) == 1:
            out.append(f"单字“{compact}”只匹配独立成词的字；输入两个字以上可找到所有包含它的文章。")
    return out
