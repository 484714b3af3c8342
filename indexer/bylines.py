"""Bylines: the reporters, correspondents and photographers named in an article.

Bylines appear in a few places only, and only those places are read:
  * in parentheses after the dateline:   本报讯(记者 刘伟平 通讯员 张一弛)…
  * as lines of their own:               记者 简洋 文/图  |  本报记者 王恩俊 摄
  * glued to the last sentence:          …奠定了基础。记者 王赛华 文/图
A byline is a sequence of labels (记者, 通讯员, 摄影 … optionally after an
organisation prefix such as 郑报全媒体 or 本报), each followed by one or more
names, optionally ended by a credit suffix (文/图, 摄). A name is 2–4 Han
characters starting with a known surname; anything else means "not a byline".
The grammar lives in data/bylines.json.

Every function here looks at a bounded window of its input, so a 10 MB line costs
no more than a short one.
"""
from __future__ import annotations

import json
import re
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources

ROLES = ("reporters", "correspondents", "photographers")

_MAX_BYLINE = 96            # longest text that can be a byline on its own
_TAIL_WINDOW = 64           # how far back from a paragraph's end a glued byline may start
_SENTENCE_END = "。!?…”’」』"
_NAME_SEPARATORS = re.compile(r"[\s、,;/]+")
_HAN_NAME = re.compile(r"[\u4e00-\u9fff]{2,4}")
_PAGE_CODE_TAIL = re.compile(r"\s+[A-Za-z]{1,2}\d{1,3}$")
# Credit suffixes: 文/图 (wrote and photographed), 摄 / 摄影 (photographed), 报道 (reported).
# Every byline has one of these: a label word or a credit suffix.
_MAY_BE_BYLINE = re.compile(r"记者|通讯员|实习生|采访人员|撰|摄|报道|[文图]\s*[/\uff0f]|[/\uff0f]\s*[文图]|\s图$")
_SUFFIX = re.compile(r"\s*(?:文\s*/\s*图|图\s*/\s*文|/\s*文|/\s*图|(?<=[\s/])[图文]|摄影|摄|报道)$")
# "董艳竹 张玉东/文 廖谦/图": several credits on one line, each closed by its suffix.
_INNER_CREDIT = re.compile(r"(?<=[\u4e00-\u9fff])(?:\s*/\s*|\s+)[文图](?=\s)")
# An organisation named before a label that is not in the prefix list: 正观新闻·郑州晚报记者,
# 郑州报业集团记者, 本栏图片由本报记者 - a short run of Han characters ending like a newsroom's name.
_ORG_PREFIX = r"[\u4e00-\u9fff·・]{0,12}?(?:报|网|社|台|闻|媒|体|团|心|站|刊)"
_LEADING_MARKS = "□■●◆◇▲△▼►▶★☆※·•"
# A district supplement's own staff on a line of their own: 金水时报 王小川
_STAFF = re.compile(r"(?P<org>[\u4e00-\u9fff·]{2,10}(?:时报|日报|晚报|周报|报社|报|新闻|融媒|网))\s+(?P<names>.+)")


# Full-width punctuation folded to ASCII before matching; one character for one, so
# positions found in the folded text are positions in the original.
_FULL_WIDTH = "\uff0c\uff1b\uff1a\uff08\uff09\uff01\uff1f\uff0f\uff5c"
_FOLD = str.maketrans(_FULL_WIDTH, ",;:()!?/|")
_HAS_FULL_WIDTH = re.compile(f"[{_FULL_WIDTH}]")


def fold_punctuation(text: str) -> str:
    """，；：（）！？／｜ -> ,;:()!?/| (length-preserving)."""
    return text.translate(_FOLD) if _HAS_FULL_WIDTH.search(text) else text


def strip_leading(text: str, chars: str = " ,:") -> str:
    """`text` without leading characters that fold to any of `chars`."""
    i = 0
    while i < len(text) and fold_punctuation(text[i]) in chars:
        i += 1
    return text[i:]


@dataclass(frozen=True)
class Bylines:
    reporters: tuple[str, ...] = ()
    correspondents: tuple[str, ...] = ()
    photographers: tuple[str, ...] = ()

    def __bool__(self) -> bool:
        return bool(self.reporters or self.correspondents or self.photographers)

    def __or__(self, other: "Bylines") -> "Bylines":
        """Both sets of names, each role in order of first appearance."""
        return Bylines(*(_unique(getattr(self, r) + getattr(other, r)) for r in ROLES))


NO_BYLINES = Bylines()


@dataclass(frozen=True)
class _Grammar:
    label: re.Pattern           # one label, with its optional organisation prefix
    roles: dict                 # label text (without prefix) -> role
    surnames: frozenset
    compound_surnames: frozenset
    not_names: tuple
    label_endings: tuple        # last characters of the labels
    tail_note: re.Pattern       # "线索提供 雷先生" after the names


