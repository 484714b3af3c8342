"""`newsearch batch`: run a list of queries (one per line) and print each one's counts
(a thin layer over searchapp.batch and SearchService)."""
from __future__ import annotations

import sys
from pathlib import Path

import click

from searchapp import batch
from searchapp.model import FACETS, SearchQuery
from searchapp.search_cli import EXIT_USAGE, _facet_options

EXIT_OK, EXIT_SKIPPED = 0, 1
SHOWN = 6                  # districts / years shown per line in the text output


@click.command("batch")
@click.argument("file", metavar="文件", type=click.Path(dir_okay=False, allow_dash=True, path_type=Path))
@click.option("--header", is_flag=True, help="第一行（CSV：第一行记录）是表头，跳过。")
@click.option("--csv-input/--text-input", "csv_input", default=None,
              help="按 CSV（取第一列）或按文本读取文件［默认：*.csv 按 CSV］。")
@_facet_options
@click.option("--from", "date_from", metavar="日期", help="起始日期（含）：2023、2023-02 或 2023-02-14。")
@click.option("--to", "date_to", metavar="日期", help="截止日期（含整个时段）。")
@click.option("--json", "as_json", is_flag=True, help="输出 JSON Lines，每个查询一行（line, query, total, "
                                                       "districts, years, messages）。")
@click.option("--csv", "as_csv", is_flag=True, help="输出 CSV：行号、查询、总数、每个区县和每个年份各一列、"
                                                     "提示（UTF-8 带 BOM）。")
@click.option("--index-dir", type=click.Path(file_okay=False, path_type=Path),
              envvar="NEWSEARCH_INDEX_DIR", show_envvar=True,
              help="索引目录［默认：~/.local/share/newsearch/index］。")
def batch_command(file, header, csv_input, date_from, date_to, as_json, as_csv, index_dir, **facet_args):
    """逐行搜索“文件”（每行一个查询，最多 1000 行；TXT 或 CSV，- 表示标准输入），
    为每个查询打印总数以及按区县、按年份的篇数。

    筛选条件对每一行都适用；总数与 `newsearch search` 给出的相同。有问题的行（过长、
    没有可搜索的内容）在 stderr 报告并跳过。

    \b
    示例：
      newsearch batch names.txt
      newsearch batch names.csv --header --district 惠济区 --from 2022 --csv > counts.csv

    \b
    退出状态：
      0  每一行都已搜索
      1  有行被跳过（列在 stderr）
      2  用法错误、文件读不了，或没有可用的索引（先运行：newsearch index 路径）
    """
    from indexer.indexing import default_index_dir
    from indexer.store import IndexNotFound, IndexVersionMismatch
    from searchapp.service import SearchService

    name = "-" if str(file) == "-" else str(file)
    try:
        data = sys.stdin.buffer.read() if name == "-" else file.read_bytes()
        text = batch.decode(data, name)
    except OSError as e:
        click.echo(f"错误: 无法读取“{name}”：{e.strerror or e}", err=True)
        sys.exit(EXIT_USAGE)
    except ValueError as e:
        click.echo(f"错误: {e}", err=True)
        sys.exit(EXIT_USAGE)
    as_csv_input = batch.is_csv(name) if csv_input is None else csv_input
    lines = batch.read_lines(text, csv_format=as_csv_input, header=header)
    include = {f: facet_args[f"include_{f}"] for f in FACETS if facet_args[f"include_{f}"]}
    exclude = {f: facet_args[f"exclude_{f}"] for f in FACETS if facet_args[f"exclude_{f}"]}
    base = SearchQuery.make("", include=include, exclude=exclude, date_from=date_from, date_to=date_to)
    service = SearchService(index_dir or default_index_dir())
    problems: list = []
    try:
        rows = batch.iter_rows(service, lines, base, problems)
        n = 0
        if as_csv:
            for chunk in batch.csv_chunks(rows, problems, service.facet_values("district"),
                                          service.facet_values("year"), lambda r: ""):
                click.echo(chunk, nl=False)
        else:
            for r in rows:
                n += 1
                if as_json:
                    click.echo(batch.json_row(r))
                    continue
                d = " · ".join(f"{k} {v}" for k, v in sorted(r.counts["district"].items(),
                                                            key=lambda kv: (-kv[1], kv[0]))[:SHOWN])
                y = " · ".join(f"{k} {v}" for k, v in sorted(r.counts["year"].items())[-SHOWN:])
                click.echo(f"{r.no:>4}  {r.query}  {r.total}" + (f"  区县: {d}" if d else "")
                           + (f"  年份: {y}" if y else ""))
                for m in r.messages:
                    click.echo(f"      提示: {m}")
    except (IndexNotFound, IndexVersionMismatch) as e:
        click.echo(f"错误: {e}", err=True)
        sys.exit(EXIT_USAGE)
    for p in sorted(problems, key=lambda p: p.no):
        click.echo(f"跳过: 第 {p.no} 行“{p.text[:40]}”：{p.reason}", err=True)
    ran = len(lines) - len(problems)
    click.echo(f"共 {ran} 行已搜索，{len(problems)} 行跳过", err=True)
    sys.exit(EXIT_SKIPPED if problems else EXIT_OK)
