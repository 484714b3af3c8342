"""Request parameters <-> SearchQuery.

One small pure parser per form field (q, facets, from/to, sort, page, size). Each returns
the corrected value and, when it had to correct something, a message in Chinese for the
user. Nothing here raises on user input and nothing here imports Flask: the web layer
passes the raw (name, value) pairs of the query string.

`to_args` is the inverse: it turns a SearchQuery back into URL parameters, so that every
state of the search page is a shareable URL and every link is "this state, plus one change".
"""
from __future__ import annotations

import re
from dataclasses import dataclass, replace
from typing import Iterable

from indexer.amounts import parse_amount
from searchapp import aliases
from searchapp.facets import date_bound, parse_partial_date
from searchapp.model import FACETS, SORTS, SearchQuery

FACET_LABELS = {"district": "区县", "year": "年份", "month": "月份", "reporter": "记者",
                "correspondent": "通讯员", "photographer": "摄影", "type": "项目类型"}
SORT_LABELS = {"relevance": "相关度", "newest": "最新", "oldest": "最早"}
EXCLUDE_PREFIX = "x"          # xdistrict=惠济区 excludes a value
SCALAR_PARAMS = ("q", "from", "to", "sort", "page", "size", "amin", "amax", "all", "first", "group")
FULL_PARAM = "full"           # full=1: export / API hits carry the whole body (not a search setting)
KNOWN_PARAMS = frozenset(SCALAR_PARAMS) | frozenset(FACETS) | {EXCLUDE_PREFIX + f for f in FACETS} | {FULL_PARAM}

_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u200b-\u200f\u2028-\u202e\u2060-\u2064\ufeff]")
_SPACE = re.compile(r"\s+")
_YEAR = re.compile(r"^\d{4}$", re.ASCII)
_MONTH = re.compile(r"^(\d{4})\s*[-/.年]\s*(\d{1,2})\s*月?$", re.ASCII)
MIN_YEAR, MAX_YEAR = 1900, 2100
# full-width digits and date punctuation -> ASCII (typed with a Chinese input method)
_HALF_WIDTH = str.maketrans("０１２３４５６７８９－／．＋", "0123456789-/.+")


@dataclass(frozen=True)
class Limits:
    """Bounds applied to user input (from the app config)."""
    page_size: int = 20
    max_page_size: int = 100
    max_page: int = 100_000
    max_query_chars: int = 500
    max_values: int = 20           # values per facet parameter
    max_value_chars: int = 40


@dataclass(frozen=True)
class ParsedRequest:
    query: SearchQuery
    messages: tuple[str, ...] = ()


def clean_text(raw: str) -> str:
    """Drop control/invisible characters and collapse whitespace."""
    return _SPACE.sub(" ", _CONTROL.sub("", raw)).strip()


def _ascii(raw: str) -> str:
    return clean_text(raw).translate(_HALF_WIDTH)


def _shown(value: str, limit: int = 20) -> str:
    """A user value quoted in a message, shortened."""
    value = clean_text(value)
    return value if len(value) <= limit else value[:limit] + "…"


def parse_q(raw: str | None, max_chars: int) -> tuple[str, str | None]:
    q = clean_text(raw or "")
    if len(q) > max_chars:
        return q[:max_chars].rstrip(), f"查询过长（{len(q)} 字），只使用了前 {max_chars} 字。"
    return q, None


def _month_value(raw: str) -> str | None:
    m = _MONTH.match(raw)
    if not m:
        return None
    y, mo = int(m.group(1)), int(m.group(2))
    if MIN_YEAR <= y <= MAX_YEAR and 1 <= mo <= 12:
        return f"{y:04d}-{mo:02d}"
    return None


