"""Web article pages: one article wrapped in a site's chrome.

E-paper article pages (郑州晚报 / 郑州日报), government portal articles and reposts all
hold one article between a header (edition line, the printed page's headline list,
navigation, breadcrumb, record line, print controls) and a footer (page links,
copyright, CMS record, issue dates). They are read in three stages, each handing a
plain value to the next:

1. line roles      every line gets a kind (chrome rule, dateline, byline, short, text);
2. grouping        the header zone ends at the last navigation-like line before the
                   first body paragraph; the article's own headline block is the run
                   of headline lines that repeats a line of the headline list, else the
                   run nearest before the body (skipping record and control lines);
                   the body runs from there to the first footer line;
3. fields          title (kicker / main / subtitle; a (原标题:…) is the original
                   headline), bylines from the lines before and after the body, and the
                   page's own date from its record line, CMS record or issue list.

Everything here is a pure function of the page text.
"""
from __future__ import annotations

import datetime as _dt
import re
from dataclasses import dataclass, replace

from indexer import chrome
from indexer.analysis import normalize
from indexer.bylines import NO_BYLINES, Bylines, is_name, read_byline, split_lead_byline, \
    split_trailing_byline, strip_leading
from indexer.splitting import _DATELINE, _SECTION_MARKS, RawArticle, ends_sentence, headline_key, is_headline_like
from indexer.splitting import _is_kicker as _short_phrases

# Line kinds (stage 1) and roles (what --explain prints).
BLANK, CHROME, DATELINE, BYLINE, CREDIT, SHORT, TEXT, ORIGINAL = (
    "blank", "chrome", "dateline", "byline", "photo_credit", "short", "text", "original_title")
HEADLINE, HEADLINE_LIST, BODY, CAPTION, ASIDE = "headline", "headline_list", "body", "caption", "aside"

_STRONG_BODY = 60           # a text line this long opens the body
_BODY_WITH_END = 25         # ... or this long when it ends a sentence
_MAX_HEADLINE_RUN = 5       # more short lines in a row are a list, not one headline
_MAX_PRE_DATELINE = 400
_INDEX_RECORD_LINES = 12   # a portal's bulleted index record sits at the top
_ORGAN = re.compile(r"(?:人民政府|政府办公室|委员会|管委会|局|办公室|中心)$")
_BROKEN_LINE = 8            # lines of a big headline broken over several lines are this short     # captions between headline and dateline (characters)
_SUBTITLE_DASH = re.compile(r"^[—–\-]{1,3}\s*")
_BULLET = "•·●◆▪"
_TRAILING_NAMES = re.compile(r"[(（]\s*(?P<names>[\u4e00-\u9fff]{2,4}(?:[\s、,，]+[\u4e00-\u9fff]{2,4}){0,3})\s*[)）]\s*$")


@dataclass(frozen=True)
class LineRole:
    """One line of the page and the role it was given (what `parse --explain` shows)."""
    number: int                 # 1-based
    text: str
    role: str
    rule: str = ""


@dataclass(frozen=True)
class PageFacts:
    """What a page's own chrome says about it."""
    page_date: _dt.date | None = None       # record line (发布时间) or CMS record
    source: str | None = None               # 来源 of the record line
    original_title: str | None = None       # (原标题:…)
    authors: tuple[str, ...] = ()           # 作者 of the record line


@dataclass(frozen=True)
class WebPage:
    article: RawArticle | None
    roles: tuple[LineRole, ...]
    facts: PageFacts
    title_rule: str = ""                    # why this headline


@dataclass
class _Line:
    index: int
    text: str                   # stripped
    n: str                      # normalised
    indent: bool
    kind: str
    rule: str = ""
    bylines: Bylines = NO_BYLINES
    role: str = ""

    @property
    def key(self) -> str:
        return headline_key(self.n)


# ------------------------------------------------------------------ stage 1: kinds

