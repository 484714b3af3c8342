"""`newsearch parse --explain`: every line of a page with its role, and why each
article got its title, date and district. Pure functions over extract.PageParse."""
from __future__ import annotations

from indexer import dates, districts
from indexer.extract import PRINTED, PageParse, second_paragraph

ROLE_NAMES = {
    "chrome": "页面杂项", "headline_list": "版面标题列表", "headline": "标题", "dateline": "电头",
    "byline": "署名", "photo_credit": "图片署名", "body": "正文", "caption": "图片说明",
    "original_title": "原标题", "aside": "未采用",
}
RULE_NAMES = {
    "edition": "版次行", "page_header": "版头", "markup": "网页代码残留", "navigation": "导航", "page_link": "翻页链接", "menu": "栏目菜单",
    "breadcrumb": "位置导航", "controls": "字号/打印/分享控件", "footer": "页脚版权",
    "cms_record": "稿件记录行", "issue_dates": "期次列表", "editor": "编辑署名",
    "image_file": "图片文件名/图片说明", "separator": "分隔符", "record": "发布信息行",
    "boilerplate": "版面杂项", "headline_list": "整版标题列表", "repeated_headline": "重复的标题",
    "headline_like": "标题样式", "headline_block": "标题块", "section_head": "小标题",
    "text": "文本", "dateline": "电头", "byline": "署名", "original_title": "原标题",
    "heading": "标题", "short": "短行", "credit": "图片署名",
}
TITLE_RULES = {
    "repeats_headline_list": "重复了版面标题列表中的一行(该行为主标题)",
    "above_record_line": "紧挨发布信息行(发布时间/来源)之上的标题块",
    "printed_headline_below_record_line": "发布信息行之下、重复并补全了页面标题的标题块",
    "nearest_before_body": "正文之前最近的标题块",
    "last_in_header": "页头区最后一个不属于标题列表的标题块",
    "original_title": "文末“原标题”给出的原始标题",
    "printed_headline_block": "版面上该文的标题块",
    "none": "未找到标题",
}
FAMILIES = {"web": "网页文章页(电子报/政府网站/转载)", PRINTED: "印刷版面文本"}
DATE_FROM = {"path": "文件路径", "record": "页面发布信息", "": ""}


def render(source: str, page: PageParse, reader: str = "") -> str:
    """The explanation of one page as readable lines (Chinese labels)."""
    out = [f"{source}: {FAMILIES[page.family]},{len(page.articles)} 篇" + (f" [{reader}]" if reader else "")]
    out.append("  行号  角色          规则                  内容")
    for role in page.roles:
        text = role.text if len(role.text) <= 48 else role.text[:47] + "…"
        out.append(f"  {role.number:>4}  {_pad(ROLE_NAMES.get(role.role, role.role), 12)}  "
                   f"{_pad(RULE_NAMES.get(role.rule, role.rule), 20)}  {text}")
    for article, inputs in zip(page.articles, page.inputs):
        out.append(f"  第 {article.ordinal} 篇(行 {article.line_start}–{article.line_end})")
        for label, value, why in reasons(article, inputs):
            out.append(f"    {label}: {value}  ← {why}")
    return "\n".join(out)


def reasons(article, inputs) -> list[tuple[str, str, str]]:
    """(field, value, why) for title, date and district."""
    raw = inputs.raw
    title_why = TITLE_RULES.get(inputs.title_rule, inputs.title_rule)
    if raw.subtitle:
        title_why += f";引题/副题:{raw.subtitle}"
    value, expr, where = dates.date_evidence(raw.lead, inputs.page_date, inputs.year, second_paragraph(raw))
    if expr:
        date_why = f"{'首段' if where == 'lead' else '第二段'}“{expr}”"
    else:
        date_why = "正文开头没有日期"
    if inputs.page_date:
        date_why += f";页面日期 {inputs.page_date.isoformat()}(来自{DATE_FROM[inputs.page_date_from]})"
    elif inputs.year:
        date_why += f";年份取自正文所述当年 {inputs.year}"
    elif value and value.startswith("--"):
        date_why += ";页面没有给出年份"
    district, district_why = districts.district_evidence(inputs.title_text, inputs.body_text,
                                                         inputs.page_unit)
    return [("标题", article.title or "(无标题)", title_why),
            ("日期", article.date or "—", date_why),
            ("区县", district or "—", district_why)]


def as_json(source: str, page: PageParse, reader: str = "text") -> dict:
    """The same explanation as a JSON-ready mapping."""
    return {
        "source": source, "family": page.family, "reader": reader,
        "lines": [{"line": r.number, "role": r.role, "rule": r.rule, "text": r.text} for r in page.roles],
        "articles": [dict(article.to_dict(), why={field: why for field, _, why in reasons(article, inputs)})
                     for article, inputs in zip(page.articles, page.inputs)],
    }


def _pad(text: str, width: int) -> str:
    """Pad to a display width (CJK characters count two)."""
    shown = sum(2 if ord(ch) > 0x2E7F else 1 for ch in text)
    return text + " " * max(0, width - shown)
