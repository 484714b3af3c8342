"""Page text -> labelled articles: split the page, then add date, districts, types.

A page is read in three stages that each hand a plain value to the next:
  1. line roles and grouping  - indexer.webpage for a web article page (e-paper, portal,
     repost: one article in a site's chrome), indexer.splitting for printed page text
     (several articles);
  2. fields                   - date (indexer.dates), district (indexer.districts),
     project types (indexer.taxonomy) from each article's own lines.
`parse_page` is pure (text in, articles out); `explain_page` returns the same articles
with the roles and the evidence behind each field (what `newsearch parse --explain`
prints); `parse_file` adds the reading of the file and the page date of its path.
"""
from __future__ import annotations

import datetime as _dt
from dataclasses import dataclass
from pathlib import Path

from indexer import dates, districts, taxonomy, webpage
from indexer.analysis import normalize
from indexer.article import Article, article_id
from indexer.reading import decode_page, page_date_from_path, read_page
from indexer.splitting import RawArticle, line_roles, split_page

WEB, PRINTED = "web", "printed"


def headline(raw: RawArticle) -> str:
    """Title and subtitle together: the text district and type detection read as 'title'."""
    return " ".join(part for part in (raw.title, raw.subtitle) if part)


@dataclass(frozen=True)
class FieldInputs:
    """What an article's fields were computed from (kept for explanations)."""
    raw: RawArticle
    title_text: str                 # headline and body, normalised (traditional -> simplified …)
    body_text: str
    page_date: _dt.date | None
    page_date_from: str             # "path" | "record" | ""
    year: int | None
    page_unit: str | None
    title_rule: str


@dataclass(frozen=True)
class PageParse:
    family: str                                 # WEB or PRINTED
    articles: tuple[Article, ...]
    inputs: tuple[FieldInputs, ...]
    roles: tuple[webpage.LineRole, ...]


def parse_page(text: str, source: str, page_date: _dt.date | None = None) -> list[Article]:
    """The articles of one page, labelled. `source` is recorded as given."""
    return list(explain_page(text, source, page_date, roles=False).articles)


def explain_page(text: str, source: str, page_date: _dt.date | None = None,
                 roles: bool = True) -> PageParse:
    """The articles of one page with the role of every line (unless `roles` is False:
    printed pages compute them only when asked) and the inputs of each field."""
    if webpage.is_web_page(text):
        return _web_page(text, source, page_date)
    raws = split_page(text)
    roles = tuple(webpage.LineRole(*role) for role in line_roles(text, raws)) if roles else ()
    if not raws:
        return PageParse(PRINTED, (), (), roles)
    year = dates.page_present_year(text)
    texts = [(normalize(headline(r)), normalize(r.body)) for r in raws]
    page_unit = districts.page_district(texts)
    inputs = tuple(FieldInputs(raw, title, body, page_date, "path" if page_date else "", year,
                               page_unit, "printed_headline_block")
                   for raw, (title, body) in zip(raws, texts))
    return PageParse(PRINTED, _articles(inputs, source), inputs, roles)


def _web_page(text: str, source: str, page_date: _dt.date | None) -> PageParse:
    page = webpage.split_web_page(text)
    if page.article is None:
        return PageParse(WEB, (), (), page.roles)
    facts = page.facts
    date_from = "path" if page_date else ("record" if facts.page_date else "")
    page_date = page_date or facts.page_date
    # An issue-date list (2025-10-01,12070| …) shows the archive's latest issues when the
    # page was saved, not the page's own date: it gives no year.
    year = None if page_date else dates.page_present_year(headline(page.article) + "\n" + page.article.body)
    unit = None
    if facts.source:                    # 来源:新郑市融媒体中心 names the unit when the text does not
        named = [u for u in districts.mentioned_districts(normalize(facts.source)) if u != districts.CITY]
        unit = named[0] if len(named) == 1 else None
    raw = page.article
    inputs = (FieldInputs(raw, normalize(headline(raw)), normalize(raw.body), page_date, date_from,
                          year, unit, page.title_rule),)
    return PageParse(WEB, _articles(inputs, source), inputs, page.roles)


def _articles(inputs: tuple[FieldInputs, ...], source: str) -> tuple[Article, ...]:
    return tuple(_article(i, ordinal, source) for ordinal, i in enumerate(inputs, 1))


def second_paragraph(raw: RawArticle) -> str:
    return raw.paragraphs[1] if len(raw.paragraphs) > 1 else ""


def _article(i: FieldInputs, ordinal: int, source: str) -> Article:
    raw, title_text, body = i.raw, i.title_text, i.body_text
    return Article(
        id=article_id(source, raw.title, raw.body),
        source=str(source),
        ordinal=ordinal,
        title=raw.title,
        subtitle=raw.subtitle,
        body=raw.body,
        date=dates.article_date(raw.lead, i.page_date, i.year, second_paragraph(raw)),
        district=districts.article_district(title_text, body, i.page_unit),
        districts=tuple(districts.mentioned_districts(title_text + "\n" + body)),
        reporters=raw.bylines.reporters,
        correspondents=raw.bylines.correspondents,
        photographers=raw.bylines.photographers,
        project_types=tuple(taxonomy.project_types(title_text, body)),
        page_date=i.page_date.isoformat() if i.page_date else None,
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
