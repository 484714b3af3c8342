"""Server-side SVG bar chart of hits per year (or per month within one year).

Pure: buckets in, SVG text out. Every bar with hits is a link (made by the caller's
`href(period)`) that filters the search to that period. All text is escaped.
"""
from __future__ import annotations

import re
from html import escape
from typing import Callable, Sequence

WIDTH = 920
HEIGHT = 96
TOP = 16            # room for the count above the tallest bar
BOTTOM = 18         # room for the period label
MAX_BAR = 44
MAX_SLOT = 64       # few bars stay narrow and left-aligned instead of spreading out
MAX_BARS = 80       # gaps are filled only while the axis stays readable

_YEAR = re.compile(r"^\d{4}$")
_MONTH = re.compile(r"^(\d{4})-(\d{2})$")


def fill_gaps(buckets: Sequence[tuple[str, int]]) -> list[tuple[str, int]]:
    """Add zero bars for missing years (or all twelve months of a one-year month view)."""
    counts = {p: c for p, c in buckets}
    periods = list(counts)
    if periods and all(_YEAR.match(p) for p in periods):
        lo, hi = min(map(int, periods)), max(map(int, periods))
        if hi - lo < MAX_BARS:
            return [(str(y), counts.get(str(y), 0)) for y in range(lo, hi + 1)]
    months = [_MONTH.match(p) for p in periods]
    if periods and all(months) and len({m.group(1) for m in months}) == 1:
        year = months[0].group(1)
        return [(f"{year}-{m:02d}", counts.get(f"{year}-{m:02d}", 0)) for m in range(1, 13)]
    return sorted(counts.items())


def period_label(period: str) -> str:
    """Short axis label: '2022' or '3月'."""
    m = _MONTH.match(period)
    return f"{int(m.group(2))}月" if m else period


def period_title(period: str) -> str:
    """Long label for tooltips and chips: '2022年' / '2022年3月'."""
    m = _MONTH.match(period)
    if m:
        return f"{m.group(1)}年{int(m.group(2))}月"
    return f"{period}年" if _YEAR.match(period) else period


def render_timeline(buckets: Sequence[tuple[str, int]], href: Callable[[str], str],
                    current: str | None = None) -> str:
    """SVG markup for the buckets; '' when there is nothing to draw."""
    bars = fill_gaps(buckets)
    if not bars or not any(c for _, c in bars):
        return ""
    n = len(bars)
    slot = min(WIDTH / n, MAX_SLOT)
    width = slot * n
    bar_w = min(MAX_BAR, slot * 0.72)
    peak = max(c for _, c in bars)
    plot_h = HEIGHT - TOP - BOTTOM
    by_month = all(_MONTH.match(p) for p, _ in bars)
    label_every = max(1, -(-n // 16))        # at most ~16 labels on the axis
    kind = "月份" if by_month else "年份"
    parts = [
        f'<svg class="timeline" viewBox="0 0 {width:.0f} {HEIGHT}" width="{width:.0f}" height="{HEIGHT}" role="img" '
        f'aria-label="{escape(f"命中文章按{kind}分布")}" xmlns="http://www.w3.org/2000/svg">',
        f'<line class="axis" x1="0" y1="{HEIGHT - BOTTOM + 0.5}" x2="{width:.0f}" y2="{HEIGHT - BOTTOM + 0.5}"/>',
    ]
    for i, (period, count) in enumerate(bars):
        cx = slot * i + slot / 2
        h = 0 if count == 0 else max(2.0, plot_h * count / peak)
        x, y = cx - bar_w / 2, HEIGHT - BOTTOM - h
        tip = escape(f"{period_title(period)}：{count} 条")
        cls = "bar current" if period == current else "bar"
        bar = (f'<rect class="{cls}" x="{x:.1f}" y="{y:.1f}" width="{bar_w:.1f}" height="{h:.1f}"/>'
               f'<rect class="hotspot" x="{cx - slot / 2:.1f}" y="0" width="{slot:.1f}" height="{HEIGHT - BOTTOM}"/>')
        label = ""
        if count:
            label = f'<text class="count" x="{cx:.1f}" y="{y - 3:.1f}">{count}</text>'
        if i % label_every == 0 or n <= 16:
            label += (f'<text class="label" x="{cx:.1f}" y="{HEIGHT - 5}">'
                      f'{escape(period_label(period))}</text>')
        if count:
            parts.append(f'<a class="period" href="{escape(href(period))}" data-period="{escape(period)}">'
                         f'<title>{tip}，点击只看这一时段</title>{bar}{label}</a>')
        else:
            parts.append(f'<g class="period empty"><title>{tip}</title>{bar}{label}</g>')
    parts.append("</svg>")
    return "".join(parts)
