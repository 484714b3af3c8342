"""The query language: parse() is pure and total; term_query() builds the Whoosh query of a field term."""
from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from whoosh import query as wq

from searchapp.querylang import MAX_QUERY_CHARS, MAX_TERMS, And, Not, Or, Term, parse, term_query


@pytest.mark.parametrize("text, expected", [
    ("惠济区", Term("惠济区")),
    ("惠济区 签约", And((Term("惠济区"), Term("签约")))),
    ("惠济区　签约", And((Term("惠济区"), Term("签约")))),          # ideographic space
    ("惠济区 AND 签约", And((Term("惠济区"), Term("签约")))),
    ("惠济区 OR 金水区", Or((Term("惠济区"), Term("金水区")))),
    ("签约 惠济区 OR 金水区 OR 登封", And((Term("签约"), Or((Term("惠济区"), Term("金水区"), Term("登封")))))),
    ("惠济区 -疫情", And((Term("惠济区"), Not(Term("疫情"))))),
    ("惠济区 －疫情", And((Term("惠济区"), Not(Term("疫情"))))),   # full-width minus
    ("惠济区 NOT 疫情", And((Term("惠济区"), Not(Term("疫情"))))),
    ("-疫情", Not(Term("疫情"))),
    ('"经济运行分析会"', Term("经济运行分析会", phrase=True)),
    ('"经济  运行"', Term("经济 运行", phrase=True)),
    ("“开门红” 惠济区", And((Term("开门红", phrase=True), Term("惠济区")))),
    ("＂开门红＂", Term("开门红", phrase=True)),
    ('-"项目 签约"', Not(Term("项目 签约", phrase=True))),
    ("title:开门红", Term("开门红", "title")),
    ("Title：开门红", Term("开门红", "title")),                    # case, full-width colon
    ('title:"开门 红"', Term("开门 红", "title", True)),
    ("district:管城区 签约", And((Term("管城区", "district"), Term("签约")))),
    ("reporter:简洋", Term("简洋", "reporter")),
    ("-type:签约", Not(Term("签约", "type"))),
])
def test_syntax(text, expected):
    assert parse(text).root == expected


@pytest.mark.parametrize("text, expected", [
    ("-", Term("-")),                                   # lone minus
    ("惠济区 -", And((Term("惠济区"), Term("-")))),
    ("OR", Term("OR")),                                 # lone operators are text
    ("NOT", Term("NOT")),
    ("AND 惠济区", And((Term("AND"), Term("惠济区")))),
    ("惠济区 OR", And((Term("惠济区"), Term("OR")))),
    ("OR 惠济区", And((Term("OR"), Term("惠济区")))),
    ("惠济区 NOT", And((Term("惠济区"), Term("NOT")))),
    ("title:", Term("title:")),                          # prefix with nothing after it
    ("title: 惠济区", And((Term("title:"), Term("惠济区")))),
    ("foo:惠济区", Term("foo:惠济区")),                   # unknown field: text
    ('"惠济区', Term("惠济区")),                          # unbalanced straight quote dropped
    ('惠济区"', Term("惠济区")),
    ('""', None),
    ("“开门红", Term("“开门红")),                         # unbalanced Chinese quote is content
    ("经济“开门红”", Term("经济“开门红”")),               # quotes inside a word are content
    ("惠济\x00区", And((Term("惠济"), Term("区")))),     # control character = space
    ("惠济\u200b区", Term("惠济区")),                     # zero-width space dropped
    ("", None),
    ("   \t\n ", None),
])
def test_malformed_input_is_text(text, expected):
    assert parse(text).root == expected


def test_or_with_negated_side_is_kept():
    assert parse("惠济区 OR -疫情").root == Or((Term("惠济区"), Not(Term("疫情"))))


def test_long_query_is_capped_with_a_message():
    p = parse("郑" * 1000)
    assert p.root == Term("郑" * MAX_QUERY_CHARS)
    assert len(p.messages) == 1 and "1000" in p.messages[0] and str(MAX_QUERY_CHARS) in p.messages[0]


def test_too_many_terms_are_capped_with_a_message():
    p = parse(" ".join(f"词{i}" for i in range(MAX_TERMS + 5)))
    assert isinstance(p.root, And) and len(p.root.children) == MAX_TERMS
    assert any("查询词过多" in m for m in p.messages)


def test_short_query_has_no_message():
    assert parse("惠济区 签约").messages == ()


def test_positive_terms_skip_negations():
    p = parse('惠济区 -疫情 "开门红" district:金水区')
    assert [t.text for t in p.terms()] == ["惠济区", "开门红", "金水区"]
    assert [t.text for t in p.terms(positive=False)] == ["惠济区", "疫情", "开门红", "金水区"]


def test_str_round_trip_is_readable():
    assert str(parse('惠济区 OR 金水区 -疫情 title:"开门 红"')) == \
        '((惠济区 OR 金水区) AND -疫情 AND title:"开门 红")'


@settings(max_examples=200, deadline=None)
@given(st.lists(st.sampled_from(list('惠济区 "“”-－:：ORNTAD\x00\t\u200b') + ["OR", "NOT", "title:", " OR ", " - "]),
                max_size=20))
def test_parse_never_raises_on_operator_soup(pieces):
    p = parse("".join(pieces))
    str(p)


@settings(max_examples=100, deadline=None)
@given(st.text(max_size=300))
def test_parse_never_raises_on_any_text(text):
    p = parse(text)
    assert len(p.text) <= MAX_QUERY_CHARS


# --------------------------------------------------------------------------- field terms

def test_district_alias_maps_to_the_unit():
    q = term_query(parse("district:管城").root)
    assert wq.Term("district", "管城回族区") in list(q.children()) + [q]


def test_text_terms_are_not_whoosh_queries():
    with pytest.raises(ValueError):
        term_query(Term("惠济区"))
