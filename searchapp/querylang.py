"""The query language: what a journalist types -> a small syntax tree, evaluated by the service.

``parse(text)`` is pure and never raises: whatever cannot be read as an operator is searched
as plain text. The service (searchapp.service) evaluates the tree: text terms in the substring
index, field terms (district:, reporter:, type:) through ``term_query`` in Whoosh.

Syntax (documented in the README)::

    惠济区 签约              words separated by spaces are AND-ed
    惠济区 OR 金水区         OR (upper case) between two terms; binds tighter than AND
    -疫情   NOT 疫情         excludes articles containing the term
    "经济运行分析会"         a quoted phrase (straight, full-width or Chinese quotes “…”)
    title:开门红             only in the headline (and subtitle)
    district:管城区          the article's district (aliases such as 管城 or 管城回族区 work)
    reporter:简洋  type:签约 a byline name / a project type
    魏东 NEAR/20 签约        within 20 characters, either order (BEFORE/20: in this order);
    魏东 SENT 签约           in one sentence; 魏东 PARA 签约: in one paragraph (searchapp.proximity)
    AND                      accepted between terms and ignored (AND is the default)

Rules:

* **A term without spaces is matched verbatim.** ``惠济区签约`` finds exactly the articles
  whose headline or body contains the characters 惠济区签约 in that order (after
  normalisation: traditional -> simplified, full-width -> half-width, ASCII lower-case), so
  it also finds parts of words (郑东 in 郑东新区) and never depends on how the word
  segmenter cut the text. To find articles that contain several words anywhere, separate
  them with spaces: ``惠济区 签约``. Quoting a term without spaces changes nothing.
* Spaces are layout, not content: spaces inside a line of the article (between the parts of
  a headline, stray spaces) are ignored when matching, and so is whitespace inside a quoted
  phrase (``"惠济区 召开"`` matches 惠济区召开; 养护守护 finds 精准养护 守护安全). A match never
  crosses a line break: not from headline to subtitle, not from one paragraph to the next.
* Anything that is not a well-formed operator is searched as text: a lone ``-``, ``OR`` or
  ``NOT`` at either end, ``title:`` with nothing after it, ``foo:bar`` with an unknown field.
  An unmatched straight quote is dropped; Chinese quotes “” inside a word are part of it.
  Parentheses have no special meaning.
* Control characters are treated as spaces, invisible format characters are dropped. A query is cut at ``MAX_QUERY_CHARS`` characters
  and ``MAX_TERMS`` terms; the results then say so (``Parsed.messages``).
"""
from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from typing import Union

MAX_QUERY_CHARS = 256
MAX_TERMS = 32

# Field prefixes: the user-facing name -> the AST field.
FIELDS = ("title", "district", "reporter", "correspondent", "photographer", "byline", "type")
_FIELD_RE = re.compile(r"(title|district|reporter|correspondent|photographer|byline|type)[:：]", re.IGNORECASE)
# AST field -> Whoosh field of a field term (byline: any of the three roles).
INDEX_FIELDS = {"reporter": "reporters", "correspondent": "correspondents",
                "photographer": "photographers", "byline": "reporter"}

# Opening quote -> the characters that close it.
_QUOTES = {'"': '"＂', "＂": '"＂', "“": "”\"＂", "「": "」", "『": "』"}
# Straight quotes that do not enclose a phrase are dropped (they are never content).
_STRAY_QUOTES = '"＂'
_NEGATORS = "-－"
_OPERATORS = ("OR", "AND", "NOT")


# --------------------------------------------------------------------------- the tree

@dataclass(frozen=True)
class Term:
    """A piece of text to find. field None = headline or body."""
    text: str
    field: str | None = None
    phrase: bool = False        # written in quotes

    def __str__(self) -> str:
        s = f'"{self.text}"' if self.phrase or not self.text or any(c.isspace() for c in self.text) else self.text
        return f"{self.field}:{s}" if self.field else s


@dataclass(frozen=True)
class Not:
    child: Term

    def __str__(self) -> str:
        return f"-{self.child}"


