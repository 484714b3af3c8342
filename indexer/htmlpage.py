"""HTML page files (.htm/.html) -> page text for the same splitting as text pages.

E-paper article pages (a browser's "save page" or a mirror of the e-paper site) and
government portal pages hold one article in a lot of chrome. This reader

* decodes the bytes by the charset the page declares (BOM, ``<meta charset>``,
  ``<meta http-equiv="Content-Type">``, XML declaration; GB2312/GBK are read as their
  superset GB18030), falling back to the text pages' detection (reading.decode_page);
* parses them with lxml's HTML parser (libxml2, robust against broken markup);
* drops scripts, styles, forms, menus and other chrome (indexer/data/html_chrome.json);
* keeps the document's structure: when the page marks an article container (founder
  e-paper ``#ozoom``, TRS ``.TRS_Editor``, ``<article>`` …) the text is that container
  together with the article's headline (the element whose text is the ``<title>``'s
  headline part); ``<p>``, headings and other blocks end lines, ``<br>`` breaks a line,
  a picture leaves a gap of two blank lines (as a picture does on a text page);
* takes the page's URL (``<!-- saved from url=… -->``, canonical link, og:url, base)
  so the page date comes from it as from a text page's path.

The result is page text in the text pages' form (one paragraph per line, blank lines
between), which goes through the same splitting and extraction as a .txt page.
"""
from __future__ import annotations

import codecs
import datetime as _dt
import json
import re
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources

import lxml.etree
import lxml.html

from indexer.reading import clean_text, decode_page, page_date_from_path

READER = "html"

# Blocks that end a line, and those that end a paragraph (a blank line after them).
_LINE_BLOCKS = frozenset((
    "address", "article", "aside", "center", "dd", "details", "dialog", "dir", "div", "dl",
    "dt", "fieldset", "figcaption", "figure", "footer", "header", "hgroup", "hr", "legend",
    "li", "main", "ol", "section", "summary", "table", "tbody", "td", "tfoot", "th", "thead",
    "tr", "ul", "caption", "founder-content", "body", "html"))
_PARA_BLOCKS = frozenset(("p", "h1", "h2", "h3", "h4", "h5", "h6", "blockquote", "pre"))
_HEADINGS = ("h1", "h2", "h3", "h4", "h5", "h6")
_PICTURE_GAP = 3            # line ends around a picture: two blank lines
_PARA_GAP = 2
_HTML_SPACE = re.compile(r"[ \t\n\r\f]+")
_CJK = re.compile(r"[\u2e80-\u9fff\uf900-\ufaff\uff00-\uffef\u3000-\u303f]")
_HIDDEN_STYLE = re.compile(r"display\s*:\s*none|visibility\s*:\s*hidden", re.I)
_WORD_SPLIT = re.compile(r"[-_\s]+|(?<=[a-z])(?=[A-Z])")
_SAVED_FROM = re.compile(rb"<!--\s*saved from url=\(\d+\)\s*(\S+?)\s*-->", re.I)
_PRESCAN = 4096
_META_CHARSET = re.compile(
    rb"<meta[^>]+?charset\s*=\s*[\"']?\s*([A-Za-z0-9_.:-]+)", re.I)
_XML_ENCODING = re.compile(rb"^<\?xml[^>]+encoding\s*=\s*[\"']([A-Za-z0-9_.:-]+)", re.I)
# Declared Chinese charsets are read as GB18030, the superset every GB page fits in.
_GB_FAMILY = {"gb2312", "gbk", "gb18030", "cp936", "ms936", "x-gbk", "gb_2312-80", "csgb2312",
              "euc-cn", "x-euc-cn", "chinese", "iso-ir-58", "windows-936"}


@dataclass(frozen=True)
class HtmlPage:
    text: str                        # page text, in the text pages' form
    title: str                       # the <title>'s headline part ("" if none)
    url: str | None                  # the page's own URL, when the file records it
    page_date: _dt.date | None       # the date in that URL (or a publication-date meta)


