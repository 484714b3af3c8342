"""Issue 6, item 6: hostile queries and hostile article text.

Property-based tests (hypothesis) over the query parser and over every HTTP endpoint of the
real server (`newsearch serve` on 127.0.0.1) with random parameters:

* never a 500, and a bounded time per request (REQUEST_BOUND seconds, generous: a 1,000-
  character query or a pathological pattern must not take seconds; this is a robustness
  bound, not a speed benchmark);
* XSS probes in the query and in article text come out escaped in HTML (no foreign tag, no
  event-handler attribute, no inline script, no javascript: URL), JSON (no raw < or >),
  CSV and Atom (well-formed XML; the HTML summary holds only <p> and <mark>);
* CSV cells that begin with = + - @ (or tab/CR, or their full-width forms) are neutralised.

The index holds hostile articles (written with indexer.indexing.write_articles, as
tests/test_web.py does) mixed with ordinary seed articles.
"""
from __future__ import annotations

import csv
import io
import json
import string
import time
import xml.etree.ElementTree as ET
from html.parser import HTMLParser
from urllib.parse import quote, urlencode

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from reliability_support import Server, http_get, seed_pages

REQUEST_BOUND = 2.0          # seconds per request (robustness, not speed)
PARSE_BOUND = 0.5            # seconds per querylang.parse call
ATOM = "{http://www.w3.org/2005/Atom}"
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r", "\n", "＝", "＋", "－", "＠")

# Tags the templates, the highlighter and the timeline SVG produce. Anything else in a page
# came from data.
ALLOWED_TAGS = {
    "a", "article", "aside", "body", "button", "code", "dd", "details", "div", "dl", "dt",
    "figcaption", "figure", "footer", "form", "g", "h1", "h2", "h3", "head", "header", "html",
    "input", "kbd", "label", "li", "line", "link", "main", "mark", "meta", "nav", "noscript",
    "ol", "option", "p", "rect", "script", "section", "select", "span", "strong", "summary",
    "svg", "table", "tbody", "td", "text", "th", "thead", "title", "tr", "ul",
    "wbr",            # the article page breaks a source path only after a "/" (display.path_breaks)
}
XSS = [
    "<script>alert(1)</script>",
    '"><img src=x onerror=alert(2)>',
    "'><svg/onload=alert(3)>",
    "</p><iframe src=//evil.example>",
    "javascript:alert(4)",
    "<a href=javascript:alert(5)>x</a>",
    "]]><x-cdata>",
    "&lt;b&gt;pre-escaped&lt;/b&gt;",
    "<!--", "-->", "<style>*{}</style>", "{{7*7}}", "${7*7}",
    "\u2028\u2029", "\u202e", "\x1b[31m",
]

counters = {"parse": 0, "http": 0, "max_seconds": 0.0}


# --------------------------------------------------------------------------- the hostile index

def hostile_articles():
    from indexer.article import Article

    out = [
        Article(id="1111aaaa2222bbbb", source="pages/<b>evil</b>.txt", ordinal=1,
                title="<script>alert('t1')</script>惠济区 招商", subtitle='"><img src=x onerror=alert(2)>',
                body="正文 <script>alert(1)</script> 惠济区 招商 </p><iframe src=//evil.example>\n\n"
                     "<svg/onload=alert(3)> javascript:alert(4) ]]> &lt;b&gt; 惠济区\x00控制\x07字符",
                date="2022-05-01", district="惠济区", reporters=("<i>记者</i>", "=cmd|' /C calc'!A0"),
                project_types=("签约",)),
        Article(id="3333cccc4444dddd", source="pages/p.txt", ordinal=2, title="=1+2 惠济区 招商",
                subtitle="", body="@SUM(1) 惠济区 招商 +1 -1", date="2022-05-02", district="惠济区",
                reporters=("简洋",)),
    ]
    for i, (prefix, text) in enumerate([("+", "+33 惠济区 电话"), ("-", "-2+3 惠济区 公式"),
                                        ("@", "@import 惠济区"), ("\t", "\t=tab 惠济区"),
                                        ("＝", "＝1+1 惠济区 全角"), ("\r", "\r=cr 惠济区")]):
        out.append(Article(id=f"55550000{i:08d}", source=f"pages/{prefix.strip() or 'ws'}{i}.txt", ordinal=i + 3,
                           title=text, subtitle=text, body=f"{text}\n\n惠济区 招商 {XSS[i % len(XSS)]}",
                           date="2022-05-03", district="惠济区", reporters=(text.strip(),),
                           project_types=(text.strip()[:4],)))
    for i, probe in enumerate(XSS):
        out.append(Article(id=f"77770000{i:08d}", source=f"pages/x{i}.txt", ordinal=1,
                           title=f"{probe} 惠济区 标题{i}", subtitle=probe,
                           body=f"惠济区 {probe} 招商\n\n{probe}{probe}", date=f"2022-06-{i + 1:02d}",
                           district="惠济区", districts=("惠济区", probe), reporters=(probe[:20] or "x",),
                           correspondents=(probe[:10] or "y",), project_types=("签约",)))
    return out