@dataclass(frozen=True)
class And:
    children: tuple

    def __str__(self) -> str:
        return "(" + " AND ".join(map(str, self.children)) + ")"


@dataclass(frozen=True)
class Or:
    children: tuple

    def __str__(self) -> str:
        return "(" + " OR ".join(map(str, self.children)) + ")"


@dataclass(frozen=True)
class Near:
    """Two text operands (a Term or an Or of Terms) close in characters; built and
    evaluated by searchapp.proximity. op: NEAR, BEFORE (distance n), SENT, PARA."""
    left: Union[Term, Or]
    right: Union[Term, Or]
    op: str
    distance: int = 0

    @property
    def children(self) -> tuple:
        return (self.left, self.right)

    def __str__(self) -> str:
        op = f"{self.op}/{self.distance}" if self.op in ("NEAR", "BEFORE") else self.op
        return f"({self.left} {op} {self.right})"


Node = Union[Term, Not, And, Or, Near]


@dataclass(frozen=True)
class Parsed:
    root: Node | None           # None: the empty query (every article)
    text: str                   # the query as searched (cleaned and capped)
    messages: tuple[str, ...] = ()

    def __str__(self) -> str:
        return "" if self.root is None else str(self.root)

    def terms(self, positive: bool = True) -> list[Term]:
        """The terms in the tree; positive=True: only those not negated (for highlighting)."""
        out: list[Term] = []

        def walk(node, negated):
            if isinstance(node, Term):
                if not (positive and negated):
                    out.append(node)
            elif isinstance(node, Not):
                walk(node.child, True)
            elif isinstance(node, (And, Or, Near)):
                for c in node.children:
                    walk(c, negated)

        if self.root is not None:
            walk(self.root, False)
        return out


# --------------------------------------------------------------------------- parsing

def clean(text: str) -> str:
    """Control characters become spaces; invisible format characters (zero-width space,
    BOM …), surrogates, private-use and unassigned code points are dropped."""
    out = []
    for ch in text:
        cat = unicodedata.category(ch)
        if ch.isspace() or cat == "Cc":
            out.append(" ")
        elif cat not in ("Cf", "Cs", "Co", "Cn"):
            out.append(ch)
    return "".join(out)


@dataclass
class _Item:
    kind: str                   # "term" or "op"
    text: str = ""              # operator name, or the raw token (for plain-text fallback)
    term: Term | None = None
    negated: bool = False


def _lex(s: str) -> list[_Item]:
    items: list[_Item] = []
    n = len(s)
    i = 0
    while i < n:
        if s[i].isspace():
            i += 1
            continue
        start = i
        negated = False
        if s[i] in _NEGATORS and i + 1 < n and not s[i + 1].isspace():
            negated = True
            i += 1
        field = None
        m = _FIELD_RE.match(s, i)
        if m and m.end() < n and not s[m.end()].isspace():
            field = m.group(1).lower()
            i = m.end()
        if s[i] in _QUOTES:
            closers = _QUOTES[s[i]]
            k = next((k for k in range(i + 1, n) if s[k] in closers), -1)
            if k >= 0:
                text = s[i + 1:k].strip()
                i = k + 1
                if text:
                    items.append(_Item("term", s[start:i], Term(" ".join(text.split()), field, True), negated))
                continue
        j = i
        while j < n and not s[j].isspace():
            j += 1
        raw = s[start:j]
        word = "".join(" " if c in _STRAY_QUOTES else c for c in s[i:j])
        i = j
        parts = word.split()
        if not parts:
            continue
        if not negated and field is None and len(parts) == 1 and parts[0] in _OPERATORS:
            items.append(_Item("op", parts[0]))
            continue
        # "-ab"cd" -> the stray quote splits the word; the prefix applies to the first part.
        items.append(_Item("term", raw, Term(parts[0], field), negated))
        items.extend(_Item("term", p, Term(p)) for p in parts[1:])
    return items


def _as_text(item: _Item) -> _Item:
    return _Item("term", item.text, Term(item.text))


