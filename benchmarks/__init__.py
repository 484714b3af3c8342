"""Benchmark tooling: corpus generator, measured phases, tantivy baseline, RESULTS.md (issue 5)."""
