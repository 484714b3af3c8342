"""Keyword in context (KWIC): every occurrence of a query in its result set, one line each.

A line is ``left context | match | right context`` (``width`` characters each side, whitespace
runs shown as one space), with the article's date, district and title and the number ``n`` of
the match in the article body, the same numbering as the article page's ``<mark id="mN">``
(``highlight.find_spans`` over the query's positive text terms), so ``/articles/<id>#mN``
jumps to it. Headline matches are lines too (field ``title``, no number).

Orders: ``date`` (newest article first, then reading order), ``oldest``, ``left`` (by the
left context read backwards from the match, as concordances sort) and ``right`` (by the
right context). The web page (/kwic), its CSV/JSON export and ``newsearch kwic`` all call
``lines`` / ``page``; the article set and its filters come from ``SearchService``, so the
lines cover exactly the search page's result set.
"""
from __future__ import annotations

import csv
import io
import json
import math
import re
from dataclasses import asdict, dataclass, replace
from typing import Callable, Iterable, Iterator

from indexer.analysis import normalize
from searchapp import highlight as hl
from searchapp.export import BOM, CHUNK_ROWS, dumps, neutralise_cell
from searchapp.model import SearchQuery

DEFAULT_WIDTH = 20
MAX_WIDTH = 200
ORDERS = ("date", "oldest", "left", "right")
ORDER_LABELS = {"date": "日期（新→旧）", "oldest": "日期（旧→新）", "left": "左侧上下文", "right": "右侧上下文"}
DEFAULT_PAGE_SIZE = 50
CSV_COLUMNS = (("left", "左侧上下文"), ("match", "命中"), ("right", "右侧上下文"), ("date", "日期"),
               ("district", "区县"), ("title", "标题"), ("field", "位置"), ("n", "第几处"),
               ("id", "编号"), ("url", "链接"))
FIELD_LABELS = {"title": "标题", "subtitle": "副标题", "body": "正文"}
_WS = re.compile(r"\s+")


@dataclass(frozen=True)
class Line:
    id: str
    date: str | None
    district: str | None
    title: str
    field: str              # "title", "subtitle" or "body"
    n: int | None           # number of the body match (the article page's #mN); None in headlines
    left: str
    match: str
    right: str

    def anchor(self) -> str:
        return f"#m{self.n}" if self.n else ""

    def to_dict(self, url: str = "") -> dict:
        d = asdict(self)
        d["url"] = url
        return d


@dataclass
class Page:
    lines: list[Line]
    total: int              # lines in the whole result set
    articles: int           # articles in the result set
    page: int
    pages: int
    size: int
    width: int
    order: str
    messages: list[str]


# --------------------------------------------------------------------------- options

def parse_width(raw: str | int | None) -> tuple[int, str | None]:
    """The context width (1..MAX_WIDTH characters, default DEFAULT_WIDTH) and a note if corrected."""
    if raw is None or (isinstance(raw, str) and not raw.strip()):
        return DEFAULT_WIDTH, None
    try:
        n = int(str(raw).strip().translate(str.maketrans("０１２３４５６７８９", "0123456789")))
    except ValueError:
        return DEFAULT_WIDTH, f"上下文宽度“{str(raw)[:20]}”无效，已改为 {DEFAULT_WIDTH} 个字。"
    if n < 1:
        return DEFAULT_WIDTH, f"上下文宽度 {n} 无效，已改为 {DEFAULT_WIDTH} 个字。"
    if n > MAX_WIDTH:
        return MAX_WIDTH, f"上下文宽度最多 {MAX_WIDTH} 个字，已改为 {MAX_WIDTH}。"
    return n, None


def parse_order(raw: str | None) -> tuple[str, str | None]:
    value = (raw or "").strip().lower()
    if not value:
        return "date", None
    if value in ORDERS:
        return value, None
    return "date", f"未知的排序方式“{value[:20]}”，已按日期排序。"


# --------------------------------------------------------------------------- lines

def _left(text: str, s: int, width: int) -> str:
    return _WS.sub(" ", text[max(0, s - 3 * width):s])[-width:]


def _right(text: str, e: int, width: int) -> str:
    return _WS.sub(" ", text[e:e + 3 * width])[:width]


