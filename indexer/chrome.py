"""Web-page chrome: the lines of a saved e-paper, portal or repost page that belong to
no article.

`chrome_rule(line)` names the rule that makes one line chrome, or returns None. Every
rule is general (no site list): a line is chrome when it is made only of navigation
words, controls, separators, dates and numbers, or when it carries a footer marker, a
CMS record, an issue-date list, an image file name, a breadcrumb or a record line
(发布时间 … 来源 …). The words live in data/chrome.json. Lines are compared after
`normalize` (traditional -> simplified, full-width -> half-width, ASCII lower case).

Rules are split by where they stand on a page:
  TOP_RULES     end the page's header zone (edition line, navigation, breadcrumb …)
  BOTTOM_RULES  end an article's body (page links, footers, CMS record, editor line …)
`record` lines (发布时间/来源) sit next to the headline and end nothing.
"""
from __future__ import annotations

import json
import re
from dataclasses import dataclass
from functools import cache, lru_cache
from pathlib import Path

from indexer.analysis import normalize
from indexer.splitting import is_boilerplate

DATA_FILE = Path(__file__).parent / "data" / "chrome.json"

EDITION, NAVIGATION, PAGE_LINK, MENU, BREADCRUMB, CONTROLS = (
    "edition", "navigation", "page_link", "menu", "breadcrumb", "controls")
FOOTER, CMS_RECORD, ISSUE_DATES, EDITOR, IMAGE, SEPARATOR, RECORD = (
    "footer", "cms_record", "issue_dates", "editor", "image_file", "separator", "record")
PAGE_HEADER = "page_header"
MARKUP = "markup"    # 郑州日报 2023年2月15日 第07版: printed pages have it too

TOP_RULES = frozenset({EDITION, PAGE_HEADER, MARKUP, NAVIGATION, PAGE_LINK, MENU, BREADCRUMB, CONTROLS,
                       SEPARATOR, IMAGE})
BOTTOM_RULES = frozenset({NAVIGATION, PAGE_LINK, FOOTER, CMS_RECORD, ISSUE_DATES, EDITOR, CONTROLS})
# Rules that only a web page has (a printed page's text never does): they make a page a web page.
WEB_SIGNALS = frozenset({EDITION, NAVIGATION, BREADCRUMB, CONTROLS, FOOTER, CMS_RECORD,
                         ISSUE_DATES, RECORD, MENU})

_MAX_CHROME = 160            # longest line a rule looks at (prose is longer)
_SEPARATORS = re.compile(r"[\s|¦│丨/\\>»›<«‹\-—_=*·•.,:;()\[\]【】]+")
_DATE = re.compile(r"(?:19|20)\d\d\s*[-年/.]\s*\d{1,2}\s*[-月/.]\s*\d{1,2}\s*日?")
_TIME = re.compile(r"\d{1,2}:\d\d(?::\d\d)?")
_EDITION = re.compile(r"^(?:第\s*[a-z]{0,2}\s*\d{1,3}\s*版|\d{3,5}版)\s*[:|]?")
_CMS_RECORD = re.compile(r"^\d{3,9}\s+(?:19|20)\d\d-\d\d-\d\d\s+\d\d:\d\d:\d\d\b")
_ISSUE_DATES = re.compile(r"^(?:(?:19|20)\d\d-\d\d-\d\d\s*,\s*\d+\s*\|\s*)+(?:19|20)\d\d-\d\d")
_IMAGE_NAME = re.compile(r"[a-z0-9_\-]{3,40}")
_IMAGE_WORDS = frozenset({"阴影", "图片", "点击图片", "查看大图", "原图", "点击查看大图", "图"})
_LETTERS_DIGITS = re.compile(r"^(?:[a-z]{0,2}\d{0,3}|\d{1,3}-\d{1,3}|[a-z]\d{1,3}-\d{1,3})$")
_LONGEST_WORD = 12          # longest navigation or control word
_MARKUP = re.compile(r"<!--|!--|-->|\bfunction\s*\(|\bvar\s+\w+\s*=|document\.|window\.|[{};]\s*$|</?[a-z]+[\s>]")
_HAN = re.compile(r"[\u4e00-\u9fff]")
# 监督:0571-85871667 | 投稿:news@example.com | 电话 0371-67177796: a site's contact lines
_CONTACT = re.compile(r"(?:[\u4e00-\u9fff]{2,6}\s*[:]?\s*(?:[\d\-()+ ]{7,}|[\w.\-]+@[\w.\-]+)\s*)+")
_FOLLOW = re.compile(r"(?:扫码|微信|欢迎)?关注[\u4e00-\u9fffa-z]{0,8}(?:网|热线|公众号|微信|微博|客户端|新闻|号)")
_IMAGE_NOTE = re.compile(r"[(\[【](?:[^()]{0,10})(?:资料图|资料图片|图片|配图|示意图|效果图|视频|截图)(?:[^()]{0,16})[)\]】]"
                         r"|[^。,]{0,16}(?:版面截图|截图|资料图|资料图片|示意图|效果图)")


