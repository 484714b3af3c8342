"""The Whoosh schema (field names are the contract with searchapp) and Article -> document.

Fields
------
id            ID, stored, unique             Article.id
source        ID, stored                     page file path as given to the indexer
title         TEXT words, stored, phrase     stored: the headline; indexed: headline + subtitle
body          STORED                         (TEXT words when BODY_WORDS is True)
keywords      KEYWORD, stored, scorable      the article's key words (related articles)
dockey        NUMERIC int, column            the article's key in the substring index
title_exact   ID                             normalize(headline) without whitespace
date          ID, stored                     "YYYY-MM-DD" | "--MM-DD" | "" (unknown)
date_num      NUMERIC int, column            YYYYMMDD, 0 when unknown (sort, range filter)
year          ID, column                     "YYYY" (absent when unknown)
month         ID, column                     "YYYY-MM" (absent when unknown)
district      ID, stored, column             short official name (absent when unknown)
districts     KEYWORD commas, stored         every unit mentioned, "a,b" ("" when none)
reporter      KEYWORD commas, column         every byline name (reporters+correspondents+photographers)
reporters, correspondents, photographers     KEYWORD commas, stored, "a,b"
type          KEYWORD commas, stored, column project types, "签约,开工"
ordinal, subtitle, page_date, line_start, line_end   STORED
amounts       STORED                         money amounts (indexer.amounts), list of dicts
amount        NUMERIC int64, column          the article's amount in 1/100 万元 (0: none)

Substring search (every query of two or more characters found verbatim) and the word-match
ranking tiers come from the substring index (indexer/substring.py), which holds every
character bigram of headline and body with jieba word-boundary flags; `dockey` links its
postings to Whoosh documents. Indexing body words in Whoosh as well would cost ~1.6x
jieba's CPU for nothing the search uses, so it is off (BODY_WORDS).

Stored multi-valued fields hold the comma-joined string exactly as indexed (split on ",").
Columns (``searcher.reader().column_reader(name)``) give per-document values for fast facet
counts and sorting: district/year/month/type are RefBytesColumns (few distinct values,
cheap reference arrays); reporter is a VarBytesColumn of the comma-joined names.
"""
from __future__ import annotations

import re

from whoosh import columns
from whoosh.fields import ID, KEYWORD, NUMERIC, STORED, TEXT, Schema

from indexer import amounts as amounts_
from indexer.analysis import analyzer_version, normalize, word_analyzer
from indexer.article import Article

# Bump when fields or the Article -> document mapping change.
SCHEMA_VERSION = "4"
# Index body words in Whoosh too (not used by the search service; costs ~1.6x jieba's CPU).
BODY_WORDS = False

FACET_FIELDS = {"district": "district", "year": "year", "month": "month",
                "reporter": "reporter", "type": "type"}

_SPACE_RE = re.compile(r"\s+")


def index_version() -> str:
    """What built an index: schema version + analyzer/dictionary version."""
    return f"s{SCHEMA_VERSION}/a{analyzer_version()}"


def build_schema() -> Schema:
    words = word_analyzer()
    return Schema(
        id=ID(stored=True, unique=True),
        source=ID(stored=True),
        title=TEXT(analyzer=words, stored=True, phrase=True),
        body=TEXT(analyzer=words, stored=True, phrase=False) if BODY_WORDS else STORED(),
        keywords=KEYWORD(stored=True, scorable=True),
        dockey=NUMERIC(int, bits=32, signed=False, sortable=True, default=0),
        title_exact=ID(),
        date=ID(stored=True),
        date_num=NUMERIC(int, bits=32, signed=False, sortable=True, default=0),
        year=ID(sortable=columns.RefBytesColumn()),
        month=ID(sortable=columns.RefBytesColumn()),
        district=ID(stored=True, sortable=columns.RefBytesColumn()),
        districts=KEYWORD(stored=True, commas=True),
        reporter=KEYWORD(commas=True, sortable=columns.VarBytesColumn()),
        reporters=KEYWORD(stored=True, commas=True),
        correspondents=KEYWORD(stored=True, commas=True),
        photographers=KEYWORD(stored=True, commas=True),
        type=KEYWORD(stored=True, commas=True, sortable=columns.RefBytesColumn()),
        ordinal=STORED(),
        subtitle=STORED(),
        page_date=STORED(),
        line_start=STORED(),
        line_end=STORED(),
        amounts=STORED(),
        amount=NUMERIC(int, bits=64, signed=False, sortable=True, default=0),
    )


def join_values(values) -> str:
    """Comma-joined, de-duplicated (first occurrence wins), commas inside values dropped."""
    seen: dict[str, None] = {}
    for v in values or ():
        v = str(v).replace(",", " ").strip()
        if v:
            seen.setdefault(v, None)
    return ",".join(seen)


def title_exact_key(title: str) -> str:
    """The `title_exact` term of a title (also use it on the query side)."""
    return _SPACE_RE.sub("", normalize(title))


def date_num(date: str | None) -> int:
    """YYYYMMDD of a full YYYY-MM-DD date, else 0."""
    if date and re.fullmatch(r"\d{4}-\d{2}-\d{2}", date):
        return int(date.replace("-", ""))
    return 0


def indexed_title(a: Article) -> str:
    """The headline as searched: headline + subtitle."""
    return f"{a.title}\n{a.subtitle}" if a.subtitle else a.title


def article_document(a: Article, dockey: int = 0, keywords=()) -> dict:
    """Keyword arguments for writer.add_document() of one article."""
    indexed_title_ = indexed_title(a)
    names = join_values((*a.reporters, *a.correspondents, *a.photographers))
    doc = {
        "id": a.id,
        "source": str(a.source),
        "title": indexed_title_,
        "_stored_title": a.title,
        "body": a.body,
        "keywords": " ".join(keywords),
        "dockey": int(dockey),
        "date": a.date or "",
        "date_num": date_num(a.date),
        "districts": join_values(a.districts),
        "reporters": join_values(a.reporters),
        "correspondents": join_values(a.correspondents),
        "photographers": join_values(a.photographers),
        "type": join_values(a.project_types),
        "ordinal": a.ordinal,
        "subtitle": a.subtitle,
        "page_date": a.page_date,
        "line_start": a.line_start,
        "line_end": a.line_end,
    }
    found = amounts_.article_amounts(a.title, a.subtitle, a.body)
    if found:
        doc["amounts"] = [x.to_dict() for x in found]
        doc["amount"] = round(amounts_.article_amount(found) * 100)
    exact = title_exact_key(a.title)
    if exact:
        doc["title_exact"] = exact
    if a.year:
        doc["year"] = f"{a.year:04d}"
    if a.month:
        doc["month"] = a.month
    if a.district:
        doc["district"] = a.district
    if names:
        doc["reporter"] = names
    return doc