def _classify(index: int, raw: str) -> _Line:
    text = raw.strip().strip("|").strip()        # cells of a table flattened into the text
    indent = raw[:len(raw) - len(raw.lstrip())].count(" ") >= 2 or raw.startswith(("\u3000", "\t"))
    if not text:
        return _Line(index, "", "", indent, BLANK)
    n = chrome.norm(text)
    rule = chrome.chrome_rule(text)
    if rule:
        return _Line(index, text, n, indent, CHROME, rule)
    if chrome.original_title(text):
        return _Line(index, text, n, indent, ORIGINAL, "original_title")
    if _DATELINE.match(n):
        return _Line(index, text, n, indent, DATELINE, "dateline")
    found = read_byline(text, staff=True) if len(text) <= 96 else None
    if found:
        photo_only = bool(found.photographers) and not (found.reporters or found.correspondents)
        return _Line(index, text, n, indent, CREDIT if photo_only else BYLINE, "byline", found)
    if is_headline_like(text):
        return _Line(index, text, n, indent, SHORT, "headline_like")
    return _Line(index, text, n, indent, TEXT, "text")


def _strong_body(line: _Line) -> bool:
    if line.kind == DATELINE:
        return True
    if line.kind != TEXT:
        return False
    size = len(line.n)
    return size >= _STRONG_BODY or (size >= _BODY_WITH_END and ends_sentence(line.n)) \
        or (line.indent and size >= 20 and ends_sentence(line.n))


def web_signals(text: str, limit: int = 400) -> int:
    """How many lines of a page only web chrome has (navigation, record line, footer …)."""
    count = 0
    for number, raw in enumerate(text.split("\n")):
        if number >= limit and count:
            break
        if raw.strip() and chrome.chrome_rule(raw) in chrome.WEB_SIGNALS:
            count += 1
    return count


def is_web_page(text: str) -> bool:
    """A page that holds one article wrapped in a site's chrome (not printed page text)."""
    return web_signals(text) >= 1


# ------------------------------------------------------------------ stage 2: grouping

def _runs(lines: list[_Line], start: int, stop: int) -> list[list[_Line]]:
    """Runs of consecutive headline-like lines in lines[start:stop] (bulleted lines are
    index records or lists, never a headline)."""
    runs, cur = [], []
    for line in lines[start:stop]:
        if line.kind == SHORT and not line.role and not line.text.startswith(tuple(_BULLET)):
            cur.append(line)
        else:
            if cur:
                runs.append(cur)
            cur = []
    if cur:
        runs.append(cur)
    return runs


# A saved table flattened onto one line: "标题 副题 □记者 甲 通讯员 乙 正文…" or "标题 本报讯 …".
_GLUED_BYLINE = re.compile(
    r"\s(?P<byline>[□■]\s*[\u4e00-\u9fff·]{0,10}?(?:记者|通讯员)(?:\s*[\u4e00-\u9fff]{2,4}(?=\s))+"
    r"(?:\s+(?:记者|通讯员|实习生)(?:\s*[\u4e00-\u9fff]{2,4}(?=\s))+)*)\s+")
_GLUED_DATELINE = re.compile(r"\s(?=本报讯|本報訊)")


def _unflatten(raw: str) -> list[str]:
    """One line of a flattened page as the lines it was printed in (headline, byline, body)."""
    if len(raw) <= _STRONG_BODY:
        return [raw]
    n = chrome.norm(raw)
    m = _GLUED_BYLINE.search(n)
    if m and is_headline_like(raw[:m.start()].strip()):
        return [raw[:m.start()], raw[m.start("byline"):m.end("byline")], raw[m.end():]]
    m = _GLUED_DATELINE.search(n)
    if m and 0 < m.start() <= 2 * _STRONG_BODY and is_headline_like(raw[:m.start()].strip()):
        return [raw[:m.start()], raw[m.end():]]
    return [raw]


