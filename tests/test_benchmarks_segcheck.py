"""benchmarks/segcheck.py: the segmenter against jieba on a parsed corpus (a tiny one here)."""
from __future__ import annotations

import json

from benchmarks import report, segcheck
from indexer.article import Article


def _articles(path, n=6):
    with open(path, "w", encoding="utf-8") as f:
        for i in range(n):
            a = Article(id=f"a{i}", source=f"p{i}.txt", ordinal=1, title=f"惠济区召开第{i}次经济运行分析会",
                        subtitle="", body="惠济区召开续会,安排部署惠济区下一步工作。总投资216.8亿元," * (i + 1),
                        date=None, district=None)
            f.write(json.dumps(a.to_dict(), ensure_ascii=False) + "\n")


def test_check_counts_fields_and_finds_no_difference(tmp_path, capsys):
    path = tmp_path / "articles.jsonl"
    _articles(path)
    res = segcheck.check(path, jobs=1)
    assert res["fields"] == 12 and res["differ"] == 0 and res["chars"] > 300
    assert res["fast_chars_per_cpu_s"] > 0 and res["jieba_chars_per_cpu_s"] > 0
    assert segcheck.main([str(path), "--jobs", "1", "--out", str(tmp_path / "out.json")]) == 0
    assert json.loads((tmp_path / "out.json").read_text(encoding="utf-8"))["fields"] == 12


def test_report_shows_the_check():
    sc = {"ok": True, "fields": 12, "chars": 999, "differ": 0, "jieba_chars_per_cpu_s": 3e5,
          "fast_chars_per_cpu_s": 2.4e6}
    res = {"size": 1000, "phases": {"segcheck": sc}, "corpus": {}}
    text = "\n".join(report.size_section(res))
    assert "**0 differ**" in text and "8.0×" in text
