"""The numpy substring index: codes and word-boundary flags, chunks on disk, phrase lookup,
chunk lists, merging and cleanup, and the dockey -> document number map."""
from __future__ import annotations

import os

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from indexer import substring as sub
from indexer.analysis import normalize, segment


PACK_BITS = sub.pack_bits


@pytest.fixture(autouse=True, params=["packed", "wide"])
def layout(request, monkeypatch):
    """Every test runs on both chunk layouts: packed 32-bit postings and the 64-bit form
    (a chunk too large to pack)."""
    if request.param == "wide":
        monkeypatch.setattr(sub, "pack_bits", lambda n_docs, max_pos: None)
    return request.param


def fields_of(title: str, body: str):
    out = []
    for text in (title, body):
        norm = normalize(text)
        words = segment(norm)
        out.append(sub.field_codes(norm, np.cumsum([len(w) for w in words])))
    return out


def build(gen_dir, docs: dict[int, tuple[str, str]]) -> dict:
    b = sub.ChunkBuilder()
    for key in sorted(docs):
        b.add(key, fields_of(*docs[key]))
    return sub.flush(b, gen_dir)


def found(index, q, title_only=False) -> dict[int, list[tuple[int, bool]]]:
    """dockey -> [(field, aligned)] of every occurrence of q."""
    occ = index.find(sub.query_codes(normalize(q)), title_only)
    out: dict[int, list] = {}
    for k, f, a in zip(occ.dockeys.tolist(), occ.fields.tolist(), occ.aligned.tolist()):
        out.setdefault(k, []).append((f, a))
    return {k: sorted(v) for k, v in out.items()}


DOCS = {
    1: ("惠济区召开经济运行分析会", "惠济区召开续会,安排部署惠济区下一步疫情防控工作。"),
    2: ("郑东新区签约", "郑东新区管委会推进“三个一批”项目,总投资216.8亿元,上线WMS系统。"),
    3: ("哈哈哈", "城市 更新。推动城市更新。我们的城市很美。"),
    5: ("鄭州", "金水区坚持项目为王,\n确保实现一季度经济“开门红”。"),
}


@pytest.fixture(params=[512, 2], ids=["sample512", "sample2"])
def index(tmp_path, request, monkeypatch):
    # A tiny sample step makes every lookup cross blocks of codes.
    monkeypatch.setattr(sub.Chunk, "SAMPLE", request.param)
    entry = build(tmp_path, DOCS)
    sub.write_list(tmp_path, 1, [entry], 6)
    return sub.SubstringIndex.open(tmp_path, 1)


# --------------------------------------------------------------------------- codes

def test_field_codes_skip_whitespace_and_end_with_a_sentinel():
    codes, flags = sub.field_codes("郑州 惠济", [2, 3, 5])       # tokens 郑州 / " " / 惠济
    c = [ord(ch) for ch in "郑州惠济"]
    assert codes.tolist() == [(c[0] << 21) | c[1], (c[1] << 21) | c[2], (c[2] << 21) | c[3],
                              c[3] << 21]
    # boundaries before 郑, after 州 (the space), before 惠, after 济
    assert [(f & sub.BEFORE > 0, f & sub.INSIDE > 0, f & sub.AFTER > 0) for f in flags.tolist()] == [
        (True, False, True), (False, True, False), (True, False, True), (False, True, True)]


def test_field_codes_of_empty_and_blank_text():
    for text in ("", "  \n\u3000 "):
        codes, flags = sub.field_codes(text, [len(text)])
        assert len(codes) == 0 and len(flags) == 0


def test_field_codes_keep_one_line_break_per_whitespace_run_with_a_break():
    codes, _ = sub.field_codes("郑州 \n\n 惠济\n", [2, 7, 9, 10])
    c = [ord(ch) for ch in "郑州"] + [sub.LINE_BREAK] + [ord(ch) for ch in "惠济"]
    assert codes.tolist() == [(a << 21) | b for a, b in zip(c, c[1:])] + [c[-1] << 21]


