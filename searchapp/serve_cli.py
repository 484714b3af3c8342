"""`newsearch serve`: the web app under waitress, a real multi-threaded WSGI server."""
from __future__ import annotations

import click

DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 5000


@click.command(context_settings={"help_option_names": ["-h", "--help"]})
@click.option("--host", default=DEFAULT_HOST, show_default=True, help="监听地址 (address to listen on)")
@click.option("--port", default=DEFAULT_PORT, show_default=True, type=click.IntRange(0, 65535),
              help="端口 (port; 0 picks a free one)")
@click.option("--index-dir", type=click.Path(file_okay=False), envvar="NEWSEARCH_INDEX_DIR",
              help="索引目录 (default: $NEWSEARCH_INDEX_DIR or ~/.local/share/newsearch/index)")
@click.option("--threads", default=8, show_default=True, type=click.IntRange(1, 256),
              help="工作线程数 (worker threads)")
def serve(host: str, port: int, index_dir: str | None, threads: int) -> None:
    """在浏览器中搜索：启动网页服务 (serve the web UI and JSON API).

    \b
    Examples:
      newsearch serve                          # http://127.0.0.1:5000
      newsearch serve --port 8080 --index-dir var/index
      NEWSEARCH_INDEX_DIR=var/index newsearch serve --host 0.0.0.0
    """
    import waitress

    from searchapp.model import SearchQuery
    from searchapp.web import create_app, service_for

    config = {"INDEX_DIR": index_dir} if index_dir else {}
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
                f"{exc}\n先建立索引 (build the index first): newsearch index seeds/ "
                f"--index-dir {app.config['INDEX_DIR']}") from None
        raise
    try:
        server = waitress.create_server(app, host=host, port=port, threads=threads, ident="newsearch")
    except OSError as exc:
        raise click.ClickException(f"无法监听 {host}:{port}：{exc.strerror or exc} (cannot listen)") from None
    shown_host = f"[{server.effective_host}]" if ":" in str(server.effective_host) else server.effective_host
    docs = info.get("doc_count", "?")
    click.echo(f"newsearch：索引 {app.config['INDEX_DIR']}（{docs} 篇文章）")
    click.echo(f"在 http://{shown_host}:{server.effective_port}/ 提供服务，{threads} 个线程；按 Ctrl+C 停止。")
    try:
        server.run()
    except KeyboardInterrupt:
        pass
    finally:
        server.close()
    click.echo("已停止 (stopped).")
