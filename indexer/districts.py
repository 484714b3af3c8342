"""District detection through the gazetteer in data/gazetteer.json.

Matching is leftmost-longest over every name the gazetteer knows, compiled into one
trie-shaped regex (linear in the text). Longest-first means 二七经开区 is 二七区's zone,
not 经开区; 新郑国际机场 is 航空港区, not 新郑市; 金水河 (a blocker) is no unit at all.

Decisions:
  * Bare stems are aliases only where they are unambiguous in this newspaper
    (惠济, 金水, 登封 …); 中原 (中原银行, 中原更加出彩) and 上街 (走上街头) are not.
  * A sub-unit (street, town, office) counts for its unit at 3/4 of a unit name.
  * 郑州/郑州市 never outweighs a unit: it decides only when no unit is named.
"""
from __future__ import annotations

import json
import re
from collections import Counter
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

DATA_FILE = Path(__file__).parent / "data" / "gazetteer.json"
CITY = "郑州市"

_UNIT, _SUB, _CITY, _BLOCK = "unit", "sub", "city", "block"
_KIND_WEIGHT = {_UNIT: 1.0, _SUB: 0.75}
_SECTION_WEIGHT = {"title": 10.0, "lead": 2.0, "rest": 1.0}   # title > anything in the body
_SECTION_CAP = 3.0          # repeated mentions in one section count up to three times
_WE = "我市"                # "our city": the city in the city's paper, a county city in its own
_FRONT_CHARS = 400          # how much of a section a city organ is looked for in
_COUNTY_CITY_MIN = 2.0      # mentions that make 我市 / 市委 a county-level city's own
_CITY_WIDE_MIN = 3.0        # a unit scoring less on a story that names the city up front: city news


@dataclass(frozen=True)
class Gazetteer:
    version: str
    units: tuple[str, ...]              # the county-level units, then 郑州市
    terms: dict[str, tuple[str, str]]   # name -> (unit or "", kind)
    pattern: re.Pattern
    city_pattern: re.Pattern | None = None   # the city's own organs: 市委, 市十四届人大


@cache
def load_gazetteer(path: Path = DATA_FILE) -> Gazetteer:
    data = json.loads(Path(path).read_text(encoding="utf-8"))
    claims: dict[str, set[str]] = {}     # sub-unit name -> units claiming it
    terms: dict[str, tuple[str, str]] = {}

    def claim(name: str, unit: str) -> None:
        claims.setdefault(name, set()).add(unit)

    for unit in data["units"]:
        name = unit["name"]
        names = [name, *unit.get("aliases", ())]
        stem = unit.get("stem", "")
        if stem:
            if unit.get("stem_is_alias"):
                names.append(stem)
            names += [stem + suffix for suffix in data.get("zone_suffixes", ())]
        for alias in names:
            terms[alias] = (name, _UNIT)
        for sub in _sub_names(unit):
            claim(sub, name)
    ambiguous = set(data.get("ambiguous", ()))
    for sub, owners in claims.items():
        if sub in terms:
            continue
        if len(owners) == 1 and sub not in ambiguous:
            terms[sub] = (next(iter(owners)), _SUB)
        else:
            terms[sub] = ("", _BLOCK)            # recognised, but decides nothing
    city = data["city"]
    for alias in (city["name"], *city.get("aliases", ())):
        terms.setdefault(alias, (CITY, _CITY))
    blockers = list(data.get("blockers", ()))
    for unit in data["units"]:
        if unit.get("stem") and unit.get("stem_is_alias"):
            blockers += [unit["stem"] + s for s in data.get("blocker_suffixes", ())]
    for name in blockers:
        if name not in terms:
            terms[name] = ("", _BLOCK)
    units = tuple(u["name"] for u in data["units"]) + (CITY,)
    city_patterns = data.get("city_patterns") or []
    city_pattern = re.compile("|".join(f"(?:{p})" for p in city_patterns)) if city_patterns else None
    return Gazetteer(str(data["version"]), units, terms, re.compile(_trie_regex(terms)), city_pattern)


