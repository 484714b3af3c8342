"""Facet arrays, counts, filters, dates and the timeline over a real index of literal articles."""
from __future__ import annotations

import numpy as np
import pytest

from indexer import store
from indexer.article import Article, article_id
from indexer.indexing import write_articles
from indexer.store import IndexHandle
from searchapp.facets import (FacetTable, count_facets, date_bound, date_mask, filter_masks,
                              timeline)


def art(n, date=None, district=None, reporters=(), types=()):
    title, body = f"标题{n}", f"正文{n}"
    return Article(id=article_id("p.txt", title, body), source="p.txt", ordinal=n, title=title,
                   subtitle="", body=body, date=date, district=district,
                   reporters=tuple(reporters), project_types=tuple(types))


ARTICLES = [
    art(1, "2022-03-27", "惠济区", ["简洋"], ["签约"]),
    art(2, "2023-02-14", "惠济区", ["简洋", "王伟"], ["签约", "开工"]),
    art(3, "2023-02-20", "金水区", ["王伟"], ["开工"]),
    art(4, "2023-07-01", "金水区", [], []),
    art(5, "--05-01", "登封市", ["李明"], ["投产"]),
    art(6, None, None, [], []),
]


@pytest.fixture(scope="module")
def index_dir(tmp_path_factory):
    d = tmp_path_factory.mktemp("facets")
    write_articles(ARTICLES, d)
    return d


@pytest.fixture(scope="module")
def table(index_dir):
    handle = IndexHandle(index_dir)
    with handle.searcher() as s:
        t = FacetTable.build(s.reader())
        ids = [s.stored_fields(i)["id"] for i in range(s.doc_count_all())]
    handle.close()
    t.ids = ids          # docnum -> article id, for the assertions below
    return t


def docs_of(table, docs):
    """Ordinals of document numbers (an int array) or of the documents a bool mask over
    `every(table)` selects."""
    docs = np.asarray(docs)
    if docs.dtype == bool:
        docs = every(table)[docs]
    by_id = {a.id: a for a in ARTICLES}
    return sorted(by_id[table.ids[i]].ordinal for i in docs)


def every(table):
    return np.flatnonzero(table.live).astype(np.int32)


def as_dict(values):
    return {v.value: v.count for v in values}


def test_table_reads_every_facet(table):
    assert table.size == 6 and table.live.all()
    assert sorted(table.values["district"]) == ["惠济区", "登封市", "金水区"]
    assert sorted(table.values["year"]) == ["2022", "2023"]
    assert sorted(table.values["month"]) == ["2022-03", "2023-02", "2023-07"]
    assert sorted(table.values["reporter"]) == ["李明", "王伟", "简洋"]
    assert sorted(table.values["type"]) == ["开工", "投产", "签约"]
    by_ordinal = {ARTICLES[[a.id for a in ARTICLES].index(i)].ordinal: d
                  for i, d in zip(table.ids, table.date_num)}
    assert by_ordinal == {1: 20220327, 2: 20230214, 3: 20230220, 4: 20230701, 5: 0, 6: 0}


def test_has_any_ors_values_of_multivalued_fields(table):
    for values, want in ((["简洋"], [1, 2]), (["简洋", "王伟"], [1, 2, 3])):
        assert docs_of(table, table.has_any_of("reporter", values, every(table))) == want
        assert docs_of(table, table.docs_with("reporter", values)) == want
    assert docs_of(table, table.has_any_of("type", ["开工"], every(table))) == [2, 3]
    assert docs_of(table, table.has_any_of("district", ["不存在"], every(table))) == []
    assert docs_of(table, table.docs_with("district", ["不存在"])) == []


def test_filters_and_counts_look_only_at_the_given_documents(table):
    some = np.asarray(sorted(i for i, a in enumerate(table.ids)
                             if a in {x.id for x in ARTICLES if x.ordinal in (2, 3, 5)}), dtype=np.int32)
    assert docs_of(table, some[table.has_any_of("reporter", ["王伟", "李明"], some)]) == [2, 3, 5]
    counts = table.counts("reporter", some)
    by_value = {table.values["reporter"][i]: int(c) for i, c in enumerate(counts) if c}
    assert by_value == {"简洋": 1, "王伟": 2, "李明": 1}
    counts, sums = table.weighted("district", some, np.array([1.0, 2.0, 4.0]))
    by_value = {table.values["district"][i]: (int(c), s) for i, (c, s) in enumerate(zip(counts, sums)) if c}
    assert set(by_value.values()) <= {(1, 1.0), (1, 2.0), (1, 4.0)} and len(by_value) == 3


