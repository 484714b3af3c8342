"""Money amounts: extraction from literal strings (indexer.amounts), the hand labels of
seeds/ and generated text (precision/recall), and the 金额 filter and aggregate panel on a
real index through the service, the web app, the API, the export and the CLI."""
from __future__ import annotations

import csv
import io
import json

import pytest

from indexer import amounts as am


def one(text):
    found = am.extract(text)
    assert len(found) == 1, found
    return found[0]


@pytest.mark.parametrize("text, value, kind", [
    ("该项目总投资216.8亿元。", 2168000, "investment"),
    ("双方签约金额3.2亿元", 32000, "contract"),
    ("公司投资5000万元建设", 5000, "investment"),
    ("全年新签约项目29个,签约额371亿元。", 3710000, "contract"),
    ("实现销售收入898万元", 898, "other"),
    ("外贸进出口总值8524.1亿元", 85241000, "other"),
    ("技术合同成交额突破100亿元", 1000000, "other"),
    ("计划投资两亿元", 20000, "investment"),
    ("总投资五千万元", 5000, "investment"),
    ("项目总投资1,200万元", 1200, "investment"),
    ("总投资１２亿元", 120000, "investment"),
    ("合同金额1.2万亿元", 120000000, "contract"),
    ("投资80万元购置设备", 80, "investment"),
    ("投资5000元", 0.5, "investment"),
])
def test_value_and_kind(text, value, kind):
    a = one(text)
    assert (a.value, a.kind) == (value, kind)


def test_approximate_amount_keeps_its_phrase():
    a = one("该项目占地约145亩,计划总投资约12亿元。")
    assert a.value == 120000 and a.approx and a.phrase == "计划总投资约12亿元"
    assert one("实现利税3000余万元").approx
    assert not one("总投资12亿元").approx


def test_sum_over_projects():
    a = one("16个项目总投资85亿元")
    assert (a.value, a.projects, a.phrase) == (850000, 16, "16个项目总投资85亿元")
    b = one("经开区共谋划项目16个,总投资216.8亿元。")
    assert b.projects == 16 and b.phrase.startswith("项目16个")


def test_ranges():
    a = one("拟投资8亿至10亿元建设")
    assert (a.value, a.high, a.is_range) == (80000, 100000, True)
    b = one("总投资3000万—5000万元")
    assert (b.value, b.high) == (3000, 5000)
    c = one("投资8-10亿元")
    assert (c.value, c.high) == (80000, 100000)


def test_layout_line_break_inside_the_phrase():
    a = one("年度投资\n211.5亿元")
    assert (a.value, a.kind, a.phrase) == (2115000, "investment", "年度投资211.5亿元")


def test_not_amounts():
    assert am.extract("元宇宙产业园和多元化投融资渠道") == []
    assert am.extract("其中亿元以上项目23个") == []
    assert am.extract("5亿美元") == []            # foreign currency is not read
    assert one("均价1.2万元/平方米").kind == "other"   # a price


def test_article_amount_is_the_largest_investment_or_contract():
    found = am.article_amounts("10亿元! 新园区落地", "", "总投资约10亿元,年收入可达90亿元,一期投资3亿元。")
    assert [a.kind for a in found] == ["other", "investment", "other", "investment"]
    assert am.article_amount(found) == 100000
    assert am.article_amount(am.extract("实现产值5亿元")) == 0.0


@pytest.mark.parametrize("text, wan", [("5000", 5000), ("5000万", 5000), ("3亿", 30000),
                                       ("3.2亿元", 32000), ("８亿", 80000), ("两亿", 20000)])
def test_parse_amount(text, wan):
    assert am.parse_amount(text) == wan


def test_parse_amount_rejects_words():
    assert am.parse_amount("很多") is None and am.parse_amount("") is None


def test_format_wan():
    assert am.format_wan(2168000) == "216.8亿元"
    assert am.format_wan(5000) == "5000万元"
    assert am.format_wan(0.5) == "5000元"


# ------------------------------------------------------------------ measured quality

def test_hand_labels_of_seeds():
    from benchmarks.amounts_eval import score, seed_counts

    expected, found = seed_counts()
    assert sum(expected.values()) == 32            # every amount on the seed pages
    s = score(expected, found)
    assert s["precision"] >= 0.95 and s["recall"] >= 0.95, (expected - found, found - expected)
    s = score(expected, found, {"investment", "contract"})
    assert s["precision"] >= 0.95 and s["recall"] >= 0.95


def test_generated_text():
    from benchmarks.amounts_eval import generated_counts, score

    truth, found = generated_counts(400, seed=7)
    s = score(truth, found)
    assert s["expected"] > 500
    assert s["precision"] >= 0.95 and s["recall"] >= 0.95, list((truth - found).items())[:5]


# ------------------------------------------------------------------ on a real index

