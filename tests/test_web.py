"""searchapp.web: every route through the Flask test client, over a real index of seeds/."""
from __future__ import annotations

import csv
import io
import json
import re
import xml.etree.ElementTree as ET
from urllib.parse import parse_qsl, quote, urlsplit

import pytest

from indexer.article import Article
from searchapp.web import SETTINGS, create_app, load_config

ATOM = "{http://www.w3.org/2005/Atom}"
XSS = "<script>alert(1)</script>"


def api(client, url: str) -> dict:
    r = client.get(url)
    assert r.status_code == 200, r.data[:500]
    assert r.mimetype == "application/json"
    return r.get_json()


def html(client, url: str, status: int = 200) -> str:
    r = client.get(url)
    assert r.status_code == status, r.data[:1000]
    assert r.mimetype == "text/html"
    return r.get_data(as_text=True)


def hrefs(page: str, cls: str) -> list[str]:
    return [h.replace("&amp;", "&") for h in re.findall(rf'<a class="{cls}[^"]*" href="([^"]*)"', page)]


def args_of(url: str) -> list[tuple[str, str]]:
    return parse_qsl(urlsplit(url).query)


def csv_rows(data: bytes) -> list[list[str]]:
    assert data.startswith("\ufeff".encode())
    return list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))


# --------------------------------------------------------------------------- search page

def test_home_page_browses_everything_newest_first(client):
    page = html(client, "/")
    assert '<html lang="zh-CN"' in page
    total = api(client, "/api/search")["total"]
    assert total > 0
    assert f'共 <strong class="total">{total}</strong> 条结果' in page
    assert "用时" in page and "搜索语法" in page
    assert 'name="q" value=""' in page
    assert '<option value="" selected>最新</option>' in page       # the default order is sent as ""


def test_search_shows_highlighted_hits_linked_to_articles(client):
    page = html(client, "/?q=签约")
    data = api(client, "/api/search?q=签约")
    assert data["total"] > 1
    assert f'共 <strong class="total">{data["total"]}</strong> 条结果' in page
    assert "<mark>签约</mark>" in page
    for hit in data["hits"]:
        assert f'/articles/{hit["id"]}?q=%E7%AD%BE%E7%BA%A6' in page       # keeps the query
    assert page.count('<article class="hit"') == len(data["hits"])


def test_hit_meta_links_add_filters(client):
    page = html(client, "/?q=签约")
    hits = api(client, "/api/search?q=签约")["hits"]
    district_links = hrefs(page, "m-district")
    assert [dict(args_of(u))["district"] for u in district_links] == [h["district"] for h in hits if h["district"]]
    reporter_links = hrefs(page, "m-reporter")
    assert [dict(args_of(u))["reporter"] for u in reporter_links] == [r for h in hits for r in h["reporters"]]
    type_links = hrefs(page, "m-type tag")
    assert [dict(args_of(u))["type"] for u in type_links] == [t for h in hits for t in h["project_types"]]
    for url in district_links + reporter_links + type_links:
        assert ("q", "签约") in args_of(url)
    date_links = hrefs(page, "m-date")
    assert date_links
    for url in date_links:
        a = dict(args_of(url))
        assert a["from"] == a["to"] and re.fullmatch(r"\d{4}-\d{2}-\d{2}", a["from"])


def test_district_facet_filters_and_counts(client):
    base = api(client, "/api/search?q=签约")
    counts = {v["value"]: v["count"] for v in base["facets"]["district"]}
    assert counts.get("惠济区", 0) >= 1 and len(counts) >= 2
    filtered = api(client, "/api/search?q=签约&district=惠济区")
    assert filtered["total"] == counts["惠济区"]
    assert {h["district"] for h in filtered["hits"]} == {"惠济区"}
    # the district facet still offers the other districts, with the same counts
    assert {v["value"]: v["count"] for v in filtered["facets"]["district"]} == counts
    page = html(client, "/?q=签约&district=惠济区")
    assert 'type="checkbox" name="district" value="惠济区" checked' in page
    assert f'共 <strong class="total">{counts["惠济区"]}</strong> 条结果' in page


