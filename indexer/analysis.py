"""Text analysis: normalisation and the jieba word tokenizer.

Two views of every title and body are searched:

* words: jieba precise mode (no overlapping tokens) with our user dictionary, real
  consecutive positions and character offsets (the Whoosh ``title`` field; ``segment``
  gives the word boundaries the substring index flags, and ``key_terms`` the words
  related articles are found by);
* character bigrams: every pair of neighbouring characters of a line, so any query of two or
  more characters that occurs verbatim in the text is found, however jieba happened to cut
  the text (惠济/区下, 郑东新/区). They are built and searched in numpy by
  indexer/substring.py.

Both views run on ``normalize(text)``, which maps character by character (traditional ->
simplified, full-width -> half-width, ASCII lower-case) and therefore keeps every offset valid
in the original text.

The jieba tokenizer is private (not jieba's global one), built once per process by
``jieba_tokenizer()``; ``segmenter()`` gives its cuts at jieba-rs speed (indexer/segmenter.py).
Whoosh pickles analyzers into the schema, so the Whoosh tokenizer class below holds no jieba
object: they reach it through those module-level loaders.
"""
from __future__ import annotations

import hashlib
import heapq
import logging
import math
import os
import re
import tempfile
import threading
import unicodedata
from collections import Counter
from functools import lru_cache
from importlib import metadata
from pathlib import Path

import jieba
import numpy as np
from whoosh.analysis import CompositeAnalyzer, Token, Tokenizer

from indexer.segmenter import Segmenter

# Bump when the tokenisation code changes in a way that changes the indexed terms.
ANALYZER_CODE_VERSION = "1"

DATA_DIR = Path(__file__).resolve().parent / "data"
USERDICT_PATH = DATA_DIR / "userdict.txt"

# Code point ranges of CJK ideographs whose traditional form opencc may simplify.
_CJK_RANGES = (
    (0x3400, 0x4DC0),    # extension A
    (0x4E00, 0xA000),    # unified ideographs
    (0xF900, 0xFB00),    # compatibility ideographs
    (0x20000, 0x2A6E0),  # extension B
    (0x2F800, 0x2FA20),  # compatibility supplement
)

# A token is a word when it holds at least one letter or digit (CJK characters count).
_WORD_RE = re.compile(r"[^\W_]")


# --------------------------------------------------------------------------- normalisation

@lru_cache(maxsize=1)
def _normalize_table() -> dict[int, str]:
    """The str.translate table of normalize(): every mapping is one character to one."""
    import opencc

    table: dict[int, str] = {}
    # Full-width ASCII variants (！ .. ～) -> ASCII; ideographic and no-break spaces -> space.
    for cp in range(0xFF01, 0xFF5F):
        table[cp] = chr(cp - 0xFEE0)
    for cp in (0x3000, 0x00A0, 0x2007, 0x202F):
        table[cp] = " "
    # Traditional -> simplified, one character at a time. Each character is converted on its
    # own line so opencc's phrase rules cannot join neighbours; only 1:1 results are kept.
    chars = [chr(cp) for lo, hi in _CJK_RANGES for cp in range(lo, hi)]
    converted = opencc.OpenCC("t2s").convert("\n".join(chars)).split("\n")
    if len(converted) == len(chars):
        for src, dst in zip(chars, converted):
            if len(dst) == 1 and dst != src:
                table[ord(src)] = dst
    # Compatibility ideographs (U+F900..) that opencc leaves alone: their canonical form.
    for cp in range(0xF900, 0xFB00):
        if cp not in table:
            nf = unicodedata.normalize("NFKC", chr(cp))
            if len(nf) == 1 and nf != chr(cp):
                table[cp] = table.get(ord(nf), nf)
    # ASCII lower-case last, so that full-width capitals end lower-case too.
    for cp, dst in list(table.items()):
        if "A" <= dst <= "Z":
            table[cp] = dst.lower()
    for cp in range(ord("A"), ord("Z") + 1):
        table[cp] = chr(cp + 32)
    return table


