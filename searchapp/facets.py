"""Facet counting, filters and the timeline over cached numpy arrays.

Whoosh's ``groupedby=`` walks every hit in Python and disables ``limit``. Instead, once per
index state (the segments a reader sees), ``FacetTable.build`` reads the posting list of
every value of every facet field into two arrays per facet: ``doc`` (document numbers) and
``code`` (value numbers), one pair per (article, value); multi-valued fields (reporter,
type) simply have several pairs per article. From them it derives, once per state, each
value's sorted documents and each document's values (CSR arrays).

Every operation of a request works on the hit set - a sorted int32 array of document
numbers - and costs in proportion to the hits, not to the index:

* a facet filter is ``table.has_any_of(facet, values, docs)`` -> bool per hit;
* counts are ``np.bincount`` over the values of the hits (``table.counts(facet, docs)``);
* the timeline and the date range read ``date_num[docs]``.

Counting rules (``count_facets``): counts cover the whole result set; each facet's counts
ignore that facet's own selection and exclusions (so a user sees what ticking another
value would give); selected and excluded values are always listed (count 0 if none).
"""
from __future__ import annotations

import calendar
import re
from dataclasses import dataclass, field

import numpy as np

from searchapp.model import FACETS, FacetValue

# Facet name -> index field (see indexer.schema.FACET_FIELDS).
# The three byline roles are separate facets over their own keyword fields.
FACET_FIELDS = {"district": "district", "year": "year", "month": "month",
                "reporter": "reporters", "correspondent": "correspondents",
                "photographer": "photographers", "type": "type"}

# A multi-valued facet is counted over a dense mask of every document when the documents
# are more than 1/DENSE_SHARE of the index, else by gathering their rows.
DENSE_SHARE = 8

_DATE_RE = re.compile(r"^\s*(\d{4})(?:\s*[-/.年]\s*(\d{1,2})(?:\s*[-/.月]\s*(\d{1,2})\s*日?)?\s*月?)?\s*年?\s*$")
_DATE_COMPACT_RE = re.compile(r"^\s*(\d{4})(\d{2})(\d{2})?\s*$")


