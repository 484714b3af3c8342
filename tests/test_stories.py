"""Same story elsewhere: sketches and clusters from literal strings (indexer.stories), the
stories of a real index kept right by incremental indexing, one card per story, 只看首发,
the article page's versions and diff, export / API / CLI fields."""
from __future__ import annotations

import csv
import io
import json

import numpy as np
import pytest

from indexer import stories as st

STORY = ("惠济区举行2022年一季度重点项目集中签约仪式，共签约项目12个，总投资85亿元，涉及先进制造、"
         "现代服务业、都市生态农业等领域。区委书记在仪式上指出，要牢固树立项目为王的理念，"
         "以更大力度抓招商、促投资、稳增长。\n\n"
         "据了解，此次签约的项目中，有智能装备产业园、冷链物流中心、文化旅游综合体等一批"
         "带动性强的重大项目。各项目单位表示，将加快推进前期工作，力争早开工、早投产、早见效。\n\n"
         "区发展改革委负责人介绍，今年以来，惠济区围绕主导产业开展精准招商，"
         "新引进亿元以上项目数量同比明显增加，为全年经济发展打下坚实基础。")
# the same story elsewhere: new lead, a paragraph dropped, some words changed
REPRINT = ("本报讯 惠济区日前举行2022年一季度重点项目集中签约仪式，共签约项目12个，总投资85亿元，涉及先进制造、"
           "现代服务业、都市生态农业等领域。区委书记在仪式上指出，要牢固树立项目为王的理念，"
           "以更大力度抓招商、促投资、稳增长。\n\n"
           "区发展改革委负责人介绍，今年以来，惠济区围绕主导产业开展精准招商，"
           "新引进亿元以上项目数量同比增加，为全年经济发展打下基础。")
# the same subject, another story
OTHER = ("金水区召开2022年一季度经济运行分析会，通报全区主要经济指标完成情况，研究部署下一阶段重点工作。"
         "会议要求，各部门要紧盯全年目标任务，坚持项目为王，抓好重点项目建设，持续优化营商环境，"
         "确保经济平稳运行。\n\n会上，区统计局通报了一季度全区经济运行情况，各街道和相关部门作了交流发言。")


def sim(a, b):
    sa, na = st.signature(a)
    sb, nb = st.signature(b)
    return st.similarity(sa, na, sb, nb)


def test_normalised_text_ignores_layout_punctuation_and_script():
    assert st.normalised("惠濟區 舉行，簽約\n儀式。") == "惠济区举行签约仪式"


def test_signature_similarity():
    assert sim(STORY, STORY) == (1.0, 1.0)
    j, c = sim(STORY, REPRINT)
    assert j >= 0.4 and c >= 0.7
    j, c = sim(STORY, OTHER)
    assert j < 0.1 and c < 0.2


@pytest.mark.parametrize("n", [1, 2, 7, 500, 3000])
def test_minhash_values_equal_datasketchs_update_batch(n):
    from datasketch import MinHash

    p = st.params()
    rng = np.random.default_rng(n)
    hashes = np.unique(rng.integers(0, 2**32, n, dtype=np.uint64))
    m = MinHash(num_perm=p["num_perm"], seed=p["seed"], hashfunc=lambda x: x, scheme=p["scheme"])
    m.update_batch(hashes.tolist())
    assert np.array_equal(st.minhash_values(hashes), np.asarray(m.hashvalues, dtype=np.uint32))
    body_hashes = st.shingle_hashes(STORY)
    m = MinHash(num_perm=p["num_perm"], seed=p["seed"], hashfunc=lambda x: x, scheme=p["scheme"])
    m.update_batch(body_hashes.tolist())
    assert np.array_equal(st.signature(STORY)[0], np.asarray(m.hashvalues, dtype=np.uint32))


def test_short_texts_are_not_sketched():
    sig, n = st.signature("惠济区召开会议。")
    assert n == 0


def test_cluster_from_literal_texts():
    texts = [STORY, OTHER, REPRINT, STORY.replace("12个", "十二个"), "其他" * 100]
    sigs = np.stack([st.signature(t)[0] for t in texts])
    sizes = np.asarray([st.signature(t)[1] for t in texts])
    labels = st.cluster(sigs, sizes)
    assert labels[0] == labels[2] == labels[3]
    assert len({labels[0], labels[1], labels[4]}) == 3