@pytest.fixture(scope="module")
def hostile_server(tmp_path_factory):
    """`newsearch serve` over an index of hostile articles and copies of the seed pages."""
    from indexer.extract import parse_page
    from indexer.indexing import write_articles
    from indexer.reading import read_page

    articles = hostile_articles()
    for copy in range(4):
        for p in seed_pages():
            articles += parse_page(read_page(p), f"copies/c{copy}_{p.name}")
    index_dir = tmp_path_factory.mktemp("hostile-index")
    write_articles(articles, index_dir)
    with Server(index_dir, threads=4) as server:
        warm = http_get(f"{server.url}/?q=%E6%83%A0%E6%B5%8E%E5%8C%BA")   # load jieba before timing
        assert warm[0] == 200
        yield server, articles


# --------------------------------------------------------------------------- checkers

class _Tags(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, dict]] = []

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, {k: (v or "") for k, v in attrs}))

    handle_startendtag = handle_starttag


def html_problems(page: str, probes: list[str] = ()) -> list[str]:
    parser = _Tags()
    parser.feed(page)
    parser.close()
    problems = []
    for tag, attrs in parser.tags:
        if tag not in ALLOWED_TAGS:
            problems.append(f"foreign tag <{tag}>")
        for name, value in attrs.items():
            if name.startswith("on"):
                problems.append(f"event handler {name}= on <{tag}>")
            if name in ("href", "src", "action", "formaction") and \
                    "".join(value.split()).lower().startswith(("javascript:", "data:text", "vbscript:")):
                problems.append(f"{name}={value!r} on <{tag}>")
        if tag == "script" and not attrs.get("src"):
            problems.append("inline <script>")
        if tag == "img" and attrs.get("src") == "x":
            problems.append("injected <img src=x>")
    lower = page.lower()
    for probe in probes:
        if probe.lower() in lower:
            problems.append(f"probe {probe!r} unescaped")
    return problems


def json_problems(raw: str) -> list[str]:
    problems = []
    if "<" in raw or ">" in raw:
        problems.append("raw < or > in JSON")
    try:
        json.loads(raw)
    except ValueError as e:
        problems.append(f"invalid JSON: {e}")
    return problems


def csv_problems(raw: bytes) -> list[str]:
    problems = []
    if not raw.startswith("\ufeff".encode()):
        problems.append("no BOM")
    rows = list(csv.reader(io.StringIO(raw.decode("utf-8-sig"), newline="")))
    for row in rows[1:]:
        for cell in row:
            if cell.startswith(FORMULA_STARTS):
                problems.append(f"formula cell {cell[:30]!r}")
    return problems


def atom_problems(raw: bytes) -> list[str]:
    try:
        feed = ET.fromstring(raw)
    except ET.ParseError as e:
        return [f"Atom is not well-formed XML: {e}"]
    problems = []
    for summary in feed.iter(f"{ATOM}summary"):
        problems += [f"summary: {p}" for p in html_problems(summary.text or "")]
        parser = _Tags()
        parser.feed(summary.text or "")
        problems += [f"summary tag <{t}>" for t, _ in parser.tags if t not in ("p", "mark")]
    return problems


