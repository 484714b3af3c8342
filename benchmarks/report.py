"""RESULTS.md from the measurements of one run of benchmarks/run (pure: dict in, text out)."""
from __future__ import annotations

from benchmarks.measure import latency_summary
from benchmarks.queries import CLASSES

GIB = 2**30
GB = 10**9
# Issue 12's targets (full page, in-process, 2 cores) at 100k and 1M articles; a smaller run is
# judged against the 100k row (marked "at N": indicative only), a size between against the next.
TARGETS = {
    100_000: {"p95": {"rare": 10, "medium": 15, "common": 30, "phrase": 30},
              "rebuild_s": 5 * 60, "index_bytes": 1.2 * GB, "server_rss": 400 * 2**20},
    1_000_000: {"p95": {"rare": 50, "medium": 100, "common": 300, "phrase": 300},
                "rebuild_s": 60 * 60, "index_bytes": 12 * GB, "server_rss": 1.5 * GIB},
}
TARGET_SIZES = sorted(TARGETS)
GROONGA_RATIO_MAX = 2.0
INCREMENTAL_MAX_S = 30
SERVER_MIN_RPS = 20
PEER_NAMES = {"groonga": "Groonga", "tantivy": "tantivy"}
# benchmarks/run's defaults (it takes them from here), so a run's command line shows what differed.
DEFAULT_PEERS = ("groonga", "tantivy")
DEFAULT_TIMEOUT_S = 90 * 60


def target_size(size: int) -> int:
    return next((t for t in TARGET_SIZES if size <= t), TARGET_SIZES[-1])


def target_for(size: int) -> dict:
    return TARGETS[target_size(size)]


def _limit_s(s) -> str:
    return f"≤ {s / 60:.0f} min"


def _limit_b(b) -> str:
    return f"≤ {b / GB:.1f} GB" if b >= GB / 2 else f"≤ {b / 2**20:.0f} MiB"


def _limit_rss(b) -> str:
    return f"≤ {b / GIB:.1f} GiB" if b >= GIB else f"≤ {b / 2**20:.0f} MiB"


def _ms(x) -> str:
    if x is None:
        return "—"
    if x < 1:
        return f"{x:.2f} ms"
    return f"{x:,.1f} ms" if x < 100 else f"{x:,.0f} ms"


def _s(x) -> str:
    return "—" if x is None else (f"{x:,.2f} s" if x < 10 else f"{x:,.1f} s")


def _n(x, unit="") -> str:
    if x is None:
        return "—"
    return f"{x:,.0f}{unit}"


def _mib(b) -> str:
    return "—" if b is None else (f"{b / GIB:.2f} GiB" if b >= GIB else f"{b / 2**20:,.0f} MiB")


def _ratio(a, b) -> str:
    return "—" if not a or not b else f"{a / b:,.1f}×"


def _verdict(ok: bool | None, size: int) -> str:
    if ok is None:
        return "—"
    word = "met" if ok else "**not met**"
    return word if size in TARGETS else f"{word} (at {size:,})"


def _ok(phases: dict, name: str) -> dict | None:
    r = phases.get(name)
    return r if r and r.get("ok") else None


def _fail(phases: dict, name: str) -> str | None:
    r = phases.get(name)
    if r is None:
        return None
    return None if r.get("ok") else r.get("error", "failed")


def _per_class(rows: list[dict], plan: list[dict], pass_no: int = 0) -> dict[str, dict]:
    out = {}
    for cls in CLASSES:
        ms = [r["ms"] for r in rows if r.get("pass") == pass_no and "error" not in r and plan[r["i"]]["cls"] == cls]
        out[cls] = latency_summary(ms)
    return out


def _totals(rows: list[dict]) -> dict[int, int]:
    return {r["i"]: r.get("total") for r in rows if r.get("pass") == 0 and "error" not in r}