def normalize(text: str) -> str:
    """Traditional -> simplified, full-width -> half-width, ASCII lower-case; same length.

    >>> normalize("鄭州惠濟區 ＷＭＳ")
    '郑州惠济区 wms'
    """
    if len(text) < _ARRAY_MIN:
        return text.translate(_normalize_table())
    mapping = _normalize_array()
    try:
        cp = np.frombuffer(text.encode("utf-32-le"), dtype=np.uint32)
    except UnicodeEncodeError:          # a lone surrogate (escaped bytes): the plain way
        return text.translate(_normalize_table())
    top = len(mapping)
    out = np.where(cp < top, mapping[np.minimum(cp, top - 1)], cp)
    return out.tobytes().decode("utf-32-le")


# Texts at least this long are normalised through a code point array (~25x faster than
# str.translate with a dict on a page; the same result, the mapping being one to one).
_ARRAY_MIN = 64


@lru_cache(maxsize=1)
def _normalize_array() -> np.ndarray:
    """uint32 code point -> normalised code point, for every code point up to the table's last."""
    table = _normalize_table()
    mapping = np.arange(max(table) + 1, dtype=np.uint32)
    for cp, dst in table.items():
        assert len(dst) == 1, (cp, dst)
        mapping[cp] = ord(dst)
    return mapping


# --------------------------------------------------------------------------- dictionary

def read_userdict(path: Path = USERDICT_PATH) -> list[tuple[str, int | None, str | None]]:
    """Entries (word, freq, tag) of a jieba user dictionary file; '#' starts a comment line."""
    entries = []
    for line in Path(path).read_text(encoding="utf-8").splitlines():
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        parts = line.split()
        word, freq, tag = parts[0], None, None
        rest = parts[1:]
        if rest and rest[0].isdigit():
            freq = int(rest.pop(0))
        if rest:
            tag = rest[0]
        entries.append((word, freq, tag))
    return entries


def reference_terms() -> list[str]:
    """Gazetteer names/aliases/subunits and taxonomy trigger words, sorted, de-duplicated."""
    # Imported here: districts/taxonomy may use normalize() from this module.
    from indexer.districts import gazetteer_terms
    from indexer.taxonomy import taxonomy_terms

    return sorted({t.strip() for t in (*gazetteer_terms(), *taxonomy_terms()) if t.strip()})


@lru_cache(maxsize=1)
def analyzer_version() -> str:
    """A version string that changes with the code, the dictionaries and the libraries."""
    h = hashlib.sha256()
    h.update(ANALYZER_CODE_VERSION.encode())
    for dist in ("jieba", "rjieba", "opencc"):
        try:
            h.update(f"\0{dist}={metadata.version(dist)}".encode())
        except metadata.PackageNotFoundError:  # pragma: no cover - all are dependencies
            h.update(f"\0{dist}=?".encode())
    h.update(b"\0userdict\0" + USERDICT_PATH.read_bytes())
    h.update(b"\0terms\0" + "\n".join(reference_terms()).encode("utf-8"))
    return f"{ANALYZER_CODE_VERSION}-{h.hexdigest()[:16]}"


def __getattr__(name: str):
    # ANALYZER_VERSION is computed on first use (it reads the data files), not at import.
    if name == "ANALYZER_VERSION":
        return analyzer_version()
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


_jieba_lock = threading.Lock()
_jieba: jieba.Tokenizer | None = None


def _jieba_cache_dir() -> str:
    path = os.path.join(tempfile.gettempdir(), f"newsearch-jieba-{os.getuid()}")
    os.makedirs(path, exist_ok=True)
    return path


def jieba_tokenizer() -> jieba.Tokenizer:
    """This process's private jieba tokenizer: default dictionary + user dict + reference terms."""
    global _jieba
    if _jieba is not None:
        return _jieba
    with _jieba_lock:
        if _jieba is None:
            jieba.setLogLevel(logging.WARNING)
            tk = jieba.Tokenizer()
            tk.tmp_dir = _jieba_cache_dir()
            tk.initialize()
            words: dict[str, tuple[int | None, str | None]] = {}
            for term in reference_terms():
                words[normalize(term)] = (None, None)
            for word, freq, tag in read_userdict():
                words[normalize(word)] = (freq, tag)
            for word, (freq, tag) in words.items():
                tk.add_word(word, freq, tag)
            _jieba = tk
    return _jieba


_segmenter: Segmenter | None = None