def check_response(path: str, status: int, headers: dict, body: bytes, probes: list[str]) -> list[str]:
    problems = []
    if status >= 500:
        return [f"HTTP {status}: {body[:300]!r}"]
    ctype = headers.get("Content-Type", "")
    text = body.decode("utf-8", "replace")
    if status == 200 and path.startswith("/export.csv"):
        problems += csv_problems(body)
    elif status == 200 and path.startswith("/feed.atom"):
        problems += atom_problems(body)
    elif "json" in ctype:
        problems += json_problems(text)
    elif "html" in ctype:
        problems += html_problems(text, probes)
    else:
        problems.append(f"unexpected content type {ctype!r}")
    if headers.get("X-Content-Type-Options") != "nosniff":
        problems.append("no nosniff header")
    return problems


def timed_get(base: str, path: str) -> tuple[int, dict, bytes, float]:
    t0 = time.perf_counter()
    status, headers, body = http_get(base + path, timeout=60)
    seconds = time.perf_counter() - t0
    counters["http"] += 1
    counters["max_seconds"] = max(counters["max_seconds"], seconds)
    return status, headers, body, seconds


# --------------------------------------------------------------------------- strategies

_ALPHABET = st.characters(codec="utf-8", exclude_categories=("Cs",))
_QUERY_ATOMS = st.sampled_from([
    "惠济区", "招商", "签约", "郑东", "济区", "OR", "AND", "NOT", "-", "－", '"', "“", "”", "「", "」",
    "title:", "district:", "reporter:", "type:", "title：", "(", ")", "*", "?", "~", "^", "\\",
    "\x00", "\x1b", "\u200b", "\ufeff", "\u202e", "😀", "鄭州", "ＷＭＳ", " ", "  ", "\t", "\n",
    *XSS,
])


def probe_tags():
    return st.builds(lambda name, tok: (f"zq{name}", f'<zq{name} data-t="{tok}">'),
                     st.text(string.ascii_lowercase, min_size=3, max_size=8),
                     st.text(string.ascii_letters + string.digits, min_size=1, max_size=6))


queries = st.one_of(
    st.text(_ALPHABET, max_size=60),
    st.lists(_QUERY_ATOMS, max_size=40).map("".join),
    st.lists(st.one_of(_QUERY_ATOMS, st.text(_ALPHABET, max_size=8)), max_size=30).map(" ".join),
    st.builds(lambda a, n: a * n, _QUERY_ATOMS, st.integers(1, 1000)).map(lambda s: s[:1200]),
    st.text(_ALPHABET, min_size=900, max_size=1100),
)
ints = st.one_of(st.integers(-10 ** 12, 10 ** 12).map(str), st.sampled_from(["", "0", "-1", "1e9", "NaN", "１", "2.5", "0x10", " 3 "]))
dates = st.one_of(st.sampled_from(["2022", "2022-03", "2022-03-05", "2022/3/5", "2022年3月5日", "2023-02-30",
                                   "0000-00-00", "9999-99-99", "20220305", "-1", "", "昨天"]),
                  st.text(_ALPHABET, max_size=20))
facet_values = st.one_of(st.sampled_from(["惠济区", "金水区", "2022", "2022-03", "简洋", "签约", "不存在"]),
                         st.text(_ALPHABET, max_size=50), st.sampled_from(XSS))
PARAM_NAMES = ["q", "district", "xdistrict", "year", "xyear", "month", "xmonth", "reporter",
               "xreporter", "type", "xtype", "from", "to", "sort", "page", "size"]


@st.composite
def params(draw):
    pairs = [("q", draw(queries))]
    for _ in range(draw(st.integers(0, 6))):
        name = draw(st.sampled_from(PARAM_NAMES + ["unknown", "q[]", "", "page"]))
        if name in ("page", "size"):
            value = draw(ints)
        elif name in ("from", "to"):
            value = draw(dates)
        elif name == "sort":
            value = draw(st.one_of(st.sampled_from(["relevance", "newest", "oldest", "", "NEWEST"]),
                                   st.text(_ALPHABET, max_size=10)))
        elif name == "q":
            value = draw(queries)
        else:
            value = draw(facet_values)
        pairs.append((name, value))
    return pairs


