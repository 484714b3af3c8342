"""Split the text of a newspaper page into raw articles.

A page is read as a sequence of *units* (one non-blank line each), classified as

  HEADING   a markdown heading "# …"
  SHORT     a headline-like line: short, no full stop, at most one comma
  DATELINE  a paragraph opening with 本报讯 / 中原网讯 / 新华社…电
  BYLINE    a line that is only a byline: 记者 简洋 文/图
  CREDIT    a photo credit: 本报记者 王恩俊 摄
  TEXT      any other paragraph

after e-paper boilerplate (navigation, page codes, 第07版:…, (上接第一版), lists of
the page's headlines, repeated titles) is dropped. A small state machine then
groups the units into articles with these general rules:

1. A run of SHORT lines (a *headline block*) followed by a dateline starts an
   article; so does a "# " heading, and a block after a finished article.
2. A dateline starts an article even without a headline. When the previous
   article has no headline, the block printed after it is split between the two
   neighbours by the character bigrams each line shares with each body.
3. Inside an unfinished article - or a feature without dateline, whose byline
   may be printed mid-page - headline-like lines are section heads or captions.
4. A byline line (or one glued to the last sentence) finishes an article. A photo
   credit finishes the untitled photo news above it: the caption paragraph(s)
   after the last gap of blank lines (where the picture stood), else the last
   paragraph, when the caption shares almost no bigrams with the article above.
5. Text that follows an article cut mid-sentence goes on that article, unless an
   earlier article on the page was cut too and the text shares clearly more
   bigrams with it: then it is that article's continuation.
6. A paragraph ending without sentence-final punctuation is joined with the next
   paragraph of its article (layout breaks); headings are never joined.

Everything is linear in the size of the page: per-line regexes are anchored or
applied to short lines only, and byline searches look at a bounded window.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import cached_property

from indexer.analysis import normalize
from indexer.bylines import (NO_BYLINES, Bylines, fold_punctuation, is_bare_label, is_photo_credit, read_byline,
                             parse_byline, split_lead_byline, split_trailing_byline, strip_leading,
                             trailing_bare_label)

HEADING, SHORT, DATELINE, BYLINE, CREDIT, TEXT = "heading", "short", "dateline", "byline", "credit", "text"

MAX_HEADLINE = 64           # longest headline-like line (non-space characters)
MAX_PHOTO_CAPTION = 400     # longest text of an untitled photo news item
_PHOTO_GAP = 2              # blank lines that mark where a picture stood
_PHOTO_SHARE = 0.2          # a caption sharing fewer of its bigrams with the text above is news of its own
_MAX_CONTAINMENT_LINES = 400  # headline lines up to which list items are also matched as parts of lines
_MAX_CUTOFFS = 8            # cut-off articles a continuation is looked for in (the latest)
_MAX_KICKER_PHRASE = 5
_DATELINE_WINDOW = 40       # a dateline (本报讯, 中原网讯, 新华社郑州3月5日电) starts a line      # "稳经济 促发展 强信心": every phrase this short -> kicker, not title

# Punctuation sets apply to text folded by fold_punctuation (，->, ；->; …).
_SENTENCE_END = "。!?…;:"
_CLOSERS = "”’」』)》"
_SECTION_MARKS = "■□●◆◇▲△►▶★☆※"
_BULLETS = _SECTION_MARKS + "·•-*"

_DATELINE = re.compile(
    r"(?:本报|本站|本网|[\u4e00-\u9fff]{1,6}(?:网|报|社|台|站))(?:[\u4e00-\u9fff]{1,3}|\d{1,2}月\d{1,2}日)?讯(?![息号问])"
    r"|(?:新华社|中新社)[\u4e00-\u9fff\d月日]{0,12}电"
)
_MD_HEADING = re.compile(r"(#{1,6})\s+")
_JUMP_NOTE = re.compile(      # (上接第一版) (下转第2版), half- or full-width parentheses
    r"[(\uff08]\s*(?:上接|下转|转|接|紧接|续)\s*第?\s*[0-9一二三四五六七八九十]{1,3}\s*版\s*[)\uff09]")
_NAV_WORDS = ("返回主页", "返回首页", "返回目录", "版面导航", "标题导航", "本版导航", "上一篇", "下一篇",
              "上一版", "下一版", "上一期", "下一期", "往期回顾", "版面概览")
_HEADER_TOKEN = re.compile(
    r"[\u4e00-\u9fff]{0,6}(?:日报|晚报)"                                     # 郑州日报
    r"|\d{4}\s*[-年/.]\s*\d{1,2}\s*[-月/.]\s*\d{1,2}\s*日?"                 # 2023年2月15日
    r"|(?:星期|周)[一二三四五六日天]"
    r"|第\s*[A-Z]?\s*[0-9一二三四五六七八九十]{1,3}\s*版(?:\s*:\s*[\u4e00-\u9fff·]{0,10})?"  # 第07版:县区新闻, 第X07版
    r"|[A-Z]{1,2}\d{1,3}"                                                   # G02, X07
    r"|放大|缩小|默认|打印|下载|PDF|PDF版|返回|目录"
    r"|" + "|".join(_NAV_WORDS)
)
# Production credits of the page: 责任编辑:张三  校对 李四 王五
_STAFF_LINE = re.compile(
    r"(?:(?:责任编辑|本版编辑|编辑|校对|美编|组版|版式|审读|审校|排版|值班主任)(?:\s*:\s*|\s+)"
    r"[\u4e00-\u9fff]{2,4}(?:[\s、]+[\u4e00-\u9fff]{2,4})*\s*)+")
_HEADER_SEPARATORS = re.compile(r"[\s|丨│]+")
_SPACED_PAGE_NUMBER = re.compile(r"第\s*[A-Z]?\s*[0-9一二三四五六七八九十]{1,3}\s*版")
_PAGE_CODE_LINE = re.compile(r"[A-Z]{1,2}\d{1,3}(?:\s*:?\s*[\u4e00-\u9fff]{2,8})?")
_LIST_ITEM = re.compile(r"[·•●\-*]|\d{1,2}\s*[.、)]")
_WORD_CHARS = re.compile(r"[0-9A-Za-z\u4e00-\u9fff]+")


# ------------------------------------------------------------------ public record

@dataclass(frozen=True)
class RawArticle:
    """One article as printed: headline parts, clean paragraphs, bylines, lines."""
    title: str
    subtitle: str
    paragraphs: tuple[str, ...]        # the lead first, dateline and byline removed
    bylines: Bylines
    line_start: int                    # 1-based, inclusive
    line_end: int
    dateline: str = ""                 # e.g. "本报讯", "" when the article has none

    @property
    def lead(self) -> str:
        return self.paragraphs[0] if self.paragraphs else ""

    @property
    def body(self) -> str:
        return "\n\n".join(self.paragraphs)


def split_page(text: str) -> list[RawArticle]:
    """The articles of one page, in page order."""
    units = _drop_repeated_headlines(_merge_split_bylines(_units(text)))
    return _Builder(units).run()


def line_roles(text: str, articles: list[RawArticle]) -> list[tuple[int, str, str, str]]:
    """(line number, text, role, rule) of every non-blank line of a printed page, for
    `newsearch parse --explain`: chrome (with its rule), headline_list (a list of the
    page's headlines or a repeated title), headline, dateline, byline, photo_credit, body."""
    from indexer.chrome import chrome_rule
    units = _merge_split_bylines(_units(text))
    by_line = {n: u for u in units for n in range(u.first, u.last + 1)}
    kept = {id(u) for u in _drop_repeated_headlines(list(units))}
    heads = set()
    for raw in articles:
        heads.update(" ".join(part.split()) for part in (raw.title, raw.subtitle) if part)
    roles = []
    lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    for number, line in enumerate(lines, 1):
        shown = line.strip()
        if not shown:
            continue
        u = by_line.get(number)
        if u is None:
            roles.append((number, shown, "chrome", chrome_rule(shown) or "boilerplate"))
        elif id(u) not in kept:
            roles.append((number, shown, "headline_list", "repeated_headline"))
        elif u.kind in (HEADING, SHORT):
            text_of = " ".join(u.text.lstrip(_SECTION_MARKS).split())
            inside = any(text_of and (text_of == h or text_of in h) for h in heads)
            roles.append((number, shown, "headline" if inside else "body",
                          "headline_block" if inside else "section_head"))
        else:
            role = {DATELINE: "dateline", BYLINE: "byline", CREDIT: "photo_credit"}.get(u.kind, "body")
            roles.append((number, shown, role, u.kind))
    return roles


# ------------------------------------------------------------------ lines -> units

@dataclass
class _Unit:
    kind: str
    text: str
    first: int                  # 1-based line numbers on the page
    last: int
    gap: int = 0                # blank or boilerplate lines just before
    bylines: Bylines = NO_BYLINES
    level: int = 0              # number of '#' of a markdown heading

    @cached_property
    def grams(self) -> frozenset[str]:
        return bigrams(self.text)


def _units(text: str) -> list[_Unit]:
    from indexer.chrome import chrome_rule      # chrome builds on is_boilerplate below
    text = text.replace("\r\n", "\n").replace("\r", "\n").replace("\u3000", " ").replace("\xa0", " ")
    units: list[_Unit] = []
    gap = 0
    for number, line in enumerate(text.split("\n"), 1):
        line = _clean_line(line)
        if not line or chrome_rule(line):
            gap += 1
            continue
        units.append(_classify(line, number, gap))
        gap = 0
    return units


def _clean_line(line: str) -> str:
    line = line.strip()
    if "版" in line:
        line = _JUMP_NOTE.sub("", line).strip()
    return line


def is_boilerplate(line: str) -> bool:
    """E-paper chrome: navigation, page codes, edition headers (page number, date),
    production credits (责任编辑 …)."""
    if len(line) > 80:
        return False
    line = fold_punctuation(line)
    if "。" not in line and any(word in line for word in _NAV_WORDS):
        return True                     # 上一篇:… 下一篇:…  (prose mentioning 上一篇 has a full stop)
    if _PAGE_CODE_LINE.fullmatch(line) or _STAFF_LINE.fullmatch(line):
        return True
    line = _SPACED_PAGE_NUMBER.sub(lambda m: "".join(m.group().split()), line)   # 第 06 版
    tokens = [t for t in _HEADER_SEPARATORS.split(line) if t]
    return bool(tokens) and all(_HEADER_TOKEN.fullmatch(t) for t in tokens)


def _classify(line: str, number: int, gap: int) -> _Unit:
    m = _MD_HEADING.match(line)
    if m:
        return _Unit(HEADING, line[m.end():].strip(), number, number, gap, level=len(m.group(1)))
    if _DATELINE.match(normalize(line[:_DATELINE_WINDOW])):
        rest, glued = split_trailing_byline(line)
        return _Unit(DATELINE, rest, number, number, gap, bylines=glued)
    byline = read_byline(line, staff=True) if len(line) <= 96 else None
    if byline:
        kind = CREDIT if is_photo_credit(line) else BYLINE
        return _Unit(kind, line, number, number, gap, bylines=byline)
    if is_headline_like(line):
        return _Unit(SHORT, " ".join(line.split()), number, number, gap)
    rest, glued = split_trailing_byline(line)
    return _Unit(TEXT, rest, number, number, gap, bylines=glued)


def is_headline_like(line: str) -> bool:
    """Short, no full stop or semicolon, at most one comma, not cut off after a comma."""
    if len(line) > 2 * MAX_HEADLINE:
        return False
    t = "".join(fold_punctuation(line).split())
    if not t or len(t) > MAX_HEADLINE or not re.search(r"[\u4e00-\u9fff]", t):
        return False
    if any(c in t for c in "。;"):
        return False
    if t[-1] in ",、:;(《“‘—-":
        return False
    return t.count(",") <= 1


def ends_sentence(text: str) -> bool:
    """Whether a paragraph ends with sentence-final punctuation (possibly in quotes)."""
    t = fold_punctuation(text[-8:]).rstrip()
    while t and t[-1] in _CLOSERS:
        if len(t) >= 2 and t[-2] in _SENTENCE_END:
            return True
        t = t[:-1]
    return bool(t) and t[-1] in _SENTENCE_END


def _merge_split_bylines(units: list[_Unit]) -> list[_Unit]:
    """A byline broken after its label ("…。记者" / "记者", then "王赛华 文/图")."""
    out: list[_Unit] = []
    i = 0
    while i < len(units):
        u = units[i]
        nxt = units[i + 1] if i + 1 < len(units) else None
        if nxt is not None and u.kind in (TEXT, SHORT, DATELINE) and len(nxt.text) <= 96:
            at = 0 if is_bare_label(u.text) else trailing_bare_label(u.text)
            if at is not None:
                joined = u.text[at:].strip() + " " + nxt.text
                found = parse_byline(joined)
                if found:
                    kind = CREDIT if is_photo_credit(joined) else BYLINE
                    merged = _Unit(kind, joined, u.first if at == 0 else nxt.first, nxt.last,
                                   nxt.gap, bylines=found)
                    if at > 0:
                        out.append(_Unit(u.kind, u.text[:at].rstrip(), u.first, u.last, u.gap,
                                         u.bylines, u.level))
                    else:
                        merged.gap = u.gap
                    out.append(merged)
                    i += 2
                    continue
        out.append(u)
        i += 1
    return out


# ------------------------------------------------------------------ repeated headlines

def headline_key(text: str) -> str:
    """A headline line compared with others: no '#', bullets, numbering or spaces."""
    t = text.lstrip("#").strip().lstrip(_BULLETS).strip()
    t = re.sub(r"^\d{1,2}\s*[.、.)]\s*", "", t)
    return "".join(t.split())


def _blocks(units: list[_Unit]) -> list[tuple[int, int]]:
    spans, i = [], 0
    while i < len(units):
        if units[i].kind in (HEADING, SHORT):
            j = i
            while j < len(units) and units[j].kind in (HEADING, SHORT):
                j += 1
            spans.append((i, j))
            i = j
        else:
            i += 1
    return spans


def _drop_repeated_headlines(units: list[_Unit]) -> list[_Unit]:
    """Drop lists of the page's headlines and titles printed more than once.

    * Inside one block, a line repeated later is dropped (the copy nearest the body stays).
    * A run of lines at the top of a block with two or more headlines of *other*
      blocks that head something (a line, up to four consecutive lines run
      together, or - for 8+ characters on pages of a normal size - part of a line),
      and otherwise only bulleted lines, is a list of the page's headlines: dropped.
    * A single headline repeated in a later block is dropped there, unless it is
      that block's only line (a column name heading several items).
    """
    spans = _blocks(units)
    keys = {i: headline_key(units[i].text) for a, b in spans for i in range(a, b)}
    drop: set[int] = set()
    for a, b in spans:
        last = {keys[i]: i for i in range(a, b)}
        drop.update(i for i in range(a, b) if last[keys[i]] != i)
    kept = [[i for i in range(a, b) if i not in drop] for a, b in spans]

    # Headlines of blocks that head something (a block with nothing after it cannot).
    owners: dict[str, set[int]] = {}
    for n, lines in enumerate(kept):
        if spans[n][1] >= len(units):
            continue
        for x in range(len(lines)):
            joined = ""
            for y in range(x, min(len(lines), x + 4)):
                joined += keys[lines[y]]
                owners.setdefault(joined, set()).add(n)
    small = len(keys) <= _MAX_CONTAINMENT_LINES

    def elsewhere(n: int, i: int) -> bool:
        if len(owners.get(keys[i], ())) > 1 or n not in owners.get(keys[i], {n}):
            return True
        return small and len(keys[i]) >= 8 and any(
            keys[i] in keys[j] for m, other in enumerate(kept)
            if m != n and spans[m][1] < len(units) for j in other)

    for n, lines in enumerate(kept):
        # The list runs from the top of the block: lines that are headlines of other
        # blocks or carry a list bullet. The last line of a block that heads
        # something is that thing's headline, never part of a list.
        heads_something = spans[n][1] < len(units)
        if heads_something and len(lines) >= 2 and all(elsewhere(n, i) for i in lines):
            drop.update(lines)          # every line is another block's headline: a list
            continue
        candidates = lines[:-1] if heads_something else lines
        run, listed = [], 0
        for i in candidates:
            if elsewhere(n, i):
                listed += 1
            elif not _LIST_ITEM.match(units[i].text):
                break
            run.append(i)
        if listed >= 2:
            drop.update(run)
    seen: set[str] = set()
    for lines in kept:
        left = [i for i in lines if i not in drop]
        remaining = len(left)
        for i in left:
            if len(keys[i]) >= 4 and keys[i] in seen and remaining > 1:
                drop.add(i)
                remaining -= 1
            seen.add(keys[i])
    if not drop:
        return units
    out = []
    carry = 0
    for i, u in enumerate(units):
        if i in drop:
            carry += u.gap + 1
            continue
        if carry:
            u.gap += carry
            carry = 0
        out.append(u)
    return out


# ------------------------------------------------------------------ similarity

def bigrams(text: str, limit: int = 20000) -> frozenset[str]:
    """Character bigrams inside runs of Han characters, letters and digits
    (of the first `limit` characters: enough to compare articles)."""
    out: set[str] = set()
    for run in _WORD_CHARS.findall(text[:limit]):
        out.update(run[k:k + 2] for k in range(len(run) - 1))
    return frozenset(out)


def _share(grams: frozenset[str], body: set[str]) -> float:
    """The part of `grams` found in `body`."""
    return len(grams & body) / len(grams) if grams else 0.0


# ------------------------------------------------------------------ units -> articles

@dataclass
class _Para:
    text: str
    first: int
    last: int
    gap: int
    head: bool = False          # section head or caption inside the article

    @cached_property
    def grams(self) -> frozenset[str]:
        return bigrams(self.text)


@dataclass(eq=False)
class _Draft:
    head: list[_Unit] = field(default_factory=list)
    paras: list[_Para] = field(default_factory=list)
    bylines: Bylines = NO_BYLINES
    dateline: bool = False
    closed: str | None = None           # None (open) | "byline" | "credit"
    split_from: "_Draft | None" = None  # untitled article before a headline block
    extra_lines: list[int] = field(default_factory=list)
    _grams: set[str] = field(default_factory=set)
    _grams_of: int = -1                 # paragraphs already in _grams (-1: headline not yet)

    def dangling(self) -> bool:
        return bool(self.paras) and not self.paras[-1].head and not ends_sentence(self.paras[-1].text)

    def add(self, para: _Para) -> None:
        self.paras.append(para)

    @property
    def grams(self) -> set[str]:
        """Bigrams of headline and paragraphs, brought up to date when asked for."""
        if self._grams_of < 0:
            self._grams = set().union(*(u.grams for u in self.head))
            self._grams_of = 0
        for p in self.paras[self._grams_of:]:
            self._grams |= p.grams
        self._grams_of = len(self.paras)
        return self._grams

    def regram(self) -> None:
        """Forget the bigrams after headline or paragraphs were taken away."""
        self._grams_of = -1

    def body_grams(self) -> set[str]:
        return set().union(*(p.grams for p in self.paras))

    def first_line(self) -> int:
        return min([u.first for u in self.head] + [p.first for p in self.paras] + self.extra_lines)

    def last_line(self) -> int:
        return max([u.last for u in self.head] + [p.last for p in self.paras] + self.extra_lines)


class _Builder:
    def __init__(self, units: list[_Unit]):
        self.units = units
        self.drafts: list[_Draft] = []
        self.cur: _Draft | None = None
        self.cutoffs: list[_Draft] = []     # articles cut mid-sentence by another article
        self.lead_byline: _Unit | None = None   # a byline above the page's first article

    # -- driving
    def run(self) -> list[RawArticle]:
        units, i = self.units, 0
        while i < len(units):
            u = units[i]
            if u.kind in (HEADING, SHORT):
                j = i
                while j < len(units) and units[j].kind in (HEADING, SHORT):
                    j += 1
                self._block(units[i:j], units[j] if j < len(units) else None)
                i = j
                continue
            if u.kind == DATELINE:
                self._dateline(u)
            elif u.kind == TEXT:
                self._text(u, i)
            elif u.kind == BYLINE:
                self._byline(u)
            else:
                self._credit(u)
            i += 1
        return self._finish()

    def _cut(self, draft: _Draft | None) -> None:
        """Remember an open article left mid-sentence (only the latest few are kept)."""
        if draft is not None and draft.closed is None and draft.dangling() and draft not in self.cutoffs:
            self.cutoffs = self.cutoffs[1 - _MAX_CUTOFFS:] + [draft]

    def _new(self, head: list[_Unit] | None = None) -> _Draft:
        self._cut(self.cur)
        draft = _Draft(head=list(head or ()))
        if self.lead_byline is not None and not self.drafts:
            draft.bylines = self.lead_byline.bylines
            draft.extra_lines.extend((self.lead_byline.first, self.lead_byline.last))
            self.lead_byline = None
        self.drafts.append(draft)
        self.cur = draft
        return draft

    @staticmethod
    def _append(draft: _Draft, u: _Unit, head: bool = False) -> None:
        draft.add(_Para(u.text, u.first, u.last, u.gap, head))

    def _close_with(self, draft: _Draft, found: Bylines, lines: tuple[int, ...] = ()) -> None:
        draft.bylines |= found
        draft.extra_lines.extend(lines)
        if draft.paras:
            draft.closed = "byline"

    # -- unit kinds
    def _block(self, block: list[_Unit], nxt: _Unit | None) -> None:
        cur = self.cur
        # Leading lines with a comma right after an open article's text are its last
        # words cut by the layout ("…,针对重点项"), not a headline: a subtitle with a
        # comma sits at the end of its block, next to the body.
        while block and cur is not None and cur.closed is None and cur.paras \
                and block[0].kind == SHORT and "," in fold_punctuation(block[0].text):
            self._append(cur, block.pop(0))
        if not block:
            return
        untitled_before = (cur is not None and not cur.head and bool(cur.paras)
                           and cur.closed != "credit")
        if nxt is None:                       # headline printed after the last article's body
            if untitled_before:
                cur.head = list(block)
                cur.regram()
            return
        forced = block[0].kind == HEADING and block[0].level == 1
        if not forced and nxt.kind == TEXT and cur is not None and cur.closed != "credit" \
                and not (cur.closed == "byline" and cur.dateline):
            self._section_heads(cur, block)
            return
        if not forced and nxt.kind in (BYLINE, CREDIT) and cur is not None and cur.closed is None:
            for u in block:                    # short last lines of the text before its byline
                self._append(cur, u)
            return
        draft = self._new(block)
        if untitled_before:
            draft.split_from = cur

    def _section_heads(self, cur: _Draft, block: list[_Unit]) -> None:
        cur.closed = None
        for u in block:
            fragment = u.kind == SHORT and ("," in fold_punctuation(u.text) or cur.dangling())
            self._append(cur, u, head=not fragment)

    def _dateline(self, u: _Unit) -> None:
        cur = self.cur
        if cur is not None and not cur.paras and cur.closed is None:
            draft = cur
        else:
            draft = self._new()
        draft.dateline = True
        self._append(draft, u)
        if u.bylines:
            self._close_with(draft, u.bylines)

    def _text(self, u: _Unit, index: int) -> None:
        cur = self.cur
        if self.cutoffs and (cur is None or cur.closed is not None or cur.dangling()):
            target = self._continuation_of(self._piece(index))
            if target is not None:
                self.cutoffs.remove(target)
                self._cut(cur)
                target.closed = None
                self.cur = cur = target
        if cur is None or cur.closed == "credit" or (cur.closed == "byline" and cur.dateline):
            cur = self._new()
        cur.closed = None
        self._append(cur, u)
        if u.bylines:
            self._close_with(cur, u.bylines)

    def _piece(self, index: int) -> list[_Unit]:
        """The text units from `index` up to the next paragraph cut mid-sentence."""
        end = index
        while end < len(self.units) and self.units[end].kind == TEXT:
            if not ends_sentence(self.units[end].text):
                break
            end += 1
        return self.units[index:end + 1]

    def _continuation_of(self, piece: list[_Unit]) -> _Draft | None:
        """The cut-off article this text continues, or None for the current one.

        Each candidate scores the bigrams it shares with the text, a bigram shared by
        k candidates counting 1/k; another article must score at least twice as much as
        the current one (when that was cut mid-sentence too) to take the text.
        """
        cur = self.cur
        with_cur = cur is not None and cur.closed is None and cur.dangling()
        cutoffs = self.cutoffs
        candidates = cutoffs + ([cur] if with_cur else [])
        piece_grams = set().union(*(u.grams for u in piece))
        hits = [[b for b in piece_grams if b in c.grams] for c in candidates]
        df: dict[str, int] = {}
        for found in hits:
            for b in found:
                df[b] = df.get(b, 0) + 1
        scores = [sum(1.0 / df[b] for b in found) for found in hits]
        best = max(range(len(cutoffs)), key=lambda k: scores[k])
        if with_cur:
            own = scores[-1]
            return candidates[best] if scores[best] >= 2 * own and scores[best] - own >= 2 else None
        return candidates[best] if scores[best] >= max(2.0, 0.05 * len(piece_grams)) else None

    def _byline(self, u: _Unit) -> None:
        if self.cur is not None:
            self._close_with(self.cur, u.bylines, (u.first, u.last))
        elif not self.drafts:
            self.lead_byline = u                # 大象新闻记者 X 通讯员 Y, before the first article

    def _credit(self, u: _Unit) -> None:
        cur = self.cur
        if cur is None:
            return
        k = self._photo_start(cur)
        if k is not None:
            photo = _Draft(paras=cur.paras[k:])
            cur.paras = cur.paras[:k]
            cur.regram()
            self._cut(cur)
            self.drafts.append(photo)
            self.cur = cur = photo
        cur.bylines |= u.bylines
        cur.extra_lines.extend((u.first, u.last))
        caption = sum(len(p.text) for p in cur.paras)
        if not cur.dateline and caption <= MAX_PHOTO_CAPTION:
            cur.closed = "credit"
        elif cur.dateline and cur.paras:
            cur.closed = "byline"

    @staticmethod
    def _photo_start(cur: _Draft) -> int | None:
        """Where the caption of an untitled photo news item starts inside the current
        article: after the last gap of blank lines (where the picture stood), else the
        last paragraph - provided the caption shares almost no character bigrams with
        the article above it (the caption of the article's own picture does)."""
        if len(cur.paras) < 2:
            return None
        start, size = None, 0
        for k in range(len(cur.paras) - 1, 0, -1):
            p = cur.paras[k]
            size += len(p.text)
            if p.head or size > MAX_PHOTO_CAPTION:
                break
            if p.gap >= _PHOTO_GAP:
                start = k
                break
        if start is None:
            last = cur.paras[-1]
            if last.head or len(last.text) > MAX_PHOTO_CAPTION:
                return None
            start = len(cur.paras) - 1
        caption = set().union(*(p.grams for p in cur.paras[start:]))
        above = [u.grams for u in cur.head] + [p.grams for p in cur.paras[max(0, start - 5):start]]
        shared = sum(1 for b in caption if any(b in g for g in above))
        return start if caption and shared / len(caption) < _PHOTO_SHARE else None

    # -- finishing
    def _finish(self) -> list[RawArticle]:
        for d in self.drafts:
            if d.split_from is not None and not d.split_from.head:
                self._split_headline(d.split_from, d)
        drafts = sorted((d for d in self.drafts if d.paras), key=_Draft.first_line)
        raws = (_raw_article(d) for d in drafts)
        return [r for r in raws if r.paragraphs]        # not a bare "本报讯(记者 …)"

    @staticmethod
    def _split_headline(prev: _Draft, nxt: _Draft) -> None:
        """Give the first lines of a headline block to the untitled article above it
        when they share more bigrams with that article's body than with their own."""
        before, after = prev.body_grams(), nxt.body_grams()
        gains = [_share(u.grams, before) - _share(u.grams, after) for u in nxt.head]
        best_k, best, total = 0, 0.0, 0.0
        for k, gain in enumerate(gains, 1):
            total += gain
            if total > best + 1e-9:
                best_k, best = k, total
        if best_k:
            prev.head, nxt.head = nxt.head[:best_k], nxt.head[best_k:]
            prev.regram()
            nxt.regram()


# ------------------------------------------------------------------ drafts -> raw articles

def _join_broken(paras: list[_Para]) -> list[_Para]:
    out: list[_Para] = []
    for p in paras:
        last = out[-1] if out else None
        if last is not None and not last.head and not p.head and not ends_sentence(last.text):
            sep = " " if last.text[-1:].isascii() and last.text[-1:].isalnum() \
                and p.text[:1].isascii() and p.text[:1].isalnum() else ""
            out[-1] = _Para(last.text.rstrip() + sep + p.text.lstrip(), last.first, p.last, last.gap)
        else:
            out.append(_Para(p.text, p.first, p.last, p.gap, p.head))
    return out


def _raw_article(d: _Draft) -> RawArticle:
    paras = _join_broken(d.paras)
    bylines = d.bylines
    dateline = ""
    if d.dateline and paras:
        first = paras[0].text
        m = _DATELINE.match(normalize(first[:_DATELINE_WINDOW]))
        if m:
            dateline = m.group(0)
            rest, found = split_lead_byline(first[m.end():])
            bylines = found | bylines
            paras[0] = _Para(strip_leading(rest), paras[0].first, paras[0].last, paras[0].gap)
    texts = tuple(p.text.strip() for p in paras if p.text.strip())
    title, subtitle = headline_parts([u.text for u in d.head],
                                     [u.kind == HEADING and u.level == 1 for u in d.head])
    return RawArticle(title=title, subtitle=subtitle, paragraphs=texts, bylines=bylines,
                      line_start=d.first_line(), line_end=d.last_line(), dateline=dateline)


def _is_kicker(line: str) -> bool:
    """A slogan-like line of short phrases ("稳经济 促发展 强信心", "潮河办事处")."""
    phrases = [_WORD_CHARS.findall(p) for p in line.split()]
    return all(sum(len(w) for w in words) <= _MAX_KICKER_PHRASE for words in phrases)


def headline_parts(lines: list[str], primary: list[bool] | None = None) -> tuple[str, str]:
    """(title, subtitle) of a headline block.

    Section marks (■开年加速度) and slogan-like kickers go to the subtitle; the main
    headline is the first "# " heading, else the first other line; every other line,
    in printed order, forms the subtitle.
    """
    if not lines:
        return "", ""
    primary = primary or [False] * len(lines)
    clean = [" ".join(line.split()) for line in lines]
    marks = [c[:1] in _SECTION_MARKS for c in clean]
    order = [i for i, p in enumerate(primary) if p]
    order += [i for i in range(len(clean)) if not marks[i] and not _is_kicker(clean[i])]
    order += [i for i in range(len(clean)) if not marks[i]]
    main = order[0] if order else len(clean) - 1
    parts = [c.lstrip(_SECTION_MARKS).strip() for c in clean]
    title = parts[main]
    subtitle = " ".join(p for i, p in enumerate(parts) if i != main and p)
    return title, subtitle
