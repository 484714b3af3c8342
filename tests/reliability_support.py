"""Helpers for the reliability tests (issue 6): real `newsearch` processes, corpora built from
seeds/, the expected state of an index, a watcher of the index directory, and a server.

Nothing here mocks a component: the indexer and the server run as real processes (the
console script next to sys.executable), the index is read through the public API
(IndexHandle, SearchService) or over HTTP on 127.0.0.1.
"""
from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

TESTS_DIR = Path(__file__).resolve().parent
ROOT_DIR = TESTS_DIR.parent
SEEDS_DIR = ROOT_DIR / "seeds"

# Queries whose counts tell corpus states apart (each seed page matches them differently).
STATE_QUERIES = ("", "惠济区", "项目", "签约", "疫情", "title:开门红", '"经济运行"')

BUSY_ZH = "另一个索引任务正在运行"
BUSY_DIR = "索引目录"                 # the message names the index directory
WRITE_ZH = "无法写入索引目录"
EXIT_FILES_FAILED, EXIT_BUSY, EXIT_WRITE = 1, 2, 3


# --------------------------------------------------------------------------- processes

def newsearch_argv() -> list[str]:
    """The installed console script beside this interpreter, else `python -c main()`."""
    script = Path(sys.executable).parent / "newsearch"
    if script.is_file() and os.access(script, os.X_OK):
        return [str(script)]
    return [sys.executable, "-c", "from searchapp.cli import main; main()"]


def cli_env(**extra: str) -> dict:
    env = {k: v for k, v in os.environ.items() if not k.startswith("NEWSEARCH_")}
    env.update(PYTHONUNBUFFERED="1", PYTHONDONTWRITEBYTECODE="1")
    env.update(extra)
    return env


def run_newsearch(*args, timeout: float = 300, preexec_fn=None, env: dict | None = None,
                  ) -> subprocess.CompletedProcess:
    return subprocess.run([*newsearch_argv(), *map(str, args)], cwd=ROOT_DIR, env=env or cli_env(),
                          stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                          timeout=timeout, preexec_fn=preexec_fn)


def start_newsearch(*args, env: dict | None = None, preexec_fn=None) -> subprocess.Popen:
    """A `newsearch` process in its own process group (so it and its workers can be frozen
    and killed together)."""
    return subprocess.Popen([*newsearch_argv(), *map(str, args)], cwd=ROOT_DIR, env=env or cli_env(),
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            start_new_session=True, preexec_fn=preexec_fn)


def describe(result) -> str:
    """Exit code and output of a finished process, for assertion messages."""
    out, err = (result.stdout, result.stderr)
    return f"exit {result.returncode}\n--- stdout\n{out[-3000:]}\n--- stderr\n{err[-3000:]}"


def pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    try:        # a zombie (dead, not yet reaped) does not count as alive
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


def group_pids(pgid: int) -> list[int]:
    """Live processes of a process group (from /proc)."""
    out = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[2]) == pgid and fields[0] != "Z":
            out.append(int(entry.name))
    return out


def wait_group_gone(pgid: int, timeout: float) -> list[int]:
    """Wait until no process of the group is alive; returns the ones still alive."""
    deadline = time.monotonic() + timeout
    while True:
        left = group_pids(pgid)
        if not left or time.monotonic() > deadline:
            return left
        time.sleep(0.05)


