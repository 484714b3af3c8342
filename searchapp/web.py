"""The Flask web layer: search page, article page, export, Atom feed and JSON API.

Views only translate: request -> SearchQuery (searchapp.params), SearchService call,
results -> HTML / JSON / CSV / Atom. The app is read-only: only GET and HEAD are served.

    app = create_app({"INDEX_DIR": "var/index"})

Configuration: SETTINGS defaults, then environment variables (NEWSEARCH_INDEX_DIR, ...),
then the mapping passed to create_app. Nothing is read at import time.
"""
from __future__ import annotations

import os
import threading
import time
from dataclasses import dataclass, replace
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, Mapping

from flask import Flask, Response, abort, current_app, render_template, request, url_for
from markupsafe import Markup
from werkzeug.exceptions import HTTPException

from searchapp import amounts, batch, display, export, feeds, hosts, kwic, params, suggest, timeline, trends
from searchapp.links import Links, ViewLinks
from searchapp.model import FACETS, FacetValue, SearchQuery, SearchResults

PACKAGE_DIR = Path(__file__).resolve().parent
# Installed (wheel): searchapp/templates; from a checkout (editable install): ./templates.
TEMPLATE_DIR = next((d for d in (PACKAGE_DIR / "templates", PACKAGE_DIR.parent / "templates")
                     if (d / "base.html").is_file()), PACKAGE_DIR.parent / "templates")
SIDEBAR_FACETS = ("district", "year", "reporter", "correspondent", "photographer", "type")
# (Hit / article attribute, facet that filters by the name, role shown to the reader)
BYLINE_ROLES = (("reporters", "reporter", "记者"), ("correspondents", "correspondent", "通讯员"),
                ("photographers", "photographer", "摄影"))
ALLOWED_METHODS = ("GET", "HEAD")
# POST only where a form sends more than a URL holds (the batch search's list or file); it
# changes nothing on the server either.
POST_PATHS = ("/batch",)
MAX_ID_CHARS = 64
CSP = ("default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
       "font-src 'self'; connect-src 'self'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'")


@dataclass(frozen=True)
class Setting:
    name: str
    default: Any
    env: str | None
    help: str


SETTINGS = (
    Setting("INDEX_DIR", None, "NEWSEARCH_INDEX_DIR",
            "索引目录 (index directory); default: $NEWSEARCH_INDEX_DIR or ~/.local/share/newsearch/index"),
    Setting("PAGE_SIZE", 20, "NEWSEARCH_PAGE_SIZE", "每页结果数 (hits per page)"),
    Setting("MAX_PAGE_SIZE", 100, None, "API/页面 size 参数的上限 (upper bound of the size parameter)"),
    Setting("MAX_QUERY_CHARS", 500, "NEWSEARCH_MAX_QUERY_CHARS", "查询最长字数，超出部分截去 (longer queries are cut)"),
    Setting("FEED_SIZE", 50, None, "Atom 订阅中的条目数 (entries per feed, newest first)"),
    Setting("FACET_VISIBLE", 8, None, "每个分面先显示的取值数，其余收在“显示更多”里"),
    Setting("RELATED_SIZE", 5, None, "文章页“相关文章”的条数"),
    Setting("SITE_TITLE", "郑州日报区县新闻检索", None, "站点名称 (site title)"),
    Setting("BASE_URL", "", "NEWSEARCH_BASE_URL",
            "绝对链接的前缀，如 https://news.example.org (API links, feeds, exports); empty: relative links"),
)


def _coerce(setting: Setting, raw: str) -> Any:
    if isinstance(setting.default, int):
        try:
            return int(raw)
        except ValueError:
            raise ValueError(f"环境变量 {setting.env}={raw!r} 不是整数 (must be an integer)") from None
    return raw


def load_config(config: Mapping[str, Any] | None = None, environ: Mapping[str, str] | None = None) -> dict:
    """Defaults, then environment overrides, then the given mapping."""
    environ = os.environ if environ is None else environ
    values = {s.name: s.default for s in SETTINGS}
    for s in SETTINGS:
        if s.env and environ.get(s.env):
            values[s.name] = _coerce(s, environ[s.env])
    values.update(config or {})
    values["BASE_URL"] = hosts.normalize_base_url(values.get("BASE_URL"))
    if not values["INDEX_DIR"]:
        from indexer.indexing import default_index_dir
        values["INDEX_DIR"] = str(default_index_dir())
    return values


