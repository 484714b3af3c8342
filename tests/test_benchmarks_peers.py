"""benchmarks/peers.py: the positioned character bigrams fed to tantivy, and Groonga's
lexicon, must give the verbatim substring contract (count = articles containing the text).

Real tantivy and Groonga indexes in tmp_path; skipped when tantivy (the bench extra) or
/usr/bin/groonga is not installed."""
from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from benchmarks import peers

ARTICLES = [
    {"id": "a1", "title": "惠济区召开会议", "subtitle": "", "body": "惠济区今天召开会议。\n第二段讲郑州",
     "district": "惠济区", "date": "2023-05-01", "reporters": ["张三"], "correspondents": [], "photographers": [],
     "project_types": []},
    {"id": "a2", "title": "金水", "subtitle": "副题", "body": "区惠\n济区的新闻 abc123 GDP",
     "district": "金水区", "date": "2022-01-09", "reporters": [], "correspondents": ["李四"],
     "photographers": [], "project_types": ["工业"]},
    {"id": "a3", "title": "郑州新闻", "subtitle": "", "body": "郑 州以外的消息，惠济",
     "district": "中原区", "date": "2022-03-02", "reporters": [], "correspondents": [], "photographers": [],
     "project_types": []},
    {"id": "a4", "title": "南边", "subtitle": "", "body": "东边是惠济\n济区南边",
     "district": "中原区", "date": "2022-07-02", "reporters": [], "correspondents": [], "photographers": [],
     "project_types": []},
]
# (query, include, ids that contain it verbatim)
CASES = [
    ("惠济", None, {"a1", "a3", "a4"}),    # a2 has 惠 and 济 only across a line break
    ("区惠济", None, set()),               # a2: "区惠\n济": crosses the break
    ("惠济区", None, {"a1"}),              # a4: "惠济\n济区": adjacent bigrams across the break
    ("济区", None, {"a1", "a2", "a4"}),    # a2's second line starts with 济区
    ("惠济区今天召开", None, {"a1"}),
    ("郑州", None, {"a1", "a3"}),
    ("郑州以外", None, {"a3"}),            # a3's body has "郑 州以外": spaces inside a line are layout
    ('"郑 州以"', None, {"a3"}),         # a quoted phrase's spaces too
    ("段讲郑州", None, {"a1"}),
    ("c12", None, {"a2"}),                # inside an ASCII run
    ("惠", None, {"a1", "a2", "a3", "a4"}),  # one character
    ("惠济 会议", None, {"a1"}),            # two parts: AND
    ('"召开会议"', None, {"a1"}),
    ("惠济", {"district": ["中原区"]}, {"a3", "a4"}),
    ("副题", None, {"a2"}),
]


def test_bigram_tokens_have_positions_and_a_separator_at_line_breaks():
    toks = peers.bigram_tokens("惠济区\n第二 段")
    assert toks == ["惠济", "济区", peers.SEP, "第二", "二段"]    # spaces inside a line: layout
    assert peers.query_bigrams("第二 段") == toks[3:]
    assert peers.query_bigrams("第二段") == toks[3:]
    assert peers.query_parts('惠济 "召开 会议" 郑州') == ["召开 会议", "惠济", "郑州"]


def _write(tmp_path: Path) -> Path:
    path = tmp_path / "articles.jsonl"
    path.write_text("".join(json.dumps(a, ensure_ascii=False) + "\n" for a in ARTICLES), encoding="utf-8")
    return path


def _check(engine):
    for q, include, ids in CASES:
        res = engine.search(q, include)
        assert res["total"] == len(ids), (q, include, res["total"])
        assert {h["id"] for h in res["hits"]} == ids, (q, include)
    res = engine.search("惠济")
    assert dict(res["facets"]["district"]) == {"惠济区": 1, "中原区": 2}
    assert dict(res["facets"]["year"]) == {"2023": 1, "2022": 2}
    assert any("惠济" in h["snippet"] if isinstance(h["snippet"], str) else h["snippet"] for h in res["hits"])


def test_tantivy_bigram_phrases_find_verbatim_text_only(tmp_path):
    pytest.importorskip("tantivy")
    info = peers.tantivy_build(_write(tmp_path), tmp_path / "tantivy", jobs=1)
    assert info["articles"] == len(ARTICLES)
    _check(peers.TantivyBigrams(tmp_path / "tantivy"))


@pytest.mark.skipif(not Path(peers.GROONGA).exists() or shutil.which("groonga") is None,
                    reason="groonga (Debian groonga-bin) is not installed")
def test_groonga_bigram_lexicon_finds_verbatim_text_only(tmp_path):
    info = peers.groonga_build(_write(tmp_path), tmp_path / "groonga")
    assert info["articles"] == len(ARTICLES)
    g = peers.Groonga(peers.groonga_db(tmp_path / "groonga"))
    try:
        _check(g)
    finally:
        g.close()