def _sub_names(unit: dict) -> list[str]:
    names = []
    for key in ("streets", "towns", "townships", "offices", "former", "landmarks"):
        names += unit.get(key, ())
    for street in unit.get("streets", ()):
        stem = street.removesuffix("街道")
        if len(stem) >= 2:
            names.append(stem + "办事处")     # 潮河街道 is also 潮河办事处
    return names


def _trie_regex(words) -> str:
    """A regex matching the longest of `words` at each position (greedy trie)."""
    trie: dict = {}
    for word in words:
        node = trie
        for ch in word:
            node = node.setdefault(ch, {})
        node[""] = True

    def build(node: dict) -> str:
        end = "" in node
        branches = [re.escape(ch) + build(child) for ch, child in sorted(node.items()) if ch]
        if not branches:
            return ""
        body = branches[0] if len(branches) == 1 else "(?:" + "|".join(branches) + ")"
        if end:
            return "(?:" + body + ")?"
        return body

    return build(trie)


UNITS: tuple[str, ...] = load_gazetteer().units


def gazetteer_terms() -> list[str]:
    """Every name, alias and sub-unit of the gazetteer (for the jieba user dictionary)."""
    return sorted(load_gazetteer().terms)


def _mentions(text: str) -> list[tuple[str, str, int, int]]:
    """(unit, kind, start, end) for every unit-deciding name in `text`, in order."""
    gaz = load_gazetteer()
    found = []
    for m in gaz.pattern.finditer(text):
        unit, kind = gaz.terms[m.group()]
        if kind != _BLOCK:
            found.append((unit, kind, m.start(), m.end()))
    return found


def mentioned_districts(text: str) -> list[str]:
    """Every unit the text mentions, in order of first mention.

    郑州市 is listed only when no county-level unit is mentioned (every unit lies in it).
    """
    seen: dict[str, None] = {}
    city = False
    for unit, kind, _, _ in _mentions(text):
        if kind == _CITY:
            city = True
        else:
            seen.setdefault(unit, None)
    if not seen and city:
        return [CITY]
    return list(seen)


def _lead_and_rest(body: str) -> tuple[str, str]:
    body = body.strip()
    head, sep, rest = body.partition("\n\n")
    return head, rest


@dataclass
class _Evidence:
    scores: Counter = field(default_factory=Counter)    # unit -> weighted score
    first: dict = field(default_factory=dict)           # unit -> order of first mention
    lead_units: set = field(default_factory=set)        # units the first paragraph names
    city_in_front: bool = False     # title or first paragraph name the city (郑州, 我市, 市委 …)
    title_city: bool = False        # the title does
    city_by_name: bool = False      # ... by its name (郑州), not only by 我市 or an organ


def _scores(title: str, body: str) -> _Evidence:
    """Weighted unit scores and the city's mentions in title, first paragraph and rest."""
    lead, rest = _lead_and_rest(body)
    ev = _Evidence()
    for section, text in (("title", title), ("lead", lead), ("rest", rest)):
        raw: Counter = Counter()
        mentions = _mentions(text)
        starts = {pos for _, _, pos, _ in mentions}
        for unit, kind, pos, end in mentions:
            if kind == _CITY:
                # 郑州碧沙岗公园, 郑州市惠济区: the city only qualifies the name after it
                if end not in starts and section != "rest":
                    ev.city_in_front = True
                    ev.city_by_name = ev.city_by_name or text[pos:end] != _WE
                continue
            raw[unit] += _KIND_WEIGHT[kind]
            if section == "lead":
                ev.lead_units.add(unit)
            ev.first.setdefault(unit, len(ev.first))
        for unit, weight in raw.items():
            ev.scores[unit] += _SECTION_WEIGHT[section] * min(weight, _SECTION_CAP)
        if section != "rest" and _names_city_organ(text, mentions):
            ev.city_in_front = True
        if section == "title":
            ev.title_city = ev.city_in_front
    return ev


