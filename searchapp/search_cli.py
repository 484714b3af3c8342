"""`newsearch search`: search the index from a terminal (a thin layer over SearchService)."""
from __future__ import annotations

import json
import sys
from pathlib import Path

import click

from searchapp.highlight import terminal
from searchapp.model import FACETS, SORTS, SearchQuery

EXIT_OK, EXIT_USAGE = 0, 2
FACET_LABELS = {"district": "区县", "year": "年份", "month": "月份", "reporter": "记者",
                "correspondent": "通讯员", "photographer": "摄影", "type": "类型"}
FACETS_SHOWN = 8          # values per facet in the summary


def _style_mark(color: bool):
    if color:
        return lambda s: terminal(s, "\0", "\1").replace("\0", "\x1b[1;31m").replace("\1", "\x1b[0m")
    return terminal


def _facet_options(fn):
    for facet in reversed(FACETS):
        label = FACET_LABELS[facet]
        fn = click.option(f"--exclude-{facet}", f"exclude_{facet}", multiple=True, metavar="VALUE",
                          help=f"Exclude articles with this {facet} ({label}); repeatable.")(fn)
        fn = click.option(f"--{facet}", f"include_{facet}", multiple=True, metavar="VALUE",
                          help=f"Only this {facet} ({label}); repeat to OR several values.")(fn)
    return fn


@click.command("search")
@click.argument("query", nargs=-1)
@_facet_options
@click.option("--from", "date_from", metavar="DATE", help="From date, inclusive: 2023, 2023-02 or 2023-02-14.")
@click.option("--to", "date_to", metavar="DATE", help="To date, inclusive of the whole period: 2023, 2023-02 …")
@click.option("--amount-min", "amount_min", metavar="AMOUNT",
              help="Only articles whose investment/contract amount (金额) is at least this: 5000 (万元), 5000万, 3亿.")
@click.option("--amount-max", "amount_max", metavar="AMOUNT", help="… and at most this (same forms).")
@click.option("--amounts", "show_amounts", is_flag=True,
              help="Print the 金额汇总: sum and count of the amounts per district and per year "
                   "over the whole result set (with --json: one JSON object).")
@click.option("--sort", type=click.Choice(SORTS), default="relevance", show_default=True)
@click.option("--limit", type=click.IntRange(min=0), default=10, show_default=True,
              help="Hits per page; 0 prints every hit.")
@click.option("--page", type=int, default=1, show_default=True, help="Page of --limit hits.")
@click.option("--json", "as_json", is_flag=True,
              help="JSON Lines, one hit per line (id, score, title, date, district, reporters, "
                   "project_types, snippet as HTML, source …); notes go to stderr.")
@click.option("--color/--no-color", default=None, help="Colour the matches [default: on a terminal].")
@click.option("--index-dir", type=click.Path(file_okay=False, path_type=Path),
              envvar="NEWSEARCH_INDEX_DIR", show_envvar=True,
              help="Index directory [default: ~/.local/share/newsearch/index].")