def test_counts_over_everything(table):
    facets = count_facets(table, every(table), {}, {}, {})
    assert as_dict(facets["district"]) == {"惠济区": 2, "金水区": 2, "登封市": 1}
    assert as_dict(facets["reporter"]) == {"简洋": 2, "王伟": 2, "李明": 1}
    assert as_dict(facets["type"]) == {"签约": 2, "开工": 2, "投产": 1}
    assert as_dict(facets["year"]) == {"2023": 3, "2022": 1}
    # most frequent first, then by value
    assert [v.value for v in facets["district"]] == ["惠济区", "金水区", "登封市"]


def test_each_facet_ignores_its_own_selection(table):
    include = {"district": ("惠济区",), "type": ("开工",)}
    masks = filter_masks(table, include, {}, every(table))
    facets = count_facets(table, every(table), masks, include, {})
    # district counts: only the type filter applies -> articles 2, 3
    assert as_dict(facets["district"]) == {"惠济区": 1, "金水区": 1}
    assert [v.selected for v in facets["district"]] == [True, False]
    # type counts: only the district filter applies -> articles 1, 2
    assert as_dict(facets["type"]) == {"签约": 2, "开工": 1}
    # other facets: both filters -> article 2
    assert as_dict(facets["reporter"]) == {"简洋": 1, "王伟": 1}


def test_selected_and_excluded_values_are_always_listed(table):
    include = {"district": ("不存在区",)}
    exclude = {"type": ("签约",), "reporter": ("无名",)}
    masks = filter_masks(table, include, exclude, every(table))
    facets = count_facets(table, every(table), masks, include, exclude)
    d = {v.value: v for v in facets["district"]}
    assert d["不存在区"].count == 0 and d["不存在区"].selected
    t = {v.value: v for v in facets["type"]}
    assert t["签约"].excluded and t["签约"].count == 0          # nothing passes the district filter
    r = {v.value: v for v in facets["reporter"]}
    assert r["无名"].excluded and r["无名"].count == 0


def test_exclusion_removes_articles_with_any_excluded_value(table):
    masks = filter_masks(table, {}, {"reporter": ("王伟",)}, every(table))
    assert docs_of(table, masks["reporter"]) == [1, 4, 5, 6]


@pytest.mark.parametrize("text, upper, expected", [
    ("2023", False, 20230101), ("2023", True, 20231231),
    ("2023-02", False, 20230201), ("2023-02", True, 20230228), ("2024-02", True, 20240229),
    ("2023-02-14", False, 20230214), ("2023-02-14", True, 20230214),
    ("2023/2/3", True, 20230203), ("2023.2", True, 20230228), ("2023年2月", False, 20230201),
    ("2023年2月3日", True, 20230203), ("20230214", False, 20230214), (" 2023-02 ", False, 20230201),
    ("", False, None), (None, True, None),
])
def test_date_bound(text, upper, expected):
    assert date_bound(text, upper) == expected


@pytest.mark.parametrize("text", ["2023-13", "2023-02-30", "2023-00", "abc", "23-02-01", "2023-02-14x", "0000"])
def test_invalid_date_bound(text):
    with pytest.raises(ValueError):
        date_bound(text, False)


def test_date_mask_is_inclusive_and_drops_unknown_dates(table):
    assert date_mask(table, None, None, every(table)) is None
    assert docs_of(table, date_mask(table, 20230101, 20230228, every(table))) == [2, 3]
    assert docs_of(table, date_mask(table, 20230214, None, every(table))) == [2, 3, 4]
    assert docs_of(table, date_mask(table, None, 20230214, every(table))) == [1, 2]


