"""Keyword in context (searchapp.kwic): lines over the real seed index checked against the
articles' text, the /kwic page and its exports (real Flask app), and `newsearch kwic`."""
from __future__ import annotations

import csv
import io
import json
import re

import pytest
from click.testing import CliRunner

from indexer.analysis import normalize
from searchapp import kwic
from searchapp.cli import main
from searchapp.model import SearchQuery
from searchapp.service import SearchService


@pytest.fixture(scope="module")
def svc(seed_index_dir):
    return SearchService(seed_index_dir)


def squash(s: str) -> str:
    return "".join(normalize(s).split())


def test_every_occurrence_is_a_line_in_its_context(svc):
    q = SearchQuery.make("惠济区")
    articles = list(svc.iter_articles(q))
    lines = list(kwic.lines(svc, q, width=15))
    assert articles and lines
    # One line per occurrence: the article page's match count (body) + headline occurrences.
    for a in articles:
        mine = [ln for ln in lines if ln.id == a["id"]]
        page = svc.article(a["id"], "惠济区")
        body = [ln for ln in mine if ln.field == "body"]
        assert [ln.n for ln in body] == list(range(1, page["match_count"] + 1))
        assert len(mine) - len(body) == squash(a["title"]).count("惠济区") + squash(a["subtitle"]).count("惠济区")
        for ln in body:       # the anchor exists on the article page, on this very match
            assert re.search(rf'<mark class="hit" id="m{ln.n}">惠济区</mark>', page["body_html"])
    for ln in lines:
        assert ln.match == "惠济区" and len(ln.left) <= 15 and len(ln.right) <= 15
        a = next(x for x in articles if x["id"] == ln.id)
        text = squash(a["body"] if ln.field == "body" else a[ln.field])
        assert squash(ln.left + ln.match + ln.right) in text
    # Total equals the brute-force count over the result set's text.
    expected = sum(squash(a["title"]).count("惠济区") + squash(a["subtitle"]).count("惠济区")
                   + sum(squash(p).count("惠济区") for p in a["body"].splitlines()) for a in articles)
    assert len(lines) == expected


def test_filters_and_operators_define_the_article_set(svc):
    q = SearchQuery.make("项目 SENT 签约", include={"district": ["惠济区"]})
    ids = {h.id for h in svc.iter_hits(q)}
    lines = list(kwic.lines(svc, q))
    assert ids and {ln.id for ln in lines} == ids
    assert {ln.match for ln in lines} == {"项目", "签约"}          # both sides of the operator
    assert {ln.district for ln in lines} == {"惠济区"}


def test_orders(svc):
    q = SearchQuery.make("惠济区")
    by_left = list(kwic.lines(svc, q, order="left"))
    by_right = list(kwic.lines(svc, q, order="right"))
    newest = list(kwic.lines(svc, q, order="date"))
    oldest = list(kwic.lines(svc, q, order="oldest"))
    keys = ["".join(normalize(ln.left).split())[::-1] for ln in by_left]
    assert keys == sorted(keys)
    keys = ["".join(normalize(ln.right).split()) for ln in by_right]
    assert keys == sorted(keys)
    dates = [ln.date for ln in newest if ln.date and not ln.date.startswith("--")]
    assert dates == sorted(dates, reverse=True) and len(set(dates)) > 1
    dates = [ln.date for ln in oldest if ln.date and not ln.date.startswith("--")]
    assert dates == sorted(dates)
    assert sorted(map(repr, by_left)) == sorted(map(repr, newest)) == sorted(map(repr, oldest))