@lru_cache(maxsize=1)
def _grammar() -> _Grammar:
    raw = json.loads(resources.files("indexer").joinpath("data/bylines.json").read_text("utf-8"))
    roles = {label: role for role in ROLES for label in raw["labels"][role]}
    labels = "|".join(re.escape(x) for x in sorted(roles, key=len, reverse=True))
    prefixes = "|".join(re.escape(x) for x in sorted(raw["prefixes"], key=len, reverse=True))
    return _Grammar(
        label=re.compile(rf"(?:{prefixes}|{_ORG_PREFIX})?(?P<label>{labels})"),
        roles=roles,
        surnames=frozenset(raw["surnames"]),
        compound_surnames=frozenset(raw["compound_surnames"]),
        not_names=tuple(raw["not_names"]),
        label_endings=tuple({label[-1] for label in roles}),
        tail_note=re.compile(r"\s*(?:" + "|".join(re.escape(x) for x in sorted(raw.get("tail_notes", ()), key=len, reverse=True))
                             + r")\s*:?\s*[\u4e00-\u9fff]{1,6}$"),
    )


def is_name(token: str) -> bool:
    """2–4 Han characters starting with a Chinese surname, and not a prose word."""
    g = _grammar()
    if not _HAN_NAME.fullmatch(token):
        return False
    if token.startswith(g.not_names):
        return False
    return token[0] in g.surnames or token[:2] in g.compound_surnames


def _unique(names) -> tuple[str, ...]:
    return tuple(dict.fromkeys(names))


def _normalize(text: str) -> str:
    return " ".join(fold_punctuation(text).split())


def _names(segment: str) -> list[str] | None:
    """The names in the text after one label; None when any token is not a name."""
    tokens = _pair_single_characters([t for t in _NAME_SEPARATORS.split(segment) if t])
    if not tokens or not all(is_name(t) for t in tokens):
        return None
    return tokens


def _pair_single_characters(tokens: list[str]) -> list[str]:
    """Two-character names are often printed with a space inside ("刘 拓"): join a
    lone surname with the lone character after it."""
    out: list[str] = []
    i = 0
    g = _grammar()
    while i < len(tokens):
        t = tokens[i]
        if len(t) == 1 and t in g.surnames and i + 1 < len(tokens) and len(tokens[i + 1]) == 1:
            out.append(t + tokens[i + 1])
            i += 2
            continue
        out.append(t)
        i += 1
    return out


def parse_staff_line(text: str) -> Bylines | None:
    """A supplement's staff on a line of their own ("金水时报 王小川"): reporters."""
    if len(text) > _MAX_BYLINE:
        return None
    m = _STAFF.fullmatch(_normalize(text).lstrip(_LEADING_MARKS).strip())
    if not m:
        return None
    names = _names(m.group("names"))
    return Bylines(reporters=tuple(names)) if names else None


def read_byline(text: str, staff: bool = False) -> Bylines | None:
    """`parse_byline`, optionally also taking a supplement's staff line."""
    found = parse_byline(text)
    if found is not None or not staff:
        return found
    from indexer.analysis import normalize
    n = normalize(text)
    found = parse_staff_line(n)
    return _printed(found, text, n) if found is not None and n != text else found


def _as_printed(name: str, text: str, normalized: str) -> str:
    m = re.search(r"\s*".join(map(re.escape, name)), normalized)
    return "".join(text[m.start():m.end()].split()) if m else name


def parse_byline(text: str) -> Bylines | None:
    """The names in `text` when the whole text is a byline, else None; traditional
    characters are read through the analysis normalisation (記者 趙一 -> 记者), the
    names are returned as printed.

    >>> parse_byline("記者 趙一 通訊員 錢二")
    Bylines(reporters=('趙一',), correspondents=('錢二',), photographers=())
    """
    if len(text) > 2 * _MAX_BYLINE:
        return None
    from indexer.analysis import normalize           # imported late: bylines stays import-light
    n = normalize(text)
    found = _parse(n)
    if found is None or n == text:
        return found
    return _printed(found, text, n)


def _printed(found: Bylines, text: str, n: str) -> Bylines:
    return Bylines(*(tuple(_as_printed(name, text, n) for name in getattr(found, r)) for r in ROLES))