ENDPOINTS = ["/", "/articles/{id}", "/export.csv", "/export.json", "/feed.atom", "/api/search",
             "/api/articles/{id}", "/api/info"]
article_ids = st.one_of(st.sampled_from(["1111aaaa2222bbbb", "3333cccc4444dddd", "7777000000000000",
                                          "0000000000000000", "x" * 65, "..", "%2e%2e", "a b", "<x>"]),
                        st.text(_ALPHABET, min_size=1, max_size=80))


def _path(endpoint: str, article_id: str, pairs) -> str:
    path = endpoint.replace("{id}", quote(article_id, safe=""))
    return path + ("?" + urlencode(pairs) if pairs else "")


# --------------------------------------------------------------------------- query parser

@settings(max_examples=1000, deadline=None, database=None)
@given(st.one_of(st.text(st.characters(exclude_categories=())), queries))
def test_query_parser_never_raises_and_is_bounded(text):
    from searchapp import querylang

    querylang.parse("惠济区 OR 金水区")        # one-time loading (dictionaries, regexes) is not parsing
    t0 = time.perf_counter()
    parsed = querylang.parse(text)
    seconds = time.perf_counter() - t0
    counters["parse"] += 1
    assert seconds < PARSE_BOUND, (seconds, len(text))
    assert len(parsed.text) <= querylang.MAX_QUERY_CHARS
    assert not any(ch in parsed.text for ch in "\x00\x1b\n\t\u200b\ufeff")
    terms = parsed.terms(positive=False)
    assert len(terms) <= querylang.MAX_TERMS
    for term in terms:
        assert term.text.strip(), parsed
        assert term.field in (None, *querylang.FIELDS)
        if not term.phrase:
            assert not any(c.isspace() for c in term.text), term
    str(parsed)
    # The cleaned query is stable: searching it again (a shared URL) means the same.
    again = querylang.parse(parsed.text)
    assert again.root == parsed.root and again.text == parsed.text


# --------------------------------------------------------------------------- every endpoint

@pytest.mark.slow
@settings(max_examples=1000, deadline=None, database=None,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])
@given(endpoint=st.sampled_from(ENDPOINTS), article_id=article_ids, pairs=params(), probe=probe_tags())
def test_every_endpoint_survives_random_parameters(hostile_server, endpoint, article_id, pairs, probe):
    server, _ = hostile_server
    tag, markup = probe
    pairs = [(k, (v + " " + markup) if k == "q" else v) for k, v in pairs]
    path = _path(endpoint, article_id, pairs)
    status, headers, body, seconds = timed_get(server.url, path)
    problems = check_response(path, status, headers, body, [f"<{tag}"])
    assert not problems, (path[:300], problems[:5])
    assert seconds < REQUEST_BOUND, f"{seconds:.2f}s for {path[:200]}"


PATHOLOGICAL = [
    "惠" * 1000, "惠济" * 500, "惠济区 " * 200, "a" * 1000, "a " * 500, '"' * 1000, '"惠济区' * 200,
    "OR " * 333, "NOT " * 250, "-" * 1000, "-惠济区 " * 150, "title:" * 160, "title:惠济区 " * 100,
    "(" * 1000, "*" * 1000, "\\" * 1000, "\x00" * 1000, "e\u0301" * 500, "\u202e" * 1000,
    "😀" * 1000, "鄭州 ＷＭＳ " * 120, "".join(chr(0x4E00 + (i * 7919) % 20000) for i in range(1000)),
    "惠济区" * 3400,   # ~10,000 characters
]


@pytest.mark.slow
@pytest.mark.parametrize("endpoint", ENDPOINTS)
def test_pathological_queries_are_bounded(hostile_server, endpoint):
    server, _ = hostile_server
    worst = 0.0
    for q in PATHOLOGICAL:
        for extra in ([], [("sort", "newest"), ("page", "999999999")], [("district", q[:200])]):
            path = _path(endpoint, "1111aaaa2222bbbb", [("q", q), *extra])
            status, headers, body, seconds = timed_get(server.url, path)
            assert status < 500, (path[:200], body[:300])
            assert not check_response(path, status, headers, body, []), path[:200]
            assert seconds < REQUEST_BOUND, f"{seconds:.2f}s for {endpoint} q={q[:30]!r}…"
            worst = max(worst, seconds)
    print(f"\n[pathological] {endpoint}: {len(PATHOLOGICAL) * 3} requests, slowest {worst * 1000:.0f} ms")


