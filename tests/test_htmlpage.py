"""HTML page files: charset, chrome, structure, page date, and the seeds rendered to HTML.

Every page here is a literal written for the tests; the e-paper and portal pages reproduce
the layouts of shared/PAGES.md (B and C) with invented text.
"""
from __future__ import annotations

import html
import json
import re
from pathlib import Path

import pytest
from click.testing import CliRunner

from indexer.extract import parse_file as parse_text_file
from indexer.htmlpage import declared_charset, decode_html, read_html, title_headline
from indexer.indexing import index_paths
from indexer.pages import parse_bytes, parse_file
from indexer.parse_cli import parse as parse_cmd
from indexer.reading import PageReadError, iter_page_files
from searchapp.model import SearchQuery
from searchapp.service import SearchService

SEEDS = Path(__file__).resolve().parent.parent / "seeds"
FIELDS = ("title", "subtitle", "body", "date", "district", "districts", "reporters",
          "correspondents", "photographers", "project_types", "page_date")

# ---------------------------------------------------------------- fixtures (invented text)

EPAPER = """<!DOCTYPE html PUBLIC "-//W3C//DTD HTML 4.01 Transitional//EN">
<!-- saved from url=(0064)http://epaper.example.cn/html/2019-12/05/content_1048812.htm -->
<html><head>
<meta http-equiv="Content-Type" content="text/html; charset=gb2312">
<title>郑州晚报数字报-花园路街道 “暖冬行动”走进老旧小区</title>
<script type="text/javascript">document.write("<p>脚本里的文字不是正文</p>");</script>
<style>.font01{font-size:18px} p{text-indent:2em}</style>
</head>
<body>
<table width="980"><tr><td colspan="2" class="px12">第N07版:金水时报 聚焦 <a href="node_2.htm">上一版</a>3  4<a href="node_4.htm">下一版</a></td></tr>
<tr><td valign="top" width="300">
  <div id="titleList"><ul>
  <li><a href="content_1048810.htm">城南路街道 开展冬季消防演练</a></li>
  <li><a href="content_1048812.htm">花园路街道 “暖冬行动”走进老旧小区</a></li>
  <li><a href="content_1048813.htm">丰庆路街道 为辖区老人送上体检服务</a></li>
  </ul></div>
  <form action="search.jsp"><input name="kw"><button>检索</button></form>
</td>
<td valign="top">
  <table width="100%">
  <tr><td class="nav"><a href="/">返回主页</a> | <a href="#">郑州晚报</a> | <a href="#">标题导航</a> | <a href="#">郑州日报</a></td></tr>
  <tr><td><a href="#">上一期</a>  <a href="#">下一期</a></td></tr>
  <tr><td class="font01" align="center">花园路街道 “暖冬行动”走进老旧小区</td></tr>
  <tr><td><div id="ozoom"><founder-content>
<p>　　本报讯 12月3日,花园路街道在辖区
老旧小区启动“暖冬行动”,为独居老人检修暖气、更换门窗密封条。</p>
<p>　　活动现场,街道工作人员和志愿者挨家挨户走访,登记老人的取暖需求。<br>　　“今年冬天不用再怕冷了。”家住文化路的张大爷说。</p>
<p><img src="../../../res/1/20191205/f1208a3.jpg"></p>
<p>　　据了解,该街道今年已为120户老人完成取暖设施改造。</p>
<p>　　记者 林小雨<br>　　通讯员 郑一帆 宋晓 文/图</p>
</founder-content></div></td></tr>
  <tr><td>3<a href="content_1048810.htm">上一篇</a>  <a href="content_1048813.htm">下一篇</a>4</td></tr>
  </table>
</td></tr></table>
<div class="copyright">版权声明 @ 中原网 网站版权所有</div>
</body></html>
"""