def split_web_page(text: str) -> WebPage:
    rows = [(number, part) for number, raw in enumerate(text.split("\n")) for part in _unflatten(raw)]
    lines = [_classify(number, part) for number, part in rows]
    for k, line in enumerate(lines):
        line.index = k
    numbers = [number for number, _ in rows]
    facts = _facts(lines)
    first_body = next((k for k, line in enumerate(lines) if _strong_body(line)), len(lines))
    nav_end = max((k for k in range(first_body) if lines[k].kind == CHROME
                   and lines[k].rule in chrome.TOP_RULES), default=-1)

    # The printed page's headline list: runs of headline lines inside the header zone
    # that are long (a whole page's titles) or repeated later on the page.
    later_keys: dict[str, int] = {}
    for k in range(len(lines) - 1, -1, -1):
        if lines[k].kind == SHORT:
            later_keys.setdefault(lines[k].key, k)
    listed: set[str] = set()
    for run in _runs(lines, 0, max(nav_end, 0)):
        repeated = any(_repeated_after(line, run[-1].index, lines) for line in run)
        if len(run) >= 3 or repeated:
            for line in run:
                line.role, line.rule = HEADLINE_LIST, "headline_list"
                listed.add(line.key)

    dateline = next((k for k in range(nav_end + 1, len(lines)) if lines[k].kind == DATELINE), None)
    limit = dateline if dateline is not None else max(first_body, nav_end + 1)
    head, main, rule = _choose_headline(lines, nav_end, limit, listed, first_body)
    if head:
        for line in head:
            line.role = HEADLINE
    start = head[-1].index + 1 if head else (dateline if dateline is not None
                                              else min(first_body, len(lines)))
    if not head and nav_end >= 0 and first_body > nav_end:
        start = nav_end + 1
    content = next((k for k in range(start, len(lines)) if lines[k].kind not in (BLANK, CHROME)), start)
    end = next((k for k in range(content, len(lines)) if _ends_body(lines[k])), len(lines))

    title, subtitle = _title_parts(head, main)
    if facts.original_title:
        subtitle = " ".join(p for p in (title, subtitle) if p)
        title, rule = facts.original_title, "original_title"
    article = _assemble(lines, start, end, dateline, title, subtitle, {line.key for line in head})
    if article is not None and facts.authors and not article.bylines:
        article = replace(article, bylines=Bylines(reporters=facts.authors))   # 作者:宋明
    if article is not None:
        article = replace(article, line_start=numbers[article.line_start - 1] + 1,
                          line_end=numbers[article.line_end - 1] + 1)
    for line in lines:
        if not line.role:
            line.role = CHROME if line.kind in (CHROME, BLANK) else ASIDE
    roles = tuple(LineRole(numbers[line.index] + 1, line.text, line.role, line.rule)
                  for line in lines if line.kind != BLANK)
    return WebPage(article, roles, facts, rule)


def _repeated_after(line: _Line, after: int, lines: list[_Line]) -> bool:
    return any(other.kind == SHORT and other.key == line.key for other in lines[after + 1:])


def _choose_headline(lines, nav_end, limit, listed, first_body):
    """(headline lines, indexes of the main headline in them or None, rule).

    1. the run after the headline list that repeats one of its lines (e-paper);
    2. the run right above the record line (发布时间 / 来源 …: portal, repost), unless a
       run below it repeats that headline with more lines (the printed headline);
    3. the run nearest before the body, joined with the very short runs just above it
       (a big headline broken over lines with blank lines between);
    4. the last run of the header zone that is not the headline list.
    """
    if listed:
        for run in _runs(lines, nav_end + 1, len(lines)):
            hits = [k for k, line in enumerate(run) if line.key in listed]
            if hits and run[0].index < first_body + 40:
                return run, hits, "repeats_headline_list"
    after = [r for r in _runs(lines, nav_end + 1, limit) if len(r) <= _MAX_HEADLINE_RUN]
    above_record = [r for r in _runs(lines, 0, limit) if r[0].role != HEADLINE_LIST
                    and len(r) <= _MAX_HEADLINE_RUN and _next_is_record(lines, r[-1].index)]
    if after:
        nearest = _with_broken_lines(lines, after[-1])
    if above_record:
        run = above_record[-1]
        if after and nearest[0].index > run[-1].index and _extends(nearest, run):
            return nearest, None, "printed_headline_below_record_line"
        return run, None, "above_record_line"
    if after:
        return nearest, None, "nearest_before_body"
    before = [r for r in _runs(lines, 0, max(nav_end, 0)) if r[0].role != HEADLINE_LIST
              and len(r) <= _MAX_HEADLINE_RUN]
    if before:
        return before[-1], None, "last_in_header"
    return [], None, "none"


