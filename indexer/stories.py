"""Near-duplicate stories: the same story in another paper or edition (computed at index time).

A reprint, a district supplement's version of a city-page article, a repost with a new
headline, trimmed or reordered paragraphs, a different byline: all keep most of the body's
character sequences. So each article's body is normalised (``indexer.analysis.normalize``,
then letters and digits only), cut into overlapping character shingles, and sketched with
``datasketch.MinHash``; ``datasketch.MinHashLSH`` proposes candidate pairs, and a pair is
the same story when its estimated Jaccard similarity reaches ``jaccard_min`` or the shorter
body is mostly contained in the longer one (``containment_min``, for trimmed versions).
Stories are the connected components of those pairs (``scipy.sparse.csgraph``). Parameters
are in ``indexer/data/stories.json``.

On disk, beside the Whoosh index of a generation::

    story-signatures.npy  per article key (dockey), ascending: signature, shingle count,
                          date, id (one record per article, read memory-mapped)
    stories-N.npz       for Whoosh commit N: dockey -> story number, first-appearance flag,
                        and each story's id (the id of its earliest article)

``update(gen_dir)`` runs after every commit (full or incremental): signatures are computed
only for articles not in the cache, the cache drops deleted ones, and the stories are
recomputed over every live article - so adding or deleting an article always leaves the
same clusters a rebuild would give. The earliest article of a story (by date, undated
last, then by the order of indexing) is its first appearance; its id is the story id.
"""
from __future__ import annotations

import json
import os
import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import numpy as np

from indexer.analysis import normalize

DATA_FILE = Path(__file__).resolve().parent / "data" / "stories.json"
CACHE_FILE = "story-signatures.npy"
OLD_CACHE_FILE = "story-signatures.npz"   # written by earlier versions: read, then replaced
STORIES_PREFIX = "stories-"
_WORD = re.compile(r"[^\W_]+")
_MASK32 = np.uint64(0xFFFFFFFF)
_MULT = np.uint64(1000003)


@lru_cache(maxsize=1)
def params() -> dict:
    return json.loads(DATA_FILE.read_text(encoding="utf-8"))


def normalised(body: str) -> str:
    """The body as compared: normalised, letters and digits only (layout and punctuation gone)."""
    return "".join(_WORD.findall(normalize(body or "")))


def shingle_hashes(body: str, text: str | None = None) -> np.ndarray:
    """uint64 hashes (< 2**32) of the distinct character shingles of the normalised body
    (`text`: normalised(body), when the caller has it)."""
    text = normalised(body) if text is None else text
    k = params()["shingle_chars"]
    if len(text) < k:
        return np.zeros(0, dtype=np.uint64)
    codes = np.frombuffer(text.encode("utf-32-le"), dtype=np.uint32).astype(np.uint64)
    n = len(codes) - k + 1
    h = np.zeros(n, dtype=np.uint64)
    for j in range(k):
        h = (h * _MULT + codes[j:j + n]) & _MASK32
    return np.unique(h)


def _identity(x):
    return x


@lru_cache(maxsize=1)
def _permutations():
    """The permutations of MinHash(num_perm, seed): drawn once per process, not per article
    (drawing them cost more than sketching a body)."""
    from datasketch import MinHash

    p = params()
    return MinHash(num_perm=p["num_perm"], seed=p["seed"], hashfunc=_identity,
                   scheme=p["scheme"]).permutations


def _fmix32(h: np.ndarray) -> np.ndarray:
    """The MurmurHash3 32-bit finalizer (datasketch's pre-mix of scheme "affine32")."""
    h = h ^ (h >> np.uint32(16))
    h = h * np.uint32(0x85EBCA6B)
    h = h ^ (h >> np.uint32(13))
    h = h * np.uint32(0xC2B2AE35)
    return h ^ (h >> np.uint32(16))


