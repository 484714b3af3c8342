"""The benchmark's corpus generator: seeded, reproducible, and pages our parser reads.

Tiny corpora only (a few dozen articles); speed is never asserted here.
"""
from __future__ import annotations

import importlib.util
import json
import sys
from pathlib import Path

import pytest

from indexer.reading import page_date_from_path, read_page

_PATH = Path(__file__).resolve().parents[1] / "benchmarks" / "generate.py"
_spec = importlib.util.spec_from_file_location("benchmarks_generate", _PATH)
generate = importlib.util.module_from_spec(_spec)
sys.modules[_spec.name] = generate          # dataclasses look their module up there
_spec.loader.exec_module(generate)

N = 40


@pytest.fixture(scope="module")
def corpus(tmp_path_factory) -> tuple[Path, dict]:
    root = tmp_path_factory.mktemp("corpus")
    return root, generate.generate(root, N, seed=7)


def _files(root: Path) -> dict[str, bytes]:
    return {str(p.relative_to(root)): p.read_bytes() for p in sorted(root.rglob("*.txt"))}


def test_same_seed_gives_identical_files(corpus, tmp_path):
    root, _ = corpus
    again = generate.generate(tmp_path, N, seed=7)
    assert _files(tmp_path) == _files(root)
    assert again["files"] == json.loads((root / "manifest.json").read_text(encoding="utf-8"))["files"]


def test_another_seed_gives_other_text(corpus, tmp_path):
    root, _ = corpus
    generate.generate(tmp_path, N, seed=8)
    assert set(_files(tmp_path).values()).isdisjoint(_files(root).values())


def test_manifest_counts_articles_and_pages(corpus):
    root, manifest = corpus
    assert manifest["articles"] == N
    assert sum(f["articles"] for f in manifest["files"]) == N
    assert manifest["pages"] == len(manifest["files"]) == len(_files(root))
    assert all(2 <= f["articles"] <= 8 for f in manifest["files"][:-1])


def test_page_dates_are_in_the_paths(corpus):
    root, manifest = corpus
    for f in manifest["files"]:
        day = page_date_from_path(root / f["path"])
        assert day is not None and day.isoformat() == f["date"], f["path"]
        assert 2016 <= day.year <= 2025


def test_pages_decode_and_split_into_articles(corpus):
    from indexer.extract import parse_file

    root, manifest = corpus
    parsed = 0
    for f in manifest["files"]:
        text = read_page(root / f["path"])
        assert "本报" in text or "记者" in text
        articles = parse_file(root / f["path"])
        assert articles, f["path"]
        assert all(a.body.strip() for a in articles), f["path"]
        parsed += len(articles)
    # The splitter's own accuracy is tested elsewhere; here the pages must look like pages.
    assert 0.8 * N <= parsed <= 1.25 * N


def test_articles_are_about_1500_characters(corpus):
    _, manifest = corpus
    # photo news is short, the rest ~1,560: the page average lands near 1,500
    assert 1000 <= manifest["chars"] / manifest["articles"] <= 2000


def test_rewriting_a_page_changes_it_and_variant_0_restores_it(corpus):
    root, manifest = corpus
    page = manifest["files"][0]
    path = root / page["path"]
    before = path.read_bytes()
    generate.rewrite_pages(root, [page["number"]], variant=1)
    assert path.read_bytes() != before
    generate.rewrite_pages(root, [page["number"]], variant=0)
    assert path.read_bytes() == before


def test_words_follow_the_dictionary_frequencies():
    d = generate.Dictionary.load()
    rng = generate.np.random.default_rng(1)
    sample = d.draw(rng, 200_000).tolist()
    p = d.probability()
    common = max(p, key=p.get)                 # jieba's most frequent CJK word
    share = sample.count(common) / len(sample)
    assert abs(share - p[common]) < 0.2 * p[common]
    assert len(set(sample)) > 20_000            # a long tail, not a small word list