def machine_section(run: dict) -> list[str]:
    m = run["machine"]
    pk = ", ".join(f"{k} {v}" for k, v in m["packages"].items())
    la = m.get("loadavg") or ()
    le = m.get("loadavg_end") or ()
    return [
        "## Machine",
        "",
        f"- Date: {m['date']}; commit {m['commit']}",
        f"- CPU: {m['cpu']}, {m['cores']} cores ({m['cores_usable']} usable); RAM {_mib(m['ram'])}; {m['os']}",
        f"- Python {m['python']}; {pk}",
        f"- Load average at start {', '.join(f'{x:.2f}' for x in la)}; at end {', '.join(f'{x:.2f}' for x in le)}"
        " (the machine is shared; a high load inflates every number)",
        f"- Command: `{command_line(run['args'])}`"
        + f", seed {run['args']['seed']}, {run['args']['per_class']} queries per class,"
        f" {run['args']['passes']} in-process passes; total {_s(run.get('seconds'))}",
        "",
    ]


def command_line(a: dict) -> str:
    """The benchmarks/run command of a run, from its saved arguments: every option that shapes
    what was measured and differs from its default."""
    parts = ["benchmarks/run", "--sizes", ",".join(str(s) for s in a["sizes"])]
    peers = a.get("peers")
    if peers is not None and tuple(peers) != DEFAULT_PEERS:
        parts += ["--peers", ",".join(peers) or "none"]
    lim = a.get("peers_max_size")
    if lim:
        parts += ["--peers-max-size", _peer_limits_text(lim)]
    if a.get("skip"):
        parts += ["--skip", ",".join(a["skip"])]
    if a.get("timeout") is not None and float(a["timeout"]) != DEFAULT_TIMEOUT_S:
        parts += ["--timeout", f"{float(a['timeout']):g}"]
    for flag in ("reuse_index", "no_cache", "profile"):
        if a.get(flag):
            parts.append("--" + flag.replace("_", "-"))
    return " ".join(parts)


def _peer_limits_text(lim: dict) -> str:
    """--peers-max-size as given: {'*': 100000} -> '100000', {'tantivy': 100000} -> 'tantivy=100000'."""
    return ",".join(str(n) if p == "*" else f"{p}={n}" for p, n in lim.items())


def _size_label(size: int) -> str:
    return f"{size // 1_000_000}M" if size % 1_000_000 == 0 else f"{size // 1000}k" if size % 1000 == 0 else f"{size:,}"