def minhash_values(hashes: np.ndarray) -> np.ndarray:
    """What datasketch's MinHash(scheme="affine32", hashfunc=identity, our permutations)
    .update_batch(hashes) leaves in .hashvalues, computed in one numpy expression (its
    update_batch calls the hash function once per value in Python; tests check the two
    agree)."""
    p = params()
    if p["scheme"] != "affine32":       # another scheme in the data file: datasketch itself
        from datasketch import MinHash

        m = MinHash(num_perm=p["num_perm"], seed=p["seed"], hashfunc=_identity, scheme=p["scheme"],
                    permutations=_permutations())
        m.update_batch(np.asarray(hashes).tolist())
        return np.asarray(m.hashvalues, dtype=np.uint32)
    a, b = _permutations()
    hv = _fmix32(np.asarray(hashes).astype(np.uint32))[:, None]
    with np.errstate(over="ignore"):
        return (hv * np.asarray(a, dtype=np.uint32) + np.asarray(b, dtype=np.uint32)).min(axis=0)


def signature(body: str) -> tuple[np.ndarray, int]:
    """(MinHash signature as uint32[num_perm], number of shingles) of an article body."""
    p = params()
    text = normalised(body)
    hashes = shingle_hashes(body, text)
    if len(hashes) and len(text) >= p["min_chars"]:
        return minhash_values(hashes), int(len(hashes))
    return np.full(p["num_perm"], np.iinfo(np.uint32).max, dtype=np.uint32), 0


def similarity(sig_a, size_a: int, sig_b, size_b: int) -> tuple[float, float]:
    """(estimated Jaccard similarity, estimated containment of the smaller in the larger)."""
    j = float(np.mean(np.asarray(sig_a) == np.asarray(sig_b)))
    if not size_a or not size_b:
        return 0.0, 0.0
    inter = j * (size_a + size_b) / (1 + j)
    return j, min(1.0, inter / min(size_a, size_b))


