"""Highlighting: escape first, then mark. Pure functions over strings.

Matches are found without re-segmenting the article: each needle (a query term, normalised,
whitespace removed) is looked up with ``str.find`` in ``normalize(text)`` with spaces
skipped and line breaks kept (as the substring index does), and because ``normalize`` maps
one character to one character, the offsets found there are offsets in the original text.
So a bigram-only match (郑东 inside 郑东新区) and a match across the space between two
headline parts are marked exactly like any other.
"""
from __future__ import annotations

import bisect
import html
import re
from functools import lru_cache
from typing import Iterable

from indexer.analysis import normalize

SNIPPET_CHARS = 90      # length of a body fragment
SNIPPET_LEAD = 24       # characters shown before the first match of a fragment
ELLIPSIS = "…"

_WS_RE = re.compile(r"\s+")
# Whitespace other than "\n" (a text without any has nothing to pack; a plain class is
# searched at C speed, four times faster than looking for whitespace between characters).
_GAP_RE = re.compile(r"[^\S\n]")
_PARA_RE = re.compile(r"\n\s*\n")


@lru_cache(maxsize=4096)
def needle(text: str) -> str:
    """The form a query term is looked up in: normalised, whitespace removed."""
    return "".join(normalize(text).split())


def find_spans(text: str, needles: Iterable[str]) -> list[tuple[int, int]]:
    """Sorted, merged (start, end) character ranges of `text` where any needle occurs.

    Needles are matched in normalize(text) the way the substring index matches: spaces
    inside a line are skipped, but a match never crosses a line break.
    """
    keys = sorted({needle(n) for n in needles if n} - {""}, key=len, reverse=True)
    if not keys or not text:
        return []
    packed, orig = _packed(text)
    spans = []
    for key in keys:
        start = packed.find(key)
        while start >= 0:
            spans.append(orig(start, start + len(key)))
            start = packed.find(key, start + 1)
    return merge(spans)


def _packed(text: str):
    """(packed, orig): normalize(text) with whitespace runs removed, except one "\n" for a
    run holding a line break (C-speed regex, no per-char loop), and orig(start, end) -> the
    span of packed[start:end] in text."""
    norm = normalize(text)
    if not _GAP_RE.search(norm):
        # Only "\n" breaks: a needle (no whitespace) meets the same characters in `norm` as
        # in the packed text, at the same offsets.
        return norm, _same
    # A character at `p` in the packed text sits at p + (characters removed before it).
    run_at, removed, parts = [], [], []
    gone = last = 0
    for m in _WS_RE.finditer(norm):
        kept = "\n" if len(("a" + m.group() + "a").splitlines()) > 1 else ""
        parts += [norm[last:m.start()], kept]
        last = m.end()
        run_at.append(m.start() - gone + len(kept))
        gone += m.end() - m.start() - len(kept)
        removed.append(gone)

    def at(p: int) -> int:
        k = bisect.bisect_right(run_at, p)
        return p + (removed[k - 1] if k else 0)

    return "".join(parts) + norm[last:], lambda s, e: (at(s), at(e - 1) + 1)


def _same(s: int, e: int) -> tuple[int, int]:
    return s, e


def merge(spans: Iterable[tuple[int, int]]) -> list[tuple[int, int]]:
    """Overlapping spans become one; touching spans stay apart (two matches)."""
    out: list[list[int]] = []
    for s, e in sorted(spans):
        if out and s < out[-1][1]:
            out[-1][1] = max(out[-1][1], e)
        else:
            out.append([s, e])
    return [(s, e) for s, e in out]


def escape(text: str) -> str:
    return html.escape(text, quote=True)


def mark(text: str, spans: list[tuple[int, int]], open_tag: str = "<mark>",
         close_tag: str = "</mark>", esc=escape) -> str:
    """`text` with every span wrapped in open/close tags and everything else passed to esc.

    Spans must be sorted and non-overlapping (as find_spans returns them); they are clipped
    to the text.
    """
    out = []
    pos = 0
    n = len(text)
    for s, e in spans:
        s, e = max(s, pos), min(e, n)
        if s >= e:
            continue
        out.append(esc(text[pos:s]))
        out.append(open_tag + esc(text[s:e]) + close_tag)
        pos = e
    out.append(esc(text[pos:]))
    return "".join(out)


