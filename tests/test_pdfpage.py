"""Page PDFs: text layer in reading order, lines re-joined, scans refused, and the seeds
rendered to one- and three-column PDFs.

Every PDF is generated here with reportlab and its built-in CJK font STSong-Light (not
embedded, so the files are small), from the seed pages or from literal text written for
the tests.
"""
from __future__ import annotations

import io
import json
import re
import struct
import zlib
from pathlib import Path

import pytest
from click.testing import CliRunner
from reportlab.lib.utils import ImageReader
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.cidfonts import UnicodeCIDFont
from reportlab.pdfgen import canvas

from indexer.extract import parse_file as parse_text_file
from indexer.index_cli import index as index_cmd
from indexer.pages import parse_bytes, parse_file
from indexer.parse_cli import parse as parse_cmd
from indexer.pdfpage import _join, read_pdf
from indexer.reading import PageReadError

SEEDS = Path(__file__).resolve().parent.parent / "seeds"
FONT = "STSong-Light"
pdfmetrics.registerFont(UnicodeCIDFont(FONT))
SCORED = ("title", "subtitle", "date", "district", "reporters", "correspondents",
          "photographers", "project_types")
A4 = (595, 842)


# ---------------------------------------------------------------- a small page typesetter

def _wrap(text: str, size: float, width: float) -> list[str]:
    """Break text into lines of at most `width` points, character by character (CJK)."""
    lines, cur, used = [], "", 0.0
    for ch in text:
        w = pdfmetrics.stringWidth(ch, FONT, size)
        if cur and used + w > width:
            lines.append(cur)
            cur, used = "", 0.0
        cur += ch
        used += w
    return lines + [cur] if cur else lines


def _blocks(text: str) -> list[tuple[str, str]]:
    """(kind, text) of a page in the text pages' form: "head" for a short line without a
    full stop, "body", or "pic" where a gap of two blank lines marks a picture."""
    out, blanks = [], 0
    for line in text.split("\n"):
        line = line.strip()
        if not line:
            blanks += 1
            continue
        if blanks >= 2 and out:
            out.append(("pic", ""))
        blanks = 0
        line = re.sub(r"^#+\s+", "", line)
        head = (len(line) <= 40 and "。" not in line and not line.startswith("本报讯")
                and not re.search(r"记者|通讯员|摄|文/图", line))
        out.append(("head" if head else "body", line))
    return out


def render_pdf(text: str, columns: int = 3, header: str = "郑州日报 第05版:区县新闻",
               pagesize=A4) -> bytes:
    """Typeset a page as a newspaper page PDF: a header line and rule across the page,
    `columns` columns filled one after the other, headlines centred in 14 pt (kept with the
    start of their text), body in 9 pt with a two-character first-line indent, a grey box
    where a picture stood, new pages as needed."""
    width, height = pagesize
    margin, gutter, body, head = 36, 14, 9, 14
    colw = (width - 2 * margin - gutter * (columns - 1)) / columns
    top = height - margin - 24
    buf = io.BytesIO()
    c = canvas.Canvas(buf, pagesize=pagesize)
    at = {"col": 0, "y": top}

    def page_header():
        c.setFont(FONT, 10)
        c.drawString(margin, height - margin - 10, header)
        c.line(margin, height - margin - 16, width - margin, height - margin - 16)

    def x0():
        return margin + at["col"] * (colw + gutter)

    def need(h):
        if at["y"] - h < margin:
            at["col"] += 1
            at["y"] = top
            if at["col"] == columns:
                c.showPage()
                page_header()
                at["col"] = 0

    page_header()
    items = _blocks(text)
    for i, (kind, line) in enumerate(items):
        if kind == "pic":
            need(60)
            c.setFillGray(0.7)
            c.rect(x0(), at["y"] - 56, colw, 52, fill=1, stroke=0)
            c.setFillGray(0)
            at["y"] -= 60
            continue
        if kind == "head" and (i == 0 or items[i - 1][0] != "head"):
            block = 0.0                       # the headline block and three lines of text
            for k, s in items[i:]:
                if k != "head":
                    block += 3 * body * 1.4
                    break
                block += len(_wrap(s, head, colw)) * head * 1.4 + 2
            need(block)
        size = head if kind == "head" else body
        if kind == "head":
            lines = _wrap(line, size, colw)
        else:
            first = _wrap(line, size, colw - 2 * size)[:1]
            lines = first + (_wrap(line[len(first[0]):], size, colw) if first else [])
        for n, ln in enumerate(lines):
            need(size * 1.4)
            c.setFont(FONT, size)
            if kind == "head":
                c.drawCentredString(x0() + colw / 2, at["y"] - size, ln)
            else:
                c.drawString(x0() + (2 * size if n == 0 else 0), at["y"] - size, ln)
            at["y"] -= size * 1.4
        at["y"] -= 2
    c.save()
    return buf.getvalue()


