"""searchapp.suggest: looser queries for an empty result."""
from __future__ import annotations

from searchapp.model import SearchQuery
from searchapp.suggest import relaxations


def test_filters_first_then_words():
    q = SearchQuery.make(q="惠济区 签约", include={"district": ["金水区"]}, exclude={"type": ["竣工"]},
                         date_from="2022")
    labels = [r.label for r in relaxations(q)]
    assert labels[:4] == ["去掉筛选「区县：金水区」", "不再排除「项目类型：竣工」", "去掉日期范围", "去掉全部筛选"]
    assert labels[4:] == ["改搜“签约”", "改搜“惠济区”", "改搜“签约”并去掉全部筛选", "改搜“惠济区”并去掉全部筛选"]
    assert relaxations(q)[-1].query == SearchQuery(q="惠济区", sort="relevance")
    r = relaxations(q)[0]
    assert r.query.included("district") == () and r.query.q == "惠济区 签约"


def test_single_long_word_split_into_words():
    rs = relaxations(SearchQuery(q="惠济区经济运行分析会"), lambda t: ["惠济区", "经济", "运行", "分析会"])
    assert [r.label for r in rs] == ["改搜“惠济区 经济 运行 分析会”", "改搜“惠济区”", "改搜“经济”", "改搜“运行”"]


def test_quotes_dropped():
    rs = relaxations(SearchQuery(q='"惠济区签约"'))
    assert rs[0].query.q == "惠济区签约"


def test_nothing_to_relax():
    assert relaxations(SearchQuery(q="惠济")) == []
    assert relaxations(SearchQuery(q="title:惠济区"), lambda t: ["title", "惠济区"]) == []
