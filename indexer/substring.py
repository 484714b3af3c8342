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
``DocMap``). A parallel uint8 array holds jieba word-boundary flags of the posting:

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
unique uint64), ``offsets`` (int64, len+1), ``postings`` (uint64, ascending within a
code) and ``flags`` (uint8). A reader keeps every 512th code in memory and reads the
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
_CHUNK_RE = re.compile(r"^(c-[0-9a-z-]+)\.(codes|offsets|postings|flags)\.npy$")
_PARTS = ("codes", "offsets", "postings", "flags")

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
        self.min_dockey: int | None = None
        self.max_dockey = 0

    def add(self, dockey: int, fields: list[tuple[np.ndarray, np.ndarray]]) -> None:
        """fields[f] = field_codes(...) of field f (TITLE, BODY)."""
        base = _U64(dockey) << _U64(DOC_SHIFT)
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

    def build(self) -> "Arrays | None":
        if not self._codes:
            return None
        codes = np.concatenate(self._codes)
        posts = np.concatenate(self._posts)
        flags = np.concatenate(self._flags)
        self._codes, self._posts, self._flags = [], [], []
        return Arrays.from_unsorted(codes, posts, flags)


@dataclass
class Arrays:
    codes: np.ndarray       # uint64, sorted unique
    offsets: np.ndarray     # int64, len(codes) + 1
    postings: np.ndarray    # uint64, ascending within each code
    flags: np.ndarray       # uint8, aligned with postings

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


def write_chunk(gen_dir, arrays: Arrays, min_dockey: int, max_dockey: int) -> dict:
    """Write one chunk's files; returns its list entry."""
    d = substr_dir(gen_dir)
    d.mkdir(exist_ok=True)
    cid = new_chunk_id()
    for part in _PARTS:
        _save_npy(d / f"{cid}.{part}.npy", getattr(arrays, part))
    return {"id": cid, "postings": int(len(arrays.postings)), "codes": int(len(arrays.codes)),
            "min_dockey": int(min_dockey), "max_dockey": int(max_dockey)}


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

def load_arrays(gen_dir, cid: str, mmap: bool = True) -> Arrays:
    d = substr_dir(gen_dir)
    mode = "r" if mmap else None
    return Arrays(*(np.load(d / f"{cid}.{part}.npy", mmap_mode=mode, allow_pickle=False)
                    for part in _PARTS))


def merge_chunks(gen_dir, entries: list[dict], live_dockeys: np.ndarray | None) -> dict | None:
    """One chunk holding the postings of `entries` whose dockey is in live_dockeys
    (sorted int64 array; None keeps all). Returns its list entry (None when empty)."""
    codes, posts, flags = [], [], []
    for e in entries:
        a = load_arrays(gen_dir, e["id"], mmap=False)
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
    dk = p >> _U64(DOC_SHIFT)
    arrays = Arrays.from_unsorted(np.concatenate(codes), p, np.concatenate(flags))
    return write_chunk(gen_dir, arrays, int(dk.min()), int(dk.max()))


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

    def read(self, lo: int, hi: int) -> np.ndarray:
        item = self.dtype.itemsize
        want = (int(hi) - int(lo)) * item
        pos = self.base + int(lo) * item
        buf = os.pread(self.fd, want, pos)
        while len(buf) < want:                  # a short read (never for regular files)
            more = os.pread(self.fd, want - len(buf), pos + len(buf))
            if not more:
                raise OSError(f"truncated substring index file (fd {self.fd})")
            buf += more
        return np.frombuffer(buf, dtype=self.dtype)


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
        self.ncodes = self.codes.size
        self.sample = self.codes.read(0, self.ncodes)[::self.SAMPLE].copy()

    def _lower_bound(self, code) -> tuple[int, bool]:
        """(index of the first code >= `code`, whether it equals `code`)."""
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
        if not self.ncodes:
            return None
        a, _ = self._lower_bound(_U64(cp) << _U64(CP_SHIFT))
        b, _ = self._lower_bound(_U64(cp + 1) << _U64(CP_SHIFT))
        if a >= b:
            return None
        lo, hi = int(self.offsets.read(a, a + 1)[0]), int(self.offsets.read(b, b + 1)[0])
        posts = self.postings.read(lo, hi)
        fl = self.flags.read(lo, hi)
        aligned = (fl & (BEFORE | INSIDE)) == (BEFORE | INSIDE)
        return _title_filter(posts, aligned, title_only)

    def phrase(self, bigrams: np.ndarray, title_only: bool):
        """(start postings, aligned) of every occurrence of the bigram sequence."""
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
        if title_only:
            keep = (cand >> _U64(FIELD_SHIFT)) & _U64(1) == 0
            cand = cand[keep]
            track = {i: t[keep] for i, t in track.items()}
        if j:
            keep = (cand & _U64(POS_MASK)) >= _U64(j)
            cand = cand[keep] - _U64(j)
            track = {i: t[keep] for i, t in track.items()}
        for i in order[1:]:
            if not len(cand):
                return None
            i = int(i)
            plist = self.postings.read(lo[i], hi[i])
            target = cand + _U64(i)
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
        first = self.flags.read(lo[0], hi[0])[track[0]]
        last = first if k == 1 else self.flags.read(lo[k - 1], hi[k - 1])[track[k - 1]]
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


def _title_filter(posts, aligned, title_only):
    if title_only:
        keep = (posts >> _U64(FIELD_SHIFT)) & _U64(1) == 0
        posts, aligned = posts[keep], aligned[keep]
    if not len(posts):
        return None
    return posts, aligned


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

    def docnums(self, dockeys: np.ndarray) -> np.ndarray:
        inside = dockeys < len(self.map)
        return np.where(inside, self.map[np.where(inside, dockeys, 0)], -1)

