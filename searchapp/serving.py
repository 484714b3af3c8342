"""The waitress server of `newsearch serve`, with deliberate limits and timeouts.

Waitress out of the box stops accepting connections at 100 open ones and closes an idle one
only after 120 s, so 101 idle sockets lock every user out. Here:

* a request's line and headers must arrive within ``header_timeout`` seconds of the
  connection becoming idle (a slow-drip client is cut off; so is a connection that never
  sends anything); an idle keep-alive connection is closed after ``channel_timeout``;
* at ``connections`` open connections the server does not stop accepting: it closes the
  connections that have waited longest without a request being served, so a flood of idle
  sockets cannot lock out a real request (only connections being served count against it);
* the request line and headers may be ``max_header_bytes`` long (431 beyond), the URL
  ``max_url_bytes`` (414), a body ``max_body_bytes`` (413).
"""
from __future__ import annotations

import resource
import types
from dataclasses import dataclass

import waitress
from waitress.server import BaseWSGIServer

from searchapp.hosts import error_answer

MAINTENANCE_INTERVAL = 1       # seconds between timeout checks


@dataclass(frozen=True)
class Limits:
    connections: int = 1000
    channel_timeout: int = 30
    header_timeout: int = 10
    # A 10,000-character Chinese query is ~90 KB of URL: it still gets the page that says it
    # was cut (MAX_QUERY_CHARS), not a 414.
    max_header_bytes: int = 192 * 1024
    max_url_bytes: int = 128 * 1024
    max_body_bytes: int = 1024 * 1024 + 64 * 1024     # the batch upload (searchapp.batch.MAX_UPLOAD_BYTES) and its form


URI_TOO_LONG = "网址过长,请缩短查询 (414 URI Too Long)。"


class UrlLimit:
    """WSGI middleware: a URL longer than `limit` bytes gets 414."""

    def __init__(self, app, limit: int):
        self.app, self.limit = app, limit

    def __call__(self, environ, start_response):
        uri = environ.get("REQUEST_URI") or (environ.get("PATH_INFO", "") + "?" + environ.get("QUERY_STRING", ""))
        if len(uri.encode("latin-1", "replace")) > self.limit:
            return error_answer(environ, start_response, "414 URI Too Long", URI_TOO_LONG)
        return self.app(environ, start_response)


def _raise_fd_limit(connections: int) -> int:
    """Make room for `connections` sockets (plus files and threads); returns what fits."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    want = connections + 128
    if soft != resource.RLIM_INFINITY and soft < want:
        new = want if hard == resource.RLIM_INFINITY else min(want, hard)
        try:
            resource.setrlimit(resource.RLIMIT_NOFILE, (new, hard))
            soft = new
        except (ValueError, OSError):
            pass
    if soft == resource.RLIM_INFINITY:
        return connections
    return max(16, min(connections, soft - 128))


def _waiting(ch) -> bool:
    """No request of this connection is being served or answered."""
    return not ch.requests and not ch.total_outbufs_len and not ch.will_close


class _Guard:
    """Header timeout and eviction at the connection limit for a server's listeners."""

    def __init__(self, listeners: list, limits: Limits):
        self.listeners, self.limits = listeners, limits

    def channels(self):
        for srv in self.listeners:
            yield from list(srv.active_channels.values())

    def maintenance(self, srv, now: float) -> None:
        BaseWSGIServer.maintenance(srv, now)           # idle > channel_timeout
        for ch in list(srv.active_channels.values()):
            if not _waiting(ch):
                ch._ns_busy = now
                continue
            served = hasattr(ch, "_ns_busy")
            since = getattr(ch, "_ns_busy", ch.creation_time)
            if (ch.request is not None or not served) and now - since > self.limits.header_timeout:
                ch.will_close = True                     # headers too slow, or nothing sent

    def readable(self, srv) -> bool:
        if srv.accepting and len(srv._map) >= srv.adj.connection_limit:
            self.evict(len(srv._map) - srv.adj.connection_limit + max(1, srv.adj.connection_limit // 10))
        return BaseWSGIServer.readable(srv)

    def evict(self, n: int) -> None:
        idle = sorted((ch for ch in self.channels() if _waiting(ch)),
                      key=lambda ch: getattr(ch, "_ns_busy", ch.creation_time))
        for ch in idle[:n]:
            ch.will_close = True


def create_server(app, host: str, port: int, threads: int, limits: Limits = Limits()):
    """A waitress server for `app` with `limits` (call .run(), then .close())."""
    connections = _raise_fd_limit(limits.connections)
    server = waitress.create_server(
        UrlLimit(app, limits.max_url_bytes), host=host, port=port, threads=threads, ident="newsearch",
        connection_limit=connections, channel_timeout=limits.channel_timeout,
        cleanup_interval=MAINTENANCE_INTERVAL, max_request_header_size=limits.max_header_bytes,
        max_request_body_size=limits.max_body_bytes)
    dispatchers = getattr(server, "map", None) or server._map
    listeners = [d for d in dispatchers.values() if isinstance(d, BaseWSGIServer)]
    guard = _Guard(listeners, limits)
    for srv in listeners:
        srv.maintenance = types.MethodType(guard.maintenance, srv)
        srv.readable = types.MethodType(guard.readable, srv)
    server.limits = limits
    return server
