"""Term trends: request parsing, gap filling, the SVG chart and CSV from literal values;
counts and shares over a real index of literal pages; the /trends page, API and CSV."""
from __future__ import annotations

import csv
import io
import re
import xml.etree.ElementTree as ET

import pytest

from searchapp import trends as tr


def req(qs: str):
    from urllib.parse import parse_qsl
    return tr.parse_request(parse_qsl(qs, keep_blank_values=True))


def test_parse_request_queries_filters_and_options():
    r = req("q=签约&q=&q=开工 OR 投产&q=签约&district=惠济区&by=month&y=share")
    assert r.queries == ("签约", "开工 OR 投产")
    assert r.base.q == "" and r.base.included("district") == ("惠济区",)
    assert (r.by, r.metric, r.messages) == ("month", "share", ())


def test_parse_request_limits_and_bad_values():
    r = req("&".join(f"q=词{i}" for i in range(8)) + "&by=week&y=pie")
    assert len(r.queries) == tr.MAX_QUERIES
    assert r.by is None and r.metric == "count"
    assert any("最多比较 6 个" in m for m in r.messages)
    assert any("时间粒度" in m for m in r.messages) and any("纵轴" in m for m in r.messages)


def test_span_fills_gaps():
    assert tr._span(["2019", "2022"], "year") == ["2019", "2020", "2021", "2022"]
    assert tr._span(["2022-11", "2023-02"], "month") == ["2022-11", "2022-12", "2023-01", "2023-02"]
    assert tr._span([], "year") == []


def sample():
    t = tr.Trends(by="year", periods=["2021", "2022", "2023"], base=[10, 0, 40])
    t.series = [tr.Series("签约", [2, 0, 10], [0.2, 0.0, 0.25], 12),
                tr.Series("<开工>", [5, 0, 0], [0.5, 0.0, 0.0], 5)]
    return t


def test_svg_is_valid_with_escaped_chinese_labels_and_links():
    svg = tr.render_svg(sample(), "count", lambda k, p: f"/?q={k}&from={p}&to={p}")
    root = ET.fromstring(svg)                     # well-formed XML
    ns = "{http://www.w3.org/2000/svg}"
    texts = [e.text for e in root.iter(ns + "text")]
    assert "签约（12）" in texts and "<开工>（5）" in texts      # legend, escaped in the source
    assert "&lt;开工&gt;" in svg and "<开工>" not in svg
    assert {"2021", "2022", "2023"} <= set(texts)
    assert len(root.findall(f".//{ns}polyline")) == 2
    points = root.findall(f".//{ns}a")
    assert [(a.get("data-series"), a.get("data-period")) for a in points] == \
        [("0", "2021"), ("0", "2023"), ("1", "2021")]           # zero points are no links
    assert points[1].get("href") == "/?q=0&from=2023&to=2023"
    assert "style=" not in svg                                   # CSP: no inline styles
    assert "Noto Sans CJK SC" in root.get("font-family")


def test_svg_share_axis_and_empty():
    svg = tr.render_svg(sample(), "share", lambda k, p: "#")
    assert "50%" in svg or "50.0%" in svg
    assert tr.render_svg(tr.Trends("year", [], []), "count", lambda k, p: "#") == ""


def test_csv_rows_and_formula_safe_headers():
    t = sample()
    t.series[1].q = "-疫情"
    rows = list(csv.reader(io.StringIO("".join(tr.csv_chunks(t)).lstrip("\ufeff"))))
    assert rows[0] == ["时段", "全部文章", "签约 篇数", "签约 占比", "'-疫情 篇数", "'-疫情 占比"]
    assert rows[3] == ["2023", "40", "10", "0.250000", "0", "0.000000"]


# ------------------------------------------------------------------ on a real index

ARTICLES = [  # date, title, body
    ("2021-03-01", "惠济区项目集中签约", "惠济区举行签约仪式。"),
    ("2021-06-01", "金水区项目开工", "金水区重点项目开工。"),
    ("2021-09-01", "惠济区文化活动", "惠济区举办文化节。"),
    ("2023-02-01", "惠济区再签约", "惠济区签约三个项目。"),
    ("2023-03-01", "金水区签约", "金水区签约五个项目。"),
    ("2023-04-01", "金水区开工", "金水区开工两个项目。"),
    ("2023-05-01", "登封市开工", "登封市开工一个项目。"),
    ("2023-06-01", "登封市旅游", "登封市游客增长。"),
]


