"""`newsearch serve`: the web app under waitress, a real multi-threaded WSGI server."""
from __future__ import annotations

import signal

import click

from searchapp.serving import Limits, create_server

DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 5000


@click.command(context_settings={"help_option_names": ["-h", "--help"]})
@click.option("--host", default=DEFAULT_HOST, show_default=True, help="监听地址")
@click.option("--port", default=DEFAULT_PORT, show_default=True, type=click.IntRange(0, 65535),
              help="端口；0 表示自动选一个空闲端口")
@click.option("--index-dir", type=click.Path(file_okay=False), envvar="NEWSEARCH_INDEX_DIR",
              help="索引目录［默认：$NEWSEARCH_INDEX_DIR 或 ~/.local/share/newsearch/index］")
@click.option("--threads", default=8, show_default=True, type=click.IntRange(1, 256),
              help="工作线程数")
@click.option("--base-url", envvar="NEWSEARCH_BASE_URL", default=None,
              help="绝对链接的前缀，如 https://news.example.org（API 链接、订阅编号、导出；"
                   "默认：相对链接，从不取请求的 Host）")
@click.option("--connection-limit", default=Limits.connections, show_default=True,
              type=click.IntRange(8, 100_000), help="同时打开的连接数上限；满时先关闭等待最久的空闲连接")
@click.option("--channel-timeout", default=Limits.channel_timeout, show_default=True,
              type=click.IntRange(1, 3600), help="空闲连接保持的秒数")
@click.option("--header-timeout", default=Limits.header_timeout, show_default=True,
              type=click.IntRange(1, 3600), help="请求头须在此秒数内收完")
@click.option("--max-header-bytes", default=Limits.max_header_bytes, show_default=True,
              type=click.IntRange(1024, 1 << 24), help="请求行与请求头的字节上限，超出答 431")
@click.option("--max-url-bytes", default=Limits.max_url_bytes, show_default=True,
              type=click.IntRange(256, 1 << 24), help="网址的字节上限，超出答 414")
@click.option("--max-body-bytes", default=Limits.max_body_bytes, show_default=True,
              type=click.IntRange(0, 1 << 30), help="请求体的字节上限，超出答 413")
def serve(host: str, port: int, index_dir: str | None, threads: int, base_url: str | None,
          connection_limit: int, channel_timeout: int, header_timeout: int, max_header_bytes: int,
          max_url_bytes: int, max_body_bytes: int) -> None:
    """在浏览器中搜索：启动网页服务（网页界面和 JSON API）。

    \b
    示例：
      newsearch serve                          # http://127.0.0.1:5000
      newsearch serve --port 8080 --index-dir var/index
      NEWSEARCH_INDEX_DIR=var/index newsearch serve --host 0.0.0.0
      newsearch serve --host 0.0.0.0 --base-url https://news.example.org --connection-limit 2000
    """
    from searchapp.model import SearchQuery
    from searchapp.web import create_app, service_for

    config = {"INDEX_DIR": index_dir} if index_dir else {}
    if base_url is not None:
        config["BASE_URL"] = base_url
    try:
        app = create_app(config)
    except ValueError as exc:                      # a bad NEWSEARCH_* environment value
        raise click.ClickException(str(exc)) from None
    try:
        service = service_for(app)
        info = service.info()
        # Warm up (facet table, substring reader, caches) so the first journalist doesn't wait.
        service.search(SearchQuery(q="郑州"))
    except Exception as exc:  # the index's own exceptions carry a Chinese message
        if type(exc).__name__ in ("IndexNotFound", "IndexVersionMismatch", "EmptyIndexError"):
            raise click.ClickException(
                f"{exc}\n先建立索引: newsearch index seeds/ "
                f"--index-dir {app.config['INDEX_DIR']}") from None
        raise
    try:
        limits = Limits(connection_limit, channel_timeout, header_timeout, max_header_bytes,
                        max_url_bytes, max_body_bytes)
        server = create_server(app, host, port, threads, limits)
    except OSError as exc:
        raise click.ClickException(f"无法监听 {host}:{port}：{exc.strerror or exc}") from None
    shown_host = f"[{server.effective_host}]" if ":" in str(server.effective_host) else server.effective_host
    docs = info.get("doc_count", "?")
    click.echo(f"newsearch：索引 {app.config['INDEX_DIR']}（{docs} 篇文章）")
    click.echo(f"在 http://{shown_host}:{server.effective_port}/ 提供服务，{threads} 个线程；按 Ctrl+C 停止。")
    _stop_on_signals()
    try:
        server.run()
    except KeyboardInterrupt:
        pass
    finally:
        server.close()
    click.echo("已停止。")


def _stop(signum, frame):
    raise KeyboardInterrupt


def _stop_on_signals() -> None:
    """Ctrl+C (SIGINT) and a service manager's SIGTERM both stop the server cleanly, even
    when it was started with SIGINT ignored (a background job of a script inherits that)."""
    for sig in (signal.SIGINT, signal.SIGTERM):
        signal.signal(sig, _stop)
