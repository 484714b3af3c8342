"""searchapp.links: every link is the current search state plus one change."""
from __future__ import annotations

from urllib.parse import parse_qsl, urlsplit

from searchapp.links import Links
from searchapp.model import SearchQuery
from searchapp.params import Limits, parse_args


def state(url: str) -> SearchQuery:
    return parse_args(parse_qsl(urlsplit(url).query), Limits()).query


Q = SearchQuery.make(q="签约", include={"district": ["惠济区"]}, exclude={"type": ["竣工"]},
                     date_from="2022", date_to="2022", page=3)
L = Links(Q, search_path="/", article_path="/articles/")


def test_search_keeps_everything():
    assert state(L.search()) == Q


def test_add_filter_goes_to_page_one():
    s = state(L.add("district", "金水区"))
    assert s.included("district") == ("惠济区", "金水区") and s.page == 1
    assert s.excluded("type") == ("竣工",) and s.q == "签约"


def test_remove_and_exclude():
    assert state(L.remove("district", "惠济区")).included("district") == ()
    assert state(L.remove("type", "竣工")).excluded("type") == ()
    s = state(L.exclude("district", "惠济区"))
    assert s.included("district") == () and s.excluded("district") == ("惠济区",)


def test_only_replaces_the_facet_selection():
    s = state(L.only("district", "金水区"))
    assert s.included("district") == ("金水区",)


def test_periods_and_pages():
    s = state(L.period("2022-03"))
    assert (s.date_from, s.date_to, s.page) == ("2022-03", "2022-03", 1)
    assert state(L.without_dates()).date_from is None
    assert state(L.page(5)).page == 5
    assert state(L.sorted_by("oldest")).sort == "oldest"


def test_clear_filters_keeps_query():
    s = state(L.clear_filters())
    assert s.q == "签约" and s.include == () and s.exclude == () and s.date_from is None


def test_article_link_carries_state_and_quotes_id():
    url = L.article("abc/../x")
    assert url.startswith("/articles/abc%2F..%2Fx?")
    assert state(url) == Q


def test_other_views_drop_the_page():
    url = L.other("/export.csv")
    assert url.startswith("/export.csv?") and state(url).page == 1 and state(url).q == "签约"


def test_no_state_no_query_string():
    assert Links(SearchQuery(sort="newest")).search() == "/"


def test_changing_q_follows_default_sort():
    browse = Links(SearchQuery(sort="newest"))
    assert state(browse.with_q("惠济")).sort == "relevance"
    assert state(Links(SearchQuery(q="x", sort="oldest")).with_q("y")).sort == "oldest"
