"""Request hosts and absolute links: a bad Host header is a 400, links never copy it.

The Host header is the client's to choose. A malformed one (a 64-character label, spaces,
an out-of-range port) used to break URL building in every page and in the error page itself
(500); an attacker's well-formed one (`evil.example`) ended up in API links and feed ids.
Now `HostCheck` answers 400 to a malformed Host before the app runs, and absolute links are
built only from the configured base URL (`BASE_URL`, `newsearch serve --base-url`); without
one, links are relative to the page they are on.
"""
from __future__ import annotations

import ipaddress
import re
from urllib.parse import urlsplit

MAX_HOST_CHARS = 253
_LABEL = re.compile(r"[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\Z", re.IGNORECASE)
_PORT = re.compile(r"[0-9]{1,5}\Z")

BAD_HOST_MESSAGE = "请求的 Host 头无效,请检查网址。"


def _valid_port(port: str) -> bool:
    return bool(_PORT.match(port)) and 0 < int(port) <= 65535


def valid_hostname(name: str) -> bool:
    """A DNS name (ASCII or IDNA-encodable), an IPv4 address, or "[IPv6]"."""
    if name.startswith("["):
        if not name.endswith("]"):
            return False
        try:
            ipaddress.IPv6Address(name[1:-1])
        except ValueError:
            return False
        return True
    if not name or len(name) > MAX_HOST_CHARS:
        return False
    name = name[:-1] if name.endswith(".") else name
    if not name.isascii():
        try:
            name = name.encode("idna").decode("ascii")
        except UnicodeError:
            return False
    return all(_LABEL.match(label) for label in name.split("."))


def valid_host(value: str) -> bool:
    """A Host header value: hostname[:port]."""
    if not value or len(value) > MAX_HOST_CHARS + 8:
        return False
    if value.startswith("["):
        end = value.find("]")
        host, rest = value[:end + 1], value[end + 1:]
        if rest and not (rest.startswith(":") and _valid_port(rest[1:])):
            return False
        return valid_hostname(host)
    host, sep, port = value.rpartition(":")
    if not sep:
        host = value
    elif not _valid_port(port):
        return False
    return valid_hostname(host)


def error_answer(environ, start_response, status: str, message: str) -> list[bytes]:
    """A WSGI error answer given before the app runs, in the app's forms: JSON under /api/
    ({"error": {"status", "message"}}), else a small HTML page; never sniffed."""
    import json
    from html import escape

    code = int(status.split()[0])
    if environ.get("PATH_INFO", "").startswith("/api/"):
        body = json.dumps({"error": {"status": code, "message": message}}, ensure_ascii=False)
        ctype = "application/json"
    else:
        body = (f'<!doctype html><html lang="zh-CN"><meta charset="utf-8"><title>{code}</title>'
                f"<h1>{code}</h1><p>{escape(message)}</p></html>")
        ctype = "text/html; charset=utf-8"
    data = body.encode("utf-8")
    start_response(status, [("Content-Type", ctype), ("Content-Length", str(len(data))),
                            ("X-Content-Type-Options", "nosniff"),
                            ("Content-Security-Policy", "default-src 'none'")])
    return [data] if environ.get("REQUEST_METHOD") != "HEAD" else [b""]


class HostCheck:
    """WSGI middleware: a request whose Host header is malformed gets 400."""

    def __init__(self, app):
        self.app = app

    def __call__(self, environ, start_response):
        host = environ.get("HTTP_HOST")
        if host is not None and not valid_host(host):
            return error_answer(environ, start_response, "400 Bad Request", BAD_HOST_MESSAGE)
        return self.app(environ, start_response)


def normalize_base_url(value: str | None) -> str:
    """"" (relative links) or "scheme://host[:port][/path]" without a trailing slash;
    raises ValueError with a Chinese message for anything else."""
    value = (value or "").strip()
    if not value:
        return ""
    parts = urlsplit(value)
    if (parts.scheme not in ("http", "https") or not parts.netloc or parts.query
            or parts.fragment or "@" in parts.netloc or not valid_host(parts.netloc)):
        raise ValueError(f"BASE_URL {value!r} 不是有效的网址，应形如 https://news.example.org "
                         "(must be http(s)://host[:port][/path])")
    return f"{parts.scheme}://{parts.netloc.lower()}{parts.path.rstrip('/')}"


def feed_id(base_url: str, path: str) -> str:
    """An Atom id must be an absolute IRI: the feed's URL under the base URL, else a tag URI
    made from its path (stable, and nothing taken from the request's Host)."""
    return base_url + path if base_url else "tag:newsearch,2024:" + path