@lru_cache(maxsize=1)
def _chrome() -> dict:
    data = json.loads(resources.files("indexer").joinpath("data/html_chrome.json")
                      .read_text(encoding="utf-8"))
    data["drop_tags"] = frozenset(data["drop_tags"])
    data["drop_roles"] = frozenset(data["drop_roles"])
    data["chrome_tokens"] = frozenset(t.lower() for t in data["chrome_tokens"])
    c = data["containers"]
    data["container_ids"] = frozenset(i.lower() for i in c["ids"])
    data["container_classes"] = frozenset(i.lower() for i in c["classes"])
    data["container_tags"] = frozenset(c["tags"])
    data["title_split"] = re.compile(data["title_separators"])
    data["site_names"] = [re.compile(p) for p in data["site_name_patterns"]]
    return data


# ---------------------------------------------------------------- decoding

def declared_charset(data: bytes) -> str | None:
    """The charset the page declares (BOM, XML declaration, <meta>), as a Python codec name."""
    if data.startswith(codecs.BOM_UTF8):
        return "utf-8-sig"
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return "utf-16"
    head = data[:_PRESCAN]
    m = _XML_ENCODING.match(head) or _META_CHARSET.search(head)
    if not m:
        return None
    name = m.group(1).decode("ascii", "replace").strip().lower()
    if name in _GB_FAMILY:
        return "gb18030"
    try:
        return codecs.lookup(name).name
    except LookupError:
        return None


def decode_html(data: bytes) -> str:
    """Decode by the declared charset; when there is none, or the page is not in the
    charset it declares, the text pages' detection decides. Raises ValueError."""
    charset = declared_charset(data)
    if charset:
        try:
            return data.decode(charset)
        except UnicodeDecodeError:
            pass                      # declared wrongly: detect as for text pages
    return decode_page(data)


# ---------------------------------------------------------------- structure

def _tag(el) -> str:
    tag = el.tag
    return tag.lower() if isinstance(tag, str) else ""


def _words(value: str | None) -> set[str]:
    if not value:
        return set()
    return {w.lower() for w in _WORD_SPLIT.split(value) if w}


def _is_chrome(el, chrome: dict) -> bool:
    tag = _tag(el)
    if not tag:
        return True                           # comment, processing instruction
    if tag in chrome["drop_tags"]:
        return True
    get = el.get
    if get("hidden") is not None or get("aria-hidden") == "true":
        return True
    style = get("style")
    if style and _HIDDEN_STYLE.search(style):
        return True
    if (get("role") or "").lower() in chrome["drop_roles"]:
        return True
    if tag == "a" and (get("href") or "").strip().lower().startswith("javascript:"):
        return True                           # 打印本页, 关闭窗口, 字体 大 中 小
    if tag in ("header", "footer", "aside"):
        return True
    tokens = _words(get("id")) | _words(get("class"))
    return bool(tokens & chrome["chrome_tokens"]) and not _is_container(el, chrome)


def _is_container(el, chrome: dict) -> bool:
    tag = _tag(el)
    if tag in chrome["container_tags"]:
        return True
    if (el.get("id") or "").lower() in chrome["container_ids"]:
        return True
    return bool({c.lower() for c in (el.get("class") or "").split()} & chrome["container_classes"])


def _squash(text: str) -> str:
    return "".join(_HTML_SPACE.split(text or ""))


def title_headline(title: str) -> str:
    """The headline part of a <title>: site names and page names cut off."""
    chrome = _chrome()
    parts = [p.strip() for p in chrome["title_split"].split(" ".join(title.split())) if p.strip()]
    kept = [p for p in parts if not any(rx.search(p) for rx in chrome["site_names"])]
    return max(kept, key=len) if kept else ""


