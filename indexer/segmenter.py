"""jieba's cuts, computed mostly by jieba-rs: the same words as
``jieba.Tokenizer.cut(text, HMM=True)`` at several times its speed.

jieba cutting was half of an index worker's CPU. jieba-rs (the ``rjieba`` binding) runs the
same maximum-probability route over the same prefix dictionary; it is loaded here with the very
dictionary of the process's jieba tokenizer (jieba's dict.txt plus our user dictionary and
reference terms, frequencies as jieba computed them). Its HMM is not used: its model rounds
jieba's probabilities, so two paths that differ by 1e-7 (常在个捎: S S S S against B E S S) can
come out the other way. Where the two differ, this module does what jieba does:

* blocks: the text is split into blocks with jieba's own expressions (``re_han_default``,
  ``re_skip_default``) and only jieba's Han blocks go to jieba-rs (its block expression also
  takes CJK extensions and keeps some ASCII punctuation together);
* the route comes from jieba-rs without HMM; runs of single characters that are not a word
  (what jieba hands to finalseg) are cut by ``finalseg_cut`` below, jieba's finalseg with the
  same model, the same order of additions and the same tie-breaks, unrolled for speed (about
  3x jieba's). Without HMM jieba joins runs of single ASCII letters and digits into one token;
  such a token is split back into its characters, and a block where it could also be an ASCII
  dictionary word is cut by jieba;
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
from jieba import finalseg

try:                                    # a compiled extension: absent where no wheel exists
    import rjieba
except ImportError:                     # pragma: no cover - installed with newsearch
    rjieba = None

_HAN = jieba.re_han_default             # jieba's block expressions, used as they are
_SKIP = jieba.re_skip_default
_ENG = re.compile(r"[a-zA-Z0-9]+")      # what jieba joins without HMM (its re_eng, repeated)
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
                words = None if self._may_tie(blk) else self._with_hmm(fast.cut(blk, False))
                out.extend(self.jieba.cut(blk, HMM=True) if words is None else words)
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

    def _with_hmm(self, route: list[str]) -> list[str] | None:
        """jieba's __cut_DAG over jieba-rs's route (its no-HMM cut): runs of single characters
        go to finalseg unless the run is a word. None when the route cannot be read back (an
        ASCII token that may be a dictionary word or joined single characters)."""
        freq = self.freq
        out: list[str] = []
        buf: list[str] = []
        for t in route:
            if len(t) == 1:
                buf.append(t)
                continue
            if t.isascii() and _ENG.fullmatch(t):
                if freq.get(t):
                    return None
                buf.extend(t)           # single letters and digits, joined by the no-HMM cut
                continue
            if buf:
                _flush(buf, freq, out)
                buf = []
            out.append(t)
        if buf:
            _flush(buf, freq, out)
        return out


def _flush(buf: list[str], freq: dict, out: list[str]) -> None:
    if len(buf) == 1:
        out.append(buf[0])
        return
    run = "".join(buf)
    if freq.get(run):
        out.extend(buf)
    else:
        out.extend(finalseg_cut(run))


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


# ----------------------------------------------------------------- jieba's finalseg, unrolled

_MIN = finalseg.MIN_FLOAT
_EB, _EM, _EE, _ES = (finalseg.emit_P[x] for x in "BMES")
_SB, _SM, _SE, _SS = (finalseg.start_P[x] for x in "BMES")
_TR = finalseg.trans_P
_TEB, _TSB, _TMM, _TBM = _TR["E"]["B"], _TR["S"]["B"], _TR["M"]["M"], _TR["B"]["M"]
_TBE, _TME, _TSS, _TES = _TR["B"]["E"], _TR["M"]["E"], _TR["S"]["S"], _TR["E"]["S"]
_STATE = {"B": 0, "M": 1, "E": 2, "S": 3}
_HMM_HAN = finalseg.re_han               # finalseg's block expressions, used as they are
_HMM_SKIP = finalseg.re_skip


def _viterbi(obs: str) -> list[str]:
    """jieba.finalseg.viterbi's states for obs: each state's best predecessor with
    (V + trans) + emit added in jieba's order, a tie going to the later letter as max() over
    (prob, state) tuples does (B from E|S, M from M|B, E from B|M, S from S|E)."""
    c = obs[0]
    b, m = _SB + _EB.get(c, _MIN), _SM + _EM.get(c, _MIN)
    e, s = _SE + _EE.get(c, _MIN), _SS + _ES.get(c, _MIN)
    back = []
    for c in obs[1:]:
        em = _EB.get(c, _MIN)
        x, y = e + _TEB + em, s + _TSB + em
        nb, pb = (x, "E") if x > y else (y, "S")
        em = _EM.get(c, _MIN)
        x, y = m + _TMM + em, b + _TBM + em
        nm, pm = (x, "M") if x >= y else (y, "B")
        em = _EE.get(c, _MIN)
        x, y = b + _TBE + em, m + _TME + em
        ne, pe = (x, "B") if x > y else (y, "M")
        em = _ES.get(c, _MIN)
        x, y = s + _TSS + em, e + _TES + em
        ns, ps = (x, "S") if x >= y else (y, "E")
        back.append((pb, pm, pe, ps))
        b, m, e, s = nb, nm, ne, ns
    state = "E" if e > s else "S"
    states = [state]
    for prev in reversed(back):
        state = prev[_STATE[state]]
        states.append(state)
    states.reverse()
    return states


def _hmm_words(text: str, out: list[str]) -> None:
    begin = nexti = 0
    for i, pos in enumerate(_viterbi(text)):
        if pos == "B":
            begin = i
        elif pos == "E":
            out.append(text[begin:i + 1])
            nexti = i + 1
        elif pos == "S":
            out.append(text[i])
            nexti = i + 1
    if nexti < len(text):
        out.append(text[nexti:])


def finalseg_cut(text: str) -> list[str]:
    """list(jieba.finalseg.cut(text)), about three times faster."""
    if finalseg.Force_Split_Words:          # jieba's del_word was used: let jieba apply it
        return list(finalseg.cut(text))
    out: list[str] = []
    for blk in _HMM_HAN.split(text):
        if not blk:
            continue
        if _HMM_HAN.match(blk):
            _hmm_words(blk, out)
        else:
            out.extend(x for x in _HMM_SKIP.split(blk) if x)
    return out