def test_a_headline_and_its_subtitle_are_not_one_line(tmp_path):
    entry = build(tmp_path, {7: ("发言人\n民生实事", "")})
    sub.write_list(tmp_path, 1, [entry], 8)
    index = sub.SubstringIndex.open(tmp_path, 1)
    assert found(index, "人民") == {}
    assert set(found(index, "发言人")) == {7} and set(found(index, "民生")) == {7}


def test_codes_above_the_whitespace_table_are_kept():
    assert sub.squashed("\u3000a\U00020000 b").tolist() == [ord("a"), 0x20000, ord("b")]


# --------------------------------------------------------------------------- lookup

@pytest.mark.parametrize("q, expected", [
    ("郑东", {2}), ("济区", {1}), ("惠济区下一步", {1}), ("216.8亿元", {2}), ("wms", {2}),
    ("ＷＭＳ系統", {2}), ("惠濟區", {1}), ("三个一批", {2}), ("“三个一批”", {2}),
    ("为王,确保", set()),                   # never across a line break
    ("为王,", {5}), (",确保", set()),
    ("城市更新", {3}), ("城市 更新", {3}),   # spaces ignored in query and text
    ("郑州", {5}),                           # a traditional-character headline
    ("区郑", set()), ("惠济区上一步", set()), ("216.9亿元", set()), ("开门黑", set()),
])
def test_phrase_lookup_is_exact(index, q, expected):
    assert set(found(index, q)) == expected


def test_occurrences_are_counted_per_field(index):
    assert found(index, "惠济区") == {1: [(0, True), (1, True), (1, True)]}
    # jieba: 城市/ /更新 (a word), 推动/城市更新 (inside a word), 的/城市/很 (a word)
    assert found(index, "城市") == {3: [(1, False), (1, True), (1, True)]}
    assert found(index, "城市更新") == {3: [(1, True), (1, True)]}   # 城市/ /更新 and 城市更新
    assert found(index, "济区") == {1: [(0, False), (1, False), (1, False)]}


def test_title_only(index):
    assert set(found(index, "郑东新区", title_only=True)) == {2}
    assert set(found(index, "管委会", title_only=True)) == set()
    assert set(found(index, "管委会")) == {2}


def test_repeated_bigrams(index):
    assert found(index, "哈哈哈") == {3: [(0, True)]}
    assert found(index, "哈哈") == {3: [(0, False), (0, False)]}
    assert found(index, "哈哈哈哈") == {}


def test_single_character_finds_every_occurrence_with_word_flags(index):
    assert found(index, "王") == {5: [(1, False)]}          # 项目为王 is one word
    # 分析/会 (a word of its own), 续会 and 管委会 (inside words)
    assert found(index, "会") == {1: [(0, True), (1, False)], 2: [(1, False)]}
    assert found(index, "总") == {2: [(1, True)]}


def test_match_at_the_end_of_a_field(index):
    assert set(found(index, "防控工作。")) == {1}
    assert found(index, "析会") == {1: [(0, False)]}


# --------------------------------------------------------------------------- lists, chunks

def test_several_chunks_and_merging_drops_dead_articles(tmp_path):
    e1 = build(tmp_path, {1: ("甲", "惠济区召开会议"), 2: ("乙", "惠济区签约")})
    e2 = build(tmp_path, {3: ("丙", "惠济区开工"), 4: ("丁", "金水区")})
    sub.write_list(tmp_path, 1, [e1, e2], 5)
    assert set(found(sub.SubstringIndex.open(tmp_path, 1), "惠济区")) == {1, 2, 3}
    merged = sub.compact(tmp_path, [e1, e2], np.array([2, 3, 4]), max_chunks=1)
    assert len(merged) == 1 and merged[0]["postings"] < e1["postings"] + e2["postings"]
    sub.write_list(tmp_path, 2, merged, 5)
    idx = sub.SubstringIndex.open(tmp_path, 2)
    assert set(found(idx, "惠济区")) == {2, 3}
    assert found(idx, "金水区") == {4: [(1, True)]}
    arrays = sub.load_arrays(tmp_path, merged[0])
    post, codes = np.asarray(arrays.postings), arrays.expanded_codes()
    assert np.all((codes[1:] > codes[:-1]) | ((codes[1:] == codes[:-1]) & (post[1:] > post[:-1])))


