"""Batch search: a list of queries (one per line: names, companies …) -> per line its total and
its counts per district and per year, with a link to its search.

Every line is run by ``SearchService.counts`` with the same filters, so a line's total is the
number the search page shows for that query under those filters. A bad line (too long, nothing
searchable in it, or a query the service cannot run) is reported with its line number and
skipped; it never stops the batch. Blank lines are skipped silently. At most ``MAX_LINES``
queries run; the rest are reported.

Input: pasted text, or an uploaded / given file: TXT (one query per line) or CSV (the first
column; ``header=True`` skips the first row), decoded as page files are (UTF-8 with or without
BOM, UTF-16 with BOM, GB18030/GBK; ``indexer.reading.decode_page``).
"""
from __future__ import annotations

import csv
import io
import json
import time
from dataclasses import dataclass, field, replace
from typing import Callable, Iterable, Iterator

from indexer.reading import decode_page
from searchapp import querylang
from searchapp.export import BOM, dumps, neutralise_cell
from searchapp.model import SearchQuery

MAX_LINES = 1000
MAX_LINE_CHARS = querylang.MAX_QUERY_CHARS
MAX_UPLOAD_BYTES = 1024 * 1024         # a list of 1,000 lines is far smaller
FACETS = ("district", "year")
FACET_LABELS = {"district": "区县", "year": "年份"}


@dataclass
class Line:
    """One input line: its 1-based number in the input and its text."""
    no: int
    text: str


@dataclass
class Problem:
    no: int                     # line number (0: the input as a whole)
    text: str
    reason: str                 # in Chinese


@dataclass
class Row:
    no: int
    query: str
    total: int
    counts: dict[str, dict[str, int]]         # facet -> value -> count
    messages: list[str] = field(default_factory=list)

    def to_dict(self, url: str = "") -> dict:
        return {"line": self.no, "query": self.query, "total": self.total,
                "districts": self.counts.get("district", {}), "years": self.counts.get("year", {}),
                "messages": self.messages, "url": url}


@dataclass
class Batch:
    rows: list[Row]
    problems: list[Problem]
    seconds: float

    def columns(self, facet: str) -> list[str]:
        """The facet values with at least one hit in some row: districts by total, years ascending."""
        totals: dict[str, int] = {}
        for r in self.rows:
            for v, c in r.counts.get(facet, {}).items():
                totals[v] = totals.get(v, 0) + c
        if facet == "year":
            return sorted(totals)
        return sorted(totals, key=lambda v: (-totals[v], v))


# --------------------------------------------------------------------------- input

def decode(data: bytes, name: str = "") -> str:
    """Text of an uploaded file; ValueError with a Chinese reason naming the file."""
    if len(data) > MAX_UPLOAD_BYTES:
        raise ValueError(f"文件“{name}”过大（{len(data) // 1024} KB），上限 {MAX_UPLOAD_BYTES // 1024 // 1024} MB。")
    try:
        return decode_page(data)
    except ValueError as e:
        raise ValueError(f"文件“{name}”无法读取为文本：{e}") from None


def read_lines(text: str, csv_format: bool = False, header: bool = False) -> list[Line]:
    """The input's lines (CSV: the first cell of each row), numbered from 1, blank ones dropped."""
    if csv_format:
        rows = csv.reader(io.StringIO(text))
        items = [Line(n, (row[0] if row else "")) for n, row in enumerate(rows, 1)]
    else:
        items = [Line(n, t) for n, t in enumerate(text.splitlines(), 1)]
    if header and items:
        items = items[1:]
    return [ln for ln in items if ln.text.strip()]


def is_csv(name: str) -> bool:
    return name.lower().endswith(".csv")


def check(line: Line) -> str | None:
    """Why a line cannot be run as a query (None: it can)."""
    text = line.text.strip()
    if len(text) > MAX_LINE_CHARS:
        return f"过长（{len(text)} 个字符，上限 {MAX_LINE_CHARS}）"
    parsed = querylang.parse(text)
    if parsed.root is None or not any(c.isalnum() for c in text):
        return "没有可搜索的文字"
    return None


# --------------------------------------------------------------------------- running

def iter_rows(service, lines: Iterable[Line], base: SearchQuery,
              problems: list[Problem]) -> Iterator[Row]:
    """Rows of the runnable lines in input order, computed one at a time (for streaming);
    bad lines and lines beyond MAX_LINES are appended to `problems`."""
    ran = 0
    for ln in lines:
        if ran >= MAX_LINES:
            problems.append(Problem(ln.no, ln.text.strip(), f"超过 {MAX_LINES} 行的上限，未搜索"))
            continue
        reason = check(ln)
        if reason:
            problems.append(Problem(ln.no, ln.text.strip(), reason))
            continue
        q = ln.text.strip()
        try:
            total, counts, messages = service.counts(replace(base, q=q, page=1), FACETS)
        except Exception as e:          # one bad line never stops the batch
            if type(e).__name__ in ("IndexNotFound", "IndexVersionMismatch", "EmptyIndexError"):
                raise
            problems.append(Problem(ln.no, q, f"搜索出错：{type(e).__name__}"))
            continue
        ran += 1
        yield Row(ln.no, q, total, counts, messages)


def run(service, lines: Iterable[Line], base: SearchQuery) -> Batch:
    t0 = time.perf_counter()
    problems: list[Problem] = []
    rows = list(iter_rows(service, lines, base, problems))
    return Batch(rows, sorted(problems, key=lambda p: p.no), time.perf_counter() - t0)


# --------------------------------------------------------------------------- export

def csv_chunks(rows: Iterable[Row], problems: list[Problem], districts: list[str], years: list[str],
               url_for: Callable[[Row], str]) -> Iterator[str]:
    """BOM, header (行号, 查询, 总数, one column per district and per year, 提示, 链接), a row
    per line as it is computed, then the skipped lines (总数 empty, 提示 = the reason)."""
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\r\n")
    buf.write(BOM)
    w.writerow(["行号", "查询", "总数"] + [f"区县:{d}" for d in districts] + [f"年份:{y}" for y in years]
               + ["提示", "链接"])
    for n, r in enumerate(rows, 1):
        dc, yc = r.counts.get("district", {}), r.counts.get("year", {})
        w.writerow([r.no, neutralise_cell(r.query), r.total] + [dc.get(d, 0) for d in districts]
                   + [yc.get(y, 0) for y in years] + [neutralise_cell(" ".join(r.messages)), url_for(r)])
        if n % 50 == 0:
            yield buf.getvalue()
            buf.seek(0)
            buf.truncate()
    for p in problems:
        w.writerow([p.no, neutralise_cell(p.text), ""] + [""] * (len(districts) + len(years))
                   + [neutralise_cell("已跳过：" + p.reason), ""])
    yield buf.getvalue()


def json_chunks(rows: Iterable[Row], problems: list[Problem], url_for: Callable[[Row], str]) -> Iterator[str]:
    """{"rows": [...], "skipped": [{"line", "text", "reason"}]} streamed row by row."""
    yield '{"rows": [\n'
    first = True
    for r in rows:
        yield ("" if first else ",\n") + dumps(r.to_dict(url_for(r)))
        first = False
    yield '\n],\n"skipped": ' + dumps([{"line": p.no, "text": p.text, "reason": p.reason}
                                         for p in problems]) + "}\n"


def json_row(r: Row, url: str = "") -> str:
    return json.dumps(r.to_dict(url), ensure_ascii=False)