def _names_city_organ(text: str, mentions) -> bool:
    """市委, 市十四届人大 … not inside a place name (新郑市委 is 新郑's)."""
    pattern = load_gazetteer().city_pattern
    if pattern is None:
        return False
    spans = [(pos, end) for _, _, pos, end in mentions]
    for m in pattern.finditer(text, 0, _FRONT_CHARS):
        if not any(pos <= m.start() < end for pos, end in spans):
            return True
    return False


def _own_district(title: str, body: str) -> tuple[str | None, float]:
    ev = _scores(title, body)
    if ev.scores:
        unit = max(ev.scores, key=lambda u: (ev.scores[u], -ev.first[u]))
        if ev.city_in_front and _city_wide(ev, unit):
            return CITY, 0.0
        return unit, ev.scores[unit]
    return (CITY, 0.0) if ev.city_in_front else (None, 0.0)


def _city_wide(ev: _Evidence, top: str) -> bool:
    """A story that names the city up front and no unit in its headline is about the
    city unless one unit carries it: named in the first paragraph, or several times, and
    at least twice as often as any other. A headline naming the city (郑州, 市委 …) and no
    unit makes city news outright. 我市 and the organs (市委, 市政府) of a story that names
    one county-level city only (新密市) are that city's own."""
    scores = ev.scores
    if scores[top] >= _SECTION_WEIGHT["title"]:
        return False                          # a unit in the headline decides
    if not ev.city_by_name and len(scores) == 1 and top.endswith("市") \
            and (top in ev.lead_units or scores[top] >= _COUNTY_CITY_MIN):
        return False
    if ev.title_city:
        return True
    ranked = sorted(scores.values(), reverse=True)
    second = ranked[1] if len(ranked) > 1 else 0.0
    if scores[top] < 2 * second:
        return True                           # no unit clearly ahead
    if top in ev.lead_units:
        return False                          # the first paragraph names where it happened
    return len(scores) >= 2 or scores[top] < _CITY_WIDE_MIN


def district_evidence(title: str, body: str, page_district: str | None) -> tuple[str | None, str]:
    """(district, why) as article_district decides it, for `parse --explain`."""
    ev = _scores(title, body)
    own, _ = _own_district(title, body)
    chosen = article_district(title, body, page_district)
    scores = ev.scores
    parts = ["、".join(f"{u} {scores[u]:g}" for u in sorted(scores, key=lambda u: -scores[u]))
             or "正文未提及区县"]
    if ev.title_city:
        parts.append("标题提及全市(郑州/我市/市委…)")
    elif ev.city_in_front:
        parts.append("首段提及全市(郑州/我市/市委…)")
    if own == CITY and scores:
        parts.append("无区县明显为主 → 郑州市")
    if chosen == page_district and own in (None, CITY) and page_district:
        parts.append(f"正文未定区县,取页面来源 {page_district}")
    return chosen, ";".join(parts)


def article_district(title: str, body: str, page_district: str | None) -> str | None:
    """The one unit the article is about.

    Title mentions weigh 10, the first paragraph 2, the rest 1 (each section counts
    at most three mentions), so a unit in the title always wins over the body. An article naming no unit takes `page_district`; one naming only
    郑州 in its title or first paragraph, on a page without a unit, is city news.
    """
    unit, _ = _own_district(title, body)
    if unit is not None and unit != CITY:
        return unit
    if page_district:
        return page_district
    return unit


def page_district(articles: list[tuple[str, str]]) -> str | None:
    """The unit a page is about: the unit of a clear majority of its articles.

    "Clear": more articles than any other unit, and at least half of the articles
    that name a unit. A page of city news only is 郑州市; otherwise None.
    """
    counts: Counter = Counter()
    totals: Counter = Counter()
    city = False
    for title, body in articles:
        unit, score = _own_district(title, body)
        if unit == CITY:
            city = True
        elif unit is not None:
            counts[unit] += 1
            totals[unit] += score
    if not counts:
        return CITY if city else None
    ranked = sorted(counts, key=lambda u: (counts[u], totals[u]), reverse=True)
    top = ranked[0]
    if len(ranked) > 1 and counts[ranked[1]] == counts[top]:
        return None
    if counts[top] * 2 < sum(counts.values()):
        return None
    return top
