"""searchapp.serving under a real `newsearch serve` on 127.0.0.1: size limits answer
413/414/431, and a flood of idle and slow-drip connections well past the connection limit
does not lock out real requests (bounded loops, loopback only)."""
from __future__ import annotations

import re
import socket
import subprocess
import threading
import time
import urllib.request

import pytest

from reliability_support import ROOT_DIR, cli_env, newsearch_argv

pytestmark = pytest.mark.slow


class Serve:
    def __init__(self, index_dir, *options):
        self.proc = subprocess.Popen(
            [*newsearch_argv(), "serve", "--port", "0", "--index-dir", str(index_dir), *map(str, options)],
            cwd=ROOT_DIR, env=cli_env(), stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        self.output = []
        self.port = None
        deadline = time.monotonic() + 90
        while self.port is None and time.monotonic() < deadline:
            line = self.proc.stdout.readline()
            if not line:
                break
            self.output.append(line)
            m = re.search(r"http://127\.0\.0\.1:(\d+)/", line)
            if m:
                self.port = int(m.group(1))
        if self.port is None:
            self.stop()
            raise AssertionError("server did not start:\n" + "".join(self.output))
        self._drain = threading.Thread(target=lambda: [self.output.append(x) for x in self.proc.stdout],
                                       daemon=True)
        self._drain.start()

    def stop(self):
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        if getattr(self, "_drain", None) is not None:
            self._drain.join(timeout=10)
        self.proc.stdout.close()

    def raw(self, data: bytes, timeout: float = 10) -> bytes:
        with socket.create_connection(("127.0.0.1", self.port), timeout=timeout) as s:
            s.sendall(data)
            out = b""
            while b"\r\n\r\n" not in out:
                try:
                    chunk = s.recv(65536)
                except (ConnectionResetError, socket.timeout):
                    break
                if not chunk:
                    break
                out += chunk
            return out

    def get(self, path: str, timeout: float) -> int:
        req = urllib.request.Request(f"http://127.0.0.1:{self.port}{path}")
        with urllib.request.urlopen(req, timeout=timeout) as r:
            r.read()
            return r.status


def status_of(response: bytes) -> int:
    m = re.match(rb"HTTP/1\.[01] (\d{3})", response)
    assert m, response[:200]
    return int(m.group(1))


def test_size_limits_answer_413_414_431(seed_index_dir):
    srv = Serve(seed_index_dir, "--max-header-bytes", 4096, "--max-url-bytes", 1024, "--max-body-bytes", 1000)
    try:
        host = b"Host: 127.0.0.1\r\n"
        assert status_of(srv.raw(b"GET /api/info HTTP/1.1\r\n" + host + b"\r\n")) == 200
        long_url = b"/?q=" + b"a" * 2000
        too_long = srv.raw(b"GET " + long_url + b" HTTP/1.1\r\n" + host + b"\r\n")
        assert status_of(too_long) == 414 and b"X-Content-Type-Options: nosniff" in too_long
        api_long = srv.raw(b"GET /api/search" + long_url[1:] + b" HTTP/1.1\r\n" + host + b"\r\n")
        assert status_of(api_long) == 414 and b"Content-Type: application/json" in api_long
        big_headers = b"".join(b"X-Pad-%d: %s\r\n" % (i, b"b" * 100) for i in range(60))
        assert status_of(srv.raw(b"GET / HTTP/1.1\r\n" + host + big_headers + b"\r\n")) == 431
        body = b"GET /api/info HTTP/1.1\r\n" + host + b"Content-Length: 50000\r\n\r\n" + b"c" * 2000
        assert status_of(srv.raw(body)) == 413
        assert status_of(srv.raw(b"GET / HTTP/1.1\r\nHost: " + b"a" * 64 + b".example\r\n\r\n")) == 400
        assert status_of(srv.raw(b"GET /api/info HTTP/1.1\r\n" + host + b"\r\n")) == 200
    finally:
        srv.stop()


def test_slow_client_flood_does_not_lock_out_real_requests(seed_index_dir):
    """Far more idle sockets than the connection limit, plus slow-drip clients that send a
    header byte every half second (re-opened when cut): real requests keep answering."""
    limit = 40
    srv = Serve(seed_index_dir, "--connection-limit", limit, "--header-timeout", 2, "--channel-timeout", 4,
                "--threads", 4)
    stop = threading.Event()
    opened = {"idle": 0, "drip": 0}
    socks: list[socket.socket] = []
    lock = threading.Lock()

    def connect() -> socket.socket | None:
        try:
            s = socket.create_connection(("127.0.0.1", srv.port), timeout=2)
        except OSError:
            return None
        with lock:
            socks.append(s)
        return s

    def still_open(s: socket.socket) -> bool:
        try:
            s.setblocking(False)
            return s.recv(1, socket.MSG_PEEK) != b""
        except BlockingIOError:
            return True
        except OSError:
            return False

    def idle_flood():
        # keep ~3x the limit of silent connections open, re-opening the ones the server closed
        pool: list[socket.socket] = []
        for _ in range(2000):                       # bounded
            if stop.is_set():
                break
            pool = [s for s in pool if still_open(s)]
            while len(pool) < 3 * limit and not stop.is_set():
                s = connect()
                if s is None:
                    break
                pool.append(s)
                opened["idle"] += 1
            time.sleep(0.2)

    def slow_drip():
        for _ in range(400):                        # bounded
            if stop.is_set():
                break
            s = connect()
            if s is None:
                time.sleep(0.2)
                continue
            opened["drip"] += 1
            try:
                s.sendall(b"GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: ")
                for _ in range(100):
                    if stop.is_set():
                        break
                    s.sendall(b"z")
                    time.sleep(0.5)
            except OSError:
                pass                                # cut off by the server: open another

    threads = [threading.Thread(target=idle_flood, daemon=True)] + \
              [threading.Thread(target=slow_drip, daemon=True) for _ in range(20)]
    try:
        for t in threads:
            t.start()
        time.sleep(3)                               # the flood is past the limit by now
        latencies, failures = [], []
        for i in range(25):
            t0 = time.monotonic()
            try:
                status = srv.get(f"/api/search?q=%E7%AD%BE%E7%BA%A6&size=1&n={i}", timeout=8)
                if status != 200:
                    failures.append(f"request {i}: {status}")
            except OSError as e:
                failures.append(f"request {i}: {type(e).__name__}: {e}")
            latencies.append(time.monotonic() - t0)
            time.sleep(0.2)
        print(f"\n[flood] limit {limit}, opened {opened['idle']} idle + {opened['drip']} slow-drip "
              f"connections; 25 real requests, max latency {max(latencies):.2f} s, failures {len(failures)}")
        assert opened["idle"] > 3 * limit and opened["drip"] >= 20
        assert not failures, failures
    finally:
        stop.set()
        for t in threads:
            t.join(timeout=60)
        with lock:
            for s in socks:
                s.close()
        srv.stop()
