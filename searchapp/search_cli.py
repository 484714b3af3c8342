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
        fn = click.option(f"--exclude-{facet}", f"exclude_{facet}", multiple=True, metavar="值",
                          help=f"排除这个{label}的文章；可重复。")(fn)
        fn = click.option(f"--{facet}", f"include_{facet}", multiple=True, metavar="值",
                          help=f"只看这个{label}；重复给出多个值时取其一即可（或）。")(fn)
    return fn


class SearchCommand(click.Command):
    """`search` takes a query that starts with - (-疫情 excludes 疫情): unknown short
    options become query words; an unknown --option, or a known option written after --,
    is an error instead of silently becoming a query word."""

    def parse_args(self, ctx, args):
        if "--" in args:
            after = args[args.index("--") + 1:]
            known = {o for p in self.params for o in (*p.opts, *p.secondary_opts) if o.startswith("--")}
            misplaced = [a for a in after if a.split("=", 1)[0] in known]
            if misplaced:
                raise click.UsageError(f"选项 {misplaced[0]} 写在了 -- 之后，会被当作搜索词；"
                                       "请把选项放在 -- 前面。", ctx)
        return super().parse_args(ctx, args)


@click.command("search", cls=SearchCommand, context_settings={"ignore_unknown_options": True})
@click.argument("query", nargs=-1, metavar="[查询]...")
@_facet_options
@click.option("--from", "date_from", metavar="日期", help="起始日期（含）：2023、2023-02 或 2023-02-14。")
@click.option("--to", "date_to", metavar="日期", help="截止日期（含整个时段）：2023、2023-02 …")
@click.option("--amount-min", "amount_min", metavar="金额",
              help="只看投资或签约金额不少于此数的文章：5000（万元）、5000万、3亿。")
@click.option("--amount-max", "amount_max", metavar="金额", help="……且不多于此数（写法同上）。")
@click.option("--first-only", "first_only", is_flag=True,
              help="只看首发：相同报道只留最早刊出的一篇（转载不列出）。")
@click.option("--amounts", "show_amounts", is_flag=True,
              help="打印金额汇总：整个结果中按区县、按年份的金额合计与篇数（加 --json 时输出一个 JSON 对象）。")
@click.option("--sort", type=click.Choice(SORTS), default="relevance", show_default=True,
              help="排序：relevance 相关度、newest 最新、oldest 最早。")
@click.option("--limit", type=click.IntRange(min=0), default=10, show_default=True, metavar="条数",
              help="每页条数；0 打印全部结果。")
@click.option("--page", type=int, default=1, show_default=True, metavar="页码", help="第几页（每页 --limit 条）。")
@click.option("--json", "as_json", is_flag=True,
              help="输出 JSON Lines，每行一条结果（id, score, title, date, district, reporters, "
                   "correspondents, photographers, project_types, snippet（HTML）, source …）；提示写到 stderr。")
@click.option("--color/--no-color", default=None, help="给匹配处着色［默认：输出到终端时着色］。")
@click.option("--index-dir", type=click.Path(file_okay=False, path_type=Path),
              envvar="NEWSEARCH_INDEX_DIR", show_envvar=True,
              help="索引目录［默认：~/.local/share/newsearch/index］。")