@pytest.fixture(scope="module")
def trend_index(tmp_path_factory):
    from indexer.indexing import index_paths

    root = tmp_path_factory.mktemp("trends")
    pages = root / "pages"
    pages.mkdir()
    for i, (date, title, body) in enumerate(ARTICLES):
        y, m, d = date.split("-")
        (pages / f"{y}{m}{d}_{i}.txt").write_text(
            f"# {title}\n\n本报讯 {int(m)}月{int(d)}日，{body}\n", encoding="utf-8")
    ix = root / "index"
    index_paths([pages], ix, procs=1)
    return ix


def test_compute_counts_and_shares(trend_index):
    from searchapp.service import SearchService

    t = tr.compute(SearchService(trend_index), req("q=签约&q=开工"))
    assert t.by == "year" and t.periods == ["2021", "2022", "2023"]
    assert t.base == [3, 0, 5]
    assert [s.counts for s in t.series] == [[1, 0, 2], [1, 0, 2]]
    assert t.series[0].shares == [pytest.approx(1 / 3), 0.0, pytest.approx(0.4)]


def test_compute_with_filters_and_months(trend_index):
    from searchapp.service import SearchService

    svc = SearchService(trend_index)
    t = tr.compute(svc, req("q=签约&q=开工&year=2023"))           # one year -> months
    assert t.by == "month" and t.periods == ["2023-02", "2023-03", "2023-04", "2023-05", "2023-06"]
    assert t.series[0].counts == [1, 1, 0, 0, 0] and t.series[1].counts == [0, 0, 1, 1, 0]
    t = tr.compute(svc, req("q=开工&district=金水区&by=year"))
    assert t.base == [1, 0, 2] and t.series[0].counts == [1, 0, 1]
    assert t.series[0].shares == [1.0, 0.0, 0.5]


def test_web_page_api_and_csv(trend_index):
    from searchapp.web import create_app

    c = create_app({"INDEX_DIR": str(trend_index), "TESTING": True}).test_client()
    html = c.get("/trends?q=签约&q=开工&district=惠济区").get_data(as_text=True)
    assert '<svg class="trend-chart"' in html and 'class="trend-table"' in html
    assert 'name="district" value="惠济区"' in html                 # filters kept in the form
    hrefs = re.findall(r'<a class="point" href="([^"]+)"', html)
    assert hrefs and all("district=%E6%83%A0%E6%B5%8E%E5%8C%BA" in h for h in hrefs)
    assert any("from=2021&amp;to=2021" in h for h in hrefs)
    api = c.get("/api/trends?q=签约&q=开工").get_json()
    assert api["periods"] == ["2021", "2022", "2023"] and api["all"] == [3, 0, 5]
    assert api["series"][0]["q"] == "签约" and api["series"][0]["counts"] == [1, 0, 2]
    link = api["series"][0]["links"][2]
    assert "from=2023" in link and "size=" not in link
    narrowed = c.get(link.replace("http://localhost", "") .replace("/?", "/api/search?")).get_json()
    assert narrowed["total"] == 2
    rows = list(csv.reader(io.StringIO(c.get("/trends.csv?q=签约").get_data(as_text=True).lstrip("\ufeff"))))
    assert rows == [["时段", "全部文章", "签约 篇数", "签约 占比"], ["2021", "3", "1", "0.333333"],
                    ["2022", "0", "0", "0.000000"], ["2023", "5", "2", "0.400000"]]
    assert c.get("/trends").status_code == 200 and c.get("/trends.csv").status_code == 200
    bad = c.get("/api/trends?q=签约&by=week&amin=很多")
    assert bad.status_code == 200 and bad.get_json()["messages"]


def test_result_page_links_to_trends(trend_index):
    from searchapp.web import create_app

    c = create_app({"INDEX_DIR": str(trend_index), "TESTING": True}).test_client()
    html = c.get("/?q=签约&district=金水区").get_data(as_text=True)
    m = re.search(r'<a class="tool trends-link" href="([^"]+)"', html)
    assert m and m.group(1).startswith("/trends?q=%E7%AD%BE%E7%BA%A6") and "district=" in m.group(1)