@dataclass(frozen=True)
class ChromeWords:
    version: str
    navigation_set: frozenset[str]
    navigation_starts: frozenset[str]       # first characters of the navigation words
    controls: frozenset[str]
    breadcrumb: tuple[str, ...]
    footer: tuple[str, ...]
    record: re.Pattern
    editor: re.Pattern
    original_title: re.Pattern
    image_ext: re.Pattern


@cache
def words() -> ChromeWords:
    data = json.loads(DATA_FILE.read_text(encoding="utf-8"))
    record = "|".join(re.escape(w) for w in sorted(data["record_labels"], key=len, reverse=True))
    editor = "|".join(re.escape(w) for w in sorted(data["editor_labels"], key=len, reverse=True))
    original = "|".join(re.escape(w) for w in data["original_title_openers"])
    return ChromeWords(
        version=str(data["version"]),
        navigation_set=frozenset(normalize(w) for w in data["navigation_words"]),
        navigation_starts=frozenset(normalize(w)[0] for w in data["navigation_words"]),
        controls=frozenset(normalize(w) for w in data["control_words"]),
        breadcrumb=tuple(normalize(w) for w in data["breadcrumb_openers"]),
        footer=tuple(normalize(w) for w in data["footer_words"]),
        record=re.compile(rf"(?<![\u4e00-\u9fff])(?:{record})\s*[:]"),
        editor=re.compile(rf"^[(\[【]?\s*(?:{editor})\s*[:\s]\s*[\u4e00-\u9fff]{{2,4}}"
                          rf"(?:[\s、,]+[\u4e00-\u9fff]{{2,4}})*"
                          rf"(?:\s+(?:{editor})\s*[:\s]\s*[\u4e00-\u9fff]{{2,4}}(?:[\s、,]+[\u4e00-\u9fff]{{2,4}})*)*"
                          rf"\s*[)\]】]?$"),
        original_title=re.compile(rf"^[(\[【]?\s*(?:{original})\s*[:]\s*(?P<title>.+?)\s*[)\]】]?$"),
        image_ext=re.compile(r"\.(?:" + "|".join(data["image_file_extensions"]) + r")$"),
    )


def norm(line: str) -> str:
    """The form every rule reads: normalised, stripped, inner runs of spaces kept."""
    return normalize(line).strip()


def original_title(line: str) -> str | None:
    """The headline in "(原标题:…)", or None."""
    m = words().original_title.match(norm(line))
    return line.strip()[m.start("title"):m.end("title")] if m else None


def _is_nav_token(token: str) -> bool:
    """上一篇 | 3上一篇 | 下一版4 | 上一期下一期: navigation words, page numbers at the ends."""
    core = token.strip("0123456789")
    if not core:
        return False
    w = words()
    if core in w.navigation_set:
        return True
    return core[0] in w.navigation_starts and _compound(core, w.navigation_set)


def _tokens(text: str) -> list[str]:
    return [t for t in _SEPARATORS.split(text) if t]


def chrome_rule(line: str) -> str | None:
    """The name of the chrome rule `line` matches, or None for article text."""
    if len(line) > _MAX_CHROME and len(line.strip()) > _MAX_CHROME:
        return None                           # prose: no rule looks at lines this long
    return _chrome_rule(line)


@lru_cache(maxsize=8192)
def _chrome_rule(line: str) -> str | None:
    """chrome_rule of a short line (cached: a page is classified more than once)."""
    n = norm(line)
    if not n:
        return None
    w = words()
    if _CMS_RECORD.match(n):
        return CMS_RECORD
    if _MARKUP.search(n) and len(_HAN.findall(n)) * 3 < len(n):
        return MARKUP                         # <!-- /8962/web/… --> left over from the HTML
    if _ISSUE_DATES.match(n):
        return ISSUE_DATES
    if not _tokens(n):
        return SEPARATOR
    if _EDITION.match(n) and len(n) <= 60:
        # 第N07版:金水时报 上一版3 4下一版 | 第05版:县区新闻 PDF版阅读: an e-paper's edition line;
        # a bare 第05版:区县新闻 heads printed pages too
        return EDITION if any(_is_nav_token(t) for t in _tokens(n)[1:]) else PAGE_HEADER
    if any(marker in n for marker in w.footer) or _CONTACT.fullmatch(n):
        return FOOTER
    if w.editor.match(n):
        return EDITOR
    if _is_breadcrumb(n):
        return BREADCRUMB
    tokens = _tokens(n)
    nav = [t for t in tokens if _is_nav_token(t)]
    if nav:
        rest = [t for t in tokens if not _is_nav_token(t)]
        if all(_LETTERS_DIGITS.match(t) or t == "版" for t in rest):
            return PAGE_LINK                  # 3上一篇  下一篇4 | PDF 版 | 上一版3  4下一版
        if "。" not in n and all(len(t) <= 8 for t in rest) and len(rest) <= 8 \
                and (len(nav) >= len(rest) or "|" in n):
            return NAVIGATION                 # 返回主页 | 郑州晚报 | 标题导航 | 郑州日报
    tokens = _tokens(n)
    if all(_LETTERS_DIGITS.match(t) for t in tokens) and len(n) <= 12:
        return PAGE_LINK                      # 3  4 | A | F04-05
    if _is_image_name(n, tokens) or _IMAGE_NOTE.fullmatch(n):
        return IMAGE                          # f1208a3 | (相关资料图)
    if _FOLLOW.fullmatch(n):
        return CONTROLS                       # 关注河南热线
    if _is_controls(tokens):
        return CONTROLS
    if n.count("|") >= 2 and all(len(t) <= 6 for t in tokens) and "。" not in n:
        return MENU                           # 首页 | 新闻 | 财经 | 房产
    if _is_record(n):
        return RECORD
    if is_boilerplate(line.strip()):
        return PAGE_HEADER                    # 郑州日报 2023年2月15日 星期三 第07版
    return None