def _next_is_record(lines, index) -> bool:
    for line in lines[index + 1:index + 4]:
        if line.kind == BLANK:
            continue
        return line.kind == CHROME and line.rule == chrome.RECORD
    return False


def _with_broken_lines(lines, run):
    """`run` and the runs of very short lines above it, one blank line apart."""
    out = list(run)
    k = run[0].index - 1
    while k >= 1 and lines[k].kind == BLANK and lines[k - 1].kind == SHORT and not lines[k - 1].role \
            and len(out) < _MAX_HEADLINE_RUN and all(len(x.n) <= _BROKEN_LINE for x in out + [lines[k - 1]]):
        out.insert(0, lines[k - 1])
        k -= 2
    deduped = [x for i, x in enumerate(out) if i == 0 or x.key != out[i - 1].key]
    for x in out:
        if x not in deduped:
            x.role, x.rule = CHROME, "repeated_headline"
    return deduped


def _extends(longer, run) -> bool:
    """Whether the lines of `longer` repeat `run`'s headline and add to it."""
    joined = "".join(x.key for x in longer)
    key = "".join(x.key for x in run)
    return len(joined) > len(key) and key in joined


def _ends_body(line: _Line) -> bool:
    if line.kind != CHROME or line.rule not in chrome.BOTTOM_RULES:
        return False
    return line.rule != chrome.PAGE_LINK or "篇" in line.n


def _assemble(lines, start, end, dateline, title, subtitle, head_keys) -> RawArticle | None:
    body_lines = lines[start:end]
    lead_bylines = NO_BYLINES
    captions: list[_Line] = []
    # Captions and photo credits between the headline and a dateline: after the story.
    if dateline is not None and start <= dateline < end:
        pre = [line for line in lines[start:dateline] if line.kind in (TEXT, SHORT)]
        if sum(len(line.text) for line in pre) <= _MAX_PRE_DATELINE:
            captions = pre
            for line in lines[start:dateline]:
                if line.kind in (BYLINE, CREDIT):
                    lead_bylines |= line.bylines
                    line.role = BYLINE
            for line in captions:
                line.role = CAPTION
            body_lines = lines[dateline:end]
    keys = head_keys | ({headline_key(title)} if title else set())
    paras: list[tuple[str, bool, int]] = []         # text, is a head, line index
    bylines = lead_bylines
    for line in body_lines:
        if line.kind in (BLANK, CHROME):
            continue
        if line.kind == ORIGINAL:
            line.role = ORIGINAL
            continue
        if line.kind in (BYLINE, CREDIT):
            bylines |= line.bylines
            line.role = BYLINE if line.kind == BYLINE else CREDIT
            continue
        if line.kind == SHORT and keys and line.key in keys and all(head for _, head, _ in paras):
            line.role, line.rule = CHROME, "repeated_headline"
            continue
        line.role = BODY
        paras.append((line.text, line.kind == SHORT, line.index))
    # Captions of the pictures above the story (short lines before its first paragraph).
    after = [(line.text, True, line.index) for line in captions]
    lead = next((k for k, p in enumerate(paras) if not p[1]), 0)
    if 0 < lead and sum(len(p[0]) for p in paras[:lead]) <= _MAX_PRE_DATELINE:
        for _, _, index in paras[:lead]:
            lines[index].role = CAPTION
        after = paras[:lead] + after
        paras = paras[lead:]
    if not paras:
        paras, after = after, []
    if not paras:
        return None
    paras = _join_broken(paras)
    first, is_head, first_index = paras[0]
    dateline_word = ""
    m = _DATELINE.match(chrome.norm(first))
    if m:
        dateline_word = first[:m.end()]
        rest, found = split_lead_byline(first[m.end():])
        bylines = found | bylines
        paras[0] = (strip_leading(rest), is_head, first_index)
    last, is_head, last_index = paras[-1]
    rest, glued = split_trailing_byline(last)
    if not glued:
        m = _TRAILING_NAMES.search(last)
        if m and len(paras) > 1 or (m and len(last) > 40):
            names = [t for t in re.split(r"[\s、,，]+", m.group("names")) if t]
            if names and all(is_name(t) for t in names):
                rest, glued = last[:m.start()].rstrip(), Bylines(reporters=tuple(names))
    if glued:
        bylines |= glued
        paras[-1] = (rest, is_head, last_index)
    texts = tuple(p[0].strip() for p in paras + after if p[0].strip())
    if not texts:
        return None
    used = [k for k in range(start, end) if lines[k].role in (BODY, BYLINE, CREDIT, CAPTION, ORIGINAL)]
    heads = [line.index for line in lines if line.role == HEADLINE]
    first_line = min(used + heads) + 1 if used or heads else start + 1
    last_line = max(used + heads) + 1 if used or heads else end
    return RawArticle(title=title, subtitle=subtitle, paragraphs=texts, bylines=bylines,
                      line_start=first_line, line_end=last_line, dateline=dateline_word)


