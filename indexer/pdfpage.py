"""Page PDFs (a newspaper's "PDF版") -> page text for the same splitting as text pages.

The text layer is read with pdfminer.six (characters with their positions, grouped into
lines). Newspaper pages set text in columns, with full-width bands (the page header, a
headline over several columns) between them, so the lines are put in reading order by a
recursive XY cut:

* a region whose lines leave a vertical gutter free from top to bottom is cut into
  columns, read left to right;
* otherwise the lines that cross the gutters of the narrower lines (a spanning header or
  headline) cut the region into horizontal bands, read top to bottom;
* a region with neither is one column, read top to bottom.

Inside a column, lines broken by the layout are joined back into paragraphs: a line that
reaches the column's right edge goes on with the next line of the same size unless that
one is indented (a paragraph's first line). Paragraphs are separated by a blank line, and a
large vertical gap or a picture by two, as on a text page.

A PDF without a text layer (a scan) cannot be read: ``read_pdf`` raises ValueError saying
it needs OCR, so the file is reported by name and skipped, never indexed as empty.
"""
from __future__ import annotations

import io
import logging
import re
import statistics
from dataclasses import dataclass

from indexer.reading import clean_text

READER = "pdf"

MIN_CHARS_PER_PAGE = 20       # fewer text characters per page: a scan without a text layer
_MAX_DEPTH = 40               # XY-cut recursion (each level cuts at least one line off)
_LATIN = re.compile(r"[A-Za-z]")
_CID = re.compile(r"\(cid:\d+\)")


@dataclass
class _Line:
    text: str
    x0: float
    x1: float
    y0: float                 # PDF coordinates: y grows upwards
    y1: float
    size: float               # font size (median of the line's characters)
    page: int

    @property
    def width(self) -> float:
        return self.x1 - self.x0


@dataclass
class _Picture:
    x0: float
    x1: float
    y0: float
    y1: float
    page: int


def _laparams():
    from pdfminer.layout import LAParams
    # Columns of newspapers are close together: characters further apart than one
    # character width are not one line.
    return LAParams(char_margin=1.0, line_margin=0.3, word_margin=0.1, boxes_flow=None)


def _collect(page_layout, number: int, lines: list, pictures: list) -> None:
    from pdfminer.layout import LTChar, LTFigure, LTImage, LTTextLineHorizontal
    stack = [page_layout]
    while stack:
        obj = stack.pop()
        if isinstance(obj, LTTextLineHorizontal):
            text = obj.get_text().strip()
            if text:
                sizes = [c.size for c in obj if isinstance(c, LTChar) and c.get_text().strip()]
                size = statistics.median(sizes) if sizes else max(obj.height, 1.0)
                lines.append(_Line(text, obj.x0, obj.x1, obj.y0, obj.y1, size, number))
            continue
        if isinstance(obj, LTImage):
            pictures.append(_Picture(obj.x0, obj.x1, obj.y0, obj.y1, number))
            continue
        if isinstance(obj, LTFigure) and not any(True for _ in _text_in(obj)):
            pictures.append(_Picture(obj.x0, obj.x1, obj.y0, obj.y1, number))
            continue
        try:
            stack.extend(reversed(list(obj)))
        except TypeError:
            pass


def _text_in(obj):
    from pdfminer.layout import LTChar
    stack = [obj]
    while stack:
        o = stack.pop()
        if isinstance(o, LTChar):
            yield o
            return
        try:
            stack.extend(o)
        except TypeError:
            pass


# ---------------------------------------------------------------- reading order

def _gaps(spans: list[tuple[float, float]], min_gap: float) -> list[float]:
    """Cut positions in the middle of the gaps at least `min_gap` wide between the spans."""
    cuts = []
    spans = sorted(spans)
    reach = spans[0][1]
    for lo, hi in spans[1:]:
        if lo - reach >= min_gap:
            cuts.append((reach + lo) / 2)
        reach = max(reach, hi)
    return cuts


def _top_down(lines: list[_Line]) -> list[_Line]:
    return sorted(lines, key=lambda ln: (-round(ln.y1, 1), ln.x0))


Group = tuple[list[_Line], float]      # the lines of one column, the width of its siblings


