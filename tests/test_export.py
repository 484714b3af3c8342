"""searchapp.export: streamed CSV (Excel-safe) and JSON over Hit objects."""
from __future__ import annotations

import csv
import io
import json

import pytest

from searchapp.export import BOM, CHUNK_ROWS, csv_chunks, dumps, json_chunks, neutralise_cell
from searchapp.model import Hit


def hit(i: int = 1, title: str = "惠济区召开经济运行分析会", **kw) -> Hit:
    base = dict(id=f"{i:016x}", score=1.5, title=title, title_html=title,
                snippets=["确保实现一季度经济<mark>“开门红”</mark>", "区委书记&amp;魏东"],
                date="2022-03-23", district="惠济区", reporters=["简洋"], correspondents=[],
                photographers=[], project_types=["签约", "开工"], source="seeds/000.txt", ordinal=i)
    base.update(kw)
    return Hit(**base)


def url(article_id: str) -> str:
    return f"http://localhost/articles/{article_id}"


def read_csv(chunks) -> list[list[str]]:
    text = "".join(chunks)
    assert text.startswith(BOM)
    return list(csv.reader(io.StringIO(text[len(BOM):])))


@pytest.mark.parametrize("value, expected", [
    ("=1+2", "'=1+2"), ("+86 123", "'+86 123"), ("-2", "'-2"), ("@SUM(A1)", "'@SUM(A1)"),
    ("\t=1", "'\t=1"), ("＝1", "'＝1"), ("惠济区", "惠济区"), ("", ""), (None, ""), (3, "3"),
    ("a=b", "a=b"),
])
def test_neutralise_cell(value, expected):
    assert neutralise_cell(value) == expected


def test_csv_header_rows_and_plain_snippet():
    rows = read_csv(csv_chunks([hit(1), hit(2, title="第二篇")], url))
    assert rows[0][:4] == ["编号", "日期", "区县", "标题"]
    assert len(rows) == 3
    first = dict(zip(rows[0], rows[1]))
    assert first["标题"] == "惠济区召开经济运行分析会"
    assert first["记者"] == "简洋" and first["项目类型"] == "签约、开工"
    assert first["摘要"] == "确保实现一季度经济“开门红” … 区委书记&魏东"
    assert first["链接"] == "http://localhost/articles/0000000000000001"
    assert rows[2][3] == "第二篇"


def test_csv_formula_injection_neutralised_in_every_column():
    evil = hit(1, title="=HYPERLINK(\"http://x\",\"y\")", reporters=["@cmd"], district="-1+2",
               source="+x.txt", date="--03-05")
    row = read_csv(csv_chunks([evil], url))[1]
    for cell in row:
        assert not cell.startswith(("=", "+", "-", "@")), cell
    assert row[3] == "'=HYPERLINK(\"http://x\",\"y\")"
    assert row[1] == "3月5日（年份不详）"                # read as on the page, no guard apostrophe


def test_csv_streams_in_chunks_without_reading_everything():
    consumed = []

    def hits():
        for i in range(CHUNK_ROWS * 2 + 5):
            consumed.append(i)
            yield hit(i)

    gen = csv_chunks(hits(), url)
    first = next(gen)
    assert len(consumed) == CHUNK_ROWS            # the first chunk left before the rest was read
    assert first.count("\r\n") == CHUNK_ROWS + 1
    rest = list(gen)
    assert len(read_csv([first] + rest)) == CHUNK_ROWS * 2 + 5 + 1


def test_csv_empty_result_is_header_only():
    assert len(read_csv(csv_chunks([], url))) == 1


def test_json_export_is_a_valid_array():
    data = json.loads("".join(json_chunks([hit(1), hit(2)], url)))
    assert [d["ordinal"] for d in data] == [1, 2]
    assert data[0]["project_types"] == ["签约", "开工"]
    assert data[0]["url"].endswith("/articles/0000000000000001")
    assert json.loads("".join(json_chunks([], url))) == []


def test_json_escapes_markup_but_keeps_the_value():
    text = dumps({"title": "<script>alert('x')</script> & 惠济"})
    assert "<" not in text and ">" not in text and "&" not in text
    assert "惠济" in text                                  # not \\u-escaped Chinese
    assert json.loads(text)["title"] == "<script>alert('x')</script> & 惠济"


def test_json_export_many_rows_streams():
    chunks = list(json_chunks((hit(i) for i in range(CHUNK_ROWS * 3)), url))
    assert len(chunks) >= 3
    assert len(json.loads("".join(chunks))) == CHUNK_ROWS * 3
