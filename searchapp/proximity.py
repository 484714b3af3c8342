"""Proximity measured in characters: ``A NEAR/n B``, ``A BEFORE/n B``, ``A SENT B``, ``A PARA B``.

Word distance (Lucene's ``"A B"~10``) is ill-defined for Chinese, so distances here count
characters, in the text the substring index matches (``indexer.substring``): normalised,
spaces inside a line ignored, a paragraph break counting as one character.

* ``A NEAR/n B``: an occurrence of A and one of B, in either order, with at most n characters
  between the end of the first and the start of the second (``魏东 NEAR/20 签约``);
* ``A BEFORE/n B``: the same, A first;
* ``A SENT B``: both in one sentence (no 。！？； and no line break between them);
* ``A PARA B``: both in one paragraph (no line break between them).

Both occurrences are in the same field (headline or body) and do not overlap; the substring
contract holds on both sides (parts of words match; a single character only where jieba
kept it as a word, as everywhere else). An operand is a text term, ``title:`` term, quoted
phrase or an ``OR`` group of them (OR binds tighter: ``魏东 OR 王伟 NEAR/20 签约``); the
result combines with the rest of the query like a term (AND-ed, ``-`` terms exclude).
A chain ``A NEAR/5 B NEAR/5 C`` means A near B and B near C.

``combine`` (called by ``querylang.parse``) turns operator tokens between two operands into
``querylang.Near`` nodes; a malformed operator (``NEAR/abc``, ``NEAR/0``, a missing side,
a side that is a ``-`` term or a ``district:``-style field) stays a text term and a message
says so. ``evaluate`` (called by the service) computes the matching articles from the
postings of the substring index: for each occurrence of one side, the nearest occurrence of
the other side that starts after it ends (``np.searchsorted``), then its distance or the
sentence / paragraph boundaries between the two.
"""
from __future__ import annotations

import re
import threading

from searchapp import querylang as ql

# numpy and the substring index are imported by the evaluation functions only: parsing
# (querylang.parse -> combine) stays as light as the rest of the parser.

MAX_DISTANCE = 1000
DISTANCE_OPS = ("NEAR", "BEFORE")
BOUNDARY_OPS = ("SENT", "PARA")
# Sentence ends, as the issue defines SENT; normalize() folds the full-width forms to ASCII.
SENTENCE_ENDS = "。！？；"
_OP_RE = re.compile(r"^(?:(NEAR|BEFORE)/(.*)|(SENT|PARA))$")
_WORD_RE = re.compile(r"[^\W_]")
_lock = threading.Lock()


# --------------------------------------------------------------------------- parsing

def _op_token(node) -> re.Match | None:
    if isinstance(node, ql.Term) and node.field is None and not node.phrase:
        return _OP_RE.match(node.text)
    return None


def _operand(node) -> bool:
    def text_term(t) -> bool:
        return isinstance(t, ql.Term) and t.field in (None, "title") and _op_token(t) is None
    if isinstance(node, ql.Or):
        return all(text_term(c) for c in node.children)
    return text_term(node)


def _distance(m: re.Match, messages: list[str]) -> int | None:
    """The n of NEAR/n, BEFORE/n (clamped to MAX_DISTANCE); None when it is not a number >= 1."""
    raw = m.group(2)
    if not raw.isascii() or not raw.isdigit() or int(raw) < 1:
        messages.append(f"“{m.group(0)}”中的距离应是 1 到 {MAX_DISTANCE} 之间的整数（如 NEAR/20），"
                        f"已按普通文字搜索。")
        return None
    n = int(raw)
    if n > MAX_DISTANCE:
        messages.append(f"“{m.group(0)}”的距离过大，已改为 {MAX_DISTANCE} 个字。")
        n = MAX_DISTANCE
    return n


def combine(nodes: list, messages: list[str]) -> list:
    """The AND-ed nodes of a query with every well-formed proximity operator between two
    operands replaced by a Near node (see the module docstring)."""
    out: list = []
    chained: ql.Near | None = None          # the Near just built (for A NEAR B NEAR C)
    i = 0
    while i < len(nodes):
        node = nodes[i]
        m = _op_token(node)
        if m is None:
            for c in getattr(node, "children", ()):
                if _op_token(c) is not None and isinstance(node, ql.Or):
                    messages.append(f"“{c.text}”不能直接和 OR 相连，已按普通文字搜索。")
            out.append(node)
            chained = None
            i += 1
            continue
        op = m.group(1) or m.group(3)
        n = _distance(m, messages) if op in DISTANCE_OPS else 0
        if n is None:
            out.append(node)
            chained, i = None, i + 1
            continue
        left = chained.right if chained is not None else (out[-1] if out else None)
        right = nodes[i + 1] if i + 1 < len(nodes) else None
        if left is None or right is None or not _operand(left) or not _operand(right):
            messages.append(f"“{node.text}”的两边都要有要查的词（如 魏东 {node.text} 签约；"
                            f"不能是排除词或 district: 等字段），已按普通文字搜索。")
            out.append(node)
            chained, i = None, i + 1
            continue
        near = ql.Near(left, right, op, n)
        if chained is None:
            out[-1] = near
        else:
            out.append(near)
        chained = near
        i += 2
    return out