class ServiceHolder:
    """Opens the SearchService on first use (so a missing index is a clear 503, not a crash)."""

    INFO_TTL = 5.0      # seconds; the footer's article count need not be fresher

    def __init__(self, index_dir: str):
        self.index_dir = index_dir
        self._service = None
        self._lock = threading.Lock()
        self._info: tuple[float, dict] | None = None

    def get(self):
        if self._service is None:
            with self._lock:
                if self._service is None:
                    from searchapp.service import SearchService
                    self._service = SearchService(self.index_dir)
        return self._service

    def info(self) -> dict:
        """service.info(), cached for INFO_TTL seconds."""
        now = time.monotonic()
        cached = self._info
        if cached is None or now - cached[0] > self.INFO_TTL:
            cached = (now, self.get().info())
            self._info = cached
        return cached[1]


def service_for(app: Flask):
    """The app's SearchService; raises the index's own exception when it can't be opened."""
    return app.extensions["newsearch"].get()


def create_app(config: Mapping[str, Any] | None = None) -> Flask:
    app = Flask(__name__, template_folder=str(TEMPLATE_DIR), static_folder="static")
    app.config.update(load_config(config))
    app.config["JSON_AS_ASCII"] = False
    app.wsgi_app = hosts.HostCheck(app.wsgi_app)      # a malformed Host header: 400
    if app.config.get("MAX_CONTENT_LENGTH") is None:      # a batch upload, with room for the form
        app.config["MAX_CONTENT_LENGTH"] = batch.MAX_UPLOAD_BYTES + 64 * 1024
    app.extensions["newsearch"] = ServiceHolder(str(app.config["INDEX_DIR"]))
    app.jinja_env.globals.update(FACET_LABELS=params.FACET_LABELS, SORT_LABELS=params.SORT_LABELS,
                                 SIDEBAR_FACETS=SIDEBAR_FACETS, BYLINE_ROLES=BYLINE_ROLES, fmt_date=fmt_date,
                                 period_title=timeline.period_title)
    app.jinja_env.filters["fmt_date"] = fmt_date
    app.jinja_env.filters["quoted"] = display.quoted
    app.jinja_env.filters["path_breaks"] = display.path_breaks
    app.jinja_env.globals["UNTITLED"] = display.UNTITLED
    app.jinja_env.globals["SYNTAX_EXAMPLES"] = display.SYNTAX_EXAMPLES
    app.jinja_env.filters["wan"] = amounts.label
    app.jinja_env.trim_blocks = True
    app.jinja_env.lstrip_blocks = True
    _register_hooks(app)
    _register_routes(app)
    return app


# ---------------------------------------------------------------- helpers

def fmt_date(value: str | None) -> str:
    """'2022-03-27' stays; '--03-27' -> '3月27日（年份不详）'; None -> '日期不详'."""
    return display.date_text(value)


def _wants_json() -> bool:
    return request.path.startswith("/api/")


def _limits() -> params.Limits:
    c = current_app.config
    return params.Limits(page_size=c["PAGE_SIZE"], max_page_size=c["MAX_PAGE_SIZE"],
                         max_query_chars=c["MAX_QUERY_CHARS"])


def _parse_request() -> params.ParsedRequest:
    return params.parse_args(request.args.items(multi=True), _limits())


def _links(query: SearchQuery) -> Links:
    return Links(query, search_path=url_for("search_page"),
                 article_path=url_for("article_page", article_id="x")[:-1],
                 default_size=current_app.config["PAGE_SIZE"])


def _json(obj: Any, status: int = 200) -> Response:
    return Response(export.dumps(obj) + "\n", status=status, mimetype="application/json")


def _service():
    return service_for(current_app)


def _index_message(exc: Exception) -> str | None:
    """The Chinese message of the index's 'missing' / 'outdated' exceptions, else None."""
    if type(exc).__name__ in ("IndexNotFound", "IndexVersionMismatch", "EmptyIndexError"):
        return str(exc) or MESSAGES[503]
    return None


def _search(query: SearchQuery, full: bool = False, group: bool = False) -> SearchResults:
    if group:
        return _service().search(query, full=full, group=True)
    return _service().search(query, full=full) if full else _service().search(query)


