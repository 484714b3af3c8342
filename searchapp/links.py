"""Links from one search state to the next: "this search, plus one change".

Pure (no Flask): built from the current SearchQuery and the paths of the pages, so the
templates just ask `links.add("district", "惠济区")` and never assemble query strings.
"""
from __future__ import annotations

from dataclasses import dataclass, replace
from urllib.parse import quote, urlencode

from searchapp import params
from searchapp.model import SearchQuery


@dataclass(frozen=True)
class Links:
    query: SearchQuery
    search_path: str = "/"
    article_path: str = "/articles/"
    default_size: int = 20

    def _url(self, path: str, query: SearchQuery, keep_page: bool = False, **extra: str) -> str:
        args = params.to_args(query if keep_page else replace(query, page=1), self.default_size)
        args.extend((k, v) for k, v in extra.items() if v)
        return path + ("?" + urlencode(args) if args else "")

    def search(self, query: SearchQuery | None = None) -> str:
        """The search page for `query` (default: the current one, same page)."""
        return self._url(self.search_path, query or self.query, keep_page=True)

    def page(self, n: int) -> str:
        return self._url(self.search_path, replace(self.query, page=n), keep_page=True)

    def add(self, facet: str, value: str) -> str:
        return self.search(params.with_value(self.query, facet, value))

    def remove(self, facet: str, value: str) -> str:
        return self.search(params.without_value(self.query, facet, value))

    def exclude(self, facet: str, value: str) -> str:
        return self.search(params.excluding_value(self.query, facet, value))

    def only(self, facet: str, value: str) -> str:
        """This value as the facet's only selection."""
        q = params.without_value(self.query, facet, value)
        q = replace(q, include=tuple((k, v) for k, v in q.include if k != facet))
        return self.search(params.with_value(q, facet, value))

    def period(self, date_from: str | None, date_to: str | None = None) -> str:
        """Filter to a period ('2022', '2022-03', '2022-03-05'); to defaults to from."""
        return self.search(params.with_period(self.query, date_from, date_to if date_to is not None else date_from))

    def grouped(self, on: bool) -> str:
        """One card per story (on) or every article."""
        return self.search(replace(self.query, group=on, page=1))

    def first_only(self, on: bool) -> str:
        return self.search(replace(self.query, first_only=on, page=1))

    def without_amount(self) -> str:
        return self.search(params.with_amount(self.query, None, None))

    def without_dates(self) -> str:
        return self.search(params.with_period(self.query, None, None))

    def without_q(self) -> str:
        return self.search(replace(self.query, q="", sort=self._sort_for("")))

    def with_q(self, q: str) -> str:
        return self.search(replace(self.query, q=q, page=1, sort=self._sort_for(q)))

    def sorted_by(self, sort: str) -> str:
        return self.search(replace(self.query, sort=sort, page=1))

    def clear_filters(self) -> str:
        return self.search(SearchQuery(q=self.query.q, sort=self.query.sort, page_size=self.query.page_size,
                                       group=self.query.group))

    def _sort_for(self, q: str) -> str:
        # keep an explicit non-default sort; otherwise follow the default for the new q
        default_old = "relevance" if self.query.q else "newest"
        if self.query.sort != default_old:
            return self.query.sort
        return "relevance" if q else "newest"

    def article(self, article_id: str) -> str:
        """An article, carrying the search state (for highlights and the way back)."""
        return self._url(self.article_path + quote(article_id, safe=""), self.query, keep_page=True)

    def other(self, path: str, **extra: str) -> str:
        """Another view of the same search (export, feed, API); page dropped."""
        return self._url(path, self.query, **extra)

    def query_args(self) -> list[tuple[str, str]]:
        """The URL parameters of the current search (for hidden form fields)."""
        return params.to_args(self.query, self.default_size)

    def other_with_page(self, path: str, **extra: str) -> str:
        return self._url(path, self.query, keep_page=True, **extra)


@dataclass(frozen=True)
class ViewLinks(Links):
    """Links of a view with its own parameters (the KWIC page's width and order): pages and
    re-orderings keep them; facet links (``add``, ``remove`` …) stay on this view's path."""
    extra: tuple[tuple[str, str], ...] = ()

    def _url(self, path: str, query: SearchQuery, keep_page: bool = False, **extra: str) -> str:
        merged = dict(self.extra)
        merged.update(extra)
        return super()._url(path, query, keep_page, **merged)

    def with_extra(self, **extra: str) -> str:
        """This view, back to page 1, with some of its own parameters changed."""
        merged = dict(self.extra)
        merged.update(extra)
        return Links._url(self, self.search_path, replace(self.query, page=1), False, **merged)
