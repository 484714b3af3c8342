"""The substring index: every character-bigram position of every article, in numpy arrays.

Any query of two or more characters that occurs verbatim in an article's headline or body
line (after ``normalize``, spaces ignored) is found by intersecting the positions of its bigrams,
however jieba cut the text. This replaces Whoosh character-bigram fields, whose Python
posting writer cost ~11x jieba's CPU and ~90 KB per article.

Text model
----------
For each article, field 0 is the indexed headline (headline + subtitle) and field 1 the
body. ``c`` = code points of ``normalize(text)`` with spaces removed and every run of
whitespace that holds a line break replaced by one line break: spaces inside a line are
layout (``精准养护 守护安全`` is found by 养护守护), but no match crosses the break between
headline and subtitle or between paragraphs (queries hold no line break). The codes are

* bigram ``(c[i] << 21) | c[i+1]`` at position i, for i in 0..n-2;
* an end sentinel ``c[n-1] << 21`` at position n-1,

so every character occurrence is the first half of exactly one code: a single character is
answered by the code range ``[c << 21, (c + 1) << 21)``.

A posting is ``(dockey << 32) | (field << 31) | pos`` (uint64): ``dockey`` is an integer
the indexer gives each article (stored in Whoosh as the ``dockey`` column; see
``DocMap``). On disk most chunks store it in 32 bits instead (a *packed* chunk, see
below). A parallel uint8 array holds jieba word-boundary flags of the posting:

* ``BEFORE`` (1): a jieba token starts at char pos;
* ``INSIDE`` (2): a token boundary lies between chars pos and pos+1 (for the sentinel:
  after the last char, always);
* ``AFTER`` (4): a token boundary follows char pos+1.

An occurrence of the query at [s, s+n) is a *word match* when it is aligned with token
boundaries at both ends (BEFORE of its first bigram, AFTER of its last): the ranking tier
that the Whoosh word fields used to give, without indexing body words in Whoosh.

Chunks and the chunk list
-------------------------
A chunk is four immutable ``.npy`` files in ``<generation>/substr/``: ``codes`` (sorted
unique uint64), ``offsets`` (uint32 or int64, len+1), ``postings`` (ascending within a
code) and ``flags`` (uint8). A packed chunk (its list entry has ``pos_bits`` P) has a fifth,
``docs`` (the chunk's dockeys, ascending), and postings ``(ordinal << (P+1)) | (field << P)
| pos`` in uint32, ordinal being the article's index in ``docs``: the order of the postings
is the same as in the 64-bit form, so a phrase is intersected on the packed values and
only its matches are turned back into 64-bit postings. Its flags take four bits each
(posting i in the low half of byte i // 2 when i is even, else in the high half), and its
codes two bytes: ``codes`` holds their low 16 bits (uint16) and a sixth file, ``heads``
(uint32, m x 2), each distinct ``code >> 16`` with the index of its first code. A chunk whose articles or lengths
do not fit in 32 bits (more than 65,536 articles, an article over 32k characters) keeps
the 64-bit form; readers take either. 4.5 bytes a character instead of 9, 6 bytes a code
instead of 16. A reader keeps every 512th code in memory and reads the
code blocks, offsets and posting lists a query needs with ``pread``: with mmap, every page
a server ever touched would count in its resident memory (1 GiB after a hundred queries at
100k articles); read this way it stays flat, and the kernel's page cache keeps the files
warm.

``list-<G>.json`` names the chunks that belong to Whoosh commit generation G (and the next
free dockey). The indexer writes chunk files, then the list for the generation its commit
will create, then commits Whoosh: a reader takes the list of the generation its Whoosh
reader sees, so the two always agree. A crash before the commit leaves a list for a
generation that never appears (ignored, overwritten by the next run) and chunk files no
list names (removed by ``cleanup`` under the index lock).
"""
from __future__ import annotations

import bisect
import json
import os
import re
import secrets
import weakref
from dataclasses import dataclass
from pathlib import Path

import numpy as np

SUBSTR_DIR = "substr"
CP_SHIFT = 21
FIELD_SHIFT = 31
DOC_SHIFT = 32
POS_MASK = (1 << FIELD_SHIFT) - 1
BEFORE, INSIDE, AFTER = 1, 2, 4
TITLE, BODY = 0, 1
# The size of a small chunk (an incremental run's), for merging (see compact).
CHUNK_POSTINGS = 4_000_000
# Postings an index process collects before it writes them as a chunk. Every query looks
# up its bigrams in every chunk, so a rebuild should leave few large chunks (1M articles:
# ~1.4G postings, ~32 chunks instead of ~360 of CHUNK_POSTINGS). Collecting costs 17 bytes a
# posting, sorting them for the chunk about FLUSH_BYTES_PER_POSTING at the peak (~2.7 GB at
# the default); flush_postings() lowers it when the machine has less memory free.
FLUSH_POSTINGS = 48_000_000
FLUSH_BYTES_PER_POSTING = 56
# More chunks than this in one list: the smallest are merged (dropping dead articles).
MAX_CHUNKS = 48
LISTS_KEPT = 6                      # lists of older commits kept for readers still on them

_U64 = np.uint64
_LIST_RE = re.compile(r"^list-(\d+)\.json$")
_CHUNK_RE = re.compile(r"^(c-[0-9a-z-]+)\.(codes|offsets|postings|flags|docs|heads)\.npy$")
_PARTS = ("codes", "offsets", "postings", "flags")
# A chunk of at most 65,536 articles can be packed (see above); a builder is full at this many,
# checked after each page file, so a chunk stays within 65,536 unless one file holds 536.
CHUNK_DOCS = 65_000