def _full() -> bool:
    return params.wants_full(request.args.get(params.FULL_PARAM))


def _result_messages(query: SearchQuery, results: SearchResults) -> list[str]:
    return params.filter_notes(query, results)


def _facet_view(query: SearchQuery, results: SearchResults) -> dict:
    """Sidebar facets: the service's values plus any selected/excluded value it left out."""
    view = {}
    for facet in SIDEBAR_FACETS:
        values = list(results.facets.get(facet, []))
        present = {v.value for v in values}
        for v in query.included(facet):
            if v not in present:
                values.append(FacetValue(v, 0, selected=True))
        for v in query.excluded(facet):
            if v not in present:
                values.append(FacetValue(v, 0, excluded=True))
            else:
                values = [replace(x, excluded=True) if x.value == v else x for x in values]
        for i, x in enumerate(values):
            if x.value in query.included(facet) and not x.selected:
                values[i] = replace(x, selected=True)
        if facet == "year":
            values.sort(key=lambda x: x.value, reverse=True)
        view[facet] = values
    return view


def _chips(query: SearchQuery, links: Links) -> list[dict]:
    chips = []
    for facet in FACETS:
        label = params.FACET_LABELS[facet]
        for v in query.included(facet):
            chips.append({"label": label, "value": v, "kind": "include", "remove": links.remove(facet, v)})
        for v in query.excluded(facet):
            chips.append({"label": "排除" + label, "value": v, "kind": "exclude", "remove": links.remove(facet, v)})
    if query.date_from or query.date_to:
        if query.date_from == query.date_to:
            text = timeline.period_title(query.date_from) if len(query.date_from) < 10 else query.date_from
        else:
            text = f"{query.date_from or '最早'} 至 {query.date_to or '最新'}"
        chips.append({"label": "日期", "value": text, "kind": "date", "remove": links.without_dates()})
    if query.first_only:
        chips.append({"label": "只看", "value": "首发", "kind": "first", "remove": links.first_only(False)})
    if query.amount_min is not None or query.amount_max is not None:
        chips.append({"label": "金额", "value": amounts.range_text(query.amount_min, query.amount_max),
                      "kind": "amount", "remove": links.without_amount()})
    return chips


def _advice(query: SearchQuery) -> dict:
    """For an empty result: counted looser searches (links), the unfiltered count and the
    filters that empty the result (searchapp.suggest)."""
    advice = suggest.advise(_service(), query)
    probe_links = _links(query)
    return {"suggestions": [{"label": s.label, "count": s.count, "url": probe_links.search(s.query),
                             "kind": s.kind} for s in advice.suggestions],
            "unfiltered": advice.unfiltered, "culprits": advice.culprits}


def _pages(current: int, pages: int, width: int = 2) -> list[int | None]:
    """Page numbers to show, None for a gap: 1 … 4 5 [6] 7 8 … 20."""
    shown = {1, pages} | set(range(max(1, current - width), min(pages, current + width) + 1))
    out: list[int | None] = []
    prev = 0
    for n in sorted(shown):
        if n - prev > 1:
            out.append(None)
        out.append(n)
        prev = n
    return out


def _query_dict(query: SearchQuery) -> dict:
    d = {"q": query.q, "include": {k: list(v) for k, v in query.include},
         "exclude": {k: list(v) for k, v in query.exclude},
         "from": query.date_from, "to": query.date_to, "sort": query.sort,
         "page": query.page, "size": query.page_size}
    if query.amount_min is not None or query.amount_max is not None:
        d.update(amin=query.amount_min, amax=query.amount_max)
    return d


def _info() -> dict:
    """Index facts for the footer and the feed (cached briefly); {} when unavailable."""
    try:
        return current_app.extensions["newsearch"].info()
    except Exception:
        return {}


def _updated(info: dict) -> datetime:
    for key in ("updated", "built", "updated_at", "built_at"):
        value = info.get(key)
        if isinstance(value, (int, float)):
            return datetime.fromtimestamp(value, tz=timezone.utc)
        if isinstance(value, str):
            try:
                return datetime.fromisoformat(value)
            except ValueError:
                continue
    return datetime.now(timezone.utc)


def _root() -> str:
    """Absolute links start with the configured BASE_URL, never with the request's Host;
    without one they are relative ("/articles/…")."""
    return current_app.config["BASE_URL"]


