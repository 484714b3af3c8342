"""Find page files, decode them, and take the page date from the path.

Everything here is linear in the size of its input: decoding uses the codecs and
`str.replace`, binary detection counts bytes with `bytes.translate`, and the path
date patterns are short anchored regexes applied to a path, never to page text.
"""
from __future__ import annotations

import datetime as _dt
import os
import re
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
_ZERO_WIDTH = ("\ufeff", "\u200b", "\u200c", "\u200d", "\u2060")


class PageReadError(Exception):
    """A page file that cannot be read; str(e) is "<path>: <reason>"."""

    def __init__(self, path, reason: str):
        self.path = str(path)
        self.reason = reason
        super().__init__(f"{self.path}: {reason}")


# ---------------------------------------------------------------- finding files

def iter_page_files(paths: Iterable, errors: list) -> Iterator[Path]:
    """Yield every page file (*.txt, *.htm, *.html, *.pdf) under `paths` (files or folders), sorted, each once.

    Folders are walked recursively in name order; hidden entries (".name") are
    skipped; symlinked folders are followed unless they lead back into a folder
    being walked (a loop). Problems are appended to `errors` as (path, reason).
    """
    seen_files: set[tuple[int, int]] = set()
    for raw in paths:
        path = Path(raw)
        try:
            st = path.stat()
        except OSError as exc:
            errors.append((str(path), _os_reason(exc, "无法访问")))
            continue
        if os.path.isdir(path):
            yield from _walk(path, (), seen_files, errors)
        elif path.suffix.lower() not in READERS:
            errors.append((str(path), "不是版面文件 .txt/.htm/.html/.pdf (not a page file: .txt, .htm, .html or .pdf)"))
        elif _first_time(st, seen_files):
            yield path


def _walk(folder: Path, ancestors: tuple, seen_files: set, errors: list) -> Iterator[Path]:
    try:
        st = folder.stat()
        key = (st.st_dev, st.st_ino)
        if key in ancestors:
            errors.append((str(folder), "符号链接循环,已跳过 (symlink loop)"))
            return
        with os.scandir(folder) as it:
            entries = sorted(it, key=lambda e: e.name)
    except OSError as exc:
        errors.append((str(folder), _os_reason(exc, "无法读取文件夹")))
        return
    ancestors = ancestors + (key,)
    for entry in entries:
        if entry.name.startswith("."):
            continue
        path = Path(entry.path)
        try:
            is_dir = entry.is_dir()          # follows symlinks
            is_file = not is_dir and entry.is_file()
        except OSError as exc:
            errors.append((str(path), _os_reason(exc, "无法访问")))
            continue
        if is_dir:
            yield from _walk(path, ancestors, seen_files, errors)
        elif is_file and entry.name.lower().endswith(PAGE_SUFFIXES):
            try:
                st = path.stat()
            except OSError as exc:
                errors.append((str(path), _os_reason(exc, "无法访问")))
                continue
            if _first_time(st, seen_files):
                yield path
        elif entry.is_symlink() and not path.exists() and entry.name.lower().endswith(PAGE_SUFFIXES):
            errors.append((str(path), "符号链接指向不存在的文件 (broken symlink)"))


def _first_time(st: os.stat_result, seen: set) -> bool:
    key = (st.st_dev, st.st_ino)
    if key in seen:
        return False
    seen.add(key)
    return True


def _os_reason(exc: OSError, zh: str) -> str:
    if isinstance(exc, FileNotFoundError):
        return "文件或文件夹不存在 (no such file or directory)"
    if isinstance(exc, PermissionError):
        return f"{zh}:没有权限 ({exc.strerror or 'Permission denied'})"
    if isinstance(exc, IsADirectoryError):
        return "这是一个文件夹 (is a directory)"
    return f"{zh} ({exc.strerror or exc.__class__.__name__})"


# ---------------------------------------------------------------- decoding

def decode_page(data: bytes) -> str:
    """Decode a page: UTF-8 (±BOM), UTF-16 with BOM, GB18030/GBK/GB2312.

    Returns text with "\\n" line ends, U+3000/NBSP as plain spaces and no
    zero-width characters. Raises ValueError(reason) for binary or undecodable data.
    """
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
        _reject_binary(data)
        text = _decode_utf8(data)
        if text is None:
            text = _decode_gb(data)
    return clean_text(text)


def _reject_binary(data: bytes) -> None:
    if b"\x00" in data:
        raise ValueError("不是文本文件:含有 NUL 字节 (binary file: NUL bytes)")
    sample = data[:_SAMPLE]
    bad = len(sample.translate(None, _NOT_BAD))      # deletes all but the bad bytes
    if sample and bad / len(sample) > _MAX_CONTROL_SHARE:
        raise ValueError("不是文本文件:控制字符过多 (binary file: control characters)")


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
    """CRLF/CR -> LF, wide and no-break spaces -> " ", zero-width characters removed."""
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
        with open(path, "rb") as fh:
            size = os.fstat(fh.fileno()).st_size
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
