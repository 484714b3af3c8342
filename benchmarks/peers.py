"""The peers benchmarks/run measures ours against, built from the same parsed articles
(articles.jsonl) and queried with the same plan:

Groonga (Debian groonga-bin, /usr/bin/groonga) as a subprocess fed commands on stdin
(`groonga DB`, one JSON answer per line, so the pipe adds only a write and a read). Table
Docs with title (title + subtitle) and body (whitespace inside lines dropped, see
squash_lines), district / year / month as scalar and reporter /
type as vector references; a lexicon with TokenNgram("n", 2) keeping ASCII letters, digits
and symbols as bigrams (plain TokenBigram folds an ASCII run into one token, so "c12" would
miss "abc123") and NormalizerAuto, indexed with positions over title and body after the load
(static index construction). A request is one `select`: the query's parts as quoted phrases
(AND), title weighted 2, top 20 by score, drilldowns on district, year, month, reporter and
type, highlight_html(title) and snippet_html(body) for the hits; match escalation is off, so
a query without exact hits does not fall back to looser matching, and the query cache is off
(`cache=no`), so the second pass computes every answer again as ours does. Its latency is the
wall time of the request through the pipe, answer decoded (a bare `status` round trip through
the same pipe is measured too, to show what the pipe costs; the time Groonga reports in its
answer's header is kept beside, but it leaves out part of the work: it is far below the wall
time while the pipe costs well under a millisecond).

tantivy with positioned character bigrams: tantivy-py's ngram tokenizer gives every gram
position 0, so the text is turned into whitespace-separated bigrams here (a separator token
at each line break, so no phrase crosses a paragraph; whitespace inside a line is dropped,
as ours does: see squash_lines) and indexed with the whitespace tokenizer; a
single-character query uses a unigram field. A request is a phrase query over the query's
bigrams per part (AND), title boosted 2, top 20 by BM25 with the count, terms aggregations
for the five facets over the hit set, and a title and body snippet per hit cut from the
stored original text around the first match (in Python: a snippet generator over the bigram
field would highlight bigrams).
"""
from __future__ import annotations

import html
import json
import os
import re
import shutil
import subprocess
import time
import urllib.parse
from pathlib import Path

GROONGA = shutil.which("groonga") or "/usr/bin/groonga"
FACETS = ("district", "year", "month", "reporter", "type")
LIMIT = 20
TITLE_WEIGHT = 2
LOAD_BATCH = 1000
HEAP = 256 * 2**20
SEP = "\ue000"            # a line break: occupies a position, so no phrase crosses it
_WS = re.compile(r"[^\S\n]+")


def squash_lines(text: str) -> str:
    """The text without its whitespace inside lines (line breaks kept): our substring index
    treats such spaces as layout (a headline's 精准养护 守护安全 is found by 养护守护), so
    the peers are fed and queried the same way, or a match across a space would count for
    ours and not for them (articles' headlines and subtitles are full of such spaces)."""
    return _WS.sub("", text)


def _normalize():
    try:
        from indexer.analysis import normalize
        return normalize
    except ImportError:
        return lambda s: s


def title_text(a: dict) -> str:
    return "\n".join(x for x in (a.get("title"), a.get("subtitle")) if x)


def facet_values(a: dict) -> dict:
    date = a.get("date") or ""
    dated = date[:1].isdigit()
    return {"district": a.get("district") or "", "year": date[:4] if dated else "",
            "month": date[:7] if dated else "",
            "reporter": (a.get("reporters") or []) + (a.get("correspondents") or []) + (a.get("photographers") or []),
            "type": list(a.get("project_types") or [])}


def query_parts(q: str) -> list[str]:
    """The substrings a query asks for (all of them): quoted phrases and bare words."""
    parts, rest = [], q
    words = []
    while '"' in rest:
        a, _, b = rest.partition('"')
        phrase, _, rest = b.partition('"')
        words.append(a)
        if phrase.strip():
            parts.append(phrase)
    words.append(rest)
    return parts + " ".join(words).split()


# ----------------------------------------------------------------------------- bigrams

def bigram_tokens(text: str, normalize=None) -> list[str]:
    """Positioned character bigrams of a text; SEP at each line break."""
    text = (normalize or (lambda s: s))(text)
    out: list[str] = []
    for k, line in enumerate(text.split("\n")):
        if k:
            out.append(SEP)
        line = squash_lines(line)
        out.extend(line[j:j + 2] for j in range(len(line) - 1))
    return out


def unigram_tokens(text: str, normalize=None) -> list[str]:
    text = (normalize or (lambda s: s))(text)
    return [c for c in text if not c.isspace()]


