"""`newsearch index`: summary, exit statuses, env var, lock and write errors."""
from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from click.testing import CliRunner

from indexer import store
from indexer.index_cli import index
from indexer.store import IndexHandle, IndexLock

ROOT = Path(__file__).resolve().parent.parent

PAGE = (
    "# 惠济区召开经济运行分析会\n\n"
    "本报讯 3月23日,惠济区委书记魏东主持召开全区经济运行分析会,确保实现一季度经济“开门红”。\n\n"
    "记者 简洋\n\n"
    "# 智造科技谷小微企业园落地惠济\n\n"
    "本报讯 3月23日下午,惠济智造科技谷小微企业园项目举行签约仪式,计划总投资约10亿元。\n\n"
    "记者 简洋\n"
)


def run(*args, env=None):
    return CliRunner().invoke(index, [str(a) for a in args], env=env)


def doc_count(index_dir) -> int:
    with IndexHandle(index_dir) as h, h.searcher() as s:
        return s.doc_count()


def test_index_then_skip_unchanged(tmp_path, make_pages):
    pages = make_pages(tmp_path / "pages", {"2022-03-24.txt": PAGE})
    result = run(pages, "--index-dir", tmp_path / "ix")
    assert result.exit_code == 0, result.output
    n = doc_count(tmp_path / "ix")
    assert n >= 2
    assert "读取 1" in result.stdout and f"新增 {n}" in result.stdout
    assert "用时:" in result.stdout and "time" not in result.stdout
    again = run(pages, "--index-dir", tmp_path / "ix")
    assert again.exit_code == 0
    assert "未变 1" in again.stdout and "新增 0" in again.stdout


def test_index_dir_from_environment(tmp_path, make_pages):
    pages = make_pages(tmp_path / "pages", {"a.txt": PAGE})
    result = run(pages, env={"NEWSEARCH_INDEX_DIR": str(tmp_path / "env-ix")})
    assert result.exit_code == 0, result.output
    assert store.current_name(tmp_path / "env-ix") is not None


def test_failed_files_are_listed_and_exit_1(tmp_path, make_pages):
    pages = make_pages(tmp_path / "pages", {"good.txt": PAGE})
    (pages / "bad.txt").write_bytes(b"\x00\xff" * 500)
    result = run(pages, "--index-dir", tmp_path / "ix")
    assert result.exit_code == 1
    assert str(pages / "bad.txt") in result.stderr
    assert "失败 1" in result.stdout
    assert doc_count(tmp_path / "ix") >= 2


def test_rebuild_flag_swaps_generation(tmp_path, make_pages):
    pages = make_pages(tmp_path / "pages", {"a.txt": PAGE})
    run(pages, "--index-dir", tmp_path / "ix")
    gen = store.current_name(tmp_path / "ix")
    result = run("--rebuild", pages, "--index-dir", tmp_path / "ix")
    assert result.exit_code == 0 and "重建" in result.stdout
    assert store.current_name(tmp_path / "ix") != gen


def test_usage_errors_exit_2(tmp_path):
    assert run().exit_code == 2                                 # no PATH
    assert run(tmp_path, "--wait", "-1").exit_code == 2


def test_help_documents_exit_statuses():
    out = run("--help").output
    for text in ("--index-dir", "NEWSEARCH_INDEX_DIR", "--rebuild", "--wait", "退出状态"):
        assert text in out


def test_busy_lock_exits_2_with_clear_message(tmp_path, make_pages):
    pages = make_pages(tmp_path / "pages", {"a.txt": PAGE})
    with IndexLock(tmp_path / "ix"):
        result = run(pages, "--index-dir", tmp_path / "ix")
    assert result.exit_code == 2
    assert "另一个索引任务正在运行" in result.stderr


def test_unwritable_index_dir_exits_3(tmp_path, make_pages):
    pages = make_pages(tmp_path / "pages", {"a.txt": PAGE})
    (tmp_path / "file").write_text("x")
    result = run(pages, "--index-dir", tmp_path / "file" / "ix")
    assert result.exit_code == 3
    assert "无法写入索引目录" in result.stderr


def test_real_process_no_progress_bar_when_not_a_terminal(tmp_path, make_pages):
    pages = make_pages(tmp_path / "pages", {"a.txt": PAGE})
    proc = subprocess.run(
        [sys.executable, "-c", "from indexer.index_cli import index; index()", str(pages),
         "--index-dir", str(tmp_path / "ix")],
        cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr
    assert "indexing" not in proc.stderr and proc.stderr.strip() == ""
    assert "文章: 新增" in proc.stdout
