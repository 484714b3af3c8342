"""Money amounts stated in an article, normalised to 万元 (computed at index time).

``extract(text)`` finds every amount of money written as a number (Arabic or Chinese
numerals), an optional multiplier (万, 亿, 千万 …) and 元: ``总投资216.8亿元``,
``签约金额3.2亿元``, ``投资5000万元``, ``总投资约12亿元``, ranges (``投资8亿至10亿元``,
``3000万—5000万元``) and sums over several projects (``16个项目总投资85亿元``,
``项目16个，总投资216.8亿元``). Each amount keeps the phrase it came from.

The kind of an amount is decided by the keyword nearest before it in the same clause
(the keyword lists are in ``indexer/data/amounts.json``): ``investment`` (总投资, 计划投资 …),
``contract`` (签约额, 合同金额, 签约 …) or ``other`` (收入, 产值, 进出口 … and amounts
with no keyword). Prices (``元/平方米``) are ``other``.

Whitespace (layout line breaks inside a sentence) is ignored, so ``年度投资\\n211.5亿元``
is read as one phrase; full-width digits count as digits.

``article_amount`` is the figure the search filter and the aggregate panel use: the
largest investment or contract amount of the article (a range counts with its lower
bound), so that a total and its parts, or a total repeated in headline and body, are not
added twice.
"""
from __future__ import annotations

import json
import re
from dataclasses import asdict, dataclass
from functools import lru_cache
from pathlib import Path

import cn2an

DATA_FILE = Path(__file__).resolve().parent / "data" / "amounts.json"
KINDS = ("investment", "contract", "other")
KIND_LABELS = {"investment": "投资", "contract": "签约", "other": "其他"}

_CN_DIGITS = "零〇一二两三四五六七八九十百千"
_FULL_WIDTH = str.maketrans("０１２３４５６７８９．，", "0123456789.,")
_SPACE = re.compile(r"\s+")


@dataclass(frozen=True)
class Amount:
    value: float            # 万元 (lower bound of a range)
    high: float             # 万元 (upper bound of a range; == value otherwise)
    kind: str               # investment | contract | other
    phrase: str             # the words it came from, e.g. "总投资约12亿元" (whitespace removed)
    approx: bool = False    # 约 / 近 / 超过 / 多 / 余 …
    projects: int = 0       # number of projects the sum covers (16个项目总投资85亿元 -> 16), 0 if none
    start: int = 0          # offset of the number in the whitespace-free text

    @property
    def is_range(self) -> bool:
        return self.high != self.value

    def to_dict(self) -> dict:
        d = asdict(self)
        d.pop("start")
        return d


@dataclass(frozen=True)
class _Rules:
    units: dict
    amount_re: re.Pattern
    breaks: frozenset
    lookback: int
    keywords: tuple            # (keyword, kind), longest first
    approx_before: tuple
    price_after: tuple
    count_res: tuple
    filter_kinds: frozenset


@lru_cache(maxsize=1)
def rules() -> _Rules:
    d = json.loads(DATA_FILE.read_text(encoding="utf-8"))
    units = d["units"]
    unit_alt = "|".join(re.escape(u) for u in sorted((u for u in units if u), key=len, reverse=True))
    num = rf"(?:[0-9]{{1,3}}(?:,[0-9]{{3}})+|[0-9]+)(?:\.[0-9]+)?|[{_CN_DIGITS}]+(?:点[{_CN_DIGITS}]+)?"
    seps = "|".join(re.escape(s) for s in d["range_separators"])
    after = "|".join(re.escape(s) for s in d["approx_after"])
    pattern = (rf"(?P<n1>{num})(?P<u1>{unit_alt})?(?P<a1>{after})?"
               rf"(?:(?:{seps})(?P<n2>{num})(?P<u2>{unit_alt})?(?P<a2>{after})?)?"
               rf"(?P<unit>{unit_alt})?元")
    keywords = sorted(((k, kind) for kind, ks in d["kinds"].items() for k in ks),
                      key=lambda kv: len(kv[0]), reverse=True)
    return _Rules(units=units, amount_re=re.compile(pattern), breaks=frozenset(d["clause_breaks"]),
                  lookback=int(d["lookback_chars"]), keywords=tuple(keywords),
                  approx_before=tuple(sorted(d["approx_before"], key=len, reverse=True)),
                  price_after=tuple(d["price_after"]),
                  count_res=tuple(re.compile(p) for p in d["project_count"]),
                  filter_kinds=frozenset(d["filter_kinds"]))


def compact(text: str) -> str:
    """The text as amounts are read: whitespace removed, full-width digits made ASCII."""
    return _SPACE.sub("", (text or "").translate(_FULL_WIDTH))


def _number(text: str) -> float | None:
    text = text.replace(",", "")
    if re.fullmatch(r"[0-9]+(?:\.[0-9]+)?", text):
        return float(text)
    if text in ("零", "〇"):
        return 0.0
    try:
        return float(cn2an.cn2an(text, "normal"))
    except (ValueError, KeyError, IndexError, TypeError):
        return None