@pytest.fixture(scope="module")
def money_index(tmp_path_factory):
    from indexer.indexing import index_paths

    root = tmp_path_factory.mktemp("money")
    pages = root / "pages"
    pages.mkdir()
    articles = [
        ("2023-03-01", "惠济区", "惠济区集中签约12个项目", "本报讯 惠济区举行项目集中签约仪式，12个项目签约金额85亿元。"),
        ("2023-05-02", "惠济区", "惠济区一季度项目开工", "本报讯 惠济区开工项目6个，总投资20亿元，年度投资5亿元。"),
        ("2023-06-03", "金水区", "金水区新签约项目", "本报讯 金水区与某公司签约，签约额3.2亿元。"),
        ("2022-07-04", "金水区", "金水区工业产值增长", "本报讯 金水区规上工业产值突破500亿元，同比增长8%。"),
        ("2022-08-05", "登封市", "登封市建设新园区", "本报讯 登封市计划投资5000万元建设园区。"),
    ]
    for i, (date, district, title, body) in enumerate(articles):
        y, m, d = date.split("-")
        body = body.replace("本报讯 ", f"本报讯 {int(m)}月{int(d)}日，")
        (pages / f"{y}{m}{d}_{i}.txt").write_text(f"# {title}\n\n{body}\n", encoding="utf-8")
    ix = root / "index"
    index_paths([pages], ix, procs=1)
    return ix


@pytest.fixture(scope="module")
def money_service(money_index):
    from searchapp.service import SearchService
    return SearchService(money_index)


def _titles(results):
    return sorted(h.title for h in results.hits)


def test_service_range_filter(money_service):
    from searchapp.model import SearchQuery

    r = money_service.search(SearchQuery(sort="newest", amount_min=50000))
    assert _titles(r) == ["惠济区一季度项目开工", "惠济区集中签约12个项目"]
    r = money_service.search(SearchQuery(sort="newest", amount_min=1000, amount_max=50000))
    assert _titles(r) == ["登封市建设新园区", "金水区新签约项目"]
    r = money_service.search(SearchQuery(sort="newest", amount_max=5000))
    assert _titles(r) == ["登封市建设新园区"]
    assert [h.amount for h in r.hits] == [5000]
    assert r.hits[0].amounts[0]["phrase"] == "计划投资5000万元"


def test_service_aggregate(money_service):
    from searchapp.model import SearchQuery

    agg = money_service.search(SearchQuery(sort="newest")).amounts
    assert agg["count"] == 4 and agg["articles"] == 5        # 产值 is no investment
    assert agg["sum"] == 850000 + 200000 + 32000 + 5000
    assert agg["district"] == [{"value": "惠济区", "count": 2, "sum": 1050000},
                               {"value": "金水区", "count": 1, "sum": 32000},
                               {"value": "登封市", "count": 1, "sum": 5000}]
    assert agg["year"] == [{"value": "2022", "count": 1, "sum": 5000},
                           {"value": "2023", "count": 3, "sum": 1082000}]
    # over the current result set: the query and filters narrow it
    agg = money_service.search(SearchQuery.make("签约", include={"year": ["2023"]})).amounts
    assert agg["count"] == 2 and agg["sum"] == 882000


def test_web_filter_panel_api_and_exports(money_index):
    from searchapp.web import create_app

    client = create_app({"INDEX_DIR": str(money_index), "TESTING": True}).test_client()
    page = client.get("/?amin=5亿").get_data(as_text=True)
    assert "惠济区集中签约12个项目" in page and "金水区新签约项目" not in page
    assert "≥ 5亿元" in page                                 # the chip
    assert 'class="amount-panel"' in page and "105亿元" in page
    api = client.get("/api/search?amin=1亿&amax=30亿").get_json()
    assert api["query"]["amin"] == 10000 and api["query"]["amax"] == 300000
    assert api["total"] == 2 and api["amounts"]["sum"] == 232000
    assert {h["amount"] for h in api["hits"]} == {200000, 32000}
    bad = client.get("/api/search?amin=很多").get_json()
    assert bad["total"] == 5 and any("最低金额" in m for m in bad["messages"])
    rows = list(csv.reader(io.StringIO(client.get("/amounts.csv?type=签约").get_data(as_text=True).lstrip("\ufeff"))))
    assert rows[0] == ["维度", "取值", "篇数", "金额(万元)"]
    assert ["区县", "惠济区", "1", "850000"] in rows and ["年份", "2023", "2", "882000"] in rows
    exported = json.loads(client.get("/export.json?amin=3亿").get_data(as_text=True))
    assert {e["amount"] for e in exported} == {850000, 200000, 32000}
    assert all(e["amount_phrases"] for e in exported)
    head = next(csv.reader(io.StringIO(client.get("/export.csv").get_data(as_text=True).lstrip("\ufeff"))))
    assert "金额(万元)" in head


def test_cli_amount_options(money_index):
    from click.testing import CliRunner

    from searchapp.cli import main

    r = CliRunner().invoke(main, ["search", "--amount-min", "3亿", "--amounts", "--json",
                                  "--index-dir", str(money_index)])
    assert r.exit_code == 0, r.output
    agg = json.loads(r.output.strip().splitlines()[-1])
    assert agg["count"] == 3 and agg["sum"] == 1082000
    r = CliRunner().invoke(main, ["search", "--amount-max", "1亿", "--no-color", "--index-dir", str(money_index)])
    assert "登封市建设新园区" in r.output and "金额 5000万元" in r.output and "惠济区" not in r.output.split("区县:")[0]
