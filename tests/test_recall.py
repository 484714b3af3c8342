"""Acceptance tests of the search issue over a real index of seeds/.

Expected article sets are computed independently of the index, from the parsed articles
(indexer.extract.parse_file) with plain string containment after indexer.analysis.normalize:

* recall: every article whose headline (+ subtitle) or body contains the query verbatim is
  found — for 2/3/4-character substrings sampled deterministically from every article, their
  traditional-character and full-width forms, every ASCII token, and named queries (people,
  companies, slogans, parts of words, numbers, ASCII, traditional characters);
* precision: every hit contains every query term within one line of its headline or body
  (spaces ignored, line breaks never crossed, as documented), and a quoted phrase's hits
  contain the phrase;
* an exact headline query ranks that article first, for every titled seed article;
* facet counts equal counts computed from the parsed articles (whole corpus, per query, and
  with a selection that the facet's own counts must ignore).
"""
from __future__ import annotations

import random
import re
from collections import Counter

import opencc
import pytest

from indexer.analysis import normalize
from indexer.extract import parse_file
from indexer.schema import title_exact_key
from searchapp.model import SearchQuery
from searchapp.service import SearchService

NAMED = [
    # people, companies, places, slogans
    "魏东", "丁文霞", "李云峰", "中氢聚力", "现代汽车集团", "新丝路科技", "智造科技谷",
    "三个一批", "万人助万企", "项目为王", "开门红", "一号工程", "双战双赢", "冲锋号", "潮河办事处",
    # parts of words
    "惠济", "济区", "郑东", "东新", "郑州", "经开",
    # numbers, ASCII
    "216.8亿元", "70兆帕", "WMS", "wms", "PM2.5", "pm2.5", "ＷＭＳ", "CRM", "III",
    # traditional characters
    "鄭州", "惠濟區", "開門紅", "項目為王",
    # punctuation inside the text
    "「冲锋号」", "“开门红”",
]

_OPERATOR_LIKE = re.compile(r"^[-－]|^(title|district|reporter|type)[:：]|^(OR|AND|NOT)$", re.IGNORECASE)
_QUOTES = set('"＂“”「」『』')


@pytest.fixture(scope="module")
def articles(seeds_dir):
    arts = [a for p in sorted(seeds_dir.glob("*.txt")) for a in parse_file(p)]
    assert len(arts) >= 20
    return arts


@pytest.fixture(scope="module")
def svc(seed_index_dir):
    return SearchService(seed_index_dir)


def squash(text: str) -> str:
    return "".join(normalize(text).split())


def lines(text: str) -> list[str]:
    """The squashed lines of a text: spaces inside a line are ignored, line breaks are not."""
    return [squash(line) for line in normalize(text).splitlines()]


def contains_loosely(a, q: str) -> bool:
    n = squash(q)
    return any(n in line for line in lines(indexed_title(a)) + lines(a.body))


def indexed_title(a) -> str:
    return f"{a.title}\n{a.subtitle}" if a.subtitle else a.title


def verbatim(articles, q: str) -> set[str]:
    """Articles containing q verbatim after normalisation (the recall requirement)."""
    n = normalize(q)
    return {a.id for a in articles if n in normalize(indexed_title(a)) or n in normalize(a.body)}


def loosely(articles, q: str) -> set[str]:
    """Articles containing q within a line, spaces ignored (what the engine promises)."""
    return {a.id for a in articles if contains_loosely(a, q)}


def found(svc, q: str, **kw) -> list[str]:
    return [h.id for h in svc.iter_hits(SearchQuery.make(q, **kw))]


def sample_queries(articles) -> list[str]:
    """2-, 3- and 4-character substrings of every headline and body, deterministically."""
    rnd = random.Random(20240611)
    out = []
    for a in articles:
        for text, per_length in ((a.title + a.subtitle, 2), (a.body, 6)):
            for length in (2, 3, 4):
                starts = list(range(max(0, len(text) - length + 1)))
                for s in rnd.sample(starts, min(per_length, len(starts))):
                    q = text[s:s + length]
                    if any(c.isspace() for c in q) or _OPERATOR_LIKE.search(q) or _QUOTES & set(q):
                        continue
                    out.append(q)
    return sorted(set(out))


def test_named_queries_occur_in_the_seeds(articles):
    missing = [q for q in NAMED if not verbatim(articles, q)]
    assert not missing


def unquoted(q: str) -> str:
    """Quotes around a whole term are the phrase operator (“开门红” means 开门红)."""
    if len(q) > 2 and q[0] in "\"＂“「『" and q[-1] in "\"＂”」』":
        return q[1:-1]
    return q


@pytest.mark.parametrize("q", NAMED)
def test_named_query_recall_and_precision(svc, articles, q):
    hits = found(svc, q)
    assert set(hits) >= verbatim(articles, q)
    assert set(hits) <= loosely(articles, unquoted(q))
    assert len(hits) == len(set(hits))


def test_substring_recall_is_complete(svc, articles):
    queries = sample_queries(articles)
    assert len(queries) > 500
    misses, extras = {}, {}
    for q in queries:
        hits = set(found(svc, q))
        if verbatim(articles, q) - hits:
            misses[q] = verbatim(articles, q) - hits
        if hits - loosely(articles, q):
            extras[q] = hits - loosely(articles, q)
    assert not misses, f"{len(misses)}/{len(queries)} queries missed articles: {list(misses)[:10]}"
    assert not extras, f"{len(extras)} queries returned non-matching articles: {list(extras)[:10]}"


