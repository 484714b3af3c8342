"""Streamed exports of a whole result set: CSV (for Excel) and JSON.

Pure generators over Hit objects: they never hold the result set in memory, so an export
of 100k hits streams in constant space. The web layer wraps them in a streamed response.
"""
from __future__ import annotations

import csv
import html
import io
import json
import re
from typing import Callable, Iterable, Iterator

from searchapp.display import date_text, title_text
from searchapp.model import Hit

BOM = "\ufeff"              # lets Excel open UTF-8 CSV with Chinese text correctly
CHUNK_ROWS = 200
CSV_COLUMNS = (
    ("id", "编号"), ("date", "日期"), ("district", "区县"), ("title", "标题"), ("subtitle", "副标题"),
    ("reporters", "记者"), ("correspondents", "通讯员"), ("photographers", "摄影"),
    ("project_types", "项目类型"), ("amount", "金额(万元)"), ("amount_phrases", "金额原文"),
    ("story", "报道编号"), ("first", "首发"),
    ("snippet", "摘要"), ("source", "来源文件"),
    ("ordinal", "页内序号"), ("url", "链接"),
)
BODY_COLUMN = ("body", "正文")      # added with the full-text option
# A cell starting with one of these is read as a formula by Excel / LibreOffice / Sheets.
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r", "\n", "\uff1d", "\uff0b", "\uff0d", "\uff20")
_TAG = re.compile(r"<[^>]*>")
_JSON_UNSAFE = {"<": "\\u003c", ">": "\\u003e", "&": "\\u0026", "\u2028": "\\u2028", "\u2029": "\\u2029"}


def neutralise_cell(value: object) -> str:
    """Text of a CSV cell that a spreadsheet shows as text, never evaluates (OWASP)."""
    text = "" if value is None else str(value)
    if text.startswith(FORMULA_PREFIXES):
        return "'" + text
    return text


def html_to_text(fragment: str) -> str:
    """Plain text of an escaped snippet with <mark> tags."""
    return html.unescape(_TAG.sub("", fragment))


def hit_row(hit: Hit, url: str) -> dict:
    """The exported fields of one hit (plain text, lists as lists)."""
    return {
        "id": hit.id, "date": hit.date, "district": hit.district, "title": hit.title,
        "subtitle": hit.subtitle, "reporters": list(hit.reporters),
        "correspondents": list(hit.correspondents), "photographers": list(hit.photographers),
        "project_types": list(hit.project_types),
        "amount": hit.amount or None, "amount_phrases": [a["phrase"] for a in hit.amounts],
        "amounts": list(hit.amounts), "story": hit.story, "first": hit.first,
        "snippet": " … ".join(html_to_text(s) for s in hit.snippets),
        "source": hit.source, "ordinal": hit.ordinal, "url": url,
        **({} if hit.body is None else {"body": hit.body}),
    }


def csv_chunks(hits: Iterable[Hit], url_for_id: Callable[[str], str], full: bool = False) -> Iterator[str]:
    """BOM + header + one row per hit, yielded in chunks of CHUNK_ROWS rows. Dates and
    titles read as on the page (3月6日（年份不详）, （无标题图片新闻）); `full` adds 正文."""
    columns = CSV_COLUMNS + ((BODY_COLUMN,) if full else ())
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\r\n")
    buf.write(BOM)
    writer.writerow([label for _, label in columns])
    rows = 0
    for hit in hits:
        row = hit_row(hit, url_for_id(hit.id))
        row["date"] = date_text(hit.date) if hit.date else ""
        row["title"] = title_text(hit.title)
        row["first"] = "是" if hit.first else "否"
        writer.writerow([neutralise_cell("、".join(v) if isinstance(v, list) else v)
                         for v in (row.get(k) for k, _ in columns)])
        rows += 1
        if rows % CHUNK_ROWS == 0:
            yield buf.getvalue()
            buf.seek(0)
            buf.truncate()
    yield buf.getvalue()


def dumps(obj: object) -> str:
    """JSON text that is safe even if sniffed as HTML: <, >, & are \\u-escaped."""
    text = json.dumps(obj, ensure_ascii=False)
    return re.sub("[<>&\u2028\u2029]", lambda m: _JSON_UNSAFE[m.group()], text)


def json_chunks(hits: Iterable[Hit], url_for_id: Callable[[str], str]) -> Iterator[str]:
    """A JSON array of hit objects, one per line, streamed."""
    parts = ["[\n"]
    first = True
    for hit in hits:
        parts.append(("" if first else ",\n") + dumps(hit_row(hit, url_for_id(hit.id))))
        first = False
        if len(parts) >= CHUNK_ROWS:
            yield "".join(parts)
            parts = []
    parts.append("\n]\n")
    yield "".join(parts)
