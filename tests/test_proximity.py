"""Proximity operators (searchapp.proximity): parsing, and results over real indexes checked
against a brute-force scan of the articles' text.

The oracle below is written from the documented rules only: distances count characters of
the normalised text with spaces inside a line removed and a paragraph break as one
character; the two occurrences are in the same field (headline + subtitle, or body) and do
not overlap; SENT: no 。！？； and no line break between them; PARA: no line break between.
"""
from __future__ import annotations

import random
import re

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from indexer.analysis import normalize
from indexer.article import Article, article_id
from indexer.indexing import write_articles
from searchapp.model import SearchQuery
from searchapp.querylang import And, Near, Not, Or, Term, parse
from searchapp.service import SearchService

# --------------------------------------------------------------------------- parsing


@pytest.mark.parametrize("text, expected", [
    ("魏东 NEAR/20 签约", Near(Term("魏东"), Term("签约"), "NEAR", 20)),
    ("魏东 BEFORE/5 签约", Near(Term("魏东"), Term("签约"), "BEFORE", 5)),
    ("魏东 SENT 签约", Near(Term("魏东"), Term("签约"), "SENT")),
    ("魏东 PARA 签约", Near(Term("魏东"), Term("签约"), "PARA")),
    ("魏东 OR 王伟 NEAR/20 签约", Near(Or((Term("魏东"), Term("王伟"))), Term("签约"), "NEAR", 20)),
    ("惠济区 魏东 NEAR/20 签约 -疫情",
     And((Term("惠济区"), Near(Term("魏东"), Term("签约"), "NEAR", 20), Not(Term("疫情"))))),
    ('title:魏东 SENT "集中 签约"', Near(Term("魏东", "title"), Term("集中 签约", phrase=True), "SENT")),
    ("魏东 NEAR/5 签约 NEAR/5 项目",
     And((Near(Term("魏东"), Term("签约"), "NEAR", 5), Near(Term("签约"), Term("项目"), "NEAR", 5)))),
])
def test_operator_syntax(text, expected):
    p = parse(text)
    assert p.root == expected and p.messages == ()


@pytest.mark.parametrize("text, expected", [
    ("魏东 NEAR/abc 签约", And((Term("魏东"), Term("NEAR/abc"), Term("签约")))),
    ("魏东 NEAR/0 签约", And((Term("魏东"), Term("NEAR/0"), Term("签约")))),
    ("魏东 NEAR/ 签约", And((Term("魏东"), Term("NEAR/"), Term("签约")))),
    ("魏东 NEAR/-3 签约", And((Term("魏东"), Term("NEAR/-3"), Term("签约")))),
    ("魏东 NEAR/２０ 签约", And((Term("魏东"), Term("NEAR/２０"), Term("签约")))),
    ("NEAR/5 签约", And((Term("NEAR/5"), Term("签约")))),
    ("魏东 SENT", And((Term("魏东"), Term("SENT")))),
    ("PARA", Term("PARA")),
    ("-魏东 NEAR/5 签约", And((Not(Term("魏东")), Term("NEAR/5"), Term("签约")))),
    ("district:金水区 SENT 签约", And((Term("金水区", "district"), Term("SENT"), Term("签约")))),
    ("魏东 SENT SENT 签约", And((Term("魏东"), Term("SENT"), Term("SENT"), Term("签约")))),
    ("魏东 OR NEAR/5 签约", And((Or((Term("魏东"), Term("NEAR/5"))), Term("签约")))),
])
def test_malformed_operators_are_text_with_a_message(text, expected):
    p = parse(text)
    assert p.root == expected
    assert p.messages and all("普通文字" in m for m in p.messages)


@pytest.mark.parametrize("text", ["魏东 near/5 签约", '魏东 "NEAR/5" 签约', "魏东 NEARBY 签约"])
def test_words_that_only_look_like_operators_are_text_silently(text):
    p = parse(text)
    assert not any(isinstance(n, Near) for n in p.root.children) and p.messages == ()


def test_too_large_distance_is_capped_with_a_message():
    p = parse("魏东 NEAR/100000 签约")
    assert p.root == Near(Term("魏东"), Term("签约"), "NEAR", 1000) and "1000" in p.messages[0]


def test_both_sides_are_highlight_terms():
    assert [t.text for t in parse("魏东 OR 王伟 NEAR/20 签约 -疫情").terms()] == ["魏东", "王伟", "签约"]


# --------------------------------------------------------------------------- the oracle

SENT_ENDS = set(normalize("。！？；")) | {"\n"}


def packed(text: str) -> str:
    """The text matched: normalised, spaces inside a line removed, one \\n per line break run."""
    return re.sub(r"\s+", lambda m: "\n" if "\n" in m.group() else "", normalize(text)).strip("\n")


