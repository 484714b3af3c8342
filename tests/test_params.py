"""searchapp.params: query string -> SearchQuery, never an exception, always a message."""
from __future__ import annotations

import pytest

from searchapp import params
from searchapp.model import SearchQuery
from searchapp.params import Limits, parse_args


def parse(query_string: str, **limits):
    from urllib.parse import parse_qsl
    return parse_args(parse_qsl(query_string, keep_blank_values=True), Limits(**limits))


def test_plain_query_defaults():
    r = parse("q=惠济区")
    assert r.query == SearchQuery(q="惠济区", sort="relevance", page=1, page_size=20)
    assert r.messages == ()


def test_empty_query_browses_newest_first():
    r = parse("")
    assert r.query.q == "" and r.query.sort == "newest"
    assert r.messages == ()


def test_facets_include_and_exclude_multi_valued():
    r = parse("q=签约&district=惠济区&district=金水区&xtype=竣工&reporter=简洋")
    assert r.query.included("district") == ("惠济区", "金水区")
    assert r.query.included("reporter") == ("简洋",)
    assert r.query.excluded("type") == ("竣工",)
    assert r.messages == ()


def test_duplicate_and_blank_values_are_dropped():
    r = parse("district=惠济区&district=+惠济区+&district=&district=%20")
    assert r.query.included("district") == ("惠济区",)


def test_value_both_included_and_excluded_is_excluded():
    r = parse("district=惠济区&xdistrict=惠济区")
    assert r.query.included("district") == ()
    assert r.query.excluded("district") == ("惠济区",)
    assert "同时被选中和排除" in r.messages[0]


@pytest.mark.parametrize("value", ["abc", "22", "20222", "1066", "２０２２x"])
def test_bad_year_ignored_with_message(value):
    r = parse(f"year={value}")
    assert r.query.included("year") == ()
    assert "年份" in r.messages[0] and "已忽略" in r.messages[0]


def test_month_normalised():
    r = parse("month=2022-3&xmonth=2021年12月")
    assert r.query.included("month") == ("2022-03",)
    assert r.query.excluded("month") == ("2021-12",)


def test_month_invalid():
    r = parse("month=2022-13")
    assert r.query.included("month") == ()
    assert "月份" in r.messages[0]


def test_too_many_and_too_long_values():
    many = "&".join(f"reporter=人{i}" for i in range(30))
    r = parse(many + "&district=" + "区" * 100)
    assert len(r.query.included("reporter")) == 20
    assert r.query.included("district") == ()
    assert any("最多可选 20 项" in m for m in r.messages)
    assert any("过长" in m for m in r.messages)


@pytest.mark.parametrize("raw, expected", [
    ("2022", "2022"), ("2022-3", "2022-03"), ("2022/03/05", "2022-03-05"), ("2022.3.5", "2022-03-05"),
    ("2022年3月5日", "2022-03-05"), ("2022年3月", "2022-03"), ("2022年", "2022"), ("20220305", "2022-03-05"),
    (" 2022-03-05 ", "2022-03-05"), ("2024-02-29", "2024-02-29"),
])
def test_dates_accepted(raw, expected):
    assert params.parse_date(raw, "起始日期") == (expected, None)


@pytest.mark.parametrize("raw", ["2023-02-29", "2022-13", "2022-00-10", "yesterday", "3/5/2022",
                                 "0001-01-01", "99999", "2022-03-05T10:00", "<script>"])
def test_dates_rejected_with_message(raw):
    value, msg = params.parse_date(raw, "起始日期")
    assert value is None
    assert msg.startswith("起始日期“") and "不是有效日期" in msg


def test_reversed_range_is_swapped():
    r = parse("from=2023-05&to=2022")
    assert (r.query.date_from, r.query.date_to) == ("2022", "2023-05")
    assert "对调" in r.messages[0]


def test_partial_range_inside_one_month_is_not_reversed():
    r = parse("from=2022-03-05&to=2022-03")
    assert (r.query.date_from, r.query.date_to) == ("2022-03-05", "2022-03")
    assert r.messages == ()


def test_invalid_date_keeps_the_other_bound():
    r = parse("from=2022-02-30&to=2022-12")
    assert (r.query.date_from, r.query.date_to) == (None, "2022-12")
    assert len(r.messages) == 1


@pytest.mark.parametrize("raw, page, has_msg", [
    ("1", 1, False), ("7", 7, False), ("-1", 1, True), ("0", 1, True), ("abc", 1, True),
    ("1.5", 1, True), (str(10**9), 100_000, True), ("9" * 40, 1, True), ("", 1, False),
])
def test_page(raw, page, has_msg):
    r = parse(f"q=a&page={raw}")
    assert r.query.page == page
    assert bool(r.messages) == has_msg


@pytest.mark.parametrize("raw, size, has_msg", [("50", 50, False), ("0", 20, True), ("1000", 100, True), ("x", 20, True)])
def test_size(raw, size, has_msg):
    r = parse(f"size={raw}")
    assert r.query.page_size == size
    assert bool(r.messages) == has_msg


def test_unknown_sort_falls_back_with_message():
    r = parse("q=a&sort=random")
    assert r.query.sort == "relevance"
    assert "未知的排序方式" in r.messages[0]
    assert parse("sort=OLDEST").query.sort == "oldest"


def test_long_query_is_cut_with_message():
    r = parse("q=" + "惠" * 10_000, max_query_chars=500)
    assert len(r.query.q) == 500
    assert "10000" in r.messages[0] and "500" in r.messages[0]


def test_control_characters_removed_and_spaces_collapsed():
    r = parse("q=%00惠济%1b%5B31m区%E2%80%8B%20%20%09签约")
    assert r.query.q == "惠济[31m区 签约"


def test_unknown_parameters_reported_not_fatal():
    r = parse("q=a&utm_source=x&foo=1&foo=2")
    assert r.query.q == "a"
    assert r.messages == ("已忽略未知参数：foo、utm_source。",)


def test_message_quotes_user_text_shortened():
    r = parse("year=" + "<b>" * 50)
    assert "…" in r.messages[0] and len(r.messages[0]) < 80


@pytest.mark.parametrize("qs", [
    "q=惠济区&district=惠济区&xtype=竣工&from=2022-03&to=2022-04&sort=oldest&page=3&size=50",
    "", "district=金水区&district=惠济区", "q=a+b&xreporter=简洋&month=2022-03",
])
def test_to_args_round_trips(qs):
    q = parse(qs).query
    assert parse_args(params.to_args(q), Limits()).query == q


def test_to_args_leaves_defaults_out():
    assert params.to_args(SearchQuery(q="x")) == [("q", "x")]
    assert params.to_args(SearchQuery(q="", sort="newest")) == []


def test_with_and_without_values():
    q = parse("q=a&district=惠济区&xtype=竣工&page=4").query
    added = params.with_value(q, "district", "金水区")
    assert added.included("district") == ("惠济区", "金水区") and added.page == 1
    assert params.with_value(q, "type", "竣工").included("type") == ("竣工",)
    assert params.with_value(q, "type", "竣工").excluded("type") == ()
    assert params.without_value(q, "district", "惠济区").include == ()
    ex = params.excluding_value(q, "district", "惠济区")
    assert ex.included("district") == () and ex.excluded("district") == ("惠济区",)


def test_full_width_digits_accepted():
    r = parse("year=２０２２&from=２０２２－０３&page=３")
    assert r.query.included("year") == ("2022",)
    assert r.query.date_from == "2022-03"
    assert r.query.page == 3


def test_other_unicode_digits_rejected():
    r = parse("year=٢٠٢٢")
    assert r.query.included("year") == ()