def _grey_png(w: int, h: int) -> bytes:
    raw = b"".join(b"\x00" + bytes([128]) * w for _ in range(h))

    def chunk(tag, data):
        return (struct.pack(">I", len(data)) + tag + data
                + struct.pack(">I", zlib.crc32(tag + data) & 0xFFFFFFFF))
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", w, h, 8, 0, 0, 0, 0))
            + chunk(b"IDAT", zlib.compress(raw)) + chunk(b"IEND", b""))


def scanned_pdf() -> bytes:
    """A page that is only a picture (a scan), no text layer."""
    buf = io.BytesIO()
    c = canvas.Canvas(buf, pagesize=A4)
    c.drawImage(ImageReader(io.BytesIO(_grey_png(60, 90))), 36, 36, 523, 770)
    c.showPage()
    c.save()
    return buf.getvalue()


# ---------------------------------------------------------------- acceptance: the seeds

def _compare(columns: int, tmp_path: Path) -> tuple[int, int, int, list[str]]:
    same = total = articles = 0
    misses = []
    for seed in sorted(SEEDS.glob("*.txt")):
        want = parse_text_file(seed)
        pdf = tmp_path / (seed.stem + ".pdf")
        pdf.write_bytes(render_pdf(seed.read_text("utf-8"), columns=columns))
        got, reader = parse_file(pdf)
        assert reader == "pdf"
        assert len(got) == len(want), (seed.name, [a.title for a in got])
        articles += len(got)
        for a, b in zip(want, got):
            for key in SCORED:
                total += 1
                if getattr(a, key) == getattr(b, key):
                    same += 1
                else:
                    misses.append(f"{seed.name} {key}: {getattr(a, key)!r} != {getattr(b, key)!r}")
    return articles, same, total, misses


def test_seed_pages_as_three_column_pdfs(tmp_path):
    articles, same, total, misses = _compare(3, tmp_path)
    assert articles == 28
    assert same / total >= 0.95, "\n".join(misses)


def test_seed_pages_as_one_column_pdfs(tmp_path):
    articles, same, total, misses = _compare(1, tmp_path)
    assert articles == 28
    assert same == total, "\n".join(misses)


# ---------------------------------------------------------------- reading order, joining

def _page(draw) -> bytes:
    buf = io.BytesIO()
    c = canvas.Canvas(buf, pagesize=A4)
    draw(c)
    c.showPage()
    c.save()
    return buf.getvalue()


COLUMN_TEXT = {   # invented text, one column each, read left to right
    0: ["荥阳市举办秋季招聘会", "　　本报讯 9月20日,荥阳市在市民", "广场举办秋季招聘会,八十余家企业", "提供岗位两千余个,吸引众多求职者", "前来咨询。"],
    1: ["　　招聘会现场,工作人员为求职者", "提供政策咨询和简历指导服务,帮助", "他们找到合适的岗位,现场达成就业"],
    2: ["意向六百余人。", "记者 周可"],
}


