"""SearchService over real indexes of literal articles (write_articles -> real Whoosh on disk)."""
from __future__ import annotations

import threading

import numpy as np
import pytest

from indexer.analysis import word_tokens
from indexer.article import Article, article_id
from indexer.indexing import write_articles
from indexer.store import IndexNotFound
from searchapp.model import SearchQuery
from searchapp.service import STREAM_BATCH, SearchService


def art(title, body, date=None, district=None, reporters=(), types=(), subtitle="", source="p.txt"):
    return Article(id=article_id(source, title, body), source=source, ordinal=1, title=title,
                   subtitle=subtitle, body=body, date=date, district=district,
                   reporters=tuple(reporters), project_types=tuple(types))


def words(text):
    return [w for w, _, _ in word_tokens(text)]


def titles(results):
    return [h.title for h in results.hits]


def search(svc, q="", **kw):
    include = kw.pop("include", None)
    exclude = kw.pop("exclude", None)
    return svc.search(SearchQuery.make(q, include=include, exclude=exclude, **kw))


# --------------------------------------------------------------------------- ranking

RANKING = [
    art("其他标题乙", "推动城市更新。城市更新。城市更新。城市更新。"),        # body, bigram only (tf 4)
    art("其他标题甲", "这是一篇很长的文章。" * 20 + "我们的城市很美。"),      # body, word (tf 1)
    art("推动城市更新工作", "没有。"),                                       # headline, bigram only
    art("更新城市面貌", "没有。"),                                           # headline, word
    art("城市", "没有。"),                                                   # headline == query
    art("不相关", "完全无关的内容。"),
]


@pytest.fixture(scope="module")
def ranking_svc(tmp_path_factory):
    d = tmp_path_factory.mktemp("ranking")
    write_articles(RANKING, d)
    return SearchService(d)


def test_segmentation_preconditions_of_the_ranking_test():
    assert "城市" not in words("推动城市更新。城市更新。") and "城市" in words("我们的城市很美。")
    assert "城市" not in words("推动城市更新工作") and "城市" in words("更新城市面貌")


def test_ranking_tiers(ranking_svc):
    r = search(ranking_svc, "城市")
    assert titles(r) == ["城市", "更新城市面貌", "推动城市更新工作", "其他标题甲", "其他标题乙"]
    scores = [h.score for h in r.hits]
    assert scores == sorted(scores, reverse=True) and len(set(scores)) == 5


def test_exact_title_ranks_first_even_with_spaces_and_traditional(tmp_path):
    arts = [art("惠济区 召开经济运行分析会", "惠济区召开经济运行分析会。" * 3),
            art("另一篇", "惠济区召开经济运行分析会。惠济区召开经济运行分析会。" * 5),
            art("惠济区召开经济运行分析会议纪要", "内容")]
    write_articles(arts, tmp_path)
    svc = SearchService(tmp_path)
    for q in ("惠济区 召开经济运行分析会", "惠濟區召開經濟運行分析會"):
        assert titles(search(svc, q))[0] == "惠济区 召开经济运行分析会"


def test_subtitle_is_searched_with_the_headline(tmp_path):
    write_articles([art("主标题", "正文", subtitle="副题里的关键词"), art("别的", "正文")], tmp_path)
    r = search(SearchService(tmp_path), "title:副题里")
    assert titles(r) == ["主标题"]


# --------------------------------------------------------------------------- a small newsroom

NEWS = [
    art("惠济区召开疫情防控工作会", "本报讯 3月27日，惠济区召开续会。\n\n区领导魏东出席。",
        "2022-03-27", "惠济区", ["简洋"], ["签约"]),
    art("郑东新区签约12个项目", "郑东新区集中签约，总投资216.8亿元。WMS系统上线。",
        "2023-02-14", "郑东新区", ["王伟"], ["签约"]),
    art("金水区重点项目开工", "金水区今日开工。鄭州市领导出席。郑东新区也有项目开工。",
        "2023-02-20", "金水区", ["王伟", "简洋"], ["开工"]),
    art("登封市招商引资", "登封市坚持项目为王，惠济区考察团来访。",
        "2023-07-01", "登封市", ["李明"], ["招商引资"]),
    art("无日期的图片新闻", "惠济区的春天。", None, "惠济区"),
    art("只有月日", "惠济区举行签约仪式。", "--05-01", "惠济区", [], ["签约"]),
]