def article_lines(article: dict, needles, width: int = DEFAULT_WIDTH) -> list[Line]:
    """The lines of one article (headline matches first, then body matches in reading order)."""
    out = []
    meta = dict(id=article["id"], date=article.get("date"), district=article.get("district"),
                title=article.get("title") or "")
    for field, text, keys in (("title", article.get("title") or "", needles.title),
                              ("subtitle", article.get("subtitle") or "", needles.title),
                              ("body", article.get("body") or "", needles.body)):
        for i, (s, e) in enumerate(hl.find_spans(text, keys), 1):
            out.append(Line(field=field, n=i if field == "body" else None,
                            left=_left(text, s, width), match=_WS.sub(" ", text[s:e]),
                            right=_right(text, e, width), **meta))
    return out


def _sort_key(order: str) -> Callable[[Line], str]:
    if order == "left":
        return lambda ln: "".join(normalize(ln.left).split())[::-1]
    return lambda ln: "".join(normalize(ln.right).split())


def lines(service, query: SearchQuery, width: int = DEFAULT_WIDTH, order: str = "date") -> Iterator[Line]:
    """Every line of the query's result set in the given order. Date orders stream (one
    article at a time); context orders sort all lines first (ties: newest first)."""
    needles = service.needles(query.q)
    if not (needles.title or needles.body):
        return iter(())
    q = replace(query, sort="oldest" if order == "oldest" else "newest", page=1)
    stream = (ln for a in service.iter_articles(q) for ln in article_lines(a, needles, width))
    if order in ("left", "right"):
        return iter(sorted(stream, key=_sort_key(order)))
    return stream


def page(service, query: SearchQuery, width: int = DEFAULT_WIDTH, order: str = "date",
         page_no: int = 1, size: int = DEFAULT_PAGE_SIZE) -> Page:
    """One page of lines, with the totals (page numbers out of range are clamped)."""
    messages = service.result_messages(replace(query, page=1))
    if not service.needles(query.q).title and not service.needles(query.q).body:
        messages.append("请输入要查的词：关键词上下文列出查询词在结果中的每一处出现。")
    all_lines = list(lines(service, query, width, order))
    articles = len({ln.id for ln in all_lines})
    size = max(1, size)
    pages = max(1, math.ceil(len(all_lines) / size))
    if page_no > pages:
        if all_lines:
            messages.append(f"页码 {page_no} 超出范围（共 {pages} 页），已显示最后一页。")
        page_no = pages
    page_no = max(1, page_no)
    lo = (page_no - 1) * size
    return Page(lines=all_lines[lo:lo + size], total=len(all_lines), articles=articles, page=page_no,
                pages=pages, size=size, width=width, order=order, messages=messages)


# --------------------------------------------------------------------------- export

def csv_chunks(items: Iterable[Line], url_for: Callable[[Line], str]) -> Iterator[str]:
    """BOM + header + one row per line, in chunks (streamed; formula-like cells neutralised)."""
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\r\n")
    buf.write(BOM)
    writer.writerow([label for _, label in CSV_COLUMNS])
    rows = 0
    for ln in items:
        d = ln.to_dict(url_for(ln))
        d["field"] = FIELD_LABELS.get(d["field"], d["field"])
        writer.writerow([neutralise_cell(d[k]) for k, _ in CSV_COLUMNS])
        rows += 1
        if rows % CHUNK_ROWS == 0:
            yield buf.getvalue()
            buf.seek(0)
            buf.truncate()
    yield buf.getvalue()


def json_chunks(items: Iterable[Line], url_for: Callable[[Line], str]) -> Iterator[str]:
    """A JSON array of line objects (left, match, right, date, district, title, field, n, id, url)."""
    parts = ["[\n"]
    first = True
    for ln in items:
        parts.append(("" if first else ",\n") + dumps(ln.to_dict(url_for(ln))))
        first = False
        if len(parts) >= CHUNK_ROWS:
            yield "".join(parts)
            parts = []
    parts.append("\n]\n")
    yield "".join(parts)


def json_line(ln: Line, url: str = "") -> str:
    return json.dumps(ln.to_dict(url), ensure_ascii=False)
