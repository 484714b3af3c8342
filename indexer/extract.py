"""Page text -> labelled articles: split the page, then add date, districts, types.

`parse_page` is pure (text in, articles out); `parse_file` adds the reading of the
file and the page date taken from its path.
"""
from __future__ import annotations

import datetime as _dt
from dataclasses import replace
from pathlib import Path

from indexer import dates, districts, taxonomy, webpage
from indexer.analysis import normalize
from indexer.article import Article, article_id
from indexer.reading import decode_page, page_date_from_path, read_page
from indexer.splitting import RawArticle, split_page


def headline(raw: RawArticle) -> str:
    """Title and subtitle together: the text district and type detection read as 'title'."""
    return " ".join(part for part in (raw.title, raw.subtitle) if part)


def parse_page(text: str, source: str, page_date: _dt.date | None = None) -> list[Article]:
    """The articles of one page, labelled. `source` is recorded as given.

    A web article page (e-paper, portal, repost: one article in a site's chrome) is read
    by indexer.webpage; printed page text (several articles) by indexer.splitting.
    """
    if webpage.is_web_page(text):
        return _web_articles(text, source, page_date)
    raws = split_page(text)
    if not raws:
        return []
    year = dates.page_present_year(text)
    page_unit = districts.page_district([(normalize(headline(r)), normalize(r.body)) for r in raws])
    return [_article(raw, ordinal, source, page_date, year, page_unit)
            for ordinal, raw in enumerate(raws, 1)]


def _web_articles(text: str, source: str, page_date: _dt.date | None) -> list[Article]:
    page = webpage.split_web_page(text)
    raw = page.article
    if raw is None:
        return []
    facts = page.facts
    page_date = page_date or facts.page_date
    year = None
    if page_date is None:
        year = dates.page_present_year(headline(raw) + "\n" + raw.body)
        if facts.latest_issue is not None:
            year = facts.latest_issue.year
    unit = None
    if facts.source:
        named = [u for u in districts.mentioned_districts(normalize(facts.source)) if u != districts.CITY]
        unit = named[0] if len(named) == 1 else None
    article = _article(raw, 1, source, page_date, year, unit)
    if page_date is None and facts.latest_issue is not None and article.date \
            and not article.date.startswith("--") and article.date > facts.latest_issue.isoformat():
        article = replace(article, date=dates.article_date(raw.lead, None, year - 1, _second_paragraph(raw)))
    return [article]


def _second_paragraph(raw: RawArticle) -> str:
    return raw.paragraphs[1] if len(raw.paragraphs) > 1 else ""


def _article(raw: RawArticle, ordinal: int, source: str, page_date, year, page_unit) -> Article:
    title_text, body = normalize(headline(raw)), normalize(raw.body)
    return Article(
        id=article_id(source, raw.title, raw.body),
        source=str(source),
        ordinal=ordinal,
        title=raw.title,
        subtitle=raw.subtitle,
        body=raw.body,
        date=dates.article_date(raw.lead, page_date, year, _second_paragraph(raw)),
        district=districts.article_district(title_text, body, page_unit),
        districts=tuple(districts.mentioned_districts(title_text + "\n" + body)),
        reporters=raw.bylines.reporters,
        correspondents=raw.bylines.correspondents,
        photographers=raw.bylines.photographers,
        project_types=tuple(taxonomy.project_types(title_text, body)),
        page_date=page_date.isoformat() if page_date else None,
        line_start=raw.line_start,
        line_end=raw.line_end,
    )


def parse_file(path) -> list[Article]:
    """Read, decode and parse one page file; raises reading.PageReadError."""
    return parse_page(read_page(path), str(path), page_date_from_path(Path(path)))


def parse_bytes(path, data: bytes) -> list[Article]:
    """The articles of a page file's bytes already read (the indexer hashes them first);
    raises ValueError when they are not text."""
    return parse_page(decode_page(data), str(path), page_date_from_path(Path(path)))
