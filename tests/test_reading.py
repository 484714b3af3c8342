"""Finding, decoding and dating page files (indexer.reading)."""
import datetime as dt
import os

import pytest

from indexer.reading import (
    PageReadError, decode_page, iter_page_files, page_date_from_path, read_page,
)

PAGE = "本报讯 3月27日下午,惠济区召开续会。\n记者 简洋\n"


# ---------------------------------------------------------------- decoding

@pytest.mark.parametrize("encoding, prefix", [
    ("utf-8", b""),
    ("utf-8", b"\xef\xbb\xbf"),
    ("utf-16-le", b"\xff\xfe"),
    ("utf-16-be", b"\xfe\xff"),
    ("gbk", b""),
    ("gb2312", b""),
    ("gb18030", b""),
])
def test_decode_encodings(encoding, prefix):
    assert decode_page(prefix + PAGE.encode(encoding)) == PAGE


def test_decode_gb18030_only_characters():
    text = "惠济区𠀀镕基"          # 𠀀 is outside GBK: only GB18030 encodes it
    assert decode_page(text.encode("gb18030")) == text


@pytest.mark.parametrize("raw, expected", [
    (b"a\r\nb\r\n", "a\nb\n"),
    (b"a\rb\r", "a\nb\n"),
    ("惠济\u3000区\u00a0新闻".encode(), "惠济 区 新闻"),
    ("惠\u200b济\u200d区\ufeff".encode(), "惠济区"),
])
def test_decode_normalises_lines_spaces_and_zero_width(raw, expected):
    assert decode_page(raw) == expected


def test_decode_empty_is_empty_text():
    assert decode_page(b"") == ""


@pytest.mark.parametrize("raw", [
    b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR",
    bytes(range(256)) * 4,
    b"abc\x01\x02\x03\x04\x05\x06def" * 10,
])
def test_decode_rejects_binary(raw):
    with pytest.raises(ValueError, match="不是文本|binary"):
        decode_page(raw)


def test_decode_rejects_undecodable_bytes():
    with pytest.raises(ValueError, match="编码|undecodable"):
        decode_page(b"\xff\xfa\xfb\xfc\xfd" * 20)


def test_decode_truncated_utf8_keeps_everything_before_the_cut():
    data = "惠济区召开会议".encode()[:-1]
    assert decode_page(data) == "惠济区召开会"


def test_decode_broken_utf16_is_reported():
    with pytest.raises(ValueError, match="UTF-16"):
        decode_page(b"\xff\xfe" + b"\x00\xd8")       # lone surrogate


def test_decode_ten_megabyte_single_line():
    line = ("惠济区举行重点项目集中签约仪式,成功签约12个项目。" * 400_000)[:3_500_000]
    text = decode_page(line.encode())
    assert len(text) == len(line) and "\n" not in text


# ---------------------------------------------------------------- files

def test_read_page_files(tmp_path):
    (tmp_path / "gbk.txt").write_bytes(PAGE.encode("gbk"))
    (tmp_path / "crlf.txt").write_bytes(PAGE.replace("\n", "\r\n").encode())
    (tmp_path / "empty.txt").write_bytes(b"")
    assert read_page(tmp_path / "gbk.txt") == PAGE
    assert read_page(tmp_path / "crlf.txt") == PAGE
    assert read_page(tmp_path / "empty.txt") == ""


def test_read_page_errors_name_the_path(tmp_path):
    binary = tmp_path / "photo.txt"
    binary.write_bytes(b"\x00\x01\x02JFIF" * 100)
    with pytest.raises(PageReadError) as err:
        read_page(binary)
    assert str(err.value).startswith(f"{binary}: ")
    with pytest.raises(PageReadError, match="不存在"):
        read_page(tmp_path / "missing.txt")
    with pytest.raises(PageReadError):
        read_page(tmp_path)