# --------------------------------------------------------------------------- evaluation

def _term_postings(st, term: ql.Term):
    """(start postings, end postings) of a text term's live occurrences, sorted by start."""
    import numpy as np

    from indexer import substring
    from indexer.analysis import normalize

    norm = normalize(term.text)
    codes = substring.query_codes(norm)
    empty = np.zeros(0, np.uint64)
    if not len(codes) or (len(codes) == 1 and not _WORD_RE.search(norm)):
        return empty, empty
    occ = st.subs.find(codes, title_only=term.field == "title")
    posts = occ.posts
    keep = st.docmap.docnums(occ.dockeys) >= 0
    if len(codes) == 1:                   # a single character: only where it is a word
        keep &= occ.aligned
    posts = np.sort(posts[keep])
    return posts, posts + np.uint64(len(codes))


def _side(st, node):
    import numpy as np

    terms = node.children if isinstance(node, ql.Or) else (node,)
    parts = [_term_postings(st, t) for t in terms]
    starts = np.concatenate([s for s, _ in parts])
    ends = np.concatenate([e for _, e in parts])
    order = np.lexsort((ends, starts))
    return starts[order], ends[order]


def boundaries(st, op: str):
    """Sorted postings of every sentence end (SENT) or line break (PARA) of an index state
    (computed once per state, kept on it)."""
    import numpy as np

    from indexer import substring
    from indexer.analysis import normalize

    cache = st.extras
    key = ("boundaries", op)
    got = cache.get(key)
    if got is not None:
        return got
    with _lock:
        got = cache.get(key)
        if got is None:
            chars = {substring.LINE_BREAK}
            if op == "SENT":
                chars |= {ord(c) for c in normalize(SENTENCE_ENDS)}
            parts = [st.subs.char_postings(c) for c in sorted(chars)]
            got = np.sort(np.concatenate(parts))
            cache[key] = got
    return got


def _pairs(first, second, op: str, n: int, bounds):
    """Start postings of the occurrences in `first` followed (after their end, same field) by
    an occurrence in `second` that satisfies the operator."""
    import numpy as np

    from indexer import substring

    field_doc = np.uint64(substring.FIELD_SHIFT)       # postings >> 31 = (dockey, field)
    f_start, f_end = first
    s_start, _ = second
    if not len(f_start) or not len(s_start):
        return np.zeros(0, np.uint64)
    at = np.searchsorted(s_start, f_end, side="left")
    ok = at < len(s_start)
    nxt = s_start[np.where(ok, at, 0)]
    ok &= (nxt >> field_doc) == (f_end >> field_doc)
    if op in DISTANCE_OPS:
        ok &= (nxt - f_end) <= np.uint64(n)
    else:
        ok &= np.searchsorted(bounds, nxt, side="left") == np.searchsorted(bounds, f_end, side="left")
    return f_start[ok]


def matching_dockeys(st, node: ql.Near):
    """Dockeys of the articles where the Near node holds (int64 array)."""
    import numpy as np

    from indexer import substring

    a, b = _side(st, node.left), _side(st, node.right)
    bounds = boundaries(st, node.op) if node.op in BOUNDARY_OPS else None
    found = [_pairs(a, b, node.op, node.distance, bounds)]
    if node.op != "BEFORE":
        found.append(_pairs(b, a, node.op, node.distance, bounds))
    posts = np.concatenate(found)
    return np.unique((posts >> np.uint64(substring.DOC_SHIFT)).astype(np.int64))


def evaluate(st, node: ql.Near, side_score):
    """DocSet: the articles where the Near node holds, scored as the sum of its two sides'
    term scores (``side_score(node) -> DocSet | None``)."""
    import numpy as np

    from searchapp import docsets

    n = st.table.size
    docs = st.docmap.docnums(matching_dockeys(st, node))
    docs = np.unique(docs[(docs >= 0) & (docs < n)])
    found = docsets.of(docs[st.table.live[docs]])
    for side in node.children:
        r = side_score(side)
        if r is not None:
            found = docsets.add_scores(found, r)
    return found
