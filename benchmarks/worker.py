"""One measured phase of the benchmark, run in its own process by benchmarks/run.py.

Running each phase in a fresh process keeps their memory apart (the parent polls the
process tree's RSS) and lets a failing component fail only its own phase.

    python benchmarks/worker.py PHASE CONFIG.json RESULT.json

CONFIG.json holds the phase's arguments; RESULT.json receives its measurements.
"""
from __future__ import annotations

import dataclasses
import json
import os
import resource
import sys
import time
import traceback
from pathlib import Path

HERE = Path(__file__).resolve().parent
if str(HERE.parent) not in sys.path:
    sys.path.insert(0, str(HERE.parent))


def _article_text(a: dict) -> str:
    return "\n".join(x for x in (a.get("title"), a.get("subtitle"), a.get("body")) if x)


def load_articles(path) -> list[dict]:
    with open(path, encoding="utf-8") as f:
        return [json.loads(line) for line in f]


def _parse_one(path) -> tuple[list[str], int, str | None]:
    """One page file's articles as JSON lines, their characters, or the read error."""
    from indexer.extract import parse_file
    from indexer.reading import PageReadError
    try:
        arts = parse_file(path)
    except PageReadError as e:
        return [], 0, str(e)
    return ([json.dumps(a.to_dict(), ensure_ascii=False) for a in arts],
            sum(len(a.body) + len(a.title) + len(a.subtitle) for a in arts), None)


def phase_parse(cfg: dict) -> dict:
    """Parse every page file (read + decode + split + extract) on every usable core; write
    the articles as JSONL in sorted file order (the order iter_page_files yields)."""
    from multiprocessing import get_context

    import indexer.extract  # noqa: F401  (load the extraction code once, before forking)
    from indexer.reading import iter_page_files

    errors: list = []
    t0 = time.perf_counter()
    files = [str(p) for p in iter_page_files([cfg["corpus"]], errors)]
    t_list = time.perf_counter() - t0
    jobs = max(1, int(cfg.get("jobs") or len(os.sched_getaffinity(0))))
    n_articles, raw_chars, failed = 0, 0, []
    t1 = time.perf_counter()
    tmp = Path(cfg["articles_out"] + ".tmp")
    with open(tmp, "w", encoding="utf-8") as f:
        if jobs > 1:
            pool = get_context("fork").Pool(jobs)
            results = pool.imap(_parse_one, files, chunksize=16)
        else:
            pool, results = None, map(_parse_one, files)
        try:
            for lines, chars, err in results:
                if err is not None:
                    failed.append(err)
                for line in lines:
                    f.write(line + "\n")
                n_articles += len(lines)
                raw_chars += chars
        finally:
            if pool is not None:
                pool.close()
                pool.join()
    seconds = time.perf_counter() - t1
    os.replace(tmp, cfg["articles_out"])
    return {"files": len(files), "failed": len(failed), "failed_examples": failed[:5],
            "walk_errors": [list(map(str, e)) for e in errors[:5]],
            "articles": n_articles, "chars": raw_chars, "seconds": seconds,
            "list_seconds": t_list, "jobs": jobs}


