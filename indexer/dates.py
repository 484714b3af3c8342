"""Article dates: the present year a page states, and the date of an article's event.

Rules (general, not tuned to any page):

page_present_year
  * 今年(2023年) / 去年(2022年) / 明年(2024年) name the present outright and win.
  * Otherwise every 4-digit year followed by 年 is a mention, except plan horizons
    (到/至/截至 2025年, 2025年前, 2023~2025年, 2035年远景), targets (力争/计划/预计
    2024年) and comparisons (比/较 2021年). The present is the latest mention left:
    a page looks back on past years (2022年,… / 2021年11月启动…) and speaks of the
    present one (2023年是… / 2023年第一次… / 2023年开年以来…), never of a later year
    except as a plan.
  * No mention: None (never invent a year).

article_date
  * The first date expression in the lead (its first 400 characters) decides:
    YYYY年M月D日, M月D日 (optionally after 去年/今年/明年), a relative day
    (昨日/昨天/今日/今天/前天) or a vague one (近日/日前/近期 …, which gives None).
  * The year comes from page_date, else from `year`; relative days need page_date.
  * With a page date, an event date more than half a year after it belongs to the
    previous year (a December event reported on a January page).
"""
from __future__ import annotations

import datetime as _dt
import re

_FULLWIDTH_DIGITS = str.maketrans("０１２３４５６７８９", "0123456789")

# ---------------------------------------------------------------- present year

_YEAR = re.compile(r"(?<![\d.])((?:19|20)\d\d)\s*年(?!代)")
# A year right after these is a horizon, a target or a comparison, not the present.
_NOT_PRESENT_BEFORE = re.compile(
    r"(?:到|至|截至|截止|迄|直至|比|较|相比|对比|力争|争取|计划|预计|有望|将于|目标"
    r"|成立于|创建于|创立于|始建于|建于|始于|兴建于|组建于|早在|自|曾于)\s*$"
)
# ... and right before these: 2025年前, 2035年远景目标, the 2023 of 2023~2025年.
_NOT_PRESENT_AFTER = re.compile(
    r"\s*(?:前(?![一二三四五六七八九十两\d]+个?(?:季度|月))|之前|以前|远景|愿景"
    r"|[~～\-－—–至到]\s*(?:19|20)\d\d)"
)
_RANGE_END = re.compile(r"(?:19|20)\d\d\s*年?\s*[~～\-－—–至到]\s*$")
# 今年(2023年) / 去年(2022年) / 明年(2024年): the page names the present outright.
_LABELLED = re.compile(r"(今年|去年|明年)\s*[(（]\s*((?:19|20)\d\d)\s*年?\s*[)）]")
_LABEL_SHIFT = {"今年": 0, "去年": 1, "明年": -1}


def page_present_year(text: str) -> int | None:
    """The year the page itself states as the present, or None."""
    text = text.translate(_FULLWIDTH_DIGITS)
    labelled = [int(m.group(2)) + _LABEL_SHIFT[m.group(1)] for m in _LABELLED.finditer(text)]
    if labelled:
        return max(labelled)
    years = [int(m.group(1)) for m in _YEAR.finditer(text) if _is_present_like(text, m)]
    return max(years) if years else None


def _is_present_like(text: str, m: re.Match) -> bool:
    before = text[max(0, m.start() - 8):m.start()]
    after = text[m.end():m.end() + 8]
    return not (_NOT_PRESENT_BEFORE.search(before) or _RANGE_END.search(before)
                or _NOT_PRESENT_AFTER.match(after))


# ---------------------------------------------------------------- article date

_RELATIVE_DAYS = {"昨日": -1, "昨天": -1, "今日": 0, "今天": 0, "前天": -2, "前日": -2}
_VAGUE = ("近日", "日前", "近期", "前不久", "不久前", "连日来", "近来", "最近")
_DATE_EXPR = re.compile(
    r"(?:(?P<y>(?:19|20)\d\d)\s*年\s*|(?P<rel_year>去年|今年|明年)\s*)?"
    r"(?<!\d)(?P<m>\d{1,2})\s*月\s*(?P<d>\d{1,2})\s*[日号]"
    r"|(?P<rel>" + "|".join(_RELATIVE_DAYS) + r")"
    r"|(?P<vague>" + "|".join(_VAGUE) + r")"
)
_HALF_YEAR = _dt.timedelta(days=183)
_LEAD_CHARS = 400           # a dateline's date sits at the start of the first paragraph