# --------------------------------------------------------------------------- hostile article text

def test_hostile_article_text_is_escaped_everywhere(hostile_server):
    server, articles = hostile_server
    hostile = [a for a in articles if not a.source.startswith("copies/")]
    base = server.url
    seen_titles = set()
    for q in ("惠济区", "招商", "标题", ""):
        for endpoint in ("/", "/api/search", "/feed.atom", "/export.json", "/export.csv"):
            path = _path(endpoint, "", [("q", q), ("size", "100")])
            status, headers, body, _ = timed_get(base, path)
            assert status == 200, (path, body[:300])
            assert not check_response(path, status, headers, body, ["<script>alert", "<iframe", "<x-cdata"]), path
    for a in hostile:
        for endpoint in ("/articles/{id}", "/api/articles/{id}"):
            path = _path(endpoint, a.id, [("q", "惠济区")])
            status, headers, body, _ = timed_get(base, path)
            assert status == 200, (path, body[:300])
            problems = check_response(path, status, headers, body, ["<script>alert", "<iframe", "<x-cdata"])
            assert not problems, (path, problems)
            if endpoint.startswith("/api/"):
                data = json.loads(body)
                assert data["title"] == a.title            # data kept, only escaped
                assert "<" not in data["title_html"].replace("<mark>", "").replace("</mark>", "")
                assert "<script" not in data["body_html"] and "<iframe" not in data["body_html"]
                seen_titles.add(data["title"])
    assert len(seen_titles) == len(hostile)

    # CSV: the formula-looking titles are there, neutralised with a leading apostrophe.
    _, _, body, _ = timed_get(base, _path("/export.csv", "", [("q", "惠济区")]))
    rows = list(csv.reader(io.StringIO(body.decode("utf-8-sig"), newline="")))
    header, rows = rows[0], rows[1:]
    titles = {row[header.index("标题")] for row in rows}
    for a in hostile:
        if a.title.startswith(FORMULA_STARTS):
            assert "'" + a.title in titles, a.title
    assert not csv_problems(body)

    # Atom: titles are text (escaped by XML), the summaries' HTML is escaped.
    _, _, body, _ = timed_get(base, _path("/feed.atom", "", [("q", "惠济区 <script>alert(9)</script>")]))
    feed = ET.fromstring(body)
    assert "<script>alert(9)</script>" in feed.find(f"{ATOM}title").text      # text, not markup
    assert not atom_problems(body)
    _, _, body, _ = timed_get(base, _path("/feed.atom", "", [("q", "1+2")]))
    entry_titles = {e.find(f"{ATOM}title").text for e in ET.fromstring(body).iter(f"{ATOM}entry")}
    assert "=1+2 惠济区 招商" in entry_titles
    assert not atom_problems(body)


def test_xss_in_the_query_is_escaped_in_every_format(hostile_server):
    server, _ = hostile_server
    for probe in XSS[:7]:
        q = f"惠济区 {probe}"
        for endpoint in ("/", "/articles/{id}", "/api/search", "/api/articles/{id}", "/feed.atom",
                         "/export.json", "/export.csv"):
            path = _path(endpoint, "1111aaaa2222bbbb", [("q", q), ("district", probe), ("from", probe)])
            status, headers, body, _ = timed_get(server.url, path)
            assert status < 500
            dangerous = [p for p in ("<script>alert(1)", "<img src=x", "<svg/onload", "<iframe", "<a href=javascript")
                         if p in probe]
            assert not check_response(path, status, headers, body, dangerous), (path, probe)


@pytest.fixture(scope="module", autouse=True)
def _report():
    yield
    print(f"\n[hostile] parser examples {counters['parse']}, HTTP requests {counters['http']}, "
          f"slowest request {counters['max_seconds'] * 1000:.0f} ms (bound {REQUEST_BOUND * 1000:.0f} ms)")
