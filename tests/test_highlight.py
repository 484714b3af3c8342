"""Highlighting: escape first, then mark; offsets via normalize(), no re-segmentation."""
from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from searchapp import highlight as hl

from searchapp.highlight import (article_html, find_spans, highlight, mark, snippets,
                                 terminal)


@pytest.mark.parametrize("text, needles, expected", [
    ("惠济区召开会议", ["惠济"], "<mark>惠济</mark>区召开会议"),             # part of a word
    ("惠济区召开会议", ["济区"], "惠<mark>济区</mark>召开会议"),
    ("郑东新区", ["郑东"], "<mark>郑东</mark>新区"),
    ("鄭州惠濟區", ["郑州"], "<mark>鄭州</mark>惠濟區"),                    # traditional text
    ("郑州惠济区", ["惠濟區"], "郑州<mark>惠济区</mark>"),                  # traditional query
    ("ＷＭＳ系统", ["wms"], "<mark>ＷＭＳ</mark>系统"),                     # full-width, case
    ("使用 WMS、CRM", ["wms"], "使用 <mark>WMS</mark>、CRM"),
    ("投资216.8亿元", ["216.8亿元"], "投资<mark>216.8亿元</mark>"),
    ("惠济区惠济区", ["惠济区"], "<mark>惠济区</mark><mark>惠济区</mark>"),  # every occurrence
    ("郑东新区", ["郑东", "东新"], "<mark>郑东新</mark>区"),                # overlaps merge
    ("郑东新区", ["新区", "郑东新区"], "<mark>郑东新区</mark>"),
    ("惠济区", ["金水"], "惠济区"),
    ("惠济区", [], "惠济区"),
    ("", ["惠济"], ""),
])
def test_highlight(text, needles, expected):
    assert highlight(text, needles) == expected


def test_escape_first_then_mark():
    html = highlight('<script>alert("惠济")</script> & 惠济区', ["惠济"])
    assert html == ('&lt;script&gt;alert(&quot;<mark>惠济</mark>&quot;)&lt;/script&gt; '
                    '&amp; <mark>惠济</mark>区')


def test_needle_with_markup_characters_is_escaped_inside_the_mark():
    assert highlight("a<b>c", ["<b>"]) == "a<mark>&lt;b&gt;</mark>c"


def test_no_match_across_a_line_break():
    text = "压实\n\n企业主体责任"
    assert find_spans(text, ["压实企业"]) == []
    assert find_spans(text, ["压实", "企业"]) == [(0, 2), (4, 6)]
    assert find_spans("发言人 \n 民生实事", ["人民"]) == []


def test_match_across_spaces_inside_a_line():
    text = "精准养护  守护安全"
    assert find_spans(text, ["养护守护"]) == [(2, 8)]
    assert highlight(text, ["护守"]) == "精准养<mark>护  守</mark>护安全"
    assert find_spans("a\n\nb 惠济 区 召开", ["惠济区召开"]) == [(5, 12)]


def test_needle_whitespace_is_ignored():
    assert highlight("惠济区召开", ["惠济区 召开"]) == "<mark>惠济区召开</mark>"


def test_mark_clips_spans_and_uses_given_tags():
    assert mark("惠济区", [(1, 10)], "[", "]") == "惠[济区]"


def test_snippets_show_fragments_around_matches():
    body = ("开头的一段话。" * 10) + "这里说到郑东新区的项目。" + ("中间的话。" * 30) + "最后又提到郑东。"
    frags = snippets(body, ["郑东"], count=2, size=40)
    assert len(frags) == 2
    assert "<mark>郑东</mark>新区" in frags[0]
    assert frags[0].startswith("…") and frags[0].endswith("…")
    assert "最后又提到<mark>郑东</mark>" in frags[1]


def test_snippets_do_not_overlap_and_respect_count():
    body = "郑东" + "。" * 5 + "郑东"
    frags = snippets(body, ["郑东"], count=2, size=40)
    assert frags == ["<mark>郑东</mark>。。。。。<mark>郑东</mark>"]