def query_bigrams(part: str, normalize=None) -> list[str]:
    part = squash_lines((normalize or (lambda s: s))(part).replace("\n", " "))
    return [part[j:j + 2] for j in range(len(part) - 1)]


def _snippet(text: str, needles: list[str], normalize, width: int = 120) -> str:
    """An HTML snippet around the first occurrence of any needle (normalized match)."""
    if not text:
        return ""
    norm = normalize(text)
    best = None
    for n in needles:
        p = norm.find(normalize(n))
        if p >= 0 and (best is None or p < best[0]):
            best = (p, len(n))
    if best is None:
        return html.escape(text[:width])
    p, ln = best
    start = max(0, p - width // 3)
    end = min(len(text), start + width)
    return (html.escape(text[start:p]) + "<b>" + html.escape(text[p:p + ln]) + "</b>"
            + html.escape(text[p + ln:end]))


# ----------------------------------------------------------------------------- tantivy

_NORM = None


def _tantivy_doc(line: str) -> tuple:
    """One JSONL article -> (id, title bigrams, body bigrams, title unigrams, body unigrams,
    title, body, facets)."""
    global _NORM
    if _NORM is None:
        _NORM = _normalize()
    a = json.loads(line)
    title, body = title_text(a), a.get("body") or ""
    return (a["id"], " ".join(bigram_tokens(title, _NORM)), " ".join(bigram_tokens(body, _NORM)),
            " ".join(unigram_tokens(title, _NORM)), " ".join(unigram_tokens(body, _NORM)),
            title, body, facet_values(a))


def _chunks(path, n: int):
    with open(path, encoding="utf-8") as f:
        chunk = []
        for line in f:
            chunk.append(line)
            if len(chunk) >= n:
                yield chunk
                chunk = []
        if chunk:
            yield chunk


def _tantivy_schema():
    import tantivy
    sb = tantivy.SchemaBuilder()
    sb.add_text_field("id", stored=True, tokenizer_name="raw")
    for f in ("title_bi", "body_bi"):
        sb.add_text_field(f, tokenizer_name="whitespace")
    for f in ("title_uni", "body_uni"):
        sb.add_text_field(f, tokenizer_name="whitespace", index_option="freq")
    sb.add_bytes_field("title_raw", stored=True, indexed=False)
    sb.add_bytes_field("body_raw", stored=True, indexed=False)
    for f in FACETS:
        sb.add_text_field(f, fast=True, tokenizer_name="raw")
    return sb.build()


def _iter_articles(path):
    with open(path, encoding="utf-8") as f:
        for line in f:
            yield json.loads(line)


def tantivy_build(articles_path, index_dir, jobs: int = 1) -> dict:
    """Bigram-tokenise (jobs processes, in chunks of articles) and index every article."""
    from multiprocessing import get_context

    import tantivy

    shutil.rmtree(index_dir, ignore_errors=True)
    os.makedirs(index_dir)
    index = tantivy.Index(_tantivy_schema(), path=str(index_dir))
    writer = index.writer(heap_size=HEAP, num_threads=max(1, jobs))
    _tantivy_doc(json.dumps({"id": "0", "title": "郑州"}))
    t0 = time.perf_counter()
    pool = get_context("fork").Pool(jobs) if jobs > 1 else None
    n = chars = 0
    try:
        for chunk in _chunks(articles_path, 5000):
            docs = pool.map(_tantivy_doc, chunk, chunksize=64) if pool else map(_tantivy_doc, chunk)
            for aid, tb, bb, tu, bu, title, body, facets in docs:
                doc = tantivy.Document()
                doc.add_text("id", aid)
                doc.add_text("title_bi", tb)
                doc.add_text("body_bi", bb)
                doc.add_text("title_uni", tu)
                doc.add_text("body_uni", bu)
                doc.add_bytes("title_raw", title.encode("utf-8"))
                doc.add_bytes("body_raw", body.encode("utf-8"))
                for f, v in facets.items():
                    for x in (v if isinstance(v, list) else [v] if v else []):
                        doc.add_text(f, x)
                writer.add_document(doc)
                n += 1
                chars += len(title) + len(body)
    finally:
        if pool:
            pool.close()
            pool.join()
    writer.commit()
    writer.wait_merging_threads()
    secs = time.perf_counter() - t0
    from benchmarks.measure import disk_usage
    return {"articles": n, "chars": chars, "seconds": secs, "jobs": jobs, "size": disk_usage(index_dir)}


class TantivyBigrams:
    name = "tantivy"

    def __init__(self, index_dir):
        import tantivy
        self.t = tantivy
        self.index = tantivy.Index.open(str(index_dir))
        self.schema = self.index.schema
        self.norm = _normalize()
        self.searcher = self.index.searcher()

    def _part_query(self, part: str):
        t, s = self.t, self.schema
        grams = query_bigrams(part, self.norm)
        if not grams:
            uni = unigram_tokens(part, self.norm)
            if not uni:
                return None
            fq = [t.Query.term_query(s, f, uni[0]) for f in ("title_uni", "body_uni")]
        elif len(grams) == 1:
            fq = [t.Query.term_query(s, f, grams[0]) for f in ("title_bi", "body_bi")]
        else:
            fq = [t.Query.phrase_query(s, f, grams) for f in ("title_bi", "body_bi")]
        return t.Query.boolean_query([(t.Occur.Should, t.Query.boost_query(fq[0], float(TITLE_WEIGHT))),
                                      (t.Occur.Should, fq[1])])

    def search(self, q: str, include: dict | None = None) -> dict:
        t, s = self.t, self.schema
        parts = query_parts(q)
        must = [m for m in (self._part_query(p) for p in parts) if m is not None]
        for facet, values in (include or {}).items():
            must.append(t.Query.boolean_query([(t.Occur.Should, t.Query.term_query(s, facet, v)) for v in values]))
        query = t.Query.boolean_query([(t.Occur.Must, m) for m in must]) if must else t.Query.all_query()
        searcher = self.searcher
        res = searcher.search(query, LIMIT, count=True)
        aggs = searcher.aggregate(query, {f: {"terms": {"field": f, "size": 50}} for f in FACETS})
        hits = []
        for score, addr in res.hits:
            doc = searcher.doc(addr)
            title = bytes(doc.get_first("title_raw") or b"").decode("utf-8")
            body = bytes(doc.get_first("body_raw") or b"").decode("utf-8")
            hits.append({"id": doc.get_first("id"), "score": score,
                         "title_html": _snippet(title, parts, self.norm, 200),
                         "snippet": _snippet(body, parts, self.norm)})
        facets = {k: [(b["key"], b["doc_count"]) for b in v["buckets"]] for k, v in aggs.items()}
        return {"total": res.count, "hits": hits, "facets": facets}

    def close(self) -> None:
        pass


# ----------------------------------------------------------------------------- Groonga

TOKENIZER = ('TokenNgram("n", 2, "loose_symbol", false, "unify_alphabet", false, '
             '"unify_digit", false, "unify_symbol", false)')


class GroongaError(RuntimeError):
    pass


class Groonga:
    """A `groonga DB` process spoken to over stdin/stdout, one command per line."""

    name = "groonga"

    def __init__(self, db: Path, create: bool = False, log_path: Path | None = None):
        db = Path(db)
        if create:
            db.parent.mkdir(parents=True, exist_ok=True)
        cmd = [GROONGA] + (["-n"] if create else []) + [str(db)]
        if log_path:
            cmd[1:1] = ["--log-path", str(log_path), "--query-log-path", os.devnull]
        # buffered: readline() on an unbuffered pipe reads one byte per system call
        self.proc = subprocess.Popen(cmd, stdin=subprocess.PIPE, stdout=subprocess.PIPE, bufsize=1 << 20)
        self.out = self.proc.stdout
        self.norm = _normalize()

    def raw(self, text: str):
        """Send one command (text may span lines, as `load` with its JSON does); parse the answer."""
        self.proc.stdin.write(text.encode("utf-8") + b"\n")
        self.proc.stdin.flush()
        line = self.out.readline()
        if not line:
            raise GroongaError(f"groonga exited (code {self.proc.poll()})")
        ans = json.loads(line)
        header = ans[0]
        if header[0] != 0:
            raise GroongaError(f"{text[:120]!r}: {header}")
        return header, (ans[1] if len(ans) > 1 else None)

    def command(self, _command: str, **params):
        return self.raw(f"/d/{_command}?" + urllib.parse.urlencode({k: str(v) for k, v in params.items()}))

    def create_schema(self) -> None:
        c = self.command
        c("table_create", name="Docs", flags="TABLE_NO_KEY")
        c("column_create", table="Docs", name="aid", flags="COLUMN_SCALAR", type="ShortText")
        c("column_create", table="Docs", name="title", flags="COLUMN_SCALAR", type="ShortText")
        c("column_create", table="Docs", name="body", flags="COLUMN_SCALAR", type="LongText")
        for f, vector in (("district", False), ("year", False), ("month", False), ("reporter", True), ("type", True)):
            table = "F_" + f
            c("table_create", name=table, flags="TABLE_HASH_KEY", key_type="ShortText")
            c("column_create", table="Docs", name=f, flags="COLUMN_VECTOR" if vector else "COLUMN_SCALAR",
              type=table)

    def create_index(self) -> None:
        self.command("table_create", name="Bigrams", flags="TABLE_PAT_KEY", key_type="ShortText",
                     default_tokenizer=TOKENIZER, normalizer="NormalizerAuto")
        self.command("column_create", table="Bigrams", name="text_index",
                     flags="COLUMN_INDEX|WITH_POSITION|WITH_SECTION", type="Docs", source="title,body")

    def load(self, rows: list[dict]) -> int:
        _h, n = self.raw("load --table Docs\n" + json.dumps(rows, ensure_ascii=False))
        return n

    @staticmethod
    def query_text(q: str) -> str:
        """Groonga query syntax: every part a quoted phrase (AND), quotes and backslashes escaped."""
        esc = lambda s: s.replace("\\", "\\\\").replace('"', '\\"')    # noqa: E731
        return " ".join(f'"{esc(squash_lines(p))}"' for p in query_parts(q))

    @staticmethod
    def filter_text(include: dict | None) -> str:
        esc = lambda s: s.replace("\\", "\\\\").replace('"', '\\"')    # noqa: E731
        clauses = []
        for facet, values in (include or {}).items():
            clauses.append("(" + " || ".join(f'{facet} == "{esc(v)}"' for v in values) + ")")
        return " && ".join(clauses)

    def search(self, q: str, include: dict | None = None) -> dict:
        params = {"table": "Docs", "match_columns": f"title * {TITLE_WEIGHT} || body",
                  "query": self.query_text(q), "limit": LIMIT, "sort_keys": "-_score",
                  "output_columns": "aid,_score,highlight_html(title),snippet_html(body)",
                  "drilldown": ",".join(FACETS), "drilldown_limit": 50, "drilldown_sort_keys": "-_nsubrecs",
                  "match_escalation_threshold": -1, "cache": "no", "command_version": 2}
        flt = self.filter_text(include)
        if flt:
            params["filter"] = flt
        header, body = self.command("select", **params)
        main = body[0]
        facets = {f: [(k, n) for k, n in dd[2:]] for f, dd in zip(FACETS, body[1:])}
        hits = [{"id": r[0], "score": r[1], "title_html": r[2], "snippet": r[3]} for r in main[2:]]
        return {"total": main[0][0], "hits": hits, "facets": facets, "engine_ms": header[2] * 1000}

    def close(self) -> None:
        if self.proc.poll() is None:
            try:
                self.proc.stdin.write(b"shutdown\n")
                self.proc.stdin.flush()
                self.proc.stdin.close()
                self.proc.wait(timeout=30)
            except (OSError, subprocess.TimeoutExpired):
                self.proc.kill()
                self.proc.wait()
        for f in (self.proc.stdin, self.out):
            try:
                f.close()
            except OSError:
                pass


def engine_version(peer: str) -> str:
    """The peer's version (part of its build cache key)."""
    try:
        if peer == "groonga":
            out = subprocess.run([GROONGA, "--version"], capture_output=True, text=True, timeout=30)
            return out.stdout.split("\n")[0]
        import importlib.metadata
        return importlib.metadata.version("tantivy")
    except Exception as e:          # not installed: the build phase will say so
        return f"unavailable: {type(e).__name__}"


def groonga_db(dir_: Path) -> Path:
    return Path(dir_) / "db"


def groonga_build(articles_path, db_dir, log_path: Path | None = None) -> dict:
    """Load every article in batches of LOAD_BATCH, then build the bigram index (static)."""
    db_dir = Path(db_dir)
    shutil.rmtree(db_dir, ignore_errors=True)
    db_dir.mkdir(parents=True)
    g = Groonga(groonga_db(db_dir), create=True, log_path=log_path)
    t0 = time.perf_counter()
    n = chars = 0
    try:
        g.create_schema()
        batch = []
        for a in _iter_articles(articles_path):
            title, body = squash_lines(title_text(a)), squash_lines(a.get("body") or "")
            batch.append({"aid": a["id"], "title": title, "body": body, **facet_values(a)})
            chars += len(title) + len(body)
            if len(batch) >= LOAD_BATCH:
                n += g.load(batch)
                batch = []
        if batch:
            n += g.load(batch)
        t_load = time.perf_counter() - t0
        t1 = time.perf_counter()
        g.create_index()
        t_index = time.perf_counter() - t1
    finally:
        g.close()
    from benchmarks.measure import disk_usage
    version = subprocess.run([GROONGA, "--version"], capture_output=True, text=True).stdout.split("\n")[0]
    return {"articles": n, "chars": chars, "load_seconds": t_load, "index_seconds": t_index,
            "seconds": time.perf_counter() - t0, "size": disk_usage(db_dir), "version": version,
            "tokenizer": TOKENIZER, "normalizer": "NormalizerAuto"}
