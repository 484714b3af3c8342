"""The benchmark: generate a corpus, parse, index, update, build the peers (Groonga and a
character-bigram tantivy) from the same articles, query all engines interleaved (in-process)
and ours over HTTP, and write benchmarks/RESULTS.md.

    benchmarks/run                         # 10k and 100k articles
    benchmarks/run --sizes 2000            # a quick smoke run
    benchmarks/run --articles 10000 --skip http --peers groonga
    benchmarks/run --sizes 1000000 --peers groonga --reuse-index

Every measured phase runs in its own process (benchmarks/worker.py) while this process
polls that process tree's memory. Corpora are cached under benchmarks/corpus/ (keyed by
size, seed and generator version); indexes, logs and the cached parse (articles.jsonl, kept
while the corpus and the extraction code are unchanged) go to benchmarks/work/.
"""
from __future__ import annotations

import argparse
import json
import os
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from benchmarks import generate as gen          # noqa: E402
from benchmarks import cache, httpload, measure, profiles, queries, report   # noqa: E402

WARMUP = ("郑州", "项目建设")           # queries outside the measured mix
PHASES = ("parse", "jieba", "segcheck", "rebuild", "incremental", "query", "http")
PEERS = report.DEFAULT_PEERS


def log(msg: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {msg}", file=sys.stderr, flush=True)


class SizeRun:
    def __init__(self, size: int, args):
        self.size, self.args = size, args
        self.corpus = Path(args.corpus_dir) / f"a{size}-s{args.seed}"
        self.work = Path(args.workdir) / f"a{size}"
        self.logs = self.work / "logs"
        self.logs.mkdir(parents=True, exist_ok=True)
        self.index_dir = self.work / "index"
        self.tantivy_dir = self.work / "tantivy"
        self.groonga_dir = self.work / "groonga"
        self.articles = self.work / "articles.jsonl"
        self.queries = self.work / "queries.json"
        self.parse_cache = self.work / "parse.cache.json"
        self.plan_cache = self.work / "plan.cache.json"
        self.index_cache = self.work / "rebuild.cache.json"
        self.result: dict = {"size": size, "phases": {}}

    # ------------------------------------------------------------ helpers
    def worker(self, phase: str, cfg: dict, name: str | None = None, timeout: float | None = None) -> dict:
        name = name or phase
        cfg_path = self.work / f"{name}.config.json"
        out_path = self.work / f"{name}.result.json"
        cfg_path.write_text(json.dumps(cfg, ensure_ascii=False), encoding="utf-8")
        out_path.unlink(missing_ok=True)
        log(f"{self.size}: {name} …")
        env = dict(os.environ, PYTHONPATH=str(ROOT) + os.pathsep + os.environ.get("PYTHONPATH", ""))
        load_before = os.getloadavg()[0]
        cmd = [sys.executable, str(HERE / "worker.py"), phase, str(cfg_path), str(out_path)]
        if self.args.profile:
            cmd = profiles.wrap(cmd, self.profile_path(name))
        proc = measure.run_measured(cmd, self.logs / f"{name}.log", env=env, timeout=timeout)
        try:
            res = json.loads(out_path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            why = (f"stopped after {timeout:.0f} s (--timeout)" if proc["killed"]
                   else f"no result (exit code {proc['returncode']})")
            res = {"ok": False, "error": f"{why}; see {self.logs / (name + '.log')}"}
        res["process"] = proc
        res["loadavg_before"] = load_before
        res["loadavg_after"] = os.getloadavg()[0]
        if not res.get("ok"):
            log(f"{self.size}: {name} FAILED: {res.get('error')}")
        else:
            log(f"{self.size}: {name} done in {proc['seconds']:.1f} s, peak tree RSS {measure.mib(proc['peak_tree_rss'])}")
        self.result["phases"][name] = res
        return res

    def profile_path(self, name: str) -> Path:
        d = self.work / "profiles"
        d.mkdir(exist_ok=True)
        return d / f"{name}.txt"

    def enabled(self, phase: str) -> bool:
        return phase not in self.args.skip

    # ------------------------------------------------------------ phases
    def corpus_ready(self) -> dict:
        m = gen.read_manifest(self.corpus)
        if (m and m.get("generator_version") == gen.GENERATOR_VERSION and m.get("articles") == self.size
                and m.get("seed") == self.args.seed and not (self.corpus / "DIRTY").exists()):
            log(f"{self.size}: reusing corpus {self.corpus}")
            m["cached"] = True
            return m
        if self.corpus.exists():
            import shutil
            shutil.rmtree(self.corpus)
        log(f"{self.size}: generating corpus in {self.corpus} …")
        m = gen.generate(self.corpus, self.size, self.args.seed)
        m["cached"] = False
        log(f"{self.size}: {m['pages']} pages, {m['chars']:,} chars in {m['seconds']} s")
        return m

    # ------------------------------------------------------------ cached phases
    def parse(self, manifest: dict) -> dict:
        """The parse phase, or the saved result of an earlier parse of the same corpus with the
        same extraction code (then articles.jsonl is that parse's output)."""
        key = cache.parse_key(manifest)
        rec = cache.load(self.parse_cache, key)
        if rec and self.articles.exists() and not self.args.no_cache:
            res = dict(rec["result"], cached=True, cached_at=rec.get("saved_at"))
            log(f"{self.size}: reusing the parse of {rec.get('saved_at')} "
                f"({res['seconds']:.1f} s then; extraction code unchanged)")
            self.result["phases"]["parse"] = res
            return res
        cache.drop(self.parse_cache)
        cache.drop(self.plan_cache)
        res = self.worker("parse", {"corpus": str(self.corpus), "articles_out": str(self.articles),
                                    "jobs": self.args.jobs}, timeout=self.args.timeout)
        if res.get("ok"):
            cache.save(self.parse_cache, key, saved_at=time.strftime("%Y-%m-%d %H:%M:%S %Z"), result=res)
        return res

    def rebuild(self, manifest: dict) -> None:
        """The full rebuild, or with --reuse-index the saved result of an earlier rebuild of the
        same corpus with the same indexer code when its index is still in the work dir."""
        import shutil
        key = cache.index_key(manifest)
        rec = cache.load(self.index_cache, key)
        if self.args.reuse_index and rec and self.index_dir.is_dir():
            res = dict(rec["result"], reused=True, reused_from=rec.get("saved_at"))
            log(f"{self.size}: --reuse-index: keeping the index built {rec.get('saved_at')} "
                f"({res['seconds']:.1f} s then; indexer code unchanged)")
            self.result["phases"]["rebuild"] = res
            self.result["index_size"] = rec.get("index_size")
            return
        if self.args.reuse_index:
            log(f"{self.size}: --reuse-index: no index of this corpus and indexer code to reuse; rebuilding")
        cache.drop(self.index_cache)
        shutil.rmtree(self.index_dir, ignore_errors=True)
        r = self.worker("index", {"corpus": str(self.corpus), "index_dir": str(self.index_dir),
                                  "rebuild": True}, "rebuild", timeout=self.args.timeout)
        self.result["index_size"] = measure.disk_usage(self.index_dir) if r.get("ok") else None
        if r.get("ok"):
            cache.save(self.index_cache, key, saved_at=time.strftime("%Y-%m-%d %H:%M:%S %Z"), result=r,
                       index_size=self.result["index_size"])

    def peer_build(self, manifest: dict, peer: str) -> dict:
        """A peer's build, or with --reuse-index the earlier build of the same parsed articles with
        the same benchmarks/peers.py and engine version when its index is still there."""
        from benchmarks import peers
        where = self.groonga_dir if peer == "groonga" else self.tantivy_dir
        key = {"parse": cache.parse_key(manifest), "peers": cache.fingerprint([HERE / "peers.py"], HERE),
               "engine": peers.engine_version(peer)}
        path = self.work / f"{peer}-build.cache.json"
        rec = cache.load(path, key)
        if self.args.reuse_index and rec and where.is_dir():
            res = dict(rec["result"], reused=True, reused_from=rec.get("saved_at"))
            log(f"{self.size}: --reuse-index: keeping the {peer} index built {rec.get('saved_at')}")
            self.result["phases"][f"{peer}-build"] = res
            return res
        cache.drop(path)
        cfg = {"articles": str(self.articles)}
        if peer == "groonga":
            cfg.update(db_dir=str(where), log_path=str(self.logs / "groonga.log"))
        else:
            cfg.update(index_dir=str(where), jobs=self.args.jobs)
        res = self.worker(f"{peer}-build", cfg, timeout=self.args.timeout)
        if res.get("ok"):
            cache.save(path, key, saved_at=time.strftime("%Y-%m-%d %H:%M:%S %Z"), result=res)
        return res

    def segcheck(self, manifest: dict) -> dict:
        """The segmenter against jieba on the whole parsed corpus (benchmarks/segcheck.py), or
        the saved result of an earlier check of the same articles with the same indexer code
        (segmenter, dictionaries) and library versions."""
        from importlib import metadata
        versions = {}
        for dist in ("jieba", "rjieba"):
            try:
                versions[dist] = metadata.version(dist)
            except metadata.PackageNotFoundError:
                versions[dist] = None
        key = {"parse": cache.parse_key(manifest), "index": cache.index_fingerprint(), "versions": versions}
        path = self.work / "segcheck.cache.json"
        rec = cache.load(path, key)
        if rec and not self.args.no_cache:
            res = dict(rec["result"], cached=True, cached_at=rec.get("saved_at"))
            log(f"{self.size}: reusing the segmenter check of {rec.get('saved_at')} "
                f"({res.get('differ')} fields differ)")
            self.result["phases"]["segcheck"] = res
            return res
        cache.drop(path)
        res = self.worker("segcheck", {"articles": str(self.articles), "jobs": self.args.jobs},
                          timeout=self.args.timeout)
        if res.get("ok"):
            cache.save(path, key, saved_at=time.strftime("%Y-%m-%d %H:%M:%S %Z"), result=res)
            log(f"{self.size}: segmenter vs jieba: {res['fields']:,} fields, {res['chars']:,} chars, "
                f"{res['differ']} differ")
        return res

    def plan(self, manifest: dict) -> list[dict]:
        key = {"parse": cache.parse_key(manifest), "per_class": self.args.per_class, "seed": self.args.seed,
               "planner": cache.fingerprint([HERE / "queries.py"], HERE)}
        rec = cache.load(self.plan_cache, key)
        if rec and self.queries.exists() and not self.args.no_cache:
            plan = json.loads(self.queries.read_text(encoding="utf-8"))
            self.result["plan_seconds"] = rec["plan_seconds"]
            self.result["plan_check"] = rec["plan_check"]
            self.result["plan_cached"] = True
            log(f"{self.size}: reusing the query plan ({len(plan)} queries)")
            return plan
        plan = self._plan(manifest)
        cache.save(self.plan_cache, key, plan_seconds=self.result["plan_seconds"],
                   plan_check=self.result["plan_check"])
        return plan

    def _plan(self, manifest: dict) -> list[dict]:
        try:
            from indexer.analysis import normalize, word_tokens
        except ImportError:
            normalize, word_tokens = None, None
        t0 = time.perf_counter()
        arts = queries.ArticleFile(self.articles)
        plan = queries.plan_queries(arts, manifest, gen.Dictionary.load(), self.args.per_class,
                                    seed=self.args.seed, normalize=normalize, tokens=word_tokens)
        self.result["plan_seconds"] = time.perf_counter() - t0
        self.result["plan_check"] = queries.check_classes(plan, len(arts))
        self.queries.write_text(json.dumps(plan, ensure_ascii=False, indent=1), encoding="utf-8")
        log(f"{self.size}: planned {len(plan)} queries in {self.result['plan_seconds']:.1f} s")
        return plan

    def incremental(self, manifest: dict) -> None:
        import numpy as np
        files = manifest["files"]
        if self.args.change_share is not None:
            k = max(1, round(len(files) * self.args.change_share))
        else:                           # about --change-articles articles, whatever the corpus size
            k = max(1, round(self.args.change_articles * len(files) / max(1, manifest["articles"])))
        k = min(k, len(files))
        rng = np.random.default_rng([self.args.seed, 0x1C4])
        chosen = sorted(rng.choice(len(files), size=k, replace=False).tolist())
        changed_articles = sum(files[i]["articles"] for i in chosen)
        self.result["incremental_change"] = {"files": k, "articles": changed_articles,
                                             "share": k / len(files)}
        (self.corpus / "DIRTY").write_text("pages rewritten for the incremental benchmark\n")
        try:
            gen.rewrite_pages(self.corpus, chosen, variant=1)
            self.worker("index", {"corpus": str(self.corpus), "index_dir": str(self.index_dir)}, "update",
                        timeout=self.args.timeout)
        finally:
            gen.rewrite_pages(self.corpus, chosen, variant=0)
            (self.corpus / "DIRTY").unlink()
        for name in ("restore", "noop"):
            r = self.worker("index", {"corpus": str(self.corpus), "index_dir": str(self.index_dir)}, name,
                            timeout=self.args.timeout)
            if name == "restore" and not r.get("ok"):
                cache.drop(self.index_cache)        # the index may still hold the changed pages

    def http(self, plan: list[dict]) -> None:
        reqs = [(r["cls"], httpload.api_path(r)) for r in plan]
        server = httpload.Server(self.index_dir, self.logs / "server.log",
                                 wrap=(lambda cmd: profiles.wrap(cmd, self.profile_path("server")))
                                 if self.args.profile else None)
        out: dict = {"command": " ".join(server.cmd), "loadavg_before": os.getloadavg()[0]}
        self.result["http"] = out
        try:
            log(f"{self.size}: starting {' '.join(server.cmd)}")
            out["startup_seconds"] = server.start()
            with measure.TreeMemory(server.proc.pid) as mem:
                warm = [("warmup", httpload.api_path({"q": q})) for q in WARMUP]
                out["warmup_errors"] = httpload.run_load(server.port, warm, 1, len(warm), 60)["errors"]
                for c in self.args.concurrency:
                    mix = reqs if c == 1 else httpload.rounds(plan, self.args.http_rounds)
                    log(f"{self.size}: HTTP concurrency {c}, up to {len(mix)} requests / {self.args.http_seconds:.0f} s …")
                    res = httpload.run_load(server.port, mix, c, len(mix), self.args.http_seconds)
                    out[f"c{c}"] = res
                    log(f"{self.size}: c={c}: {res['requests']} requests, {res['req_per_s']:.1f} req/s, "
                        f"{res['errors']} errors")
            out["server_peak_rss"] = mem.peak_tree
            out["server_procs"] = mem.max_procs
        except Exception as e:
            out["error"] = f"{type(e).__name__}: {e}"
            log(f"{self.size}: HTTP FAILED: {out['error']}")
        finally:
            server.stop()

    def run(self) -> dict:
        a = self.args
        t0 = time.perf_counter()
        manifest = self.corpus_ready()
        self.result["corpus"] = {k: manifest[k] for k in ("articles", "pages", "chars", "seconds", "seed", "cached")}
        self.result["corpus"]["path"] = str(self.corpus)
        p = self.parse(manifest)
        if not p.get("ok"):
            return self.result
        plan = self.plan(manifest)
        if self.enabled("jieba"):
            self.worker("jieba", {"articles": str(self.articles), "max_chars": a.jieba_chars})
        if self.enabled("segcheck") and self.size <= a.segcheck_max_size:
            self.segcheck(manifest)
        if self.enabled("rebuild"):
            self.rebuild(manifest)
        if self.enabled("incremental"):
            self.incremental(manifest)
            self.result["index_size_after_updates"] = measure.disk_usage(self.index_dir)
        built = {}
        limit = {p: a.peers_max_size.get(p, a.peers_max_size.get("*", 10 ** 12)) for p in a.peers}
        peers = [p for p in a.peers if self.size <= limit[p]]
        self.result["peers"] = peers
        if len(peers) < len(a.peers):
            self.result["peers_left_out"] = {"peers": [p for p in a.peers if p not in peers],
                                             "max_size": {p: limit[p] for p in a.peers if p not in peers}}
        for peer in peers:
            if self.peer_build(manifest, peer).get("ok"):
                built[peer] = str(self.groonga_dir if peer == "groonga" else self.tantivy_dir)
        if self.enabled("query"):
            dropped = measure.drop_page_cache([self.index_dir, *built.values()])
            log(f"{self.size}: dropped {dropped['files']} index files ({measure.mib(dropped['bytes'])}) "
                "of every engine from the page cache")
            qr = self.worker("query", {"index_dir": str(self.index_dir), "queries": str(self.queries),
                                       "passes": a.passes, "seed": a.seed, "warmup": list(WARMUP),
                                       "peers": built}, timeout=a.timeout)
            qr["page_cache_dropped"] = dropped
        if self.enabled("http"):
            self.http(plan)
        if a.profile:
            self.result["profiles"] = {p.stem: profiles.summarize(p)
                                       for p in sorted((self.work / "profiles").glob("*.txt"))}
        self.result["plan"] = plan
        self.result["seconds"] = time.perf_counter() - t0
        (self.work / "results.json").write_text(json.dumps(self.result, ensure_ascii=False, default=str),
                                                encoding="utf-8")
        return self.result


def parse_args(argv=None):
    ap = argparse.ArgumentParser(prog="benchmarks/run", description=__doc__.split("\n\n")[0],
                                 formatter_class=argparse.RawDescriptionHelpFormatter,
                                 epilog=__doc__.split("\n\n", 1)[1])
    ap.add_argument("--sizes", default=None, help="comma-separated article counts (default 10000,100000)")
    ap.add_argument("--articles", type=int, action="append", help="an article count (repeatable)")
    ap.add_argument("--seed", type=int, default=gen.DEFAULT_SEED)
    ap.add_argument("--workdir", default=str(HERE / "work"))
    ap.add_argument("--corpus-dir", default=str(HERE / "corpus"))
    ap.add_argument("--output", default=str(HERE / "RESULTS.md"))
    ap.add_argument("--per-class", type=int, default=20, help="queries per class (default 20)")
    ap.add_argument("--passes", type=int, default=2, help="in-process passes over the query mix")
    ap.add_argument("--concurrency", default="1,8")
    ap.add_argument("--http-rounds", type=int, default=3, help="times the mix is sent at concurrency > 1")
    ap.add_argument("--http-seconds", type=float, default=120.0, help="time limit per HTTP run")
    ap.add_argument("--change-articles", type=int, default=1000,
                    help="about this many articles' page files are changed for the incremental "
                         "update (default 1000, issue 12's target size)")
    ap.add_argument("--change-share", type=float, default=None,
                    help="share of page files changed instead (overrides --change-articles)")
    ap.add_argument("--jieba-chars", type=int, default=3_000_000, help="text measured with raw jieba.cut")
    ap.add_argument("--segcheck-max-size", type=int, default=100_000,
                    help="compare the indexer's segmenter with jieba on the whole parsed corpus at "
                         "sizes up to this (default 100000; at 1M the check takes ~35 min of both "
                         "cores; cached per corpus and indexer code)")
    ap.add_argument("--jobs", type=int, default=len(os.sched_getaffinity(0)),
                    help="processes for parsing and the peers' tokenisation (default: usable cores)")
    ap.add_argument("--timeout", type=float, default=report.DEFAULT_TIMEOUT_S,
                    help="seconds after which a measured phase is stopped as hung (default 5400)")
    ap.add_argument("--profile", action="store_true",
                    help="run every phase and the server under py-spy; RESULTS.md lists the top "
                         "functions (timings are then slowed by the sampling)")
    ap.add_argument("--reuse-index", action="store_true",
                    help="skip the full rebuild when the work dir holds an index built by an earlier run "
                         "from the same corpus with the same indexer code; RESULTS.md then reports that "
                         "earlier rebuild, labelled as such (the incremental phases still run); likewise a "
                         "peer's index built from the same parsed articles with the same benchmarks/peers.py "
                         "and engine version")
    ap.add_argument("--no-cache", action="store_true",
                    help="parse and plan again even when the cached articles.jsonl and plan are valid")
    ap.add_argument("--report-only", action="store_true",
                    help="only re-render RESULTS.md from the last run's WORKDIR/run.json")
    ap.add_argument("--peers", default=",".join(PEERS),
                    help="engines built and queried beside ours, comma-separated (default groonga,tantivy; "
                         "'' for none)")
    ap.add_argument("--peers-max-size", default="",
                    help="build and query the peers only at sizes up to this many articles: N for "
                         "every peer, or PEER=N[,PEER=N] for some (e.g. tantivy=100000 keeps "
                         "Groonga at every size); RESULTS.md says where they were left out")
    ap.add_argument("--skip", default="", help=f"phases to skip, comma-separated: {','.join(PHASES)}")
    args = ap.parse_args(argv)
    sizes = [int(s) for s in args.sizes.split(",")] if args.sizes else []
    sizes += args.articles or []
    args.sizes = sizes or [10_000, 100_000]
    args.concurrency = [int(c) for c in args.concurrency.split(",") if c]
    args.skip = {s.strip() for s in args.skip.split(",") if s.strip()}
    args.peers = [p.strip() for p in args.peers.split(",") if p.strip()]
    args.peers_max_size = _peer_limits(ap, args.peers_max_size)
    bad = set(args.peers) - set(PEERS)
    if bad:
        ap.error(f"unknown peer(s) for --peers: {', '.join(sorted(bad))} (known: {','.join(PEERS)})")
    if "tantivy" in args.skip:            # the old spelling
        args.skip.discard("tantivy")
        args.peers = [p for p in args.peers if p != "tantivy"]
    unknown = args.skip - set(PHASES)
    if unknown:
        ap.error(f"unknown phase(s) for --skip: {', '.join(sorted(unknown))}")
    return args


def _peer_limits(ap, text: str) -> dict:
    """'100000' -> {'*': 100000}; 'tantivy=100000' -> {'tantivy': 100000}."""
    out = {}
    for part in filter(None, (t.strip() for t in text.split(","))):
        name, _, num = part.rpartition("=")
        name = name.strip() or "*"
        if name != "*" and name not in PEERS:
            ap.error(f"unknown peer in --peers-max-size: {name} (known: {','.join(PEERS)})")
        try:
            out[name] = int(num)
        except ValueError:
            ap.error(f"--peers-max-size wants N or PEER=N, not {part!r}")
    return out


def main(argv=None) -> int:
    args = parse_args(argv)
    saved = Path(args.workdir) / "run.json"
    if args.report_only:
        run = json.loads(saved.read_text(encoding="utf-8"))
        report.write(args.output, report.render(run))
        log(f"wrote {args.output} from {saved}")
        return 0
    run = {"machine": measure.machine(ROOT), "args": {k: (sorted(v) if isinstance(v, set) else v)
                                                      for k, v in vars(args).items()}, "sizes": []}
    t0 = time.perf_counter()
    for size in args.sizes:
        run["sizes"].append(SizeRun(size, args).run())
        run["machine"]["loadavg_end"] = os.getloadavg()
        run["seconds"] = time.perf_counter() - t0
        Path(args.workdir).mkdir(parents=True, exist_ok=True)
        saved.write_text(json.dumps(run, ensure_ascii=False, default=str), encoding="utf-8")
        report.write(args.output, report.render(run))
        log(f"wrote {args.output}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
