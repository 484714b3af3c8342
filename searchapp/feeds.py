"""Atom feed (RFC 4287) for any search, so that a journalist can subscribe to a query.

Pure: hits in, XML text out. ElementTree escapes every text and attribute; characters that
XML 1.0 forbids (control characters) are dropped first.
"""
from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from datetime import datetime, timezone
from html import escape
from typing import Callable, Iterable

from searchapp.display import UNTITLED, date_text
from searchapp.model import Hit

ATOM_NS = "http://www.w3.org/2005/Atom"
_XML_INVALID = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff\ud800-\udfff]")
_FULL_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


def xml_text(value: object) -> str:
    return _XML_INVALID.sub("", "" if value is None else str(value))


def rfc3339(moment: datetime) -> str:
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=timezone.utc)
    return moment.isoformat(timespec="seconds")


def entry_updated(hit: Hit, fallback: str, first_seen: str | None = None) -> str:
    """A stable time for the entry: the article's date at midnight Beijing time, else the
    page's date, else when the article first entered the index, else `fallback`."""
    for value in (hit.date, hit.page_date):
        if value and _FULL_DATE.match(value):
            return f"{value}T00:00:00+08:00"
    return first_seen or fallback


def _dated(hit: Hit) -> bool:
    return bool(hit.date and _FULL_DATE.match(hit.date))


def _instant(value: str) -> datetime:
    try:
        return datetime.fromisoformat(value)
    except ValueError:
        return datetime.min.replace(tzinfo=timezone.utc)


def _sub(parent: ET.Element, tag: str, text: object = None, **attrs: str) -> ET.Element:
    el = ET.SubElement(parent, tag, {k: xml_text(v) for k, v in attrs.items()})
    if text is not None:
        el.text = xml_text(text)
    return el


def atom_feed(hits: Iterable[Hit], *, title: str, feed_id: str, self_url: str, html_url: str,
              url_for_id: Callable[[str], str], updated: datetime, generator: str = "newsearch",
              first_seen: dict[str, str] | None = None) -> str:
    """The feed document as text (UTF-8 declared). `first_seen` (article id -> ISO time)
    dates the entries of undated articles; the feed's <updated> is its newest entry's."""
    hits = list(hits)
    first_seen = first_seen or {}
    fallback = rfc3339(updated)
    times = [entry_updated(h, fallback, first_seen.get(h.id)) for h in hits]
    feed = ET.Element("feed", {"xmlns": ATOM_NS, "xml:lang": "zh-CN"})
    _sub(feed, "title", title)
    _sub(feed, "id", feed_id)
    _sub(feed, "link", rel="self", type="application/atom+xml", href=self_url)
    _sub(feed, "link", rel="alternate", type="text/html", href=html_url)
    feed_updated = max(times, key=_instant) if times else fallback
    _sub(feed, "updated", feed_updated)
    author = _sub(feed, "author")
    _sub(author, "name", "郑州日报区县新闻检索")
    _sub(feed, "generator", generator)
    for hit, when in zip(hits, times):
        entry = _sub(feed, "entry")
        _sub(entry, "title", hit.title or UNTITLED, type="text")
        url = url_for_id(hit.id)
        _sub(entry, "id", f"urn:newsearch:article:{hit.id}")
        _sub(entry, "link", rel="alternate", type="text/html", href=url)
        _sub(entry, "updated", when)
        for name in list(hit.reporters) + list(hit.correspondents):
            _sub(_sub(entry, "author"), "name", name)
        if hit.district:
            _sub(entry, "category", term=hit.district, label=f"区县：{hit.district}")
        for t in hit.project_types:
            _sub(entry, "category", term=t, label=f"项目类型：{t}")
        date = date_text(hit.date)
        if not _dated(hit):
            date += "（条目时间取自" + ("版面日期" if hit.page_date else "收录进索引的时间") + "）"
        meta = " · ".join(x for x in (date, hit.district or "", "、".join(hit.reporters)) if x)
        summary_html = (f"<p>{escape(meta)}</p>" if meta else "") + "".join(
            f"<p>{s}</p>" for s in hit.snippets)          # snippets are already escaped HTML
        _sub(entry, "summary", summary_html, type="html")
    body = ET.tostring(feed, encoding="unicode", short_empty_elements=True)
    return '<?xml version="1.0" encoding="utf-8"?>\n' + body + "\n"