def size_section(res: dict) -> list[str]:
    size = res["size"]
    ph = res["phases"]
    plan = res.get("plan") or []
    c = res.get("corpus", {})
    L = [f"## {size:,} articles", ""]
    L.append(f"Corpus: {c.get('articles', 0):,} articles on {c.get('pages', 0):,} page files, "
             f"{c.get('chars', 0):,} characters (generated in {_s(c.get('seconds'))}"
             f"{', cached' if c.get('cached') else ''}; seed {c.get('seed')}).")
    L.append("")

    # ---------------------------------------------------------------- indexing
    parse, jb = _ok(ph, "parse"), _ok(ph, "jieba")
    reb, upd = _ok(ph, "rebuild"), _ok(ph, "update")
    L += ["### Parsing and indexing", "",
          f"| measure | value | target (at {_size_label(target_size(size))}) | verdict |", "|---|---|---|---|"]
    if parse:
        s = parse["seconds"]
        how = (f"**cached parse** of {parse.get('cached_at')} (extraction code and corpus unchanged), "
               f"measured then: " if parse.get("cached") else "")
        jobs = f" on {parse['jobs']} processes" if parse.get("jobs") else ""
        L.append(f"| parse (read, decode, split, extract{jobs}) | {how}{_s(s)}: {_n(parse['files'] / s)} files/s, "
                 f"{_n(parse['articles'] / s)} articles/s, {_n(parse['chars'] / s)} chars/s "
                 f"({parse['articles']:,} articles found of {c.get('articles', 0):,} generated; "
                 f"{parse['failed']} files failed) | — | — |")
    elif _fail(ph, "parse"):
        L.append(f"| parse | failed: {_fail(ph, 'parse')} | — | — |")
    jieba_cps = jb["chars_per_s"] if jb else None
    if jb:
        extra = ""
        if jb.get("word_tokens_chars_per_s"):
            extra = f"; our word tokenizer {_n(jb['word_tokens_chars_per_s'])} chars/s"
        cpu = f" ({_n(jb['chars_per_cpu_s'])} per CPU-second)" if jb.get("chars_per_cpu_s") else ""
        L.append(f"| raw `jieba.cut`, one core | {_n(jieba_cps)} chars/s{cpu} on {jb['chars']:,} chars{extra} "
                 f"| — | — |")
    sc = _ok(ph, "segcheck")
    if sc:
        how = f"**cached check** of {sc.get('cached_at')}, " if sc.get("cached") else ""
        L.append(f"| indexer segmenter (jieba-rs) = jieba, whole corpus | {how}{sc['fields']:,} fields, "
                 f"{sc['chars']:,} chars: **{sc['differ']} differ**; jieba {_n(sc['jieba_chars_per_cpu_s'])}, "
                 f"segmenter {_n(sc['fast_chars_per_cpu_s'])} chars per CPU-second "
                 f"({sc['fast_chars_per_cpu_s'] / sc['jieba_chars_per_cpu_s']:.1f}×) | identical | "
                 f"{'met' if sc['differ'] == 0 else 'NOT met'} |")
    elif _fail(ph, "segcheck"):
        L.append(f"| indexer segmenter = jieba | failed: {_fail(ph, 'segcheck')} | — | — |")
    if reb:
        s = reb["seconds"]
        chars = parse["chars"] if parse else None
        arts = parse["articles"] if parse else None
        cps = chars / s if chars else None
        proc = reb["process"]
        how = (f"**reused index** (`--reuse-index`) built {reb.get('reused_from')} with the same corpus "
               f"and indexer code, measured then: " if reb.get("reused") else "")
        tg = target_for(size)
        L.append(f"| full rebuild time | {how}{_s(s)} | {_limit_s(tg['rebuild_s'])} "
                 f"| {_verdict(s <= tg['rebuild_s'], size)} |")
        L.append(f"| full rebuild throughput | {_n(arts / s if arts else None)} articles/s, {_n(cps)} chars/s "
                 f"(CPU {proc['user_cpu'] + proc['sys_cpu']:.0f} s over {proc['procs']} processes) | — | — |")
        ratio = cps / jieba_cps if cps and jieba_cps else None
        L.append(f"| rebuild chars/s ÷ raw jieba chars/s (one core) | {'—' if ratio is None else f'{ratio:.2f}'} "
                 f"| — | — |")
        cpu_s = proc["user_cpu"] + proc["sys_cpu"]
        if jb and jb.get("chars_per_cpu_s") and chars and cpu_s:
            L.append(f"| rebuild CPU per character ÷ raw jieba CPU per character | "
                     f"{(cpu_s / chars) * jb['chars_per_cpu_s']:.1f} (load-independent: how many times "
                     f"jieba's own work the indexer spends) | — | — |")
        L.append(f"| peak RSS of the indexer process tree | {_mib(proc['peak_tree_rss'])} "
                 f"(largest process {_mib(max(proc['peak_single_rss'], proc['maxrss_wait4']))}) | — | — |")
        isz = res.get("index_size")
        L.append(f"| index size on disk | {_mib(isz)} | {_limit_b(tg['index_bytes'])} "
                 f"| {_verdict(None if isz is None else isz <= tg['index_bytes'], size)} |")
    elif _fail(ph, "rebuild"):
        L.append(f"| full rebuild | failed: {_fail(ph, 'rebuild')} | {_limit_s(target_for(size)['rebuild_s'])} | **not met** |")
    ch = res.get("incremental_change")
    if upd and ch:
        s = upd["seconds"]
        rep = upd.get("report", {})
        L.append(f"| incremental update, {ch['files']} file{'s' if ch['files'] != 1 else ''} ({ch['share']:.1%}) changed, "
                 f"{ch['articles']:,} articles on them | {_s(s)} "
                 f"({', '.join(f'{k} {v}' for k, v in rep.items() if isinstance(v, int))}) "
                 f"| ≤ 30 s for 1k articles | {_verdict(s <= INCREMENTAL_MAX_S, size)} |")
        for name, label in (("restore", "the same files changed back"), ("noop", "nothing changed")):
            r = _ok(ph, name)
            if r:
                L.append(f"| incremental update, {label} | {_s(r['seconds'])}, peak RSS "
                         f"{_mib(r['process']['peak_tree_rss'])} | — | — |")
    elif _fail(ph, "update"):
        L.append(f"| incremental update | failed: {_fail(ph, 'update')} | ≤ 30 s | **not met** |")
    L.append("")
    loads = [(k, v["loadavg_before"]) for k, v in ph.items() if v.get("loadavg_before") is not None]
    if (res.get("http") or {}).get("loadavg_before") is not None:
        loads.append(("http", res["http"]["loadavg_before"]))
    if loads:
        L.append("One-minute load average when each phase started (2 cores; above 2 other work "
                 "competed with the measurement): " + ", ".join(f"{k} {v:.1f}" for k, v in loads) + ".")
        L.append("")

    # ---------------------------------------------------------------- queries
    q = _ok(ph, "query")
    checks = res.get("plan_check", {})
    peers = [n for n in ((q or {}).get("peers") or {})]
    if plan:
        L += query_tables(q, plan, checks, size, peers)
    # ---------------------------------------------------------------- http
    h = res.get("http")
    if h:
        L += ["### Over HTTP (`newsearch serve`, `GET /api/search`, keep-alive clients on 127.0.0.1)", ""]
        if h.get("error"):
            L.append(f"Failed: {h['error']}")
        L += ["| concurrency | requests | req/s | errors | p50 | p95 | p99 | target | verdict |",
              "|---|---|---|---|---|---|---|---|---|"]
        for key in sorted(k for k in h if k.startswith("c") and k[1:].isdigit()):
            r = h[key]
            ms = latency_summary([x["ms"] for x in r["rows"]])
            cc = r["concurrency"]
            target, ok = "—", None
            if cc == 8:
                target = "≥ 20 req/s, 0 errors"
                ok = (r["req_per_s"] or 0) >= SERVER_MIN_RPS and r["errors"] == 0
            L.append(f"| {cc} | {r['requests']} (stopped by {r['stopped_by']}) | {r['req_per_s']:.1f} | "
                     f"{r['errors']} | {_ms(ms['p50'])} | {_ms(ms['p95'])} | {_ms(ms['p99'])} | {target} "
                     f"| {_verdict(ok, size)} |")
        rss = h.get("server_peak_rss")
        lim = target_for(size)["server_rss"]
        L.append(f"| server peak RSS (process tree) | {_mib(rss)} | | | | | | {_limit_rss(lim)} "
                 f"| {_verdict(None if rss is None else rss <= lim, size)} |")
        L.append("")
        for key in sorted(k for k in h if k.startswith("c") and k[1:].isdigit()):
            ex = h[key].get("error_examples")
            if ex:
                L.append(f"Errors at {key}: " + "; ".join(f"`{e}`" for e in ex[:3]))
                L.append("")
        if h.get("c8"):
            per = {cls: latency_summary([x["ms"] for x in h["c8"]["rows"] if x["cls"] == cls]) for cls in CLASSES}
            L.append("Per class at concurrency 8: " + "; ".join(
                f"{cls} p50 {_ms(v['p50'])}, p95 {_ms(v['p95'])}" for cls, v in per.items() if v["n"]) + ".")
            L.append("")

    # ---------------------------------------------------------------- peers' builds
    L += build_table(res)
    if plan:
        L += recall_section(q, plan, peers)
    return L


