"""Sparse document sets and top-k ranking (searchapp/docsets.py) against plain Python sets
and a full sort."""
from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from searchapp import docsets

doc_lists = st.lists(st.integers(0, 60), max_size=40)


def make(docs, seed=0):
    d = np.unique(np.asarray(docs, dtype=np.int32))
    rng = np.random.default_rng(seed)
    return docsets.of(d, rng.integers(1, 5, len(d)).astype(float))


def as_dict(s):
    return dict(zip(s.docs.tolist(), s.scores.tolist()))


@given(st.lists(doc_lists, min_size=1, max_size=4))
def test_intersect_and_union_match_sets_and_sum_scores(lists):
    sets = [make(x, i) for i, x in enumerate(lists)]
    dicts = [as_dict(s) for s in sets]
    inter = docsets.intersect(sets)
    common = set.intersection(*(set(d) for d in dicts))
    assert inter.docs.tolist() == sorted(common)
    assert as_dict(inter) == {k: sum(d[k] for d in dicts) for k in common}
    uni = docsets.union(sets)
    every = set().union(*(set(d) for d in dicts))
    assert uni.docs.tolist() == sorted(every)
    assert as_dict(uni) == {k: sum(d.get(k, 0.0) for d in dicts) for k in every}
    assert uni.docs.dtype == np.int32 and inter.docs.dtype == np.int32


@given(doc_lists, doc_lists)
def test_subtract_member_and_add_scores(a, b):
    sa, sb = make(a, 1), make(b, 2)
    assert docsets.subtract(sa, sb).docs.tolist() == sorted(set(a) - set(b))
    probe = np.asarray(a + [61, 0], dtype=np.int32)
    assert docsets.member(sb.docs, probe).tolist() == [x in set(b) for x in probe.tolist()]
    added = as_dict(docsets.add_scores(sa, sb))
    da, db = as_dict(sa), as_dict(sb)
    assert added == {k: v + db.get(k, 0.0) for k, v in da.items()}


def test_from_docs_sums_repeats():
    s = docsets.from_docs(np.array([5, 1, 5, 3, 1, 5]), np.array([1.0, 2, 3, 4, 5, 6]))
    assert s.docs.tolist() == [1, 3, 5] and s.scores.tolist() == [7.0, 4.0, 10.0]
    assert len(docsets.from_docs(np.zeros(0, np.int64))) == 0


@settings(max_examples=300)
@given(st.integers(1, 400), st.integers(0, 450), st.integers(0, 2 ** 31), st.sampled_from([1, 3, 50]))
def test_top_is_the_head_of_the_full_lexicographic_sort(n, k, seed, spread):
    rng = np.random.default_rng(seed)
    # few distinct values in the first keys: many ties for the later keys to settle
    keys = [rng.integers(0, spread, n).astype(float), rng.integers(0, spread, n), rng.permutation(n)]
    full = np.lexsort(keys[::-1])
    got = docsets.top(keys, k)
    assert got.tolist() == full[:k].tolist()


# --------------------------------------------------------------------------- the engine's two paths

QUERIES = ["郑州", "惠济区", "项目", "建设 -郑州", "郑州 OR 金水", "区", "“黄河”", "title:惠济",
           "reporter:王军", "-项目", "开工 NEAR/5 项目", ""]


def test_sparse_and_dense_term_counting_give_the_same_results(seed_index_dir, monkeypatch):
    """A text term is counted per document either by sorting its occurrences (few) or with
    one dense bincount (many), and a multi-valued facet by gathering the hits' rows or over
    a dense mask; the index of seeds/ is small, so force each path in turn."""
    from searchapp import facets as facets_
    from searchapp import service as service_
    from searchapp.model import SearchQuery

    def run(share):
        monkeypatch.setattr(service_, "DENSE_SHARE", share)
        monkeypatch.setattr(facets_, "DENSE_SHARE", share)
        svc = service_.SearchService(seed_index_dir)
        out = []
        for q in QUERIES:
            for inc in ({}, {"district": ("惠济区",)}):
                r = svc.search(SearchQuery.make(q, include=inc, page_size=100))
                out.append((q, r.total, [(h.id, round(h.score, 9)) for h in r.hits],
                            {f: [(v.value, v.count) for v in vs] for f, vs in r.facets.items()},
                            r.timeline))
        return out

    sparse, dense = run(0), run(10 ** 9)
    assert sparse == dense
    assert sum(total for _, total, *_ in sparse) > 0


@settings(max_examples=200)
@given(st.integers(1, 600), st.integers(1, 40), st.integers(0, 30), st.integers(0, 2 ** 31))
def test_story_page_is_the_page_of_first_versions_in_rank_order(n, stories, page, seed):
    from searchapp.service import _rank_keys, _ResultSet

    rng = np.random.default_rng(seed)
    docs = np.unique(rng.integers(0, 3 * n, n)).astype(np.int32)
    scores = rng.integers(0, 4, len(docs)).astype(float)
    labels = rng.integers(0, stories, 3 * n)
    rs = _ResultSet(docs, scores, _rank_keys("relevance", docs, scores, np.zeros(len(docs), np.int32)),
                    {}, [], [])
    ranked = docs[np.lexsort(rs.keys[::-1])]
    _, first = np.unique(labels[ranked], return_index=True)
    want = ranked[np.sort(first)]
    size = 5
    got, _ = rs.story_page(labels, page * size, page * size + size)
    assert got.tolist() == want[page * size:page * size + size].tolist()
    assert rs.story_count(labels) == len(want)