def _parse(text: str) -> Bylines | None:
    """The names in `text` when the whole text is a byline, else None.

    >>> parse_byline("记者 唐善普 通讯员 白博文/图")
    Bylines(reporters=('唐善普',), correspondents=('白博',), photographers=())
    """
    if len(text) > 2 * _MAX_BYLINE or not _MAY_BE_BYLINE.search(text):
        return None
    s = _normalize(text)
    if len(s) > _MAX_BYLINE or not s:
        return None
    s = s.lstrip(_LEADING_MARKS).strip()
    s = _grammar().tail_note.sub("", s)
    if s[:1] == "(" and s[-1:] == ")":
        s = s[1:-1].strip()
    s = _PAGE_CODE_TAIL.sub("", s)
    if not s:
        return None
    inner = list(_INNER_CREDIT.finditer(s))
    if inner:                                        # one byline per credit, joined
        parts, start = [], 0
        for m in inner:
            parts.append(s[start:m.end()])
            start = m.end()
        parts.append(s[start:])
        found = [_parse(p.strip()) for p in parts if p.strip()]
        if not found or any(b is None for b in found):
            return None
        out = NO_BYLINES
        for b in found:
            out |= b
        return out
    photo = False
    m = _SUFFIX.search(s)
    if m:
        photo = "摄" in m.group(0) or (m.group(0).strip().endswith("图") and "文" not in m.group(0))
        s = s[:m.start()].strip()
    g = _grammar()
    labels = list(g.label.finditer(s))
    if not labels:
        names = _names(s) if m else None             # "王恩俊 摄": a bare photo credit
        if not names:
            return None
        if photo:
            return Bylines(photographers=tuple(names))
        return Bylines(reporters=tuple(names)) if m.group(0).strip().endswith("文") else None
    groups: list[tuple[str, list[str]]] = []
    before = s[:labels[0].start()].strip()
    if before:                                       # (刘少利 通讯员 刘栓阳): unlabelled names first
        names = _names(before)
        if names is None:
            return None
        groups.append(("reporters", names))
    for k, lm in enumerate(labels):
        end = labels[k + 1].start() if k + 1 < len(labels) else len(s)
        names = _names(s[lm.end():end])
        if names is None:
            return None
        groups.append((g.roles[lm.group("label")], names))
    if photo:                                        # "本报记者 王恩俊 摄": the last group took the photo
        groups[-1] = ("photographers", groups[-1][1])
    found = {r: [] for r in ROLES}
    for role, names in groups:
        found[role].extend(names)
    return Bylines(*(_unique(found[r]) for r in ROLES))


def is_photo_credit(text: str) -> bool:
    """A byline line that credits a photo (… 摄 / 摄影 …) and names no writer."""
    b = parse_byline(text)
    return bool(b) and bool(b.photographers) and not (b.reporters or b.correspondents)


def is_bare_label(text: str) -> bool:
    """A label without names, e.g. a byline broken after "记者"."""
    return _grammar().label.fullmatch(_normalize(text)) is not None


def split_lead_byline(text: str) -> tuple[str, Bylines]:
    """Remove a parenthesised byline at the start of a lead: "(记者 X 通讯员 Y)正文"."""
    s = text.lstrip()
    head = fold_punctuation(s[:_MAX_BYLINE + 2])
    if not head or head[0] != "(":
        return text, NO_BYLINES
    close = head.find(")")
    if close < 0:
        return text, NO_BYLINES
    found = parse_byline(head[1:close])
    if not found:
        return text, NO_BYLINES
    return strip_leading(s[close + 1:]), found


def split_trailing_byline(text: str) -> tuple[str, Bylines]:
    """Remove a byline glued after the last sentence: "…的基础。记者 王赛华 文/图".

    Also takes a paragraph that ends in a parenthesised byline "…。(记者 X)".
    The text before the byline is returned with trailing spaces removed.
    """
    tail_start = max(0, len(text) - _TAIL_WINDOW)
    window = fold_punctuation(text[tail_start:]).rstrip()
    if not window:
        return text, NO_BYLINES
    if window[-1] == ")":
        open_at = window.rfind("(")
        if open_at > 0 and window[open_at - 1] in _SENTENCE_END:
            found = parse_byline(window[open_at:])
            if found:
                return text[:tail_start + open_at].rstrip(), found
    end = max(window.rfind(ch) for ch in _SENTENCE_END)
    if end < 0 or end == len(window) - 1:
        return text, NO_BYLINES
    found = parse_byline(window[end + 1:])
    if not found:
        return text, NO_BYLINES
    return text[:tail_start + end + 1].rstrip(), found


def trailing_bare_label(text: str) -> int | None:
    """Where a bare label glued after the last sentence starts ("…。记者"), else None."""
    if not text.rstrip().endswith(_grammar().label_endings):
        return None
    tail_start = max(0, len(text) - _TAIL_WINDOW)
    window = fold_punctuation(text[tail_start:]).rstrip()
    end = max(window.rfind(ch) for ch in _SENTENCE_END) if window else -1
    tail = window[end + 1:]
    if tail.strip() and is_bare_label(tail):
        return tail_start + end + 1
    return None