PORTAL = """<!DOCTYPE html>
<html lang="zh-CN"><head>
<meta charset="gbk">
<meta name="PubDate" content="2025-09-23 10:12">
<title>登封市召开秋粮收购工作推进会_区县动态_登封市人民政府</title>
</head><body>
<div class="header"><div class="logo">登封市人民政府</div>
<ul class="main-menu"><li><a href="/">首页</a></li><li><a href="/xwzx/">新闻中心</a></li></ul></div>
<div class="main">
<div class="position">您当前的位置：<a href="/">首页</a> &gt; <a href="/xwzx/">新闻中心</a> &gt; <a href="/qxdt/">区县动态</a></div>
<div class="article">
<h1 class="title">登封市召开秋粮收购工作推进会</h1>
<div class="info">发布时间：2025-09-23 10:12 来源：登封市融媒体中心 作者：宋明 浏览次数：1024</div>
<div class="tool">【字体：<a href="javascript:doZoom(16)">大</a> <a href="javascript:doZoom(14)">中</a> <a href="javascript:doZoom(12)">小</a>】 <a href="javascript:window.print()">打印本页</a> <a href="javascript:window.close()">关闭窗口</a></div>
<div class="TRS_Editor"><p>9月22日,登封市召开秋粮收购工作推进会,安排部署今年秋粮收购工作。</p>
<p>会议要求,各乡镇和有关部门要做好收购网点布局,确保农民卖粮方便、及时拿到粮款。</p></div>
<div class="editor">责任编辑：刘畅</div>
</div></div>
<div id="footer">主办：登封市人民政府办公室 <a href="#">网站地图</a></div>
<script src="/js/stat.js"></script>
</body></html>
"""


def seed_as_html(text: str, charset: str = "utf-8") -> str:
    """A seed page as an e-paper page view: chrome around one container holding the page's
    paragraphs (`# ` lines as headings, a double blank line — where a picture stood — as
    an image)."""
    out = [f'<!DOCTYPE html><html><head><meta charset="{charset}">',
           "<title>郑州日报数字报-第05版:区县新闻</title>",
           '<script>var menu = "<p>脚本</p>";</script><style>p{margin:0}</style></head><body>',
           '<div class="nav"><a href="/">返回主页</a> | <a href="#">标题导航</a></div>',
           '<div id="ozoom"><founder-content>']
    blanks = 0
    for line in text.split("\n"):
        line = line.strip()
        if not line:
            blanks += 1
            continue
        if blanks >= 2:
            out.append('<p><img src="pic.jpg"></p>')
        blanks = 0
        m = re.match(r"(#{1,6})\s+(.*)", line)
        if m:
            out.append(f"<h{len(m[1])}>{html.escape(m[2])}</h{len(m[1])}>")
        else:
            out.append(f"<p>\u3000\u3000{html.escape(line)}</p>")
    out += ['</founder-content></div><form><input name="q"><button>搜索</button></form>',
            '<div class="footer">版权声明 @ 中原网 网站版权所有</div></body></html>']
    return "\n".join(out)


def fields(article) -> tuple:
    return tuple(getattr(article, k) for k in FIELDS)


# ---------------------------------------------------------------- acceptance: the seeds

@pytest.mark.parametrize("charset, codec", [("utf-8", "utf-8"), ("gb2312", "gb18030")])
def test_seed_pages_as_html_give_the_same_articles(tmp_path, charset, codec):
    total = 0
    for seed in sorted(SEEDS.glob("*.txt")):
        want = parse_text_file(seed)
        page = tmp_path / (seed.stem + ".htm")
        page.write_bytes(seed_as_html(seed.read_text("utf-8"), charset).encode(codec))
        got, reader = parse_file(page)
        assert reader == "html"
        assert [fields(a) for a in got] == [fields(a) for a in want], seed.name
        total += len(got)
    assert total == 28


# ---------------------------------------------------------------- layouts

