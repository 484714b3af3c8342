"""Term trends (/trends): how often subjects come up over time.

Up to MAX_QUERIES queries (each any query of the search language) with the search page's
filters: per year (or per month) the number of matching articles and their share of all
articles of that period that pass the same filters. Pure apart from the one service call
in ``compute``: the SVG line chart, the table rows, JSON and CSV are built from a Trends.
"""
from __future__ import annotations

import csv
import io
import math
from dataclasses import dataclass, field, replace
from html import escape
from typing import Callable, Iterable, Iterator

from searchapp import params
from searchapp.model import SearchQuery
from searchapp.timeline import period_title

MAX_QUERIES = 6
BYS = ("year", "month")
METRICS = ("count", "share")
BY_LABELS = {"year": "按年", "month": "按月"}
METRIC_LABELS = {"count": "篇数", "share": "占比"}
# Colour-blind-safe palette (Okabe-Ito), one per query.
COLORS = ("#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00", "#56B4E9")
FONT = "'Noto Sans CJK SC','Noto Sans SC','Source Han Sans SC','Microsoft YaHei','PingFang SC',sans-serif"
TREND_PARAMS = ("q", "by", "y")

WIDTH, HEIGHT = 920, 340
LEFT, RIGHT, TOP, BOTTOM = 64, 16, 40, 44


@dataclass
class Series:
    q: str
    counts: list[int]
    shares: list[float]         # counts / all articles of the period (0 when none)
    total: int


@dataclass
class Trends:
    by: str
    periods: list[str]
    base: list[int]             # all articles of each period passing the filters
    series: list[Series] = field(default_factory=list)
    messages: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class TrendRequest:
    base: SearchQuery           # the filters (q empty)
    queries: tuple[str, ...]
    by: str | None              # None: automatic
    metric: str
    messages: tuple[str, ...] = ()


def parse_request(pairs: Iterable[tuple[str, str]], limits: params.Limits = params.Limits()) -> TrendRequest:
    """Query-string pairs -> the queries (repeated q), by, y and the page's filters."""
    pairs = list(pairs)
    rest = [(k, v) for k, v in pairs if k not in TREND_PARAMS]
    parsed = params.parse_args(rest, limits)
    messages = list(parsed.messages)
    queries: list[str] = []
    for k, v in pairs:
        if k != "q":
            continue
        q, msg = params.parse_q(v, limits.max_query_chars)
        if msg:
            messages.append(msg)
        if q and q not in queries:
            queries.append(q)
    if len(queries) > MAX_QUERIES:
        messages.append(f"最多比较 {MAX_QUERIES} 个查询，其余已忽略：{'、'.join(queries[MAX_QUERIES:])}。")
        queries = queries[:MAX_QUERIES]
    by = dict(pairs).get("by") or None
    if by is not None and by not in BYS:
        messages.append(f"未知的时间粒度“{params.clean_text(by)[:10]}”，已自动选择。")
        by = None
    metric = dict(pairs).get("y") or "count"
    if metric not in METRICS:
        messages.append(f"未知的纵轴“{params.clean_text(metric)[:10]}”，已按篇数显示。")
        metric = "count"
    base = replace(parsed.query, q="", sort="newest", page=1)
    return TrendRequest(base=base, queries=tuple(queries), by=by, metric=metric, messages=tuple(messages))


def _span(periods: Iterable[str], by: str) -> list[str]:
    """Every period from the first to the last one (gaps filled)."""
    periods = sorted(periods)
    if not periods:
        return []
    if by == "year":
        return [f"{y:04d}" for y in range(int(periods[0]), int(periods[-1]) + 1)]
    (y0, m0), (y1, m1) = (map(int, p.split("-")) for p in (periods[0], periods[-1]))
    out = []
    y, m = y0, m0
    while (y, m) <= (y1, m1):
        out.append(f"{y:04d}-{m:02d}")
        y, m = (y + 1, 1) if m == 12 else (y, m + 1)
    return out


def compute(service, req: TrendRequest) -> Trends:
    """Counts of every query and of all (filtered) articles per period, from the service."""
    base_q = req.base
    by = req.by
    if by is None:       # by year, or by month when the filtered articles fall in one year
        years = service.period_counts([base_q], "year")[0][0]
        by = "month" if len(years) == 1 else "year"
    queries = [replace(base_q, q=q, sort="relevance") for q in req.queries]
    counted = service.period_counts([base_q] + queries, by)
    base_counts = counted[0][0]
    periods = _span(base_counts, by)
    messages = list(req.messages)
    for _, msgs in counted[1:]:
        messages.extend(m for m in msgs if m not in messages)
    base = [base_counts.get(p, 0) for p in periods]
    series = []
    for q, (counts, _) in zip(req.queries, counted[1:]):
        c = [counts.get(p, 0) for p in periods]
        series.append(Series(q=q, counts=c, shares=[x / b if b else 0.0 for x, b in zip(c, base)],
                             total=sum(c)))
    return Trends(by=by, periods=periods, base=base, series=series, messages=messages)


# ---------------------------------------------------------------- output

def period_label(period: str) -> str:
    """Axis label: '2022', '2022-03' -> '22年3月' (month labels stay short)."""
    if len(period) == 7:
        return f"{period[2:4]}年{int(period[5:])}月"
    return period


def share_text(share: float) -> str:
    return f"{share * 100:.1f}%" if share else "0%"


def _nice_max(value: float) -> tuple[float, float]:
    """(axis maximum, tick step) with 4-5 round ticks."""
    if value <= 0:
        return 1.0, 0.25
    raw = value / 4
    mag = 10 ** math.floor(math.log10(raw))
    step = next(s * mag for s in (1, 2, 2.5, 5, 10) if s * mag >= raw)
    return step * math.ceil(value / step), step