def parse(text: str) -> Parsed:
    """Parse a user query string. Never raises; see the module docstring for the syntax."""
    messages: list[str] = []
    if not isinstance(text, str):
        text = "" if text is None else str(text)
    if len(text) > MAX_QUERY_CHARS:
        messages.append(f"查询过长（{len(text)}个字符），只使用了前{MAX_QUERY_CHARS}个字符。")
        text = text[:MAX_QUERY_CHARS]
    s = " ".join(clean(text).split())
    items = _lex(s)

    # NOT binds to the term after it; anywhere else it is text.
    resolved: list[_Item] = []
    k = 0
    while k < len(items):
        it = items[k]
        if it.kind == "op" and it.text == "NOT":
            nxt = items[k + 1] if k + 1 < len(items) else None
            if nxt is not None and nxt.kind == "term":
                resolved.append(_Item("term", nxt.text, nxt.term, not nxt.negated))
                k += 2
                continue
            it = _as_text(it)
        resolved.append(it)
        k += 1

    # OR joins the terms on either side; AND between terms is the default. Elsewhere: text.
    groups: list[list[_Item]] = []
    join_next = False
    for k, it in enumerate(resolved):
        if it.kind == "op":
            between = bool(groups) and not join_next and k + 1 < len(resolved) and resolved[k + 1].kind == "term"
            if between:
                join_next = it.text == "OR"
                continue
            it = _as_text(it)
        if join_next:
            groups[-1].append(it)
            join_next = False
        else:
            groups.append([it])

    n_terms = sum(len(g) for g in groups)
    if n_terms > MAX_TERMS:
        messages.append(f"查询词过多（{n_terms}个），只使用了前{MAX_TERMS}个。")
        kept, budget = [], MAX_TERMS
        for g in groups:
            if budget <= 0:
                break
            kept.append(g[:budget])
            budget -= len(g[:budget])
        groups = kept

    def operand(it: _Item) -> Node:
        return Not(it.term) if it.negated else it.term

    nodes: list[Node] = []
    for g in groups:
        ops = [operand(it) for it in g]
        nodes.append(ops[0] if len(ops) == 1 else Or(tuple(ops)))
    from searchapp import proximity    # NEAR/n BEFORE/n SENT PARA between the groups

    nodes = proximity.combine(nodes, messages)
    root: Node | None
    if not nodes:
        root = None
    elif len(nodes) == 1:
        root = nodes[0]
    else:
        root = And(tuple(nodes))
    return Parsed(root, s, tuple(messages))


# --------------------------------------------------------------------------- ranking, fields

# Weights of the ranking tiers (see searchapp.service: every matched term scores in
# [0.5, 1) times its weight):
# title == query  >  word match in headline  >  substring match in headline
#                 >  word match in body      >  substring-only match in body.
W_BODY_BI = 1.0
W_BODY = 2.0
W_TITLE_BI = 8.0
W_TITLE = 16.0
W_EXACT = 100.0


def title_key(text: str) -> str:
    """The title_exact form of a title or query: normalised, whitespace removed."""
    from indexer.schema import title_exact_key

    return title_exact_key(text)


def _keyword_values(field: str, value: str) -> list[str]:
    from indexer.analysis import normalize

    values = [value]
    if field == "district":
        from indexer.districts import UNITS, mentioned_districts

        if value not in UNITS:
            values += [d for d in mentioned_districts(value)[:1]]
    values.append(normalize(value))
    return list(dict.fromkeys(v for v in values if v))


def term_query(term: Term):
    """The Whoosh query of a field term (district:, reporter:, correspondent:, photographer:,
    byline:, type:).

    Text terms (no field, or title:) are answered by the substring index in the service.
    """
    from whoosh import query as wq

    if term.field in (None, "title"):
        raise ValueError("text terms are searched in the substring index, not in Whoosh")
    fieldname = INDEX_FIELDS.get(term.field, term.field)
    qs = [wq.Term(fieldname, v) for v in _keyword_values(term.field, term.text)]
    return qs[0] if len(qs) == 1 else wq.Or(qs)
