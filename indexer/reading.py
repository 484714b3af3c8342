"""Find page files, decode them, and take the page date from the path.

Everything here is linear in the size of its input: decoding uses the codecs and
`str.replace`, binary detection counts bytes with `bytes.translate`, and the path
date patterns are short anchored regexes applied to a path, never to page text.
"""
from __future__ import annotations

import datetime as _dt
import os
import re
import stat
from dataclasses import dataclass
from pathlib import Path
from typing import Iterable, Iterator

PAGE_SUFFIX = ".txt"
# Page files by suffix, and the reader each goes through (see page_text).
READERS = {".txt": "text", ".htm": "html", ".html": "html", ".pdf": "pdf"}
PAGE_SUFFIXES = tuple(READERS)

# Control bytes that never occur in a text page (tab, LF, VT, FF, CR and ESC are allowed).
_ALLOWED_CONTROLS = b"\t\n\x0b\x0c\r\x1b"
_BAD_CONTROLS = bytes(b for b in range(32) if b not in _ALLOWED_CONTROLS) + b"\x7f"
_NOT_BAD = bytes(b for b in range(256) if b not in _BAD_CONTROLS)
_MAX_CONTROL_SHARE = 0.01          # more than 1 % control bytes: not a text page
_SAMPLE = 1 << 16                  # bytes examined for the control-byte share

# Replaced after decoding: line ends, wide/no-break spaces, zero-width characters.
_SPACES = ("\u3000", "\u00a0", "\u2007", "\u202f")
_ZERO_WIDTH = ("\ufeff", "\u200b", "\u200c", "\u200d", "\u2060",
               # bidi controls: a right-to-left override in a title would show it reversed
               "\u202a", "\u202b", "\u202c", "\u202d", "\u202e",
               "\u2066", "\u2067", "\u2068", "\u2069", "\u200e", "\u200f", "\u061c")


class PageReadError(Exception):
    """A page file that cannot be read; str(e) is "<path>: <reason>"."""

    def __init__(self, path, reason: str):
        self.path = str(path)
        self.reason = reason
        super().__init__(f"{self.path}: {reason}")


# ---------------------------------------------------------------- finding files

def display_path(path) -> str:
    """A path as text that can always be printed, stored and shown: bytes of a file name that
    are not UTF-8 (a GBK name from a Windows zip) are written as \\xNN escapes. The same
    name always gives the same text, so article ids made from it are stable."""
    text = str(path)
    try:
        text.encode("utf-8")
        return text
    except UnicodeEncodeError:
        return os.fsencode(text).decode("utf-8", "backslashreplace")


NOT_REGULAR = "不是普通文件,已跳过 (not a regular file: {kind}; skipped, never read)"


def _kind(mode: int) -> str:
    if stat.S_ISFIFO(mode):
        return "FIFO"
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return "device"
    if stat.S_ISSOCK(mode):
        return "socket"
    return "special file"


def iter_page_files(paths: Iterable, errors: list) -> Iterator[Path]:
    """Yield every page file (*.txt, *.htm, *.html, *.pdf) under `paths` (files or folders), sorted, each once.

    Folders are walked in name order, depth first, without recursion (any depth);
    hidden entries (".name") are skipped; symlinked folders are followed unless they lead
    back into a folder being walked (a loop). A page-named entry that is not a regular file
    (a FIFO, a link to a device) is reported and never opened. Problems are appended to
    `errors` as (path, reason), paths as display_path gives them.
    """
    for entry in iter_page_entries(paths, errors):
        yield Path(entry.path)


@dataclass(frozen=True)
class PageEntry:
    """A page file found by iter_page_entries: its path as walked, its stat (symlinks
    followed) and whether the path itself is a symlink."""
    path: str
    stat: os.stat_result
    link: bool


def iter_page_entries(paths: Iterable, errors: list) -> Iterator[PageEntry]:
    """iter_page_files with what the walk learnt about each file (see PageEntry): one stat
    per file, plain strings (an update of a 200k-file archive spent a fifth of its time
    making Path objects and stat-ing every file again)."""
    seen_files: set[tuple[int, int]] = set()
    for raw in paths:
        path = str(Path(raw))            # "./a//b/" -> "a/b", as the paths of the files below
        try:
            st = os.stat(path)
        except OSError as exc:
            errors.append((display_path(path), _os_reason(exc, "无法访问")))
            continue
        if stat.S_ISDIR(st.st_mode):
            yield from _walk(path, seen_files, errors)
        elif os.path.splitext(path)[1].lower() not in READERS:
            errors.append((display_path(path), "不是版面文件 .txt/.htm/.html/.pdf"))
        elif not stat.S_ISREG(st.st_mode):
            errors.append((display_path(path), NOT_REGULAR.format(kind=_kind(st.st_mode))))
        elif _first_time(st, seen_files):
            yield PageEntry(path, st, os.path.islink(path))