def _cell(d: dict) -> str:
    return f"{_ms(d.get('p50'))} / {_ms(d.get('p95'))} / {_ms(d.get('p99'))}"


def query_tables(q: dict | None, plan: list[dict], checks: dict, size: int, peers: list[str]) -> list[str]:
    L: list[str] = []
    if not q:
        f = "not run" if q is None else "failed"
        return [f"In-process queries {f}.", ""]
    tg = target_for(size)["p95"]
    prow = q.get("peers") or {}
    for pass_no, title in ((0, "first run of each query (after a warm-up with other queries)"),
                           (1, "second pass (the same queries again, in another order)")):
        if not any(r.get("pass") == pass_no for r in q["rows"]):
            continue
        L += [f"### Query latency, {title}", ""]
        if pass_no == 0:
            text = ("p50 / p95 / p99 of the full page. Ours: `SearchService.search` in-process, results + facets + "
                    "highlights as the web page gets them, its query-result cache off (`result_cache=False`; "
                    "per-index-state tables stay, as a server keeps them).")
            if "groonga" in peers:
                text += (" Groonga: one `select` (phrase match on title and body, top 20 by score, drilldowns on "
                         "district, year, month, reporter, type, highlight_html + snippet_html, query cache off), "
                         "timed through its stdin pipe (what the pipe costs is given below).")
            if "tantivy" in peers:
                text += (" tantivy: bigram phrase query, top 20 by BM25, terms aggregations for the five facets, "
                         "snippets.")
            text += (" Ratios are ours ÷ peer (above 1: ours is slower)." if peers
                     else " No peer ran at this size.")
            dropped = q.get("page_cache_dropped")
            if dropped:
                text += (f" Before the phase the index files of every engine ({dropped['files']:,} files, "
                         f"{_mib(dropped['bytes'])}) were dropped from the page cache, so each first run "
                         "reads from disk alike, whether its index was just built or reused.")
            L += [text, ""]
        head = "| " + " | ".join(["class", "queries", "df (articles)", "ours"]
                                 + [PEER_NAMES.get(p, p) for p in peers]
                                 + [f"ours ÷ {PEER_NAMES.get(p, p)} p50 / p95" for p in peers]
                                 + ["target p95", "verdict"]) + " |"
        L += [head, "|" + "---|" * (6 + 2 * len(peers))]
        ours = _per_class(q["rows"], plan, pass_no)
        pv = {p: _per_class(prow[p], plan, pass_no) for p in peers}
        for cls in CLASSES + ("all",):
            if cls == "all":
                o = latency_summary([r["ms"] for r in q["rows"] if r.get("pass") == pass_no and "error" not in r])
                ps = {p: latency_summary([r["ms"] for r in prow[p] if r.get("pass") == pass_no and "error" not in r])
                      for p in peers}
                share, n, name = "", len(plan), "**all**"
            else:
                ck = checks.get(cls, {})
                o, ps = ours.get(cls, {}), {p: pv[p].get(cls, {}) for p in peers}
                share = (f"{ck.get('df_min')}–{ck.get('df_max')} (median {ck.get('df_median')}; "
                         f"{ck.get('in_class')}/{ck.get('n')} in class)") if ck else "—"
                n, name = ck.get("n", 0), cls
            limit = tg.get(cls)
            ok = None if limit is None or o.get("p95") is None or pass_no else o["p95"] <= limit
            row = f"| {name} | {n} | {share} | {_cell(o)}" + "".join(f" | {_cell(ps[p])}" for p in peers)
            row += "".join(f" | {_ratio(o.get('p50'), ps[p].get('p50'))} / {_ratio(o.get('p95'), ps[p].get('p95'))}"
                           for p in peers)
            row += f" | {'—' if limit is None else f'≤ {limit} ms'} | {_verdict(ok, size) if not pass_no else '—'} |"
            L.append(row)
        L.append("")
    errs = [r for r in q["rows"] if "error" in r]
    if errs:
        L += [f"In-process errors (ours): {len(errs)} (first: {errs[0]['error']}).", ""]
    for p in peers:
        perrs = [r for r in prow[p] if "error" in r]
        if perrs:
            L += [f"{PEER_NAMES.get(p, p)} errors: {len(perrs)} (first: {perrs[0]['error']}).", ""]
    g = prow.get("groonga")
    if g:
        wall = latency_summary([r["ms"] for r in g if r.get("pass") == 0 and "error" not in r])
        eng = latency_summary([r["engine_ms"] for r in g if r.get("pass") == 0 and "engine_ms" in r])
        pipe = latency_summary(q.get("groonga_pipe_ms") or [])
        L += [f"Groonga's latency above is the wall time of each `select` through its stdin pipe, answer decoded "
              f"(all queries, first run: p50 {_ms(wall['p50'])}, p95 {_ms(wall['p95'])}); what the pipe itself costs: "
              f"a bare `status` round trip took p50 {_ms(pipe['p50'])}, p95 {_ms(pipe['p95'])}. The time Groonga "
              f"reports in its answers was p50 {_ms(eng['p50'])}, p95 {_ms(eng['p95'])}; it does not cover the whole request "
              "(writing out the answer at least), so the tables do not use it.", ""]
    opens = q.get("open_seconds") or {}
    L += [f"Query process: open + warm-up " + ", ".join(f"{k} {_s(v)}" for k, v in opens.items())
          + f"; ours' own peak RSS {_mib(q.get('maxrss'))}, process tree"
          + (" (with Groonga)" if "groonga" in peers else "") + f" {_mib(q['process']['peak_tree_rss'])}.", ""]
    for name, err in (q.get("peer_errors") or {}).items():
        L += [f"{PEER_NAMES.get(name, name)} could not be opened: {err}", ""]
    return L