def test_traditional_and_full_width_forms_find_the_same_articles(svc, articles):
    to_trad = opencc.OpenCC("s2t")
    to_wide = {cp: cp + 0xFEE0 for cp in range(0x21, 0x7F)}
    checked = 0
    for q in sample_queries(articles)[::5]:
        for variant in {to_trad.convert(q), q.translate(to_wide)} - {q}:
            if len(variant) != len(q) or squash(variant) != squash(q):
                continue          # opencc may choose a form that does not map back 1:1
            assert set(found(svc, variant)) >= verbatim(articles, q), (q, variant)
            checked += 1
    assert checked > 50


def test_every_ascii_token_is_found(svc, articles):
    tokens = sorted({m for a in articles for m in re.findall(r"[A-Za-z0-9][A-Za-z0-9.]+",
                                                              a.title + a.subtitle + a.body)})
    assert "WMS" in tokens and "PM2.5" in tokens
    for tok in tokens:
        for q in (tok, tok.lower(), tok.upper()):
            assert set(found(svc, q)) >= verbatim(articles, q), q


def test_phrase_precision(svc, articles):
    phrases = [q for q in sample_queries(articles) if len(q) >= 3][::3]
    phrases += ["惠济区 召开", "经济运行", "项目建设", "开门红", "高质量发展", "招商引资"]
    checked = 0
    for p in phrases:
        hits = found(svc, f'"{p}"')
        for i in hits:
            a = next(a for a in articles if a.id == i)
            assert contains_loosely(a, p), (p, a.title)
        if " " not in p:
            assert set(hits) == verbatim(articles, p) | (loosely(articles, p) & set(hits))
        checked += len(hits)
    assert checked > 100


def test_multi_term_queries_and_negation(svc, articles):
    for q, must, must_not in [("惠济区 签约", ["惠济区", "签约"], []),
                              ("开门红 -经开区", ["开门红"], ["经开区"]),
                              ("项目 NOT 郑州", ["项目"], ["郑州"])]:
        expected = set.intersection(*(loosely(articles, w) for w in must))
        for w in must_not:
            expected -= loosely(articles, w)
        assert set(found(svc, q)) == expected and expected, q


def test_exact_title_ranks_first(svc, articles):
    titled = [a for a in articles if len(title_exact_key(a.title)) >= 2]
    assert len(titled) >= 20
    for a in titled:
        r = svc.search(SearchQuery(q=a.title, page_size=3))
        assert r.hits, a.title
        top = r.hits[0]
        assert top.id == a.id or title_exact_key(top.title) == title_exact_key(a.title), (a.title, top.title)


def test_title_matches_rank_above_body_only_matches(svc, articles):
    for q in ("开门红", "惠济", "招商引资", "项目"):
        hits = svc.search(SearchQuery(q=q, page_size=100)).hits
        in_title = [any(squash(q) in line for line in lines(h.title + "\n" + h.subtitle)) for h in hits]
        assert any(in_title) and not all(in_title), q
        assert in_title == sorted(in_title, reverse=True), q


# --------------------------------------------------------------------------- facets

def expected_facets(arts) -> dict[str, Counter]:
    c = {f: Counter() for f in ("district", "year", "month", "reporter", "correspondent", "photographer", "type")}
    for a in arts:
        if a.district:
            c["district"][a.district] += 1
        if a.year:
            c["year"][f"{a.year:04d}"] += 1
        if a.month:
            c["month"][a.month] += 1
        for role, names in (("reporter", a.reporters), ("correspondent", a.correspondents),
                            ("photographer", a.photographers)):
            for name in dict.fromkeys(names):
                c[role][name] += 1
        for t in dict.fromkeys(a.project_types):
            c["type"][t] += 1
    return c


def got_facets(results) -> dict[str, Counter]:
    return {f: Counter({v.value: v.count for v in vs if v.count}) for f, vs in results.facets.items()}


@pytest.mark.parametrize("q", ["", "惠济", "开门红", "项目", "经济 发展", "-经开区"])
def test_facet_counts_equal_counts_from_parsed_articles(svc, articles, q):
    r = svc.search(SearchQuery(q=q))
    ids = set(found(svc, q))
    assert r.total == len(ids)
    if q:
        expected_ids = {a.id for a in articles}
        for t in q.split():
            expected_ids &= ({a.id for a in articles} - loosely(articles, t[1:])) if t.startswith("-") \
                else loosely(articles, t)
        assert ids == expected_ids
    else:
        assert r.total == len(articles)
    assert got_facets(r) == expected_facets([a for a in articles if a.id in ids])


def test_facet_counts_with_a_selection(svc, articles):
    district = Counter(a.district for a in articles if a.district).most_common(1)[0][0]
    r = svc.search(SearchQuery.make("", include={"district": [district]}))
    selected = [a for a in articles if a.district == district]
    assert r.total == len(selected)
    got = got_facets(r)
    want = expected_facets(selected)
    # the district facet ignores its own selection; the others count the selection
    assert got["district"] == expected_facets(articles)["district"]
    for f in ("year", "month", "reporter", "type"):
        assert got[f] == want[f], f


def test_timeline_matches_article_years(svc, articles):
    r = svc.search(SearchQuery())
    years = Counter(f"{a.year:04d}" for a in articles if a.year)
    if len(years) > 1:
        assert dict(r.timeline) == dict(years)
    else:
        assert dict(r.timeline) == dict(Counter(a.month for a in articles if a.month))
