"""Keys for what benchmarks/run keeps between runs: the parsed articles and the full rebuild.

A parse is reused when the corpus (size, seed, generator version) and the extraction code
are unchanged; the extraction code's fingerprint is a hash of indexer/ and indexer/data/
without the modules that only index, store or serve. A rebuild is reused (--reuse-index)
when the corpus and a hash of all of indexer/ are unchanged.
"""
from __future__ import annotations

import hashlib
import json
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
INDEXER = ROOT / "indexer"
# indexer/ modules that parsing (read, decode, split, extract) never runs
NOT_EXTRACTION = frozenset({"indexing.py", "filestate.py", "store.py", "substring.py", "stories.py", "watch.py",
                            "index_cli.py", "schema.py", "segmenter.py"})
CACHE_VERSION = 1


def _code_files(indexer: Path, exclude=frozenset()) -> list[Path]:
    files = [p for p in sorted(indexer.glob("*.py")) if p.name not in exclude]
    files += [p for p in sorted((indexer / "data").glob("*")) if p.is_file()]
    return files


def fingerprint(files: list[Path], base: Path) -> str:
    """sha256 over (relative path, content) of every file, in the given order."""
    h = hashlib.sha256()
    for p in files:
        h.update(str(p.relative_to(base)).encode() + b"\0")
        h.update(p.read_bytes() + b"\0")
    return h.hexdigest()


def extraction_fingerprint(indexer: Path = INDEXER) -> str:
    return fingerprint(_code_files(indexer, NOT_EXTRACTION), indexer)


def index_fingerprint(indexer: Path = INDEXER) -> str:
    return fingerprint(_code_files(indexer), indexer)


def corpus_key(manifest: dict) -> dict:
    return {k: manifest.get(k) for k in ("articles", "seed", "generator_version", "pages", "chars")}


def parse_key(manifest: dict, indexer: Path = INDEXER) -> dict:
    return {"v": CACHE_VERSION, "corpus": corpus_key(manifest), "extraction": extraction_fingerprint(indexer)}


def index_key(manifest: dict, indexer: Path = INDEXER) -> dict:
    return {"v": CACHE_VERSION, "corpus": corpus_key(manifest), "index": index_fingerprint(indexer)}


def load(path: Path, key: dict) -> dict | None:
    """The record saved at `path` if it was saved under the same key, else None."""
    try:
        rec = json.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return rec if isinstance(rec, dict) and rec.get("key") == key else None


def save(path: Path, key: dict, **fields) -> None:
    Path(path).write_text(json.dumps({"key": key, **fields}, ensure_ascii=False, default=str),
                          encoding="utf-8")


def drop(path: Path) -> None:
    Path(path).unlink(missing_ok=True)