def fields(a: Article) -> tuple[str, str]:
    title = f"{a.title}\n{a.subtitle}" if a.subtitle else a.title
    return packed(title), packed(a.body)


def spans(text: str, needle: str) -> list[tuple[int, int]]:
    out, k = [], text.find(needle)
    while k >= 0:
        out.append((k, k + len(needle)))
        k = text.find(needle, k + 1)
    return out


def needle_of(term: str) -> str:
    return "".join(normalize(term).split())


def holds(a: Article, left, right, op: str, n: int = 0) -> bool:
    """left/right: lists of (text, title_only) alternatives."""
    for fi, text in enumerate(fields(a)):
        def occ(side):
            return [s for t, title_only in side if not (title_only and fi == 1)
                    for s in spans(text, needle_of(t))]
        for sa, ea in occ(left):
            for sb, eb in occ(right):
                for (s1, e1), (s2, e2), ab in (((sa, ea), (sb, eb), True), ((sb, eb), (sa, ea), False)):
                    if e1 > s2:
                        continue            # overlapping, or not in this order
                    between = text[e1:s2]
                    if op == "NEAR" and len(between) <= n:
                        return True
                    if op == "BEFORE" and ab and len(between) <= n:
                        return True
                    if op == "SENT" and not SENT_ENDS & set(between):
                        return True
                    if op == "PARA" and "\n" not in between:
                        return True
    return False


def contains(a: Article, term: str) -> bool:
    return any(needle_of(term) in line for f in fields(a) for line in f.split("\n"))


def art(title, body, subtitle="", n=0):
    source = f"p{n}.txt"
    return Article(id=article_id(source, title, body), source=source, ordinal=1, title=title,
                   subtitle=subtitle, body=body, date="2023-01-01", district="金水区")


def found(svc, q: str) -> set[str]:
    r = svc.search(SearchQuery.make(q, page_size=500))
    assert r.total <= 500
    return {h.id for h in r.hits}


# --------------------------------------------------------------------------- literal cases

CASES = [
    art("魏东出席签约仪式", "无关。", n=1),                                            # title, gap 2
    art("其他一", "魏东" + "甲" * 20 + "签约。", n=2),                                 # gap exactly 20
    art("其他二", "魏东" + "甲" * 21 + "签约。", n=3),                                 # gap 21
    art("其他三", "签约" + "乙" * 5 + "魏东。", n=4),                                  # reverse order
    art("其他四", "魏东讲话。随后签约。", n=5),                                        # other sentence
    art("其他五", "魏东讲话！随后签约；", n=6),                                        # full-width !
    art("其他六", "魏东讲话，随后签约。", n=7),                                        # same sentence
    art("其他七", "魏东讲话\n\n随后签约", n=8),                                        # other paragraph
    art("其他八", "魏 东讲话随后 签 约", n=9),                                          # spaces ignored
    art("魏东", "签约。", n=10),                                                        # other field
    art("其他九", "郑东新区魏东副区长推动项目集中签约，疫情后首次。", n=11),            # parts of words
    art("其他十", "魏東出席簽約儀式。", n=12),                                          # traditional
    art("标题魏东", "正文", subtitle="副题签约", n=13),                                  # headline/subtitle break
]


@pytest.fixture(scope="module")
def case_svc(tmp_path_factory):
    d = tmp_path_factory.mktemp("prox-cases")
    write_articles(CASES, d)
    return SearchService(d)


def by_title(svc, q):
    ids = found(svc, q)
    return {a.title for a in CASES if a.id in ids}


@pytest.mark.parametrize("q, expected", [
    ("魏东 NEAR/20 签约", {"魏东出席签约仪式", "其他一", "其他三", "其他四", "其他五", "其他六", "其他七",
                         "其他八", "其他九", "其他十", "标题魏东"}),
    ("魏东 NEAR/2 签约", {"魏东出席签约仪式", "其他十"}),
    ("魏东 NEAR/4 签约", {"魏东出席签约仪式", "其他八", "其他十", "标题魏东"}),   # the break counts as one
    ("魏东 NEAR/1 签约", set()),
    ("魏东 BEFORE/20 签约", {"魏东出席签约仪式", "其他一", "其他四", "其他五", "其他六", "其他七", "其他八",
                           "其他九", "其他十", "标题魏东"}),
    ("签约 BEFORE/20 魏东", {"其他三"}),
    ("魏东 SENT 签约", {"魏东出席签约仪式", "其他一", "其他二", "其他三", "其他六", "其他八", "其他九", "其他十"}),
    ("魏东 PARA 签约", {"魏东出席签约仪式", "其他一", "其他二", "其他三", "其他四", "其他五", "其他六",
                       "其他八", "其他九", "其他十"}),
    ("title:魏东 NEAR/20 签约", {"魏东出席签约仪式", "标题魏东"}),
    ("东副 SENT 集中", {"其他九"}),                                  # parts of words
    ("魏东 SENT 签约 -疫情", {"魏东出席签约仪式", "其他一", "其他二", "其他三", "其他六", "其他八", "其他十"}),
    ('"魏 东" SENT "签 约" 仪式', {"魏东出席签约仪式", "其他十"}),
    ("仪式 OR 讲话 SENT 签约", {"魏东出席签约仪式", "其他六", "其他八", "其他十"}),
])
def test_literal_cases(case_svc, q, expected):
    assert by_title(case_svc, q) == expected


