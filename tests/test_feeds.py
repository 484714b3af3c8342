"""searchapp.feeds: Atom feed over Hit objects."""
from __future__ import annotations

import xml.etree.ElementTree as ET
from datetime import datetime, timezone

from searchapp.feeds import atom_feed, entry_updated
from searchapp.model import Hit

A = "{http://www.w3.org/2005/Atom}"


def hit(i: int, title: str = "惠济区集中签约", date: str | None = "2022-03-30", **kw) -> Hit:
    base = dict(id=f"{i:016x}", score=1.0, title=title, title_html=title, snippets=["成功<mark>签约</mark>12个项目"],
                date=date, district="惠济区", reporters=["简洋"], correspondents=["王磊"], photographers=[],
                project_types=["签约"], source="seeds/000.txt", ordinal=i)
    base.update(kw)
    return Hit(**base)


def feed(hits, title="郑州日报区县新闻检索：签约"):
    return atom_feed(hits, title=title, feed_id="http://localhost/feed.atom?q=签约",
                     self_url="http://localhost/feed.atom?q=签约", html_url="http://localhost/?q=签约",
                     url_for_id=lambda i: f"http://localhost/articles/{i}",
                     updated=datetime(2024, 1, 2, 3, 4, 5, tzinfo=timezone.utc))


def test_feed_structure():
    root = ET.fromstring(feed([hit(1), hit(2, date="--03-05")]))
    assert root.tag == f"{A}feed"
    assert root.find(f"{A}title").text == "郑州日报区县新闻检索：签约"
    assert root.find(f"{A}updated").text == "2024-01-02T03:04:05+00:00"
    entries = root.findall(f"{A}entry")
    assert len(entries) == 2
    e = entries[0]
    assert e.find(f"{A}title").text == "惠济区集中签约"
    assert e.find(f"{A}id").text == "urn:newsearch:article:0000000000000001"
    assert e.find(f"{A}link").get("href") == "http://localhost/articles/0000000000000001"
    assert e.find(f"{A}updated").text == "2022-03-30T00:00:00+08:00"
    assert [a.find(f"{A}name").text for a in e.findall(f"{A}author")] == ["简洋", "王磊"]
    assert {c.get("term") for c in e.findall(f"{A}category")} == {"惠济区", "签约"}
    summary = e.find(f"{A}summary")
    assert summary.get("type") == "html" and "<mark>签约</mark>" in summary.text
    # unknown year: falls back to the feed time
    assert entries[1].find(f"{A}updated").text == "2024-01-02T03:04:05+00:00"


def test_untitled_photo_news_gets_a_title():
    e = ET.fromstring(feed([hit(1, title="")])).find(f"{A}entry")
    assert e.find(f"{A}title").text == "（无标题图片新闻）"


def test_xss_and_xml_breakers_are_escaped():
    evil = hit(1, title="<script>alert(1)</script>]]>&", reporters=["<img src=x onerror=alert(1)>"],
               snippets=["&lt;b&gt;already escaped&lt;/b&gt;"], district="惠济\x01区")
    text = feed([evil], title="检索：<script>")
    assert "<script>" not in text and "<img" not in text
    root = ET.fromstring(text)                     # still well-formed; control char dropped
    e = root.find(f"{A}entry")
    assert e.find(f"{A}title").text == "<script>alert(1)</script>]]>&"   # the text survives, escaped
    assert root.find(f"{A}title").text == "检索：<script>"
    assert e.find(f"{A}category").get("term") == "惠济区"
    # summary is HTML-in-XML: already-escaped snippets stay escaped inside the HTML
    assert "&lt;b&gt;already escaped" in e.find(f"{A}summary").text


def test_entry_updated():
    assert entry_updated(hit(1, date="2021-12-31"), "F") == "2021-12-31T00:00:00+08:00"
    assert entry_updated(hit(1, date=None), "F") == "F"
    assert entry_updated(hit(1, date="--12-31"), "F") == "F"


def test_empty_feed_is_valid():
    root = ET.fromstring(feed([]))
    assert root.findall(f"{A}entry") == []
