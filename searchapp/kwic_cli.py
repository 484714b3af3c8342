"""`newsearch kwic`: every occurrence of a query in its result set, in context (over searchapp.kwic)."""
from __future__ import annotations

import sys
import unicodedata
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
@click.argument("query", nargs=-1, metavar="[查询]...")
@_facet_options
@click.option("--from", "date_from", metavar="日期", help="起始日期（含）：2023、2023-02 或 2023-02-14。")
@click.option("--to", "date_to", metavar="日期", help="截止日期（含整个时段）。")
@click.option("--width", type=click.IntRange(1, kwic.MAX_WIDTH), default=kwic.DEFAULT_WIDTH, show_default=True,
              help="匹配两侧各显示的字数。")
@click.option("--sort", "order", type=click.Choice(kwic.ORDERS), default="date", show_default=True,
              help="date 最新在前、oldest 最早在前、left / right 按左侧 / 右侧上下文排序。")
@click.option("--limit", type=click.IntRange(min=0), default=50, show_default=True,
              metavar="行数", help="每页行数；0 打印全部。")
@click.option("--page", type=click.IntRange(min=1), default=1, show_default=True, metavar="页码", help="第几页（每页 --limit 行）。")
@click.option("--json", "as_json", is_flag=True, help="输出 JSON Lines（left, match, right, date, district, title, "
                                                       "field, n, id）；提示写到 stderr。")
@click.option("--csv", "as_csv", is_flag=True, help="输出带表头的 CSV（UTF-8 带 BOM，与网页导出相同）。")
@click.option("--index-dir", type=click.Path(file_okay=False, path_type=Path),
              envvar="NEWSEARCH_INDEX_DIR", show_envvar=True,
              help="索引目录［默认：~/.local/share/newsearch/index］。")
def kwic_command(query, date_from, date_to, width, order, limit, page, as_json, as_csv, index_dir, **facet_args):
    """关键词上下文：列出“查询”在其结果文章中的每一处匹配，一处一行（左侧上下文 | 匹配 |
    右侧上下文、日期、区县、文章编号#第几处）。

    查询语法和筛选与 `newsearch search` 相同；# 后的数字是该处在文章页上的编号
    （/articles/编号#mN）。

    \b
    示例：
      newsearch kwic 魏东
      newsearch kwic 魏东 SENT 签约 --district 惠济区 --width 30 --sort right
      newsearch kwic 开门红 --limit 0 --csv > kwic.csv

    \b
    退出状态：
      0  完成（没有结果也是 0）
      2  用法错误，或没有可用的索引（先运行：newsearch index 路径）
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
                click.echo(f"共 {n} 处", err=True)
        if total is not None:
            pages = f" · 第 {total.page}/{total.pages} 页" if total.pages > 1 else ""
            click.echo(f"共 {total.total} 处，{total.articles} 篇文章{pages}", err=True)
    except (IndexNotFound, IndexVersionMismatch) as e:
        click.echo(f"错误: {e}", err=True)
        sys.exit(EXIT_USAGE)
