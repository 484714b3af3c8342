"""`newsearch parse`: show how pages split into articles (a thin layer over indexer.extract)."""
from __future__ import annotations

import json
from pathlib import Path

import click

from indexer import explain
from indexer.article import Article
from indexer.pages import explain_file, parse_file
from indexer.reading import (PageReadError, describe_bad_lines, display_path, iter_page_files,
                             read_page_bytes, undecodable_lines)

EXIT_OK, EXIT_FILES_SKIPPED = 0, 1
_READER_NAMES = {"text": "文本", "html": "网页", "pdf": "PDF"}
_PREVIEW = 60               # characters of the first body line shown in the listing


def _names(values) -> str:
    return "、".join(values) if values else "—"


def _listing(article: Article) -> str:
    """A few readable lines per article: what a user needs to judge the split."""
    title = article.title or "(无标题)"
    lines = [f"  [{article.ordinal}] {title}    (行 {article.line_start}-{article.line_end})"]
    if article.subtitle:
        lines.append(f"      副题: {article.subtitle}")
    lines.append(
        f"      日期 {article.date or '—'} · 区域 {article.district or '—'}"
        f" · 记者 {_names(article.reporters)} · 通讯员 {_names(article.correspondents)}"
        f" · 摄影 {_names(article.photographers)}"
        + (f" · 类型 {'、'.join(article.project_types)}" if article.project_types else ""))
    first = article.body.split("\n", 1)[0]
    lines.append(f"      {first[:_PREVIEW]}{'…' if len(first) > _PREVIEW else ''}")
    return "\n".join(lines)


@click.command("parse")
@click.argument("paths", nargs=-1, required=True, metavar="路径...",
                type=click.Path(path_type=Path, readable=False))   # unreadable: reported, not a usage error
@click.option("--json", "as_json", is_flag=True,
              help="每篇文章输出一个 JSON 对象（JSON Lines），而不是列表。")
@click.option("--explain", "explain_roles", is_flag=True,
              help="逐行列出每行的角色（页面杂项、标题、电头、署名、正文、图片署名）及判定规则，"
                   "并说明每篇文章的标题、日期、区县为何如此判定；与 --json 同用时每个文件输出一个 JSON 对象。")
def parse(paths, as_json, explain_roles):
    """把“路径”下的版面文件（*.txt、*.htm、*.html、*.pdf）切分成文章并显示。

    不加 --json 时，逐个版面列出其文章：标题、副标题、行范围、日期、区县、署名和正文开头，
    用来检查切分是否正确。加 --json 时输出 JSON Lines，键为 id, source, ordinal,
    title, subtitle, body, date, district, districts, reporters, correspondents,
    photographers, project_types, page_date, line_start, line_end 以及 reader
    （text、html 或 pdf：文件按哪种方式读取）。

    读不了或无法解码的文件会在 stderr 报告并跳过。

    \b
    示例：
      newsearch parse seeds/
      newsearch parse seeds/001_e2ee4c39575207b8.txt
      newsearch parse --json /archive/2023-02/15/ > articles.jsonl
      newsearch parse --explain saved/content_1048812.txt

    \b
    退出状态：
      0  每个文件都已读取
      1  有文件或路径被跳过（列在 stderr）
      2  用法错误
    """
    errors: list[tuple[str, str]] = []
    skipped = seen = 0
    for path in iter_page_files(paths, errors):
        seen += 1
        try:
            if explain_roles:
                page, reader = explain_file(path)
                articles = list(page.articles)
            else:
                page, (articles, reader) = None, parse_file(path)
        except PageReadError as exc:
            click.echo(f"跳过: {exc}", err=True)
            skipped += 1
            continue
        if reader == "text":
            try:
                bad = undecodable_lines(read_page_bytes(path))
            except PageReadError:
                bad = []
            if bad:
                click.echo(f"警告: {display_path(path)}: {describe_bad_lines(bad)}", err=True)
        if page is not None:
            shown = display_path(path)
            click.echo(json.dumps(explain.as_json(shown, page, reader), ensure_ascii=False)
                       if as_json else explain.render(shown, page, _READER_NAMES[reader]))
        elif as_json:
            for article in articles:
                click.echo(json.dumps({**article.to_dict(), "reader": reader}, ensure_ascii=False))
        else:
            click.echo(f"{display_path(path)}: {len(articles)} 篇 [{_READER_NAMES[reader]}]")
            for article in articles:
                click.echo(_listing(article))
    for where, reason in errors:
        click.echo(f"跳过: {where}: {reason}", err=True)
    if not seen and not errors:
        click.echo("没有找到页面文件 (*.txt *.htm *.html *.pdf)", err=True)
    raise SystemExit(EXIT_FILES_SKIPPED if (errors or skipped) else EXIT_OK)