def _open_folder(folder: str, active: set, errors: list):
    """(key, sorted entries) of a folder, or None (reported) when it cannot be listed or
    leads back into a folder being walked."""
    try:
        st = os.stat(folder)
        key = (st.st_dev, st.st_ino)
        if key in active:
            errors.append((display_path(folder), "符号链接循环,已跳过"))
            return None
        with os.scandir(folder) as it:
            entries = sorted(it, key=lambda e: e.name)
    except OSError as exc:
        errors.append((display_path(folder), _os_reason(exc, "无法读取文件夹")))
        return None
    return key, entries


def _walk(root: str, seen_files: set, errors: list) -> Iterator[PageEntry]:
    active: set = set()                  # (dev, ino) of the folders on the current path
    opened = _open_folder(root, active, errors)
    if opened is None:
        return
    active.add(opened[0])
    stack = [(opened[0], iter(opened[1]))]
    while stack:
        key, entries = stack[-1]
        entry = next(entries, None)
        if entry is None:
            stack.pop()
            active.discard(key)
            continue
        name = entry.name
        if name.startswith("."):
            continue
        path = entry.path
        try:
            is_dir = entry.is_dir()          # follows symlinks
        except OSError as exc:
            errors.append((display_path(path), _os_reason(exc, "无法访问")))
            continue
        if is_dir:
            sub = _open_folder(path, active, errors)
            if sub is not None:
                active.add(sub[0])
                stack.append((sub[0], iter(sub[1])))
            continue
        if not name.lower().endswith(PAGE_SUFFIXES):
            continue
        try:
            st = entry.stat()                # follows symlinks
        except FileNotFoundError:
            if entry.is_symlink():
                errors.append((display_path(path), "符号链接指向不存在的文件"))
            continue
        except OSError as exc:
            errors.append((display_path(path), _os_reason(exc, "无法访问")))
            continue
        if not stat.S_ISREG(st.st_mode):
            errors.append((display_path(path), NOT_REGULAR.format(kind=_kind(st.st_mode))))
        elif _first_time(st, seen_files):
            yield PageEntry(path, st, entry.is_symlink())


def _first_time(st: os.stat_result, seen: set) -> bool:
    key = (st.st_dev, st.st_ino)
    if key in seen:
        return False
    seen.add(key)
    return True


def _os_reason(exc: OSError, zh: str) -> str:
    if isinstance(exc, FileNotFoundError):
        return "文件或文件夹不存在"
    if isinstance(exc, PermissionError):
        return f"{zh}:没有权限 ({exc.strerror or 'Permission denied'})"
    if isinstance(exc, IsADirectoryError):
        return "这是一个文件夹"
    return f"{zh} ({exc.strerror or exc.__class__.__name__})"


# ---------------------------------------------------------------- decoding

def decode_page(data: bytes) -> str:
    """Decode a page: UTF-8 (±BOM), UTF-16 (with a BOM, or without one when its NUL bytes
    say so), GB18030/GBK/GB2312.

    Returns text with "\\n" line ends, U+3000/NBSP as plain spaces and no zero-width or
    bidi control characters. A few lines that no encoding decodes are left out (as empty
    lines, so line numbers stay; `undecodable_lines` names them). Raises ValueError(reason)
    for binary or undecodable data.
    """
    return decode_page_lines(data)[0]


# At most this share of a page's lines may be undecodable and left out; more: not a page.
MAX_BAD_LINE_SHARE = 0.1


def decode_page_lines(data: bytes) -> tuple[str, list[int]]:
    """(text, 1-based numbers of the lines left out because no encoding decodes them)."""
    bad_lines: list[int] = []
    if data.startswith(b"\xef\xbb\xbf"):
        text = _decode_utf8(data[3:])
        if text is None:
            raise ValueError("有 UTF-8 BOM 但内容不是有效的 UTF-8 (invalid UTF-8 after BOM)")
    elif data.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            text = data.decode("utf-16")
        except UnicodeDecodeError:
            raise ValueError("有 UTF-16 BOM 但内容无法解码 (invalid UTF-16)") from None
    else:
        text = _decode_utf16_unmarked(data) if b"\x00" in data else None
        if text is None:
            _reject_binary(data)
            text = _decode_utf8(data)
            if text is None:
                try:
                    text = _decode_gb(data)
                except ValueError:
                    text, bad_lines = _decode_by_line(data)
    return clean_text(text), bad_lines