def _article_prefix() -> str:
    return _root() + url_for("article_page", article_id="x")[:-1]


def _article_url_external(article_id: str) -> str:
    return _article_prefix() + article_id


def _download_name(ext: str) -> str:
    return f"newsearch-{datetime.now().strftime('%Y%m%d-%H%M%S')}.{ext}"


# ---------------------------------------------------------------- hooks and errors

def _register_hooks(app: Flask) -> None:
    @app.before_request
    def read_only():
        if request.method not in ALLOWED_METHODS and not (request.method == "POST"
                                                          and request.path in POST_PATHS):
            abort(405, valid_methods=list(ALLOWED_METHODS))

    @app.after_request
    def security_headers(resp: Response) -> Response:
        resp.headers["Content-Security-Policy"] = CSP
        resp.headers["X-Content-Type-Options"] = "nosniff"
        resp.headers["X-Frame-Options"] = "DENY"
        resp.headers["Referrer-Policy"] = "same-origin"
        resp.headers.setdefault("Cache-Control", "no-cache")
        return resp

    @app.errorhandler(HTTPException)
    def http_error(exc: HTTPException):
        return _error_response(exc.code or 500, _error_message(exc), exc)

    @app.errorhandler(Exception)
    def other_error(exc: Exception):
        message = _index_message(exc)
        if message is not None:
            return _error_response(503, message, None)
        current_app.logger.exception("unhandled error on %s", request.path)
        return _error_response(500, "服务器内部错误，请稍后再试。", None)


MESSAGES = {
    400: "请求无效。",
    404: "找不到这个页面。",
    405: "本站只读：只接受 GET 和 HEAD 请求。",
    413: "上传的内容过大（上限 1 MB）。",
    503: "索引暂不可用。",
}


def _error_message(exc: HTTPException) -> str:
    """Our own (Chinese) description, else a Chinese text for werkzeug's English default."""
    desc = exc.description if isinstance(exc.description, str) else ""
    if desc and desc != type(exc).description:
        return desc
    return MESSAGES.get(exc.code or 500, f"请求无法处理（HTTP {exc.code}）。")


def _error_response(code: int, message: str, exc: HTTPException | None):
    if _wants_json():
        resp = _json({"error": {"status": code, "message": message}}, status=code)
    else:
        html = render_template("error.html", code=code, message=message)
        resp = Response(html, status=code, mimetype="text/html")
    if exc is not None and code == 405:
        resp.headers["Allow"] = ", ".join(ALLOWED_METHODS)
    return resp


def _searched(full: bool = False, group: bool | None = None):
    """The request's search: (query, results, links for this state, messages for the user);
    `group`: one hit per story (None: as the URL says, all=1 lists every article)."""
    parsed = _parse_request()
    query = parsed.query
    results = _search(query, full, query.group if group is None else group)
    links = _links(replace(query, page=results.page))
    return query, results, links, list(parsed.messages) + _result_messages(query, results)


# ---------------------------------------------------------------- routes