@pytest.fixture(scope="module")
def svc(tmp_path_factory):
    d = tmp_path_factory.mktemp("news")
    write_articles(NEWS, d)
    return SearchService(d)


@pytest.mark.parametrize("q, expected", [
    ("惠济", {"惠济区召开疫情防控工作会", "登封市招商引资", "无日期的图片新闻", "只有月日"}),
    ("济区", {"惠济区召开疫情防控工作会", "登封市招商引资", "无日期的图片新闻", "只有月日"}),
    ("郑东", {"郑东新区签约12个项目", "金水区重点项目开工"}),
    ("东新", {"郑东新区签约12个项目", "金水区重点项目开工"}),
    ("216.8亿元", {"郑东新区签约12个项目"}),
    ("wms", {"郑东新区签约12个项目"}),
    ("ＷＭＳ", {"郑东新区签约12个项目"}),
    ("郑州", {"金水区重点项目开工"}),
    ("鄭州", {"金水区重点项目开工"}),
    ("惠濟區", {"惠济区召开疫情防控工作会", "登封市招商引资", "无日期的图片新闻", "只有月日"}),
    ("续会。区领导", set()),                                      # never across a paragraph break
    ("续会。", {"惠济区召开疫情防控工作会"}),
    ("项目 开工", {"金水区重点项目开工"}),
    ("惠济 OR 郑东", {"惠济区召开疫情防控工作会", "登封市招商引资", "无日期的图片新闻", "只有月日",
                      "郑东新区签约12个项目", "金水区重点项目开工"}),
    ("惠济 -签约", {"惠济区召开疫情防控工作会", "登封市招商引资", "无日期的图片新闻"}),
    ("惠济 NOT 签约", {"惠济区召开疫情防控工作会", "登封市招商引资", "无日期的图片新闻"}),
    ("-惠济", {"郑东新区签约12个项目", "金水区重点项目开工"}),
    ('"郑东新区集中签约"', {"郑东新区签约12个项目"}),
    ('"新区 集中"', {"郑东新区签约12个项目"}),
    ("title:项目", {"郑东新区签约12个项目", "金水区重点项目开工"}),
    ("district:郑东 签约", {"郑东新区签约12个项目"}),
    ("district:金水区", {"金水区重点项目开工"}),
    ("reporter:简洋", {"惠济区召开疫情防控工作会", "金水区重点项目开工"}),
    ("type:开工", {"金水区重点项目开工"}),
    ("惠济 ，", {"惠济区召开疫情防控工作会", "登封市招商引资", "无日期的图片新闻", "只有月日"}),
    ("惠济区签约", set()),                                         # verbatim only
    ("不存在的词", set()),
])
def test_query_semantics(svc, q, expected):
    assert set(titles(search(svc, q, page_size=50))) == expected


def test_unquoted_words_without_space_get_a_hint_when_nothing_matches(svc):
    from searchapp.suggest import advise

    r = search(svc, "惠济区签约")
    assert r.total == 0
    advice = advise(svc, SearchQuery(q="惠济区签约"))
    assert ("改搜“惠济区 签约”", 1) in [(s.label, s.count) for s in advice.suggestions]
    assert all(s.count > 0 for s in advice.suggestions)
    assert titles(search(svc, "惠济区 签约")) == ["只有月日"]


