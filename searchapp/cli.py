"""`newsearch`: the command-line entry point. Each command lives in its own module."""
from __future__ import annotations

import click

from searchapp import cli_zh

cli_zh.install()       # click's own words (Usage, Options, errors) in Chinese
from indexer.index_cli import index
from indexer.parse_cli import parse
from searchapp.batch_cli import batch_command
from searchapp.kwic_cli import kwic_command
from searchapp.search_cli import search
from searchapp.serve_cli import serve


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="newsearch")
def main() -> None:
    """郑州日报区县新闻全文检索。

    \b
    示例：
      newsearch parse seeds/                  # 查看版面如何切分成文章
      newsearch index seeds/                  # 建立或更新索引
      newsearch search 惠济区 --district 惠济区
      newsearch kwic 魏东 SENT 签约           # 每处匹配连同上下文
      newsearch batch names.txt --district 惠济区   # 一批名称各有多少篇
      newsearch serve --port 5000             # 在浏览器中搜索
    """


main.add_command(parse)
main.add_command(index)
main.add_command(search)
main.add_command(serve)
main.add_command(kwic_command)
main.add_command(batch_command)
