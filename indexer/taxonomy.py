"""Project types (签约, 开工, 投产, 竣工, 招商引资) through data/project_types.json.

A type is set only when the article reports the event, not for a passing mention:
  * an unguarded trigger in the title, or
  * enough unguarded evidence in the first paragraph and the rest of the body:
    strong triggers (签约仪式, “开工一批”项目6个) count more than plain ones
    (签约, 开工), and the first paragraph counts double.
A trigger is guarded when its clause (from the last punctuation mark up to the
trigger) holds an intent word: 争取早日开工建设 and 加大招商引资力度 are wishes.
"""
from __future__ import annotations

import json
import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path

DATA_FILE = Path(__file__).parent / "data" / "project_types.json"
_CLAUSE_WINDOW = 24         # characters looked back for the start of a clause


@dataclass(frozen=True)
class ProjectType:
    name: str
    pattern: re.Pattern     # groups: x = exclusion, s = strong trigger, p = plain trigger
    words: tuple[str, ...]  # literal triggers (for the jieba dictionary)


@dataclass(frozen=True)
class Taxonomy:
    version: str
    types: tuple[ProjectType, ...]
    delimiters: frozenset[str]
    intent: re.Pattern
    points: dict            # lead_strong/lead_plain/strong/plain points and threshold


def _alternation(patterns) -> str:
    # Longest first, so a strong phrase wins over its plain prefix at the same position.
    return "|".join(sorted(patterns, key=len, reverse=True)) or "(?!)"


@cache
def load_taxonomy(path: Path = DATA_FILE) -> Taxonomy:
    data = json.loads(Path(path).read_text(encoding="utf-8"))
    types = []
    for t in data["types"]:
        pattern = re.compile(
            f"(?P<x>{_alternation(t.get('exclude', ()))})"
            f"|(?P<s>{_alternation(t.get('strong', ()))})"
            f"|(?P<p>{_alternation(t.get('plain', ()))})"
        )
        words = tuple(w for w in (*t.get("strong", ()), *t.get("plain", ())) if re.fullmatch(r"\w+", w))
        types.append(ProjectType(t["name"], pattern, words))
    return Taxonomy(
        version=str(data["version"]),
        types=tuple(types),
        delimiters=frozenset(data["clause_delimiters"]),
        intent=re.compile("|".join(data["intent_words"])),
        points={k: int(v) for k, v in data["scoring"].items()},
    )


PROJECT_TYPES: tuple[str, ...] = tuple(t.name for t in load_taxonomy().types)


def taxonomy_terms() -> list[str]:
    """Literal trigger words of every type (for the jieba user dictionary)."""
    return sorted({w for t in load_taxonomy().types for w in t.words})


def _clause_before(text: str, start: int, delimiters: frozenset[str]) -> str:
    lo = max(0, start - _CLAUSE_WINDOW)
    for i in range(start - 1, lo - 1, -1):
        if text[i] in delimiters:
            return text[i + 1:start]
    return text[lo:start]


def _evidence(tax: Taxonomy, ptype: ProjectType, text: str) -> tuple[int, int]:
    """(strong, plain) counts of unguarded triggers of `ptype` in `text`."""
    strong = plain = 0
    for m in ptype.pattern.finditer(text):
        if m.group("x") is not None:
            continue
        if tax.intent.search(_clause_before(text, m.start(), tax.delimiters)):
            continue
        if m.group("s") is not None:
            strong += 1
        else:
            plain += 1
    return strong, plain


def project_types(title: str, body: str) -> tuple[str, ...]:
    """The project events the article reports, in taxonomy order."""
    tax = load_taxonomy()
    lead, _, rest = body.strip().partition("\n\n")
    pts = tax.points
    found = []
    for ptype in tax.types:
        if _evidence(tax, ptype, title) != (0, 0):
            found.append(ptype.name)
            continue
        lead_strong, lead_plain = _evidence(tax, ptype, lead)
        strong, plain = _evidence(tax, ptype, rest)
        score = (lead_strong * pts["lead_strong_points"] + lead_plain * pts["lead_plain_points"]
                 + strong * pts["strong_points"] + plain * pts["plain_points"])
        if score >= pts["threshold"]:
            found.append(ptype.name)
    return tuple(found)
