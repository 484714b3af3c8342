"""`newsearch serve`: waitress in a real subprocess, and a clear message without an index."""
from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest
from click.testing import CliRunner

from searchapp.cli import main

ROOT = Path(__file__).resolve().parent.parent


def test_help_lists_the_options():
    result = CliRunner().invoke(main, ["serve", "--help"])
    assert result.exit_code == 0
    for option in ("--host", "--port", "--index-dir", "--threads"):
        assert option in result.output


def test_missing_index_is_a_message_not_a_traceback(tmp_path):
    result = CliRunner().invoke(main, ["serve", "--index-dir", str(tmp_path / "nothing"), "--port", "0"])
    assert result.exit_code == 1
    assert "索引不存在" in result.output and "newsearch index" in result.output
    assert "Traceback" not in result.output


def test_missing_index_from_the_environment(tmp_path):
    result = CliRunner().invoke(main, ["serve", "--port", "0"],
                                env={"NEWSEARCH_INDEX_DIR": str(tmp_path / "env-index")})
    assert result.exit_code == 1 and str(tmp_path / "env-index") in result.output


def test_bad_port_is_rejected():
    result = CliRunner().invoke(main, ["serve", "--port", "70000"])
    assert result.exit_code == 2 and "70000" in result.output


def _ignore_sigint():
    signal.signal(signal.SIGINT, signal.SIG_IGN)


@pytest.mark.parametrize("stop, inherited", [
    (signal.SIGINT, None),
    # a background job of a script starts with SIGINT ignored; Ctrl+C's signal still stops it
    (signal.SIGINT, _ignore_sigint),
    (signal.SIGTERM, None),                     # a service manager's stop
], ids=["sigint", "sigint-inherited-ignored", "sigterm"])
def test_serves_over_http_under_waitress(seed_index_dir, stop, inherited):
    """The real command in a subprocess on a free port; stopped cleanly by a signal."""
    code = "from searchapp.cli import main; main()"
    proc = subprocess.Popen(
        [sys.executable, "-c", code, "serve", "--port", "0", "--threads", "2", "--index-dir", str(seed_index_dir)],
        cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
        env={**os.environ, "PYTHONUNBUFFERED": "1"}, preexec_fn=inherited)
    try:
        url = None
        deadline = time.monotonic() + 60
        lines = []
        while url is None and time.monotonic() < deadline:
            line = proc.stdout.readline()
            if not line:
                break
            lines.append(line)
            m = re.search(r"http://127\.0\.0\.1:(\d+)/", line)
            if m:
                url = m.group(0)
        assert url, "".join(lines)
        assert "篇文章" in "".join(lines)
        with urllib.request.urlopen(url + "api/search?q=%E7%AD%BE%E7%BA%A6", timeout=30) as resp:
            assert resp.status == 200
            assert resp.headers["Server"] == "newsearch"              # waitress, not werkzeug
            assert json.load(resp)["total"] > 0
        with urllib.request.urlopen(url, timeout=30) as resp:
            assert "条结果" in resp.read().decode("utf-8")
    finally:
        proc.send_signal(stop)
        try:
            out, _ = proc.communicate(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()
            out, _ = proc.communicate()
    assert proc.returncode == 0, out
    assert "已停止" in out
