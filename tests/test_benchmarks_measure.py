"""benchmarks/measure.py's interleaved passes: every engine answers every query once per pass,
in turn, the engine order rotating from query to query."""
from __future__ import annotations

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