def test_stories_build_first_and_story_id():
    texts = [REPRINT, STORY, OTHER]
    sig = [st.signature(t) for t in texts]
    s = st.Stories.build(np.array([3, 1, 2]), np.array(["c", "a", "b"]), np.array([20220402, 20220401, 0]),
                         np.stack([x for x, _ in sig]), np.array([n for _, n in sig]))
    by_key = dict(zip(s.dockeys.tolist(), zip(s.story.tolist(), s.first.tolist())))
    assert by_key[1][0] == by_key[3][0] and by_key[1][1] and not by_key[3][1]
    assert s.story_ids[by_key[3][0]] == "a" and s.sizes[by_key[1][0]] == 2


def test_stories_file_keeps_ids_as_utf8_bytes_and_reads_older_files(tmp_path):
    texts = [REPRINT, STORY, OTHER]
    sig = [st.signature(t) for t in texts]
    long_id = "惠济区" * 30                       # longer than any fixed width would keep
    s = st.Stories.build(np.array([3, 1, 2]), np.array(["c", long_id, "b"]), np.array([20220402, 20220401, 0]),
                         np.stack([x for x, _ in sig]), np.array([n for _, n in sig]))
    path = tmp_path / "stories-1.npz"
    s.save(path)
    with np.load(path) as z:
        assert z["story_ids"].dtype.kind == "S"
    back = st.Stories.load(path)
    assert sorted(back.story_ids.tolist()) == sorted(s.story_ids.tolist()) and long_id in back.story_ids.tolist()
    old = tmp_path / "stories-0.npz"                # as written before: ids as '<U64'
    np.savez(old, dockeys=s.dockeys, story=s.story, first=s.first,
             story_ids=np.array(["c", "b"], dtype="<U64"), sizes=s.sizes)
    assert st.Stories.load(old).story_ids.tolist() == ["c", "b"]


def test_pair_scores():
    from benchmarks.stories_eval import pair_scores

    r = pair_scores(np.array([0, 0, 0, 1, 2]), np.array([5, 5, 6, 6, 7]))
    assert (r["true_pairs"], r["predicted_pairs"], r["correct_pairs"]) == (3, 2, 1)


def test_generated_reprints_small():
    from benchmarks.stories_eval import corpus, pair_scores

    bodies, truth = corpus(600, seed=3)
    sig = [st.signature(b) for b in bodies]
    pred = st.cluster(np.stack([s for s, _ in sig]), np.asarray([n for _, n in sig]))
    r = pair_scores(truth, pred)
    assert r["true_pairs"] > 100
    assert r["precision"] >= 0.95 and r["recall"] >= 0.95, r


# ------------------------------------------------------------------ on a real index

def page(title, body, date):
    y, m, d = date.split("-")
    return f"# {title}\n\n本报讯 {int(m)}月{int(d)}日，{body}\n"


@pytest.fixture(scope="module")
def story_index(tmp_path_factory):
    from indexer.indexing import index_paths

    root = tmp_path_factory.mktemp("stories")
    pages = root / "pages"
    pages.mkdir()
    (pages / "20220401_01.txt").write_text(page("惠济区12个项目集中签约", STORY, "2022-04-01"), encoding="utf-8")
    (pages / "20220403_02.txt").write_text(page("85亿元！惠济区签约一批重大项目", REPRINT, "2022-04-03"), encoding="utf-8")
    (pages / "20220402_03.txt").write_text(page("金水区召开经济运行分析会", OTHER, "2022-04-02"), encoding="utf-8")
    ix = root / "index"
    index_paths([pages], ix, procs=1)
    return root, pages, ix


