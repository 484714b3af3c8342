"""`newsearch search` over the real seed index, through click's CliRunner."""
from __future__ import annotations

import json
import shutil

import pytest
from click.testing import CliRunner

from indexer import store
from indexer.extract import parse_file
from searchapp.cli import main


@pytest.fixture(scope="module")
def articles(seeds_dir):
    return [a for p in sorted(seeds_dir.glob("*.txt")) for a in parse_file(p)]


def run(*args, index_dir=None):
    argv = ["search", *map(str, args)]
    if index_dir is not None:
        argv[1:1] = ["--index-dir", str(index_dir)]
    return CliRunner().invoke(main, argv)


def jsonl(result):
    return [json.loads(line) for line in result.stdout.splitlines() if line.strip()]


def test_text_output_shows_ranked_hits_facets_and_total(seed_index_dir, articles):
    r = run("开门红", "--limit", "3", "--no-color", index_dir=seed_index_dir)
    assert r.exit_code == 0, r.output
    expected = sum("开门红" in a.title + a.subtitle + a.body for a in articles)
    lines = r.stdout.splitlines()
    assert lines[0].startswith("  1. ")
    assert "【开门红】" in r.stdout
    assert f"共 {expected} 篇" in lines[-1]
    assert any(line.startswith("区县: ") for line in lines)
    assert sum(1 for line in lines if line[:5].strip().rstrip(".").isdigit()) == 3


def test_color_marks_matches_with_ansi(seed_index_dir):
    r = run("开门红", "--limit", "1", "--color", index_dir=seed_index_dir)
    assert "\x1b[1;31m开门红\x1b[0m" in r.stdout


def test_json_lines_carry_the_parse_ids(seed_index_dir, articles):
    r = run("惠济", "--json", "--limit", "0", index_dir=seed_index_dir)
    assert r.exit_code == 0
    hits = jsonl(r)
    want = {a.id for a in articles if "惠济" in a.title + a.subtitle + a.body}
    assert {h["id"] for h in hits} == want
    for h in hits:
        assert {"id", "score", "title", "date", "district", "reporters", "project_types",
                "snippet", "source"} <= set(h)
    assert any("<mark>惠济</mark>" in h["snippet"] for h in hits)
    scores = [h["score"] for h in hits]
    assert scores == sorted(scores, reverse=True)
    assert f"共 {len(want)} 篇" in r.stderr


def test_filters(seed_index_dir, articles):
    r = run("--json", "--limit", "0", "--district", "惠济区", "--district", "金水区", "--type", "签约",
            index_dir=seed_index_dir)
    want = {a.id for a in articles if a.district in ("惠济区", "金水区") and "签约" in a.project_types}
    assert want and {h["id"] for h in jsonl(r)} == want

    r = run("--json", "--limit", "0", "--exclude-district", "经开区", index_dir=seed_index_dir)
    assert {h["id"] for h in jsonl(r)} == {a.id for a in articles if a.district != "经开区"}

    name = articles[0].reporters[0]
    r = run("--json", "--limit", "0", "--reporter", name, index_dir=seed_index_dir)
    assert {h["id"] for h in jsonl(r)} == {a.id for a in articles if name in a.reporters + a.correspondents + a.photographers}


def test_date_range_and_sort(seed_index_dir, articles):
    r = run("--json", "--limit", "0", "--from", "2023-02", "--to", "2023-02", "--sort", "oldest",
            index_dir=seed_index_dir)
    dated = sorted((a.date, a.id) for a in articles if a.date and a.date.startswith("2023-02"))
    got = [(h["date"], h["id"]) for h in jsonl(r)]
    assert [d for d, _ in got] == [d for d, _ in dated] and set(got) == set(dated)


def test_invalid_date_is_reported_not_fatal(seed_index_dir, articles):
    r = run("--json", "--limit", "0", "--from", "2023-13", index_dir=seed_index_dir)
    assert r.exit_code == 0 and "无法识别" in r.stderr
    assert len(jsonl(r)) == len(articles)


def test_query_starting_with_minus_after_double_dash(seed_index_dir, articles):
    r = run("--json", "--limit", "0", "--", "-开门红", index_dir=seed_index_dir)
    assert {h["id"] for h in jsonl(r)} == {a.id for a in articles if "开门红" not in a.title + a.subtitle + a.body}


def test_page_beyond_the_end_is_clamped(seed_index_dir):
    r = run("惠济", "--limit", "2", "--page", "1000000000", "--no-color", index_dir=seed_index_dir)
    assert r.exit_code == 0 and "最后一页" in r.stdout


def test_no_hits(seed_index_dir):
    r = run("完全不存在的词语组合", "--no-color", index_dir=seed_index_dir)
    assert r.exit_code == 0 and "没有找到结果" in r.stdout and "共 0 篇" in r.stdout


def test_missing_index_exits_2_with_a_message(tmp_path):
    r = run("惠济", index_dir=tmp_path / "nothing")
    assert r.exit_code == 2
    assert "newsearch index" in r.stderr and "Traceback" not in r.output


def test_version_mismatch_exits_2_with_a_message(seed_index_dir, tmp_path):
    copy = tmp_path / "old-index"
    shutil.copytree(seed_index_dir, copy)
    gen = store.current_generation(copy)
    meta = store.read_meta(gen)
    meta["index_version"] = "s0/a0-old"
    store.write_meta(gen, meta)
    r = run("惠济", index_dir=copy)
    assert r.exit_code == 2
    assert "--rebuild" in r.stderr and "Traceback" not in r.output


def test_index_dir_from_environment(seed_index_dir):
    r = CliRunner().invoke(main, ["search", "惠济", "--json"], env={"NEWSEARCH_INDEX_DIR": str(seed_index_dir)})
    assert r.exit_code == 0 and jsonl(r)


def test_bad_option_value_is_a_usage_error(seed_index_dir):
    r = run("惠济", "--sort", "random", index_dir=seed_index_dir)
    assert r.exit_code == 2 and "Traceback" not in r.output