def test_snippet_without_match_is_the_beginning():
    body = "第一句话。" * 40
    frags = snippets(body, ["不存在"], size=20)
    assert frags == ["第一句话。" * 4 + "…"]


def test_snippet_escapes_and_squashes_whitespace():
    frags = snippets("A&B   公司 \t 在<郑东>签约", ["郑东"], size=80)
    assert frags == ["A&amp;B 公司 在&lt;<mark>郑东</mark>&gt;签约"]


def test_snippet_does_not_cut_a_match():
    body = "甲" * 30 + "郑东新区" + "乙" * 30
    frags = snippets(body, ["郑东新区"], size=10)
    assert "<mark>郑东新区</mark>" in frags[0]


def test_article_html_numbers_every_match():
    body = "惠济区召开会议。\n\n会上，惠济区<领导>讲话。\n\n\n没有匹配。"
    html, count = article_html(body, ["惠济"])
    assert count == 2
    assert html == ('<p><mark class="hit" id="m1">惠济</mark>区召开会议。</p>\n'
                    '<p>会上，<mark class="hit" id="m2">惠济</mark>区&lt;领导&gt;讲话。</p>\n'
                    '<p>没有匹配。</p>')


def test_article_html_never_marks_across_a_paragraph_break():
    html, count = article_html("压实\n\n企业", ["压实企业"])
    assert count == 0
    assert html == "<p>压实</p>\n<p>企业</p>"


def test_article_html_without_query():
    html, count = article_html("一段。\n\n二段 & 三", [])
    assert (html, count) == ("<p>一段。</p>\n<p>二段 &amp; 三</p>", 0)


def test_terminal_rendering():
    assert terminal("A&amp;B <mark>郑东</mark>新区") == "A&B 【郑东】新区"


_ALPHABET = ["惠", "济", "区", "a", "B", "１", " ", "\u3000", "\t", "\n", "\r\n", "\u2028", "\x0b", "。"]


def _reference_spans(text: str, words: list[str]) -> list[tuple[int, int]]:
    """find_spans written the slow way: drop whitespace inside lines character by
    character, keep one break for a run holding a line break, match every needle."""
    from indexer.analysis import normalize

    norm = normalize(text)
    kept, where, i = [], [], 0
    while i < len(norm):
        if not norm[i].isspace():
            kept.append(norm[i])
            where.append(i)
            i += 1
            continue
        j = i
        while j < len(norm) and norm[j].isspace():
            j += 1
        if len(("a" + norm[i:j] + "a").splitlines()) > 1:
            kept.append("\n")
            where.append(i)
        i = j
    packed = "".join(kept)
    spans = []
    for w in words:
        key = "".join(normalize(w).split())
        start = packed.find(key) if key else -1
        while start >= 0:
            spans.append((where[start], where[start + len(key) - 1] + 1))
            start = packed.find(key, start + 1)
    return hl.merge(spans)


@given(st.lists(st.sampled_from(_ALPHABET), max_size=400),
       st.lists(st.lists(st.sampled_from(_ALPHABET[:6] + [" "]), min_size=1, max_size=4), max_size=3))
def test_spans_match_the_slow_reference(chars, needles):
    text = "".join(chars)
    words = ["".join(n) for n in needles]
    assert hl.find_spans(text, words) == _reference_spans(text, words)


def test_a_long_body_is_matched_across_spaces_but_not_across_line_breaks():
    body = "开头" * 200 + "精准养护 守护安全\n\n养护\n守护" + "结尾" * 200
    start = body.index("养护 守护")
    assert hl.find_spans(body, ["养护守护"]) == [(start, start + 5)]


@pytest.mark.parametrize("gap", [" ", "\t", "\u3000", "\xa0", " \t "])
@pytest.mark.parametrize("pad", [0, 400])
def test_a_match_runs_across_any_whitespace_inside_a_line(gap, pad):
    text = "开" * pad + f"惠济{gap}区" + "尾" * pad
    assert hl.find_spans(text, ["惠济区"]) == [(pad, pad + 3 + len(gap))]
    assert hl.find_spans(text.replace(gap, gap + "\n"), ["惠济区"]) == []