def build_table(res: dict) -> list[str]:
    ph = res["phases"]
    rows = []
    reb = _ok(ph, "rebuild")
    if reb:
        proc = reb["process"]
        rows.append(("ours (full rebuild" + (", reused index: earlier measurement" if reb.get("reused") else "")
                     + ")", reb["seconds"], proc, res.get("index_size"), ""))
    for name in ("groonga", "tantivy"):
        r = _ok(ph, f"{name}-build")
        if r:
            detail = (f"load {_s(r['load_seconds'])} + index {_s(r['index_seconds'])}; {r.get('version', '').split(' [')[0]}, "
                      f"`{r.get('tokenizer')}`, {r.get('normalizer')}" if name == "groonga"
                      else f"{r['jobs']} processes for the bigrams, whitespace tokenizer")
            label = PEER_NAMES[name] + (f" (reused index built {r.get('reused_from')}: earlier measurement)"
                                        if r.get("reused") else "")
            rows.append((label, r["seconds"], r["process"], r["size"], detail))
        elif _fail(ph, f"{name}-build"):
            rows.append((PEER_NAMES[name] + " — **build failed**: " + _fail(ph, f"{name}-build"), None, None, None, ""))
    if not rows:
        return []
    L = ["### Builds from the same parsed articles", "",
         "| engine | time | CPU | index size | peak RSS (process tree) | ours ÷ engine (time / size) | how |",
         "|---|---|---|---|---|---|---|"]
    for name, secs, proc, size, detail in rows:
        if proc is None:
            L.append(f"| {name} | | | | | | |")
            continue
        cpu = proc["user_cpu"] + proc["sys_cpu"]
        ratio = ("" if not reb or name.startswith("ours") else
                 f"{_ratio(reb['seconds'], secs)} / {_ratio(res.get('index_size'), size)}")
        L.append(f"| {name} | {_s(secs)} | {cpu:,.0f} s | {_mib(size)} | {_mib(proc['peak_tree_rss'])} | {ratio} | {detail} |")
    L.append("")
    return L


