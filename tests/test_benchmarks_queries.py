"""benchmarks/queries.py: the document frequency every engine's count is checked against
must follow the substring index's text model (spaces inside a line ignored, no match across
a line break), or a correct count is reported as a recall failure."""
from __future__ import annotations

from benchmarks.queries import Corpus
from indexer.analysis import normalize

ARTICLES = [
    {"title": "精准养护 守护安全", "subtitle": "", "body": "城区道路", "district": "惠济区", "date": "2023-05-01"},
    {"title": "工人", "subtitle": "作风建设", "body": "本报记者 李工\n作业", "district": "金水区", "date": "2022-01-09"},
    {"title": "工作会议", "subtitle": "", "body": "第二段", "district": "金水区", "date": "2021-03-02"},
]


def test_a_match_across_a_space_inside_a_line_counts():
    c = Corpus(ARTICLES, normalize)
    assert c.df("养护守护") == 1
    assert c.df("养护 守护") == 1             # the query's own spaces are ignored too
    assert c.df("记者李工") == 1


def test_no_match_across_a_line_break_or_between_title_subtitle_and_body():
    c = Corpus(ARTICLES, normalize)
    assert c.df("工作") == 1                  # 工人\n作风, 李工\n作业: only article 3
    assert c.df("人作") == 0
    assert c.df("安全城区") == 0


def test_df_combines_terms_and_facets():
    c = Corpus(ARTICLES, normalize)
    assert c.df("工", "作") == 2
    assert c.df("工", district="金水区") == 2
    assert c.df("工", year="2021") == 1
    assert c.docs_with("守护") == [0]