def parse_facet_values(facet: str, raw_values: Iterable[str], limits: Limits) -> tuple[tuple[str, ...], list[str]]:
    """Clean, validate and de-duplicate the values of one facet parameter."""
    label = FACET_LABELS[facet]
    values: list[str] = []
    messages: list[str] = []
    for raw in raw_values:
        v = _ascii(raw) if facet in ("year", "month") else clean_text(raw)
        if not v:
            continue
        if facet == "year" and not (_YEAR.match(v) and MIN_YEAR <= int(v) <= MAX_YEAR):
            messages.append(f"{label}“{_shown(v)}”无效（应为四位年份，如 2022），已忽略。")
            continue
        if facet == "month":
            mv = _month_value(v)
            if mv is None:
                messages.append(f"{label}“{_shown(v)}”无效（应为 年-月，如 2022-03），已忽略。")
                continue
            v = mv
        if len(v) > limits.max_value_chars:
            messages.append(f"{label}“{_shown(v)}”过长，已忽略。")
            continue
        resolved, notes = aliases.resolve(facet, [v])
        messages.extend(f"{label}{n}" for n in notes)
        v = resolved[0]
        if v not in values:
            values.append(v)
    if len(values) > limits.max_values:
        messages.append(f"{label}最多可选 {limits.max_values} 项，其余已忽略。")
        values = values[: limits.max_values]
    return tuple(values), messages


def parse_date(raw: str | None, label: str) -> tuple[str | None, str | None]:
    """'2022', '2022-3', '2022/03/05', '2022年3月5日', '20220305' -> 'YYYY[-MM[-DD]]'."""
    text = _ascii(raw or "")
    if not text:
        return None, None
    bad = f"{label}“{_shown(text)}”不是有效日期（可写 2022、2022-03 或 2022-03-05），已忽略。"
    try:
        y, mo, d = parse_partial_date(text)
    except ValueError:
        return None, bad
    if not MIN_YEAR <= y <= MAX_YEAR:
        return None, bad
    return "-".join([f"{y:04d}"] + [f"{v:02d}" for v in (mo, d) if v is not None]), None


def parse_date_range(raw_from: str | None, raw_to: str | None) -> tuple[str | None, str | None, list[str]]:
    d_from, m1 = parse_date(raw_from, "起始日期")
    d_to, m2 = parse_date(raw_to, "结束日期")
    messages = [m for m in (m1, m2) if m]
    if d_from and d_to and date_bound(d_from, False) > date_bound(d_to, True):
        d_from, d_to = d_to, d_from
        messages.append("起始日期晚于结束日期，已将两者对调。")
    return d_from, d_to, messages


def parse_amount_range(raw_min: str | None, raw_max: str | None) -> tuple[float | None, float | None, list[str]]:
    """金额 bounds in 万元: "5000", "5000万", "3亿", "3.2亿元" (a bare number is 万元)."""
    bounds, messages = [], []
    for raw, label in ((raw_min, "最低金额"), (raw_max, "最高金额")):
        text = clean_text(raw or "")
        if not text:
            bounds.append(None)
            continue
        value = parse_amount(text)
        if value is None or value < 0:
            messages.append(f"{label}“{_shown(text)}”无效（可写 5000、5000万 或 3.2亿，单位万元），已忽略。")
            bounds.append(None)
        else:
            bounds.append(value)
    lo, hi = bounds
    if lo is not None and hi is not None and lo > hi:
        lo, hi = hi, lo
        messages.append("最低金额高于最高金额，已将两者对调。")
    return lo, hi, messages


def flag(raw: str | None) -> bool:
    """A yes/no URL parameter: 1, true, yes, on."""
    return clean_text(raw or "").lower() in ("1", "true", "yes", "on")


def _amount_arg(value: float) -> str:
    return f"{value:g}"


def parse_sort(raw: str | None, q: str) -> tuple[str, str | None]:
    """Default: relevance for a query, newest when browsing without one."""
    default = "relevance" if q else "newest"
    value = clean_text(raw or "").lower()
    if not value:
        return default, None
    if value in SORTS:
        return value, None
    return default, f"未知的排序方式“{_shown(value)}”，已按{SORT_LABELS[default]}排序。"