def segmenter() -> Segmenter:
    """This process's segmenter: jieba's cuts of jieba_tokenizer(), computed by jieba-rs
    (indexer/segmenter.py)."""
    global _segmenter
    if _segmenter is None:
        tk = jieba_tokenizer()
        with _jieba_lock:
            if _segmenter is None:
                _segmenter = Segmenter(tk)
    return _segmenter


# --------------------------------------------------------------------------- token streams

def word_tokens(text: str) -> list[tuple[str, int, int]]:
    """(word, startchar, endchar) of the normalised text, jieba precise mode, no punctuation."""
    norm = normalize(text)
    if not norm:
        return []
    out, start = [], 0
    for w in segmenter().cut(norm):
        end = start + len(w)
        if _WORD_RE.search(w):
            out.append((w, start, end))
        start = end
    return out


def segment(norm: str) -> list[str]:
    """jieba's words of an already normalised text, every character included (whitespace and
    punctuation are tokens of their own): consecutive, so their lengths give the word
    boundaries (indexer.substring uses them for its word-match flags)."""
    if not norm:
        return []
    return segmenter().cut(norm)


@lru_cache(maxsize=1)
def _idf_table() -> tuple[dict, float, float]:
    tk = jieba_tokenizer()
    total = float(tk.total or 1)
    return tk.FREQ, total, math.log(total)


# word -> idf, or -1.0 for words that are never key terms (numbers, punctuation); bounded.
_IDF_CACHE: dict[str, float] = {}
_IDF_CACHE_MAX = 500_000


def _idf(w: str) -> float:
    v = _IDF_CACHE.get(w)
    if v is None:
        if not _WORD_RE.search(w) or w.replace(".", "").replace("%", "").isdigit():
            v = -1.0
        else:
            freq, total, max_idf = _idf_table()
            f = freq.get(w) or 0
            v = math.log(total / f) if f > 0 else max_idf
        if len(_IDF_CACHE) >= _IDF_CACHE_MAX:
            _IDF_CACHE.clear()
        _IDF_CACHE[w] = v
    return v


def key_terms(words, limit: int = 16) -> list[str]:
    """The `limit` most characteristic words: tf x idf, the idf taken from jieba's dictionary
    frequencies (a word jieba does not know - a name, a company - counts as rare). Words of
    one character, numbers and punctuation are left out."""
    scored = []
    cached = _IDF_CACHE.get
    for w, n in Counter(words).items():
        if len(w) < 2:
            continue
        idf = cached(w)
        if idf is None:
            idf = _idf(w)
        if idf >= 0:
            scored.append((n * idf, w))
    # (score, word) tuples compare as the (score, word) key did: the same words, the same order
    return [w for _, w in heapq.nlargest(limit, scored)]


class _ListTokenizer(Tokenizer):
    """A Whoosh tokenizer over one of the token functions above (honours the Token contract)."""

    def _tokens(self, value: str) -> list[tuple[str, int, int]]:
        raise NotImplementedError

    def __call__(self, value, positions=False, chars=False, keeporiginal=False,
                 removestops=True, start_pos=0, start_char=0, tokenize=True, mode="",
                 **kwargs):
        assert isinstance(value, str), f"{value!r} is not str"
        t = Token(positions, chars, removestops=removestops, mode=mode, **kwargs)
        if not tokenize:
            # The whole value as one (normalised) term, as Whoosh's own tokenizers do.
            t.text = normalize(value)
            t.boost = 1.0
            if keeporiginal:
                t.original = value
            if positions:
                t.pos = start_pos
            if chars:
                t.startchar = start_char
                t.endchar = start_char + len(value)
            yield t
            return
        for pos, (text, start, end) in enumerate(self._tokens(value), start_pos):
            t.text = text
            t.boost = 1.0
            t.stopped = False
            if keeporiginal:
                t.original = value[start:end]
            if positions:
                t.pos = pos
            if chars:
                t.startchar = start_char + start
                t.endchar = start_char + end
            yield t


class JiebaWordTokenizer(_ListTokenizer):
    """Normalised jieba words (precise mode, private dictionary), consecutive positions."""

    def _tokens(self, value):
        return word_tokens(value)


def word_analyzer() -> CompositeAnalyzer:
    return CompositeAnalyzer(JiebaWordTokenizer())

