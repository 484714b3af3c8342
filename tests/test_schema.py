"""The schema's fields and the Article -> document mapping, checked through a real index."""
from __future__ import annotations

import pytest
from whoosh.fields import ID, KEYWORD, NUMERIC, STORED, TEXT
import numpy as np
from whoosh.query import NumericRange, Term

from indexer import substring
from indexer.analysis import analyzer_version
from indexer.article import Article, article_id
from indexer.indexing import write_articles
from indexer.schema import (
    FACET_FIELDS, article_document, build_schema, date_num, index_version, join_values,
    title_exact_key,
)
from indexer.store import IndexHandle


def make_article(title="惠济区召开经济运行分析会", body="本报讯 3月23日,惠济区委书记魏东主持召开会议。",
                 **kw) -> Article:
    fields = dict(source="pages/2022-03-24.txt", ordinal=1, title=title, subtitle="确保实现“开门红”",
                  body=body, date="2022-03-23", district="惠济区", districts=("惠济区", "金水区"),
                  reporters=("简洋",), correspondents=("王一", "李二"), photographers=(),
                  project_types=("签约", "开工"), page_date="2022-03-24", line_start=3,
                  line_end=9)
    fields.update(kw)
    return Article(id=article_id(fields["source"], title, body), **fields)


def test_contract_fields_and_types():
    s = build_schema()
    expect = {
        "id": ID, "source": ID, "title": TEXT, "body": STORED, "keywords": KEYWORD,
        "dockey": NUMERIC, "title_exact": ID, "date": ID, "date_num": NUMERIC, "year": ID, "month": ID,
        "district": ID, "districts": KEYWORD, "reporter": KEYWORD, "reporters": KEYWORD,
        "correspondents": KEYWORD, "photographers": KEYWORD, "type": KEYWORD,
        "ordinal": STORED, "subtitle": STORED, "page_date": STORED, "line_start": STORED,
        "line_end": STORED,
    }
    for name, cls in expect.items():
        assert isinstance(s[name], cls), name
    assert s["id"].unique and s["id"].stored
    assert s["title"].format.supports("positions")
    assert s["body"].stored and s["keywords"].stored and s["keywords"].scorable
    assert "title_bi" not in s.names() and "body_bi" not in s.names()
    for name in ("date_num", "year", "month", "district", "reporter", "type", "dockey"):
        assert s[name].column_type is not None, name
    assert set(FACET_FIELDS.values()) <= set(s.names())


def test_helpers():
    assert join_values(["简洋", " 简洋", "王,赛华", ""]) == "简洋,王 赛华"
    assert title_exact_key("惠濟區 召開\u3000會議") == "惠济区召开会议"
    assert date_num("2022-03-23") == 20220323
    assert date_num("--03-23") == 0 and date_num(None) == 0
    assert index_version().endswith(analyzer_version())


def test_article_document_values():
    doc = article_document(make_article())
    assert doc["title"] == "惠济区召开经济运行分析会\n确保实现“开门红”"
    assert doc["_stored_title"] == "惠济区召开经济运行分析会"
    assert doc["year"] == "2022" and doc["month"] == "2022-03" and doc["date_num"] == 20220323
    assert doc["reporter"] == "简洋,王一,李二"
    assert doc["type"] == "签约,开工"


def test_unknown_values_are_left_out():
    doc = article_document(make_article(title="", date="--03-23", district=None, reporters=(),
                                        correspondents=(), subtitle=""))
    for name in ("year", "month", "district", "reporter", "title_exact"):
        assert name not in doc
    assert doc["date"] == "--03-23" and doc["date_num"] == 0


@pytest.fixture
def handle(tmp_path):
    a = make_article()
    b = make_article(title="郑东新区签约12个项目", body="总投资216.8亿元。", date=None, district=None,
                     reporters=(), correspondents=(), project_types=(), ordinal=2,
                     subtitle="", districts=())
    write_articles([a, b], tmp_path / "ix")
    return IndexHandle(tmp_path / "ix"), a, b


def test_indexed_document_round_trip(handle):
    h, a, b = handle
    with h.searcher() as s:
        stored = s.document(id=a.id)
        assert stored["title"] == a.title            # the headline, without the subtitle
        assert stored["subtitle"] == a.subtitle
        assert stored["reporters"] == "简洋" and stored["correspondents"] == "王一,李二"
        assert stored["districts"] == "惠济区,金水区" and stored["type"] == "签约,开工"
        assert (stored["line_start"], stored["line_end"], stored["ordinal"]) == (3, 9, 1)
        assert stored["date"] == "2022-03-23" and stored["page_date"] == "2022-03-24"
        assert s.document(id=b.id)["date"] == ""

        def found(q):
            return [hit["id"] for hit in s.search(q, limit=None)]

        assert found(Term("title", "开门红")) == [a.id]             # subtitle is searchable
        assert found(Term("keywords", "魏东")) == [a.id]              # key words of the text
        dockeys = substring.dockey_column(s.reader())             # one per article
        assert dockeys.dtype == np.int64 and sorted(dockeys.tolist()) == [1, 2]
        assert found(Term("title_exact", title_exact_key("郑东新区 签约12个项目"))) == [b.id]
        assert found(Term("reporter", "李二")) == [a.id]
        assert found(Term("type", "开工")) == [a.id]
        assert found(Term("district", "惠济区")) == [a.id]
        assert found(Term("districts", "金水区")) == [a.id]
        assert found(Term("year", "2022")) == [a.id] and found(Term("month", "2022-03")) == [a.id]
        assert found(NumericRange("date_num", 20220301, 20220331)) == [a.id]


def test_columns_give_per_document_facet_values(handle):
    h, a, b = handle
    with h.searcher() as s:
        r = s.reader()
        docs = {s.document_number(id=a.id): a, s.document_number(id=b.id): b}
        district = r.column_reader("district")
        types = r.column_reader("type")
        dates = r.column_reader("date_num")
        reporters = r.column_reader("reporter")
        got = {a_.id: (district[n], types[n], dates[n], reporters[n]) for n, a_ in docs.items()}
    assert got[a.id] == ("惠济区", "签约,开工", 20220323, "简洋,王一,李二")
    assert got[b.id] == ("", "", 0, "")
