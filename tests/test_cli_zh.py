"""The command line speaks Chinese to its reader (issue 11, item 13): help of every command,
click's own words, the search output; a query starting with - works, a misplaced or
unknown option is a clear error; an empty result does not load the word tokenizer."""
from __future__ import annotations

import re
import subprocess
import sys

import pytest
from click.testing import CliRunner

from searchapp.cli import main

COMMANDS = ("parse", "index", "search", "kwic", "batch", "serve")
LATIN_WORDS = re.compile(r"\b(?:the|and|of|to|is|are|with|for|from|each|every|this|Exit|Examples|Usage|Options|"
                         r"Show|message|hits|error)\b")


def prose(text: str) -> str:
    """Help text without command lines, option names, paths and metavars (which stay ASCII)."""
    out = []
    for line in text.splitlines():
        line = re.sub(r"newsearch[^\n#]*", "", line)            # example command lines
        line = re.sub(r"(?<!\w)--?[\w-]+", "", line)             # option names
        line = re.sub(r"\[?[A-Z_.]{2,}\]?", "", line)            # metavars, env vars
        line = re.sub(r"[~/$][\w/.$*-]*", "", line)              # paths
        out.append(line)
    return "\n".join(out)


@pytest.mark.parametrize("command", [None, *COMMANDS])
def test_help_is_chinese(command):
    args = ["--help"] if command is None else [command, "--help"]
    r = CliRunner().invoke(main, args)
    assert r.exit_code == 0, r.output
    assert "用法" in r.output and "选项" in r.output and "显示此帮助并退出" in r.output
    text = prose(r.output)
    assert not LATIN_WORDS.findall(text), (command, LATIN_WORDS.findall(text), text)
    assert re.search(r"[\u4e00-\u9fff]", text)


def test_usage_errors_are_chinese():
    r = CliRunner().invoke(main, ["frobnicate"])
    assert r.exit_code == 2 and "没有命令" in r.output and "No such" not in r.output


def search(*args, index_dir):
    return CliRunner().invoke(main, ["search", "--index-dir", str(index_dir), *args])


def test_a_query_starting_with_minus_works(seed_index_dir):
    everything = search("--limit", "1", index_dir=seed_index_dir)
    without = search("-疫情", "--limit", "1", index_dir=seed_index_dir)
    assert without.exit_code == 0, without.output
    total = lambda r: int(re.search(r"共 (\d+) 篇", r.output).group(1))
    with_word = search("疫情", "--limit", "1", index_dir=seed_index_dir)
    assert total(without) == total(everything) - total(with_word) and total(with_word) > 0
    assert search("惠济区 -疫情", index_dir=seed_index_dir).exit_code == 0


def test_options_after_double_dash_or_unknown_are_errors(seed_index_dir):
    r = search("--", "惠济区", "--limit", "3", index_dir=seed_index_dir)
    assert r.exit_code == 2 and "--limit" in r.output and "-- 之后" in r.output
    r = search("惠济区", "--limt", "3", index_dir=seed_index_dir)
    assert r.exit_code == 2 and "没有选项 --limt" in r.output
    r = search("--", "-疫情", "--limit", index_dir=seed_index_dir)
    assert r.exit_code == 2


def test_search_output_is_chinese_only(seed_index_dir):
    r = search("惠济区", "--limit", "2", "--no-color", index_dir=seed_index_dir)
    assert r.exit_code == 0
    last = r.output.strip().splitlines()[-1]
    assert re.fullmatch(r"共 \d+ 篇 · 第 1/\d+ 页 · 用时 [\d.]+ 毫秒", last), last
    assert "total" not in r.output and "page" not in r.output and "hits" not in r.output
    r = search("惠济区经济运行分析会议", index_dir=seed_index_dir)
    assert "没有找到结果。" in r.output and "no hits" not in r.output
    assert re.search(r"改搜“惠济区”  \d+ 篇", r.output)


def test_dates_without_a_year_read_as_on_the_page(seed_index_dir):
    r = search("--limit", "0", "--no-color", index_dir=seed_index_dir)
    assert "--0" not in r.output
    assert re.search(r"\d+月\d+日（年份不详）", r.output)


def test_an_empty_search_does_not_start_the_tokenizer(seed_index_dir):
    """Why a search with no hits took ~1 s: the split hint loaded jieba's dictionary. Now the
    index itself splits the word (searchapp.suggest.index_split)."""
    code = (
        "import sys, jieba\n"
        "from searchapp.service import SearchService\n"
        "from searchapp.model import SearchQuery\n"
        "from searchapp import suggest\n"
        "svc = SearchService(sys.argv[1])\n"
        "q = SearchQuery(q='惠济区经济运行分析会议')\n"
        "assert svc.search(q).total == 0\n"
        "advice = suggest.advise(svc, q)\n"
        "assert advice.suggestions\n"
        "print(jieba.dt.initialized)\n")
    out = subprocess.run([sys.executable, "-c", code, str(seed_index_dir)], capture_output=True, text=True,
                         timeout=120)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "False"
