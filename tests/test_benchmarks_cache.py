"""benchmarks/cache.py: what makes benchmarks/run parse (and rebuild) again, and the parallel
parse writing the same articles in the same order as one process."""
from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from benchmarks import cache, generate, worker

ROOT = Path(__file__).resolve().parents[1]
MANIFEST = {"articles": 100, "seed": 1, "generator_version": 3, "pages": 20, "chars": 150_000}


@pytest.fixture()
def indexer_copy(tmp_path) -> Path:
    dst = tmp_path / "indexer"
    shutil.copytree(ROOT / "indexer", dst, ignore=shutil.ignore_patterns("__pycache__"))
    return dst


def _touch(path: Path) -> None:
    path.write_bytes(path.read_bytes() + b"\n# changed\n")


@pytest.mark.parametrize("name", ["splitting.py", "extract.py", "analysis.py", "data/bylines.json"])
def test_parse_key_changes_with_the_extraction_code(indexer_copy, name):
    before = cache.parse_key(MANIFEST, indexer_copy)
    _touch(indexer_copy / name)
    assert cache.parse_key(MANIFEST, indexer_copy) != before


@pytest.mark.parametrize("name", ["indexing.py", "store.py", "substring.py", "schema.py"])
def test_parse_key_ignores_the_indexing_code_but_the_index_key_does_not(indexer_copy, name):
    parse_before = cache.parse_key(MANIFEST, indexer_copy)
    index_before = cache.index_key(MANIFEST, indexer_copy)
    _touch(indexer_copy / name)
    assert cache.parse_key(MANIFEST, indexer_copy) == parse_before
    assert cache.index_key(MANIFEST, indexer_copy) != index_before


def test_parse_key_follows_the_corpus(indexer_copy):
    key = cache.parse_key(MANIFEST, indexer_copy)
    for field, value in (("seed", 2), ("articles", 101), ("generator_version", 4)):
        assert cache.parse_key(dict(MANIFEST, **{field: value}), indexer_copy) != key


def test_saved_record_is_returned_only_under_its_key(tmp_path, indexer_copy):
    path = tmp_path / "parse.cache.json"
    key = cache.parse_key(MANIFEST, indexer_copy)
    cache.save(path, key, result={"seconds": 12.5})
    assert cache.load(path, key)["result"] == {"seconds": 12.5}
    _touch(indexer_copy / "dates.py")
    assert cache.load(path, cache.parse_key(MANIFEST, indexer_copy)) is None
    path.write_text("{broken", encoding="utf-8")
    assert cache.load(path, key) is None


def test_parallel_parse_writes_what_one_process_writes(tmp_path):
    corpus = tmp_path / "corpus"
    generate.generate(corpus, 60, seed=3)
    outs = {}
    for jobs in (1, 2):
        out = tmp_path / f"articles{jobs}.jsonl"
        res = worker.phase_parse({"corpus": str(corpus), "articles_out": str(out), "jobs": jobs})
        assert res["failed"] == 0 and res["jobs"] == jobs
        outs[jobs] = out.read_text(encoding="utf-8")
    assert outs[1] == outs[2]
    assert outs[1].count("\n") == res["articles"] >= 50