def test_timeline_by_year_and_by_month(table):
    assert timeline(table, every(table)) == [("2022", 1), ("2023", 3)]
    only_2023 = table.docs_with("year", ["2023"])
    assert timeline(table, only_2023) == [("2023-02", 2), ("2023-07", 1)]
    # a year filter gives months even when no hit is in that year
    assert timeline(table, table.docs_with("year", ["2022"]), one_year="2022") == [("2022-03", 1)]


def test_deleted_articles_are_not_counted(tmp_path):
    write_articles(ARTICLES, tmp_path)
    ix = store.open_index(store.current_generation(tmp_path))
    w = ix.writer()
    w.delete_by_term("id", ARTICLES[0].id)
    w.commit(merge=False)
    handle = IndexHandle(tmp_path)
    with handle.searcher() as s:
        t = FacetTable.build(s.reader())
    handle.close()
    facets = count_facets(t, np.flatnonzero(t.live).astype(np.int32), {}, {}, {})
    assert as_dict(facets["district"]) == {"惠济区": 1, "金水区": 2, "登封市": 1}
    assert t.live.sum() == 5


def test_segment_parts_are_reused_after_an_update(tmp_path):
    """An incremental commit adds a segment: the table of the new state reads only that
    segment (the old one's arrays come from the cache) and equals a table read afresh."""
    write_articles(ARTICLES[:4], tmp_path)
    cache: dict = {}
    handle = IndexHandle(tmp_path)
    with handle.searcher() as s:
        FacetTable.build(s.reader(), cache=cache)
    first = dict(cache)
    assert len(first) == 1
    ix = store.open_index(store.current_generation(tmp_path))
    w = ix.writer()
    w.delete_by_term("id", ARTICLES[0].id)
    from indexer.schema import article_document
    for a in ARTICLES[4:]:
        w.add_document(**article_document(a))
    w.commit(merge=False)
    handle.close()
    handle = IndexHandle(tmp_path)
    with handle.searcher() as s:
        cached = FacetTable.build(s.reader(), cache=cache)
        fresh = FacetTable.build(s.reader())
        n = s.doc_count_all()
    handle.close()
    assert len(cache) == 2 and all(cache[k] is v for k, v in first.items())
    assert n == 6 and cached.live.sum() == fresh.live.sum() == 5
    # (a deleted document's values may differ: read before or after its deletion; never a hit)
    assert (cached.live == fresh.live).all() and (cached.date_num[fresh.live] == fresh.date_num[fresh.live]).all()
    live = np.flatnonzero(fresh.live).astype(np.int32)
    for facet in ("district", "reporter", "type", "year"):
        got = {cached.values[facet][i]: int(c) for i, c in enumerate(cached.counts(facet, live)) if c}
        want = {fresh.values[facet][i]: int(c) for i, c in enumerate(fresh.counts(facet, live)) if c}
        assert got == want
    assert as_dict(count_facets(cached, live, {}, {}, {})["district"]) == {"惠济区": 1, "金水区": 2, "登封市": 1}


@pytest.mark.parametrize("share", [0.05, 0.5, 1.0])
def test_counts_of_a_multivalued_facet_are_its_pairs_among_the_documents(share):
    """Whatever path counts() takes (few hits: their rows gathered; many: first values plus
    the extra pairs), a value's count is the number of the documents having it."""
    rng = np.random.default_rng(3)
    size, n_values = 3000, 40
    doc = rng.integers(0, size, 7000).astype(np.int32)           # some documents: 0, 1, many values
    code = rng.integers(0, n_values, 7000).astype(np.int32)
    pairs = np.unique(np.stack([doc, code], axis=1), axis=0)     # a value once per document
    t = FacetTable(size=size, live=np.ones(size, dtype=bool), date_num=np.zeros(size, dtype=np.int32))
    t.values["reporter"] = [f"v{i}" for i in range(n_values)]
    t.doc["reporter"], t.code["reporter"] = pairs[:, 0].copy(), pairs[:, 1].copy()
    docs = np.sort(rng.choice(size, int(size * share), replace=False)).astype(np.int32)
    want = np.zeros(n_values, dtype=np.int64)
    chosen = set(docs.tolist())
    for d, c in pairs.tolist():
        if d in chosen:
            want[c] += 1
    assert t._by_doc("reporter")[0] is None                      # really several values per document
    assert t.counts("reporter", docs).tolist() == want.tolist()
