"""HTTP load against the real server: `newsearch serve` on 127.0.0.1, a free port.

Bounded loops: each run stops after `max_requests` requests or `max_seconds`, whichever
comes first. Client threads use http.client with keep-alive, one connection per thread.
"""
from __future__ import annotations

import http.client
import os
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.parse
from pathlib import Path


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def api_path(rec: dict, extra: dict | None = None) -> str:
    pairs = [("q", rec["q"])]
    for facet, values in sorted((rec.get("include") or {}).items()):
        pairs.extend((facet, v) for v in values)
    pairs.extend(sorted((extra or {}).items()))
    return "/api/search?" + urllib.parse.urlencode(pairs)


def rounds(plan: list[dict], n: int) -> list[tuple[str, str]]:
    """The query mix n times, each round a different request for the same query: newest
    first, then page 2, then the plain request again (which a result cache may serve)."""
    variants = [{"sort": "newest"}, {"page": "2"}, {}]
    out = []
    for r in range(n):
        extra = variants[r % len(variants)]
        out += [(rec["cls"], api_path(rec, extra)) for rec in plan]
    return out


def newsearch_command() -> list[str]:
    exe = Path(sys.executable).with_name("newsearch")
    if exe.exists():
        return [str(exe)]
    found = shutil.which("newsearch")
    if found:
        return [found]
    return [sys.executable, "-c", "from searchapp.cli import main; main()"]


class Server:
    """`newsearch serve` as a subprocess; stopped with SIGTERM (then SIGKILL) by its pid."""

    def __init__(self, index_dir, log_path, port: int | None = None, extra_args=(), wrap=None):
        self.port = port or free_port()
        self.cmd = newsearch_command() + ["serve", "--host", "127.0.0.1", "--port", str(self.port),
                                          "--index-dir", str(index_dir), *extra_args]
        self.wrapped = wrap is not None
        if wrap is not None:
            self.cmd = wrap(self.cmd)
        self.log_path = log_path
        self.proc: subprocess.Popen | None = None

    def start(self, timeout: float = 120.0) -> float:
        t0 = time.perf_counter()
        self._log = open(self.log_path, "ab")
        env = dict(os.environ, PYTHONUNBUFFERED="1")
        self.proc = subprocess.Popen(self.cmd, stdout=self._log, stderr=subprocess.STDOUT, env=env,
                                     start_new_session=True)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"server exited with {self.proc.returncode}; see {self.log_path}")
            try:
                conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=5)
                conn.request("GET", "/api/info")
                resp = conn.getresponse()
                resp.read()
                conn.close()
                if resp.status == 200:
                    return time.perf_counter() - t0
            except OSError:
                pass
            time.sleep(0.2)
        self.stop()
        raise RuntimeError(f"server did not answer within {timeout:.0f} s; see {self.log_path}")

    def stop(self) -> None:
        """SIGTERM to the server's process group (it is its own session), SIGKILL if needed."""
        if self.proc and self.proc.poll() is None:
            if self.wrapped:             # py-spy writes its profile on SIGINT
                self.proc.send_signal(signal.SIGINT)
                try:
                    self.proc.wait(60)
                except subprocess.TimeoutExpired:
                    pass
            try:
                os.killpg(self.proc.pid, signal.SIGTERM)
                self.proc.wait(15)
            except ProcessLookupError:
                pass
            except subprocess.TimeoutExpired:
                os.killpg(self.proc.pid, signal.SIGKILL)
                self.proc.wait(15)
        if getattr(self, "_log", None):
            self._log.close()


def run_load(port: int, requests: list[tuple[str, str]], concurrency: int,
             max_requests: int, max_seconds: float, timeout: float = 60.0) -> dict:
    """`requests` is a list of (class, path), cycled through in order by all threads."""
    lock = threading.Lock()
    state = {"next": 0}
    rows: list[tuple[str, float, bool]] = []
    errors: list[str] = []
    deadline = time.monotonic() + max_seconds

    def claim() -> int | None:
        with lock:
            i = state["next"]
            if i >= max_requests or time.monotonic() > deadline:
                return None
            state["next"] = i + 1
            return i

    def worker():
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
        while (i := claim()) is not None:
            cls, path = requests[i % len(requests)]
            t = time.perf_counter()
            ok = False
            try:
                conn.request("GET", path, headers={"Accept": "application/json"})
                resp = conn.getresponse()
                body = resp.read()
                ok = resp.status == 200 and body[:1] == b"{"
                if not ok:
                    with lock:
                        errors.append(f"{resp.status} {path[:80]}: {body[:120]!r}")
            except (OSError, http.client.HTTPException) as e:
                with lock:
                    errors.append(f"{type(e).__name__}: {e} ({path[:80]})")
                conn.close()
                conn = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
            ms = (time.perf_counter() - t) * 1000
            with lock:
                rows.append((cls, ms, ok))
        conn.close()

    t0 = time.perf_counter()
    threads = [threading.Thread(target=worker, daemon=True) for _ in range(concurrency)]
    for th in threads:
        th.start()
    for th in threads:
        th.join()
    wall = time.perf_counter() - t0
    done = len(rows)
    return {"concurrency": concurrency, "requests": done, "seconds": wall,
            "req_per_s": done / wall if wall else None,
            "errors": sum(1 for r in rows if not r[2]), "error_examples": errors[:5],
            "rows": [{"cls": c, "ms": ms, "ok": ok} for c, ms, ok in rows],
            "stopped_by": "requests" if done >= max_requests else "time"}