def _register_routes(app: Flask) -> None:
    @app.get("/")
    def search_page():
        query, results, links, messages = _searched()
        current_period = query.date_from if query.date_from and query.date_from == query.date_to else None
        svg = timeline.render_timeline(results.timeline, lambda p: links.period(p), current_period)
        dated = sum(c for _, c in results.timeline)
        by_month = bool(results.timeline) and len(results.timeline[0][0]) == 7
        caption = (f"{results.timeline[0][0][:4]}年各月" if by_month else "各年") + "命中分布"
        advice = _advice(query) if results.total == 0 else {"suggestions": [], "unfiltered": 0, "culprits": ()}
        return render_template(
            "search.html", query=query, results=results, links=links, messages=messages,
            facets=_facet_view(query, results), chips=_chips(query, links),
            timeline_svg=Markup(svg), timeline_caption=caption, undated=results.total - dated,
            suggestions=advice["suggestions"], advice=advice,
            undated_left_out=suggest.undated_left_out(_service(), query),
            page_numbers=_pages(results.page, results.pages) if results.pages > 1 else [],
            info=_info(), facet_visible=current_app.config["FACET_VISIBLE"])

    @app.get("/articles/<article_id>")
    def article_page(article_id: str):
        parsed = _parse_request()
        article = _article_or_404(article_id, parsed.query.q)
        related = _service().related(article_id, limit=current_app.config["RELATED_SIZE"])
        links = _links(parsed.query)
        around = _service().neighbours(parsed.query, article_id)
        if around["position"]:
            # the way back lands on the result page that holds this article
            page = (around["position"] - 1) // parsed.query.page_size + 1
            links = _links(replace(parsed.query, page=page))
        return render_template("article.html", article=article, related=related, links=links,
                               query=parsed.query, info=_info(), around=around,
                               page_articles=_service().page_articles(article_id))

    @app.get("/export.csv")
    def export_csv():
        return _export("csv")

    @app.get("/export.json")
    def export_json():
        return _export("json")

    @app.get("/trends")
    def trends_page():
        req, t, links, href = _trends()
        svg = trends.render_svg(t, req.metric, href) if t else ""
        qs = request.query_string.decode("latin-1")
        same = ("?" + qs) if qs else ""
        hidden = [(k, v) for k, v in params.to_args(req.base, current_app.config["PAGE_SIZE"])
                  if k not in ("q", "sort", "page", "size")]
        return render_template("trends.html", req=req, t=t, links=links, href=href, svg=Markup(svg),
                               params_args=hidden, csv_url=url_for("trends_csv") + same,
                               json_url=url_for("api_trends") + same,
                               chips=_chips(req.base, links), info=_info(), trends=trends,
                               slots=list(req.queries) + [""] * (trends.MAX_QUERIES - len(req.queries)))

    @app.get("/api/trends")
    def api_trends():
        req, t, links, href = _trends()
        root = _root()
        body = trends.to_dict(t, lambda k, p: root + href(k, p)) if t else \
            {"by": req.by, "periods": [], "all": [], "series": [], "messages": list(req.messages)}
        body["query"] = {**_query_dict(req.base), "q": list(req.queries), "y": req.metric}
        return _json(body)

    @app.get("/trends.csv")
    def trends_csv():
        req, t, _, _ = _trends()
        resp = Response(trends.csv_chunks(t) if t else iter(["\ufeff时段,全部文章\r\n"]),
                        mimetype="text/csv; charset=utf-8")
        resp.headers["Content-Disposition"] = f'attachment; filename="{_download_name("trends.csv")}"'
        return resp

    @app.get("/amounts.csv")
    def export_amounts():
        query = replace(_parse_request().query, page=1, page_size=1)
        resp = Response(amounts.csv_chunks(_search(query).amounts), mimetype="text/csv; charset=utf-8")
        resp.headers["Content-Disposition"] = f'attachment; filename="{_download_name("amounts.csv")}"'
        return resp

    @app.get("/feed.atom")
    def feed():
        query = replace(_parse_request().query, sort="newest", page=1,
                        page_size=current_app.config["FEED_SIZE"])
        results = _search(query)
        links = _links(query)
        title = current_app.config["SITE_TITLE"] + (f"：{query.q}" if query.q else "：最新文章")
        filters = "；".join(f"{c['label']} {c['value']}" for c in _chips(query, links))
        if filters:
            title += f"（{filters}）"
        root = _root()
        xml = feeds.atom_feed(
            results.hits, title=title, feed_id=hosts.feed_id(root, links.other(url_for("feed"))),
            self_url=root + links.other(url_for("feed")),
            html_url=root + links.search(replace(query, sort="newest")),
            url_for_id=_article_url_external, updated=_updated(_info()),
            first_seen=_service().first_seen())
        return Response(xml, mimetype="application/atom+xml")

    @app.get("/api/search")
    def api_search():
        full = _full()
        # one hit per story only when asked (group=1): API pages hold `size` articles
        query, results, links, messages = _searched(full, group=params.flag(request.args.get("group")))
        body = {"query": _query_dict(query), **results.to_dict()}
        body["messages"] = messages
        root = _root()
        extra = {params.FULL_PARAM: "1"} if full else {}
        body["links"] = {
            "self": root + links.other_with_page(url_for("api_search"), **extra),
            "html": root + links.search(),
            "next": root + _links(replace(query, page=results.page + 1)).other_with_page(url_for("api_search"), **extra)
            if results.page < results.pages else None,
            "csv": root + links.other(url_for("export_csv"), **extra),
            "json": root + links.other(url_for("export_json"), **extra),
            "csv_full": root + links.other(url_for("export_csv"), **{params.FULL_PARAM: "1"}),
            "json_full": root + links.other(url_for("export_json"), **{params.FULL_PARAM: "1"}),
            "atom": root + links.other(url_for("feed")),
        }
        return _json(body)

    @app.get("/api/articles/<article_id>")
    def api_article(article_id: str):
        parsed = _parse_request()
        article = _article_or_404(article_id, parsed.query.q)
        related = _service().related(article_id, limit=current_app.config["RELATED_SIZE"])
        body = dict(article)
        body["url"] = _article_url_external(article_id)
        body["related"] = [h.to_dict() for h in related]
        return _json(body)

    @app.get("/kwic")
    def kwic_page():
        query, width, order, links, messages = _kwic_request()
        pg = kwic.page(_service(), query, width, order, query.page, query.page_size)
        for m in pg.messages:
            if m not in messages:
                messages.append(m)
        search_links = _links(replace(query, page=1, page_size=current_app.config["PAGE_SIZE"]))
        return render_template(
            "kwic.html", query=query, kwic=pg, links=links, search_links=search_links,
            messages=messages, chips=_chips(query, links), ORDER_LABELS=kwic.ORDER_LABELS,
            FIELD_LABELS=kwic.FIELD_LABELS, default_width=kwic.DEFAULT_WIDTH,
            page_numbers=_pages(pg.page, pg.pages) if pg.pages > 1 else [], info=_info())

    @app.get("/kwic.csv")
    def kwic_csv():
        return _kwic_export("csv")

    @app.get("/kwic.json")
    def kwic_json():
        return _kwic_export("json")

    @app.route("/batch", methods=["GET", "HEAD", "POST"])
    def batch_page():
        base, lines, messages, text, header = _batch_request()
        svc = _service()
        fmt = (request.form if request.method == "POST" else request.args).get("format", "")
        if fmt in ("csv", "json") and lines:
            problems: list = []
            rows = batch.iter_rows(svc, lines, base, problems)
            url_for_row = _batch_url_for(base)
            if fmt == "csv":
                body = batch.csv_chunks(rows, problems, svc.facet_values("district"),
                                        svc.facet_values("year"), url_for_row)
                mimetype = "text/csv; charset=utf-8"
            else:
                body, mimetype = batch.json_chunks(rows, problems, url_for_row), "application/json"
            resp = Response(body, mimetype=mimetype)
            resp.headers["Content-Disposition"] = f'attachment; filename="batch-{_download_name(fmt)}"'
            return resp
        result = batch.run(svc, lines, base) if lines else None
        links = _links(replace(base, page=1))
        row_links = {}
        if result is not None:
            for r in result.rows:
                row_links[r.no] = _links(replace(base, q=r.query, page=1, sort="relevance")).search()
        return render_template(
            "batch.html", query=base, result=result, text=text, header=header, messages=messages,
            row_links=row_links, districts=svc.facet_values("district"), years=svc.facet_values("year"),
            chips=_chips(base, links), links=links, max_lines=batch.MAX_LINES, info=_info())

    @app.get("/api/info")
    def api_info():
        info = _service().info()
        return _json({k: (v if isinstance(v, (str, int, float, bool, type(None), list, dict)) else str(v))
                      for k, v in info.items()})


