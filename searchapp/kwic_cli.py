"""`newsearch kwic`: every occurrence of a query in its result set, in context (over searchapp.kwic)."""
from __future__ import annotations

import sys
import unicodedata
from dataclasses import replace
from pathlib import Path

import click

from searchapp import kwic
from searchapp.model import FACETS, SearchQuery
from searchapp.search_cli import EXIT_USAGE, _facet_options


def display_width(text: str) -> int:
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)


def pad_left(text: str, width: int) -> str:
    return " " * max(0, width - display_width(text)) + text


@click.command("kwic")
@click.argument("query", nargs=-1)
@_facet_options
@click.option("--from", "date_from", metavar="DATE", help="From date, inclusive: 2023, 2023-02 or 2023-02-14.")
@click.option("--to", "date_to", metavar="DATE", help="To date, inclusive of the whole period.")
@click.option("--width", type=click.IntRange(1, kwic.MAX_WIDTH), default=kwic.DEFAULT_WIDTH, show_default=True,
              help="Characters of context on each side.")
@click.option("--sort", "order", type=click.Choice(kwic.ORDERS), default="date", show_default=True,
              help="date (newest first), oldest, left or right (by the left / right context).")
@click.option("--limit", type=click.IntRange(min=0), default=50, show_default=True,
              help="Lines per page; 0 prints every line.")
@click.option("--page", type=click.IntRange(min=1), default=1, show_default=True, help="Page of --limit lines.")
@click.option("--json", "as_json", is_flag=True, help="JSON Lines (left, match, right, date, district, title, "
                                                       "field, n, id); notes go to stderr.")
@click.option("--csv", "as_csv", is_flag=True, help="CSV with a header (UTF-8 with BOM, as the web export).")
@click.option("--index-dir", type=click.Path(file_okay=False, path_type=Path),
              envvar="NEWSEARCH_INDEX_DIR", show_envvar=True,
              help="Index directory [default: ~/.local/share/newsearch/index].")
def kwic_command(query, date_from, date_to, width, order, limit, page, as_json, as_csv, index_dir, **facet_args):
    """Keyword in context: every occurrence of QUERY in the articles it finds, one line
    each (left context | match | right context, date, district, article id#match).

    The query language and filters are those of `newsearch search`; the line number after
    # is the match's number on the article page (/articles/ID#mN).

    \b
    Examples:
      newsearch kwic 魏东
      newsearch kwic 魏东 SENT 签约 --district 惠济区 --width 30 --sort right
      newsearch kwic 开门红 --limit 0 --csv > kwic.csv

    \b
    Exit status:
      0  done (also when nothing was found)
      2  usage error, or no usable index (run: newsearch index PATH)
    """
    from indexer.indexing import default_index_dir
    from indexer.store import IndexNotFound, IndexVersionMismatch
    from searchapp.service import SearchService

    include = {f: facet_args[f"include_{f}"] for f in FACETS if facet_args[f"include_{f}"]}
    exclude = {f: facet_args[f"exclude_{f}"] for f in FACETS if facet_args[f"exclude_{f}"]}
    q = SearchQuery.make(" ".join(query), include=include, exclude=exclude, date_from=date_from,
                         date_to=date_to)
    service = SearchService(index_dir or default_index_dir())
    try:
        if limit == 0:
            messages = service.result_messages(q)
            lines, total = kwic.lines(service, q, width, order), None
        else:
            pg = kwic.page(service, q, width, order, page, limit)
            messages, lines, total = pg.messages, pg.lines, pg
        for m in messages:
            click.echo(f"提示: {m}", err=True)
        if as_csv:
            for chunk in kwic.csv_chunks(lines, lambda ln: ln.id + ln.anchor()):
                click.echo(chunk, nl=False)
        elif as_json:
            for ln in lines:
                click.echo(kwic.json_line(ln))
        else:
            n = 0
            for n, ln in enumerate(lines, 1):
                where = f"{ln.id}{ln.anchor()}" if ln.field == "body" else f"{ln.id} {kwic.FIELD_LABELS[ln.field]}"
                click.echo(f"{pad_left(ln.left, 2 * width)} 【{ln.match}】 {ln.right}  "
                           f"{ln.date or '日期不详'} {ln.district or '—'} {where}")
            if total is None:
                click.echo(f"共 {n} 处 (total {n} lines)", err=True)
        if total is not None:
            pages = f" · 第 {total.page}/{total.pages} 页 (page)" if total.pages > 1 else ""
            click.echo(f"共 {total.total} 处，{total.articles} 篇文章 (total {total.total} lines){pages}", err=True)
    except (IndexNotFound, IndexVersionMismatch) as e:
        click.echo(f"错误 error: {e}", err=True)
        sys.exit(EXIT_USAGE)