def test_both_terms_are_highlighted(case_svc):
    r = case_svc.search(SearchQuery.make("魏东 SENT 签约 -疫情"))
    hit = next(h for h in r.hits if h.title == "其他六")
    assert "<mark>魏东</mark>" in hit.snippets[0] and "<mark>签约</mark>" in hit.snippets[0]
    art_view = case_svc.article(hit.id, "魏东 SENT 签约")
    assert art_view["match_count"] == 2


def test_malformed_operator_is_searched_as_text_with_a_message(case_svc):
    r = case_svc.search(SearchQuery.make("魏东 NEAR/abc 签约"))
    assert r.total == 0 and any("NEAR/abc" in m for m in r.messages)


# --------------------------------------------------------------------------- random corpus vs. brute force

ALPHABET = "东西南北中发展签约项目会"
PUNCT = ["", "", "", "", "，", "。", "！", "？", "；", " ", "\n\n", "；"]


def random_text(rng: random.Random, length: int) -> str:
    out = []
    for _ in range(length):
        out.append(rng.choice(ALPHABET))
        out.append(rng.choice(PUNCT))
    return "".join(out).strip()


@pytest.fixture(scope="module")
def random_corpus(tmp_path_factory):
    rng = random.Random(14)
    arts = [art(random_text(rng, rng.randint(3, 10)), random_text(rng, rng.randint(20, 160)),
                subtitle=random_text(rng, 4) if i % 7 == 0 else "", n=i) for i in range(160)]
    d = tmp_path_factory.mktemp("prox-random")
    write_articles(arts, d)
    return arts, SearchService(d)


def _pick(rng, arts):
    a = rng.choice(arts)
    text = packed(a.body)
    k = rng.randrange(0, max(1, len(text) - 3))
    t = text[k:k + rng.choice((2, 2, 3))]
    return t if len(t) >= 2 and not (set(t) & (SENT_ENDS | set("，"))) else _pick(rng, arts)


def test_random_queries_match_a_brute_force_scan(random_corpus):
    arts, svc = random_corpus
    rng = random.Random(2024)
    checked = nonempty = 0
    for _ in range(160):
        a, b, c = _pick(rng, arts), _pick(rng, arts), _pick(rng, arts)
        op = rng.choice(("NEAR", "BEFORE", "SENT", "PARA"))
        n = rng.choice((1, 2, 3, 5, 10, 30))
        tok = f"{op}/{n}" if op in ("NEAR", "BEFORE") else op
        form = rng.choice(("plain", "or", "not", "title", "quoted"))
        left, right = [(a, False)], [(b, False)]
        extra = lambda x: True                               # noqa: E731
        if form == "plain":
            q = f"{a} {tok} {b}"
        elif form == "or":
            q = f"{a} OR {c} {tok} {b}"
            left = [(a, False), (c, False)]
        elif form == "not":
            q = f"{a} {tok} {b} -{c}"
            extra = lambda x: not contains(x, c)             # noqa: E731
        elif form == "title":
            q = f"title:{a} {tok} {b}"
            left = [(a, True)]
        else:
            q = f'"{a[0]} {a[1:]}" {tok} {b}'
        expected = {x.id for x in arts if holds(x, left, right, op, n) and extra(x)}
        assert found(svc, q) == expected, q
        checked += 1
        nonempty += bool(expected)
    assert checked == 160 and nonempty > 40


TOKENS = ["魏东", "签约", "NEAR/5", "NEAR/x", "NEAR/0", "BEFORE/3", "SENT", "PARA", "OR", "NOT", "-",
          "-疫情", "title:魏东", "district:金水区", '"魏 东"', '"', "AND", "NEAR/99999", "，"]


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(st.sampled_from(TOKENS), max_size=8))
def test_any_mix_of_operators_parses_and_searches(case_svc, tokens):
    q = " ".join(tokens)
    p = parse(q)
    r = case_svc.search(SearchQuery.make(q))
    assert r.total >= 0 and isinstance(p.messages, tuple)
