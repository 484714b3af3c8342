"""Batch search (searchapp.batch) over the real seed index: every total and count equals what
the search itself gives; bad lines are reported and skipped; the /batch page (real Flask app)
and `newsearch batch`."""
from __future__ import annotations

import csv
import io
import json
import re

import pytest
from click.testing import CliRunner

from searchapp import batch
from searchapp.cli import main
from searchapp.model import SearchQuery
from searchapp.service import SearchService

QUERIES = ["惠济区", "魏东", "丁文霞", "签约 OR 开工", "项目 SENT 签约", "-疫情 惠济", "不存在的名字", "title:开门红"]


@pytest.fixture(scope="module")
def svc(seed_index_dir):
    return SearchService(seed_index_dir)


def search_total(svc, q, include=None, **kw):
    return svc.search(SearchQuery.make(q, include=include, **kw)).total


def test_counts_equal_the_searches(svc):
    res = batch.run(svc, batch.read_lines("\n".join(QUERIES)), SearchQuery())
    assert [r.query for r in res.rows] == QUERIES and not res.problems
    districts, years = svc.facet_values("district"), svc.facet_values("year")
    for r in res.rows:
        assert r.total == search_total(svc, r.query)
        for d in districts:      # per-district count = the search with that district selected
            assert r.counts["district"].get(d, 0) == search_total(svc, r.query, {"district": [d]})
        for y in years:
            assert r.counts["year"].get(y, 0) == search_total(svc, r.query, {"year": [y]})
    assert any(r.total for r in res.rows) and any(not r.total for r in res.rows)


def test_filters_apply_to_every_line(svc):
    base = SearchQuery.make("", include={"district": ["惠济区"]}, date_from="2022-03", date_to="2022-12")
    res = batch.run(svc, batch.read_lines("\n".join(QUERIES)), base)
    for r in res.rows:
        assert r.total == search_total(svc, r.query, {"district": ["惠济区"]}, date_from="2022-03", date_to="2022-12")
        assert set(r.counts["district"]) <= {"惠济区"} and set(r.counts["year"]) <= {"2022"}
    assert any(r.total < search_total(svc, r.query) for r in res.rows)      # the filters did cut


def test_bad_lines_are_reported_and_skipped(svc):
    text = "魏东\n\n   \n，，，\n" + "长" * 300 + "\n签约\n惠济区 NEAR/abc 签约\n"
    res = batch.run(svc, batch.read_lines(text), SearchQuery())
    assert [(r.no, r.query) for r in res.rows] == [(1, "魏东"), (6, "签约"), (7, "惠济区 NEAR/abc 签约")]
    assert [(p.no, p.reason.split("（")[0]) for p in res.problems] == [(4, "没有可搜索的文字"), (5, "过长")]
    assert any("NEAR/abc" in m for m in res.rows[2].messages)      # run, with the parser's note


def test_at_most_max_lines(svc, monkeypatch):
    monkeypatch.setattr(batch, "MAX_LINES", 3)
    res = batch.run(svc, batch.read_lines("\n".join(["魏东"] * 5)), SearchQuery())
    assert len(res.rows) == 3 and [p.no for p in res.problems] == [4, 5]
    assert all("上限" in p.reason for p in res.problems)


def test_reading_files():
    assert [ln.text for ln in batch.read_lines('名字,备注\n"魏东",区长\n"现代汽车集团, 韩国",公司\n',
                                                 csv_format=True, header=True)] == ["魏东", "现代汽车集团, 韩国"]
    assert batch.decode("魏东\n丁文霞".encode("gb18030"), "a.txt") == "魏东\n丁文霞"
    assert batch.decode("\ufeff魏东".encode("utf-8"), "a.txt") == "魏东"
    assert batch.decode("魏东\r\n丁文霞".encode("utf-16"), "a.txt") == "魏东\n丁文霞"
    with pytest.raises(ValueError, match="x.bin"):
        batch.decode(b"\x00\x01\x02\x03", "x.bin")


# --------------------------------------------------------------------------- web

def totals(html):
    return [int(x) for x in re.findall(r'class="b-total">(\d+)<', html)]


def test_batch_page_form(client):
    r = client.get("/batch")
    html = r.get_data(as_text=True)
    assert r.status_code == 200 and 'enctype="multipart/form-data"' in html and 'name="lines"' in html
    assert 'name="file"' in html and "批量搜索" in html


