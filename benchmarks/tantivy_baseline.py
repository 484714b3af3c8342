"""The tantivy baseline: the same articles, the same jieba tokens, the same query mix.

Tokens come from our own word tokenizer (indexer.analysis.word_tokens: normalisation,
private jieba Tokenizer, user dictionary), so tantivy indexes exactly the tokens of our
word field. They are fed to tantivy as whitespace-joined text with its "whitespace"
tokenizer. Facet fields are raw-tokenized fast fields counted with terms aggregations.

A full request here mirrors ours: top 20 by BM25 (title boosted) with the total count,
counts for district / year / month / reporter / type over the whole result set, and a
highlighted title and body snippet for each hit.

tantivy matches whole tokens only: it finds 惠济区 for 惠济区 but not for 惠济 when jieba
cut the text differently. The report shows its hit counts beside ours for that reason.
"""
from __future__ import annotations

import json
import os
import shutil
import time
from multiprocessing import get_context

FACET_FIELDS = {"district": "district", "year": "year", "month": "month", "reporter": "reporter",
                "type": "type"}
HEAP = 256 * 2**20


def _tokenizer():
    try:
        from indexer.analysis import word_tokens
        return lambda text: [t for t, _s, _e in word_tokens(text)]
    except ImportError:                       # before indexer.analysis exists: plain jieba
        import jieba
        tk = jieba.Tokenizer()
        return lambda text: [w for w in tk.cut(text) if w.strip()]


_TOK = None


def _tokenize_doc(a: dict) -> tuple[str, str]:
    global _TOK
    if _TOK is None:
        _TOK = _tokenizer()
    title = " ".join(filter(None, (a.get("title"), a.get("subtitle"))))
    return " ".join(_TOK(title)), " ".join(_TOK(a.get("body") or ""))


def _schema():
    import tantivy
    sb = tantivy.SchemaBuilder()
    sb.add_text_field("id", stored=True, tokenizer_name="raw")
    sb.add_text_field("title", stored=True, tokenizer_name="whitespace")
    sb.add_text_field("body", stored=True, tokenizer_name="whitespace")
    for f in FACET_FIELDS.values():
        sb.add_text_field(f, stored=True, fast=True, tokenizer_name="raw")
    sb.add_unsigned_field("date_num", stored=True, fast=True)
    return sb.build()


def build(articles_path, index_dir, jobs: int = 1) -> dict:
    import tantivy

    with open(articles_path, encoding="utf-8") as f:
        articles = [json.loads(line) for line in f]
    chars = sum(len(a.get("title") or "") + len(a.get("subtitle") or "") + len(a.get("body") or "")
                for a in articles)
    _tokenize_doc({"title": "郑州", "body": "惠济区"})     # load jieba once, before forking
    t0 = time.perf_counter()
    if jobs > 1:
        with get_context("fork").Pool(jobs) as pool:
            toks = pool.map(_tokenize_doc, articles, chunksize=64)
    else:
        toks = [_tokenize_doc(a) for a in articles]
    t_tok = time.perf_counter() - t0

    shutil.rmtree(index_dir, ignore_errors=True)
    os.makedirs(index_dir)
    schema = _schema()
    t1 = time.perf_counter()
    index = tantivy.Index(schema, path=str(index_dir))
    writer = index.writer(heap_size=HEAP, num_threads=max(1, jobs))
    for a, (title, body) in zip(articles, toks):
        doc = tantivy.Document()
        doc.add_text("id", a["id"])
        doc.add_text("title", title)
        doc.add_text("body", body)
        if a.get("district"):
            doc.add_text("district", a["district"])
        date = a.get("date") or ""
        if date[:1].isdigit():
            doc.add_text("year", date[:4])
            doc.add_text("month", date[:7])
            doc.add_unsigned("date_num", int(date.replace("-", "")))
        for r in (a.get("reporters") or []) + (a.get("correspondents") or []) + (a.get("photographers") or []):
            doc.add_text("reporter", r)
        for t in a.get("project_types") or []:
            doc.add_text("type", t)
        writer.add_document(doc)
    writer.commit()
    writer.wait_merging_threads()
    t_index = time.perf_counter() - t1
    from benchmarks.measure import disk_usage
    return {"articles": len(articles), "chars": chars, "tokenize_seconds": t_tok,
            "index_seconds": t_index, "seconds": t_tok + t_index, "jobs": jobs,
            "size": disk_usage(index_dir)}