def _join_broken(paras):
    """A body line cut without sentence-final punctuation goes on with the next line."""
    out = []
    for text, head, index in paras:
        if out and not out[-1][1] and not head and not ends_sentence(out[-1][0]) \
                and len(out[-1][0]) >= _STRONG_BODY:
            out[-1] = (out[-1][0].rstrip() + text.lstrip(), False, out[-1][2])
        else:
            out.append((text, head, index))
    return out


# ------------------------------------------------------------------ stage 3: fields

def _title_parts(head: list[_Line], main: list[int] | None) -> tuple[str, str]:
    """(title, subtitle): the main headline, and kicker and subtitles in printed order."""
    lines = [(k, " ".join(line.text.lstrip(_SECTION_MARKS).split())) for k, line in enumerate(head)
             if not line.text.startswith(tuple(_BULLET))]
    if not lines:
        return "", ""
    if main:
        title = "".join(text for k, text in lines if k in main)
        subtitle = " ".join(text for k, text in lines if k not in main)
        return title, subtitle
    sub, rest = [], []
    for k, text in lines:
        if _SUBTITLE_DASH.match(text) and k > 0:
            sub.append(_SUBTITLE_DASH.sub("", text))
        elif head[k].text[:1] in _SECTION_MARKS:
            sub.append(text)
        else:
            rest.append(text)
    if len(rest) > 1:
        kickers = [t for t in rest if _is_kicker(t)]
        if kickers and len(kickers) < len(rest):
            sub = kickers + sub
            rest = [t for t in rest if t not in kickers]
    if not rest:
        rest, sub = sub[:1], sub[1:]
    return " ".join(rest), " ".join(sub)


def _is_kicker(line: str) -> bool:
    """A slogan of two or more short phrases ("稳经济 促发展 强信心")."""
    return len(line.split()) >= 2 and _short_phrases(line)


def _facts(lines: list[_Line]) -> PageFacts:
    page_date = None
    source = original = None
    authors: tuple[str, ...] = ()
    for line in lines:
        if line.kind == ORIGINAL and original is None:
            original = chrome.original_title(line.text)
        if line.kind != CHROME:
            continue
        if line.rule in (chrome.RECORD, chrome.CMS_RECORD) and page_date is None:
            ymd = chrome.record_date(line.text)
            page_date = _date(ymd)
        if line.rule == chrome.RECORD and source is None:
            source = chrome.record_source(line.text)
        if line.rule == chrome.RECORD and not authors:
            authors = tuple(a for a in chrome.record_authors(line.text) if is_name(normalize(a)))
    if source is None:
        # a portal's index record (• 005303449/2015-00232 • 登封市人民政府 • 会议 • 2015-08-19)
        # names the publishing organ in one of its bulleted lines
        for line in lines[:_INDEX_RECORD_LINES]:
            if line.kind == SHORT and line.text.startswith(tuple(_BULLET)) and _ORGAN.search(line.n):
                source = line.text.lstrip(_BULLET).strip()
                break
    return PageFacts(page_date, source, original, authors)


def _date(ymd) -> _dt.date | None:
    if not ymd:
        return None
    try:
        return _dt.date(*ymd)
    except ValueError:
        return None
