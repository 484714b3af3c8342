"""jieba's cuts, computed by jieba-rs: the same words as ``jieba.Tokenizer.cut(text, HMM=True)``
at about eight times its speed.

jieba cutting was half of an index worker's CPU. jieba-rs (the ``rjieba`` binding) runs the
same algorithm - prefix dictionary DAG, maximum-probability route, HMM for runs of single
characters - and is loaded here with the very dictionary of the process's jieba tokenizer
(jieba's dict.txt plus our user dictionary and reference terms, frequencies as jieba computed
them). Where the two differ, this module does what jieba does:

* blocks: the text is split into blocks with jieba's own expressions (``re_han_default``,
  ``re_skip_default``) and only jieba's Han blocks go to jieba-rs (its block expression also
  takes CJK extensions and keeps some ASCII punctuation together);
* non-Chinese runs inside a block (``2-9``, ``b.a``, ``Z_b``) are split again the way jieba's
  finalseg does (``[a-zA-Z0-9]+(?:\\.\\d+)?%?`` and the pieces between);
* ties: where two routes are equally probable jieba keeps the one with the longer first word
  and jieba-rs the other. A block that holds a character three times running, or three
  characters XYZ where XY and YZ are words and f(XY)·f(Z) = f(X)·f(YZ) (the two routes
  through XYZ tie; about 2,000 such trigrams in jieba's dictionary, 1 block in 17,000 of
  news text), is cut by jieba.

tests/test_segmenter.py compares the two on the seeds, on a generated corpus, on layouts
written to break them and on random strings; ``benchmarks/segcheck.py`` compares them on a
whole benchmark corpus. Without rjieba (a platform with no wheel) jieba cuts everything.
"""
from __future__ import annotations

import re
from math import gcd

import jieba

try:                                    # a compiled extension: absent where no wheel exists
    import rjieba
except ImportError:                     # pragma: no cover - installed with newsearch
    rjieba = None

_HAN = jieba.re_han_default             # jieba's block expressions, used as they are
_SKIP = jieba.re_skip_default
_CHINESE = re.compile("[\u4E00-\u9FD5]")
_NOT_CHINESE = re.compile("[^\u4E00-\u9FD5]")
_FINALSEG_SKIP = re.compile(r"([a-zA-Z0-9]+(?:\.\d+)?%?)")      # jieba.finalseg.re_skip
_TRIPLE = re.compile(r"(.)\1\1")


class Segmenter:
    """cut(text) == list(tokenizer.cut(text, HMM=True)) for the given jieba tokenizer
    (initialised, with every word it will ever have already added).

    The fast path costs about 1.5 s to set up (dictionary copy, tie trigrams), so it is set
    up on the first text of FAST_MIN_CHARS or more: a query or a headline is cut by jieba
    itself, and a CLI search starts no slower."""

    FAST_MIN_CHARS = 200

    def __init__(self, tokenizer: jieba.Tokenizer, fast: bool = True):
        self.jieba = tokenizer
        self.freq = tokenizer.FREQ
        self.use_fast = fast and rjieba is not None
        self._fast = None
        self._ties: set[str] | None = None

    @property
    def fast(self):
        """The jieba-rs tokenizer (None without rjieba), set up on first use."""
        if self._fast is None and self.use_fast:
            rs = rjieba.Jieba.empty()
            for word, freq in self.freq.items():
                if freq:                # freq 0: a prefix of a word, not a word
                    rs.add_word(word, freq, None)
            self._ties = tie_trigrams(self.freq)
            self._fast = rs
        return self._fast

    @property
    def ties(self) -> set[str]:
        return self._ties if self.fast is not None else tie_trigrams(self.freq)

    def cut(self, text: str) -> list[str]:
        if not self.use_fast or (self._fast is None and len(text) < self.FAST_MIN_CHARS):
            return list(self.jieba.cut(text, HMM=True))
        return self.cut_fast(text)

    def cut_fast(self, text: str) -> list[str]:
        """cut() through jieba-rs whatever the length (needs rjieba)."""
        fast = self.fast
        out: list[str] = []
        for i, blk in enumerate(_HAN.split(text)):
            if not blk:
                continue
            if i % 2:                   # a Han block (split() alternates other, Han, ...)
                if self._may_tie(blk):
                    out.extend(self.jieba.cut(blk, HMM=True))
                elif _NOT_CHINESE.search(blk):
                    out.extend(self._finalseg_runs(fast.cut(blk, True)))
                else:
                    out.extend(fast.cut(blk, True))
            elif len(blk) == 1:
                out.append(blk)
            else:                       # as jieba: whitespace pieces whole, others by character
                for x in _SKIP.split(blk):
                    if _SKIP.match(x):
                        out.append(x)
                    else:
                        out.extend(x)
        return out

    def _may_tie(self, blk: str) -> bool:
        if _TRIPLE.search(blk):
            return True
        return not self._ties.isdisjoint(blk[i:i + 3] for i in range(len(blk) - 2))

    def _finalseg_runs(self, tokens: list[str]) -> list[str]:
        """Runs of tokens without a Chinese character that are not dictionary words (what
        jieba hands to finalseg), split again the way finalseg splits them."""
        out: list[str] = []
        run: list[str] = []
        for t in tokens:
            if not _CHINESE.search(t) and not (len(t) > 1 and self.freq.get(t)):
                run.append(t)
                continue
            if run:
                out.extend(_finalseg_split(run))
                run = []
            out.append(t)
        if run:
            out.extend(_finalseg_split(run))
        return out


def tie_trigrams(freq: dict) -> set[str]:
    """XYZ where XY and YZ are words and f(XY)·f(Z) == f(X)·f(YZ) (f of a character outside
    the dictionary: 1, as in jieba's route): [XY, Z] and [X, YZ] are equally probable."""
    left: dict = {}                     # Y -> reduced f(XY)/f(X) -> [X]
    right: dict = {}                    # Y -> reduced f(YZ)/f(Z) -> [Z]
    get = freq.get
    for w, f in freq.items():
        if f and len(w) == 2:
            x, y = w
            fx, fy = get(x) or 1, get(y) or 1
            g = gcd(f, fx)
            left.setdefault(y, {}).setdefault((f // g, fx // g), []).append(x)
            g = gcd(f, fy)
            right.setdefault(x, {}).setdefault((f // g, fy // g), []).append(y)
    out = set()
    for y, by_ratio in left.items():
        other = right.get(y)
        if not other:
            continue
        for ratio, xs in by_ratio.items():
            for z in other.get(ratio, ()):
                out.update(x + y + z for x in xs)
    return out


def _finalseg_split(run: list[str]) -> list[str]:
    text = "".join(run)
    if len(text) == 1:
        return run
    return [x for x in _FINALSEG_SKIP.split(text) if x]