def test_two_districts_are_ored(client):
    base = api(client, "/api/search?q=签约")
    counts = {v["value"]: v["count"] for v in base["facets"]["district"]}
    a, b = list(counts)[:2]
    both = api(client, f"/api/search?q=签约&district={a}&district={b}")
    assert both["total"] == counts[a] + counts[b]


def test_exclude_a_value(client):
    base = api(client, "/api/search?q=签约")
    n = {v["value"]: v["count"] for v in base["facets"]["district"]}["惠济区"]
    data = api(client, "/api/search?q=签约&xdistrict=惠济区")
    assert data["total"] == base["total"] - n
    assert all(h["district"] != "惠济区" for h in data["hits"])
    page = html(client, "/?q=签约&xdistrict=惠济区")
    assert '<input type="hidden" name="xdistrict" value="惠济区">' in page
    assert "排除区县" in page                               # the chip


def test_sidebar_has_exclude_links_and_show_more(client):
    page = html(client, "/")
    excl = hrefs(page, "fv-exclude")
    assert excl and all(k.startswith("x") for u in excl for k, _ in args_of(u))
    data = api(client, "/api/search")
    if len(data["facets"]["reporter"]) > 8:
        assert "显示更多（" in page


def test_chips_remove_their_filter(client):
    page = html(client, "/?q=签约&district=惠济区&type=签约&from=2022")
    chips = hrefs(page, "chip chip-")
    assert len(chips) == 3
    remaining = [dict(args_of(u)) for u in chips]
    assert all(r["q"] == "签约" for r in remaining)
    assert sum("district" in r for r in remaining) == 2
    assert sum("from" in r for r in remaining) == 2
    assert {"q": "签约", "type": "签约", "from": "2022"} in remaining     # the district chip
    assert "清除全部筛选" in page


def test_date_range(client):
    everything = api(client, "/api/search")
    years = {v["value"]: v["count"] for v in everything["facets"]["year"]}
    year = max(years)
    data = api(client, f"/api/search?from={year}&to={year}")
    assert data["total"] == years[year]
    assert all(h["date"].startswith(year) for h in data["hits"])


def test_sort_newest_and_oldest(client):
    newest = [h["date"] for h in api(client, "/api/search?q=惠济区&sort=newest&size=100")["hits"] if h["date"] and h["date"][0] != "-"]
    oldest = [h["date"] for h in api(client, "/api/search?q=惠济区&sort=oldest&size=100")["hits"] if h["date"] and h["date"][0] != "-"]
    assert newest == sorted(newest, reverse=True) and oldest == sorted(oldest)
    assert len(newest) >= 2


