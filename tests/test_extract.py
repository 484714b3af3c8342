"""Page -> labelled articles, end to end over seeds/ against the hand labels."""
from __future__ import annotations

import datetime as dt
import json
import re
from pathlib import Path

import pytest

from indexer.article import JSON_KEYS, Article, article_id
from indexer.extract import parse_file, parse_page
from indexer.reading import PageReadError

TESTS_DIR = Path(__file__).resolve().parent
GOLD = json.loads((TESTS_DIR / "data" / "gold_seeds.json").read_text(encoding="utf-8"))
SEEDS = TESTS_DIR.parent / "seeds"


def _gold_cases():
    for page in GOLD["pages"]:
        for k, label in enumerate(page["articles"]):
            yield pytest.param(page["file"], label, id=f"{page['file'][:3]}-{k + 1}")


@pytest.fixture(scope="module")
def parsed() -> dict[str, list[Article]]:
    return {p["file"]: parse_file(SEEDS / p["file"]) for p in GOLD["pages"]}


def _match(articles: list[Article], label: dict) -> Article:
    for a in articles:
        if label.get("lead") and label["lead"] in a.body[:80]:
            return a
        if label.get("contains") and label["contains"] in a.body:
            return a
    raise AssertionError(f"no article for {label.get('title') or label.get('lead')}")


def test_every_seed_page_splits_into_exactly_the_labelled_articles(parsed):
    for page in GOLD["pages"]:
        articles = parsed[page["file"]]
        assert len(articles) == len(page["articles"]), page["file"]
        matched = {id(_match(articles, label)) for label in page["articles"]}
        assert len(matched) == len(articles), page["file"]


@pytest.mark.parametrize("file, label", list(_gold_cases()))
def test_seed_article_fields_match_the_labels(parsed, file, label):
    a = _match(parsed[file], label)
    if label["title_key"] is None:
        assert a.title == ""
    else:
        assert label["title_key"] in a.title
    for name in ("date", "district"):
        if name in label:
            assert getattr(a, name) == label[name], name
    for name in ("reporters", "correspondents", "photographers"):
        if name in label:
            assert set(getattr(a, name)) == set(label[name]), name
    if "project_types" in label:
        assert set(label["project_types"]) <= set(a.project_types)


_RESIDUE = re.compile(r"(?:记者|通讯员)\s*[\u4e00-\u9fff]{2,4}(?:\s|$|文/图|\))|\s摄$|[A-Z]\d{2}$|返回主页|版面导航|上一篇")


def test_seed_bodies_are_clean(parsed):
    for file, articles in parsed.items():
        for a in articles:
            paragraphs = a.body.split("\n\n")
            assert all(p.strip() == p and p for p in paragraphs), (file, a.ordinal)
            for p in paragraphs:
                assert not _RESIDUE.search(p), (file, a.ordinal, p[-30:])
            assert not a.body.startswith(("本报讯", "(", "（"))
            assert "\n" not in a.title and "\n" not in a.subtitle


def test_seed_ordinals_ids_sources_and_lines(parsed):
    for file, articles in parsed.items():
        assert [a.ordinal for a in articles] == list(range(1, len(articles) + 1))
        assert [a.line_start for a in articles] == sorted(a.line_start for a in articles)
        for a in articles:
            assert a.source == str(SEEDS / file)
            assert a.id == article_id(a.source, a.title, a.body)
            assert 1 <= a.line_start <= a.line_end
            assert a.page_date is None          # seed file names carry no date
        assert len({a.id for a in articles}) == len(articles)


def test_ids_are_stable_across_runs_and_paths(parsed, tmp_path):
    file = GOLD["pages"][1]["file"]
    copy = tmp_path / "elsewhere" / file
    copy.parent.mkdir()
    copy.write_bytes((SEEDS / file).read_bytes())
    assert [a.id for a in parse_file(copy)] == [a.id for a in parsed[file]]