class TantivySearch:
    def __init__(self, index_dir):
        import tantivy
        self.t = tantivy
        self.index = tantivy.Index.open(str(index_dir))
        self.schema = self.index.schema
        self.tok = _tokenizer()

    def _text_query(self, q: str):
        t, s = self.t, self.schema
        parts, phrases = [], []
        rest = q
        while '"' in rest:
            a, _, b = rest.partition('"')
            phrase, _, rest = b.partition('"')
            parts.append(a)
            phrases.append(phrase)
        parts.append(rest)
        must = []
        for word in " ".join(parts).split():
            toks = self.tok(word)
            for tok in toks:
                must.append(t.Query.boolean_query([
                    (t.Occur.Should, t.Query.boost_query(t.Query.term_query(s, "title", tok), 2.0)),
                    (t.Occur.Should, t.Query.term_query(s, "body", tok))]))
        for phrase in phrases:
            toks = self.tok(phrase)
            if not toks:
                continue
            if len(toks) == 1:
                fq = [t.Query.term_query(s, f, toks[0]) for f in ("title", "body")]
            else:
                fq = [t.Query.phrase_query(s, f, toks) for f in ("title", "body")]
            must.append(t.Query.boolean_query([(t.Occur.Should, fq[0]), (t.Occur.Should, fq[1])]))
        if not must:
            return t.Query.all_query()
        return t.Query.boolean_query([(t.Occur.Must, m) for m in must])

    def search(self, q: str, include: dict | None = None, limit: int = 20) -> dict:
        t, s = self.t, self.schema
        query = self._text_query(q)
        filters = []
        for facet, values in (include or {}).items():
            field = FACET_FIELDS[facet]
            filters.append(t.Query.boolean_query(
                [(t.Occur.Should, t.Query.term_query(s, field, v)) for v in values]))
        if filters:
            query = t.Query.boolean_query([(t.Occur.Must, query)] + [(t.Occur.Must, f) for f in filters])
        searcher = self.index.searcher()
        res = searcher.search(query, limit, count=True)
        aggs = searcher.aggregate(query, {f: {"terms": {"field": f, "size": 50}} for f in FACET_FIELDS.values()})
        snip_body = t.SnippetGenerator.create(searcher, query, s, "body")
        snip_title = t.SnippetGenerator.create(searcher, query, s, "title")
        hits = []
        for score, addr in res.hits:
            doc = searcher.doc(addr)
            hits.append({"id": doc.get_first("id"), "score": score,
                         "title_html": snip_title.snippet_from_doc(doc).to_html(),
                         "snippet": snip_body.snippet_from_doc(doc).to_html()})
        facets = {k: [(b["key"], b["doc_count"]) for b in v["buckets"]] for k, v in aggs.items()}
        return {"total": res.count, "hits": hits, "facets": facets}


def run_queries(index_dir, queries: list[dict], passes: int = 2, seed: int = 7) -> dict:
    from benchmarks.measure import timed_passes

    t0 = time.perf_counter()
    ts = TantivySearch(index_dir)
    ts.search("郑州")
    open_secs = time.perf_counter() - t0

    def one(rec):
        r = ts.search(rec["q"], rec.get("include"))
        return {"total": r["total"], "hits": len(r["hits"])}

    rows = timed_passes(queries, one, passes, seed)
    return {"open_and_warmup_seconds": open_secs, "rows": rows}