def test_service_groups_and_first_only(story_index):
    from searchapp.model import SearchQuery
    from searchapp.service import SearchService

    _, _, ix = story_index
    svc = SearchService(ix)
    every = svc.search(SearchQuery(sort="oldest", group=False))
    assert every.total == 3 and every.stories is None
    by_title = {h.title: h for h in every.hits}
    orig, rep = by_title["惠济区12个项目集中签约"], by_title["85亿元！惠济区签约一批重大项目"]
    assert orig.story == rep.story == orig.id and orig.first and not rep.first
    assert orig.story_size == rep.story_size == 2 and by_title["金水区召开经济运行分析会"].story_size == 1
    grouped = svc.search(SearchQuery(q="签约"), group=True)
    assert svc.search(SearchQuery(q="签约")).stories is None          # the service's default: every article
    assert grouped.total == 2 and grouped.stories == 1 and len(grouped.hits) == 1
    assert [o["id"] for o in grouped.hits[0].others] == [rep.id if grouped.hits[0].id == orig.id else orig.id]
    first = svc.search(SearchQuery(first_only=True, sort="oldest", group=False))
    assert sorted(h.title for h in first.hits) == ["惠济区12个项目集中签约", "金水区召开经济运行分析会"]
    art = svc.article(rep.id)
    assert [v["id"] for v in art["versions"]] == [orig.id, rep.id]
    assert art["earliest"]["id"] == orig.id and "<del" in art["diff_html"] and "<ins" in art["diff_html"]
    assert art["diff_stats"]["same"] > 100
    assert "diff_html" not in svc.article(orig.id)


def test_incremental_indexing_keeps_stories_right(tmp_path):
    from indexer.indexing import index_paths
    from searchapp.model import SearchQuery
    from searchapp.service import SearchService

    pages = tmp_path / "pages"
    pages.mkdir()
    ix = tmp_path / "index"
    (pages / "20220403_02.txt").write_text(page("85亿元！惠济区签约一批重大项目", REPRINT, "2022-04-03"), encoding="utf-8")
    index_paths([pages], ix, procs=1)

    def state():
        hits = SearchService(ix).search(SearchQuery(sort="oldest", page_size=50, group=False)).hits
        return {h.title: (h.story, h.first, h.story_size) for h in hits}

    s = state()
    assert s["85亿元！惠济区签约一批重大项目"][1:] == (True, 1)
    # an earlier version arrives: it becomes the first appearance and the story id
    (pages / "20220401_01.txt").write_text(page("惠济区12个项目集中签约", STORY, "2022-04-01"), encoding="utf-8")
    index_paths([pages], ix, procs=1)
    s = state()
    orig = s["惠济区12个项目集中签约"]
    assert orig[1:] == (True, 2) and s["85亿元！惠济区签约一批重大项目"] == (orig[0], False, 2)
    # it is deleted again: the reprint is its own story, first again
    (pages / "20220401_01.txt").unlink()
    index_paths([pages], ix, procs=1)
    assert state()["85亿元！惠济区签约一批重大项目"][1:] == (True, 1)


def test_web_cards_switch_article_page_and_exports(story_index):
    from searchapp.web import create_app

    _, _, ix = story_index
    c = create_app({"INDEX_DIR": str(ix), "TESTING": True}).test_client()
    html = c.get("/?q=签约").get_data(as_text=True)
    assert html.count('<article class="hit"') == 1 and "另有 1 篇相同报道" in html
    assert "2 篇文章合并为 1 条报道" in html and "显示全部文章" in html
    html = c.get("/?q=签约&all=1").get_data(as_text=True)
    assert html.count('<article class="hit"') == 2 and "另有" not in html and "转载" in html
    assert c.get("/api/search?q=签约").get_json()["total"] == 2           # the API lists articles …
    assert len(c.get("/api/search?q=签约").get_json()["hits"]) == 2
    api = c.get("/api/search?q=签约&group=1").get_json()                 # … and stories with group=1
    assert api["stories"] == 1 and api["total"] == 2 and len(api["hits"][0]["others"]) == 1
    first = c.get("/api/search?first=1&all=1").get_json()
    assert first["total"] == 2 and all(h["first"] for h in first["hits"])
    assert "只看" in c.get("/?first=1").get_data(as_text=True)
    rows = json.loads(c.get("/export.json?q=签约").get_data(as_text=True))
    assert len(rows) == 2 and len({r["story"] for r in rows}) == 1 and sorted(r["first"] for r in rows) == [False, True]
    table = list(csv.reader(io.StringIO(c.get("/export.csv?q=签约").get_data(as_text=True).lstrip("\ufeff"))))
    i, j = table[0].index("报道编号"), table[0].index("首发")
    assert {r[i] for r in table[1:]} == {rows[0]["story"]} and sorted(r[j] for r in table[1:]) == ["否", "是"]
    reprint = next(r["id"] for r in rows if not r["first"])
    page_html = c.get(f"/articles/{reprint}").get_data(as_text=True)
    assert "相同报道（2 个版本" in page_html and "与首发版本" in page_html and "<del" in page_html
    art = c.get(f"/api/articles/{reprint}").get_json()
    assert art["first"] is False and len(art["versions"]) == 2