def render_svg(t: Trends, metric: str, href: Callable[[int, str], str]) -> str:
    """A line chart, one line per query; every point is a link (href(query index, period)).
    Text is escaped; colours are presentation attributes (the CSP forbids inline styles)."""
    if not t.periods or not t.series:
        return ""
    values = [[s.shares[i] if metric == "share" else s.counts[i] for i in range(len(t.periods))]
              for s in t.series]
    top, step = _nice_max(max(max(v) for v in values))
    n = len(t.periods)
    plot_w, plot_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM

    def x(i: int) -> float:
        return LEFT + (plot_w * (i + 0.5) / n)

    def y(v: float) -> float:
        return TOP + plot_h * (1 - v / top)

    what = "占当期文章的比例" if metric == "share" else "命中文章篇数"
    title = f"{'、'.join(s.q for s in t.series)}：{BY_LABELS[t.by]}{what}"
    parts = [f'<svg class="trend-chart" viewBox="0 0 {WIDTH} {HEIGHT}" width="{WIDTH}" height="{HEIGHT}" '
             f'role="img" aria-label="{escape(title)}" font-family="{FONT}" xmlns="http://www.w3.org/2000/svg">',
             f'<title>{escape(title)}</title>']
    # legend
    lx = LEFT
    for k, s in enumerate(t.series):
        label = s.q if len(s.q) <= 16 else s.q[:15] + "…"
        parts.append(f'<g class="legend" data-series="{k}"><rect x="{lx}" y="12" width="14" height="4" '
                     f'fill="{COLORS[k]}"/><text x="{lx + 18}" y="19" font-size="13" fill="#1f2937">'
                     f'{escape(label)}（{s.total}）</text></g>')
        lx += 18 + 14 * (len(label) + 5) + 16
    # grid and y labels
    v = 0.0
    while v <= top + 1e-9:
        yy = y(v)
        label = share_text(v) if metric == "share" else f"{v:g}"
        parts.append(f'<line class="grid" x1="{LEFT}" y1="{yy:.1f}" x2="{WIDTH - RIGHT}" y2="{yy:.1f}" '
                     f'stroke="#e3e5e8" stroke-width="1"/>'
                     f'<text class="ylabel" x="{LEFT - 6}" y="{yy + 4:.1f}" font-size="12" fill="#6b7280" '
                     f'text-anchor="end">{escape(label)}</text>')
        v += step
    # x labels
    every = max(1, -(-n // 12))
    for i, p in enumerate(t.periods):
        if i % every == 0 or i == n - 1:
            parts.append(f'<text class="xlabel" x="{x(i):.1f}" y="{HEIGHT - BOTTOM + 18}" font-size="12" '
                         f'fill="#374151" text-anchor="middle">{escape(period_label(p))}</text>')
    parts.append(f'<text x="{LEFT + plot_w / 2:.0f}" y="{HEIGHT - 6}" font-size="12" fill="#6b7280" '
                 f'text-anchor="middle">{"年份" if t.by == "year" else "月份"}（点击数据点查看该时段的文章）</text>')
    # lines and points
    for k, (s, vals) in enumerate(zip(t.series, values)):
        pts = " ".join(f"{x(i):.1f},{y(v):.1f}" for i, v in enumerate(vals))
        parts.append(f'<polyline class="line" data-series="{k}" points="{pts}" fill="none" '
                     f'stroke="{COLORS[k]}" stroke-width="2"/>')
        for i, (p, v) in enumerate(zip(t.periods, vals)):
            tip = (f"{s.q} · {period_title(p)}：{s.counts[i]} 篇，占当期 {t.base[i]} 篇的 "
                   f"{share_text(s.shares[i])}")
            dot = (f'<circle cx="{x(i):.1f}" cy="{y(v):.1f}" r="4" fill="{COLORS[k]}" stroke="#fff" '
                   f'stroke-width="1.5"/>')
            if s.counts[i]:
                parts.append(f'<a class="point" href="{escape(href(k, p))}" data-series="{k}" '
                             f'data-period="{escape(p)}" data-count="{s.counts[i]}"><title>{escape(tip)}</title>'
                             f'<circle cx="{x(i):.1f}" cy="{y(v):.1f}" r="9" fill="transparent"/>{dot}</a>')
            else:
                parts.append(f'<g class="point empty" data-series="{k}" data-period="{escape(p)}" '
                             f'data-count="0"><title>{escape(tip)}</title>{dot}</g>')
    parts.append("</svg>")
    return "".join(parts)


def to_dict(t: Trends, links: Callable[[int, str], str] | None = None) -> dict:
    return {
        "by": t.by, "periods": t.periods, "all": t.base,
        "series": [{"q": s.q, "total": s.total, "counts": s.counts,
                    "shares": [round(x, 6) for x in s.shares],
                    **({"links": [links(k, p) for p in t.periods]} if links else {})}
                   for k, s in enumerate(t.series)],
        "messages": t.messages,
    }


def csv_chunks(t: Trends) -> Iterator[str]:
    """One row per period: 时段, 全部文章, then 篇数 and 占比 of each query (UTF-8 with BOM)."""
    from searchapp.export import neutralise_cell

    buf = io.StringIO()
    buf.write("\ufeff")
    w = csv.writer(buf, lineterminator="\r\n")
    w.writerow(["时段", "全部文章"] + [neutralise_cell(h) for s in t.series
                                       for h in (f"{s.q} 篇数", f"{s.q} 占比")])
    for i, p in enumerate(t.periods):
        w.writerow([p, t.base[i]] + [v for s in t.series for v in (s.counts[i], f"{s.shares[i]:.6f}")])
    yield buf.getvalue()