BATCH_FIELDS = ("lines", "file", "header", "format", "q", "page", "size", "sort")


def _batch_request():
    """(base query with the page's filters, input lines, messages, pasted text) of /batch.

    The list comes from the uploaded file if one was sent, else from the text box."""
    source = request.form if request.method == "POST" else request.args
    pairs = [(k, v) for k, v in source.items(multi=True) if k not in BATCH_FIELDS]
    parsed = params.parse_args(pairs, _limits())
    messages = list(parsed.messages)
    header = source.get("header") == "1"
    text = source.get("lines", "")
    upload = request.files.get("file") if request.method == "POST" else None
    lines: list = []
    if upload is not None and upload.filename:
        name = Path(upload.filename).name
        try:
            content = batch.decode(upload.read(batch.MAX_UPLOAD_BYTES + 1), name)
        except ValueError as e:
            messages.append(str(e))
        else:
            lines = batch.read_lines(content, csv_format=batch.is_csv(name), header=header)
            messages.append(f"已读取文件“{name}”：{len(lines)} 行。")
            if text.strip():
                messages.append("已使用上传的文件，粘贴框中的内容未使用。")
            text = "\n".join(ln.text.strip() for ln in lines)
            lines = batch.read_lines(text)         # numbered as the text box now shows them
    elif text.strip():
        lines = batch.read_lines(text, header=header)
    return parsed.query, lines, messages, text, header