def test_pagination(client):
    total = api(client, "/api/search")["total"]
    p1 = api(client, "/api/search?size=5")
    p2 = api(client, "/api/search?size=5&page=2")
    assert p1["pages"] == -(-total // 5)
    assert not {h["id"] for h in p1["hits"]} & {h["id"] for h in p2["hits"]}
    page = html(client, "/?size=5&page=2")
    assert 'aria-current="page">2<' in page
    assert "上一页" in page and "下一页" in page
    nxt = hrefs(page, "pg-next")[0]
    assert dict(args_of(nxt)) == {"size": "5", "page": "3"}


def test_timeline_bars_filter_to_their_period(client):
    page = html(client, "/")
    assert '<svg class="timeline"' in page
    bars = re.findall(r'<a class="period" href="([^"]+)" data-period="([^"]+)"><title>[^：]+：(\d+) 条', page)
    assert bars
    for href, period, count in bars:
        a = dict(args_of(href.replace("&amp;", "&")))
        assert a["from"] == a["to"] == period
        assert api(client, "/api/search?" + href.replace("&amp;", "&").split("?", 1)[1])["total"] == int(count)


def test_every_state_is_in_the_url(client):
    url = "/?q=签约&district=惠济区&xtype=开工&from=2022-01&to=2022-12&sort=oldest"
    page = html(client, url)
    assert 'name="from" value="2022-01"' in page and 'name="to" value="2022-12"' in page
    assert '<option value="oldest" selected>' in page
    # the CSV/feed links carry the same state
    csv_link = re.search(r'href="([^"]*/export\.csv[^"]*)"', page).group(1).replace("&amp;", "&")
    assert set(args_of(csv_link)) == {("q", "签约"), ("district", "惠济区"), ("xtype", "开工"),
                                      ("from", "2022-01"), ("to", "2022-12"), ("sort", "oldest")}


# --------------------------------------------------------------------------- empty states

def test_empty_result_suggests_dropping_a_filter(client):
    # 签约 exists, but not with this (real) district combined with a far-away year
    page = html(client, "/?q=签约&district=惠济区&from=1990&to=1991")
    assert "当前筛选下没有包含“签约”的文章" in page                # the words alone do find articles
    assert "去掉日期范围" in page


def test_empty_result_suggests_shorter_words(client):
    page = html(client, "/?q=惠济区经济运行分析会议")
    assert '共 <strong class="total">0</strong> 条结果' in page
    assert "改搜“惠济区”" in page


def test_unknown_facet_value_is_explained(client):
    page = html(client, "/?q=签约&district=火星区")
    assert "火星区" in page
    assert '共 <strong class="total">0</strong> 条结果' in page
    assert "去掉筛选「区县：火星区」" in page                   # and it would find hits
    data = api(client, "/api/search?district=火星区")
    assert data["total"] == 0 and any("火星区" in m for m in data["messages"])


# --------------------------------------------------------------------------- bad input

@pytest.mark.parametrize("url, message", [
    ("/?q=惠济&page=-1", "页码 -1 无效"),
    ("/?q=惠济&page=0", "页码 0 无效"),
    ("/?q=惠济&page=abc", "页码“abc”无效"),
    (f"/?q=惠济&page={10**9}", "页码过大"),
    ("/?from=2022-02-30", "不是有效日期"),
    ("/?to=昨天", "不是有效日期"),
    ("/?from=2023&to=2021", "对调"),
    ("/?year=22", "年份“22”无效"),
    ("/?sort=random", "未知的排序方式"),
    ("/?size=-5", "每页条数"),
    ("/?q=a&foo=bar&utm_source=x", "已忽略未知参数：foo、utm_source"),
    ("/?district=惠济区&xdistrict=惠济区", "同时被选中和排除"),
])
def test_bad_input_gets_a_message_not_an_error(client, url, message):
    page = html(client, url)
    assert message in page
    data = api(client, url.replace("/?", "/api/search?", 1))
    assert any(message in m for m in data["messages"])


def test_page_beyond_the_end_shows_the_last_page(client):
    data = api(client, "/api/search?size=5&page=1000000000")
    assert data["page"] == data["pages"] and data["hits"]
    page = html(client, "/?size=5&page=1000000000")
    assert f'aria-current="page">{data["pages"]}<' in page


def test_ten_thousand_character_query(client):
    q = "惠济区" * 3334
    page = html(client, "/?q=" + quote(q))
    assert "查询过长（10002 字）" in page
    data = api(client, "/api/search?q=" + quote(q))
    assert len(data["query"]["q"]) == 500


@pytest.mark.parametrize("q", ['"unbalanced', "OR", "-", "NOT", "title:", "(((", "\x00\x01", "％", "'; DROP TABLE x;--",
                               "a" * 2000, "惠济 OR OR -", "\u202e\u200b"])
def test_odd_queries_never_fail(client, q):
    for path in ("/", "/api/search", "/feed.atom", "/export.csv", "/export.json"):
        r = client.get(path + "?q=" + quote(q))
        assert r.status_code == 200, (path, q)
        assert r.data                                   # streamed bodies read to the end


@pytest.mark.parametrize("qs", ["district=", "district=%00", "year=%E2%80%8B", "from=&to=", "page=",
                                "month=2022-99", "xyear=abcd", "reporter=" + "长" * 200, "size=1e9",
                                "page=1&page=2", "q=a&q=b", "%FF=%FF", "district=%ED%A0%80"])
def test_malformed_parameters(client, qs):
    assert client.get("/?" + qs).status_code == 200
    assert client.get("/api/search?" + qs).status_code == 200


# --------------------------------------------------------------------------- article page

def first_hit(client, q: str) -> dict:
    return api(client, "/api/search?q=" + quote(q))["hits"][0]


def test_article_page_full_text_marks_and_navigation(client):
    hit = first_hit(client, "开门红")
    page = html(client, f"/articles/{hit['id']}?q=开门红&district=惠济区")
    full = api(client, f"/api/articles/{hit['id']}?q=开门红")
    assert full["match_count"] >= 1
    assert page.count('<mark class="hit"') >= full["match_count"]
    assert f'共 <strong>{full["match_count"]}</strong> 处匹配' in page
    assert 'id="match-next" href="#m1"' in page and 'id="match-prev"' in page
    assert "上一处" in page and "下一处" in page
    # metadata, source file and position on the page
    assert full["source"] in page and f'第 {full["ordinal"]} 篇' in page
    assert f'第 {full["line_start"]}–{full["line_end"]} 行' in page
    for name in full["reporters"]:
        assert name in page
    # back link keeps query and filters
    back = re.search(r'<a href="([^"]+)" id="back-to-results"', page).group(1).replace("&amp;", "&")
    assert set(args_of(back)) == {("q", "开门红"), ("district", "惠济区")}
    assert "相关文章" in page


def test_article_related_articles(client):
    hit = first_hit(client, "签约")
    data = api(client, f"/api/articles/{hit['id']}")
    assert data["related"] and hit["id"] not in {r["id"] for r in data["related"]}
    page = html(client, f"/articles/{hit['id']}")
    for r in data["related"]:
        assert f'/articles/{r["id"]}' in page


def test_article_without_query_has_no_marks(client):
    hit = first_hit(client, "签约")
    page = html(client, f"/articles/{hit['id']}")
    assert "<mark" not in page and "match-nav" not in page


@pytest.mark.parametrize("article_id", ["0000000000000000", "nope", "x" * 500, "..%2F..%2Fetc", "%3Cscript%3E",
                                        "a b", "%E6%83%A0%E6%B5%8E"])
def test_unknown_article_is_a_chinese_404(client, article_id):
    r = client.get(f"/articles/{article_id}")
    assert r.status_code == 404
    text = r.get_data(as_text=True)
    assert "页面不存在" in text and "找不到" in text and "<script>" not in text
    r = client.get(f"/api/articles/{article_id}")
    assert r.status_code == 404 and r.get_json()["error"]["status"] == 404


# --------------------------------------------------------------------------- export

def test_csv_export_is_the_whole_result_set(client):
    total = api(client, "/api/search?q=惠济区&size=5")["total"]
    assert total > 5
    r = client.get("/export.csv?q=惠济区&size=5&page=2")
    assert r.status_code == 200 and r.mimetype == "text/csv"
    assert "attachment" in r.headers["Content-Disposition"]
    assert r.is_streamed
    rows = csv_rows(r.data)
    assert rows[0][:4] == ["编号", "日期", "区县", "标题"]
    assert len(rows) == total + 1
    ids = [row[0] for row in rows[1:]]
    assert ids == [h["id"] for h in api(client, "/api/search?q=惠济区&size=100")["hits"]]


def test_csv_export_applies_filters(client):
    rows = csv_rows(client.get("/export.csv?q=签约&district=惠济区").data)
    assert len(rows) > 1 and {row[2] for row in rows[1:]} == {"惠济区"}


def test_json_export(client):
    r = client.get("/export.json?q=签约")
    assert r.status_code == 200 and r.mimetype == "application/json"
    data = json.loads(r.data)
    assert len(data) == api(client, "/api/search?q=签约")["total"]
    assert all(d["url"].startswith("/articles/") for d in data)


def test_empty_export(client):
    assert len(csv_rows(client.get("/export.csv?q=没有这样的文章啊").data)) == 1
    assert json.loads(client.get("/export.json?q=没有这样的文章啊").data) == []


# --------------------------------------------------------------------------- feed

def test_atom_feed_newest_first(client):
    r = client.get("/feed.atom?q=惠济区&sort=relevance")
    assert r.status_code == 200 and r.mimetype == "application/atom+xml"
    root = ET.fromstring(r.data)
    assert "惠济区" in root.find(f"{ATOM}title").text
    entries = root.findall(f"{ATOM}entry")
    assert len(entries) == api(client, "/api/search?q=惠济区")["total"]
    dated = [e.find(f"{ATOM}updated").text for e in entries if e.find(f"{ATOM}updated").text.endswith("+08:00")]
    assert dated == sorted(dated, reverse=True) and len(dated) >= 2
    assert root.find(f"{ATOM}link[@rel='self']").get("href").startswith("/feed.atom?")


def test_feed_is_linked_from_the_page(client):
    page = html(client, "/?q=签约")
    assert 'type="application/atom+xml"' in page and "订阅" in page


# --------------------------------------------------------------------------- JSON API

def test_api_search_shape(client):
    data = api(client, "/api/search?q=签约&size=2")
    assert set(data) >= {"query", "total", "page", "pages", "took_ms", "hits", "facets", "timeline", "messages", "links"}
    assert data["query"] == {"q": "签约", "include": {}, "exclude": {}, "from": None, "to": None,
                             "sort": "relevance", "page": 1, "size": 2}
    assert set(data["facets"]) >= {"district", "year", "reporter", "type"}
    assert len(data["hits"]) == 2
    assert set(data["hits"][0]) >= {"id", "title", "title_html", "snippets", "date", "district", "reporters",
                                    "project_types", "source", "score"}
    assert data["links"]["next"].startswith("/api/search?")
    assert ("page", "2") in args_of(data["links"]["next"])


def test_api_article(client):
    hit = first_hit(client, "签约")
    data = api(client, f"/api/articles/{hit['id']}?q=签约")
    assert data["id"] == hit["id"] and "<mark" in data["body_html"]
    assert set(data) >= {"title", "body", "date", "district", "reporters", "source", "ordinal",
                         "line_start", "line_end", "related", "url"}


def test_api_info(client):
    assert api(client, "/api/info")["doc_count"] == api(client, "/api/search")["total"]


def test_api_unknown_route_is_json_404(client):
    r = client.get("/api/nothing")
    assert r.status_code == 404 and r.get_json() == {"error": {"status": 404, "message": "找不到这个页面。"}}


# --------------------------------------------------------------------------- read-only, headers, errors

@pytest.mark.parametrize("method", ["POST", "PUT", "PATCH", "DELETE", "OPTIONS"])
@pytest.mark.parametrize("path", ["/", "/api/search", "/export.csv", "/articles/abc", "/static/app.css", "/nothing"])
def test_read_only(client, method, path):
    r = client.open(path, method=method, data={"q": "x"})
    assert r.status_code == 405
    assert r.headers["Allow"] == "GET, HEAD"
    if path.startswith("/api/"):
        assert r.get_json()["error"]["status"] == 405
    else:
        assert "只读" in r.get_data(as_text=True)


def test_head_is_allowed(client):
    assert client.head("/?q=签约").status_code == 200
    assert client.head("/api/search").status_code == 200


def test_security_headers(client):
    r = client.get("/?q=签约")
    csp = r.headers["Content-Security-Policy"]
    assert "default-src 'none'" in csp and "script-src 'self'" in csp and "unsafe-inline" not in csp
    assert r.headers["X-Content-Type-Options"] == "nosniff"
    assert r.headers["X-Frame-Options"] == "DENY"


def test_html_404_in_chinese(client):
    r = client.get("/no/such/page")
    assert r.status_code == 404 and "页面不存在" in r.get_data(as_text=True)


def test_no_inline_scripts_or_external_assets(client):
    hit = first_hit(client, "签约")
    for url in ("/?q=签约", f"/articles/{hit['id']}?q=签约", "/nothing"):
        page = client.get(url).get_data(as_text=True)
        assert not re.search(r"<script(?![^>]*\bsrc=\"/static/)", page)
        assert not re.search(r" on[a-z]+=", page)
        assert not re.search(r'(src|href)="(https?:)?//', page)
        assert ' style="' not in page


def test_static_assets_shipped(client):
    for name, kind in (("app.css", "text/css"), ("app.js", "text/javascript"), ("favicon.svg", "image/svg+xml")):
        r = client.get(f"/static/{name}")
        assert r.status_code == 200 and r.mimetype == kind
        r.close()


def test_missing_index_is_a_clear_503(tmp_path):
    client = create_app({"INDEX_DIR": str(tmp_path / "none")}).test_client()
    r = client.get("/?q=x")
    assert r.status_code == 503
    text = r.get_data(as_text=True)
    assert "索引不存在" in text and "newsearch index" in text
    r = client.get("/api/search")
    assert r.status_code == 503 and "索引不存在" in r.get_json()["error"]["message"]


# --------------------------------------------------------------------------- XSS

@pytest.mark.parametrize("payload", [XSS, '"><img src=x onerror=alert(1)>', "javascript:alert(1)", "</title><svg onload=alert(1)>"])
def test_query_is_escaped_everywhere(client, payload):
    qs = "?q=" + quote(payload) + "&district=" + quote(payload) + "&reporter=" + quote(payload)
    for path in ("/", "/articles/" + first_hit(client, "签约")["id"]):
        page = client.get(path + qs).get_data(as_text=True)
        assert "<" not in payload and "javascript:" in page or payload not in page
        assert not re.search(r'(href|src)="\s*javascript:', page)
        assert "<img src=x" not in page and "<svg onload" not in page and "<script>alert" not in page
    raw = client.get("/api/search" + qs).get_data(as_text=True)
    assert "<" not in raw and ">" not in raw
    assert json.loads(raw)["query"]["q"] == payload
    feed = client.get("/feed.atom" + qs).get_data(as_text=True)
    assert "<img src=x" not in feed and "<svg onload" not in feed and "<script>alert" not in feed
    assert not re.search(r'href="\s*javascript:', feed)
    assert payload in ET.fromstring(feed).find(f"{ATOM}title").text       # escaped, not lost


@pytest.fixture(scope="module")
def hostile_client(tmp_path_factory):
    """A real index holding articles whose text attacks HTML, JSON, CSV and Atom."""
    from indexer.indexing import write_articles

    index_dir = tmp_path_factory.mktemp("hostile-index")
    articles = [
        Article(id="1111aaaa2222bbbb", source="pages/<b>evil</b>.txt", ordinal=1,
                title=f"{XSS}惠济区 招商", subtitle='"><img src=x onerror=alert(2)>',
                body=f"正文 {XSS} 惠济区 招商 </p><iframe src=//evil>\n\n=HYPERLINK(\"http://evil\") 惠济区",
                date="2022-05-01", district="惠济区", reporters=("<i>记者</i>", "=cmd|' /C calc'!A0"),
                project_types=("签约",)),
        Article(id="3333cccc4444dddd", source="pages/p.txt", ordinal=2, title="=1+2 惠济区 招商",
                subtitle="", body="@SUM(1) 惠济区 招商 +1 -1", date="2022-05-02", district="惠济区",
                reporters=("简洋",)),
    ]
    write_articles(articles, index_dir)
    return create_app({"INDEX_DIR": str(index_dir)}).test_client()


def test_article_text_is_escaped_in_html(hostile_client):
    for url in ("/?q=惠济区", "/?q=招商", "/articles/1111aaaa2222bbbb?q=惠济区", "/articles/3333cccc4444dddd"):
        page = hostile_client.get(url).get_data(as_text=True)
        assert "<script>alert" not in page and "<img src=x" not in page and "<iframe" not in page
        assert "<i>记者</i>" not in page and "<b>evil</b>" not in page
    page = hostile_client.get("/articles/1111aaaa2222bbbb?q=惠济区").get_data(as_text=True)
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page


def test_article_text_is_escaped_in_json_and_atom(hostile_client):
    for url in ("/api/search?q=惠济区", "/api/articles/1111aaaa2222bbbb?q=惠济区", "/export.json?q=惠济区"):
        raw = hostile_client.get(url).get_data(as_text=True)
        assert "<" not in raw and ">" not in raw
        assert XSS in raw.replace("\\u003c", "<").replace("\\u003e", ">")      # the text survives
    feed = hostile_client.get("/feed.atom?q=惠济区").get_data(as_text=True)
    assert "<script>" not in feed and "<img" not in feed
    entries = ET.fromstring(feed).findall(f"{ATOM}entry")
    assert {e.find(f"{ATOM}title").text for e in entries} == {f"{XSS}惠济区 招商", "=1+2 惠济区 招商"}


def test_csv_neutralises_formulas(hostile_client):
    rows = csv_rows(hostile_client.get("/export.csv?q=惠济区").data)
    assert len(rows) == 3
    for row in rows[1:]:
        for cell in row:
            assert not cell.startswith(("=", "+", "-", "@")), cell
    by_id = {row[0]: dict(zip(rows[0], row)) for row in rows[1:]}
    assert by_id["3333cccc4444dddd"]["标题"] == "'=1+2 惠济区 招商"
    assert by_id["1111aaaa2222bbbb"]["记者"] == "<i>记者</i>、=cmd|' /C calc'!A0"


# --------------------------------------------------------------------------- configuration

def test_config_order_defaults_env_mapping(tmp_path):
    env = {"NEWSEARCH_INDEX_DIR": str(tmp_path / "env"), "NEWSEARCH_PAGE_SIZE": "7"}
    c = load_config(None, env)
    assert c["INDEX_DIR"] == str(tmp_path / "env") and c["PAGE_SIZE"] == 7 and c["FEED_SIZE"] == 50
    c = load_config({"PAGE_SIZE": 3}, env)
    assert c["PAGE_SIZE"] == 3 and c["INDEX_DIR"] == str(tmp_path / "env")
    with pytest.raises(ValueError, match="NEWSEARCH_PAGE_SIZE"):
        load_config(None, {"NEWSEARCH_PAGE_SIZE": "many"})


def test_page_size_setting_is_used(seed_index_dir):
    client = create_app({"INDEX_DIR": str(seed_index_dir), "PAGE_SIZE": 3}).test_client()
    page = client.get("/").get_data(as_text=True)
    assert page.count('<article class="hit"') == 3


def test_every_setting_has_help():
    names = [s.name for s in SETTINGS]
    assert len(names) == len(set(names)) and all(s.help for s in SETTINGS)
    assert "INDEX_DIR" in names and "PAGE_SIZE" in names


def test_app_factory_makes_independent_apps(seed_index_dir, tmp_path):
    a = create_app({"INDEX_DIR": str(seed_index_dir)})
    b = create_app({"INDEX_DIR": str(tmp_path)})
    assert a.test_client().get("/").status_code == 200
    assert b.test_client().get("/").status_code == 503


def test_other_http_errors_are_chinese_too(client):
    r = client.get("/static/" + "x" * 10 + ".css")
    assert r.status_code == 404 and "找不到这个页面" in r.get_data(as_text=True)