def recall_section(q: dict | None, plan: list[dict], peers: list[str]) -> list[str]:
    ot = _totals(q["rows"]) if q else {}
    prow = (q or {}).get("peers") or {}
    pt = {p: _totals(prow[p]) for p in peers}
    L = ["### Recall: hit counts against the verbatim document frequency", "",
         "df = articles whose title or body contains every part of the query verbatim within a line (after our "
         "normalisation, spaces inside a line ignored as our index does; the peers are fed and queried so too), "
         "computed from the parsed corpus; an engine's count must equal it."]
    for name, tot in [("ours", ot)] + [(PEER_NAMES.get(p, p), pt[p]) for p in peers]:
        if not tot:
            continue
        lo = sum(1 for i, t in tot.items() if (t or 0) < plan[i]["df"])
        hi = sum(1 for i, t in tot.items() if (t or 0) > plan[i]["df"])
        L.append(f"- {name}: {len(tot) - lo - hi}/{len(tot)} queries exact; below df (missed articles) {lo}, "
                 f"above df (not verbatim) {hi}.")
    diff = [i for i in range(len(plan)) if any(i in t and t[i] != plan[i]["df"] for t in [ot, *pt.values()])]
    L.append("")
    if diff:
        L += ["Queries where some engine's count differs from df:", "",
              "| class | query | filter | df | ours | " + " | ".join(PEER_NAMES.get(p, p) for p in peers) + " |",
              "|---|---|---|---|---|" + "---|" * len(peers)]
        for i in diff:
            r = plan[i]
            flt = " ".join(f"{k}={'|'.join(v)}" for k, v in r["include"].items())
            L.append(f"| {r['cls']} | `{r['q']}` | {flt} | {r['df']} | {ot.get(i, '—')} | "
                     + " | ".join(str(pt[p].get(i, "—")) for p in peers) + " |")
        L.append("")
    L += ["<details><summary>All queries</summary>", "",
          "| class | query | filter | source | df | ours | " + " | ".join(PEER_NAMES.get(p, p) for p in peers) + " |",
          "|---|---|---|---|---|---|" + "---|" * len(peers)]
    for i, r in enumerate(plan):
        flt = " ".join(f"{k}={'|'.join(v)}" for k, v in r["include"].items())
        L.append(f"| {r['cls']} | `{r['q']}` | {flt} | {r['source']} | {r['df']} | {ot.get(i, '—')} | "
                 + " | ".join(str(pt[p].get(i, "—")) for p in peers) + " |")
    L += ["", "</details>", ""]
    return L