def undecodable_lines(data: bytes) -> list[int]:
    """The lines decode_page leaves out of these bytes (cheap when the whole file decodes)."""
    if data.startswith((b"\xef\xbb\xbf", b"\xff\xfe", b"\xfe\xff")) or b"\x00" in data:
        return []
    if _decode_utf8(data) is not None:
        return []
    try:
        _decode_gb(data)
        return []
    except ValueError:
        pass
    try:
        return _decode_by_line(data)[1]
    except ValueError:
        return []


def _decode_utf16_unmarked(data: bytes) -> str | None:
    """UTF-16 without a BOM: ASCII characters and line ends put their NUL bytes at odd
    offsets (little-endian) or even ones (big-endian). None when it is not such text."""
    if len(data) < 4:
        return None
    if len(data) % 2:
        data = data[:-1]                 # a cut-off last byte
    even, odd = data[0::2].count(0), data[1::2].count(0)
    if max(even, odd) < len(data) // 20 or min(even, odd) * 4 > max(even, odd):
        return None
    try:
        text = data.decode("utf-16-le" if odd > even else "utf-16-be")
    except UnicodeDecodeError:
        return None
    if "\n" not in text and "\r" not in text and len(text) > 200:
        return None
    controls = sum(1 for ch in text[:_SAMPLE] if ord(ch) < 32 and ch not in "\t\n\x0b\x0c\r\x1b")
    if controls > len(text[:_SAMPLE]) * _MAX_CONTROL_SHARE or not _looks_like_text(text):
        return None
    return text


def _decode_by_line(data: bytes) -> tuple[str, list[int]]:
    """Each line in UTF-8, else GB18030; the few lines neither decodes are left out."""
    lines = data.split(b"\n")
    out, bad = [], []
    for number, raw in enumerate(lines, 1):
        line = _decode_utf8(raw) if number == len(lines) else None
        if line is None:
            try:
                line = raw.decode("utf-8")
            except UnicodeDecodeError:
                try:
                    line = raw.decode("gb18030")
                    if not _looks_like_text(line):
                        line = None
                except UnicodeDecodeError:
                    line = None
        if line is None:
            bad.append(number)
            line = ""
        out.append(line)
    if (not bad or len(bad) > max(1, len(lines) * MAX_BAD_LINE_SHARE)
            or not any(line.strip() for line in out)):
        raise ValueError(
            "无法识别的编码:不是 UTF-8、UTF-16 或 GB18030 (undecodable: not UTF-8/UTF-16/GB18030)")
    return "\n".join(out), bad


def describe_bad_lines(lines: list[int]) -> str:
    shown = "、".join(map(str, lines[:10])) + (" …" if len(lines) > 10 else "")
    return (f"第 {shown} 行无法解码,已略去,其余已读入 "
            f"(undecodable line(s) {', '.join(map(str, lines[:10]))}{' …' if len(lines) > 10 else ''} left out)")


def _reject_binary(data: bytes) -> None:
    if b"\x00" in data:
        raise ValueError("不是文本文件:含有 NUL 字节")
    sample = data[:_SAMPLE]
    bad = len(sample.translate(None, _NOT_BAD))      # deletes all but the bad bytes
    if sample and bad / len(sample) > _MAX_CONTROL_SHARE:
        raise ValueError("不是文本文件:控制字符过多")


def _decode_utf8(data: bytes) -> str | None:
    """Strict UTF-8; a character cut off at the very end (truncated file) is dropped."""
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        if exc.end == len(data) and len(data) - exc.start < 4 and "end of data" in exc.reason:
            try:
                return data[:exc.start].decode("utf-8")
            except UnicodeDecodeError:
                return None
        return None


def _decode_gb(data: bytes) -> str:
    try:
        text = data.decode("gb18030")
    except UnicodeDecodeError:
        raise ValueError(
            "无法识别的编码:不是 UTF-8、UTF-16 或 GB18030 (undecodable: not UTF-8/UTF-16/GB18030)"
        ) from None
    if not _looks_like_text(text):
        raise ValueError("无法识别的编码 (undecodable: does not look like Chinese text)")
    return text


def _looks_like_text(text: str) -> bool:
    """GB18030 decodes many byte soups; real pages are mostly CJK, ASCII and punctuation."""
    sample = text[:_SAMPLE]
    if not sample:
        return True
    odd = sum(1 for ch in sample if not _is_common(ch))
    return odd / len(sample) <= 0.05


def _is_common(ch: str) -> bool:
    o = ord(ch)
    return (o < 0x80 or 0x4E00 <= o <= 0x9FFF or 0x3000 <= o <= 0x303F
            or 0xFF00 <= o <= 0xFFEF or 0x2000 <= o <= 0x206F or 0x00A0 <= o <= 0x00FF
            or 0x2100 <= o <= 0x27BF or 0x3400 <= o <= 0x4DBF or 0xFE30 <= o <= 0xFE4F
            or 0xF900 <= o <= 0xFAFF or 0x20000 <= o <= 0x3134F)