def _find_headline(body, headline: str):
    """The element that prints the article's headline: a heading, else a short element
    whose whole text is the headline, never a link (the page's headline list)."""
    want = _squash(headline)
    if not want:
        return None
    fallback = None
    for el in body.iter(lxml.etree.Element):
        tag = _tag(el)
        if tag == "a" or tag in ("body", "html") or el.getparent() is None:
            continue
        text = el.text_content()
        if len(text) > 4 * len(headline) + 200 or _squash(text) != want:
            continue
        if any(_tag(a) == "a" for a in el.iterancestors()):
            continue
        if any(_squash(a.text_content()) == want for a in el.iter("a")):
            continue                           # a list item linking to the article
        if tag in _HEADINGS:
            return el
        if fallback is None or fallback in set(el.iterancestors()):
            fallback = el                      # the innermost element with that text
    return fallback


def _common_ancestor(a, b):
    ancestors = {id(a): a}
    for el in a.iterancestors():
        ancestors[id(el)] = el
    if id(b) in ancestors:
        return b
    for el in b.iterancestors():
        if id(el) in ancestors:
            return el
    return None


class _Writer:
    """Text with HTML whitespace rules and requested line breaks."""

    def __init__(self):
        self.parts: list[str] = []
        self.breaks = 0               # line ends requested before the next text
        self.space = False            # collapsible whitespace seen since the last text
        self.space_newline = False    # ... and it held a source line end
        self.last = ""                # last character written

    def request(self, n: int) -> None:
        if self.parts:
            self.breaks = max(self.breaks, n)

    def br(self) -> None:
        if self.parts:
            self.breaks = min(self.breaks + 1, _PARA_GAP) if self.breaks < _PARA_GAP else self.breaks

    def text(self, s: str, pre: bool = False) -> None:
        if not s:
            return
        if pre:
            self._emit(s.replace("\r\n", "\n"))
            return
        pos = 0
        for m in _HTML_SPACE.finditer(s):
            if m.start() > pos:
                self._emit(s[pos:m.start()])
            self.space = True
            self.space_newline = self.space_newline or "\n" in m.group()
            pos = m.end()
        if pos < len(s):
            self._emit(s[pos:])

    def _emit(self, s: str) -> None:
        if self.breaks:
            self.parts.append("\n" * self.breaks)
        elif self.space and self.parts and self.last != "\n":
            # A source line end between two CJK characters is no space (CSS segment breaks).
            if not (self.space_newline and _CJK.match(self.last) and _CJK.match(s[0])):
                self.parts.append(" ")
        self.breaks = 0
        self.space = self.space_newline = False
        self.parts.append(s)
        self.last = s[-1]

    def result(self) -> str:
        return "".join(self.parts)


def _render(root, chrome: dict, headline_el=None) -> str:
    """The visible text of `root` without chrome, one block per line."""
    out = _Writer()
    if headline_el is not None:
        _walk(headline_el, chrome, out, with_tail=False)
        out.request(_PARA_GAP)
    _walk(root, chrome, out, with_tail=False, skip=headline_el)
    return out.result()


def _walk(root, chrome: dict, out: _Writer, with_tail: bool, skip=None) -> None:
    # An explicit stack: pages nest deeply, and recursion would hit Python's limit.
    stack = [(root, False)]
    pre = 0
    while stack:
        el, closing = stack.pop()
        tag = _tag(el)
        if closing:
            if tag in _PARA_BLOCKS:
                out.request(_PARA_GAP)
            elif tag in _LINE_BLOCKS:
                out.request(1)
            if tag == "pre":
                pre -= 1
            if el is not root or with_tail:
                out.text(el.tail, pre > 0)
            continue
        if el is skip or (el is not root and _is_chrome(el, chrome)):
            if el is not root:
                out.text(el.tail, pre > 0)
            continue
        if tag == "br":
            out.br()
            out.text(el.tail, pre > 0)
            continue
        if tag == "img":
            out.request(_PICTURE_GAP)
            out.text(el.tail, pre > 0)
            continue
        if tag in _PARA_BLOCKS:
            out.request(_PARA_GAP)
        elif tag in _LINE_BLOCKS:
            out.request(1)
        if tag == "pre":
            pre += 1
        out.text(el.text, pre > 0)
        stack.append((el, True))
        stack.extend((child, False) for child in reversed(el))


