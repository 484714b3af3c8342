"""Bylines by role (issue 11, item 3): 记者 / 通讯员 / 摄影 are separate facets and query fields
(reporter: correspondent: photographer:, byline: for any), over the real seed index."""
from __future__ import annotations

from urllib.parse import quote

import pytest

from searchapp import querylang

ROLES = (("reporter", "reporters"), ("correspondent", "correspondents"), ("photographer", "photographers"))


def api(client, url):
    r = client.get(url)
    assert r.status_code == 200, r.data[:500]
    return r.get_json()


@pytest.fixture
def names(client):
    """role -> {name: set of article ids}, read from the whole export."""
    rows = client.get("/export.json").get_json()
    out = {role: {} for role, _ in ROLES}
    for row in rows:
        for role, key in ROLES:
            for name in row[key]:
                out[role].setdefault(name, set()).add(row["id"])
    return out


def only_in(names, role):
    others = {n for r, v in names.items() if r != role for n in v}
    return sorted(n for n in names[role] if n not in others)


def test_each_role_has_its_own_facet(client, names):
    facets = api(client, "/api/search")["facets"]
    for role, _ in ROLES:
        counts = {v["value"]: v["count"] for v in facets[role]}
        assert counts == {n: len(ids) for n, ids in names[role].items()}, role
    assert only_in(names, "correspondent") and only_in(names, "photographer")


def test_role_filters_and_query_fields(client, names):
    name = only_in(names, "correspondent")[0]
    ids = names["correspondent"][name]
    for url in ("/api/search?correspondent=" + quote(name), "/api/search?q=" + quote(f"correspondent:{name}"),
                "/api/search?q=" + quote(f"byline:{name}")):
        assert {h["id"] for h in api(client, url)["hits"]} == ids, url
    assert api(client, "/api/search?q=" + quote(f"reporter:{name}"))["total"] == 0
    assert api(client, "/api/search?reporter=" + quote(name))["total"] == 0
    photo = only_in(names, "photographer")[0]
    assert {h["id"] for h in api(client, "/api/search?q=" + quote(f"photographer:{photo}"))["hits"]} \
        == names["photographer"][photo]
    assert api(client, "/api/search?xphotographer=" + quote(photo))["total"] == \
        api(client, "/api/search")["total"] - len(names["photographer"][photo])


def test_query_language_knows_the_role_fields():
    for field in ("reporter", "correspondent", "photographer", "byline"):
        term = querylang.parse(f"{field}:王五").root
        assert (term.field, term.text) == (field, "王五")


def test_cards_and_sidebar_show_roles(client, names):
    name = only_in(names, "correspondent")[0]
    page = client.get("/?q=" + quote(f"byline:{name}")).get_data(as_text=True)
    assert f"通讯员 {name}" in page and f"记者 {name}" not in page
    assert 'data-facet="correspondent"' in page and 'data-facet="photographer"' in page
    assert f'href="/?q=byline%3A{quote(name)}&amp;correspondent={quote(name)}"' in page
    art = sorted(names["correspondent"][name])[0]
    article = client.get(f"/articles/{art}").get_data(as_text=True)
    assert f"通讯员 {name}" in article


def test_article_metadata_links_filter_by_the_role(client, names):
    name = only_in(names, "photographer")[0]
    art = sorted(names["photographer"][name])[0]
    page = client.get(f"/articles/{art}").get_data(as_text=True)
    table = page[page.index('<dl class="meta-table">'):page.index("</dl>")]
    assert f"photographer={quote(name)}" in table and f"reporter={quote(name)}" not in table