def test_epaper_article_page_gbk():
    page = read_html(EPAPER.encode("gb18030"))
    assert page.title == "花园路街道 “暖冬行动”走进老旧小区"
    assert page.url.endswith("/html/2019-12/05/content_1048812.htm")
    text = page.text
    lines = text.split("\n")
    assert "脚本里的文字" not in text and "font-size" not in text        # script, style
    assert "检索" not in text and "返回主页" not in text                   # form, menu
    assert "城南路街道" not in text          # the page's headline list is not the article
    assert "版权声明" not in text
    assert lines.count("花园路街道 “暖冬行动”走进老旧小区") == 1
    # a source line end between Chinese characters is no space; <br> ends a line
    assert "本报讯 12月3日,花园路街道在辖区老旧小区启动“暖冬行动”" in text
    assert "登记老人的取暖需求。\n“今年冬天不用再怕冷了。”" in text
    # the picture leaves a gap of two blank lines, as on a text page
    assert "张大爷说。\n\n\n据了解" in text
    assert "记者 林小雨\n通讯员 郑一帆 宋晓 文/图" in text

    articles, reader = parse_bytes(Path("saved/花园路街道.htm"), EPAPER.encode("gb18030"))
    assert reader == "html" and len(articles) == 1
    a = articles[0]
    assert a.title == "花园路街道 “暖冬行动”走进老旧小区"
    assert a.body.startswith("12月3日,花园路街道")
    assert a.page_date == "2019-12-05"          # from the URL the browser recorded
    assert a.date == "2019-12-03"
    assert a.district == "金水区"
    assert a.reporters == ("林小雨",) and a.correspondents == ("郑一帆", "宋晓")


def test_portal_article_page_gbk():
    data = PORTAL.encode("gbk")
    page = read_html(data)
    assert page.title == "登封市召开秋粮收购工作推进会"
    text = page.text
    assert text.startswith("登封市召开秋粮收购工作推进会\n")
    for chrome in ("您当前的位置", "新闻中心", "首页", "字体", "打印本页", "关闭窗口", "网站地图", "主办"):
        assert chrome not in text, chrome
    assert "发布时间：2025-09-23" in text          # the page's own statement of its date stays
    assert page.page_date.isoformat() == "2025-09-23"     # <meta name="PubDate">
    articles, _ = parse_bytes(Path("portal/content_8812.html"), data)
    assert len(articles) == 1
    a = articles[0]
    assert a.title == "登封市召开秋粮收购工作推进会"
    assert a.body.startswith("9月22日,登封市召开秋粮收购工作推进会")
    assert a.date == "2025-09-22" and a.district == "登封市"


def test_the_path_date_wins_over_the_recorded_url():
    articles, _ = parse_bytes(Path("/archive/2020-01-06/page.htm"), EPAPER.encode("gb18030"))
    assert articles[0].page_date == "2020-01-06"


def test_a_page_without_headline_element_gets_its_title():
    data = ("<html><head><title>二七区举办非遗展演_郑州网</title></head><body>"
            "<div class='TRS_Editor'><p>本报讯 10月2日,二七区在德化街举办非遗展演。</p></div>"
            "</body></html>").encode("utf-8")
    assert read_html(data).text.startswith("二七区举办非遗展演\n\n本报讯 10月2日")
    articles, _ = parse_bytes(Path("x.html"), data)
    assert articles[0].title == "二七区举办非遗展演"


@pytest.mark.parametrize("title, headline", [
    ("郑州晚报数字报-花园路街道 开展消防演练", "花园路街道 开展消防演练"),
    ("登封市召开推进会_区县动态_登封市人民政府", "登封市召开推进会"),
    ("郑州日报 - 第05版:金水时报", ""),
    ("惠济区“三个一批”项目集中开工", "惠济区“三个一批”项目集中开工"),
])
def test_title_headline(title, headline):
    assert title_headline(title) == headline


# ---------------------------------------------------------------- charset

@pytest.mark.parametrize("head, charset", [
    (b'<meta charset="GB2312">', "gb18030"),
    (b"<meta http-equiv=Content-Type content='text/html; charset=gbk'>", "gb18030"),
    (b'<meta charset="utf-8">', "utf-8"),
    (b'<?xml version="1.0" encoding="GB18030"?><html>', "gb18030"),
    (b"\xef\xbb\xbf<html>", "utf-8-sig"),
    (b"<html><body>", None),
    (b'<meta charset="no-such-charset">', None),
])
def test_declared_charset(head, charset):
    assert declared_charset(head) == charset