def test_cli_first_only(story_index):
    from click.testing import CliRunner

    from searchapp.cli import main

    _, _, ix = story_index
    r = CliRunner().invoke(main, ["search", "签约", "--first-only", "--json", "--index-dir", str(ix)])
    assert r.exit_code == 0, r.output
    hits = [json.loads(line) for line in r.output.splitlines() if line.startswith("{")]
    assert len(hits) == 1 and hits[0]["first"] is True and hits[0]["story_size"] == 2


def test_amount_panel_counts_a_reprinted_story_once(story_index):
    from searchapp.model import SearchQuery
    from searchapp.service import SearchService

    _, _, ix = story_index
    agg = SearchService(ix).search(SearchQuery(q="签约", group=False)).amounts
    assert agg["articles"] == 2 and agg["count"] == 1 and agg["sum"] == 850000


def test_unchanged_run_reuses_the_stories(story_index, monkeypatch):
    from indexer import store
    from indexer.indexing import index_paths

    root, pages, ix = story_index
    calls = []
    real = st.cluster
    monkeypatch.setattr(st, "cluster", lambda *a: calls.append(1) or real(*a))
    gen = store.current_generation(ix)
    before = sorted(p.name for p in gen.glob("stories-*.npz"))
    index_paths([pages], ix, procs=1)             # nothing changed: no commit
    assert calls == []
    assert sorted(p.name for p in gen.glob("stories-*.npz")) == before
    assert st.Stories.load(st.latest(gen, 10**6)).sizes.max() == 2


def _stories_by_id(ix):
    """{article id: (story id, first)} of the live generation's newest stories file."""
    from indexer import store, substring

    gen = store.current_generation(ix)
    stories = st.Stories.load(st.latest(gen, 10**9))
    with store.open_index(gen).reader() as r:
        keys = substring.dockey_column(r)
        id_of = {int(keys[d]): r.stored_fields(d)["id"] for d in r.all_doc_ids()}
    return {id_of[int(k)]: (str(stories.story_ids[s]), bool(f))
            for k, s, f in zip(stories.dockeys, stories.story, stories.first)}


