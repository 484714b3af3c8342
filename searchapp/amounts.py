"""Money per request: the 金额 range filter and the aggregate panel (sum and count of the
articles' amounts per district and per year over the whole result set).

An article's amount is computed at index time (``indexer.amounts.article_amount``: its
largest investment or contract amount, in 万元) and kept in the ``amount`` column; here it
is read once per index state into a numpy array, so the filter is one comparison and the
aggregates are ``np.bincount`` with weights over the facet table's district/year pairs.
"""
from __future__ import annotations

import csv
import io
from typing import Iterator

import numpy as np

from indexer.amounts import format_wan

COLUMN = "amount"
SCALE = 100.0             # the column holds 1/100 万元
AGG_FACETS = ("district", "year")


def amount_column(reader, cache: dict | None = None) -> np.ndarray:
    """float64[doc_count_all]: every document's amount in 万元 (0 when it states none).

    Read per segment (kept in `cache` by segment id: segments never change)."""
    from indexer.substring import int_column
    from searchapp.facets import segment_cached

    out = np.zeros(reader.doc_count_all(), dtype=np.float64)
    leaves = [(reader, 0)] if reader.is_atomic() else reader.leaf_readers()
    for r, offset in leaves:
        vals = segment_cached(cache, "amount", r, lambda r: int_column(r, COLUMN).astype(np.float64) / SCALE)
        out[offset:offset + len(vals)] = vals
    return out


def range_mask(values: np.ndarray, lo: float | None, hi: float | None) -> np.ndarray | None:
    """bool[len(values)]: which amounts lie within [lo, hi] (万元; 0 = none never does);
    None: no bound given."""
    if lo is None and hi is None:
        return None
    mask = values > 0
    if lo is not None:
        mask &= values >= lo - 1e-9
    if hi is not None:
        mask &= values <= hi + 1e-9
    return mask


def aggregate(table, values: np.ndarray, docs: np.ndarray, articles: int | None = None) -> dict:
    """Sum (万元) and count of the `docs` (document numbers) with an amount, in total and per
    district and per year (most money first; years ascending). `articles`: the size of the
    result set the documents were taken from (default: len(docs))."""
    docs = docs[values[docs] > 0]
    amounts = values[docs]
    out = {"count": int(len(docs)), "sum": round(float(amounts.sum()), 4),
           "articles": int(len(docs)) if articles is None else articles}
    for facet in AGG_FACETS:
        counts, sums = table.weighted(facet, docs, amounts)
        rows = [{"value": table.values[facet][i], "count": int(counts[i]), "sum": round(float(sums[i]), 4)}
                for i in np.flatnonzero(counts)]
        if facet == "year":
            rows.sort(key=lambda r: r["value"])
        else:
            rows.sort(key=lambda r: (-r["sum"], r["value"]))
        out[facet] = rows
    return out


def label(value: float) -> str:
    return format_wan(value)


def range_text(lo: float | None, hi: float | None) -> str:
    """The filter as a chip shows it: "≥ 1亿元", "≤ 5000万元", "1亿元 – 10亿元"."""
    if lo is not None and hi is not None:
        return f"{format_wan(lo)} – {format_wan(hi)}"
    if lo is not None:
        return f"≥ {format_wan(lo)}"
    return f"≤ {format_wan(hi)}"


def csv_chunks(agg: dict) -> Iterator[str]:
    """The aggregate panel as CSV (UTF-8 with BOM): 维度, 取值, 篇数, 金额(万元)."""
    buf = io.StringIO()
    buf.write("\ufeff")
    w = csv.writer(buf, lineterminator="\r\n")
    w.writerow(["维度", "取值", "篇数", "金额(万元)"])
    w.writerow(["合计", "全部", agg["count"], f"{agg['sum']:.10g}"])
    for facet, name in (("district", "区县"), ("year", "年份")):
        for row in agg[facet]:
            w.writerow([name, row["value"], row["count"], f"{row['sum']:.10g}"])
    yield buf.getvalue()
