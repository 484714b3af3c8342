"""Facet values as users type them -> the names the index holds (district aliases).

The query language already resolves `district:管城区`; this makes ?district=, the CLI's
--district and exclusions agree with it, using the same gazetteer (indexer.districts).
"""
from __future__ import annotations


def canonical(facet: str, value: str) -> str:
    """The indexed name of a facet value: '经济技术开发区' -> '经开区', '管城区' -> '管城回族区'.
    Unknown values and facets without aliases come back unchanged."""
    if facet != "district" or not value:
        return value
    from indexer.districts import UNITS, mentioned_districts

    if value in UNITS:
        return value
    found = mentioned_districts(value)
    return found[0] if len(found) == 1 else value


def is_known(facet: str, value: str) -> bool:
    """Whether a district value names a known unit (directly or by an alias)."""
    from indexer.districts import UNITS

    return facet != "district" or canonical(facet, value) in UNITS


def resolve(facet: str, values) -> tuple[tuple[str, ...], list[str]]:
    """Canonical values (de-duplicated) and a note for each alias that was replaced."""
    out: list[str] = []
    notes: list[str] = []
    for v in values:
        c = canonical(facet, v)
        if c != v:
            notes.append(f"“{v}”按“{c}”筛选。")
        if c not in out:
            out.append(c)
    return tuple(out), notes


def is_place(word: str) -> bool:
    """Whether a word names a district or another unit of the gazetteer (惠济区, 惠济, 登封)."""
    from indexer.districts import mentioned_districts

    return bool(mentioned_districts(word))
