"""How values read for a person (page, CLI, CSV, Atom): one form everywhere.

JSON keeps the plain keys (ISO-style dates, an empty title); everything a journalist reads
goes through these helpers, so the page, the CLI, the CSV and the feed agree.
"""
from __future__ import annotations

UNTITLED = "（无标题图片新闻）"
UNDATED = "日期不详"
_QUOTES = {'"': '"', "“": "”", "「": "」", "'": "'"}


def date_text(value: str | None) -> str:
    """'2022-03-27' stays; '--03-27' (no year on the page) -> '3月27日（年份不详）'; None -> '日期不详'."""
    if not value:
        return UNDATED
    if value.startswith("--"):
        try:
            m, d = value[2:].split("-")
            return f"{int(m)}月{int(d)}日（年份不详）"
        except ValueError:
            return value
    return value


def title_text(title: str | None) -> str:
    """The headline, or the page's wording for untitled photo news."""
    return title or UNTITLED


def quoted(q: str) -> str:
    """The query in Chinese quotes, once: '"经济运行分析会"' and '“经济运行分析会”' both read
    “经济运行分析会”; a query with quotes inside is shown in 「…」 instead of quoting quotes."""
    q = q.strip()
    if len(q) >= 2 and _QUOTES.get(q[0]) == q[-1] and not any(c in q[1:-1] for c in '"“”'):
        return f"“{q[1:-1]}”"
    if any(c in q for c in '"“”'):
        return f"「{q}」"
    return f"“{q}”"
