"""A page file of any supported format -> labelled articles, and the reader it went through.

The readers (reading.page_text: text, indexer/htmlpage.py, indexer/pdfpage.py) turn a file
into page text in the text pages' form; the articles come from the same splitting and
extraction for every format (extract.parse_page). The page date is the one in the file's
path, else the one the file records itself (an HTML page's URL).
"""
from __future__ import annotations

from pathlib import Path

from indexer.article import Article
from indexer.extract import PageParse, explain_page, parse_page
from indexer.reading import PageReadError, display_path, page_date_from_path, page_text, read_page_bytes


def parse_bytes(path, data: bytes) -> tuple[list[Article], str]:
    """(articles, reader) of a page file's bytes already read; raises ValueError when they
    cannot be read as a page of that format."""
    page, date = _page(path, data)
    return parse_page(page.text, display_path(path), date), page.reader


def _page(path, data: bytes):
    """(the page text as its reader gives it, the page date); raises ValueError."""
    page = page_text(path, data)
    return page, page_date_from_path(Path(path)) or page.page_date


def _read(path, data: bytes):
    try:
        return _page(path, data)
    except ValueError as exc:
        raise PageReadError(path, str(exc)) from None


def parse_file(path) -> tuple[list[Article], str]:
    """Read and parse one page file; raises reading.PageReadError with a clear reason."""
    page, date = _read(path, read_page_bytes(path))
    return parse_page(page.text, display_path(path), date), page.reader


def explain_file(path) -> tuple[PageParse, str]:
    """(extract.explain_page of one page file, reader): what `parse --explain` shows."""
    page, date = _read(path, read_page_bytes(path))
    return explain_page(page.text, display_path(path), date), page.reader