def _page_url(data: bytes, doc) -> str | None:
    m = _SAVED_FROM.search(data[:_PRESCAN * 4])
    if m:
        return m.group(1).decode("ascii", "replace")
    for el in doc.iter("link", "meta", "base"):
        tag, get = el.tag, el.get
        if tag == "link" and (get("rel") or "").lower() == "canonical" and get("href"):
            return get("href").strip()
        if tag == "meta" and (get("property") or get("name") or "").lower() in _chrome()["url_meta"] \
                and get("content"):
            return get("content").strip()
        if tag == "base" and get("href"):
            return get("href").strip()
    return None


_META_DATE = re.compile(r"((?:19|20)\d\d)[-/.年](\d{1,2})[-/.月](\d{1,2})")


def _meta_date(doc) -> _dt.date | None:
    names = _chrome()["date_meta"]
    for el in doc.iter("meta"):
        if (el.get("name") or el.get("property") or "").lower() in names:
            m = _META_DATE.search(el.get("content") or "")
            if m:
                try:
                    return _dt.date(int(m[1]), int(m[2]), int(m[3]))
                except ValueError:
                    pass
    return None


def read_html(data: bytes) -> HtmlPage:
    """Page text of an HTML file's bytes; raises ValueError when it cannot be read."""
    text = decode_html(data)
    if not text.strip():
        return HtmlPage("", "", None, None)
    # Parse the decoded text as UTF-8 bytes: lxml then ignores the page's own (possibly
    # wrong) charset declaration, and an XML declaration is no error.
    parser = lxml.html.HTMLParser(encoding="utf-8", remove_comments=True, remove_pis=True,
                                  huge_tree=True)       # deep nesting is kept, not cut
    try:
        doc = lxml.html.document_fromstring(text.encode("utf-8", "surrogatepass"), parser=parser)
    except (lxml.etree.ParserError, ValueError) as exc:
        raise ValueError(f"无法解析的 HTML 页面 (unparsable HTML: {exc})") from None
    chrome = _chrome()
    title_el = doc.find(".//title")
    title = title_headline(title_el.text_content()) if title_el is not None else ""
    body = doc.find("body")
    if body is None:
        body = doc
    container = next((el for el in body.iter(lxml.etree.Element) if _is_container(el, chrome)
                      and not any(_is_chrome(a, chrome) for a in el.iterancestors()
                                  if a is not body and _tag(a) not in ("html",))), None)
    headline_el = _find_headline(body, title) if title else None
    if container is None:
        scope, lead = body, None
    elif headline_el is None:
        scope, lead = container, None
    elif container in set(headline_el.iterancestors()):
        scope, lead = container, None
    else:
        scope = _common_ancestor(headline_el, container)
        lead = None
        if scope is None or _tag(scope) in ("body", "html"):
            scope, lead = container, headline_el    # the headline first, then the container
    page_text = _render(scope, chrome, lead)
    if title and headline_el is None and _squash(title) not in _squash(page_text[:2000]):
        page_text = title + "\n\n" + page_text
    url = _page_url(data, doc)
    page_date = (page_date_from_path(url) if url else None) or _meta_date(doc)
    return HtmlPage(_tidy(clean_text(page_text)), title, url, page_date)


def _tidy(text: str) -> str:
    """Lines stripped (full-width indents are spaces by now), no blank lines at the ends."""
    text = "\n".join(line.strip() for line in text.split("\n")).strip("\n")
    return text + "\n" if text else ""
