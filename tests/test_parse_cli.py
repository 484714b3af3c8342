"""`newsearch parse`: listing, JSON Lines, skipped files and exit status (click's CliRunner)."""
from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from indexer.article import JSON_KEYS
from indexer.parse_cli import parse

SEEDS = Path(__file__).resolve().parent.parent / "seeds"
SEED_001 = SEEDS / "001_e2ee4c39575207b8.txt"

PAGE = "惠济区召开经济运行分析会\n\n本报讯 3月23日,惠济区召开分析会。\n\n记者 简洋\n"


def run(*args):
    return CliRunner().invoke(parse, [str(a) for a in args])


def json_lines(output: str) -> list[dict]:
    return [json.loads(line) for line in output.splitlines() if line.strip()]


def test_listing_shows_how_a_page_was_split():
    result = run(SEED_001)
    assert result.exit_code == 0, result.output
    out = result.stdout
    assert f"{SEED_001}: 11 篇" in out
    assert "[1] 金水区吹响奋进「冲锋号」" in out
    assert "副题: 稳经济 促发展 强信心 当好高质量发展「火车头」" in out
    assert "日期 2023-02-12 · 区域 金水区 · 记者 党贺喜" in out
    assert "通讯员 宋跃伟、何源" in out
    assert "(无标题)" in out and "摄影 王恩俊" in out
    assert "      记者从2月12日召开的金水区高质量发展大会上获悉" in out
    assert result.stderr == ""


def test_json_lines_have_the_article_keys_and_raw_chinese():
    result = run("--json", SEED_001)
    assert result.exit_code == 0
    rows = json_lines(result.stdout)
    assert len(rows) == 11
    assert all(tuple(r) == (*JSON_KEYS, "reader") for r in rows)
    assert {r["reader"] for r in rows} == {"text"}
    assert rows[0]["title"] == "金水区吹响奋进「冲锋号」"
    assert rows[0]["reporters"] == ["党贺喜"]
    assert "金水区" in result.stdout                     # ensure_ascii=False
    assert [r["ordinal"] for r in rows] == list(range(1, 12))


def test_folders_are_read_recursively():
    result = run("--json", SEEDS)
    assert result.exit_code == 0
    rows = json_lines(result.stdout)
    assert len(rows) == 28
    assert len({Path(r["source"]).name for r in rows}) == 5


def test_unreadable_files_are_reported_and_skipped(tmp_path):
    good = tmp_path / "a_good.txt"
    good.write_text(PAGE, encoding="utf-8")
    binary = tmp_path / "b_binary.txt"
    binary.write_bytes(bytes(range(256)) * 64)
    result = run("--json", tmp_path)
    assert result.exit_code == 1
    assert str(binary) in result.stderr
    rows = json_lines(result.stdout)
    assert [r["title"] for r in rows] == ["惠济区召开经济运行分析会"]


def test_missing_path_is_reported(tmp_path):
    good = tmp_path / "good.txt"
    good.write_text(PAGE, encoding="utf-8")
    missing = tmp_path / "missing"
    result = run(good, missing)
    assert result.exit_code == 1
    assert str(missing) in result.stderr
    assert "惠济区召开经济运行分析会" in result.stdout


@pytest.mark.parametrize("name, data, articles", [
    ("empty.txt", b"", 0),
    ("chrome.txt", "返回主页 | 郑州日报 | 版面导航\n\n第07版:县区新闻\n\nG07\n".encode("utf-8"), 0),
    ("gbk.txt", PAGE.encode("gbk"), 1),
    ("bom.txt", b"\xef\xbb\xbf" + PAGE.encode("utf-8"), 1),
    ("utf16.txt", PAGE.encode("utf-16"), 1),
])
def test_odd_but_readable_files(tmp_path, name, data, articles):
    path = tmp_path / name
    path.write_bytes(data)
    result = run("--json", path)
    assert result.exit_code == 0, result.stderr
    rows = json_lines(result.stdout)
    assert len(rows) == articles
    if articles:
        assert rows[0]["reporters"] == ["简洋"]
    listing = run(path)
    assert f"{path}: {articles} 篇" in listing.stdout


def test_page_date_comes_from_the_path(tmp_path):
    path = tmp_path / "2022-03-24" / "page.txt"
    path.parent.mkdir()
    path.write_text(PAGE, encoding="utf-8")
    (row,) = json_lines(run("--json", path).stdout)
    assert row["page_date"] == "2022-03-24"
    assert row["date"] == "2022-03-23"


def test_usage_error_without_paths():
    result = run()
    assert result.exit_code == 2


def test_help_has_examples():
    result = run("--help")
    assert result.exit_code == 0
    assert "示例：" in result.output and "newsearch parse --json" in result.output


def test_a_folder_without_pages_says_so(tmp_path):
    result = run(tmp_path)
    assert result.exit_code == 0
    assert result.stdout == ""
    assert "*.txt" in result.stderr


PORTAL_PAGE = """您当前的位置：首页 > 新闻中心 > 区县动态
登封市召开秋粮收购工作推进会
发布时间：2025-09-23 10:12 来源：登封市融媒体中心 作者：宋明
【字体：大 中 小】 打印本页 关闭窗口
9月22日,登封市召开秋粮收购工作推进会,安排部署今年秋粮收购工作。
责任编辑：刘畅
"""


def test_explain_lists_each_line_with_its_role_and_why(tmp_path):
    page = tmp_path / "portal.txt"
    page.write_text(PORTAL_PAGE, encoding="utf-8")
    result = run("--explain", page)
    assert result.exit_code == 0, result.output
    out = result.stdout
    assert "网页文章页" in out
    assert "位置导航" in out and "发布信息行" in out and "编辑署名" in out
    rows = {line.split()[0]: line for line in out.splitlines() if line.strip()[:1].isdigit()}
    assert "标题" in rows["2"] and "页面杂项" in rows["1"] and "正文" in rows["5"]
    assert "标题: 登封市召开秋粮收购工作推进会" in out and "紧挨发布信息行" in out
    assert "日期: 2025-09-22" in out and "9月22日" in out and "2025-09-23" in out
    assert "区县: 登封市" in out


def test_explain_json_has_lines_and_reasons(tmp_path):
    page = tmp_path / "portal.txt"
    page.write_text(PORTAL_PAGE, encoding="utf-8")
    result = run("--explain", "--json", page)
    assert result.exit_code == 0, result.output
    [doc] = json_lines(result.stdout)
    assert doc["family"] == "web"
    assert [line["role"] for line in doc["lines"]][:3] == ["chrome", "headline", "chrome"]
    [article] = doc["articles"]
    assert article["title"] == "登封市召开秋粮收购工作推进会"
    assert set(article["why"]) == {"标题", "日期", "区县"}


def test_explain_a_printed_page():
    result = run("--explain", SEED_001)
    assert result.exit_code == 0, result.output
    assert "印刷版面文本" in result.stdout and "电头" in result.stdout and "署名" in result.stdout
    assert result.stdout.count("第 ") >= 5