def search(query, date_from, date_to, amount_min, amount_max, first_only, show_amounts, sort, limit, page, as_json,
           color, index_dir, **facet_args):
    """在索引中搜索“查询”，打印排好序的结果、各分面计数和总数。

    空格分隔的词同时出现（且）；OR、-词 / NOT 词、"完整短语"，以及 title: district:
    reporter: correspondent: photographer: byline: type: 与网页上的用法相同。不含空格的词
    原样匹配（词的一部分也行：郑东 可找到 郑东新区）。以 - 开头的查询可直接写（-疫情）；
    以 -- 开头的是选项，写错会报错，不会悄悄变成搜索词。

    \b
    示例：
      newsearch search 惠济区 签约
      newsearch search 开门红 --district 惠济区 --district 金水区 --from 2023
      newsearch search '"经济运行分析会"' --sort newest --limit 5
      newsearch search -疫情 项目 --json > hits.jsonl
      newsearch search correspondent:宋跃伟
      newsearch search --type 签约 --year 2023 --amounts --limit 0
      newsearch search 项目 --amount-min 10亿 --sort newest

    \b
    退出状态：
      0  已搜索（没有结果也是 0）
      2  用法错误，或没有可用的索引（先运行：newsearch index 路径）
    """
    from indexer.indexing import default_index_dir
    from indexer.store import IndexNotFound, IndexVersionMismatch
    from searchapp.service import SearchService

    from searchapp import aliases, suggest
    from searchapp.params import filter_notes, parse_amount_range

    options = [w for w in query if w.startswith("--") and len(w) > 2]
    if options:
        raise click.UsageError(f"没有选项 {options[0]}（以 -- 开头的不是搜索词；排除一个词请写 -词 或 NOT 词）。",
                               click.get_current_context())
    include, exclude, alias_notes = {}, {}, []
    for f in FACETS:
        for given, target in ((facet_args[f"include_{f}"], include), (facet_args[f"exclude_{f}"], exclude)):
            if given:
                target[f], notes = aliases.resolve(f, given)
                alias_notes += [f"{FACET_LABELS[f]}{n}" for n in notes]

    lo, hi, notes = parse_amount_range(amount_min, amount_max)
    for m in alias_notes + notes:
        click.echo(f"提示: {m}", err=True)
    q = SearchQuery.make(" ".join(query), include=include, exclude=exclude, date_from=date_from,
                         date_to=date_to, sort=sort, page=page, page_size=limit or 20,
                         amount_min=lo, amount_max=hi, first_only=first_only, group=False)
    service = SearchService(index_dir or default_index_dir())
    try:
        results = service.search(q)
        if show_amounts:
            _print_amounts(results.amounts, as_json)
            return
        hits = service.iter_hits(q) if limit == 0 else results.hits
        messages = filter_notes(q, results)
        advice = suggest.advise(service, q) if not results.total else None
        if as_json:
            for m in messages:
                click.echo(f"提示: {m}", err=True)
            for h in hits:
                click.echo(json.dumps(h.to_dict(), ensure_ascii=False))
            _print_advice(advice, lambda line: click.echo(line, err=True))
            click.echo(f"共 {results.total} 篇", err=True)
            return
        use_color = sys.stdout.isatty() if color is None else color
        first = (results.page - 1) * q.page_size if limit else 0
        _print_text(results, hits, _style_mark(use_color), first, use_color, messages, advice)
    except (IndexNotFound, IndexVersionMismatch) as e:
        click.echo(f"错误: {e}", err=True)
        sys.exit(EXIT_USAGE)


def _print_advice(advice, echo) -> None:
    """The counted suggestions of an empty result (each finds something)."""
    if advice is None:
        return
    if advice.unfiltered:
        cause = f"；是筛选{'、'.join(advice.culprits)}使结果为空" if advice.culprits else ""
        echo(f"提示: 不加筛选有 {advice.unfiltered} 篇{cause}。")
    if advice.suggestions:
        echo("可以试试:")
        for s in advice.suggestions:
            echo(f"  {s.label}  {s.count} 篇")


def _print_amounts(agg: dict, as_json: bool) -> None:
    from indexer.amounts import format_wan

    if as_json:
        click.echo(json.dumps(agg, ensure_ascii=False))
        return
    click.echo(f"金额汇总: {agg['count']} 篇写明投资或签约金额（共 {agg['articles']} 篇结果），"
               f"合计 {format_wan(agg['sum'])} ({agg['sum']:.10g} 万元)")
    for facet in ("district", "year"):
        click.echo(f"{FACET_LABELS[facet]}:")
        for row in agg[facet]:
            click.echo(f"  {row['value']:<8} {row['count']:>5} 篇  {format_wan(row['sum'])}")


def _print_text(results, hits, render, first: int, color: bool, messages=(), advice=None) -> None:
    from indexer.amounts import format_wan
    from searchapp.display import date_text, title_text

    def echo(line: str = "") -> None:
        click.echo(line, color=color)

    for m in messages:
        echo(f"提示: {m}")
    n = 0
    for n, h in enumerate(hits, first + 1):
        title = render(h.title_html) or title_text(h.title)
        echo(f"{n:>3}. {date_text(h.date)}  {h.district or '—'}  {title}")
        for s in h.snippets:
            echo(f"     {render(s)}")
        bylines = [f"{role} {'、'.join(names)}" for role, names in
                   (("记者", h.reporters), ("通讯员", h.correspondents), ("摄影", h.photographers)) if names]
        echo(f"     {h.source} #{h.ordinal}" + "".join(f" · {b}" for b in bylines)
                   + (f" · {'、'.join(h.project_types)}" if h.project_types else "")
                   + (f" · 金额 {format_wan(h.amount)}" if h.amount else ""))
    if not results.total:
        echo("没有找到结果。")
        _print_advice(advice, echo)
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
    pages = f" · 第 {results.page}/{results.pages} 页" if results.pages > 1 else ""
    echo(f"共 {results.total} 篇{pages} · 用时 {results.took_ms:.1f} 毫秒")