def _parse_int(raw: str | None) -> int | None:
    text = _ascii(raw or "")
    if re.fullmatch(r"[+-]?[0-9]{1,30}", text):
        return int(text)
    return None


def parse_page(raw: str | None, max_page: int) -> tuple[int, str | None]:
    if raw is None or not clean_text(raw):
        return 1, None
    n = _parse_int(raw)
    if n is None:
        return 1, f"页码“{_shown(raw)}”无效，已显示第 1 页。"
    if n < 1:
        return 1, f"页码 {n} 无效，已显示第 1 页。"
    if n > max_page:
        return max_page, f"页码过大，已改为第 {max_page} 页。"
    return n, None


def parse_size(raw: str | None, default: int, maximum: int) -> tuple[int, str | None]:
    if raw is None or not clean_text(raw):
        return default, None
    n = _parse_int(raw)
    if n is None or n < 1:
        return default, f"每页条数“{_shown(raw)}”无效，已改为 {default}。"
    if n > maximum:
        return maximum, f"每页最多 {maximum} 条，已改为 {maximum}。"
    return n, None


def filter_notes(query: SearchQuery, results) -> list[str]:
    """The service's notes (page clamped, unknown values …) plus selected values that match
    nothing under the other conditions (web page, API and CLI say the same)."""
    notes = list(results.messages)
    for facet in FACETS:
        counts = {v.value: v.count for v in results.facets.get(facet, [])}
        for v in query.included(facet):
            if not counts.get(v) and not any(f"“{v}" in n or f"、{v}" in n for n in notes):
                notes.append(f"{FACET_LABELS[facet]}“{v}”在当前条件下没有文章。")
    return notes


def wants_full(raw: str | None) -> bool:
    """`full=1` (also true/yes/on) asks for the full text in export and API hits."""
    return clean_text(raw or "").lower() in ("1", "true", "yes", "on")


def unknown_params(names: Iterable[str]) -> str | None:
    unknown = sorted({n for n in names if n not in KNOWN_PARAMS})
    if not unknown:
        return None
    shown = "、".join(_shown(n, 16) for n in unknown[:5]) + ("等" if len(unknown) > 5 else "")
    return f"已忽略未知参数：{shown}。"


def parse_args(pairs: Iterable[tuple[str, str]], limits: Limits = Limits()) -> ParsedRequest:
    """Query-string pairs (repeated names allowed) -> SearchQuery plus messages."""
    multi: dict[str, list[str]] = {}
    for name, value in pairs:
        multi.setdefault(name, []).append(value)

    def first(name: str) -> str | None:
        values = multi.get(name)
        return values[0] if values else None

    messages: list[str] = []

    def note(msg: str | None) -> None:
        if msg and msg not in messages:
            messages.append(msg)

    q, msg = parse_q(first("q"), limits.max_query_chars)
    note(msg)
    include: dict[str, tuple[str, ...]] = {}
    exclude: dict[str, tuple[str, ...]] = {}
    for facet in FACETS:
        inc, msgs = parse_facet_values(facet, multi.get(facet, ()), limits)
        exc, xmsgs = parse_facet_values(facet, multi.get(EXCLUDE_PREFIX + facet, ()), limits)
        for m in msgs + xmsgs:
            note(m)
        both = [v for v in inc if v in exc]
        if both:
            note(f"{FACET_LABELS[facet]}“{_shown(both[0])}”同时被选中和排除，已按排除处理。")
            inc = tuple(v for v in inc if v not in exc)
        include[facet], exclude[facet] = inc, exc
    d_from, d_to, msgs = parse_date_range(first("from"), first("to"))
    for m in msgs:
        note(m)
    show_all = flag(first("all"))         # every article instead of one card per story
    first_only = flag(first("first"))     # 只看首发
    amin, amax, msgs = parse_amount_range(first("amin"), first("amax"))
    for m in msgs:
        note(m)
    sort, msg = parse_sort(first("sort"), q)
    note(msg)
    page, msg = parse_page(first("page"), limits.max_page)
    note(msg)
    size, msg = parse_size(first("size"), limits.page_size, limits.max_page_size)
    note(msg)
    note(unknown_params(multi))
    query = SearchQuery.make(q=q, include=include, exclude=exclude, date_from=d_from, date_to=d_to,
                             sort=sort, page=page, page_size=size, amount_min=amin, amount_max=amax,
                             group=not show_all, first_only=first_only)
    return ParsedRequest(query=query, messages=tuple(messages))