def test_lists_follow_whoosh_generations_and_cleanup(tmp_path):
    e1 = build(tmp_path, {1: ("甲", "惠济区")})
    sub.write_list(tmp_path, 1, [e1], 2)
    e2 = build(tmp_path, {2: ("乙", "惠济区")})
    sub.write_list(tmp_path, 2, [e1, e2], 3)       # a run that crashed before its commit
    orphan = build(tmp_path, {3: ("丙", "惠济区")})  # chunk written, list never written
    assert set(found(sub.SubstringIndex.open(tmp_path, 1), "惠济区")) == {1}
    assert sub.read_list(tmp_path, 7)["next_dockey"] == 3       # newest list at or below 7
    assert sub.read_list(tmp_path, 0) == {"generation": 0, "next_dockey": 1, "chunks": []}
    removed = sub.cleanup(tmp_path, 1)                          # live commit: generation 1
    assert "list-2.json" in removed
    names = os.listdir(sub.substr_dir(tmp_path))
    assert any(n.startswith(e1["id"]) for n in names)
    assert not any(n.startswith(e2["id"]) or n.startswith(orphan["id"]) for n in names)
    assert set(found(sub.SubstringIndex.open(tmp_path, 1), "惠济区")) == {1}


def test_docmap_drops_deleted_and_unknown_keys():
    dockeys_by_doc = np.array([5, 7, 0, 9])          # doc 2 has no key
    live = np.array([True, False, True, True])       # doc 1 deleted
    m = sub.DocMap(dockeys_by_doc, live)
    assert m.docnums(np.array([5, 7, 9, 12, 0])).tolist() == [0, -1, 3, -1, -1]
    assert m.live_dockeys.tolist() == [5, 9]


@pytest.mark.parametrize("q", ["惠济区", "区", "郑东新区", "城市", "哈哈", "会", "工作。", "不在"])
@pytest.mark.parametrize("title_only", [False, True])
def test_find_docs_gives_document_numbers_as_find_and_the_docmap_do(tmp_path, q, title_only):
    e1 = build(tmp_path, {1: DOCS[1], 2: DOCS[2]})
    e2 = build(tmp_path, {3: DOCS[3], 5: DOCS[5], 6: ("惠济区", "城市会议")})
    sub.write_list(tmp_path, 1, [e1, e2], 7)
    idx = sub.SubstringIndex.open(tmp_path, 1)
    # documents 0..4 hold dockeys 6, 5, 3, 2, 1; the one of dockey 2 is deleted
    m = sub.DocMap(np.array([6, 5, 3, 2, 1]), np.array([True, True, True, False, True]))
    codes = sub.query_codes(normalize(q))
    occ = idx.find(codes, title_only)
    docs, fields, aligned = idx.find_docs(codes, m, title_only)
    assert docs.tolist() == m.docnums(occ.dockeys).tolist()
    assert fields.tolist() == occ.fields.tolist() and aligned.tolist() == occ.aligned.tolist()
    if q == "城市":                                               # bodies of dockeys 6 and 3
        assert sorted(set(docs.tolist())) == ([] if title_only else [0, 2])
    if q == "郑东新区":
        assert docs.tolist() and set(docs.tolist()) == {-1}       # only in the deleted article


def test_cover_chooses_the_cheapest_bigrams_that_fix_every_character():
    import itertools

    rng = np.random.default_rng(3)
    for _ in range(500):
        k = int(rng.integers(1, 9))
        lengths = rng.integers(1, 100, k)
        got = sub.cover(lengths).tolist()
        assert got == sorted(set(got)) and got[0] == 0 and got[-1] == k - 1
        assert all(b - a <= 2 for a, b in zip(got, got[1:]))        # no character left out
        best = min(sum(int(lengths[i]) for i in s) for r in range(1, k + 1)
                   for s in itertools.combinations(range(k), r)
                   if s[0] == 0 and s[-1] == k - 1 and all(b - a <= 2 for a, b in zip(s, s[1:])))
        assert sum(int(lengths[i]) for i in got) == best
    # 项目为王: the two outer bigrams fix all four characters
    assert sub.cover(np.array([50, 9, 40])).tolist() == [0, 2]


