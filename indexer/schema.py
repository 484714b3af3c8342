"""The Whoosh schema (field names are the contract with searchapp) and Article -> document.

Fields
------
id            ID, stored, unique             Article.id
source        ID, stored                     page file path as given to the indexer
title         TEXT words, stored, phrase     stored: the headline; indexed: headline + subtitle
body          TEXT words, stored, phrase
title_bi      TEXT bigrams, phrase           same text as `title`, not stored
body_bi       TEXT bigrams, phrase           same text as `body`, not stored
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

Stored multi-valued fields hold the comma-joined string exactly as indexed (split on ",").
Columns (``searcher.reader().column_reader(name)``) give per-document values for fast facet
counts and sorting: district/year/month/type are RefBytesColumns (few distinct values,
cheap reference arrays); reporter is a VarBytesColumn of the comma-joined names.
"""
from __future__ import annotations

import re

from whoosh import columns
from whoosh.fields import ID, KEYWORD, NUMERIC, STORED, TEXT, Schema

from indexer.analysis import analyzer_version, bigram_analyzer, normalize, word_analyzer
from indexer.article import Article

# Bump when fields or the Article -> document mapping change.
SCHEMA_VERSION = "1"

FACET_FIELDS = {"district": "district", "year": "year", "month": "month",
                "reporter": "reporter", "type": "type"}

_SPACE_RE = re.compile(r"\s+")


def index_version() -> str:
    """What built an index: schema version + analyzer/dictionary version."""
    return f"s{SCHEMA_VERSION}/a{analyzer_version()}"


def build_schema() -> Schema:
    words, bigrams = word_analyzer(), bigram_analyzer()
    return Schema(
        id=ID(stored=True, unique=True),
        source=ID(stored=True),
        title=TEXT(analyzer=words, stored=True, phrase=True),
        body=TEXT(analyzer=words, stored=True, phrase=True),
        title_bi=TEXT(analyzer=bigrams, phrase=True),
        body_bi=TEXT(analyzer=bigrams, phrase=True),
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


def article_document(a: Article) -> dict:
    """Keyword arguments for writer.add_document() of one article."""
    indexed_title = f"{a.title}\n{a.subtitle}" if a.subtitle else a.title
    names = join_values((*a.reporters, *a.correspondents, *a.photographers))
    doc = {
        "id": a.id,
        "source": str(a.source),
        "title": indexed_title,
        "_stored_title": a.title,
        "body": a.body,
        "title_bi": indexed_title,
        "body_bi": a.body,
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