def test_pages_partition_the_lines(svc):
    q = SearchQuery.make("惠济区")
    every = list(kwic.lines(svc, q, order="right"))
    first = kwic.page(svc, q, order="right", page_no=1, size=7)
    assert first.total == len(every) and first.pages == -(-len(every) // 7)
    got = []
    for n in range(1, first.pages + 1):
        got += kwic.page(svc, q, order="right", page_no=n, size=7).lines
    assert got == every
    last = kwic.page(svc, q, page_no=10_000, size=7)
    assert last.page == first.pages and any("超出范围" in m for m in last.messages)


def test_empty_query_and_bad_options_give_messages(svc):
    pg = kwic.page(svc, SearchQuery.make(""))
    assert pg.total == 0 and any("请输入" in m for m in pg.messages)
    assert kwic.parse_width("abc")[0] == kwic.DEFAULT_WIDTH and kwic.parse_width("abc")[1]
    assert kwic.parse_width("0")[0] == kwic.DEFAULT_WIDTH and kwic.parse_width("9999") == (kwic.MAX_WIDTH, kwic.parse_width("9999")[1])
    assert kwic.parse_width("３０") == (30, None)
    assert kwic.parse_order("LEFT") == ("left", None) and kwic.parse_order("x")[1]


# --------------------------------------------------------------------------- web

def _total(html: str) -> int:
    return int(re.search(r'class="total">(\d+)<', html).group(1))


def test_kwic_page(client, svc):
    expected = len(list(kwic.lines(svc, SearchQuery.make("惠济区"))))
    r = client.get("/kwic?q=惠济区&size=10")
    html = r.get_data(as_text=True)
    assert r.status_code == 200 and _total(html) == expected
    rows = re.findall(r'<tr class="kwic-line"', html)
    assert len(rows) == 10
    anchors = re.findall(r'href="/articles/([0-9a-f]+)\?q=[^"#]*#m(\d+)"', html)
    assert anchors
    article = client.get(f"/articles/{anchors[0][0]}?q=惠济区").get_data(as_text=True)
    assert f'id="m{anchors[0][1]}"' in article
    assert 'rel="next"' in html and "order=" not in html.split('rel="next"')[0].rsplit("href=", 1)[1]


def test_kwic_page_keeps_width_and_order_in_its_links(client):
    html = client.get("/kwic?q=惠济区&size=5&width=8&order=left").get_data(as_text=True)
    nxt = re.search(r'href="([^"]+)" rel="next"', html).group(1).replace("&amp;", "&")
    assert "width=8" in nxt and "order=left" in nxt and "page=2" in nxt
    lefts = re.findall(r'<td class="k-left">([^<]*)</td>', html)
    assert all(len(x) <= 8 for x in lefts)


def test_kwic_page_applies_filters(client, svc):
    q = SearchQuery.make("签约", include={"district": ["惠济区"]})
    expected = len(list(kwic.lines(svc, q)))
    html = client.get("/kwic?q=签约&district=惠济区").get_data(as_text=True)
    assert _total(html) == expected and expected < len(list(kwic.lines(svc, SearchQuery.make("签约"))))
    assert "惠济区" in html and 'name="district" value="惠济区"' in html


def test_bad_parameters_are_corrected_with_messages(client):
    r = client.get("/kwic?q=惠济区&width=abc&order=sideways&page=-4")
    html = r.get_data(as_text=True)
    assert r.status_code == 200
    for text in ("上下文宽度", "未知的排序方式", "页码"):
        assert text in html
    r = client.get("/kwic?q=魏东 NEAR/abc 签约")
    assert r.status_code == 200 and "NEAR/abc" in r.get_data(as_text=True) and "普通文字" in r.get_data(as_text=True)


def test_search_page_has_a_kwic_tab_with_the_same_search(client):
    html = client.get("/?q=惠济区&district=惠济区").get_data(as_text=True)
    tab = re.search(r'<a class="view-tab" href="([^"]+)">关键词上下文', html).group(1).replace("&amp;", "&")
    assert tab.startswith("/kwic?") and "district=" in tab
    back = client.get(tab).get_data(as_text=True)
    assert re.search(r'<a class="view-tab" href="/\?q=', back)


def test_exports_stream_every_line(client, svc):
    expected = list(kwic.lines(svc, SearchQuery.make("惠济区"), width=10, order="left"))
    r = client.get("/kwic.csv?q=惠济区&width=10&order=left&size=5")
    assert r.status_code == 200 and r.is_streamed and "attachment" in r.headers["Content-Disposition"]
    text = r.get_data(as_text=True)
    assert text.startswith("\ufeff")
    rows = list(csv.reader(io.StringIO(text[1:])))
    assert rows[0][:3] == ["左侧上下文", "命中", "右侧上下文"]
    assert len(rows) - 1 == len(expected) > 5           # all lines, not one page
    assert [r_[1] for r_ in rows[1:]] == [ln.match for ln in expected]
    assert all(r_[-1].startswith("/articles/") for r_ in rows[1:])
    data = json.loads(client.get("/kwic.json?q=惠济区&width=10&order=left").get_data(as_text=True))
    assert [(d["id"], d["n"], d["left"]) for d in data] == [(ln.id, ln.n, ln.left) for ln in expected]
    assert all(d["url"].endswith(f"#m{d['n']}") for d in data if d["n"])


# --------------------------------------------------------------------------- CLI

def test_cli(seed_index_dir, svc):
    env = {"NEWSEARCH_INDEX_DIR": str(seed_index_dir)}
    expected = list(kwic.lines(svc, SearchQuery.make("惠济区"), width=12, order="right"))
    r = CliRunner().invoke(main, ["kwic", "惠济区", "--width", "12", "--sort", "right", "--limit", "0", "--json"], env=env)
    assert r.exit_code == 0, r.output
    got = [json.loads(x) for x in r.stdout.splitlines()]
    assert [(d["id"], d["n"], d["right"]) for d in got] == [(ln.id, ln.n, ln.right) for ln in expected]
    r = CliRunner().invoke(main, ["kwic", "惠济区", "--limit", "3", "--page", "2"], env=env)
    assert r.exit_code == 0 and len(r.stdout.splitlines()) == 3 and "【惠济区】" in r.stdout
    assert f"共 {len(expected)} 处" in r.stderr
    r = CliRunner().invoke(main, ["kwic", "惠济区", "--limit", "0", "--csv", "--district", "惠济区"], env=env)
    rows = list(csv.reader(io.StringIO(r.stdout.lstrip("\ufeff"))))
    assert len(rows) - 1 == len(list(kwic.lines(svc, SearchQuery.make("惠济区", include={"district": ["惠济区"]}))))
    r = CliRunner().invoke(main, ["kwic", "惠济区", "--index-dir", str(seed_index_dir) + "-missing"])
    assert r.exit_code == 2 and "错误" in r.stderr