def test_iter_page_files_recursive_sorted(tmp_path):
    for name in ("b/2.txt", "b/1.TXT", "a.txt", "c/d/e.txt", "notes.md", ".hidden/x.txt", "b/img.png"):
        path = tmp_path / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text("x")
    errors = []
    found = [p.relative_to(tmp_path).as_posix() for p in iter_page_files([tmp_path], errors)]
    assert found == ["a.txt", "b/1.TXT", "b/2.txt", "c/d/e.txt"]
    assert errors == []


def test_iter_page_files_reports_missing_and_non_txt(tmp_path):
    (tmp_path / "page.txt").write_text("x")
    (tmp_path / "page.doc").write_text("x")
    errors = []
    found = list(iter_page_files(
        [tmp_path / "page.txt", tmp_path / "nope", tmp_path / "page.doc", tmp_path / "page.txt"], errors))
    assert found == [tmp_path / "page.txt"]            # the same file only once
    reasons = dict(errors)
    assert "不存在" in reasons[str(tmp_path / "nope")]
    assert ".txt" in reasons[str(tmp_path / "page.doc")]


def test_iter_page_files_survives_symlink_loops(tmp_path):
    (tmp_path / "a").mkdir()
    (tmp_path / "a" / "p.txt").write_text("x")
    os.symlink(tmp_path, tmp_path / "a" / "loop")
    os.symlink(tmp_path / "gone.txt", tmp_path / "a" / "broken.txt")
    errors = []
    found = list(iter_page_files([tmp_path], errors))
    assert found == [tmp_path / "a" / "p.txt"]
    reasons = " ".join(r for _, r in errors)
    assert "符号链接循环" in reasons and "指向不存在的文件" in reasons


@pytest.mark.skipif(os.geteuid() == 0, reason="root reads every folder")
def test_iter_page_files_reports_unreadable_folder(tmp_path):
    locked = tmp_path / "locked"
    locked.mkdir()
    (locked / "p.txt").write_text("x")
    (tmp_path / "ok.txt").write_text("x")
    locked.chmod(0)
    try:
        errors = []
        assert list(iter_page_files([tmp_path], errors)) == [tmp_path / "ok.txt"]
        assert errors and "permission" in errors[0][1]
    finally:
        locked.chmod(0o755)


# ---------------------------------------------------------------- page date

@pytest.mark.parametrize("path, expected", [
    ("pages/2023-02-14.txt", dt.date(2023, 2, 14)),
    ("pages/zzrb_20230214_07.txt", dt.date(2023, 2, 14)),
    ("html/2019-10/31/node_7.txt", dt.date(2019, 10, 31)),
    ("html/2019/10/31/content_1.txt", dt.date(2019, 10, 31)),
    ("html/201910/31/content_1.txt", dt.date(2019, 10, 31)),
    (r"C:\archive\2024-02-29\p1.txt", dt.date(2024, 2, 29)),
    ("2023_05_06/page.txt", dt.date(2023, 5, 6)),
    ("2019-10/31/2019-11-01.txt", dt.date(2019, 11, 1)),     # the file name wins
    ("2023-02-30/page.txt", None),                            # not a date
    ("20231332.txt", None),
    ("seeds/000_b84c1ade2bc36389.txt", None),
    ("pages/12320230214999.txt", None),                       # digits inside a longer number
    ("pages/page.txt", None),
])
def test_page_date_from_path(path, expected):
    assert page_date_from_path(path) == expected


def test_a_file_over_the_page_size_limit_is_refused(tmp_path, monkeypatch):
    import indexer.reading as reading

    monkeypatch.setattr(reading, "MAX_PAGE_BYTES", 1024)
    path = tmp_path / "huge.txt"
    path.write_text("本报讯 惠济区召开会议。" * 200, encoding="utf-8")
    with pytest.raises(reading.PageReadError) as err:
        reading.read_page(path)
    assert str(path) in str(err.value) and "过大" in str(err.value)


def test_a_10_mb_single_line_page_is_under_the_limit():
    from indexer.reading import MAX_PAGE_BYTES

    assert MAX_PAGE_BYTES > 10 * 1024 * 1024
