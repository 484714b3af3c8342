"""Value objects exchanged between the search service and its callers (CLI, web, API).

The service (searchapp.service) takes a SearchQuery and returns SearchResults.
Nothing here imports Flask or Whoosh.
"""
from __future__ import annotations

from dataclasses import dataclass, field

# Facet names, in display order. Keys used in URLs, the API and SearchQuery filters.
FACETS = ("district", "year", "month", "reporter", "correspondent", "photographer", "type")
SORTS = ("relevance", "newest", "oldest")


@dataclass(frozen=True)
class SearchQuery:
    q: str = ""
    # facet name -> selected values (values of one facet are OR-ed, facets are AND-ed)
    include: tuple[tuple[str, tuple[str, ...]], ...] = ()
    # facet name -> excluded values
    exclude: tuple[tuple[str, tuple[str, ...]], ...] = ()
    date_from: str | None = None   # "YYYY", "YYYY-MM" or "YYYY-MM-DD" (inclusive)
    date_to: str | None = None     # likewise, inclusive of the whole partial period
    sort: str = "relevance"
    page: int = 1                  # 1-based
    page_size: int = 20
    amount_min: float | None = None   # 万元, inclusive: articles whose amount (indexer.amounts) is >=
    amount_max: float | None = None   # 万元, inclusive
    group: bool = True                # the web list's state: one card per story (all=1: False); the
                                      # service groups only when called with search(group=True)
    first_only: bool = False          # 只看首发: only the earliest version of each story

    def included(self, facet: str) -> tuple[str, ...]:
        return dict(self.include).get(facet, ())

    def excluded(self, facet: str) -> tuple[str, ...]:
        return dict(self.exclude).get(facet, ())

    @staticmethod
    def make(q: str = "", include: dict | None = None, exclude: dict | None = None, **kw) -> "SearchQuery":
        def norm(m):
            return tuple(sorted((k, tuple(v)) for k, v in (m or {}).items() if v))
        return SearchQuery(q=q, include=norm(include), exclude=norm(exclude), **kw)


def joined_snippet(snippets: list[str]) -> str:
    """The fragments as one string, with a single ellipsis between two fragments."""
    out = ""
    for frag in snippets:
        out = frag if not out else out.rstrip("…") + " … " + frag.lstrip("…")
    return out


@dataclass
class Hit:
    id: str
    score: float
    title: str
    title_html: str               # HTML-escaped title with <mark> around matches
    snippets: list[str]           # HTML-escaped body fragments with <mark>
    date: str | None
    district: str | None
    reporters: list[str]
    correspondents: list[str]
    photographers: list[str]
    project_types: list[str]
    source: str
    ordinal: int
    subtitle: str = ""
    body: str | None = None       # the full text, only when asked for (export / API `full=1`)
    page_date: str | None = None  # the page's own date (from its path or URL), if known
    amount: float = 0.0           # 万元: the article's investment/contract figure (0: none)
    amounts: list = field(default_factory=list)   # indexer.amounts.Amount.to_dict() of each amount
    story: str = ""               # story id: the id of the story's earliest article
    first: bool = True            # this is the story's earliest version (首发)
    story_size: int = 1           # versions of the story in the index
    others: list = field(default_factory=list)    # grouped: the story's other hits (id, date, district, title, source)

    def to_dict(self) -> dict:
        extra = {} if self.body is None else {"body": self.body}
        return {
            "id": self.id, "score": round(self.score, 4), "title": self.title,
            "title_html": self.title_html, "snippet": joined_snippet(self.snippets),
            "snippets": self.snippets, "date": self.date, "district": self.district,
            "reporters": self.reporters, "correspondents": self.correspondents,
            "photographers": self.photographers, "project_types": self.project_types,
            "source": self.source, "ordinal": self.ordinal, "subtitle": self.subtitle,
            "amount": self.amount, "amounts": self.amounts,
            "story": self.story, "first": self.first, "story_size": self.story_size,
            **({"others": self.others} if self.others else {}), **extra,
        }


@dataclass
class FacetValue:
    value: str
    count: int
    selected: bool = False
    excluded: bool = False


@dataclass
class SearchResults:
    query: SearchQuery
    total: int
    hits: list[Hit]
    facets: dict[str, list[FacetValue]]     # facet name -> values, most frequent first
    timeline: list[tuple[str, int]]          # ("2023", 12) or ("2023-02", 5) buckets, ascending
    took_ms: float
    page: int                                # the page actually served (clamped)
    pages: int
    messages: list[str] = field(default_factory=list)   # user-facing notes, in Chinese
    amounts: dict | None = None    # searchapp.amounts.aggregate() over the whole result set
    stories: int | None = None     # grouped: number of story cards (total counts articles)

    def to_dict(self) -> dict:
        return {
            "total": self.total, "page": self.page, "pages": self.pages,
            "took_ms": round(self.took_ms, 2),
            "hits": [h.to_dict() for h in self.hits],
            "facets": {k: [{"value": v.value, "count": v.count, "selected": v.selected,
                            "excluded": v.excluded} for v in vs] for k, vs in self.facets.items()},
            "timeline": [{"period": p, "count": c} for p, c in self.timeline],
            "messages": self.messages,
            "amounts": self.amounts,
            **({"stories": self.stories} if self.stories is not None else {}),
        }