def test_a_phrase_whose_ends_match_but_middle_differs_is_not_found(tmp_path):
    """Only some bigrams are intersected (cover): the chosen ones must still fix every
    character, so ends at the right distance with another middle are no match."""
    entry = build(tmp_path, {1: ("标题", "惠济区经开区联合开展"), 2: ("标题", "惠济金水开区")})
    sub.write_list(tmp_path, 1, [entry], 3)
    index = sub.SubstringIndex.open(tmp_path, 1)
    assert set(found(index, "惠济金水开区")) == {2}
    assert set(found(index, "惠济区经开区")) == {1}
    assert found(index, "惠济区水开区") == {}
    assert set(found(index, "惠济区经开区联合开展")) == {1}


# --------------------------------------------------------------------------- packed chunks

def test_chunks_are_packed_in_32_bits_when_they_fit(tmp_path, layout):
    entry = build(tmp_path, DOCS)
    d = sub.substr_dir(tmp_path)
    posts = np.load(d / f"{entry['id']}.postings.npy")
    if layout == "packed":
        assert posts.dtype == np.uint32 and entry["pos_bits"] >= 1
        assert np.load(d / f"{entry['id']}.docs.npy").tolist() == sorted(DOCS)
        assert len(np.load(d / f"{entry['id']}.flags.npy")) == (entry["postings"] + 1) // 2
    else:
        assert posts.dtype == np.uint64 and "pos_bits" not in entry
        assert not (d / f"{entry['id']}.docs.npy").exists()
    arrays = sub.load_arrays(tmp_path, entry)          # always the 64-bit form in memory
    assert arrays.postings.dtype == np.uint64 and len(arrays.flags) == entry["postings"]
    assert set(arrays.flags.tolist()) <= set(range(8)) and arrays.flags.any()
    assert set((arrays.postings >> np.uint64(sub.DOC_SHIFT)).tolist()) == set(DOCS)


def test_pack_bits_limits():
    assert PACK_BITS(1, 0) == 1
    assert PACK_BITS(1 << 16, (1 << 15) - 1) == 15          # 16 + 1 + 15 bits
    assert PACK_BITS((1 << 16) + 1, (1 << 15) - 1) is None  # one article too many
    assert PACK_BITS(1 << 16, 1 << 15) is None              # one character too long
    assert PACK_BITS(1000, (1 << 21) - 1) == 21
    assert PACK_BITS(1000, 1 << 21) is None


@settings(max_examples=200, deadline=None)
@given(st.lists(st.tuples(st.integers(0, 5000), st.integers(0, 1), st.integers(0, 4000)),
                min_size=1, max_size=300))
def test_pack_round_trip_keeps_the_order(rows):
    posts = np.array(sorted({(d << 32) | (f << 31) | p for d, f, p in rows}), dtype=np.uint64)
    docs = np.unique((posts >> np.uint64(32)).astype(np.int64))
    bits = PACK_BITS(len(docs), int((posts & np.uint64(sub.POS_MASK)).max()))
    packed = sub.pack(posts, docs, bits)
    assert packed.dtype == np.uint32
    assert np.array_equal(sub.unpack(packed, docs, bits), posts)
    assert np.all(packed[1:] > packed[:-1])                     # same order as the 64-bit form