def phase_jieba(cfg: dict) -> dict:
    """Raw jieba.cut throughput (one core) on the articles' text, plus our tokenizers on it."""
    import jieba

    texts, chars = [], 0
    with open(cfg["articles"], encoding="utf-8") as f:      # the first max_chars of the corpus
        for line in f:
            if chars >= cfg.get("max_chars", 3_000_000):
                break
            t = _article_text(json.loads(line))
            texts.append(t)
            chars += len(t)
    jieba.setLogLevel(60)
    jieba.initialize()
    list(jieba.cut(texts[0]))
    t0, c0 = time.perf_counter(), time.process_time()
    n_tokens = 0
    for t in texts:
        n_tokens += sum(1 for _ in jieba.cut(t))
    secs, cpu = time.perf_counter() - t0, time.process_time() - c0
    out = {"chars": chars, "articles": len(texts), "tokens": n_tokens, "seconds": secs,
           "cpu_seconds": cpu, "chars_per_s": chars / secs if secs else None,
           "chars_per_cpu_s": chars / cpu if cpu else None}
    try:
        from indexer.analysis import word_tokens
    except ImportError as e:
        out["ours_error"] = f"indexer.analysis: {e}"
        return out
    word_tokens(texts[0])
    sample = texts[: max(1, len(texts) // 3)]
    sample_chars = sum(len(t) for t in sample)
    t0 = time.perf_counter()
    for t in sample:
        word_tokens(t)
    out["word_tokens_chars_per_s"] = sample_chars / (time.perf_counter() - t0)
    return out


def _report_dict(report) -> dict:
    if dataclasses.is_dataclass(report):
        return dataclasses.asdict(report)
    if isinstance(report, dict):
        return dict(report)
    return {k: v for k, v in vars(report).items() if not k.startswith("_")}


def phase_index(cfg: dict) -> dict:
    """index_paths over the corpus folder: a full rebuild or an incremental update."""
    from indexer.indexing import index_paths

    errors: list = []
    t0 = time.perf_counter()
    report = index_paths([cfg["corpus"]], cfg["index_dir"], rebuild=cfg.get("rebuild", False),
                         errors=errors)
    secs = time.perf_counter() - t0
    out = {"seconds": secs, "report": _report_dict(report), "errors": [str(e) for e in errors[:5]],
           "n_errors": len(errors)}
    return out


def _search_query(rec: dict):
    from searchapp.model import SearchQuery
    return SearchQuery.make(q=rec["q"], include={k: tuple(v) for k, v in rec.get("include", {}).items()})


def phase_query(cfg: dict) -> dict:
    """Full search requests, interleaved query by query over ours (results + facets +
    highlights through SearchService, in-process) and the peers built by this run."""
    from benchmarks import peers
    from benchmarks.measure import interleaved_passes
    from searchapp.service import SearchService

    queries = json.loads(Path(cfg["queries"]).read_text(encoding="utf-8"))
    warm = cfg.get("warmup", ["郑州", "项目建设"])
    engines, opened, open_secs = {}, [], {}
    t0 = time.perf_counter()
    # Our query-result cache is off, as the peers' are: every request does the whole work.
    svc = SearchService(cfg["index_dir"], result_cache=False)
    for q in warm:
        svc.search(_search_query({"q": q}))
    open_secs["ours"] = time.perf_counter() - t0

    def ours(rec):
        res = svc.search(_search_query(rec))
        payload = res.to_dict()
        return {"total": res.total, "hits": len(res.hits),
                "snippets": sum(1 for h in payload["hits"] if h["snippet"]),
                "facets": sum(len(v) for v in payload["facets"].values()),
                "server_ms": res.took_ms}
    engines["ours"] = ours
    errors = {}
    for name, where in (cfg.get("peers") or {}).items():
        t0 = time.perf_counter()
        try:
            eng = (peers.Groonga(peers.groonga_db(where)) if name == "groonga"
                   else peers.TantivyBigrams(where))
            for q in warm:
                eng.search(q)
        except Exception as e:
            traceback.print_exc()
            errors[name] = f"{type(e).__name__}: {e}"
            continue
        opened.append(eng)
        open_secs[name] = time.perf_counter() - t0

        def run(rec, eng=eng):
            r = eng.search(rec["q"], rec.get("include"))
            out = {"total": r["total"], "hits": len(r["hits"]),
                   "snippets": sum(1 for h in r["hits"] if h.get("snippet")),
                   "facets": sum(len(v) for v in r["facets"].values())}
            if "engine_ms" in r:
                out["engine_ms"] = r["engine_ms"]
            return out
        engines[name] = run
    pipe = []
    try:
        rows = interleaved_passes(queries, engines, cfg.get("passes", 2), cfg.get("seed", 7))
        for eng in opened:
            if isinstance(eng, peers.Groonga):
                for _ in range(50):          # the pipe's own round trip, for the report
                    t = time.perf_counter()
                    eng.command("status")
                    pipe.append((time.perf_counter() - t) * 1000)
    finally:
        for eng in opened:
            eng.close()
    return {"open_and_warmup_seconds": open_secs["ours"], "open_seconds": open_secs,
            "rows": rows.pop("ours"), "peers": rows, "peer_errors": errors, "order": list(engines),
            "groonga_pipe_ms": pipe,
            "maxrss": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024}


def phase_groonga_build(cfg: dict) -> dict:
    from benchmarks.peers import groonga_build
    return groonga_build(cfg["articles"], cfg["db_dir"], log_path=cfg.get("log_path"))


def phase_tantivy_build(cfg: dict) -> dict:
    from benchmarks.peers import tantivy_build
    return tantivy_build(cfg["articles"], cfg["index_dir"], jobs=cfg.get("jobs", 1))


def phase_segcheck(cfg: dict) -> dict:
    """The indexer's segmenter against jieba on every article (benchmarks/segcheck.py)."""
    from benchmarks.segcheck import check
    res = check(cfg["articles"], cfg.get("jobs"))
    res["ok"] = True
    return res


PHASES = {
    "parse": phase_parse,
    "jieba": phase_jieba,
    "segcheck": phase_segcheck,
    "index": phase_index,
    "query": phase_query,
    "groonga-build": phase_groonga_build,
    "tantivy-build": phase_tantivy_build,
}


def main(argv=None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if len(argv) != 3 or argv[0] not in PHASES:
        print(f"usage: worker.py {{{'|'.join(PHASES)}}} CONFIG.json RESULT.json", file=sys.stderr)
        return 2
    phase, cfg_path, out_path = argv
    cfg = json.loads(Path(cfg_path).read_text(encoding="utf-8"))
    try:
        result = PHASES[phase](cfg)
        result["ok"] = True
    except Exception as e:
        traceback.print_exc()
        result = {"ok": False, "error": f"{type(e).__name__}: {e}"}
    result["pid"] = os.getpid()
    Path(out_path).write_text(json.dumps(result, ensure_ascii=False, default=str), encoding="utf-8")
    return 0 if result["ok"] else 1


if __name__ == "__main__":
    sys.exit(main())