def _is_breadcrumb(n: str) -> bool:
    w = words()
    for opener in w.breadcrumb:
        if n.startswith(opener):
            rest = n[len(opener):].lstrip()
            if rest[:1] in (":", ">", "»", "|") or rest.startswith("首页"):
                return True
    if "。" not in n:
        parts = [p.strip() for p in re.split(r">|»|›|→", n)]
        if len(parts) >= 3 and all(len(p) <= 16 for p in parts):
            return True                       # 郑州要闻中原网> 新闻中心 > 郑州要闻
        if "首页" in parts[0] and len(parts) >= 2 and all(len(p) <= 16 for p in parts):
            return True
    tokens = n.split()
    if len(tokens) >= 3 and tokens[-1] == "正文" and all(len(t) <= 10 for t in tokens):
        return True                           # 首页 新闻中心 区县动态 正文
    return False


def _is_image_name(n: str, tokens: list[str]) -> bool:
    if all(t in _IMAGE_WORDS for t in tokens):
        return True
    if words().image_ext.search(n) and " " not in n and re.fullmatch(r"[\w\-./]+", n):
        return True
    compact = n.replace(" ", "")
    return (bool(_IMAGE_NAME.fullmatch(compact)) and bool(re.search(r"[a-z]", compact))
            and bool(re.search(r"\d", compact)) and not re.fullmatch(r"[a-z]{1,2}\d{1,3}", compact))


def _is_controls(tokens: list[str]) -> bool:
    controls = words().controls
    if not tokens or not all(_compound(t, controls) for t in tokens):
        return False
    return any(len(t) >= 2 for t in tokens)


def _compound(token: str, vocabulary: frozenset[str]) -> bool:
    """字体大中小 / 打印本页关闭窗口: a token made of words of `vocabulary` run together."""
    i = 0
    while i < len(token):
        for size in range(min(_LONGEST_WORD, len(token) - i), 0, -1):
            if token[i:i + size] in vocabulary:
                i += size
                break
        else:
            return False
    return True


def _is_record(n: str) -> bool:
    """发布时间:2025-09-23 10:12 来源:… 作者:… | 2021-06-08 09:30:12 来源:郑州日报 | a bare date."""
    labels = words().record.findall(n)
    has_date = bool(_DATE.search(n))
    if has_date and "。" not in n and re.search(r"https?://|www\.", n):
        return True                           # http://www.sina.com.cn  2009年08月24日04:32  郑州晚报
    if len(labels) >= 2:
        return True
    if labels and (has_date or len(n) <= 40) and "。" not in n:
        return True
    if not has_date:
        return False
    rest = re.sub(r"(?:星期|周)[一二三四五六日天]", " ", _TIME.sub(" ", _DATE.sub(" ", n)))
    return not _tokens(rest)                  # a bare date (and time): 2025-03-13 | • 2025-03-13


def record_date(line: str):
    """The first date a record/CMS/issue line states, as (year, month, day), or None."""
    m = re.search(r"((?:19|20)\d\d)\s*[-年/.]\s*(\d{1,2})\s*[-月/.]\s*(\d{1,2})", norm(line))
    return (int(m.group(1)), int(m.group(2)), int(m.group(3))) if m else None


_SOURCE = re.compile(r"(?:来源|文章来源|信息来源|稿件来源)\s*:\s*(?P<source>[^\s|]{2,30})")


def record_source(line: str) -> str | None:
    """The 来源 of a record line (来源:新郑市融媒体中心 -> 新郑市融媒体中心), or None."""
    m = _SOURCE.search(norm(line))
    return m.group("source") if m else None


_AUTHOR = re.compile(r"(?:作者|撰稿|文)\s*:\s*(?P<names>[\u4e00-\u9fff]{2,4}(?:[\s、,]+[\u4e00-\u9fff]{2,4}){0,3})(?=\s|$)")


def record_authors(line: str) -> tuple[str, ...]:
    """The names after 作者: in a record line (作者:宋明 浏览次数:1024 -> 宋明), as printed."""
    n = norm(line)
    m = _AUTHOR.search(n)
    if not m:
        return ()
    return tuple(line.strip()[m.start("names"):m.end("names")].replace("、", " ").replace(",", " ").split())