@pytest.mark.parametrize("q", ["-", "OR", "NOT", "AND", "title:", '"', '""', "“", "惠济区 OR", "-惠济区 -",
                               "\x00\x01\x02", "惠" * 1000, "((惠济区", "title:district:x", "<script>"])
def test_malformed_queries_are_searched_as_text(svc, q):
    r = search(svc, q)
    assert r.total >= 0 and r.page == 1


def test_long_query_message(svc):
    r = search(svc, "郑" * 1000)
    assert any("1000" in m for m in r.messages)


def test_empty_query_lists_everything_newest_first(svc):
    r = search(svc, "", page_size=50)
    assert r.total == len(NEWS)
    assert titles(r)[:4] == ["登封市招商引资", "金水区重点项目开工", "郑东新区签约12个项目",
                              "惠济区召开疫情防控工作会"]


def test_highlights_in_titles_and_snippets(svc):
    r = search(svc, "郑东")
    by_title = {h.title: h for h in r.hits}
    assert by_title["郑东新区签约12个项目"].title_html == "<mark>郑东</mark>新区签约12个项目"
    assert any("<mark>郑东</mark>新区" in s for s in by_title["金水区重点项目开工"].snippets)
    r = search(svc, "鄭州")
    assert "<mark>鄭州</mark>市领导" in r.hits[0].snippets[0]


def test_negated_terms_are_not_highlighted(svc):
    r = search(svc, "金水区 -惠济")
    assert "<mark>" not in "".join(r.hits[0].snippets).replace("<mark>金水区</mark>", "")


def test_hit_fields(svc):
    h = search(svc, "216.8亿元").hits[0]
    assert h.id == NEWS[1].id and h.date == "2023-02-14" and h.district == "郑东新区"
    assert h.reporters == ["王伟"] and h.project_types == ["签约"] and h.source == "p.txt"
    d = h.to_dict()
    assert d["snippet"] and d["id"] == NEWS[1].id


# --------------------------------------------------------------------------- filters, facets

def test_filters_and_facets(svc):
    r = search(svc, "惠济", include={"district": ["惠济区"]})
    assert r.total == 3
    districts = {v.value: (v.count, v.selected) for v in r.facets["district"]}
    # the district facet ignores its own selection: 登封市 shows what ticking it would add
    assert districts == {"惠济区": (3, True), "登封市": (1, False)}
    types = {v.value: v.count for v in r.facets["type"]}
    assert types == {"签约": 2}


def test_values_of_one_facet_or_and_facets_and(svc):
    r = search(svc, "", include={"district": ["惠济区", "金水区"], "type": ["签约"]})
    assert set(titles(r)) == {"惠济区召开疫情防控工作会", "只有月日"}
    r = search(svc, "", include={"reporter": ["王伟"]}, exclude={"reporter": ["简洋"]})
    assert titles(r) == ["郑东新区签约12个项目"]


def test_exclusion(svc):
    r = search(svc, "惠济", exclude={"district": ["惠济区"]})
    assert titles(r) == ["登封市招商引资"]
    assert {v.value: (v.count, v.excluded) for v in r.facets["district"]}["惠济区"] == (3, True)


def test_unknown_facet_value_is_listed_with_zero_and_a_message(svc):
    r = search(svc, "", include={"district": ["火星区"]})
    assert r.total == 0
    assert {v.value: v.count for v in r.facets["district"]}["火星区"] == 0
    assert any("火星区" in m for m in r.messages)


def test_unknown_facet_name_is_ignored_with_a_message(svc):
    r = svc.search(SearchQuery(q="惠济", include=(("color", ("red",)),)))
    assert r.total == 4 and any("color" in m for m in r.messages)