@dataclass
class FacetTable:
    """Per-document facet values of one index state, as numpy arrays (read-only once built)."""
    size: int                                       # doc_count_all of the reader
    live: np.ndarray                                # bool[size]: not deleted
    date_num: np.ndarray                            # int32[size]: YYYYMMDD, 0 when unknown
    values: dict[str, list[str]] = field(default_factory=dict)       # facet -> value by code
    codes: dict[str, dict[str, int]] = field(default_factory=dict)   # facet -> value -> code
    doc: dict[str, np.ndarray] = field(default_factory=dict)         # facet -> int32 doc numbers
    code: dict[str, np.ndarray] = field(default_factory=dict)        # facet -> int32 value codes
    _derived: dict = field(default_factory=dict, repr=False)          # see _by_doc / _by_value

    @classmethod
    def build(cls, reader, cache: dict | None = None) -> "FacetTable":
        """Read the facet fields' posting lists (and the date field) of a Whoosh reader.

        Each segment is read on its own and kept in `cache` (segment id -> arrays;
        segments never change, only their deletions): after an incremental update only
        the new segment is read, and the state's table is stitched from the parts."""
        size = reader.doc_count_all()
        leaves = [(reader, 0)] if reader.is_atomic() else list(reader.leaf_readers())
        table = cls(size=size, live=np.ones(size, dtype=bool), date_num=np.zeros(size, dtype=np.int32))
        parts = []
        for r, offset in leaves:
            part = segment_cached(cache, "facets", r, _SegmentFacets.read)
            parts.append((part, offset))
            n = r.doc_count_all()
            table.date_num[offset:offset + n] = part.date_num
            if r.has_deletions():
                gone = np.fromiter(r.deleted_docs_set, dtype=np.int64)   # a property
                table.live[offset + gone[gone < n]] = False
        if size and not leaves:
            table.live[:] = False
        for facet in FACET_FIELDS:
            values = sorted(set().union(*(p.values[facet] for p, _ in parts))) if parts else []
            code_of = {v: i for i, v in enumerate(values)}
            docs, codes = [], []
            for p, offset in parts:
                if len(p.doc[facet]):
                    remap = np.asarray([code_of[v] for v in p.values[facet]], dtype=np.int32)
                    docs.append(p.doc[facet] + np.int32(offset))
                    codes.append(remap[p.code[facet]])
            table.values[facet] = values
            table.codes[facet] = code_of
            table.doc[facet] = np.concatenate(docs) if docs else np.zeros(0, dtype=np.int32)
            table.code[facet] = np.concatenate(codes) if codes else np.zeros(0, dtype=np.int32)
        return table

    # -- per-state derived arrays (computed on first use; idempotent, so a race only
    #    computes them twice)
    def _by_doc(self, facet: str) -> tuple[np.ndarray | None, np.ndarray, np.ndarray]:
        """(column, ptr, vals): ``column`` int32[size] = the value code of each document
        (-1: none) when no document has two values of the facet, else None; ``ptr``/``vals``:
        the values of document d are ``vals[ptr[d]:ptr[d + 1]]``."""
        got = self._derived.get(("doc", facet))
        if got is None:
            doc, code = self.doc[facet], self.code[facet]
            order = np.argsort(doc, kind="stable")
            vals = code[order]
            ptr = np.zeros(self.size + 1, dtype=np.int64)
            np.cumsum(np.bincount(doc, minlength=self.size)[:self.size], out=ptr[1:])
            column = None
            if not len(doc) or int(np.diff(ptr).max()) <= 1:
                column = np.full(self.size, -1, dtype=np.int32)
                column[doc] = code
            got = (column, ptr, vals)
            self._derived[("doc", facet)] = got
        return got

    def _split(self, facet: str) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """(first, extra_doc, extra_code) of a facet with several values per document:
        ``first`` int32[size] = the code of each document's first value (-1: none), the
        other (document, value) pairs listed apart. Most documents have one value, so a
        count is a gather of the hits' first values plus a pass over the few extras."""
        got = self._derived.get(("split", facet))
        if got is None:
            _, ptr, vals = self._by_doc(facet)
            n_vals = np.diff(ptr)
            first = np.full(self.size, -1, dtype=np.int32)
            has = n_vals > 0
            first[has] = vals[ptr[:-1][has]]
            more = n_vals > 1
            extra_doc = np.repeat(np.arange(self.size, dtype=np.int32)[more], n_vals[more] - 1)
            rank = np.arange(len(vals)) - np.repeat(ptr[:-1], n_vals)     # position in its row
            extra_code = vals[rank > 0].astype(np.int32)
            got = (first, extra_doc, extra_code)
            self._derived[("split", facet)] = got
        return got

    def _by_value(self, facet: str) -> tuple[np.ndarray, np.ndarray]:
        """(ptr, docs): the sorted documents having value code v are ``docs[ptr[v]:ptr[v + 1]]``."""
        got = self._derived.get(("value", facet))
        if got is None:
            doc, code = self.doc[facet], self.code[facet]
            order = np.lexsort((doc, code))
            ptr = np.zeros(len(self.values[facet]) + 1, dtype=np.int64)
            np.cumsum(np.bincount(code, minlength=len(self.values[facet])), out=ptr[1:])
            got = (ptr, doc[order].astype(np.int32))
            self._derived[("value", facet)] = got
        return got

    def value_codes(self, facet: str, values) -> list[int]:
        known = self.codes.get(facet, {})
        return sorted({known[v] for v in values if v in known})

    def docs_with(self, facet: str, values) -> np.ndarray:
        """Sorted int32 document numbers having at least one of the values."""
        codes = self.value_codes(facet, values)
        if not codes:
            return np.zeros(0, dtype=np.int32)
        ptr, docs = self._by_value(facet)
        parts = [docs[ptr[c]:ptr[c + 1]] for c in codes]
        return parts[0] if len(parts) == 1 else np.unique(np.concatenate(parts))

    def has_any_of(self, facet: str, values, docs: np.ndarray) -> np.ndarray:
        """bool[len(docs)]: which of the documents have at least one of the values."""
        codes = self.value_codes(facet, values)
        if not codes or not len(docs):
            return np.zeros(len(docs), dtype=bool)
        column, ptr, vals = self._by_doc(facet)
        if column is not None:
            return np.isin(column[docs], codes)
        owner, v = _gather(ptr, vals, docs)
        out = np.zeros(len(docs), dtype=bool)
        out[owner[np.isin(v, codes)]] = True
        return out

    def counts(self, facet: str, docs: np.ndarray) -> np.ndarray:
        """int[len(values)]: how many of the documents have each value."""
        n = len(self.values[facet])
        column, ptr, vals = self._by_doc(facet)
        if column is not None:
            c = column[docs]
            return np.bincount(c[c >= 0], minlength=n)
        if len(docs) * DENSE_SHARE > self.size:
            # Many documents: their first values by a gather, the other pairs by a pass over
            # the few documents that have more than one value.
            first, extra_doc, extra_code = self._split(facet)
            c = first[docs]
            inset = np.zeros(self.size, dtype=bool)
            inset[docs] = True
            return (np.bincount(c[c >= 0], minlength=n)
                    + np.bincount(extra_code[inset[extra_doc]], minlength=n))
        _, v = _gather(ptr, vals, docs)
        return np.bincount(v, minlength=n)

    def weighted(self, facet: str, docs: np.ndarray, weights: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """(counts, sums of `weights`) per value over the documents (weights aligned with docs)."""
        n = len(self.values[facet])
        column, ptr, vals = self._by_doc(facet)
        if column is not None:
            c = column[docs]
            ok = c >= 0
            return np.bincount(c[ok], minlength=n), np.bincount(c[ok], weights=weights[ok], minlength=n)
        owner, v = _gather(ptr, vals, docs)
        return np.bincount(v, minlength=n), np.bincount(v, weights=weights[owner], minlength=n)


def segment_cached(cache: dict | None, tag: str, r, read):
    """read(r) of one segment reader, kept in `cache` under (tag, segment id, doc count):
    a segment never changes (only its deletions, which callers apply themselves)."""
    seg = r.segment() if hasattr(r, "segment") else None
    key = None if seg is None or cache is None else (tag, seg.segment_id(), r.doc_count_all())
    got = cache.get(key) if key is not None else None
    if got is None:
        got = read(r)
        if key is not None:
            cache[key] = got
    return got


@dataclass
class _SegmentFacets:
    """The facet arrays of one Whoosh segment (local document numbers and value codes)."""
    values: dict[str, list[str]]
    doc: dict[str, np.ndarray]
    code: dict[str, np.ndarray]
    date_num: np.ndarray

    @classmethod
    def read(cls, r) -> "_SegmentFacets":
        n = r.doc_count_all()
        part = cls(values={}, doc={}, code={}, date_num=np.zeros(n, dtype=np.int32))
        for facet, fieldname in FACET_FIELDS.items():
            values, docs, codes = [], [], []
            if fieldname in r.schema:
                for value in r.field_terms(fieldname):
                    ids = np.fromiter(r.postings(fieldname, value).all_ids(), dtype=np.int32)
                    if len(ids):
                        docs.append(ids)
                        codes.append(np.full(len(ids), len(values), dtype=np.int32))
                        values.append(value)
            part.values[facet] = values
            part.doc[facet] = np.concatenate(docs) if docs else np.zeros(0, dtype=np.int32)
            part.code[facet] = np.concatenate(codes) if codes else np.zeros(0, dtype=np.int32)
        if "date" in r.schema:
            for value in r.field_terms("date"):
                if _ISO_DAY.fullmatch(value):
                    ids = np.fromiter(r.postings("date", value).all_ids(), dtype=np.int64)
                    part.date_num[ids[ids < n]] = int(value.replace("-", ""))
        return part


_ISO_DAY = re.compile(r"\d{4}-\d{2}-\d{2}")


def _gather(ptr: np.ndarray, vals: np.ndarray, docs: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(owner, value) pairs of the documents' CSR rows: owner = index into docs."""
    start = ptr[docs]
    length = ptr[np.asarray(docs, dtype=np.int64) + 1] - start
    total = int(length.sum())
    owner = np.repeat(np.arange(len(docs)), length)
    if not total:
        return owner, vals[:0]
    first = np.cumsum(length) - length
    idx = np.arange(total) + np.repeat(start - first, length)
    return owner, vals[idx]


# --------------------------------------------------------------------------- dates

def parse_partial_date(text: str) -> tuple[int, int | None, int | None]:
    """(year, month or None, day or None) of "2023", "2023-02", "2023年2月14日", "20230214" …

    Separators - / . and 年月日 are accepted. ValueError if it is no (partial) calendar date.
    """
    m = _DATE_RE.match(text) or _DATE_COMPACT_RE.match(text)
    if not m:
        raise ValueError(text)
    y = int(m.group(1))
    mo = int(m.group(2)) if m.group(2) else None
    d = int(m.group(3)) if m.group(3) else None
    if not 1 <= y <= 9999 or (mo is not None and not 1 <= mo <= 12):
        raise ValueError(text)
    if d is not None and not 1 <= d <= calendar.monthrange(y, mo)[1]:
        raise ValueError(text)
    return y, mo, d


def date_bound(text: str | None, upper: bool) -> int | None:
    """A partial date as an inclusive YYYYMMDD bound; None for empty; ValueError if invalid.

    "2023" -> 20230101 / 20231231; "2023-02" -> 20230201 / 20230228; "2023-02-14" both ends.
    """
    if text is None or not str(text).strip():
        return None
    y, mo, d = parse_partial_date(str(text))
    if mo is None:
        mo = 12 if upper else 1
    if d is None:
        d = calendar.monthrange(y, mo)[1] if upper else 1
    return y * 10000 + mo * 100 + d


def date_mask(table: FacetTable, lo: int | None, hi: int | None, docs: np.ndarray) -> np.ndarray | None:
    """bool[len(docs)]: which documents are dated within [lo, hi] (unknown dates excluded);
    None: no range."""
    if lo is None and hi is None:
        return None
    d = table.date_num[docs]
    mask = d > 0
    if lo is not None:
        mask &= d >= lo
    if hi is not None:
        mask &= d <= hi
    return mask


# --------------------------------------------------------------------------- counting

def filter_masks(table: FacetTable, include: dict, exclude: dict, docs: np.ndarray) -> dict[str, np.ndarray]:
    """Facet -> bool[len(docs)] (which documents pass) for every facet that has a selection
    or exclusion."""
    masks = {}
    for facet in FACETS:
        inc, exc = include.get(facet, ()), exclude.get(facet, ())
        if not inc and not exc:
            continue
        mask = table.has_any_of(facet, inc, docs) if inc else np.ones(len(docs), dtype=bool)
        if exc:
            mask &= ~table.has_any_of(facet, exc, docs)
        masks[facet] = mask
    return masks


def combine(n: int, masks) -> np.ndarray:
    """The AND of bool[n] masks (all True when there is none)."""
    out = np.ones(n, dtype=bool)
    for m in masks:
        if m is not None:
            out &= m
    return out


def count_facets(table: FacetTable, docs: np.ndarray, masks: dict[str, np.ndarray],
                 include: dict, exclude: dict) -> dict[str, list[FacetValue]]:
    """Facet -> values, most frequent first (then by value), zero counts left out except for
    selected/excluded values. `docs` are the query's (and date range's) documents, `masks`
    the facet filters over them (filter_masks)."""
    out = {}
    for facet in FACETS:
        others = [m for f, m in masks.items() if f != facet]
        sel = docs[combine(len(docs), others)] if others else docs
        counts = table.counts(facet, sel)
        inc, exc = set(include.get(facet, ())), set(exclude.get(facet, ()))
        values = table.values[facet]
        nz = np.flatnonzero(counts)
        # Codes are the values' sort order: most frequent first, then by value, in numpy.
        nz = nz[np.lexsort((nz, -counts[nz]))]
        ordered = list(zip([values[i] for i in nz.tolist()], counts[nz].tolist()))
        if inc or exc:
            shown = {v for v, _ in ordered}
            ordered += [(v, 0) for v in sorted((inc | exc) - shown)]
            out[facet] = [FacetValue(v, c, v in inc, v in exc) for v, c in ordered]
        else:
            out[facet] = [FacetValue(v, c) for v, c in ordered]
    return out


def timeline(table: FacetTable, docs: np.ndarray, one_year: str | None = None) -> list[tuple[str, int]]:
    """Hits per year, ascending; per month of that year when the hits (or `one_year`, a year
    the user filtered to) span a single year. Undated hits are not counted."""
    years = table.counts("year", docs)
    present = [(table.values["year"][i], int(years[i])) for i in np.flatnonzero(years)]
    if one_year is None and len(present) == 1:
        one_year = present[0][0]
    if one_year is not None:
        months = table.counts("month", docs)
        return sorted((table.values["month"][i], int(months[i])) for i in np.flatnonzero(months)
                      if table.values["month"][i].startswith(one_year + "-"))
    return sorted(present)