# ---------------------------------------------------------------- the inverse: query -> URL

def to_args(query: SearchQuery, default_size: int = Limits.page_size) -> list[tuple[str, str]]:
    """URL parameters that reproduce `query` (defaults left out, so URLs stay short)."""
    args: list[tuple[str, str]] = []
    if query.q:
        args.append(("q", query.q))
    for facet in FACETS:
        args.extend((facet, v) for v in query.included(facet))
        args.extend((EXCLUDE_PREFIX + facet, v) for v in query.excluded(facet))
    if query.date_from:
        args.append(("from", query.date_from))
    if query.date_to:
        args.append(("to", query.date_to))
    if query.amount_min is not None:
        args.append(("amin", _amount_arg(query.amount_min)))
    if query.amount_max is not None:
        args.append(("amax", _amount_arg(query.amount_max)))
    if not query.group:
        args.append(("all", "1"))
    if query.first_only:
        args.append(("first", "1"))
    if query.sort != ("relevance" if query.q else "newest"):
        args.append(("sort", query.sort))
    if query.page != 1:
        args.append(("page", str(query.page)))
    if query.page_size != default_size:
        args.append(("size", str(query.page_size)))
    return args


def _set_facet(pairs: tuple, facet: str, values: tuple[str, ...]) -> tuple:
    d = dict(pairs)
    d[facet] = values
    return tuple(sorted((k, v) for k, v in d.items() if v))


def with_value(query: SearchQuery, facet: str, value: str) -> SearchQuery:
    """Add an included value (and un-exclude it); back to page 1."""
    inc = query.included(facet)
    inc = inc if value in inc else inc + (value,)
    exc = tuple(v for v in query.excluded(facet) if v != value)
    return replace(query, include=_set_facet(query.include, facet, inc),
                   exclude=_set_facet(query.exclude, facet, exc), page=1)


def without_value(query: SearchQuery, facet: str, value: str) -> SearchQuery:
    """Drop a value from both the included and the excluded list; back to page 1."""
    inc = tuple(v for v in query.included(facet) if v != value)
    exc = tuple(v for v in query.excluded(facet) if v != value)
    return replace(query, include=_set_facet(query.include, facet, inc),
                   exclude=_set_facet(query.exclude, facet, exc), page=1)


def excluding_value(query: SearchQuery, facet: str, value: str) -> SearchQuery:
    """Exclude a value (and un-include it); back to page 1."""
    inc = tuple(v for v in query.included(facet) if v != value)
    exc = query.excluded(facet)
    exc = exc if value in exc else exc + (value,)
    return replace(query, include=_set_facet(query.include, facet, inc),
                   exclude=_set_facet(query.exclude, facet, exc), page=1)


def with_period(query: SearchQuery, date_from: str | None, date_to: str | None) -> SearchQuery:
    return replace(query, date_from=date_from, date_to=date_to, page=1)


def with_amount(query: SearchQuery, lo: float | None, hi: float | None) -> SearchQuery:
    return replace(query, amount_min=lo, amount_max=hi, page=1)


def has_filters(query: SearchQuery) -> bool:
    return bool(query.include or query.exclude or query.date_from or query.date_to
                or query.amount_min is not None or query.amount_max is not None or query.first_only)