# Code points that str.isspace() treats as whitespace (all are <= U+3000), and the line
# breaks among them (str.splitlines() boundaries).
_WS_LIMIT = 0x3000
_WS = np.array([chr(c).isspace() for c in range(_WS_LIMIT + 2)], dtype=bool)
_WS[_WS_LIMIT + 1] = False           # every code point above U+3000 maps here
_NL = np.array([len(("a" + chr(c) + "a").splitlines()) > 1 for c in range(_WS_LIMIT + 2)], dtype=bool)
_NL[_WS_LIMIT + 1] = False
LINE_BREAK = 0x0A                    # every run of whitespace holding a line break becomes this


def _not_space(cp: np.ndarray) -> np.ndarray:
    return ~_WS[np.minimum(cp, _WS_LIMIT + 1)]


# --------------------------------------------------------------------------- text -> codes

def code_points(norm: str) -> np.ndarray:
    """uint32 code points of a string."""
    return np.frombuffer(norm.encode("utf-32-le"), dtype=np.uint32)


def squashed(norm: str) -> np.ndarray:
    """Code points of an already normalised string, whitespace removed (a query's form)."""
    cp = code_points(norm)
    return cp[_not_space(cp)]


def _kept(cp: np.ndarray) -> np.ndarray:
    """Indices of the characters a field keeps: spaces inside a line are dropped (headline
    parts, stray spaces: layout, not content), but a run of whitespace holding a line break
    keeps one break, so no match crosses from headline to subtitle or between paragraphs."""
    lim = np.minimum(cp, _WS_LIMIT + 1)
    brk = _NL[lim]
    keep = np.flatnonzero(~_WS[lim] | brk)
    isbrk = brk[keep]
    dup = isbrk.copy()
    dup[1:] &= isbrk[:-1]             # a break right after a kept break (spaces between dropped)
    keep = keep[~dup]
    lo, hi = 0, len(keep)
    while lo < hi and brk[keep[lo]]:
        lo += 1
    while hi > lo and brk[keep[hi - 1]]:
        hi -= 1
    return keep[lo:hi]


def field_codes(norm: str, token_ends) -> tuple[np.ndarray, np.ndarray]:
    """(codes uint64, flags uint8) of one normalised field text, position = index.

    `token_ends` are the end offsets (in `norm`) of consecutive tokens covering `norm`
    (jieba's cut), which give the word-boundary flags.
    """
    cp = code_points(norm)
    keep = _kept(cp)
    n = len(keep)
    if n == 0:
        return np.zeros(0, _U64), np.zeros(0, np.uint8)
    c = cp[keep].astype(_U64)
    c[_NL[np.minimum(cp[keep], _WS_LIMIT + 1)]] = LINE_BREAK
    bound = np.zeros(len(cp) + 1, dtype=bool)
    bound[0] = True
    bound[len(cp)] = True
    ends = np.asarray(token_ends, dtype=np.int64)
    if len(ends):
        bound[ends[(ends >= 0) & (ends <= len(cp))]] = True
    before = bound[keep]
    after = bound[keep + 1]
    codes = np.empty(n, dtype=_U64)
    codes[:-1] = (c[:-1] << _U64(CP_SHIFT)) | c[1:]
    codes[-1] = c[-1] << _U64(CP_SHIFT)
    flags = before.astype(np.uint8) * BEFORE
    flags |= after.astype(np.uint8) * INSIDE
    flags[:-1] |= after[1:].astype(np.uint8) * AFTER
    flags[-1] |= INSIDE | AFTER
    return codes, flags


def query_codes(norm: str) -> np.ndarray:
    """Squashed code points of a normalised query (uint64, for bigram arithmetic).

    A query never holds a line break, so it never matches across one in the text."""
    return squashed(norm).astype(_U64)


# --------------------------------------------------------------------------- building

def _available_memory() -> int | None:
    """Bytes of memory available now (Linux MemAvailable, else free pages), None if unknown."""
    try:
        with open("/proc/meminfo", encoding="ascii") as f:
            for line in f:
                if line.startswith("MemAvailable:"):
                    return int(line.split()[1]) * 1024
    except (OSError, ValueError, IndexError):
        pass
    try:
        return os.sysconf("SC_AVPHYS_PAGES") * os.sysconf("SC_PAGE_SIZE")
    except (ValueError, OSError, AttributeError):
        return None


def flush_postings(procs: int = 1) -> int:
    """Postings per chunk for `procs` index processes building at once: FLUSH_POSTINGS, or
    less so that all of them sorting together take at most half the memory now available."""
    avail = _available_memory()
    if avail is None:
        return CHUNK_POSTINGS
    fit = avail // 2 // max(1, procs) // FLUSH_BYTES_PER_POSTING
    return int(max(CHUNK_POSTINGS, min(FLUSH_POSTINGS, fit)))