def _reading_order(lines: list[_Line], depth: int = 0, width: float = 0.0) -> list[Group]:
    """The lines in reading order, grouped by the column (leaf region) they belong to, each
    with the usual width of the columns beside it (0 when unknown)."""
    if len(lines) <= 1 or depth > _MAX_DEPTH:
        return [(_top_down(lines), width)] if lines else []
    size = statistics.median(ln.size for ln in lines)
    min_gutter = 0.6 * size
    cuts = _gaps([(ln.x0, ln.x1) for ln in lines], min_gutter)
    if cuts:
        columns: list[list[_Line]] = [[] for _ in range(len(cuts) + 1)]
        for ln in lines:
            columns[sum(1 for c in cuts if ln.x0 > c)].append(ln)
        widths = [max(ln.x1 for ln in col) - min(ln.x0 for ln in col)
                  for col in columns if len(col) >= 4]
        width = statistics.median(widths) if widths else width
        return [g for col in columns for g in _reading_order(col, depth + 1, width)]
    left, right = min(ln.x0 for ln in lines), max(ln.x1 for ln in lines)
    narrow = [ln for ln in lines if ln.width < 0.6 * (right - left)]
    # Gutters of the narrower lines are columns only when most lines are narrow and each
    # side holds several of them (not a short last line beside a centred headline).
    cuts = []
    if len(narrow) >= max(6, len(lines) / 2):
        cuts = [c for c in _gaps([(ln.x0, ln.x1) for ln in narrow], min_gutter)
                if sum(ln.x1 < c for ln in narrow) >= 3 and sum(ln.x0 > c for ln in narrow) >= 3]
    if not cuts:
        return [(_top_down(lines), width)]
    spanning = {id(ln) for ln in lines if any(ln.x0 < c < ln.x1 for c in cuts)}
    bands: list[list[_Line]] = []
    kind = None
    for ln in _top_down(lines):
        k = id(ln) in spanning
        if k != kind:
            bands.append([])
            kind = k
        bands[-1].append(ln)
    if len(bands) == 1:
        return [(_top_down(lines), width)]
    return [g for band in bands for g in _reading_order(band, depth + 1, width)]


# ---------------------------------------------------------------- paragraphs

def _join(a: str, b: str) -> str:
    """Two pieces of one paragraph broken by the layout: Chinese text and numbers join
    without a space, words of English text with one (a hyphen at the break is dropped)."""
    tail = a[-40:]
    english = sum(c.isascii() and c.isalpha() for c in tail) > 0.6 * len(tail.replace(" ", ""))
    if english and _LATIN.match(a[-1:]) and _LATIN.match(b[:1]):
        if a.endswith("-"):
            return a[:-1] + b
        return a + " " + b
    if english and a.endswith("-") and len(a) > 1 and _LATIN.match(a[-2]) and _LATIN.match(b[:1]):
        return a[:-1] + b
    return a + b


@dataclass
class _Para:
    text: str
    gap: int                  # blank lines before it: 1, or 2 where a picture stood
    first: _Line
    last: _Line


class _Column:
    """The edges of one column (leaf region) and what its lines' positions say."""

    def __init__(self, group: list[_Line], width: float = 0.0):
        self.left = min(ln.x0 for ln in group)
        self.right = max(ln.x1 for ln in group)
        if len(group) < 4 and width > self.right - self.left:
            # Too few lines to show the column's width (the end of the last column):
            # the columns beside it tell.
            self.right = self.left + width

    def centred(self, ln: _Line) -> bool:
        lm, rm = ln.x0 - self.left, self.right - ln.x1
        return lm > 0.5 * ln.size and rm > 0.5 * ln.size and abs(lm - rm) < 0.5 * ln.size

    def full(self, ln: _Line) -> bool:
        """No room for one more character: the text runs on to the next line."""
        return self.right - ln.x1 < ln.size and not self.centred(ln)

    def goes_on(self, ln: _Line) -> bool:
        """Not a paragraph's indented first line."""
        return ln.x0 - self.left < 0.5 * ln.size or self.centred(ln)