def rss_kib(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    raise AssertionError(f"no VmRSS for pid {pid}")


# --------------------------------------------------------------------------- corpora

def seed_pages() -> list[Path]:
    pages = sorted(SEEDS_DIR.glob("*.txt"))
    assert len(pages) >= 5, pages
    return pages


def write_corpus(folder: Path, spec: dict[str, int]) -> None:
    """Make `folder` hold exactly the files of `spec` (file name -> index of the seed page
    whose bytes it holds). Files not in spec are removed; unchanged files are not touched."""
    folder.mkdir(parents=True, exist_ok=True)
    pages = seed_pages()
    for old in folder.glob("*.txt"):
        if old.name not in spec:
            old.unlink()
    for name, seed in spec.items():
        data = pages[seed].read_bytes()
        path = folder / name
        if not path.exists() or path.read_bytes() != data:
            path.write_bytes(data)


def copies_spec(copies, rotate: int = 0) -> dict[str, int]:
    """Pages c{copy}_{k}.txt for the given copy numbers, holding seed page (k + rotate) % n.
    File names carry no date, so every copy has the seeds' own dates."""
    n = len(seed_pages())
    return {f"c{c:03d}_{k}.txt": (k + rotate) % n for c in copies for k in range(n)}


@dataclass(frozen=True)
class State:
    """What an index holds: its article ids and the hit counts of STATE_QUERIES."""
    ids: frozenset
    counts: tuple

    def count(self, q: str) -> int:
        return dict(self.counts)[q]

    def short(self) -> str:
        return f"{len(self.ids)} articles, counts {dict(self.counts)}"


class Expectations:
    """Expected States of corpora, computed without the index under test:

    * ids: what `newsearch parse --json` gives for the corpus folder;
    * counts: per seed page, the hits of each query in a reference index of seeds/,
      summed over the corpus files (a copy of a seed page matches what the seed matches).
    """

    def __init__(self, seed_index_dir: Path):
        from searchapp.model import SearchQuery
        from searchapp.service import SearchService

        svc = SearchService(seed_index_dir)
        names = [p.name for p in seed_pages()]
        self.per_seed: dict[str, list[int]] = {}
        for q in STATE_QUERIES:
            c = Counter(Path(h.source).name for h in svc.iter_hits(SearchQuery(q=q)))
            self.per_seed[q] = [c.get(n, 0) for n in names]
        assert sum(self.per_seed[""]) > 0

    def state(self, folder: Path, spec: dict[str, int]) -> State:
        result = run_newsearch("parse", "--json", folder, timeout=300)
        assert result.returncode == 0, describe(result)
        ids = [json.loads(line)["id"] for line in result.stdout.splitlines() if line.strip()]
        counts = tuple((q, sum(self.per_seed[q][s] for s in spec.values())) for q in STATE_QUERIES)
        state = State(frozenset(ids), counts)
        assert len(state.ids) == state.count(""), "seed copies must not share article ids"
        return state


def index_state(index_dir: Path) -> State:
    """The State of the live index, read the way a new reader (a freshly started server) would."""
    from indexer.store import IndexHandle
    from searchapp.model import SearchQuery
    from searchapp.service import SearchService

    with IndexHandle(index_dir) as handle, handle.searcher() as s:
        ids = [fields["id"] for fields in s.all_stored_fields()]
    assert len(ids) == len(set(ids)), f"duplicate article ids in the index: {Counter(ids).most_common(3)}"
    svc = SearchService(index_dir)
    counts = tuple((q, svc.search(SearchQuery(q=q, page_size=1)).total) for q in STATE_QUERIES)
    return State(frozenset(ids), counts)


# --------------------------------------------------------------------------- index directory

def lock_holder(index_dir: Path) -> dict:
    try:
        return json.loads((Path(index_dir) / ".lock").read_text(encoding="utf-8") or "{}")
    except (OSError, ValueError):
        return {}


def live_generation(index_dir: Path) -> str | None:
    try:
        return (Path(index_dir) / "CURRENT").read_text(encoding="utf-8").strip() or None
    except OSError:
        return None


def generations(index_dir: Path) -> list[str]:
    try:
        return sorted(p.name for p in Path(index_dir).iterdir() if p.name.startswith("gen-") and p.is_dir())
    except FileNotFoundError:
        return []


@dataclass(frozen=True)
class DirSnapshot:
    """The files of an index directory at one moment (what a kill point is chosen from)."""
    lock_pid: int | None
    current: str | None
    gens: dict          # generation name -> {file name: mtime_ns}

    @staticmethod
    def take(index_dir: Path) -> "DirSnapshot":
        index_dir = Path(index_dir)
        gens = {}
        for name in generations(index_dir):
            files = {}
            try:
                with os.scandir(index_dir / name) as it:
                    for e in it:
                        try:
                            files[e.name] = e.stat(follow_symlinks=False).st_mtime_ns
                        except FileNotFoundError:
                            pass
            except FileNotFoundError:
                continue
            try:
                with os.scandir(index_dir / name / "substr") as it:
                    for e in it:
                        try:
                            files["substr/" + e.name] = e.stat(follow_symlinks=False).st_mtime_ns
                        except FileNotFoundError:
                            pass
            except (FileNotFoundError, NotADirectoryError):
                pass
            gens[name] = files
        return DirSnapshot(lock_holder(index_dir).get("pid"), live_generation(index_dir), gens)

    def files(self, gen: str | None) -> dict:
        return self.gens.get(gen, {}) if gen else {}


_TOC = re.compile(r"_MAIN_(\d+)\.toc$")


def toc_numbers(files) -> set[int]:
    return {int(m.group(1)) for f in files if (m := _TOC.search(f))}


# --------------------------------------------------------------------------- server

class Server:
    """`newsearch serve --port 0` in a subprocess; url, pid, rss_kib(), stop().

    Its output is drained by a thread (waitress logs queue warnings under load; an unread
    pipe would fill up and stall the server)."""

    def __init__(self, index_dir: Path, threads: int = 8, timeout: float = 90):
        self.proc = subprocess.Popen(
            [*newsearch_argv(), "serve", "--host", "127.0.0.1", "--port", "0", "--threads", str(threads),
             "--index-dir", str(index_dir)],
            cwd=ROOT_DIR, env=cli_env(), stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        self.output: list[str] = []
        self.url = None
        self._drain = None
        try:
            deadline = time.monotonic() + timeout
            while self.url is None and time.monotonic() < deadline:
                line = self.proc.stdout.readline()
                if not line:
                    break
                self.output.append(line)
                m = re.search(r"http://127\.0\.0\.1:(\d+)/", line)
                if m:
                    self.url = f"http://127.0.0.1:{m.group(1)}"
            if self.url is None:
                raise AssertionError("server did not start:\n" + "".join(self.output))
        except BaseException:
            self.stop()
            raise
        self.pid = self.proc.pid
        self._drain = threading.Thread(target=self._read_output, daemon=True)
        self._drain.start()

    def _read_output(self) -> None:
        for line in self.proc.stdout:
            if len(self.output) < 10_000:
                self.output.append(line)

    def rss_kib(self) -> int:
        return rss_kib(self.pid)

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGINT)
            try:
                self.proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        if self._drain is not None:
            self._drain.join(timeout=10)
        elif self.proc.stdout:
            self.output.append(self.proc.stdout.read() or "")
        if self.proc.stdout:
            self.proc.stdout.close()

    def __enter__(self) -> "Server":
        return self

    def __exit__(self, *exc) -> None:
        self.stop()


def http_get(url: str, timeout: float = 30) -> tuple[int, dict, bytes]:
    """(status, headers, body) for any status; 127.0.0.1 only."""
    assert url.startswith("http://127.0.0.1:"), url
    req = urllib.request.Request(url, headers={"Accept-Encoding": "identity"})
    try:
        with urllib.request.urlopen(req, timeout=timeout) as resp:
            return resp.status, dict(resp.headers), resp.read()
    except urllib.error.HTTPError as e:
        return e.code, dict(e.headers), e.read()


def api_total(base_url: str, q: str) -> int:
    from urllib.parse import urlencode

    status, _, body = http_get(f"{base_url}/api/search?{urlencode({'q': q, 'size': 1})}")
    assert status == 200, (status, body[:300])
    return json.loads(body)["total"]