class ChunkBuilder:
    """Collects the postings of articles (in ascending dockey order) into sorted arrays."""

    def __init__(self):
        self._codes: list[np.ndarray] = []
        self._posts: list[np.ndarray] = []
        self._flags: list[np.ndarray] = []
        self.postings = 0
        self.docs = 0
        self._dockeys: list[int] = []
        self.min_dockey: int | None = None
        self.max_dockey = 0

    def add(self, dockey: int, fields: list[tuple[np.ndarray, np.ndarray]]) -> None:
        """fields[f] = field_codes(...) of field f (TITLE, BODY)."""
        base = _U64(dockey) << _U64(DOC_SHIFT)
        if any(len(c) for c, _ in fields):
            self._dockeys.append(dockey)
        for f, (codes, flags) in enumerate(fields):
            if not len(codes):
                continue
            posts = np.arange(len(codes), dtype=_U64)
            posts |= base | (_U64(f) << _U64(FIELD_SHIFT))
            self._codes.append(codes)
            self._posts.append(posts)
            self._flags.append(flags)
            self.postings += len(codes)
        self.docs += 1
        self.min_dockey = dockey if self.min_dockey is None else min(self.min_dockey, dockey)
        self.max_dockey = max(self.max_dockey, dockey)

    def __len__(self) -> int:
        return self.postings

    def full(self, flush_at: int) -> bool:
        """Time to flush: `flush_at` postings, or as many articles as a packed chunk holds."""
        return self.postings >= flush_at or len(self._dockeys) >= CHUNK_DOCS

    def build(self) -> "Arrays | None":
        if not self._codes:
            return None
        codes = np.concatenate(self._codes)
        posts = np.concatenate(self._posts)
        flags = np.concatenate(self._flags)
        docs = np.unique(np.asarray(self._dockeys, dtype=np.int64))
        self._codes, self._posts, self._flags, self._dockeys = [], [], [], []
        arrays = Arrays.from_unsorted(codes, posts, flags)
        arrays.docs = docs
        return arrays


@dataclass
class Arrays:
    """A chunk in memory, postings in the 64-bit form."""
    codes: np.ndarray       # uint64, sorted unique
    offsets: np.ndarray     # int64, len(codes) + 1
    postings: np.ndarray    # uint64, ascending within each code
    flags: np.ndarray       # uint8, aligned with postings
    docs: np.ndarray | None = None      # the dockeys of the postings, ascending (if known)

    @classmethod
    def from_unsorted(cls, codes, posts, flags) -> "Arrays":
        if len(posts) > 1 and bool(np.all(posts[1:] >= posts[:-1])):
            order = np.argsort(codes, kind="stable")    # postings stay ascending per code
        else:
            order = np.lexsort((posts, codes))
        codes = codes[order]
        starts = np.flatnonzero(np.concatenate(([True], codes[1:] != codes[:-1])))
        offsets = np.append(starts, len(codes)).astype(np.int64)
        return cls(codes[starts], offsets, posts[order], flags[order])

    def expanded_codes(self) -> np.ndarray:
        return np.repeat(np.asarray(self.codes), np.diff(np.asarray(self.offsets)))


def substr_dir(gen_dir) -> Path:
    return Path(gen_dir) / SUBSTR_DIR


def new_chunk_id() -> str:
    return f"c-{os.getpid()}-{secrets.token_hex(6)}"


def _save_npy(path: Path, arr: np.ndarray) -> None:
    tmp = path.with_name(f".{path.name}.{secrets.token_hex(4)}.tmp")
    try:
        with open(tmp, "wb") as f:
            np.save(f, np.ascontiguousarray(arr), allow_pickle=False)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


def pack_bits(n_docs: int, max_pos: int) -> int | None:
    """P (bits for the position) of a packed chunk of n_docs articles whose positions go up
    to max_pos, or None when ordinal, field and position do not fit in 32 bits."""
    pos_bits = max(1, int(max_pos).bit_length())
    ord_bits = max(1, int(max(n_docs, 1) - 1).bit_length())
    return pos_bits if ord_bits + 1 + pos_bits <= 32 else None


def _ordinals(dk: np.ndarray, docs: np.ndarray) -> np.ndarray:
    """Index in `docs` (sorted, holding every value of dk) of each dockey in dk."""
    lo, span = int(docs[0]), int(docs[-1]) - int(docs[0]) + 1
    if span <= 1 << 26:                 # a table (at most 256 MB) beats a binary search
        table = np.zeros(span, dtype=np.uint32)
        table[docs - lo] = np.arange(len(docs), dtype=np.uint32)
        return table[dk - lo]
    return np.searchsorted(docs, dk).astype(np.uint32)


def pack(posts: np.ndarray, docs: np.ndarray, pos_bits: int) -> np.ndarray:
    """64-bit postings -> the packed uint32 form (see the module docstring)."""
    dk = (posts >> _U64(DOC_SHIFT)).astype(np.int64)
    out = _ordinals(dk, docs) << np.uint32(pos_bits + 1)
    out |= ((posts >> _U64(FIELD_SHIFT)) & _U64(1)).astype(np.uint32) << np.uint32(pos_bits)
    out |= (posts & _U64(POS_MASK)).astype(np.uint32)
    return out


def unpack(packed: np.ndarray, docs: np.ndarray, pos_bits: int) -> np.ndarray:
    """The packed form -> 64-bit postings."""
    packed = np.asarray(packed, dtype=np.uint32)
    out = docs[packed >> np.uint32(pos_bits + 1)].astype(_U64) << _U64(DOC_SHIFT)
    out |= ((packed >> np.uint32(pos_bits)) & np.uint32(1)).astype(_U64) << _U64(FIELD_SHIFT)
    out |= (packed & np.uint32((1 << pos_bits) - 1)).astype(_U64)
    return out