def _batch_url_for(base: SearchQuery):
    """Row -> absolute URL of its search; needs no request context (used while streaming)."""
    prefix = _root()
    links = _links(base)

    def url_for_row(row) -> str:
        return prefix + replace(links, query=replace(base, q=row.query, page=1, sort="relevance")).search()
    return url_for_row


KWIC_PARAMS = ("width", "order")


def _kwic_request():
    """(query, width, order, links, messages) of a /kwic request: the search parameters plus
    width and order; lines per page default to kwic.DEFAULT_PAGE_SIZE."""
    pairs = [(k, v) for k, v in request.args.items(multi=True) if k not in KWIC_PARAMS]
    c = current_app.config
    limits = params.Limits(page_size=kwic.DEFAULT_PAGE_SIZE, max_page_size=max(c["MAX_PAGE_SIZE"], 500),
                           max_query_chars=c["MAX_QUERY_CHARS"])
    parsed = params.parse_args(pairs, limits)
    width, m1 = kwic.parse_width(request.args.get("width"))
    order, m2 = kwic.parse_order(request.args.get("order"))
    extra = tuple((k, v) for k, v in (("width", str(width) if width != kwic.DEFAULT_WIDTH else ""),
                                      ("order", order if order != "date" else "")) if v)
    links = ViewLinks(parsed.query, search_path=url_for("kwic_page"),
                      article_path=url_for("article_page", article_id="x")[:-1],
                      default_size=kwic.DEFAULT_PAGE_SIZE, extra=extra)
    return parsed.query, width, order, links, list(parsed.messages) + [m for m in (m1, m2) if m]


def _kwic_export(kind: str) -> Response:
    query, width, order, links, _ = _kwic_request()
    prefix = _article_prefix()
    lines = kwic.lines(_service(), replace(query, page=1), width, order)

    def url_for_line(ln) -> str:
        return prefix + ln.id + ln.anchor()

    if kind == "csv":
        body, mimetype = kwic.csv_chunks(lines, url_for_line), "text/csv; charset=utf-8"
    else:
        body, mimetype = kwic.json_chunks(lines, url_for_line), "application/json"
    resp = Response(body, mimetype=mimetype)
    resp.headers["Content-Disposition"] = f'attachment; filename="kwic-{_download_name(kind)}"'
    return resp


def _trends():
    """The request's trend comparison: (request, Trends or None without queries, links of the
    filters, href(query index, period) -> the search narrowed to that period)."""
    req = trends.parse_request(request.args.items(multi=True), _limits())
    links = _links(req.base)
    t = trends.compute(_service(), req) if req.queries else None

    def href(k: int, period: str) -> str:
        q = replace(req.base, q=req.queries[k], sort="relevance", date_from=period, date_to=period)
        return links.search(q)

    return req, t, links, href


def _article_or_404(article_id: str, q: str) -> dict:
    if len(article_id) > MAX_ID_CHARS or not article_id.isalnum():
        abort(404, description=f"找不到编号为“{article_id[:MAX_ID_CHARS]}”的文章。")
    article = _service().article(article_id, q)
    if article is None:
        abort(404, description=f"找不到编号为“{article_id}”的文章，它可能已从索引中删除。")
    return article


def _export(kind: str) -> Response:
    """The whole result set (no page, no cap), streamed. The generator needs no request
    context: the article URL prefix is taken now."""
    query = replace(_parse_request().query, page=1)
    full = _full()
    hits = _service().iter_hits(query, full=full) if full else _service().iter_hits(query)
    prefix = _article_prefix()

    def url_for_id(article_id: str) -> str:
        return prefix + article_id

    if kind == "csv":
        body, content_type = export.csv_chunks(hits, url_for_id, full=full), "text/csv; charset=utf-8"
    else:
        body, content_type = export.json_chunks(hits, url_for_id), "application/json"
    resp = Response(body, content_type=content_type)
    resp.headers["Content-Disposition"] = f'attachment; filename="{_download_name(kind)}"'
    return resp