def _clause_start(s: str, pos: int, r: _Rules) -> int:
    lo = max(0, pos - r.lookback)
    for i in range(pos - 1, lo - 1, -1):
        if s[i] in r.breaks:
            return i + 1
    return lo


def _kind(s: str, start: int, pos: int, r: _Rules) -> tuple[str, int]:
    """(kind, keyword start) of the keyword nearest before pos in s[start:pos]; ("other", -1)."""
    best = ("other", -1, -1)          # kind, keyword start, keyword end
    prefix = s[start:pos]
    for kw, kind in r.keywords:
        i = prefix.rfind(kw)
        if i < 0:
            continue
        end = start + i + len(kw)
        if end > best[2] or (end == best[2] and start + i < best[1]):
            best = (kind, start + i, end)
    return best[0], best[1]


def _projects(s: str, clause: int, pos: int, r: _Rules) -> tuple[int, int]:
    """(project count, its start) stated in this clause before pos or in the clause before."""
    lo = _clause_start(s, clause - 1, r) if clause > 0 and s[clause - 1] in "，," else clause
    window = s[lo:pos]
    found = (0, -1)
    for cre in r.count_res:
        for m in cre.finditer(window):
            n = _number(m.group("n"))
            if n and n == int(n) and lo + m.start() > found[1]:
                found = (int(n), lo + m.start())
    return found


def extract(text: str) -> list[Amount]:
    """Every amount of money in the text, in reading order."""
    r = rules()
    s = compact(text)
    out = []
    for m in r.amount_re.finditer(s):
        # a number glued to a preceding digit or letter is part of something else (No.2023元?)
        if m.start() and (s[m.start() - 1].isascii() and s[m.start() - 1].isalnum() or s[m.start() - 1] == "."):
            continue
        n1, n2 = _number(m.group("n1")), _number(m.group("n2")) if m.group("n2") else None
        if n1 is None or (m.group("n2") and n2 is None):
            continue
        unit = m.group("unit") or ""
        if n2 is None:
            low_unit = high_unit = (m.group("u1") or "") + unit
        else:
            high_unit = (m.group("u2") or "") + unit
            low_unit = m.group("u1") or high_unit
        if low_unit not in r.units or high_unit not in r.units:
            continue      # "5亿万元" and the like
        low = n1 * r.units[low_unit]
        high = (n2 if n2 is not None else n1) * r.units[high_unit]
        if high < low:
            low, high = high, low
        clause = _clause_start(s, m.start(), r)
        kind, kw_start = _kind(s, clause, m.start(), r)
        after = s[m.end():m.end() + 1]
        if after and after.startswith(r.price_after):
            kind = "other"
        approx = bool(m.group("a1") or m.group("a2"))
        begin = m.start()
        for q in r.approx_before:
            if s.startswith(q, begin - len(q)) and begin - len(q) >= clause:
                approx, begin = True, begin - len(q)
                break
        projects, p_start = _projects(s, clause, m.start(), r) if kind != "other" else (0, -1)
        begin = min(x for x in (begin, kw_start if kw_start >= 0 else begin,
                                p_start if p_start >= 0 else begin))
        out.append(Amount(value=round(low / 10000, 4), high=round(high / 10000, 4), kind=kind,
                          phrase=s[begin:m.end()], approx=approx, projects=projects, start=m.start()))
    return out


def article_amounts(title: str, subtitle: str, body: str) -> list[Amount]:
    """The amounts of an article's headline, subtitle and body (in that order)."""
    return [a for part in (title, subtitle, body) if part for a in extract(part)]


def article_amount(amounts) -> float:
    """The article's figure for the filter and the aggregates (万元): its largest investment
    or contract amount (lower bound of a range); 0.0 when it states none."""
    return _largest((a.value, a.kind) for a in amounts)


def stored_amount(stored) -> float:
    """article_amount() of amounts as stored (Amount.to_dict() dicts), without building them."""
    return _largest((d["value"], d.get("kind")) for d in stored or ())


def _largest(pairs) -> float:
    kinds = rules().filter_kinds
    return max((v for v, k in pairs if k in kinds), default=0.0)


def parse_amount(text: str) -> float | None:
    """A user's bound in 万元: "5000" (万元), "5亿", "5000万", "3.2亿元", "８亿" -> 万元; None if
    it is not an amount."""
    s = compact(text).rstrip("元")
    if not s:
        return None
    r = rules()
    m = re.fullmatch(r"(?P<n>[0-9]+(?:\.[0-9]+)?|[" + _CN_DIGITS + r"]+)(?P<u>" +
                     "|".join(re.escape(u) for u in r.units if u) + r")?", s.replace(",", ""))
    if not m:
        return None
    n = _number(m.group("n"))
    if n is None:
        return None
    unit = m.group("u")
    return round(n * r.units[unit] / 10000, 4) if unit else n


def format_wan(value: float) -> str:
    """万元 for people: 2168000 -> "216.8亿元", 5000 -> "5000万元", 0.5 -> "5000元"."""
    if value >= 10000:
        return f"{value / 10000:.4f}".rstrip("0").rstrip(".") + "亿元"
    if value >= 1:
        return f"{value:.4f}".rstrip("0").rstrip(".") + "万元"
    return f"{value * 10000:.0f}元"