def highlight(text: str, needles: Iterable[str]) -> str:
    """The whole text, HTML-escaped, with matches in <mark> (for headlines)."""
    return mark(text, find_spans(text, needles))


def _squash(s: str) -> str:
    return _WS_RE.sub(" ", s)


def _fragment(text: str, lo: int, hi: int, spans, open_tag, close_tag, esc) -> str:
    inside = [(max(s, lo) - lo, min(e, hi) - lo) for s, e in spans if s < hi and e > lo]
    body = mark(text[lo:hi], inside, open_tag, close_tag, lambda t: esc(_squash(t)))
    return (ELLIPSIS if lo > 0 else "") + body.strip() + (ELLIPSIS if hi < len(text) else "")


def snippets(text: str, needles: Iterable[str], count: int = 2, size: int = SNIPPET_CHARS,
             open_tag: str = "<mark>", close_tag: str = "</mark>", esc=escape) -> list[str]:
    """Up to `count` fragments of about `size` characters around the matches.

    Each fragment starts a little before a match not yet shown; fragments never overlap.
    Without any match, the beginning of the text is the one fragment. Whitespace runs are
    shown as one space.
    """
    if not text:
        return []
    spans = find_spans(text, needles)
    if not spans:
        hi = min(len(text), size)
        return [_fragment(text, 0, hi, [], open_tag, close_tag, esc)]
    out = []
    shown_until = 0
    for s, e in spans:
        if len(out) >= count:
            break
        if s < shown_until:
            continue
        lo = max(shown_until, s - SNIPPET_LEAD)
        # Start after a sentence end or a paragraph break when one is near.
        cut = max(text.rfind(ch, lo, s) for ch in "。！？!?\n")
        if cut >= 0:
            lo = cut + 1
        hi = min(len(text), max(lo + size, e))
        # A match cut by the fragment's end is shown whole.
        for s2, e2 in spans:
            if s2 < hi < e2:
                hi = e2
        out.append(_fragment(text, lo, hi, spans, open_tag, close_tag, esc))
        shown_until = hi
    return out


def article_html(body: str, needles: Iterable[str]) -> tuple[str, int]:
    """The body as escaped <p> paragraphs, every match as <mark class="hit" id="mN">.

    Returns (html, number of matches). Ids count from m1 in reading order, for
    next/previous-match navigation (matches never cross a paragraph break).
    """
    spans = find_spans(body, needles)
    paras = []
    pos = 0
    for m in _PARA_RE.finditer(body):
        paras.append((pos, m.start()))
        pos = m.end()
    paras.append((pos, len(body)))
    numbered = {s: i for i, (s, _) in enumerate(spans, 1)}
    out = []
    for lo, hi in paras:
        text = body[lo:hi]
        if not text.strip():
            continue
        parts = []
        cur = lo
        for s, e in spans:
            if e <= lo or s >= hi:
                continue
            a, b = max(s, lo), min(e, hi)
            if a < cur:
                continue
            parts.append(escape(body[cur:a]))
            ident = f' id="m{numbered[s]}"' if a == s else ""
            parts.append(f'<mark class="hit"{ident}>{escape(body[a:b])}</mark>')
            cur = b
        parts.append(escape(body[cur:hi]))
        out.append("<p>" + "".join(parts).strip() + "</p>")
    return "\n".join(out), len(spans)


def terminal(fragment_html: str, open_mark: str = "【", close_mark: str = "】") -> str:
    """A highlighted HTML fragment as plain text for a terminal (marks as 【】 or colours)."""
    text = fragment_html.replace("<mark>", "\0").replace("</mark>", "\1")
    text = re.sub(r"<[^>]*>", "", text)
    return html.unescape(text).replace("\0", open_mark).replace("\1", close_mark)