def _three_columns(c) -> None:
    c.setFont(FONT, 10)
    c.drawString(36, 800, "郑州日报 第06版:县区新闻")            # header across the page
    c.line(36, 794, 559, 794)
    for col, lines in COLUMN_TEXT.items():
        x, y = 36 + col * 180, 770
        for n, ln in enumerate(lines):
            size = 14 if ln.endswith("招聘会") else 10
            c.setFont(FONT, size)
            c.drawString(x, y, ln)
            y -= size * 1.5


def test_columns_are_read_in_order_and_broken_lines_rejoined():
    text = read_pdf(_page(_three_columns))
    assert text == ("郑州日报 第06版:县区新闻\n\n荥阳市举办秋季招聘会\n\n"
                    "本报讯 9月20日,荥阳市在市民广场举办秋季招聘会,八十余家企业提供岗位两千余个,"
                    "吸引众多求职者前来咨询。\n\n"
                    "招聘会现场,工作人员为求职者提供政策咨询和简历指导服务,帮助他们找到合适的岗位,"
                    "现场达成就业意向六百余人。\n\n记者 周可\n")
    articles, _ = parse_bytes(Path("2023-09-21/a06.pdf"), _page(_three_columns))
    assert len(articles) == 1
    a = articles[0]
    assert a.title == "荥阳市举办秋季招聘会" and a.reporters == ("周可",)
    assert a.date == "2023-09-20" and a.district == "荥阳市"
    assert a.body.endswith("现场达成就业意向六百余人。")


@pytest.mark.parametrize("a, b, joined", [
    ("总投资12", "3亿元", "总投资123亿元"),
    ("引进WM", "S系统", "引进WMS系统"),
    ("The county opened a new", "school this week", "The county opened a new school this week"),
    ("a well-kept inter-", "national park", "a well-kept international park"),
])
def test_join(a, b, joined):
    assert _join(a, b) == joined


# ---------------------------------------------------------------- files that cannot be read

def test_a_scan_without_text_layer_needs_ocr():
    with pytest.raises(ValueError, match="OCR"):
        read_pdf(scanned_pdf())


@pytest.mark.parametrize("data", [b"%PDF-1.4\n1 0 obj garbage", b"not a pdf", b""])
def test_broken_pdfs_are_refused(data):
    with pytest.raises(ValueError, match="PDF"):
        read_pdf(data)


def test_index_reports_the_scan_by_name_and_indexes_the_rest(tmp_path):
    pages = tmp_path / "pages"
    pages.mkdir()
    (pages / "a01_scan.pdf").write_bytes(scanned_pdf())
    (pages / "a06.pdf").write_bytes(_page(_three_columns))
    result = CliRunner().invoke(index_cmd, [str(pages), "--index-dir", str(tmp_path / "ix"),
                                            "--procs", "1"])
    assert result.exit_code == 1, result.output
    assert f"失败: {pages / 'a01_scan.pdf'}: PDF 没有文字层" in result.stderr
    assert "OCR" in result.stderr
    assert "新增 1" in result.stdout            # the text PDF, and nothing for the scan
    again = CliRunner().invoke(index_cmd, [str(pages), "--index-dir", str(tmp_path / "ix"),
                                           "--procs", "1"])
    assert "a01_scan.pdf" in again.stderr              # still reported, never indexed as empty


def test_parse_skips_the_scan_and_names_the_pdf_reader(tmp_path):
    (tmp_path / "scan.pdf").write_bytes(scanned_pdf())
    (tmp_path / "a06.pdf").write_bytes(_page(_three_columns))
    result = CliRunner().invoke(parse_cmd, ["--json", str(tmp_path)])
    assert result.exit_code == 1
    assert f"跳过: {tmp_path / 'scan.pdf'}: PDF 没有文字层" in result.stderr
    rows = [json.loads(line) for line in result.stdout.splitlines()]
    assert [(r["title"], r["reader"]) for r in rows] == [("荥阳市举办秋季招聘会", "pdf")]
    with pytest.raises(PageReadError, match="scan.pdf"):
        parse_file(tmp_path / "scan.pdf")