def test_districts_lists_every_unit_mentioned(parsed):
    page = parsed["001_e2ee4c39575207b8.txt"]
    photo = next(a for a in page if a.title == "" and "管城区" in a.body)
    assert photo.districts == ("管城回族区",)
    assert all(a.district in a.districts for a in page if a.district and a.district != "郑州市")


def test_to_dict_has_the_json_keys(parsed):
    a = parsed["000_b84c1ade2bc36389.txt"][0]
    d = a.to_dict()
    assert tuple(d) == JSON_KEYS
    assert json.loads(json.dumps(d, ensure_ascii=False)) == d


# ----------------------------------------------------------------- parse_page on literal text

PAGE = """
惠济区召开经济运行分析会

本报讯(记者 简洋)昨日,惠济区召开经济运行分析会,部署招商引资工作。

会议要求,加快签约项目开工建设。

二七区召开产业发展大会

本报讯 2月28日,二七区召开产业发展大会。

记者 刘伟平
"""


def test_parse_page_labels_each_article():
    arts = parse_page(PAGE, "2024-03-01.txt", dt.date(2024, 3, 1))
    assert [a.title for a in arts] == ["惠济区召开经济运行分析会", "二七区召开产业发展大会"]
    a, b = arts
    assert a.date == "2024-02-29"                      # 昨日 on 1 March of a leap year
    assert b.date == "2024-02-28"
    assert a.district == "惠济区" and b.district == "二七区"
    assert a.reporters == ("简洋",) and b.reporters == ("刘伟平",)
    assert a.body == "昨日,惠济区召开经济运行分析会,部署招商引资工作。\n\n会议要求,加快签约项目开工建设。"
    assert a.page_date == b.page_date == "2024-03-01"
    assert a.source == "2024-03-01.txt"
    assert (a.ordinal, b.ordinal) == (1, 2)


def test_parse_page_without_page_date_never_invents_a_year():
    a, b = parse_page(PAGE, "page.txt")
    assert a.date is None                              # 昨日 needs a page date
    assert b.date == "--02-28"


def test_parse_page_of_nothing():
    assert parse_page("", "empty.txt") == []
    assert parse_page("返回主页 | 郑州日报 | 版面导航\n\nG02\n\n上一篇 下一篇\n", "chrome.txt") == []


# ----------------------------------------------------------------- parse_file on bad input

def test_parse_file_reads_gbk_and_dates_from_the_path(tmp_path):
    path = tmp_path / "2023-02-15" / "page.txt"
    path.parent.mkdir()
    path.write_bytes(PAGE.replace("\n", "\r\n").encode("gbk"))
    arts = parse_file(path)
    assert [a.title for a in arts] == ["惠济区召开经济运行分析会", "二七区召开产业发展大会"]
    assert arts[0].date == "2023-02-14"
    assert arts[0].page_date == "2023-02-15"


def test_parse_file_of_an_empty_file(tmp_path):
    path = tmp_path / "empty.txt"
    path.write_bytes(b"")
    assert parse_file(path) == []


def test_parse_file_rejects_binary_with_the_path(tmp_path):
    path = tmp_path / "image.txt"
    path.write_bytes(bytes(range(256)) * 64)
    with pytest.raises(PageReadError) as info:
        parse_file(path)
    assert str(path) in str(info.value)


def test_parse_file_of_a_missing_file(tmp_path):
    with pytest.raises(PageReadError):
        parse_file(tmp_path / "missing.txt")


def test_parse_file_of_one_huge_line(tmp_path):
    path = tmp_path / "huge.txt"
    sentence = "惠济区召开经济运行分析会,强调要深入贯彻落实市委部署。"
    path.write_text("本报讯 " + sentence * (10_000_000 // len(sentence.encode())), encoding="utf-8")
    (a,) = parse_file(path)
    assert a.body.startswith(sentence) and a.district == "惠济区"