def _paragraphs(group: list[_Line], pictures: list[_Picture], width: float = 0.0,
                ) -> tuple[_Column, list[_Para]]:
    """The paragraphs of one column: a line that runs on to the column's right edge goes
    on with the next line of the same size, unless that one is indented (the first line of
    a paragraph); a centred line that does not fill the column (a headline) stands alone."""
    col = _Column(group, width)
    out: list[_Para] = []
    prev = None
    for ln in group:
        gap = 1
        if prev is not None:
            space = prev.y0 - ln.y1                     # white space between the two lines
            picture_between = any(p.page == ln.page and p.y1 <= prev.y0 + 1 and p.y0 >= ln.y1 - 1
                                  and p.x0 < col.right and p.x1 > col.left for p in pictures)
            if picture_between or space > 2.5 * max(prev.size, ln.size):
                gap = 2
            elif (abs(prev.size - ln.size) < 0.5 and space < 0.9 * ln.size
                  and col.full(prev) and col.goes_on(ln)):
                out[-1].text = _join(out[-1].text, ln.text)
                out[-1].last = prev = ln
                continue
        out.append(_Para(ln.text, gap, ln, ln))
        prev = ln
    return col, out


# ---------------------------------------------------------------- entry point

def read_pdf(data: bytes) -> str:
    """Page text of a PDF's text layer; raises ValueError for a broken or encrypted PDF
    and for one without a text layer (a scan: it needs OCR first)."""
    lines: list[_Line] = []
    pictures: list[_Picture] = []
    pages = 0
    try:
        from pdfminer.high_level import extract_pages
        from pdfminer.pdfdocument import PDFPasswordIncorrect
        from pdfminer.pdfpage import PDFTextExtractionNotAllowed
    except ImportError as exc:                      # pragma: no cover - a broken install
        raise ValueError(f"无法读取 PDF:缺少 pdfminer.six ({exc})") from None
    logging.getLogger("pdfminer").setLevel(logging.ERROR)
    try:
        for number, layout in enumerate(extract_pages(io.BytesIO(data), laparams=_laparams())):
            pages += 1
            _collect(layout, number, lines, pictures)
    except (PDFPasswordIncorrect, PDFTextExtractionNotAllowed):
        raise ValueError("PDF 已加密或禁止提取文字,已跳过"
                         ) from None
    except Exception as exc:                        # pdfminer raises many kinds for broken files
        raise ValueError(f"不是有效的 PDF 文件 (broken PDF: {type(exc).__name__}: {exc})"[:300]
                         ) from None
    if pages == 0:
        raise ValueError("PDF 文件没有页面 (PDF without pages)")
    chars = sum(len("".join(ln.text.split())) for ln in lines)
    cid = sum(len(m) for ln in lines for m in _CID.findall(ln.text))
    if chars - cid < MIN_CHARS_PER_PAGE * pages:
        raise ValueError("PDF 没有文字层(扫描件),需要先做文字识别 OCR,已跳过 "
                         "(no text layer: a scanned PDF needs OCR)")
    if cid > chars / 2:
        raise ValueError("PDF 的文字层无法转成文字(字体没有 Unicode 映射),需要 OCR,已跳过 "
                         "(text layer without a Unicode mapping: needs OCR)")
    paras: list[_Para] = []
    before = None                         # (column, paragraph) that ended the previous column
    for number in range(pages):
        page_lines = [ln for ln in lines if ln.page == number]
        page_pictures = [p for p in pictures if p.page == number]
        for group, width in _reading_order(page_lines):
            col, found = _paragraphs(group, page_pictures, width)
            if not found:
                continue
            head = found[0]
            if (before is not None and before[0].full(before[1].last)
                    and col.goes_on(head.first) and not col.centred(head.first)
                    and abs(before[1].last.size - head.first.size) < 0.5):
                # a paragraph that runs on into the next column (or page)
                before[1].text = _join(before[1].text, head.text)
                before[1].last = head.last
                found = found[1:]
            paras.extend(found)
            if found:
                before = (col, found[-1])
    parts = []
    for i, p in enumerate(paras):
        if i:
            parts.append("\n" * (p.gap + 1))
        parts.append(p.text)
    return clean_text("".join(parts)) + "\n"