def candidate_pairs(sigs: np.ndarray, sizes: np.ndarray) -> np.ndarray:
    """int64[k, 2] pairs (i < j) of rows that share an LSH bucket.

    The bands are datasketch.MinHashLSH's for the threshold (its ``hashranges``); a bucket is
    the rows whose signatures are equal over a band, as in MinHashLSH's hash tables, found
    here by sorting each band in numpy instead of inserting every row in Python (a million
    rows: seconds, not many minutes). Bands are sorted by a 64-bit key of their values (one
    stable argsort instead of a lexsort over the band's columns), on two threads (numpy
    sorts without the GIL); a key shared by two different bands is detected and that band
    sorted by its values, so the pairs are exactly those of the buckets."""
    from concurrent.futures import ThreadPoolExecutor

    from datasketch import MinHashLSH

    p = params()
    lsh = MinHashLSH(threshold=p["lsh_threshold"], num_perm=p["num_perm"])
    rows = np.flatnonzero(np.asarray(sizes) > 0).astype(np.int64)
    if len(rows) < 2:
        return np.zeros((0, 2), dtype=np.int64)
    sigs = np.asarray(sigs)
    limit = p["max_bucket"]

    def band_pairs(span) -> list[np.ndarray]:
        lo, hi = span                # only the band's columns are gathered (rows of sigs may be
        order, new = _band_order(np.ascontiguousarray(sigs[rows, lo:hi]))   # records of a file)
        starts = np.flatnonzero(new)
        counts = np.diff(np.r_[starts, len(order)])
        members = rows[order]
        out = []
        # every pair of a bucket, for all buckets of one size at once (a press group's
        # archive holds a story in many editions: buckets of 3-10 rows by the hundred thousand)
        for n in np.unique(counts[(counts >= 2) & (counts <= limit)]).tolist():
            at = starts[counts == n]
            m = members[at[:, None] + np.arange(n)]
            a, c = np.triu_indices(n, k=1)
            out.append(np.stack([m[:, a].ravel(), m[:, c].ravel()], axis=1))
        for st, n in zip(starts[counts > limit].tolist(), counts[counts > limit].tolist()):
            m = members[st:st + n]   # a huge bucket (boilerplate text): chain it, don't square it
            out.append(np.stack([m[:-1], m[1:]], axis=1))
        return out

    workers = min(2, os.cpu_count() or 1)
    with ThreadPoolExecutor(max_workers=workers) as pool:
        pairs = [x for part in pool.map(band_pairs, lsh.hashranges) for x in part]
    if not pairs:
        return np.zeros((0, 2), dtype=np.int64)
    # distinct pairs in (i, j) order: one int64 key per pair sorts as the pairs do (j < n),
    # many times faster than np.unique(axis=0) over the same pair from every band
    n = np.int64(len(sigs))
    key = np.unique(np.concatenate([q[:, 0] * n + q[:, 1] for q in pairs]))
    return np.stack([key // n, key % n], axis=1)


_KEY_MULT = np.uint64(0x9E3779B97F4A7C15)


def _band_order(band: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(order, new): a stable order of the rows that puts equal bands side by side, rows
    ascending within each (as ``np.lexsort(band.T[::-1])`` does, but as one argsort of a
    64-bit key), and bool[n] True where a bucket starts in that order."""
    key = band[:, 0].astype(np.uint64)
    for k in range(1, band.shape[1]):
        key *= _KEY_MULT
        key ^= band[:, k].astype(np.uint64)
    order = np.argsort(key, kind="stable")
    k = key[order]
    same = k[1:] == k[:-1]
    at = np.flatnonzero(same)
    if len(at) and np.any(band[order[at]] != band[order[at + 1]]):
        # two different bands share a key: sort by the values themselves
        order = np.lexsort(band.T[::-1])
        b = band[order]
        return order, np.r_[True, np.any(b[1:] != b[:-1], axis=1)]
    return order, np.r_[True, ~same]


def same_story_pairs(sigs: np.ndarray, sizes: np.ndarray) -> np.ndarray:
    """The candidate pairs that pass the Jaccard-or-containment check."""
    p = params()
    pairs = candidate_pairs(sigs, sizes)
    if not len(pairs):
        return pairs
    keep = np.zeros(len(pairs), dtype=bool)
    for lo in range(0, len(pairs), 200_000):
        a, b = pairs[lo:lo + 200_000, 0], pairs[lo:lo + 200_000, 1]
        j = (sigs[a] == sigs[b]).mean(axis=1)
        sa, sb = sizes[a].astype(np.float64), sizes[b].astype(np.float64)
        cont = np.minimum(1.0, j * (sa + sb) / (1 + j) / np.maximum(1.0, np.minimum(sa, sb)))
        keep[lo:lo + 200_000] = (j >= p["jaccard_min"]) | (cont >= p["containment_min"])
    return pairs[keep]


def cluster(sigs: np.ndarray, sizes: np.ndarray) -> np.ndarray:
    """int32[n] story number of each row (connected components of the same-story pairs)."""
    from scipy.sparse import coo_matrix
    from scipy.sparse.csgraph import connected_components

    n = len(sizes)
    pairs = same_story_pairs(sigs, sizes)
    graph = coo_matrix((np.ones(len(pairs), dtype=np.int8), (pairs[:, 0], pairs[:, 1])), shape=(n, n))
    _, labels = connected_components(graph, directed=False)
    return labels.astype(np.int32)


@dataclass
class Stories:
    """The stories of one commit, by article key (dockey)."""
    dockeys: np.ndarray      # int64, ascending
    story: np.ndarray        # int32 story number per dockey
    first: np.ndarray        # bool: the story's earliest article
    story_ids: np.ndarray    # str per story number: id of its earliest article
    sizes: np.ndarray        # int32 articles per story number

    @classmethod
    def build(cls, dockeys, ids, dates, sigs, sizes) -> "Stories":
        dockeys, ids, dates = np.asarray(dockeys), np.asarray(ids), np.asarray(dates)
        sigs, sizes = np.asarray(sigs), np.asarray(sizes)
        if len(dockeys) > 1 and not np.all(dockeys[1:] >= dockeys[:-1]):
            # (already in key order, as update() passes them: a stable sort would not move a row)
            order = np.argsort(dockeys, kind="stable")
            dockeys, ids, dates, sigs, sizes = (a[order] for a in (dockeys, ids, dates, sigs, sizes))
        labels = cluster(sigs, sizes) if len(dockeys) else np.zeros(0, dtype=np.int32)
        # earliest first: by date (undated last), then by key (indexing order)
        when = np.where(dates > 0, dates, 99_999_999).astype(np.int64)
        rank = np.lexsort((dockeys, when, labels))
        first = np.zeros(len(dockeys), dtype=bool)
        if len(rank):
            starts = np.r_[True, labels[rank][1:] != labels[rank][:-1]]
            first[rank[starts]] = True
        n_stories = int(labels.max()) + 1 if len(labels) else 0
        first_ids = _ids_from_file(ids[first])      # ids may come as UTF-8 bytes (the cache)
        story_ids = np.empty(n_stories, dtype=first_ids.dtype if len(first_ids) else "<U16")
        story_ids[labels[first]] = first_ids
        counts = np.bincount(labels, minlength=n_stories).astype(np.int32)
        return cls(dockeys.astype(np.int64), labels, first, story_ids, counts)

    def save(self, path: Path) -> None:
        tmp = path.with_name(path.name + ".tmp")
        with open(tmp, "wb") as f:
            np.savez(f, dockeys=self.dockeys, story=self.story, first=self.first,
                     story_ids=_ids_to_file(self.story_ids), sizes=self.sizes)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)

    @classmethod
    def load(cls, path: Path) -> "Stories":
        with np.load(path, allow_pickle=False) as z:
            return cls(z["dockeys"], z["story"], z["first"], _ids_from_file(z["story_ids"]), z["sizes"])


def _ids_to_file(ids: np.ndarray) -> np.ndarray:
    """Article ids as UTF-8 bytes, as wide as the longest (16 bytes an id instead of the
    256 of a '<U64' array)."""
    return np.char.encode(np.asarray(ids, dtype=str), "utf-8")


def _ids_from_file(arr: np.ndarray) -> np.ndarray:
    """The ids of a file written by _ids_to_file (or, by an older version, as str)."""
    return np.char.decode(arr, "utf-8") if arr.dtype.kind == "S" else arr


def stories_path(gen_dir, generation: int) -> Path:
    return Path(gen_dir) / f"{STORIES_PREFIX}{generation}.npz"


def latest(gen_dir, generation: int) -> Path | None:
    """The stories file of this commit, else of the newest earlier one (None: none yet)."""
    best = None
    for p in Path(gen_dir).glob(f"{STORIES_PREFIX}*.npz"):
        m = re.fullmatch(rf"{STORIES_PREFIX}(\d+)\.npz", p.name)
        if m and int(m.group(1)) <= generation and (best is None or int(m.group(1)) > best[0]):
            best = (int(m.group(1)), p)
    return best[1] if best else None


def _date_key(date: str | None) -> int:
    """YYYYMMDD of a full date, else 0 (undated, or day and month without a year)."""
    d = date or ""
    return int(d.replace("-", "")) if re.fullmatch(r"\d{4}-\d{2}-\d{2}", d) else 0


@dataclass
class Signatures:
    """What the stories need of some articles, by article key: computed by the index workers
    while they hold the text (``update`` then only clusters), and kept as the cache."""
    keys: np.ndarray         # int64 dockeys
    sigs: np.ndarray         # uint32[n, num_perm]
    sizes: np.ndarray        # int64 shingle counts
    dates: np.ndarray        # int64 YYYYMMDD, 0 when undated
    ids: np.ndarray          # "<U64" article ids

    @classmethod
    def empty(cls, n: int) -> "Signatures":
        return cls(np.zeros(n, np.int64), np.zeros((n, params()["num_perm"]), np.uint32),
                   np.zeros(n, np.int64), np.zeros(n, np.int64), np.zeros(n, "<U64"))

    def set(self, row: int, key: int, body: str, date: str | None, article_id: str) -> None:
        self.keys[row] = key
        self.sigs[row], self.sizes[row] = signature(body or "")
        self.dates[row] = _date_key(date)
        self.ids[row] = article_id

    def __len__(self) -> int:
        return len(self.keys)

    @classmethod
    def concat(cls, parts) -> "Signatures | None":
        parts = [p for p in parts if p is not None and len(p)]
        if not parts:
            return None
        if len(parts) == 1:
            return parts[0]
        return cls(*(np.concatenate([getattr(p, f) for p in parts])
                     for f in ("keys", "sigs", "sizes", "dates", "ids")))


def _record_dtype(num_perm: int, id_bytes: int) -> np.dtype:
    """One cache record: what the stories need of one article (ids as UTF-8 bytes)."""
    return np.dtype([("keys", "<i8"), ("sigs", "<u4", (num_perm,)), ("sizes", "<i8"),
                     ("dates", "<i8"), ("ids", f"S{max(1, id_bytes)}")])


def _load_cache(gen_dir: Path) -> np.ndarray | None:
    """The cache as records in ascending key order, memory-mapped (None: none, unreadable or
    of another layout); an earlier version's .npz is read into records."""
    path = gen_dir / CACHE_FILE
    try:
        rec = np.load(path, mmap_mode="r", allow_pickle=False)
        names = rec.dtype.names or ()
        if rec.ndim != 1 or tuple(names) != ("keys", "sigs", "sizes", "dates", "ids"):
            return None
    except FileNotFoundError:
        rec = _load_old_cache(gen_dir / OLD_CACHE_FILE)
    except (OSError, ValueError):
        return None
    if rec is not None and len(rec) > 1:
        keys = np.asarray(rec["keys"])
        if not np.all(keys[1:] > keys[:-1]):     # not written by update(): order it, last wins
            last = len(keys) - 1 - np.unique(keys[::-1], return_index=True)[1]
            rec = rec[last[np.argsort(keys[last], kind="stable")]]
    return rec


def _load_old_cache(path: Path) -> np.ndarray | None:
    try:
        with np.load(path, allow_pickle=False) as z:
            keys, sigs, sizes, dates, ids = (z[k] for k in ("keys", "sigs", "sizes", "dates", "ids"))
    except (OSError, ValueError, KeyError):
        return None
    ids = ids if ids.dtype.kind == "S" else np.char.encode(ids.astype(str), "utf-8")
    rec = np.zeros(len(keys), dtype=_record_dtype(sigs.shape[1], ids.dtype.itemsize))
    for name, arr in (("keys", keys), ("sigs", sigs), ("sizes", sizes), ("dates", dates), ("ids", ids)):
        rec[name] = arr
    return rec


def _save_cache(gen_dir: Path, rec: np.ndarray) -> None:
    tmp = gen_dir / (CACHE_FILE + ".tmp")
    with open(tmp, "wb") as f:
        np.save(f, rec, allow_pickle=False)
    os.replace(tmp, gen_dir / CACHE_FILE)
    (gen_dir / OLD_CACHE_FILE).unlink(missing_ok=True)


def _lookup(known: np.ndarray, keys: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(found: bool per key, rows of `known` (ascending, distinct) for the found keys)."""
    if not len(known) or not len(keys):
        return np.zeros(len(keys), dtype=bool), np.zeros(0, dtype=np.int64)
    at = np.minimum(np.searchsorted(known, keys), len(known) - 1)
    found = known[at] == keys
    return found, at[found]


def update(gen_dir, fresh: Signatures | None = None) -> Stories:
    """Recompute the stories of the generation's latest commit and write stories-N.npz.

    `fresh`: signatures of articles this run added (the index workers compute them); other
    live articles come from the cache, and any still missing are sketched from their stored
    body here. At a million articles the cache is half a gigabyte: it is read memory-mapped
    and copied once, in key order, into the new cache, which is also what the clustering
    reads."""
    from indexer import store, substring

    gen_dir = Path(gen_dir)
    ix = store.open_index(gen_dir, readonly=True)
    p = params()
    with ix.reader() as reader:
        generation = reader.generation()
        docnums = np.fromiter(reader.all_doc_ids(), dtype=np.int64)
        keys_by_doc = substring.dockey_column(reader)
        keys = keys_by_doc[docnums]
        order = np.argsort(keys, kind="stable")
        keys, docnums = keys[order], docnums[order]
        cache = _load_cache(gen_dir)
        if cache is not None and cache.dtype["sigs"].shape != (p["num_perm"],):
            cache = None               # sketched with other parameters: start again
        cache_keys = np.asarray(cache["keys"]) if cache is not None else np.zeros(0, np.int64)
        previous = latest(gen_dir, generation)
        if (cache is not None and previous is not None and np.array_equal(cache_keys, keys)
                and not (gen_dir / OLD_CACHE_FILE).exists()):
            # the same articles as the stories file already written (an unchanged run)
            stories = Stories.load(previous)
            if previous != stories_path(gen_dir, generation):
                stories.save(stories_path(gen_dir, generation))
            _prune(gen_dir, generation)
            return stories
        # known signatures: this run's (newest: they win on a repeated key), then the cache
        n = len(keys)
        from_fresh, fresh_rows = np.zeros(n, dtype=bool), np.zeros(0, dtype=np.int64)
        if fresh is not None and len(fresh):
            last = len(fresh.keys) - 1 - np.unique(fresh.keys[::-1], return_index=True)[1]
            fresh_order = last[np.argsort(fresh.keys[last], kind="stable")]
            from_fresh, at = _lookup(fresh.keys[fresh_order], keys)
            fresh_rows = fresh_order[at]
        from_cache, cache_rows = np.zeros(n, dtype=bool), np.zeros(0, dtype=np.int64)
        rest = np.flatnonzero(~from_fresh)
        if cache is not None and len(rest):
            found, cache_rows = _lookup(cache_keys, keys[rest])
            from_cache[rest[found]] = True
        missing = np.flatnonzero(~(from_fresh | from_cache))
        sketched = Signatures.empty(len(missing))
        for i, row in enumerate(missing.tolist()):
            st = reader.stored_fields(int(docnums[row]))
            sketched.set(i, int(keys[row]), st.get("body") or "", st.get("date"), st.get("id", ""))
    new_ids = [np.char.encode(np.asarray(x.ids, dtype=str), "utf-8")
               for x in (fresh, sketched) if x is not None and len(x)]
    width = max([cache.dtype["ids"].itemsize if cache is not None else 1]
                + [a.dtype.itemsize for a in new_ids])
    out = np.zeros(n, dtype=_record_dtype(p["num_perm"], width))
    if len(cache_rows):
        _copy_runs(out, np.flatnonzero(from_cache), cache, cache_rows)
    if fresh is not None and len(fresh_rows):
        _fill(out, from_fresh, fresh, fresh_rows)
    if len(missing):
        _fill(out, missing, sketched, np.arange(len(missing)))
    out["keys"] = keys
    del cache
    stories = Stories.build(out["keys"], out["ids"], out["dates"], out["sigs"], out["sizes"])
    stories.save(stories_path(gen_dir, generation))
    # the cache after the stories: a cache never names articles the newest stories file lacks
    _save_cache(gen_dir, out)
    _prune(gen_dir, generation)
    return stories


def _copy_runs(out: np.ndarray, dest: np.ndarray, src: np.ndarray, rows: np.ndarray) -> None:
    """out[dest] = src[rows] for ascending dest and rows, as one slice copy per run of
    consecutive rows (a million records of a memory-mapped file: one sequential pass and no
    temporary copy, where a fancy-indexed gather took seconds)."""
    breaks = np.flatnonzero((np.diff(dest) != 1) | (np.diff(rows) != 1)) + 1
    starts = np.r_[0, breaks]
    ends = np.r_[breaks, len(dest)]
    for a, b in zip(starts.tolist(), ends.tolist()):
        d, r = int(dest[a]), int(rows[a])
        out[d:d + b - a] = src[r:r + b - a]


def _fill(out: np.ndarray, where, sigs: Signatures, rows: np.ndarray) -> None:
    out["sigs"][where] = sigs.sigs[rows]
    out["sizes"][where] = sigs.sizes[rows]
    out["dates"][where] = sigs.dates[rows]
    out["ids"][where] = np.char.encode(np.asarray(sigs.ids[rows], dtype=str), "utf-8")


def _prune(gen_dir: Path, generation: int) -> None:
    """Remove the stories files of commits before the previous one."""
    for old in gen_dir.glob(f"{STORIES_PREFIX}*.npz"):
        m = re.fullmatch(rf"{STORIES_PREFIX}(\d+)\.npz", old.name)
        if m and int(m.group(1)) < generation - 1:
            old.unlink(missing_ok=True)