def pack_flags(flags: np.ndarray) -> np.ndarray:
    """uint8 flags (< 16) -> two per byte."""
    flags = np.asarray(flags, dtype=np.uint8)
    out = flags[0::2].copy()
    out[:len(flags) // 2] |= flags[1::2] << np.uint8(4)
    return out


def unpack_flags(packed: np.ndarray, start: int, n: int) -> np.ndarray:
    """Flags start .. start+n-1 from packed[start // 2 ...] (the bytes holding them)."""
    b = np.asarray(packed, dtype=np.uint8)
    both = np.empty(2 * len(b), dtype=np.uint8)
    both[0::2] = b & np.uint8(15)
    both[1::2] = b >> np.uint8(4)
    first = start % 2
    return both[first:first + n]


def split_codes(codes: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Sorted unique uint64 codes -> (heads, low 16 bits): heads[:, 0] the distinct
    ``code >> 16``, heads[:, 1] the index of the first code with it."""
    codes = np.asarray(codes, dtype=_U64)
    hi = (codes >> _U64(16)).astype(np.uint32)
    first = np.flatnonzero(np.concatenate(([True], hi[1:] != hi[:-1]))) if len(hi) else np.zeros(0, np.int64)
    heads = np.stack([hi[first], first.astype(np.uint32)], axis=1) if len(hi) else np.zeros((0, 2), np.uint32)
    return heads, (codes & _U64(0xFFFF)).astype(np.uint16)


def join_codes(heads: np.ndarray, low: np.ndarray) -> np.ndarray:
    """The inverse of split_codes."""
    heads = np.asarray(heads)
    counts = np.diff(np.append(heads[:, 1].astype(np.int64), len(low)))
    hi = np.repeat(heads[:, 0].astype(_U64), counts)
    return (hi << _U64(16)) | np.asarray(low).astype(_U64)


def write_chunk(gen_dir, arrays: Arrays, min_dockey: int, max_dockey: int) -> dict:
    """Write one chunk's files, packed when it fits; returns its list entry."""
    d = substr_dir(gen_dir)
    d.mkdir(exist_ok=True)
    cid = new_chunk_id()
    posts = np.asarray(arrays.postings)
    docs = arrays.docs
    if docs is None:
        docs = np.unique((posts >> _U64(DOC_SHIFT)).astype(np.int64))
    pos_bits = pack_bits(len(docs), int((posts & _U64(POS_MASK)).max())) if len(posts) else None
    entry = {"id": cid, "postings": int(len(posts)), "codes": int(len(arrays.codes)),
             "min_dockey": int(min_dockey), "max_dockey": int(max_dockey)}
    offsets = np.asarray(arrays.offsets)
    if len(posts) < 1 << 32:
        offsets = offsets.astype(np.uint32)
    flags, codes = arrays.flags, arrays.codes
    if pos_bits is not None:
        _save_npy(d / f"{cid}.docs.npy", docs.astype(np.uint32))
        posts = pack(posts, docs, pos_bits)
        flags = pack_flags(flags)
        heads, codes = split_codes(codes)
        _save_npy(d / f"{cid}.heads.npy", heads)
        entry["pos_bits"] = pos_bits
    for part, arr in (("codes", codes), ("offsets", offsets), ("postings", posts),
                      ("flags", flags)):
        _save_npy(d / f"{cid}.{part}.npy", arr)
    return entry


def flush(builder: ChunkBuilder, gen_dir) -> dict | None:
    """Sort and write the builder's postings as a chunk (None when empty); resets it."""
    lo, hi = builder.min_dockey or 0, builder.max_dockey
    arrays = builder.build()
    builder.postings = builder.docs = 0
    builder.min_dockey, builder.max_dockey = None, 0
    if arrays is None:
        return None
    return write_chunk(gen_dir, arrays, lo, hi)


# --------------------------------------------------------------------------- chunk lists

def list_path(gen_dir, generation: int) -> Path:
    return substr_dir(gen_dir) / f"list-{int(generation)}.json"


def write_list(gen_dir, generation: int, chunks: list[dict], next_dockey: int) -> None:
    from indexer.store import write_atomic

    d = substr_dir(gen_dir)
    d.mkdir(exist_ok=True)
    data = json.dumps({"generation": int(generation), "next_dockey": int(next_dockey),
                       "chunks": chunks}, indent=1).encode("utf-8")
    write_atomic(list_path(gen_dir, generation), data)


def list_generations(gen_dir) -> list[int]:
    try:
        names = os.listdir(substr_dir(gen_dir))
    except FileNotFoundError:
        return []
    return sorted(int(m.group(1)) for m in map(_LIST_RE.match, names) if m)


def read_list(gen_dir, generation: int, exact: bool = False) -> dict:
    """The chunk list of a Whoosh generation (else the newest older one unless `exact`).

    An index without any list (empty) gives no chunks and dockeys from 1.
    """
    gens = [g for g in list_generations(gen_dir) if g <= generation]
    if exact:
        gens = [g for g in gens if g == generation]
    for g in reversed(gens):
        try:
            return json.loads(list_path(gen_dir, g).read_text(encoding="utf-8"))
        except (OSError, ValueError):
            continue
    return {"generation": 0, "next_dockey": 1, "chunks": []}


def cleanup(gen_dir, live_generation: int) -> list[str]:
    """Remove lists of generations that are not live or recent, lists of generations that
    never committed, and chunk files no kept list names. Call only under the index lock."""
    d = substr_dir(gen_dir)
    gens = list_generations(gen_dir)
    keep = {g for g in gens if g <= live_generation}
    keep = set(sorted(keep)[-LISTS_KEPT:])
    removed = []
    for g in gens:
        if g not in keep:
            list_path(gen_dir, g).unlink(missing_ok=True)
            removed.append(f"list-{g}.json")
    named = set()
    for g in keep:
        named |= {c["id"] for c in read_list(gen_dir, g, exact=True)["chunks"]}
    try:
        names = os.listdir(d)
    except FileNotFoundError:
        return removed
    for name in names:
        m = _CHUNK_RE.match(name)
        if (m and m.group(1) not in named) or (name.startswith(".") and name.endswith(".tmp")):
            (d / name).unlink(missing_ok=True)
            removed.append(name)
    return removed


# --------------------------------------------------------------------------- merging

def load_arrays(gen_dir, entry: dict, mmap: bool = True) -> Arrays:
    """A chunk's arrays, postings in the 64-bit form (a packed chunk is unpacked in memory)."""
    d = substr_dir(gen_dir)
    mode = "r" if mmap else None
    cid = entry["id"]
    a = Arrays(*(np.load(d / f"{cid}.{part}.npy", mmap_mode=mode, allow_pickle=False)
                 for part in _PARTS))
    if "pos_bits" in entry:
        a.docs = np.load(d / f"{cid}.docs.npy", allow_pickle=False).astype(np.int64)
        a.postings = unpack(a.postings, a.docs, int(entry["pos_bits"]))
        a.flags = unpack_flags(a.flags, 0, len(a.postings))
        a.codes = join_codes(np.load(d / f"{cid}.heads.npy", allow_pickle=False), a.codes)
    return a


def merge_chunks(gen_dir, entries: list[dict], live_dockeys: np.ndarray | None) -> dict | None:
    """One chunk holding the postings of `entries` whose dockey is in live_dockeys
    (sorted int64 array; None keeps all). Returns its list entry (None when empty)."""
    codes, posts, flags = [], [], []
    for e in entries:
        a = load_arrays(gen_dir, e, mmap=False)
        p = a.postings
        keep = None
        if live_dockeys is not None:
            dk = (p >> _U64(DOC_SHIFT)).astype(np.int64)
            i = np.minimum(np.searchsorted(live_dockeys, dk), max(len(live_dockeys) - 1, 0))
            keep = (live_dockeys[i] == dk) if len(live_dockeys) else np.zeros(len(p), bool)
        c = a.expanded_codes()
        if keep is not None:
            c, p, f = c[keep], p[keep], a.flags[keep]
        else:
            f = a.flags
        codes.append(c)
        posts.append(p)
        flags.append(f)
    if not codes or not sum(len(c) for c in codes):
        return None
    p = np.concatenate(posts)
    dk = (p >> _U64(DOC_SHIFT)).astype(np.int64)
    arrays = Arrays.from_unsorted(np.concatenate(codes), p, np.concatenate(flags))
    arrays.docs = np.unique(dk)
    return write_chunk(gen_dir, arrays, int(arrays.docs[0]), int(arrays.docs[-1]))


def compact(gen_dir, chunks: list[dict], live_dockeys: np.ndarray | None,
            max_chunks: int = MAX_CHUNKS, budget: int = 2 * CHUNK_POSTINGS) -> list[dict]:
    """When there are more than max_chunks chunks, merge the smallest ones - as many as fit
    in `budget` postings, at least two - into one. Large chunks (a rebuild's) stay as they
    are, so an incremental run never rewrites the bulk of the index."""
    if len(chunks) <= max_chunks:
        return chunks
    small, total = [], 0
    for e in sorted(chunks, key=lambda e: e["postings"]):
        if len(small) >= 2 and total + e["postings"] > budget:
            break
        small.append(e)
        total += e["postings"]
    merged = merge_chunks(gen_dir, small, live_dockeys)
    ids = {e["id"] for e in small}
    rest = [e for e in chunks if e["id"] not in ids]
    return rest + ([merged] if merged else [])


# --------------------------------------------------------------------------- reading

class _Part:
    """One array file read with pread(): the slices a query needs land in ordinary memory
    that is freed after the query (the kernel's page cache keeps the file warm), so a
    server's resident memory does not grow with every posting list ever touched, as it
    would with mmap."""

    def __init__(self, path: Path):
        arr = np.load(path, mmap_mode="r", allow_pickle=False)
        self.dtype, self.base, self.size = arr.dtype, int(arr.offset), len(arr)
        del arr
        self.fd = os.open(path, os.O_RDONLY)
        self._finalizer = weakref.finalize(self, os.close, self.fd)

    def will_need(self) -> None:
        """Ask the kernel to read the whole file into its page cache in the background."""
        advise = getattr(os, "posix_fadvise", None)
        if advise is not None:
            try:
                advise(self.fd, 0, 0, os.POSIX_FADV_WILLNEED)
            except OSError:
                pass

    def read_view(self, lo: int, hi: int) -> memoryview:
        """Items lo .. hi-1 as a memoryview of Python ints (for bisect on a few items)."""
        return memoryview(self._bytes(lo, hi)).cast(self.dtype.char)

    def read(self, lo: int, hi: int) -> np.ndarray:
        return np.frombuffer(self._bytes(lo, hi), dtype=self.dtype)

    def _bytes(self, lo: int, hi: int) -> bytes:
        item = self.dtype.itemsize
        want = (int(hi) - int(lo)) * item
        pos = self.base + int(lo) * item
        buf = os.pread(self.fd, want, pos)
        while len(buf) < want:                  # a short read (never for regular files)
            more = os.pread(self.fd, want - len(buf), pos + len(buf))
            if not more:
                raise OSError(f"truncated substring index file (fd {self.fd})")
            buf += more
        return buf


class Chunk:
    """One chunk, read with pread() (see _Part): every SAMPLE-th code is kept in memory, so a
    lookup is a binary search there, one small read of a block of codes and one of two
    offsets."""

    SAMPLE = 512

    def __init__(self, gen_dir, entry: dict):
        self.id = entry["id"]
        d = substr_dir(gen_dir)
        self.codes = _Part(d / f"{self.id}.codes.npy")
        self.offsets = _Part(d / f"{self.id}.offsets.npy")
        self.postings = _Part(d / f"{self.id}.postings.npy")
        self.flags = _Part(d / f"{self.id}.flags.npy")
        # Every lookup reads a block of codes and two offsets, at random places: read the
        # directory ahead (an eighth of the chunk) so the first queries of a server do not
        # wait for the disk once per bigram and chunk; the postings are read as needed.
        self.codes.will_need()
        self.offsets.will_need()
        self.ncodes = self.codes.size
        if "pos_bits" in entry:         # split codes: the heads are the in-memory directory
            heads = np.load(d / f"{self.id}.heads.npy", allow_pickle=False)
            # Python lists: a lookup is a bisect, several times cheaper than numpy's call
            # on one value (a query looks up each bigram in every chunk).
            self.heads = heads[:, 0].tolist()
            self.head_start = heads[:, 1].tolist() + [self.ncodes]
            self.sample = None
        else:
            self.heads = None
            self.sample = self.codes.read(0, self.ncodes)[::self.SAMPLE].copy()
        # The layout of the stored postings: field bit and position mask (packed or not).
        self.pos_bits = entry.get("pos_bits")
        if self.pos_bits is None:
            self.docs = None
            field_shift, self._dtype = FIELD_SHIFT, _U64
        else:
            self.docs = np.load(d / f"{self.id}.docs.npy", allow_pickle=False).astype(np.int64)
            field_shift, self._dtype = int(self.pos_bits), np.uint32
        self._field_shift = self._dtype(field_shift)
        self._pos_mask = self._dtype((1 << field_shift) - 1)

    def _flags(self, lo: int, hi: int) -> np.ndarray:
        """The flags of postings lo .. hi-1."""
        if self.docs is None:
            return self.flags.read(lo, hi)
        lo, hi = int(lo), int(hi)
        return unpack_flags(self.flags.read(lo // 2, (hi + 1) // 2), lo, hi - lo)

    def _global(self, posts: np.ndarray) -> np.ndarray:
        """Stored postings -> the 64-bit form."""
        return posts if self.docs is None else unpack(posts, self.docs, self.pos_bits)

    def _lower_bound(self, code) -> tuple[int, bool]:
        """(index of the first code >= `code`, whether it equals `code`)."""
        if self.heads is not None:
            code = int(code)
            h = bisect.bisect_left(self.heads, code >> 16)
            if h == len(self.heads) or self.heads[h] != code >> 16:
                return self.head_start[h], False
            lo, hi = self.head_start[h], self.head_start[h + 1]
            block = self.codes.read_view(lo, hi)
            low = code & 0xFFFF
            i = bisect.bisect_left(block, low)
            return lo + i, i < len(block) and block[i] == low
        blk = int(np.searchsorted(self.sample, code, side="right")) - 1
        if blk < 0:
            return 0, False
        lo = blk * self.SAMPLE
        block = self.codes.read(lo, min(lo + self.SAMPLE, self.ncodes))
        i = int(np.searchsorted(block, code))
        return lo + i, i < len(block) and block[i] == code

    def _lookup(self, codes: np.ndarray):
        if not self.ncodes:
            return None
        lo = np.empty(len(codes), dtype=np.int64)
        hi = np.empty(len(codes), dtype=np.int64)
        for n, c in enumerate(codes):
            g, exact = self._lower_bound(c)
            if not exact:
                return None
            lo[n], hi[n] = self.offsets.read(g, g + 2)
        return lo, hi

    def single(self, cp: int, title_only: bool):
        """(postings, aligned) of every occurrence of one character."""
        r = self.single_stored(cp, title_only)
        return None if r is None else (self._global(r[0]), r[1])

    def single_stored(self, cp: int, title_only: bool):
        """single() with the postings as stored (see docnums_fields)."""
        if not self.ncodes:
            return None
        a, _ = self._lower_bound(_U64(cp) << _U64(CP_SHIFT))
        b, _ = self._lower_bound(_U64(cp + 1) << _U64(CP_SHIFT))
        if a >= b:
            return None
        lo, hi = int(self.offsets.read(a, a + 1)[0]), int(self.offsets.read(b, b + 1)[0])
        posts = self.postings.read(lo, hi)
        fl = self._flags(lo, hi)
        aligned = (fl & (BEFORE | INSIDE)) == (BEFORE | INSIDE)
        if title_only:
            keep = (posts >> self._field_shift) & self._dtype(1) == 0
            posts, aligned = posts[keep], aligned[keep]
        if not len(posts):
            return None
        return posts, aligned

    def phrase(self, bigrams: np.ndarray, title_only: bool):
        """(start postings, aligned) of every occurrence of the bigram sequence."""
        r = self.phrase_stored(bigrams, title_only)
        return None if r is None else (self._global(r[0]), r[1])

    def docnums_fields(self, stored: np.ndarray, docmap: "DocMap") -> tuple[np.ndarray, np.ndarray]:
        """(document numbers, fields) of postings as stored: a packed chunk's ordinals go
        through a table of its articles' document numbers (made once per reader state),
        without turning every posting into the 64-bit form first."""
        if self.docs is None:
            return (docmap.docnums((stored >> _U64(DOC_SHIFT)).astype(np.int64)),
                    ((stored >> _U64(FIELD_SHIFT)) & _U64(1)).astype(np.uint8))
        table = docmap.chunk_table(self)
        return (table[stored >> np.uint32(self.pos_bits + 1)],
                ((stored >> np.uint32(self.pos_bits)) & np.uint32(1)).astype(np.uint8))

    def phrase_stored(self, bigrams: np.ndarray, title_only: bool):
        """phrase() with the start postings as stored (see docnums_fields)."""
        found = self._lookup(bigrams)
        if found is None:
            return None
        lo, hi = found
        k = len(bigrams)
        need = cover(hi - lo)
        order = need[np.argsort((hi - lo)[need], kind="stable")]
        j = int(order[0])
        cand = self.postings.read(lo[j], hi[j])
        track = {}                               # bigram index -> offsets in its list
        if j in (0, k - 1):
            track[j] = np.arange(hi[j] - lo[j], dtype=np.int64)
        dt, mask = self._dtype, self._pos_mask
        if title_only:
            keep = (cand >> self._field_shift) & dt(1) == 0
            cand = cand[keep]
            track = {i: t[keep] for i, t in track.items()}
        # A start s needs s >= j (bigram j sits at s + j) and s + k - 1 <= the largest
        # position (else cand + i would carry into the field bit and meet another field's
        # posting).
        if k - 1 > int(mask):
            return None
        pos = cand & mask
        keep = (pos >= dt(j)) & (pos <= mask - dt(k - 1 - j))
        if not bool(keep.all()):
            cand = cand[keep]
            track = {i: t[keep] for i, t in track.items()}
        if j:
            cand = cand - dt(j)
        for i in order[1:]:
            if not len(cand):
                return None
            i = int(i)
            plist = self.postings.read(lo[i], hi[i])
            target = cand + dt(i)
            at = np.searchsorted(plist, target)
            ok = at < len(plist)
            at = np.where(ok, at, 0)
            ok &= plist[at] == target
            cand = cand[ok]
            track = {t: v[ok] for t, v in track.items()}
            if i in (0, k - 1) and i not in track:
                track[i] = at[ok]
        if not len(cand):
            return None
        first = self._flags(lo[0], hi[0])[track[0]]
        last = first if k == 1 else self._flags(lo[k - 1], hi[k - 1])[track[k - 1]]
        aligned = ((first & BEFORE) != 0) & ((last & AFTER) != 0)
        return cand, aligned


def cover(lengths: np.ndarray) -> np.ndarray:
    """The bigrams (indices, ascending) a phrase must intersect: every character of the
    phrase covered by at least one chosen bigram, with the least posting-list length in
    all. Bigram i is characters i and i+1, so the first and the last are always chosen and
    no two neighbours may both be left out; a match of the chosen ones at their offsets
    fixes every character, so it is a match of the whole phrase. 项目为王 intersects 项目 and
    为王 only; a company name skips most of 有限 / 限公 / 公司."""
    k = len(lengths)
    if k <= 2:
        return np.arange(k)
    inf = float("inf")
    with_, without = [float(lengths[0])], [inf]        # best cost of bigrams 0..i, i chosen / not
    for i in range(1, k):
        with_.append(float(lengths[i]) + min(with_[-1], without[-1]))
        without.append(with_[-2])
    chosen, take = [], True                             # the last bigram is always chosen
    for i in range(k - 1, -1, -1):
        if take:
            chosen.append(i)
            take = not (i > 0 and without[i - 1] < with_[i - 1])
        else:
            take = True                                 # i left out: i - 1 must be chosen
    return np.asarray(chosen[::-1], dtype=np.int64)


@dataclass
class Occurrences:
    """Every occurrence of a query: article key, field (TITLE/BODY), word-aligned or not,
    and the raw postings ``(dockey << 32) | (field << 31) | pos`` of its first character
    (for character distances: searchapp.proximity)."""
    dockeys: np.ndarray     # int64
    fields: np.ndarray      # uint8
    aligned: np.ndarray     # bool
    posts: np.ndarray       # uint64


_EMPTY = Occurrences(np.zeros(0, np.int64), np.zeros(0, np.uint8), np.zeros(0, bool), np.zeros(0, _U64))


class SubstringIndex:
    """The chunks of one chunk list (read-only, thread-safe)."""

    def __init__(self, chunks: list[Chunk], next_dockey: int):
        self.chunks = chunks
        self.next_dockey = next_dockey

    @classmethod
    def open(cls, gen_dir, generation: int, cache: dict | None = None) -> "SubstringIndex":
        """The index for Whoosh commit `generation`; `cache` (chunk id -> Chunk) reuses
        chunks already mapped (chunk files never change)."""
        for attempt in range(3):
            meta = read_list(gen_dir, generation)
            try:
                chunks = []
                for e in meta["chunks"]:
                    ch = cache.get(e["id"]) if cache is not None else None
                    if ch is None:
                        ch = Chunk(gen_dir, e)
                        if cache is not None:
                            cache[e["id"]] = ch
                    chunks.append(ch)
                return cls(chunks, int(meta.get("next_dockey", 1)))
            except FileNotFoundError:
                if attempt == 2:        # a list replaced under us: read it again
                    raise
        raise AssertionError("unreachable")

    def find(self, codes: np.ndarray, title_only: bool = False) -> Occurrences:
        """Occurrences of the squashed query code points (see query_codes)."""
        n = len(codes)
        if n == 0:
            return _EMPTY
        parts = []
        if n == 1:
            for ch in self.chunks:
                r = ch.single(int(codes[0]), title_only)
                if r is not None:
                    parts.append(r)
        else:
            bigrams = (codes[:-1] << _U64(CP_SHIFT)) | codes[1:]
            for ch in self.chunks:
                r = ch.phrase(bigrams, title_only)
                if r is not None:
                    parts.append(r)
        if not parts:
            return _EMPTY
        posts = np.concatenate([p for p, _ in parts]) if len(parts) > 1 else parts[0][0]
        aligned = np.concatenate([a for _, a in parts]) if len(parts) > 1 else parts[0][1]
        return Occurrences((posts >> _U64(DOC_SHIFT)).astype(np.int64),
                           ((posts >> _U64(FIELD_SHIFT)) & _U64(1)).astype(np.uint8), aligned, posts)

    def find_docs(self, codes: np.ndarray, docmap: "DocMap", title_only: bool = False):
        """(document numbers, fields, aligned) of every occurrence, as find() gives them but
        with each article's Whoosh document number (-1: not live) in place of its dockey."""
        n = len(codes)
        docs, fields, aligned = [], [], []
        if n:
            bigrams = (codes[:-1] << _U64(CP_SHIFT)) | codes[1:] if n > 1 else None
            for ch in self.chunks:
                r = (ch.single_stored(int(codes[0]), title_only) if n == 1
                     else ch.phrase_stored(bigrams, title_only))
                if r is None:
                    continue
                d, f = ch.docnums_fields(r[0], docmap)
                docs.append(d)
                fields.append(f)
                aligned.append(r[1])
        if not docs:
            return np.zeros(0, np.int64), np.zeros(0, np.uint8), np.zeros(0, bool)
        if len(docs) == 1:
            return docs[0], fields[0], aligned[0]
        return np.concatenate(docs), np.concatenate(fields), np.concatenate(aligned)

    def char_postings(self, cp: int) -> np.ndarray:
        """Sorted postings of every occurrence of one character (any field, aligned or not)."""
        parts = [r[0] for r in (ch.single(int(cp), False) for ch in self.chunks) if r is not None]
        if not parts:
            return np.zeros(0, _U64)
        return np.sort(np.concatenate(parts)) if len(parts) > 1 else np.sort(parts[0])


# --------------------------------------------------------------------------- dockey -> docnum

def dockey_column(reader) -> np.ndarray:
    """int64[doc_count_all]: the `dockey` column of every document number (0 if none)."""
    out = np.zeros(reader.doc_count_all(), dtype=np.int64)
    leaves = [(reader, 0)] if reader.is_atomic() else reader.leaf_readers()
    for r, offset in leaves:
        vals = int_column(r, "dockey")
        out[offset:offset + len(vals)] = vals
    return out


def int_column(r, name: str) -> np.ndarray:
    """int64[doc_count_all] of one segment reader's unsigned NUMERIC column (0 if none):
    a fixed-width column is read in one go, anything else value by value."""
    n = r.doc_count_all()
    out = np.zeros(n, dtype=np.int64)
    if not r.has_column(name):
        return out
    cr = r.column_reader(name, translate=False)
    try:
        count = min(cr._count, n)
        raw = cr._dbfile.get(cr._basepos, count * cr._fixedlen)
        vals = np.frombuffer(raw, dtype=">" + cr._typecode).astype(np.int64)
    except (AttributeError, TypeError, ValueError):
        vals = np.fromiter((cr[i] for i in range(n)), dtype=np.int64, count=n)
    out[:len(vals)] = vals
    return out


class DocMap:
    """dockey -> Whoosh document number of one reader state (-1: not a live document)."""

    def __init__(self, dockeys_by_doc: np.ndarray, live: np.ndarray):
        docs = np.flatnonzero(live & (dockeys_by_doc > 0))
        keys = dockeys_by_doc[docs]
        size = int(keys.max()) + 1 if len(keys) else 1
        self.map = np.full(size, -1, dtype=np.int64)
        self.map[keys] = docs
        self.live_dockeys = np.sort(keys)
        self._chunks: dict[str, np.ndarray] = {}

    def chunk_table(self, chunk: "Chunk") -> np.ndarray:
        """The document number of each article of a packed chunk, by ordinal (-1: not live);
        made on first use (a race only makes it twice)."""
        table = self._chunks.get(chunk.id)
        if table is None:
            table = self.docnums(chunk.docs).astype(np.int32)
            self._chunks[chunk.id] = table
        return table

    def docnums(self, dockeys: np.ndarray) -> np.ndarray:
        inside = dockeys < len(self.map)
        return np.where(inside, self.map[np.where(inside, dockeys, 0)], -1)