def search(query, date_from, date_to, amount_min, amount_max, show_amounts, sort, limit, page, as_json,
           color, index_dir, **facet_args):
    """Search the index for QUERY and print ranked hits, then facet counts and the total.

    Words are AND-ed; OR, -word / NOT word, "exact phrase" and title: district: reporter:
    type: work as on the web page. A word without spaces is matched verbatim (part of a
    word too: 郑东 finds 郑东新区). A query that starts with - goes after --, options before it.

    \b
    Examples:
      newsearch search 惠济区 签约
      newsearch search 开门红 --district 惠济区 --district 金水区 --from 2023
      newsearch search '"经济运行分析会"' --sort newest --limit 5
      newsearch search --json -- -疫情 项目 > hits.jsonl
      newsearch search --type 签约 --year 2023 --amounts --limit 0
      newsearch search 项目 --amount-min 10亿 --sort newest

    \b
    Exit status:
      0  searched (also when nothing was found)
      2  usage error, or no usable index (run: newsearch index PATH)
    """
    from indexer.indexing import default_index_dir
    from indexer.store import IndexNotFound, IndexVersionMismatch
    from searchapp.service import SearchService

    include = {f: facet_args[f"include_{f}"] for f in FACETS if facet_args[f"include_{f}"]}
    exclude = {f: facet_args[f"exclude_{f}"] for f in FACETS if facet_args[f"exclude_{f}"]}
    from searchapp.params import parse_amount_range

    lo, hi, notes = parse_amount_range(amount_min, amount_max)
    for m in notes:
        click.echo(f"提示: {m}", err=True)
    q = SearchQuery.make(" ".join(query), include=include, exclude=exclude, date_from=date_from,
                         date_to=date_to, sort=sort, page=page, page_size=limit or 20,
                         amount_min=lo, amount_max=hi)
    service = SearchService(index_dir or default_index_dir())
    try:
        results = service.search(q)
        if show_amounts:
            _print_amounts(results.amounts, as_json)
            return
        hits = service.iter_hits(q) if limit == 0 else results.hits
        if as_json:
            for m in results.messages:
                click.echo(f"提示: {m}", err=True)
            for h in hits:
                click.echo(json.dumps(h.to_dict(), ensure_ascii=False))
            click.echo(f"共 {results.total} 篇 (total {results.total})", err=True)
            return
        use_color = sys.stdout.isatty() if color is None else color
        first = (results.page - 1) * q.page_size if limit else 0
        _print_text(results, hits, _style_mark(use_color), first, use_color)
    except (IndexNotFound, IndexVersionMismatch) as e:
        click.echo(f"错误 error: {e}", err=True)
        sys.exit(EXIT_USAGE)


def _print_amounts(agg: dict, as_json: bool) -> None:
    from indexer.amounts import format_wan

    if as_json:
        click.echo(json.dumps(agg, ensure_ascii=False))
        return
    click.echo(f"金额汇总: {agg['count']} 篇写明投资或签约金额 (of {agg['articles']} hits), "
               f"合计 {format_wan(agg['sum'])} ({agg['sum']:.10g} 万元)")
    for facet in ("district", "year"):
        click.echo(f"{FACET_LABELS[facet]}:")
        for row in agg[facet]:
            click.echo(f"  {row['value']:<8} {row['count']:>5} 篇  {format_wan(row['sum'])}")


def _print_text(results, hits, render, first: int, color: bool) -> None:
    from indexer.amounts import format_wan

    def echo(line: str = "") -> None:
        click.echo(line, color=color)

    for m in results.messages:
        echo(f"提示: {m}")
    n = 0
    for n, h in enumerate(hits, first + 1):
        date = h.date or "日期不详"
        title = render(h.title_html) or "（无标题图片新闻）"
        echo(f"{n:>3}. {date}  {h.district or '—'}  {title}")
        for s in h.snippets:
            echo(f"     {render(s)}")
        byline = "、".join(h.reporters)
        echo(f"     {h.source} #{h.ordinal}" + (f" · 记者 {byline}" if byline else "")
                   + (f" · {'、'.join(h.project_types)}" if h.project_types else "")
                   + (f" · 金额 {format_wan(h.amount)}" if h.amount else ""))
    if not results.total:
        echo("没有找到结果 (no hits).")
    echo("")
    for facet in FACETS:
        values = [v for v in results.facets.get(facet, []) if v.count or v.selected or v.excluded]
        if not values or facet == "month":
            continue
        shown = []
        for v in values[:FACETS_SHOWN]:
            mark = "✓" if v.selected else ("✗" if v.excluded else "")
            shown.append(f"{mark}{v.value} {v.count}")
        more = f" …(+{len(values) - FACETS_SHOWN})" if len(values) > FACETS_SHOWN else ""
        echo(f"{FACET_LABELS[facet]}: " + " · ".join(shown) + more)
    pages = f" · 第 {results.page}/{results.pages} 页 (page)" if results.pages > 1 else ""
    echo(f"共 {results.total} 篇 (total {results.total} hits){pages} · {results.took_ms:.1f} ms")