def test_signature_cache_is_one_record_file_in_key_order_and_older_npz_caches_are_read(tmp_path, monkeypatch):
    """The cache is one .npy of records, ascending by key; a cache an earlier version wrote
    (story-signatures.npz, any order) is used without sketching its articles again and is
    replaced; the stories are those a fresh rebuild gives."""
    from indexer import store
    from indexer.indexing import index_paths

    pages = tmp_path / "pages"
    pages.mkdir()
    for name, (title, body, date) in {
            "20220401_01.txt": ("惠济区12个项目集中签约", STORY, "2022-04-01"),
            "20220402_03.txt": ("金水区召开经济运行分析会", OTHER, "2022-04-02")}.items():
        (pages / name).write_text(page(title, body, date), encoding="utf-8")
    ix = tmp_path / "index"
    index_paths([pages], ix, procs=1)
    gen = store.current_generation(ix)
    rec = np.load(gen / st.CACHE_FILE)
    assert rec.dtype.names == ("keys", "sigs", "sizes", "dates", "ids") and len(rec) == 2
    assert np.all(np.diff(rec["keys"]) > 0)
    # what an earlier version left: columns in an .npz, rows in another order, ids as str
    back = rec[::-1]
    with open(gen / st.OLD_CACHE_FILE, "wb") as f:
        np.savez(f, keys=back["keys"], sigs=back["sigs"], sizes=back["sizes"], dates=back["dates"],
                 ids=np.char.decode(back["ids"], "utf-8"))
    (gen / st.CACHE_FILE).unlink()
    calls = []
    real = st.signature
    monkeypatch.setattr(st, "signature", lambda body: calls.append(body) or real(body))
    (pages / "20220403_02.txt").write_text(page("85亿元！惠济区签约一批重大项目", REPRINT, "2022-04-03"),
                                           encoding="utf-8")
    index_paths([pages], ix, procs=1)
    assert len(calls) == 1 and "本报讯 惠济区日前" in calls[0]     # only the new article sketched
    gen = store.current_generation(ix)
    assert not (gen / st.OLD_CACHE_FILE).exists()
    rec = np.load(gen / st.CACHE_FILE)
    assert len(rec) == 3 and np.all(np.diff(rec["keys"]) > 0)
    with store.open_index(gen).reader() as r:
        from indexer import substring

        keys = substring.dockey_column(r)
        by_key = {int(keys[d]): r.stored_fields(d) for d in r.all_doc_ids()}
    for row in rec:                                      # the old cache's rows kept their values
        stored = by_key[int(row["keys"])]
        sig, size = real(stored["body"])
        assert np.array_equal(row["sigs"], sig) and row["sizes"] == size
        assert row["ids"].decode() == stored["id"] and row["dates"] == int(stored["date"].replace("-", ""))
    incremental = _stories_by_id(ix)
    index_paths([pages], tmp_path / "fresh", procs=1, rebuild=True)
    assert incremental == _stories_by_id(tmp_path / "fresh")
    assert sorted(first for _, first in incremental.values()) == [False, True, True]


@pytest.mark.parametrize("procs", [1, 2])
def test_index_workers_sketch_the_articles_and_the_parent_only_clusters(tmp_path, monkeypatch, procs):
    """The signatures of a run's new articles are computed where the text is parsed (the
    worker processes in a parallel run), never again from the stored bodies after the commit;
    they equal what the stored body gives, and the stories are those of a serial run."""
    import os

    from indexer import indexing, store
    from indexer.indexing import index_paths

    parent = os.getpid()
    calls = []
    real = st.signature

    def counted(body):
        if os.getpid() == parent:          # forked workers count in their own memory
            calls.append(1)
        return real(body)

    monkeypatch.setattr(st, "signature", counted)
    monkeypatch.setattr(indexing, "PARALLEL_MIN_FILES", 1)
    pages = tmp_path / "pages"
    pages.mkdir()
    bodies = {"20220401_01.txt": ("惠济区12个项目集中签约", STORY, "2022-04-01"),
              "20220403_02.txt": ("85亿元！惠济区签约一批重大项目", REPRINT, "2022-04-03"),
              "20220402_03.txt": ("金水区召开经济运行分析会", OTHER, "2022-04-02")}
    for name, (title, body, date) in bodies.items():
        (pages / name).write_text(page(title, body, date), encoding="utf-8")
    ix = tmp_path / "index"
    index_paths([pages], ix, procs=procs, rebuild=True)
    parent_calls = len(calls)
    if procs == 2:
        assert parent_calls == 0
    # an incremental run adds one article: only it is sketched, by the run that parsed it
    (pages / "20220405_04.txt").write_text(page("惠济区签约85亿元", REPRINT + "新增一句。", "2022-04-05"),
                                           encoding="utf-8")
    index_paths([pages], ix, procs=procs)
    if procs == 1:
        assert len(calls) - parent_calls == 1
    gen = store.current_generation(ix)
    cache = np.load(gen / st.CACHE_FILE)
    with store.open_index(gen).reader() as r:
        from indexer import substring

        keys = substring.dockey_column(r)
        by_key = {int(keys[d]): r.stored_fields(d) for d in r.all_doc_ids()}
    assert sorted(cache["keys"].tolist()) == sorted(by_key)
    for k, sig, size, date, id_ in zip(cache["keys"], cache["sigs"], cache["sizes"], cache["dates"], st._ids_from_file(cache["ids"])):
        want_sig, want_size = real(by_key[int(k)]["body"])
        assert np.array_equal(sig, want_sig) and size == want_size
        assert str(id_) == by_key[int(k)]["id"] and date == int(by_key[int(k)]["date"].replace("-", ""))
    stories = st.Stories.load(st.latest(gen, 10**9))
    story_of = {by_key[int(k)]["body"][:20]: s for k, s in zip(stories.dockeys, stories.story)}
    assert len(set(story_of.values())) == 2           # the reprints are one story, OTHER its own


