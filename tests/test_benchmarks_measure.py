"""benchmarks/measure.py: the interleaved passes (every engine answers every query once per pass,
in turn, the engine order rotating from query to query) and dropping files from the page cache."""
from __future__ import annotations

from pathlib import Path

from benchmarks.measure import interleaved_passes


def test_every_engine_answers_each_query_in_turn_with_rotating_order():
    calls = []
    queries = [{"q": f"q{i}"} for i in range(6)]

    def engine(name):
        def run(rec):
            calls.append((name, rec["q"]))
            if name == "b" and rec["q"] == "q3":
                raise ValueError("broken")
            return {"total": 1}
        return run

    rows = interleaved_passes(queries, {n: engine(n) for n in "abc"}, passes=2, seed=3)
    assert len(calls) == 6 * 3 * 2
    # one query at a time: the three engines' calls for a query are consecutive
    for k in range(0, len(calls), 3):
        assert len({q for _n, q in calls[k:k + 3]}) == 1
        assert {n for n, _q in calls[k:k + 3]} == set("abc")
    firsts = [calls[k][0] for k in range(0, len(calls), 3)]
    assert set(firsts) == set("abc")                 # the order rotates
    for n in "abc":
        assert sorted((r["pass"], r["i"]) for r in rows[n]) == [(p, i) for p in (0, 1) for i in range(6)]
    assert [r["error"] for r in rows["b"] if "error" in r] == ["ValueError: broken"] * 2
    orders = [[r["i"] for r in rows["a"] if r["pass"] == p] for p in (0, 1)]
    assert orders[0] != orders[1]                    # the second pass takes another order


def test_drop_page_cache_leaves_no_page_of_the_files_cached(tmp_path):
    """Checked with util-linux's fincore (resident bytes of a file), where it is installed."""
    import os
    import shutil
    import subprocess

    import pytest

    from benchmarks.measure import drop_page_cache

    if not shutil.which("fincore"):
        pytest.skip("fincore (util-linux) is not installed")
    mounts = [line.split() for line in Path("/proc/mounts").read_text().splitlines()]
    here = max((m for m in mounts if str(tmp_path).startswith(m[1].rstrip("/") + "/")),
               key=lambda m: len(m[1]), default=None)
    if here is not None and here[2] in ("tmpfs", "ramfs"):
        pytest.skip(f"{tmp_path} is on {here[2]}: its pages are the files themselves")
    (tmp_path / "ix" / "sub").mkdir(parents=True)
    files = [tmp_path / "ix" / "a.bin", tmp_path / "ix" / "sub" / "b.bin", tmp_path / "c.bin"]
    for i, f in enumerate(files):
        f.write_bytes(os.urandom(1 << 20) * (i + 1))
        f.read_bytes()                                   # cached (and dirty until written back)

    def resident(f) -> int:
        out = subprocess.run(["fincore", "-b", "-n", "-o", "RES", str(f)], capture_output=True, text=True)
        return int(out.stdout.split()[0])

    assert sum(resident(f) for f in files) > 0
    got = drop_page_cache([tmp_path / "ix", files[2]])
    assert got == {"files": 3, "bytes": 6 << 20}
    assert [resident(f) for f in files] == [0, 0, 0]
    assert files[1].stat().st_size == 2 << 20            # nothing else changed
