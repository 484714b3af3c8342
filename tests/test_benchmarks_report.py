"""benchmarks/report.py: RESULTS.md laid out right whichever peers ran at a size."""
from __future__ import annotations

import pytest

from benchmarks import report
from benchmarks.queries import CLASSES


def _plan_and_query(peers):
    plan = [{"cls": cls, "q": f"查询{i}"} for i, cls in enumerate(CLASSES)]
    rows = [{"i": i, "pass": p, "ms": 10.0 + i + p, "total": 5} for i in range(len(plan)) for p in (0, 1)]
    q = {"rows": rows, "peers": {p: [dict(r, ms=r["ms"] / 2) for r in rows] for p in peers},
         "open_seconds": {"ours": 1.5}, "maxrss": 300 * 2**20, "process": {"peak_tree_rss": 400 * 2**20}}
    return plan, q


def _tables(lines):
    """Each markdown table as a list of its rows' cell counts (header, delimiter, body)."""
    tables, cur = [], []
    for line in lines + [""]:
        if line.startswith("|"):
            cur.append(line.strip().strip("|").count("|") + 1)
        elif cur:
            tables.append(cur)
            cur = []
    return tables


@pytest.mark.parametrize("peers", [[], ["groonga"], ["groonga", "tantivy"]])
def test_query_tables_have_as_many_cells_as_their_header(peers):
    plan, q = _plan_and_query(peers)
    lines = report.query_tables(q, plan, {}, 1_000_000, peers)
    tables = _tables(lines)
    assert len(tables) == 2                       # first run and second pass
    for counts in tables:
        assert len(counts) == 2 + len(CLASSES) + 1   # header, delimiter, classes, all
        assert set(counts) == {6 + 2 * len(peers)}, counts


def test_query_text_names_only_the_peers_that_ran():
    plan, q = _plan_and_query([])
    text = "\n".join(report.query_tables(q, plan, {}, 1_000_000, []))
    assert "Groonga" not in text and "tantivy" not in text and "No peer ran" in text
    plan, q = _plan_and_query(["groonga"])
    text = "\n".join(report.query_tables(q, plan, {}, 100_000, ["groonga"]))
    assert "Groonga: one `select`" in text and "tantivy:" not in text and "(with Groonga)" in text


def test_parsing_table_names_the_target_row_of_its_size():
    for size, label in ((1_000_000, "1M"), (100_000, "100k"), (2_000, "100k"), (300_000, "1M")):
        text = "\n".join(report.size_section({"size": size, "phases": {}, "corpus": {}}))
        assert f"| target (at {label}) |" in text, size


def test_command_line_gives_the_options_that_shaped_the_run():
    args = {"sizes": [100000, 1000000], "peers": ["groonga", "tantivy"],
            "peers_max_size": {"groonga": 100000, "tantivy": 100000}, "skip": [], "timeout": 6600.0,
            "profile": False, "reuse_index": False, "no_cache": False}
    assert report.command_line(args) == ("benchmarks/run --sizes 100000,1000000 "
                                         "--peers-max-size groonga=100000,tantivy=100000 --timeout 6600")
    plain = dict(args, peers_max_size={}, timeout=5400.0)
    assert report.command_line(plain) == "benchmarks/run --sizes 100000,1000000"
    other = dict(plain, peers=["groonga"], peers_max_size={"*": 100000}, skip=["http"], reuse_index=True)
    assert report.command_line(other) == ("benchmarks/run --sizes 100000,1000000 --peers groonga "
                                          "--peers-max-size 100000 --skip http --reuse-index")