@pytest.mark.parametrize("colliding_keys", [False, True])
def test_candidate_pairs_are_the_buckets_of_datasketch_minhashlsh(monkeypatch, colliding_keys):
    """The numpy banding proposes exactly the pairs that share a bucket of datasketch's
    MinHashLSH (same bands), huge buckets chained, rows without shingles left out; also
    when different bands get the same sort key (forced here: a key of the last column only)."""
    from datasketch import LeanMinHash, MinHashLSH

    p = st.params()
    rng = np.random.default_rng(7)
    n = 3000
    sigs = rng.integers(0, 2**32, size=(n, p["num_perm"]), dtype=np.uint64).astype(np.uint32)
    sizes = rng.integers(1, 500, size=n)
    for i in range(0, 1200, 4):                       # near copies: a few bands equal
        keep = rng.random(p["num_perm"]) < rng.uniform(0.2, 0.9)
        sigs[i + 1] = np.where(keep, sigs[i], sigs[i + 1])
        sigs[i + 2] = np.where(rng.random(p["num_perm"]) < 0.5, sigs[i], sigs[i + 2])
    sigs[2000:2000 + p["max_bucket"] + 20] = sigs[1999]   # boilerplate: one huge bucket
    sigs[2900:2905] = sigs[10]
    sizes[2901] = 0                                    # a caption: never a candidate
    if colliding_keys:
        monkeypatch.setattr(st, "_KEY_MULT", np.uint64(0))
        sigs[2950:2960] = sigs[2949]
        sigs[2950:2960, ::3] += np.arange(1, 11, dtype=np.uint32)[:, None]   # same last column
        sigs[2960:2963] = sigs[2950]                   # and some bands really equal

    lsh = MinHashLSH(threshold=p["lsh_threshold"], num_perm=p["num_perm"])
    for i in np.flatnonzero(sizes > 0).tolist():
        lsh.insert(i, LeanMinHash(seed=p["seed"], hashvalues=sigs[i], scheme=p["scheme"]),
                   check_duplication=False)
    want = []
    for table in lsh.hashtables:
        for key in table.keys():
            m = np.sort(np.fromiter(table.get(key), dtype=np.int64))
            if len(m) < 2:
                continue
            if len(m) > p["max_bucket"]:
                want.append(np.stack([m[:-1], m[1:]], axis=1))
            else:
                a, b = np.triu_indices(len(m), k=1)
                want.append(np.stack([m[a], m[b]], axis=1))
    want = np.unique(np.concatenate(want), axis=0)
    got = st.candidate_pairs(sigs, sizes)
    assert len(want) > 500
    assert np.array_equal(got, want)


def test_copy_runs_equals_a_fancy_gather():
    rng = np.random.default_rng(3)
    dt = st._record_dtype(4, 8)
    src = np.zeros(500, dtype=dt)
    src["keys"] = np.arange(500) * 3
    src["sigs"] = rng.integers(0, 2**32, size=(500, 4), dtype=np.uint64).astype(np.uint32)
    for trial in range(20):
        rows = np.sort(rng.choice(500, size=rng.integers(1, 500), replace=False))
        dest = np.sort(rng.choice(700, size=len(rows), replace=False))
        if trial % 3 == 0:                              # long runs, as an update leaves them
            rows = np.arange(len(rows)) + rng.integers(0, 500 - len(rows) + 1)
        want, got = np.zeros(700, dtype=dt), np.zeros(700, dtype=dt)
        want[dest] = src[rows]
        st._copy_runs(got, dest, src, rows)
        assert np.array_equal(got, want)
