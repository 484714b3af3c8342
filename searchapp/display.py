"""How values read for a person (page, CLI, CSV, Atom): one form everywhere.

JSON keeps the plain keys (ISO-style dates, an empty title); everything a journalist reads
goes through these helpers, so the page, the CLI, the CSV and the feed agree.
"""
from __future__ import annotations

from markupsafe import Markup, escape

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


def path_breaks(path: str) -> Markup:
    """A file path that wraps only after a '/', never inside a name (HTML with <wbr>)."""
    return Markup("/<wbr>").join(escape(part) for part in str(path).split("/"))


def quoted(q: str) -> str:
    """The query in Chinese quotes, once: '"经济运行分析会"' and '“经济运行分析会”' both read
    “经济运行分析会”; a query with quotes inside is shown in 「…」 instead of quoting quotes."""
    q = q.strip()
    if len(q) >= 2 and _QUOTES.get(q[0]) == q[-1] and not any(c in q[1:-1] for c in '"“”'):
        return f"“{q[1:-1]}”"
    if any(c in q for c in '"“”'):
        return f"「{q}」"
    return f"“{q}”"


# 搜索语法 on the page: (example query, what it finds), one per operator and field.
SYNTAX_EXAMPLES = (
    ("惠济区 签约", "空格分隔：同时包含两个词"),
    ("项目集中签约", "不含空格：原样匹配这串字（词的一部分也行）"),
    ("开工 OR 投产", "任一个词"),
    ("项目 -疫情", "排除含这个词的文章（也可写 NOT 疫情）"),
    ('"经济运行分析会"', "完整短语，一字不差（中文引号也行）"),
    ("title:开门红", "只搜标题和副标题"),
    ("district:管城区", "文章所属区县（别名也行）"),
    ("reporter:简洋", "记者署名"),
    ("correspondent:白博", "通讯员署名"),
    ("photographer:孙志刚", "摄影署名"),
    ("byline:简洋", "任一署名：记者、通讯员或摄影"),
    ("type:签约", "项目类型：签约 开工 投产 竣工 招商引资"),
    ("惠济区 NEAR/20 签约", "两词相距不超过 20 个字，顺序不限"),
    ("惠济区 BEFORE/30 签约", "同上，且前一个词在前"),
    ("惠济区 SENT 签约", "两词在同一句中"),
    ("惠济区 PARA 签约", "两词在同一段中"),
)