def profile_section(res: dict) -> list[str]:
    profs = res.get("profiles") or {}
    if not profs:
        return []
    L = ["### Profiles (py-spy, `--profile`: the timings above include sampling overhead)", ""]
    for name, p in profs.items():
        if not p.get("samples"):
            continue
        L.append(f"**{name}** ({p['samples']:,} samples) — own time: "
                 + "; ".join(f"{f} {share:.0%}" for f, share in p["own"][:8]))
        L.append("")
        L.append("inclusive: " + "; ".join(f"{f} {share:.0%}" for f, share in p["inclusive"][:10]))
        L.append("")
    return L


def _all_p95(rows: list[dict], pass_no: int = 0) -> float | None:
    return latency_summary([r["ms"] for r in rows if r.get("pass") == pass_no and "error" not in r])["p95"]


def recall(rows: list[dict], plan: list[dict]) -> tuple[int, int, list[int]]:
    """(queries whose first-pass count equals df, queries answered, indexes of the others)."""
    tot = _totals(rows)
    bad = [i for i, t in sorted(tot.items()) if t != plan[i]["df"]]
    return len(tot) - len(bad), len(tot), bad


def targets(res: dict) -> list[tuple[str, str, str, bool | None]]:
    """(target, measured, limit, met) for issue 12's targets, from one size's results."""
    ph, plan, size = res["phases"], res.get("plan") or [], res["size"]
    tg = target_for(size)
    out = []
    q = _ok(ph, "query")
    per = _per_class(q["rows"], plan) if q and plan else {}
    per2 = _per_class(q["rows"], plan, 1) if q and plan else {}
    gq = ((q or {}).get("peers") or {}).get("groonga")
    gper = _per_class(gq, plan) if gq and plan else {}
    for cls, limit in tg["p95"].items():
        v, v2 = per.get(cls, {}).get("p95"), per2.get(cls, {}).get("p95")
        g = gper.get(cls, {}).get("p95")
        extra = f" (second pass {_ms(v2)}" + (f"; ours ÷ Groonga {_ratio(v, g)}" if g else "") + ")"
        out.append((f"{cls} p95, first run (in-process full page)", _ms(v) + (extra if v is not None else ""),
                    f"≤ {limit} ms", None if v is None else v <= limit))
    reb = _ok(ph, "rebuild")
    label = "full rebuild" + (" (reused index: earlier run's measurement)" if reb and reb.get("reused") else "")
    out.append((label, _s(reb["seconds"]) if reb else "—", _limit_s(tg["rebuild_s"]),
                None if not reb else reb["seconds"] <= tg["rebuild_s"]))
    isz = res.get("index_size")
    out.append(("index size", _mib(isz), _limit_b(tg["index_bytes"]),
                None if isz is None else isz <= tg["index_bytes"]))
    h = res.get("http") or {}
    rss = h.get("server_peak_rss")
    out.append(("server peak RSS", _mib(rss), _limit_rss(tg["server_rss"]),
                None if rss is None else rss <= tg["server_rss"]))
    if q and gq:
        a, b = _all_p95(q["rows"]), _all_p95(gq)
        r = a / b if a and b else None
        a2, b2 = _all_p95(q["rows"], 1), _all_p95(gq, 1)
        out.append(("our full page p95 ÷ Groonga's (all queries, first run)",
                    f"{_ratio(a, b)} ({_ms(a)} vs {_ms(b)}; second pass {_ratio(a2, b2)})",
                    f"≤ {GROONGA_RATIO_MAX:.0f}×", None if r is None else r <= GROONGA_RATIO_MAX))
    else:
        out.append(("our full page p95 ÷ Groonga's", "— (Groonga not run)", f"≤ {GROONGA_RATIO_MAX:.0f}×", None))
    if q and plan:
        ok, n, _bad = recall(q["rows"], plan)
        peer_txt = "; ".join(f"{PEER_NAMES.get(k, k)} {recall(v, plan)[0]}/{recall(v, plan)[1]}"
                             for k, v in (q.get("peers") or {}).items())
        out.append(("100 % substring recall (count = df)", f"ours {ok}/{n}" + (f"; {peer_txt}" if peer_txt else ""),
                    "every query", ok == n == len(plan)))
    upd, ch = _ok(ph, "update"), res.get("incremental_change") or {}
    out.append((f"incremental update ({ch.get('articles', '?'):,} articles changed)" if ch else "incremental update",
                _s(upd["seconds"]) if upd else "—", "≤ 30 s for 1k articles",
                None if not upd else upd["seconds"] <= INCREMENTAL_MAX_S))
    c8 = h.get("c8")
    out.append(("HTTP at concurrency 8", f"{c8['req_per_s']:.1f} req/s, {c8['errors']} errors" if c8 else "—",
                "≥ 20 req/s, 0 errors",
                None if not c8 else (c8["req_per_s"] or 0) >= SERVER_MIN_RPS and c8["errors"] == 0))
    return out


