"""`newsearch`: the command-line entry point. Each command lives in its own module."""
from __future__ import annotations

import click

from indexer.index_cli import index
from indexer.parse_cli import parse
from searchapp.batch_cli import batch_command
from searchapp.kwic_cli import kwic_command
from searchapp.search_cli import search
from searchapp.serve_cli import serve


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="newsearch")
def main() -> None:
    """郑州日报区县新闻全文检索 — full-text search over district news pages.

    \b
    Examples:
      newsearch parse seeds/                  # see how pages split into articles
      newsearch index seeds/                  # build or update the index
      newsearch search 惠济区 --district 惠济区
      newsearch kwic 魏东 SENT 签约           # every occurrence, in context
      newsearch batch names.txt --district 惠济区   # counts of a list of names
      newsearch serve --port 5000
    """


main.add_command(parse)
main.add_command(index)
main.add_command(search)
main.add_command(serve)
main.add_command(kwic_command)
main.add_command(batch_command)
