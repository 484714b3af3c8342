"""searchapp.hosts: a malformed Host header is a 400 on every route, and absolute links come
from the configured base URL only (never from the Host header), else links are relative."""
from __future__ import annotations

import json
import xml.etree.ElementTree as ET

import pytest

from searchapp.hosts import feed_id, normalize_base_url, valid_host
from searchapp.web import create_app

ROUTES = ("/", "/?q=签约", "/api/search?q=签约", "/api/info", "/feed.atom?q=签约", "/export.csv?q=签约",
          "/export.json?q=签约", "/articles/0000000000000000", "/api/articles/0000000000000000",
          "/no-such-page")
BAD_HOSTS = ("a" * 64 + ".example", "exa mple.org", "host:99999", "host:12ab", "-bad-.example",
             "a..b", "x" * 300, "[::1", "[zz::1]:80", "evil.example/path", "例子.中国." + "长" * 70)
GOOD_HOSTS = ("localhost", "localhost:5000", "127.0.0.1:8080", "[::1]:5000", "news.example.org",
              "例子.中国", "a" * 63 + ".example")


@pytest.mark.parametrize("host", BAD_HOSTS)
def test_bad_host_is_a_400_on_every_route(client, host):
    for route in ROUTES:
        r = client.get(route, headers={"Host": host})
        assert r.status_code == 400, (route, host, r.status_code)
        assert "Host" in r.get_data(as_text=True)


@pytest.mark.parametrize("host", GOOD_HOSTS)
def test_good_hosts_are_served(client, host):
    assert valid_host(host)
    assert client.get("/?q=签约", headers={"Host": host}).status_code == 200
    assert client.get("/api/search?q=签约", headers={"Host": host}).status_code == 200


def _links_of(client, host: str) -> list[str]:
    h = {"Host": host}
    api = json.loads(client.get("/api/search?q=签约&size=1", headers=h).data)
    out = [v for v in api["links"].values() if v]
    out.append(json.loads(client.get(f"/api/articles/{api['hits'][0]['id']}", headers=h).data)["url"])
    feed = ET.fromstring(client.get("/feed.atom?q=签约", headers=h).data)
    out += [el.text for el in feed.iter("{http://www.w3.org/2005/Atom}id")]
    out += [el.get("href") for el in feed.iter("{http://www.w3.org/2005/Atom}link")]
    out += [d["url"] for d in json.loads(client.get("/export.json?q=签约", headers=h).data)]
    out += [v for v in _strings(json.loads(client.get("/api/trends?q=签约", headers=h).data))
            if "/" in v and "?" in v]
    return out


def _strings(value):
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for v in value.values():
            yield from _strings(v)
    elif isinstance(value, list):
        for v in value:
            yield from _strings(v)


def test_the_host_header_never_reaches_links(client):
    links = _links_of(client, "evil.example")
    assert len(links) > 10
    assert not [u for u in links if "evil" in u]
    feed = ET.fromstring(client.get("/feed.atom?q=签约").data)
    assert feed.find("{http://www.w3.org/2005/Atom}id").text.startswith("tag:newsearch,2024:/feed.atom?")
    assert all(u.startswith(("/", "tag:", "urn:")) for u in links), links


def test_base_url_makes_links_absolute(seed_index_dir):
    app = create_app({"INDEX_DIR": str(seed_index_dir), "BASE_URL": "https://News.Example.org/search/"})
    links = _links_of(app.test_client(), "evil.example")
    assert not [u for u in links if "evil" in u]
    assert all(u.startswith(("https://news.example.org/search/", "urn:")) for u in links), links


def test_base_url_from_the_environment(seed_index_dir, monkeypatch):
    monkeypatch.setenv("NEWSEARCH_BASE_URL", "http://10.0.0.5:8080")
    app = create_app({"INDEX_DIR": str(seed_index_dir)})
    assert app.config["BASE_URL"] == "http://10.0.0.5:8080"


@pytest.mark.parametrize("bad", ["news.example.org", "ftp://x.org", "https://", "https://x.org/?q=1",
                                 "https://user@x.org", "https://" + "a" * 64 + ".org"])
def test_bad_base_url_is_refused(bad):
    with pytest.raises(ValueError, match="BASE_URL"):
        normalize_base_url(bad)


def test_feed_id_is_absolute_either_way():
    assert feed_id("", "/feed.atom?q=x") == "tag:newsearch,2024:/feed.atom?q=x"
    assert feed_id("https://n.org", "/feed.atom?q=x") == "https://n.org/feed.atom?q=x"