def summary_section(run: dict) -> list[str]:
    sizes = run["sizes"]
    if not sizes:
        return []
    L = ["## Targets at a glance (issue 12)", ""]
    for res in sizes:
        size = res["size"]
        ts = target_size(size)
        note = "" if size in TARGETS else f" — judged against the {ts:,} row (indicative only)"
        peers = res.get("peers")
        left = res.get("peers_left_out")
        why = ""
        if left:
            lim = left["max_size"]
            lim = _peer_limits_text(lim) if isinstance(lim, dict) else f"{lim}"
            why = (f" ({', '.join(PEER_NAMES.get(p, p) for p in left['peers'])} left out at this size: "
                   f"--peers-max-size {lim})")
        L += [f"**{size:,} articles**{note}; peers run: "
              f"{', '.join(PEER_NAMES.get(p, p) for p in peers) if peers else 'none'}{why}.", "",
              "| target | limit | measured | verdict |", "|---|---|---|---|"]
        for name, measured, limit, ok in targets(res):
            L.append(f"| {name} | {limit} | {measured} | {_verdict(ok, size)} |")
        L.append("")
    return L


KEEP_MARKER = "<!-- Sections below are written by other scripts; benchmarks/run keeps them. -->"


def write(path, text: str) -> None:
    """Write RESULTS.md, keeping whatever follows KEEP_MARKER in the existing file."""
    from pathlib import Path

    path = Path(path)
    kept = ""
    if path.exists():
        old = path.read_text(encoding="utf-8")
        if KEEP_MARKER in old:
            kept = "\n" + old[old.index(KEEP_MARKER):]
    path.write_text(text.rstrip("\n") + "\n" + kept, encoding="utf-8")


def render(run: dict) -> str:
    L = ["# Benchmark results", "",
         "Written by `benchmarks/run` (see the README). Targets are issue 12's, stated for 100k and 1M "
         "articles on this 2-core machine; at other sizes the verdict is marked with the size and is only "
         "indicative. Latencies are wall-clock times of one full request (results + facets + highlights); "
         "ours, Groonga and tantivy answer the same queries in turn, query by query, in one process "
         "(Groonga as its stdin-fed subprocess), so load on the shared machine hits all three alike.", ""]
    L += machine_section(run)
    L += summary_section(run)
    for res in run["sizes"]:
        L += size_section(res)
        L += profile_section(res)
    return "\n".join(L) + "\n"