def test_pasted_list_with_filters(client, svc):
    r = client.post("/batch", data={"lines": "\n".join(QUERIES), "district": "惠济区", "from": "2022"})
    html = r.get_data(as_text=True)
    assert r.status_code == 200
    assert totals(html) == [search_total(svc, q, {"district": ["惠济区"]}, date_from="2022") for q in QUERIES]
    # each query links to its search, with the same filters and the same total
    links = re.findall(r'<td class="b-query"><a href="([^"]+)"', html)
    assert len(links) == len(QUERIES)
    page = client.get(links[0].replace("&amp;", "&")).get_data(as_text=True)
    assert int(re.search(r'class="total">(\d+)<', page).group(1)) == totals(html)[0]
    assert "district=" in links[0] and "from=2022" in links[0]


def test_upload_csv_with_header(client, svc):
    data = "名字\n魏东\n丁文霞\n，\n".encode("gb18030")
    r = client.post("/batch", data={"file": (io.BytesIO(data), "names.csv"), "header": "1"},
                    content_type="multipart/form-data")
    html = r.get_data(as_text=True)
    assert totals(html) == [search_total(svc, "魏东"), search_total(svc, "丁文霞")]
    assert "names.csv" in html and "没有可搜索的文字" in html


def test_unreadable_upload_is_a_message_not_an_error(client):
    r = client.post("/batch", data={"file": (io.BytesIO(b"\x00\x01PK\x03\x04"), "names.xlsx")},
                    content_type="multipart/form-data")
    assert r.status_code == 200 and "names.xlsx" in r.get_data(as_text=True)
    r = client.post("/batch", data=b"a" * (3 * 1024 * 1024), content_type="multipart/form-data; boundary=x")
    assert r.status_code == 413 and "上限" in r.get_data(as_text=True)


def test_post_is_only_for_the_batch_page(client):
    assert client.post("/", data={"q": "x"}).status_code == 405
    assert client.post("/kwic").status_code == 405


def test_exports(client, svc):
    lines = "\n".join(QUERIES + ["，，"])
    r = client.post("/batch", data={"lines": lines, "format": "csv", "district": "惠济区"})
    assert r.status_code == 200 and r.is_streamed and "attachment" in r.headers["Content-Disposition"]
    rows = list(csv.reader(io.StringIO(r.get_data(as_text=True).lstrip("\ufeff"))))
    head = rows[0]
    assert head[:3] == ["行号", "查询", "总数"] and "区县:惠济区" in head and head[-2:] == ["提示", "链接"]
    body = rows[1:]
    # a cell starting with - is neutralised for spreadsheets
    assert [row[1] for row in body] == [("'" + q if q.startswith("-") else q) for q in QUERIES] + ["，，"]
    for row, q in zip(body, QUERIES):
        assert int(row[2]) == search_total(svc, q, {"district": ["惠济区"]})
        assert int(row[head.index("区县:惠济区")]) == int(row[2])
    assert body[-1][0] == str(len(QUERIES) + 1) and "已跳过" in body[-1][-2]
    data = json.loads(client.post("/batch", data={"lines": lines, "format": "json"}).get_data(as_text=True))
    assert [d["total"] for d in data["rows"]] == [search_total(svc, q) for q in QUERIES]
    assert data["skipped"][0]["line"] == len(QUERIES) + 1
    assert all(d["url"].startswith("/?q=") for d in data["rows"])      # relative without BASE_URL


# --------------------------------------------------------------------------- CLI

def test_cli(tmp_path, seed_index_dir, svc):
    env = {"NEWSEARCH_INDEX_DIR": str(seed_index_dir)}
    f = tmp_path / "names.txt"
    f.write_text("\n".join(QUERIES), encoding="utf-8")
    r = CliRunner().invoke(main, ["batch", str(f), "--json"], env=env)
    assert r.exit_code == 0, r.output
    got = [json.loads(x) for x in r.stdout.splitlines()]
    assert [(d["query"], d["total"]) for d in got] == [(q, search_total(svc, q)) for q in QUERIES]
    bad = tmp_path / "bad.csv"
    bad.write_text("名字,x\n魏东,1\n，,2\n", encoding="utf-8")
    r = CliRunner().invoke(main, ["batch", str(bad), "--header", "--district", "惠济区"], env=env)
    assert r.exit_code == 1 and "第 3 行" in r.stderr and "魏东" in r.stdout
    assert f"魏东  {search_total(svc, '魏东', {'district': ['惠济区']})}" in r.stdout
    r = CliRunner().invoke(main, ["batch", str(f), "--csv"], env=env)
    rows = list(csv.reader(io.StringIO(r.stdout.lstrip("\ufeff"))))
    assert len(rows) == len(QUERIES) + 1
    r = CliRunner().invoke(main, ["batch", str(tmp_path / "missing.txt")], env=env)
    assert r.exit_code == 2
    binary = tmp_path / "x.txt"
    binary.write_bytes(b"\x00\x01\x02")
    r = CliRunner().invoke(main, ["batch", str(binary)], env=env)
    assert r.exit_code == 2 and "x.txt" in r.stderr
