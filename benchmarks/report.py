"""RESULTS.md from the measurements of one run of benchmarks/run (pure: dict in, text out)."""
from __future__ import annotations

from benchmarks.measure import latency_summary
from benchmarks.queries import CLASSES

GIB = 2**30
TARGET_SIZE = 100_000
# Issue 5's targets at 100k articles on this 2-core machine.
P95_TARGET_MS = {"rare": 100, "medium": 100, "common": 500}
REBUILD_MAX_S = 15 * 60
REBUILD_JIEBA_RATIO = 0.5
INCREMENTAL_MAX_S = 30
SERVER_MIN_RPS = 20
SERVER_MAX_RSS = 1 * GIB


def _ms(x) -> str:
    if x is None:
        return "—"
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
    word = "met" if ok else "**missed**"
    return word if size >= TARGET_SIZE else f"{word} (at {size:,})"


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
        f"- Command: `benchmarks/run --sizes {','.join(str(s) for s in run['args']['sizes'])}"
        + (f" --skip {','.join(run['args']['skip'])}" if run["args"]["skip"] else "")
        + (" --profile" if run["args"].get("profile") else "") + "`"
        + f", seed {run['args']['seed']}, {run['args']['per_class']} queries per class,"
        f" {run['args']['passes']} in-process passes; total {_s(run.get('seconds'))}",
        "",
    ]


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
          "| measure | value | target (at 100k) | verdict |", "|---|---|---|---|"]
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
    if reb:
        s = reb["seconds"]
        chars = parse["chars"] if parse else None
        arts = parse["articles"] if parse else None
        cps = chars / s if chars else None
        proc = reb["process"]
        how = (f"**reused index** (`--reuse-index`) built {reb.get('reused_from')} with the same corpus "
               f"and indexer code, measured then: " if reb.get("reused") else "")
        L.append(f"| full rebuild time | {how}{_s(s)} | ≤ 15 min | {_verdict(s <= REBUILD_MAX_S, size)} |")
        L.append(f"| full rebuild throughput | {_n(arts / s if arts else None)} articles/s, {_n(cps)} chars/s "
                 f"(CPU {proc['user_cpu'] + proc['sys_cpu']:.0f} s over {proc['procs']} processes) | — | — |")
        ratio = cps / jieba_cps if cps and jieba_cps else None
        L.append(f"| rebuild chars/s ÷ raw jieba chars/s (one core) | {'—' if ratio is None else f'{ratio:.2f}'} "
                 f"| ≥ 0.50 | {_verdict(None if ratio is None else ratio >= REBUILD_JIEBA_RATIO, size)} |")
        cpu_s = proc["user_cpu"] + proc["sys_cpu"]
        if jb and jb.get("chars_per_cpu_s") and chars and cpu_s:
            L.append(f"| rebuild CPU per character ÷ raw jieba CPU per character | "
                     f"{(cpu_s / chars) * jb['chars_per_cpu_s']:.1f} (load-independent: how many times "
                     f"jieba's own work the indexer spends) | — | — |")
        L.append(f"| peak RSS of the indexer process tree | {_mib(proc['peak_tree_rss'])} "
                 f"(largest process {_mib(max(proc['peak_single_rss'], proc['maxrss_wait4']))}) | — | — |")
        L.append(f"| index size on disk | {_mib(res.get('index_size'))} | — | — |")
    elif _fail(ph, "rebuild"):
        L.append(f"| full rebuild | failed: {_fail(ph, 'rebuild')} | ≤ 15 min | **missed** |")
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
        L.append(f"| incremental update | failed: {_fail(ph, 'update')} | ≤ 30 s | **missed** |")
    L.append("")
    loads = [(k, v["loadavg_before"]) for k, v in ph.items() if v.get("loadavg_before") is not None]
    if (res.get("http") or {}).get("loadavg_before") is not None:
        loads.append(("http", res["http"]["loadavg_before"]))
    if loads:
        L.append("One-minute load average when each phase started (2 cores; above 2 other work "
                 "competed with the measurement): " + ", ".join(f"{k} {v:.1f}" for k, v in loads) + ".")
        L.append("")

    # ---------------------------------------------------------------- queries
    q, tq = _ok(ph, "query"), _ok(ph, "tantivy-query")
    checks = res.get("plan_check", {})
    if plan:
        L += ["### Query latency, in-process (`SearchService.search`: results + facets + highlights)", "",
              "First run of each query (after a warm-up with other queries); the repeat column is a second "
              "pass over the same queries in another order. tantivy runs the same mix over the same "
              "tokens (top 20, BM25, facet counts by aggregation, title and body snippets).", "",
              "| class | queries | df (articles) | p50 | p95 | p99 | repeat p50 / p95 | target p95 | verdict "
              "| tantivy p50 / p95 | ours ÷ tantivy p50 / p95 |",
              "|---|---|---|---|---|---|---|---|---|---|---|"]
        ours = _per_class(q["rows"], plan) if q else {}
        ours2 = _per_class(q["rows"], plan, 1) if q else {}
        tv = _per_class(tq["rows"], plan) if tq else {}
        for cls in CLASSES:
            ck = checks.get(cls, {})
            o, o2, t = ours.get(cls, {}), ours2.get(cls, {}), tv.get(cls, {})
            target = P95_TARGET_MS.get(cls)
            ok = None if target is None or not o.get("p95") else o["p95"] <= target
            share = (f"{ck.get('df_min')}–{ck.get('df_max')} (median {ck.get('df_median')}; "
                     f"{ck.get('in_class')}/{ck.get('n')} in class)") if ck else "—"
            L.append(f"| {cls} | {ck.get('n', 0)} | {share} | {_ms(o.get('p50'))} | {_ms(o.get('p95'))} "
                     f"| {_ms(o.get('p99'))} | {_ms(o2.get('p50'))} / {_ms(o2.get('p95'))} "
                     f"| {'—' if target is None else f'≤ {target} ms'} | {_verdict(ok, size)} "
                     f"| {_ms(t.get('p50'))} / {_ms(t.get('p95'))} "
                     f"| {_ratio(o.get('p50'), t.get('p50'))} / {_ratio(o.get('p95'), t.get('p95'))} |")
        if q:
            allms = [r["ms"] for r in q["rows"] if r.get("pass") == 0 and "error" not in r]
            tall = [r["ms"] for r in tq["rows"] if r.get("pass") == 0 and "error" not in r] if tq else []
            a, b = latency_summary(allms), latency_summary(tall)
            L.append(f"| **all** | {len(plan)} | | {_ms(a['p50'])} | {_ms(a['p95'])} | {_ms(a['p99'])} | | | "
                     f"| {_ms(b['p50'])} / {_ms(b['p95'])} | {_ratio(a['p50'], b['p50'])} / {_ratio(a['p95'], b['p95'])} |")
            errs = [r for r in q["rows"] if "error" in r]
            if errs:
                L.append("")
                L.append(f"In-process errors: {len(errs)} (first: {errs[0]['error']}).")
            L.append("")
            L.append(f"Search process: open + warm-up {_s(q['open_and_warmup_seconds'])}, peak RSS "
                     f"{_mib(q['process']['peak_tree_rss'])}.")
        elif _fail(ph, "query"):
            L.append("")
            L.append(f"In-process queries failed: {_fail(ph, 'query')}")
        L.append("")

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
        L.append(f"| server peak RSS (process tree) | {_mib(rss)} | | | | | | ≤ 1 GiB "
                 f"| {_verdict(None if rss is None else rss <= SERVER_MAX_RSS, size)} |")
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

    # ---------------------------------------------------------------- tantivy build
    tb = _ok(ph, "tantivy-build")
    if tb:
        L += ["### tantivy baseline build", "",
              f"Tokenising with our word tokenizer ({tb['jobs']} processes): {_s(tb['tokenize_seconds'])}; "
              f"tantivy indexing of those tokens: {_s(tb['index_seconds'])} "
              f"({_n(tb['articles'] / tb['index_seconds'] if tb['index_seconds'] else None)} articles/s); "
              f"index size {_mib(tb['size'])}; peak RSS {_mib(tb['process']['peak_tree_rss'])}."]
        if reb:
            L.append(f"Our full rebuild ÷ tantivy (tokenising + indexing): "
                     f"{_ratio(reb['seconds'], tb['seconds'])}; index size ratio "
                     f"{_ratio(res.get('index_size'), tb['size'])}.")
        L.append("")
    elif _fail(ph, "tantivy-build"):
        L += [f"tantivy build failed: {_fail(ph, 'tantivy-build')}", ""]

    # ---------------------------------------------------------------- plan + hit counts
    if plan:
        ot = _totals(q["rows"]) if q else {}
        tt = _totals(tq["rows"]) if tq else {}
        fewer = sum(1 for i in range(len(plan)) if i in tt and (tt[i] or 0) < plan[i]["df"])
        missing = sum(1 for i in ot if (ot[i] or 0) < plan[i]["df"])
        extra = sum(1 for i in ot if (ot[i] or 0) > plan[i]["df"])
        ours_note = (f"Our total is below df (a recall loss) for {missing} and above df (matches that are "
                     f"not verbatim) for {extra} of {len(ot)} queries. " if ot else "")
        tv_note = (f"tantivy, matching whole jieba tokens, finds fewer than df for {fewer} of "
                   f"{len(tt)} queries." if tt else "")
        L += ["### Queries", "",
              "df = articles whose title or body contains the query text verbatim (the recall contract of "
              "the search issue), computed from the parsed corpus. " + ours_note + tv_note,
              "", "<details><summary>All queries</summary>", "",
              "| class | query | filter | source | df | ours | tantivy |", "|---|---|---|---|---|---|---|"]
        for i, r in enumerate(plan):
            flt = " ".join(f"{k}={'|'.join(v)}" for k, v in r["include"].items())
            L.append(f"| {r['cls']} | `{r['q']}` | {flt} | {r['source']} | {r['df']} | "
                     f"{ot.get(i, '—')} | {tt.get(i, '—')} |")
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