def test_a_phrase_never_runs_from_one_field_into_the_next(tmp_path):
    """Packed positions have only as many bits as the longest field needs: a match of the
    first bigram near the end of a headline plus an offset must not carry into the body
    (or from a body into the next article's headline)."""
    entry = build(tmp_path, {1: ("一二三四五六七八", "九十"), 2: ("八九", "甲乙"),
                             3: ("丙丁", "十八九"), 4: ("九十", "")})
    sub.write_list(tmp_path, 1, [entry], 5)
    index = sub.SubstringIndex.open(tmp_path, 1)
    assert found(index, "七八九十") == {}                  # headline end + body start
    assert found(index, "八九十") == {}
    assert found(index, "十八九十") == {}                  # body end + next headline
    assert set(found(index, "一二三四五六七八")) == {1}
    assert set(found(index, "八九")) == {2, 3}


def test_a_builder_is_full_at_as_many_articles_as_a_packed_chunk_holds(monkeypatch):
    monkeypatch.setattr(sub, "CHUNK_DOCS", 3)
    b = sub.ChunkBuilder()
    for key in (1, 2):
        b.add(key, fields_of("标题", "正文"))
    assert not b.full(10 ** 9)
    b.add(3, fields_of("标题", "正文"))
    assert b.full(10 ** 9) and not sub.ChunkBuilder().full(10 ** 9)
    assert b.full(1)                                       # the postings limit still holds


@settings(max_examples=200, deadline=None)
@given(st.lists(st.integers(0, 7), max_size=41), st.data())
def test_flags_two_to_a_byte_read_back_from_any_range(flags, data):
    flags = np.array(flags, dtype=np.uint8)
    packed = sub.pack_flags(flags)
    assert len(packed) == (len(flags) + 1) // 2
    lo = data.draw(st.integers(0, len(flags)))
    hi = data.draw(st.integers(lo, len(flags)))
    got = sub.unpack_flags(packed[lo // 2:(hi + 1) // 2], lo, hi - lo)
    assert got.tolist() == flags[lo:hi].tolist()


@settings(max_examples=60, deadline=None)
@given(st.lists(st.integers(0, (1 << 42) - 1), min_size=1, max_size=200, unique=True),
       st.lists(st.integers(0, (1 << 42)), max_size=30))
def test_split_codes_and_lower_bound_agree_with_a_binary_search(tmp_path_factory, values, probes):
    codes = np.array(sorted(values), dtype=np.uint64)
    heads, low = sub.split_codes(codes)
    assert low.dtype == np.uint16 and np.array_equal(sub.join_codes(heads, low), codes)
    n = len(codes)
    arrays = sub.Arrays(codes, np.arange(n + 1, dtype=np.int64),
                        (np.arange(n, dtype=np.uint64) << np.uint64(32)), np.zeros(n, np.uint8))
    gen = tmp_path_factory.mktemp("codes")
    entry = sub.write_chunk(gen, arrays, 0, n - 1)
    chunk = sub.Chunk(gen, entry)
    for p in probes + [int(c) for c in codes[::7]] + [int(c) + 1 for c in codes[::5]]:
        want = int(np.searchsorted(codes, np.uint64(p)))
        got, exact = chunk._lower_bound(np.uint64(p))
        assert (got, exact) == (want, want < n and int(codes[want]) == p)


@pytest.mark.skipif(not hasattr(os, "posix_fadvise"), reason="no posix_fadvise here")
def test_opening_a_chunk_reads_its_code_directory_ahead(tmp_path, monkeypatch):
    """The codes and offsets of a chunk (read at random places by every lookup) are handed
    to the kernel's readahead when the chunk is opened; postings are read as queries need."""
    entry = build(tmp_path, DOCS)
    sub.write_list(tmp_path, 1, [entry], 6)
    advised = []
    real = os.posix_fadvise
    monkeypatch.setattr(os, "posix_fadvise", lambda fd, off, n, how: advised.append(
        (os.readlink(f"/proc/self/fd/{fd}").rsplit(".", 2)[-2], how)) or real(fd, off, n, how))
    index = sub.SubstringIndex.open(tmp_path, 1)
    assert sorted(advised) == [("codes", os.POSIX_FADV_WILLNEED), ("offsets", os.POSIX_FADV_WILLNEED)]
    assert len(index.find(sub.query_codes(normalize("惠济区"))).dockeys) == 3