@pytest.mark.parametrize("date_from, date_to, expected", [
    ("2023", None, {"郑东新区签约12个项目", "金水区重点项目开工", "登封市招商引资"}),
    ("2023-02", "2023-02", {"郑东新区签约12个项目", "金水区重点项目开工"}),
    (None, "2023-02-14", {"惠济区召开疫情防控工作会", "郑东新区签约12个项目"}),
    ("2023-02-15", "2023-12-31", {"金水区重点项目开工", "登封市招商引资"}),
    ("2022", "2022", {"惠济区召开疫情防控工作会"}),
])
def test_date_range(svc, date_from, date_to, expected):
    r = search(svc, "", date_from=date_from, date_to=date_to, page_size=50)
    assert set(titles(r)) == expected


def test_invalid_dates_are_ignored_with_a_message(svc):
    r = search(svc, "", date_from="2023-13-01", date_to="昨天")
    assert r.total == len(NEWS)
    assert len([m for m in r.messages if "无法识别" in m]) == 2


def test_reversed_range_is_swapped(svc):
    r = search(svc, "", date_from="2023-12", date_to="2023-02")
    assert r.total == 3 and any("交换" in m for m in r.messages)


def test_timeline(svc):
    assert search(svc, "").timeline == [("2022", 1), ("2023", 3)]
    assert search(svc, "项目").timeline == [("2023-02", 2), ("2023-07", 1)]
    assert search(svc, "", include={"year": ["2023"]}).timeline == [("2023-02", 2), ("2023-07", 1)]


# --------------------------------------------------------------------------- sort, pages

def test_sort_newest_and_oldest_put_unknown_dates_last(svc):
    newest = titles(search(svc, "惠济", sort="newest"))
    oldest = titles(search(svc, "惠济", sort="oldest"))
    assert newest[:2] == ["登封市招商引资", "惠济区召开疫情防控工作会"]
    assert oldest[:2] == ["惠济区召开疫情防控工作会", "登封市招商引资"]
    assert set(newest[2:]) == set(oldest[2:]) == {"无日期的图片新闻", "只有月日"}


def test_unknown_sort_falls_back_to_relevance(svc):
    r = svc.search(SearchQuery(q="惠济", sort="random"))
    assert r.total == 4 and r.query.sort == "relevance" and r.messages


@pytest.mark.parametrize("page, served, note", [(1, 1, False), (2, 2, False), (3, 3, False),
                                                (-1, 1, True), (0, 1, True), (4, 3, True),
                                                (10 ** 9, 3, True)])
def test_pages_are_clamped(svc, page, served, note):
    r = search(svc, "", page=page, page_size=2)
    assert (r.total, r.pages, r.page, len(r.hits)) == (6, 3, served, 2)
    assert bool([m for m in r.messages if "页" in m]) == note


def test_pages_partition_the_result_set(svc):
    pages = [titles(search(svc, "", page=p, page_size=4)) for p in (1, 2)]
    assert len(pages[0]) == 4 and len(pages[1]) == 2
    assert set(pages[0]) | set(pages[1]) == {a.title for a in NEWS}


def test_bad_page_size_is_corrected(svc):
    r = search(svc, "", page_size=0)
    assert r.query.page_size == 20 and r.messages


# --------------------------------------------------------------------------- article, related

def test_article_view(svc):
    a = svc.article(NEWS[0].id, "惠济")
    assert a["title"] == "惠济区召开疫情防控工作会" and a["reporters"] == ["简洋"]
    assert a["title_html"] == "<mark>惠济</mark>区召开疫情防控工作会"
    assert a["match_count"] == 1
    assert a["body_html"].startswith("<p>本报讯 3月27日，<mark class=\"hit\" id=\"m1\">惠济</mark>区召开续会。</p>")
    assert set(NEWS[0].to_dict()) <= set(a)


def test_article_without_query_and_unknown_id(svc):
    a = svc.article(NEWS[1].id)
    assert a["match_count"] == 0 and "<mark" not in a["body_html"]
    assert svc.article("nope") is None and svc.article("") is None