def targets(res: dict) -> list[tuple[str, str, str, bool | None]]:
    """(target, measured, limit, met) for issue 5's targets, from one size's results."""
    ph, plan, size = res["phases"], res.get("plan") or [], res["size"]
    out = []
    q = _ok(ph, "query")
    per = _per_class(q["rows"], plan) if q and plan else {}
    for cls, limit in P95_TARGET_MS.items():
        v = per.get(cls, {}).get("p95")
        out.append((f"{cls} p95 (in-process)", _ms(v), f"≤ {limit} ms", None if v is None else v <= limit))
    reb, parse, jb = _ok(ph, "rebuild"), _ok(ph, "parse"), _ok(ph, "jieba")
    out.append(("full rebuild", _s(reb["seconds"]) if reb else "—", "≤ 15 min",
                None if not reb else reb["seconds"] <= REBUILD_MAX_S))
    ratio = (parse["chars"] / reb["seconds"]) / jb["chars_per_s"] if reb and parse and jb else None
    out.append(("rebuild ÷ raw jieba throughput", "—" if ratio is None else f"{ratio:.2f}", "≥ 0.50",
                None if ratio is None else ratio >= REBUILD_JIEBA_RATIO))
    upd = _ok(ph, "update")
    out.append(("incremental update (1% of files)", _s(upd["seconds"]) if upd else "—", "≤ 30 s",
                None if not upd else upd["seconds"] <= INCREMENTAL_MAX_S))
    h = res.get("http") or {}
    c8 = h.get("c8")
    out.append(("server at concurrency 8", f"{c8['req_per_s']:.1f} req/s, {c8['errors']} errors" if c8 else "—",
                "≥ 20 req/s, 0 errors",
                None if not c8 else (c8["req_per_s"] or 0) >= SERVER_MIN_RPS and c8["errors"] == 0))
    rss = h.get("server_peak_rss")
    out.append(("server peak RSS", _mib(rss), "≤ 1 GiB", None if rss is None else rss <= SERVER_MAX_RSS))
    return out


def summary_section(run: dict) -> list[str]:
    sizes = run["sizes"]
    if not sizes:
        return []
    rows = [targets(r) for r in sizes]
    L = ["## Targets at a glance", "",
         "| target | limit | " + " | ".join(f"{r['size']:,} articles" for r in sizes) + " |",
         "|---|---|" + "---|" * len(sizes)]
    for i, (name, _m, limit, _ok_) in enumerate(rows[0]):
        cells = []
        for r, res in zip(rows, sizes):
            _n_, measured, _l, ok = r[i]
            cells.append(f"{measured}: {_verdict(ok, res['size'])}" if ok is not None else measured)
        L.append(f"| {name} | {limit} | " + " | ".join(cells) + " |")
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
         "Written by `benchmarks/run` (see the README). Targets are issue 5's, stated for 100k articles "
         "on this 2-core machine; at smaller sizes the verdict is marked with the size and is only "
         "indicative. Latencies are wall-clock times of one full request.", ""]
    L += machine_section(run)
    L += summary_section(run)
    for res in run["sizes"]:
        L += size_section(res)
        L += profile_section(res)
    return "\n".join(L) + "\n"