# A date right after these is planned or lunar, not the day of the reported event.
_SCHEDULED_BEFORE = re.compile(r"(?:将于|将在|定于|拟于|拟在|计划于|计划在|预计于|预计在|农历|阴历)\s*$")
_SECOND_PARAGRAPH_CHARS = 200
# 自5月4日起 / 从3月1日开始 / 截至6月30日: the start or end of a period, not the event's day
_SINCE_BEFORE = re.compile(r"(?:自|从|截至|截止|截止到|至)\s*$")
_SINCE_AFTER = re.compile(r"\s*(?:起|以来|开始|至今|,|,|共|累计|前)")


def article_date(lead: str, page_date: _dt.date | None, year: int | None,
                 more: str = "") -> str | None:
    """"YYYY-MM-DD", "--MM-DD" (no year known) or None, from the first date in `lead`.

    Scheduled (将于10月21日开幕) and lunar dates are skipped, and so is a date after the
    page's own date. When the lead gives no day (近日, 近期 …), an explicit date at the
    start of the next paragraph (`more`) is the event's.
    """
    return date_evidence(lead, page_date, year, more)[0]


def date_evidence(lead: str, page_date: _dt.date | None, year: int | None,
                  more: str = "") -> tuple[str | None, str, str]:
    """(date, the expression that gave it, where: "lead" / "second" / ""), as article_date."""
    found, expr = _first_date(lead[:_LEAD_CHARS], page_date, year, relative=True)
    if found is None and more:
        second, second_expr = _first_date(more[:_SECOND_PARAGRAPH_CHARS], page_date, year, relative=False)
        if second is not None:
            return second, second_expr, "second"
    return found, expr, "lead" if expr else ""


def _first_date(text: str, page_date, year, relative: bool) -> tuple[str | None, str]:
    """The first event date in `text` and its expression; ("", …) or (None, "") when none."""
    text = text.translate(_FULLWIDTH_DIGITS)
    for m in _DATE_EXPR.finditer(text):
        if m.group("vague"):
            if relative:
                return None, m.group()
            continue
        if _SCHEDULED_BEFORE.search(text[max(0, m.start() - 6):m.start()]) \
                or (_SINCE_BEFORE.search(text[max(0, m.start() - 2):m.start()])
                    and _SINCE_AFTER.match(text, m.end())):
            continue
        if m.group("rel"):
            if not relative:
                continue
            if page_date is None:
                return None, m.group()
            return (page_date + _dt.timedelta(days=_RELATIVE_DAYS[m.group("rel")])).isoformat(), m.group()
        found = _month_day(m, page_date, year)
        if found is None:
            continue
        if page_date is not None and not found.startswith("--") \
                and _dt.date.fromisoformat(found) > page_date + _dt.timedelta(days=1):
            continue                                  # in the future of the page: planned
        return found, m.group()
    return None, ""


def _month_day(m: re.Match, page_date, year) -> str | None:
    month, day = int(m.group("m")), int(m.group("d"))
    if not _valid_month_day(month, day):
        return None
    if m.group("y"):
        return _iso(int(m.group("y")), month, day)
    shift = {"去年": -1, "今年": 0, "明年": 1, None: 0}[m.group("rel_year")]
    if page_date is not None:
        found = _iso(page_date.year + shift, month, day)
        if found and m.group("rel_year") is None and _dt.date.fromisoformat(found) - page_date > _HALF_YEAR:
            found = _iso(page_date.year - 1, month, day)
        return found
    if year is not None:
        return _iso(year + shift, month, day)
    return f"--{month:02d}-{day:02d}"


def _valid_month_day(month: int, day: int) -> bool:
    try:
        _dt.date(2000, month, day)          # a leap year: 2月29日 is a valid month-day
    except ValueError:
        return False
    return True


def _iso(year: int, month: int, day: int) -> str | None:
    try:
        return _dt.date(year, month, day).isoformat()
    except ValueError:
        return None