def test_related_excludes_the_article_itself(tmp_path):
    arts = [art("登封氢能源产业园签约", "登封市与现代汽车洽谈氢能源燃料电池项目，氢能源汽车产业园落地。"),
            art("中牟氢能源汽车试点", "中牟县推广氢能源汽车，建设加氢站，燃料电池公交上线。"),
            art("登封市召开安全生产会", "登封市召开安全生产会议，部署项目工地检查。"),
            art("金水区垃圾分类", "金水区推进垃圾分类，社区志愿者上门宣传。")]
    write_articles(arts, tmp_path)
    svc = SearchService(tmp_path)
    rel = svc.related(arts[0].id, limit=3)
    assert arts[0].id not in [h.id for h in rel]
    assert [h.title for h in rel] == ["中牟氢能源汽车试点"]     # the subject, not 登封 or 项目
    assert svc.related("nope") == []


# --------------------------------------------------------------------------- streaming, updates

def test_iter_hits_streams_the_whole_result_set(tmp_path):
    n = STREAM_BATCH * 2 + 50
    arts = [art(f"第{i}篇 惠济区新闻", f"正文{i}。惠济区。", f"2023-{1 + i % 12:02d}-{1 + i % 28:02d}")
            for i in range(n)]
    write_articles(arts, tmp_path)
    svc = SearchService(tmp_path)
    q = SearchQuery.make("惠济区", sort="newest", page_size=20)
    streamed = list(svc.iter_hits(q))
    assert len(streamed) == n and len({h.id for h in streamed}) == n
    dates = [h.date for h in streamed]
    assert dates == sorted(dates, reverse=True)
    first_page = svc.search(q).hits
    assert [h.id for h in streamed[:20]] == [h.id for h in first_page]


def test_new_index_state_is_seen_by_the_same_service(tmp_path):
    write_articles([art("第一版", "惠济区")], tmp_path)
    svc = SearchService(tmp_path)
    assert search(svc, "惠济区").total == 1
    write_articles([art("第二版", "惠济区"), art("第三版", "惠济区")], tmp_path)
    r = search(svc, "惠济区")
    assert sorted(titles(r)) == ["第三版", "第二版"]