def clean_text(text: str) -> str:
    """CRLF/CR -> LF, wide and no-break spaces -> " ", zero-width and bidi control
    characters removed."""
    if "\r" in text:
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    for ch in _SPACES:
        if ch in text:
            text = text.replace(ch, " ")
    for ch in _ZERO_WIDTH:
        if ch in text:
            text = text.replace(ch, "")
    return text


# A newspaper page is well under 1 MB; anything this large is not one (and would hold the
# indexer for minutes). parse and index apply the same limit, so they count the same files.
MAX_PAGE_BYTES = 16 * 1024 * 1024


def read_page_bytes(path) -> bytes:
    """The bytes of one page file (the indexer hashes them); raises PageReadError for an
    unreadable or oversized file."""
    try:
        # O_NONBLOCK: opening a FIFO never waits for a writer (regular files ignore the flag).
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_CLOEXEC", 0))
        with open(fd, "rb") as fh:
            st = os.fstat(fh.fileno())
            if not stat.S_ISREG(st.st_mode):
                raise PageReadError(display_path(path), NOT_REGULAR.format(kind=_kind(st.st_mode)))
            size = st.st_size
            if size > MAX_PAGE_BYTES:
                raise PageReadError(path, (f"文件过大,不是版面文件 (file too large: "
                                           f"{size / 1048576:.1f} MB > {MAX_PAGE_BYTES // 1048576} MB)"))
            return fh.read()
    except OSError as exc:
        raise PageReadError(path, _os_reason(exc, "无法读取")) from None


def read_page(path) -> str:
    """Read and decode one page file; raises PageReadError with a clear reason."""
    data = read_page_bytes(path)
    try:
        return decode_page(data)
    except ValueError as exc:
        raise PageReadError(path, str(exc)) from None


# ---------------------------------------------------------------- readers

@dataclass(frozen=True)
class PageText:
    """The text of one page file in the text pages' form, and how it was read."""
    text: str
    reader: str                          # "text" | "html" | "pdf"
    page_date: _dt.date | None = None    # from the file's own record (an HTML page's URL)


def reader_name(path) -> str:
    """The reader of a page file, by its suffix ("text" for anything else)."""
    return READERS.get(Path(path).suffix.lower(), "text")


def page_text(path, data: bytes) -> PageText:
    """Page text of a page file's bytes, through the reader its suffix names; raises
    ValueError(reason) when the file cannot be read as such (binary, undecodable, a scanned
    PDF without a text layer)."""
    reader = reader_name(path)
    if reader == "html":
        from indexer.htmlpage import read_html
        page = read_html(data)
        return PageText(page.text, reader, page.page_date)
    if reader == "pdf":
        from indexer.pdfpage import read_pdf
        return PageText(read_pdf(data), reader)
    return PageText(decode_page(data), reader)


# ---------------------------------------------------------------- page date

_Y = r"(?P<y>(?:19|20)\d\d)"
_DATE_IN_PATH = re.compile(
    "|".join((
        # 2019-10-31, 2019_10_31, 2019.10.31 (also 2019-1-5)
        rf"(?<!\d){_Y}(?P<s>[-_.])(?P<m>\d{{1,2}})(?P=s)(?P<d>\d{{1,2}})(?!\d)",
        # e-paper folders: 2019-10/31/, 2019/10/31/, 201910/31/
        r"(?<!\d)(?P<y2>(?:19|20)\d\d)(?:[-_/]?)(?P<m2>\d{2})/(?P<d2>\d{1,2})(?!\d)",
        r"(?<!\d)(?P<y4>(?:19|20)\d\d)/(?P<m4>\d{1,2})/(?P<d4>\d{1,2})(?!\d)",
        # 20191031
        r"(?<!\d)(?P<y3>(?:19|20)\d\d)(?P<m3>\d\d)(?P<d3>\d\d)(?!\d)",
    ))
)


def page_date_from_path(path) -> _dt.date | None:
    """The page date written in the path; the last valid date wins (file over folder)."""
    text = str(path).replace("\\", "/")
    found = None
    for match in _DATE_IN_PATH.finditer(text):
        g = match.groupdict()
        for y, m, d in (("y", "m", "d"), ("y2", "m2", "d2"), ("y4", "m4", "d4"), ("y3", "m3", "d3")):
            if g.get(y):
                try:
                    found = _dt.date(int(g[y]), int(g[m]), int(g[d]))
                except ValueError:
                    pass
                break
    return found
