"""Page text -> labelled articles: split the page, then add date, districts, types.

`parse_page` is pure (text in, articles out); `parse_file` adds the reading of the
file and the page date taken from its path.
"""
from __future__ import annotations

import datetime as _dt
from pathlib import Path

from indexer import dates, districts, taxonomy
from indexer.article import Article, article_id
from indexer.reading import decode_page, page_date_from_path, read_page
from indexer.splitting import RawArticle, split_page


def headline(raw: RawArticle) -> str:
    """Title and subtitle together: the text district and type detection read as 'title'."""
    return " ".join(part for part in (raw.title, raw.subtitle) if part)


def parse_page(text: str, source: str, page_date: _dt.date | None = None) -> list[Article]:
    """The articles of one page, labelled. `source` is recorded as given."""
    raws = split_page(text)
    if not raws:
        return []
    year = dates.page_present_year(text)
    page_unit = districts.page_district([(headline(r), r.body) for r in raws])
    iso_page_date = page_date.isoformat() if page_date else None
    articles = []
    for ordinal, raw in enumerate(raws, 1):
        title_text, body = headline(raw), raw.body
        articles.append(Article(
            id=article_id(source, raw.title, body),
            source=str(source),
            ordinal=ordinal,
            title=raw.title,
            subtitle=raw.subtitle,
            body=body,
            date=dates.article_date(raw.lead, page_date, year),
            district=districts.article_district(title_text, body, page_unit),
            districts=tuple(districts.mentioned_districts(title_text + "\n" + body)),
            reporters=raw.bylines.reporters,
            correspondents=raw.bylines.correspondents,
            photographers=raw.bylines.photographers,
            project_types=tuple(taxonomy.project_types(title_text, body)),
            page_date=iso_page_date,
            line_start=raw.line_start,
            line_end=raw.line_end,
        ))
    return articles


def parse_file(path) -> list[Article]:
    """Read, decode and parse one page file; raises reading.PageReadError."""
    return parse_page(read_page(path), str(path), page_date_from_path(Path(path)))


def parse_bytes(path, data: bytes) -> list[Article]:
    """The articles of a page file's bytes already read (the indexer hashes them first);
    raises ValueError when they are not text."""
    return parse_page(decode_page(data), str(path), page_date_from_path(Path(path)))