def test_concurrent_searches_agree_with_serial_ones(svc):
    queries = ["惠济", "郑东", "项目 开工", "-惠济", "", "鄭州", "惠济 OR 郑东"]
    expected = {q: titles(search(svc, q)) for q in queries}
    errors, out = [], []

    def worker():
        try:
            for _ in range(5):
                for q in queries:
                    out.append((q, titles(search(svc, q))))
        except Exception as e:        # pragma: no cover - the assertion below reports it
            errors.append(e)

    threads = [threading.Thread(target=worker) for _ in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors
    assert all(expected[q] == got for q, got in out) and len(out) == 6 * 5 * len(queries)


def test_missing_index_raises_index_not_found(tmp_path):
    with pytest.raises(IndexNotFound):
        SearchService(tmp_path / "none").search(SearchQuery())


def test_caches_are_bounded_in_bytes_as_well_as_entries(svc, monkeypatch):
    """A common word's result set holds an entry per hit; the caches keep within their byte
    budgets (entries are weighed when put) and still answer the same."""
    from searchapp import service as service_mod

    cache = service_mod._LRU(10, max_bytes=1000)
    big = service_mod.docsets.of(np.arange(100, dtype=np.int32), 1.0)      # 400 + 800 bytes
    small = service_mod.docsets.of(np.arange(10, dtype=np.int32), 1.0)     # 120 bytes
    cache.put("big", big)
    assert cache.get("big") is None and cache.bytes == 0                  # larger than the budget
    for i in range(9):
        cache.put(i, small)
    assert cache.bytes <= 1000 and len(cache._d) == 8 and cache.get(0) is None and cache.get(8) is small
    cache.put(8, small)                                                    # replacing keeps the sum
    assert cache.bytes == 8 * 120

    before = svc.search(SearchQuery.make(q="惠济区"))
    monkeypatch.setattr(svc._results, "max_bytes", 1)
    monkeypatch.setattr(svc._matches, "max_bytes", 1)
    svc._results.clear()
    svc._matches.clear()
    again = svc.search(SearchQuery.make(q="惠济区"))
    assert again.total == before.total and [h.id for h in again.hits] == [h.id for h in before.hits]
    assert svc._results.bytes == 0 and svc._matches.bytes == 0 and not svc._results._d


def test_at_most_the_compute_slots_build_result_sets_at_once(tmp_path, monkeypatch):
    """Eight requests at once (the server's threads) build at most COMPUTE_SLOTS result sets
    together; each still gets its own answer."""
    import time

    from searchapp import facets as fx
    from searchapp import service as service_mod

    d = tmp_path / "ix"
    write_articles(NEWS, d)
    svc = SearchService(d, result_cache=False)
    queries = ["惠济", "郑东", "项目", "签约", "开工", "郑州", "济区", "东新"]
    expected = {q: svc.search(SearchQuery(q=q)).total for q in queries}
    monkeypatch.setattr(svc, "_computing", threading.BoundedSemaphore(2))
    active, peak, lock = [0], [0], threading.Lock()
    real = fx.count_facets

    def slow_count_facets(*args, **kw):          # the real counts, held long enough to overlap
        with lock:
            active[0] += 1
            peak[0] = max(peak[0], active[0])
        try:
            time.sleep(0.05)
            return real(*args, **kw)
        finally:
            with lock:
                active[0] -= 1

    monkeypatch.setattr(service_mod.fx, "count_facets", slow_count_facets)
    got = {}
    threads = [threading.Thread(target=lambda q=q: got.__setitem__(q, svc.search(SearchQuery(q=q)).total))
               for q in queries]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert got == expected
    assert peak[0] == 2


def test_saturation_table_gives_the_formula_for_every_count():
    from searchapp import service as service_mod

    tf = np.concatenate([np.arange(3000), np.random.default_rng(1).integers(0, 10**6, 1000)])
    assert np.array_equal(service_mod._sat(tf), service_mod._sat_formula(tf))
    assert service_mod._sat(np.array([0]))[0] == 0.0


@pytest.mark.parametrize("dense_share", [0, 10**9])      # never / always the dense count
def test_text_counts_are_the_same_dense_or_sorted_and_skip_deleted_articles(tmp_path, make_pages,
                                                                           monkeypatch, dense_share):
    """A term's per-article counts, by one dense table or by sorting its occurrences, give
    the same hits and scores; occurrences in deleted articles (replaced by an update) and
    in none count for nothing."""
    from indexer.indexing import index_paths
    from searchapp import service as service_mod

    page = "\n\n".join(f"# 惠济区第{i}次项目推进会\n\n本报讯 惠济区召开项目推进会,项目建设{'项目' * i}。\n\n记者 简洋"
                       for i in range(1, 6)) + "\n"
    pages = make_pages(tmp_path / "pages", {"a.txt": page, "b.txt": page.replace("惠济区", "金水区")})
    ix = tmp_path / "ix"
    index_paths([pages], ix, procs=1)
    (pages / "b.txt").write_text(page.replace("惠济区", "二七区"), encoding="utf-8")
    index_paths([pages], ix, procs=1)                 # b's old articles are deleted documents
    baseline = SearchService(ix, result_cache=False).search(SearchQuery(q="项目", page_size=50))
    monkeypatch.setattr(service_mod, "DENSE_SHARE", dense_share)
    res = SearchService(ix, result_cache=False).search(SearchQuery(q="项目", page_size=50))
    assert res.total == baseline.total == 10
    assert [(h.id, round(h.score, 9)) for h in res.hits] == [(h.id, round(h.score, 9)) for h in baseline.hits]
    assert not any("金水区" in h.title for h in res.hits)
    assert SearchService(ix, result_cache=False).search(SearchQuery(q="金水区")).total == 0