def test_undeclared_and_misdeclared_pages_fall_back_to_detection():
    body = "<p>本报讯 管城区开展垃圾分类宣传。</p>"
    undeclared = f"<html><body>{body}</body></html>".encode("gbk")
    wrong = f'<html><head><meta charset="utf-8"></head><body>{body}</body></html>'.encode("gbk")
    assert "管城区开展垃圾分类宣传" in decode_html(undeclared)
    assert "管城区开展垃圾分类宣传" in decode_html(wrong)
    assert "管城区开展垃圾分类宣传" in read_html(wrong).text


def test_xml_declaration_and_utf8_bom():
    data = ('<?xml version="1.0" encoding="utf-8"?>\n<html xmlns="http://www.w3.org/1999/xhtml">'
            "<body><p>中牟县开展秋季植树活动。</p></body></html>").encode("utf-8")
    assert read_html(data).text == "中牟县开展秋季植树活动。\n"
    assert read_html(b"\xef\xbb\xbf" + data[data.index(b"<html"):]).text == "中牟县开展秋季植树活动。\n"


# ---------------------------------------------------------------- robustness

def test_hidden_elements_and_deep_nesting():
    deep = "<div>" * 1500 + "<p>新郑市召开会议。</p>" + "</div>" * 1500   # deeper than Python recursion
    data = (f"<html><body><div style='display: none'>隐藏的文字</div><p hidden>也隐藏</p>{deep}"
            "</body></html>").encode("utf-8")
    text = read_html(data).text
    assert text == "新郑市召开会议。\n"


def test_binary_and_empty_html_files(tmp_path):
    (tmp_path / "binary.html").write_bytes(b"\x00\x01\x02PNG" * 100)
    (tmp_path / "empty.htm").write_bytes(b"")
    with pytest.raises(PageReadError, match="binary.html"):
        parse_file(tmp_path / "binary.html")
    assert parse_file(tmp_path / "empty.htm") == ([], "html")


def test_html_files_are_found_beside_text_pages(tmp_path):
    for name in ("a.txt", "b.htm", "c/d.HTML", "e.doc"):
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text("x")
    errors = []
    found = [p.relative_to(tmp_path).as_posix() for p in iter_page_files([tmp_path], errors)]
    assert found == ["a.txt", "b.htm", "c/d.HTML"]
    errors = []
    assert list(iter_page_files([tmp_path / "e.doc"], errors)) == []
    assert ".htm" in errors[0][1]


# ---------------------------------------------------------------- CLIs

def test_parse_json_names_the_reader(tmp_path):
    (tmp_path / "portal.html").write_bytes(PORTAL.encode("gbk"))
    (tmp_path / "page.txt").write_text("惠济区召开经济运行分析会\n\n本报讯 3月23日,惠济区召开分析会。\n",
                                       encoding="utf-8")
    result = CliRunner().invoke(parse_cmd, ["--json", str(tmp_path)])
    assert result.exit_code == 0, result.output
    rows = [json.loads(line) for line in result.stdout.splitlines()]
    assert {(Path(r["source"]).name, r["reader"]) for r in rows} == {
        ("page.txt", "text"), ("portal.html", "html")}
    listing = CliRunner().invoke(parse_cmd, [str(tmp_path / "portal.html")]).stdout
    assert "1 篇 [网页]" in listing


def test_index_and_search_html_pages(tmp_path):
    pages = tmp_path / "pages"
    pages.mkdir()
    (pages / "epaper.htm").write_bytes(EPAPER.encode("gb18030"))
    (pages / "portal.html").write_bytes(PORTAL.encode("gbk"))
    report = index_paths([pages], tmp_path / "index", procs=1)
    assert report.files_failed == [] and report.added == 2
    service = SearchService(tmp_path / "index")
    try:
        hits = service.search(SearchQuery(q="暖冬行动")).hits
        assert [h.title for h in hits] == ["花园路街道 “暖冬行动”走进老旧小区"]
        assert service.search(SearchQuery(q="秋粮收购")).total == 1
        assert service.search(SearchQuery(q="城南路街道")).total == 0    # the headline list
    finally:
        service.handle.close()
