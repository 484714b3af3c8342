"""Splitting a page into raw articles: one test (or a few) per rule, literal pages."""
from __future__ import annotations

import pytest

from indexer.splitting import (ends_sentence, headline_key, headline_parts, is_boilerplate,
                               is_headline_like, split_page)


def page(*blocks: str) -> str:
    """Lines separated by blank lines, as in the e-paper text exports."""
    return "\n\n".join(blocks) + "\n"


def titles(text: str) -> list[str]:
    return [a.title for a in split_page(text)]


# ----------------------------------------------------------------- line classes

@pytest.mark.parametrize("line, ok", [
    ("金水区吹响奋进「冲锋号」", True),
    ("10亿元! 智造科技谷小微企业园落地惠济", True),
    ("经开区共谋划第七期“三个一批”项目16个,总投资216.8亿元", True),     # one comma: a subtitle
    ("■开年加速度", True),
    ("魏东强调,要加强市场管理。压实", False),                          # a full stop: text
    ("2023年,经开区紧盯年度目标任务,以更", False),                    # two commas: a fragment
    ("建设人才高地。聚焦世界科技前沿,加强顶尖人才引进,", False),
    ("全面提升应急能力;", False),
    ("惠济区召开续会,", False),                                       # cut after a comma
    ("G02", False),                                                   # no Han character
    ("惠" * 65, False),                                               # too long
])
def test_is_headline_like(line, ok):
    assert is_headline_like(line) is ok


@pytest.mark.parametrize("text, ok", [
    ("确保实现“开门红”。", True), ("他说:“好。”", True), ("真好!", True), ("如下:", True),
    ("压实", False), ("当好高质量发展“火车头”", False), ("(签约一批)", False), ("", False),
    ("好！", True), ("好，", False),
])
def test_ends_sentence(text, ok):
    assert ends_sentence(text) is ok


@pytest.mark.parametrize("line", [
    "返回主页 | 郑州日报 | 版面导航",
    "上一篇 下一篇",
    "上一篇  下一篇",
    "G02",
    "X07",
    "X07 县区新闻",
    "第07版:县区新闻",
    "第07版：县区新闻",
    "第 06 版：区县新闻",
    "2019年10月31日 星期四",
    "郑州日报 2023年02月15日 星期三",
    "2023-02-15",
    "放大 缩小 默认",
    "上一篇:惠济区召开会议 下一篇:二七区召开大会",
    "责任编辑:张三 校对:李四",
    "本版编辑 王五  校对 赵六、钱七",
])
def test_boilerplate_lines(line):
    assert is_boilerplate(line)


@pytest.mark.parametrize("line", [
    "惠济区召开疫情防控工作会", "记者 简洋", "本报讯 3月27日下午,惠济区召开续会。", "魏东强调:",
    "郑州日报社党委书记讲话",
    "编辑部成立",
    "在上一篇报道中,记者介绍了项目进展。",
    "返回家乡创业",
])
def test_not_boilerplate(line):
    assert not is_boilerplate(line)


# ----------------------------------------------------------------- whole pages

def test_empty_and_blank_pages_have_no_articles():
    assert split_page("") == []
    assert split_page("\n\n  \n\u3000\n") == []


def test_boilerplate_only_page_has_no_articles():
    text = page("返回主页 | 郑州日报 | 版面导航", "第07版:县区新闻", "G07",
                "惠济区召开疫情防控工作会", "惠济区召开经济运行分析会", "上一篇 下一篇")
    assert split_page(text) == []


def test_markdown_headings_start_articles():
    text = page("# 努力实现双战双赢 惠济区召开疫情防控工作会",
                "本报讯 3月27日下午,惠济区召开续会。", "记者 简洋",
                "# 惠济区召开经济运行分析会",
                "本报讯 3月23日,惠济区召开分析会。", "记者 简洋")
    arts = split_page(text)
    assert [a.title for a in arts] == ["努力实现双战双赢 惠济区召开疫情防控工作会", "惠济区召开经济运行分析会"]
    assert [a.lead for a in arts] == ["3月27日下午,惠济区召开续会。", "3月23日,惠济区召开分析会。"]
    assert [a.bylines.reporters for a in arts] == [("简洋",), ("简洋",)]
    assert all("记者" not in a.body for a in arts)


def test_line_ranges_are_one_based_and_cover_headline_to_byline():
    text = "\n\n# 标题一号\n\n本报讯 正文一。\n\n记者 简洋\n\n# 标题二号\n\n本报讯 正文二。\n"
    a, b = split_page(text)
    assert (a.line_start, a.line_end) == (3, 7)
    assert (b.line_start, b.line_end) == (9, 11)


# ----------------------------------------------------------------- headline blocks

def test_headline_block_kicker_title_subtitle():
    text = page("稳经济 促发展 强信心", "金水区吹响奋进「冲锋号」", "当好高质量发展「火车头」",
                "本报讯(记者 党贺喜)记者从2月12日召开的金水区高质量发展大会上获悉,金水区吹响了号角。")
    (a,) = split_page(text)
    assert a.title == "金水区吹响奋进「冲锋号」"
    assert a.subtitle == "稳经济 促发展 强信心 当好高质量发展「火车头」"
    assert a.lead.startswith("记者从2月12日召开的")
    assert a.bylines.reporters == ("党贺喜",)


def test_section_marks_and_short_labels_are_not_the_title():
    assert headline_parts(["■开年加速度", "■新年“开门红”", "开年订单激增 踏上“新丝路”之旅"]) == (
        "开年订单激增 踏上“新丝路”之旅", "开年加速度 新年“开门红”")
    assert headline_parts(["潮河办事处", "全力推进经济社会各项事业高质量发展"]) == (
        "全力推进经济社会各项事业高质量发展", "潮河办事处")
    assert headline_parts(["“三个一批”齐推进 全力冲刺“开门红”", "开局就奔跑 起步即冲刺",
                           "经开区共谋划项目16个,总投资216.8亿元"]) == (
        "“三个一批”齐推进 全力冲刺“开门红”", "开局就奔跑 起步即冲刺 经开区共谋划项目16个,总投资216.8亿元")


def test_a_short_headline_alone_is_the_title():
    assert headline_parts(["精准养护 守护安全"]) == ("精准养护 守护安全", "")
    assert headline_parts(["■开年加速度"]) == ("开年加速度", "")
    assert headline_parts([]) == ("", "")


# ----------------------------------------------------------------- datelines

@pytest.mark.parametrize("lead_line, lead, reporters, correspondents", [
    ("本报讯 3月30日,惠济区举行签约仪式。", "3月30日,惠济区举行签约仪式。", (), ()),
    ("本报讯(记者 刘伟平 通讯员 张一弛)记者从2月14日召开的大会上获悉。",
     "记者从2月14日召开的大会上获悉。", ("刘伟平",), ("张一弛",)),
    ("本报讯 (记者 杨丽萍)为进一步促进惠企金融政策落地。", "为进一步促进惠企金融政策落地。", ("杨丽萍",), ()),
    ("本报讯（郑报全媒体记者 王世瑾 通讯员 王欣）记者昨日获悉。", "记者昨日获悉。", ("王世瑾",), ("王欣",)),
    ("中原网讯(记者 张三)5月6日,中原区召开会议。", "5月6日,中原区召开会议。", ("张三",), ()),
])
def test_dateline_and_byline_are_removed_from_the_lead(lead_line, lead, reporters, correspondents):
    (a,) = split_page(page("中原区召开会议", lead_line))
    assert a.lead == lead
    assert a.bylines.reporters == reporters
    assert a.bylines.correspondents == correspondents
    assert a.dateline


def test_dateline_byline_split_across_lines_is_rejoined():
    (a,) = split_page("中原区召开会议\n\n本报讯 (记者\n张三 通讯员 李四)5月6日,中原区召开会议。\n")
    assert a.lead == "5月6日,中原区召开会议。"
    assert a.bylines == a.bylines.__class__(("张三",), ("李四",))


def test_dateline_starts_a_new_article_without_headline():
    text = page("中原区召开会议", "本报讯 5月6日,中原区召开会议。",
                "本报讯 5月7日,二七区召开大会。")
    arts = split_page(text)
    assert len(arts) == 2
    assert arts[1].lead == "5月7日,二七区召开大会。"


def test_article_without_dateline():
    (a,) = split_page(page("惠济区开展植树活动", "3月12日,惠济区开展植树活动。", "记者 简洋"))
    assert a.title == "惠济区开展植树活动"
    assert a.lead == "3月12日,惠济区开展植树活动。"
    assert a.dateline == ""


# ----------------------------------------------------------------- bylines in the page

def test_trailing_bylines_split_over_two_lines():
    (a,) = split_page(page("中原区召开会议", "本报讯 5月6日,中原区召开会议。",
                           "记者 唐善普\n通讯员 白博文/图"))
    assert a.bylines.reporters == ("唐善普",)
    assert a.bylines.correspondents == ("白博",)
    assert a.body == "5月6日,中原区召开会议。"


def test_byline_broken_after_its_label():
    (a,) = split_page(page("经开区召开会议", "本报讯 近日,经开区召开会议。记者", "王赛华 文/图"))
    assert a.bylines.reporters == ("王赛华",)
    assert a.body == "近日,经开区召开会议。"


def test_byline_glued_to_last_sentence_then_page_code():
    (a,) = split_page(page("经开区召开会议", "本报讯 近日,经开区召开会议,奠定了基础。记者 王赛华", "G02"))
    assert a.bylines.reporters == ("王赛华",)
    assert a.body == "近日,经开区召开会议,奠定了基础。"


# ----------------------------------------------------------------- photo news

def test_untitled_photo_news_after_an_article():
    text = ("登封市召开洽谈会\n\n本报讯 2月13日,登封市召开洽谈会。\n\n据了解,登封成立了招商专班。"
            "\n\n\n\n近日,管城区组织学生开展非遗研学活动。\n\n本报记者 王恩俊 摄\n\n"
            "助企业解困 为发展赋能\n\n本报讯 记者昨日获悉,中原区建设路街道优化服务。\n")
    arts = split_page(text)
    assert [a.title for a in arts] == ["登封市召开洽谈会", "", "助企业解困 为发展赋能"]
    photo = arts[1]
    assert photo.body == "近日,管城区组织学生开展非遗研学活动。"
    assert photo.bylines.photographers == ("王恩俊",)
    assert not photo.bylines.reporters
    assert arts[0].body.endswith("据了解,登封成立了招商专班。")
    assert arts[0].bylines.photographers == ()
    assert (photo.line_start, photo.line_end) == (9, 11)


def test_photo_news_at_the_top_of_a_page():
    (a,) = split_page(page("2月14日,中原区消防救援大队走进育才小学开展活动。", "本报记者 孙志刚 摄"))
    assert a.title == ""
    assert a.bylines.photographers == ("孙志刚",)


def test_photo_credit_of_a_dated_article_stays_with_it():
    (a,) = split_page(page("惠济区举行签约仪式", "本报讯 3月30日,惠济区举行签约仪式。",
                           "签约仪式现场。", "本报记者 王恩俊 摄"))
    assert a.bylines.photographers == ("王恩俊",)
    assert a.body.endswith("签约仪式现场。")


# ----------------------------------------------------------------- headline after the body

def test_headline_printed_after_its_body_goes_back_to_it():
    text = page(
        "金水区吹响奋进冲锋号",
        "本报讯(记者 党贺喜)金水区召开高质量发展大会,吹响奋进冲锋号。",
        "本报讯(记者 刘伟平)二七区召开产业发展大会,提出破题开局、换挡转型,以“双轮驱动”做好“两篇文章”。",
        "二七区破题开局换挡转型",
        "「双轮驱动」做好「两篇文章」",
        "现代汽车集团来登封 洽谈氢能源产业项目",
        "本报讯(记者 李晓光)2月13日,现代汽车集团到登封考察,洽谈氢能源产业项目。",
    )
    arts = split_page(text)
    assert [(a.title, a.subtitle) for a in arts] == [
        ("金水区吹响奋进冲锋号", ""),
        ("二七区破题开局换挡转型", "「双轮驱动」做好「两篇文章」"),
        ("现代汽车集团来登封 洽谈氢能源产业项目", ""),
    ]
    assert (arts[1].line_start, arts[1].line_end) == (5, 9)


def test_headline_after_the_last_body_of_the_page():
    arts = split_page(page("本报讯 二七区召开产业发展大会,破题开局。", "二七区破题开局"))
    assert [a.title for a in arts] == ["二七区破题开局"]


def test_headline_block_stays_with_the_next_article_when_the_previous_has_a_title():
    text = page("标题甲号", "本报讯 惠济区召开会议,甲。", "标题乙号", "副题乙号",
                "本报讯 惠济区召开会议,乙。")
    assert [(a.title, a.subtitle) for a in split_page(text)] == [
        ("标题甲号", ""), ("标题乙号", "副题乙号")]


# ----------------------------------------------------------------- features

def test_section_heads_and_captions_stay_inside_a_feature():
    text = page(
        "创新活力之城蝶变出重彩 大美幸福惠济奋发启新程",
        "“产业立区”稳住经济“基本盘”",
        "推进产业转型。加快培育新兴产业。",
        "从数据看信心显担当,地区生产总值增长7%。记者 王阳 通讯员 张超 文/图",
        "建设中的黄河国家博物馆",
        "郑州种业博览会上瓜果飘香",
        "“文化兴区”育出文旅“金招牌”",
        "讲好“黄河故事”。以实施黄河国家战略为抓手。",
    )
    (a,) = split_page(text)
    assert a.title == "创新活力之城蝶变出重彩 大美幸福惠济奋发启新程"
    assert a.bylines.reporters == ("王阳",) and a.bylines.correspondents == ("张超",)
    assert a.paragraphs[-4:] == ("建设中的黄河国家博物馆", "郑州种业博览会上瓜果飘香",
                                 "“文化兴区”育出文旅“金招牌”", "讲好“黄河故事”。以实施黄河国家战略为抓手。")
    assert "记者" not in a.body


def test_headline_after_a_finished_dated_article_starts_a_new_one():
    text = page("标题甲号", "本报讯 惠济区召开会议。", "记者 简洋", "标题乙号", "惠济区开展植树活动。")
    assert titles(text) == ["标题甲号", "标题乙号"]


# ----------------------------------------------------------------- broken paragraphs

def test_paragraph_broken_mid_sentence_is_rejoined():
    text = page("惠济区召开疫情防控工作会", "本报讯 魏东强调,要加强市场管理。压实",
                "企业主体责任,规范市场管理秩序。要广泛参", "与,抓紧补短板。", "丁文霞要求,要优化网格设置。")
    (a,) = split_page(text)
    assert a.paragraphs == ("魏东强调,要加强市场管理。压实企业主体责任,规范市场管理秩序。要广泛参与,抓紧补短板。",
                            "丁文霞要求,要优化网格设置。")
    assert (a.line_start, a.line_end) == (1, 9)


def test_fragment_with_commas_is_rejoined_not_a_section_head():
    (a,) = split_page(page("经开区项目建设", "本报讯 1月28日,经开区谋划项目16个。",
                           "2023年,经开区紧盯年度目标任务,以更", "高标准抓项目。"))
    assert a.paragraphs[-1] == "2023年,经开区紧盯年度目标任务,以更高标准抓项目。"


def test_headlines_are_never_joined_to_text():
    text = page("标题甲号", "本报讯 惠济区召开会议,清洗路面", "标题乙号", "本报讯 二七区召开会议。")
    arts = split_page(text)
    assert [a.body for a in arts] == ["惠济区召开会议,清洗路面", "二七区召开会议。"]


def test_layout_gap_inside_a_paragraph():
    (a,) = split_page("标题甲号\n\n本报讯 继续坚持成熟有效的推进方\n\n\n\n式,以项目建设检验成效。\n")
    assert a.body == "继续坚持成熟有效的推进方式,以项目建设检验成效。"


# ----------------------------------------------------------------- interleaved articles

def test_continuation_after_other_articles_goes_back_to_its_article():
    text = page(
        "潮河办事处", "全力推进经济社会各项事业高质量发展",
        "本报讯 2022年,潮河办事处全力落实抓党建、促项目、惠民生责任。",
        "社会民生稳步向前。潮河办事处深入开展全城清洁行动,清洗路面",
        "九龙办事处", "持续服务项目 加快项目建设进度",
        "本报讯 九龙办事处深入开展三个一批活动,持续服务在建项目。",
        "九龙办事处始终把服务企业摆在首位,针对重点项",
        "祥云办事处", "落实三项机制做好项目服务保障",
        "本报讯 祥云办事处落实三项机制,全面服务项目建设。",
        "落实调度督查考核机制,不断提升干部队伍凝聚力、执",
        "200万余平方米。潮河办事处全城清洁行动持续推进,社会民生稳步向前,回迁安置稳步推进。",
        "潮河办事处党的建设蓬勃发展。",
        "记者 鲁慧 通讯员 李贝",
    )
    arts = split_page(text)
    assert [a.title for a in arts] == ["全力推进经济社会各项事业高质量发展", "持续服务项目 加快项目建设进度",
                                       "落实三项机制做好项目服务保障"]
    chaohe, jiulong, xiangyun = arts
    assert "清洗路面200万余平方米。" in chaohe.body
    assert chaohe.body.endswith("潮河办事处党的建设蓬勃发展。")
    assert chaohe.bylines == chaohe.bylines.__class__(("鲁慧",), ("李贝",))
    assert xiangyun.body.endswith("凝聚力、执")
    assert not xiangyun.bylines and not jiulong.bylines
    assert (chaohe.line_start, chaohe.line_end) == (1, 29)


def test_text_after_a_cut_article_stays_with_it_when_nothing_else_matches():
    text = page("标题甲号", "本报讯 惠济区召开会议,清洗路面", "标题乙号",
                "本报讯 二七区召开产业大会,提出产业发展路径,凝聚力、执",
                "行力持续提升,二七区产业发展大会取得成效。")
    a, b = split_page(text)
    assert b.body.endswith("凝聚力、执行力持续提升,二七区产业发展大会取得成效。")
    assert a.body == "惠济区召开会议,清洗路面"


# ----------------------------------------------------------------- repeated headlines

def test_title_repeated_in_a_block_is_kept_once():
    text = page("惠济区召开经济运行分析会", "惠济区召开经济运行分析会", "# 惠济区召开经济运行分析会",
                "本报讯 3月23日,惠济区召开分析会。")
    (a,) = split_page(text)
    assert (a.title, a.subtitle) == ("惠济区召开经济运行分析会", "")


def test_title_repeated_after_the_body_is_dropped():
    text = page("惠济区召开经济运行分析会", "本报讯 3月23日,惠济区召开分析会。",
                "惠济区召开经济运行分析会", "二七区召开产业发展大会", "本报讯 2月14日,二七区召开大会。")
    assert [(a.title, a.subtitle) for a in split_page(text)] == [
        ("惠济区召开经济运行分析会", ""), ("二七区召开产业发展大会", "")]


@pytest.mark.parametrize("where", ["top", "bottom"])
def test_list_of_the_pages_headlines_is_dropped(where):
    listing = ["返回主页 | 郑州日报 | 版面导航", "· 惠济区召开经济运行分析会", "· 二七区召开产业发展大会",
               "· 稳经济 促发展 金水区吹响奋进冲锋号"]
    articles = ["惠济区召开经济运行分析会", "本报讯 3月23日,惠济区召开分析会。", "记者 简洋",
                "二七区召开产业发展大会", "本报讯 2月14日,二七区召开大会。", "记者 刘伟平",
                "稳经济 促发展", "金水区吹响奋进冲锋号", "本报讯 2月12日,金水区召开大会。"]
    text = page(*(listing + articles if where == "top" else articles + listing))
    arts = split_page(text)
    assert [(a.title, a.subtitle) for a in arts] == [
        ("惠济区召开经济运行分析会", ""), ("二七区召开产业发展大会", ""), ("金水区吹响奋进冲锋号", "稳经济 促发展")]
    assert all("二七区召开产业发展大会" not in a.body for a in arts)


def test_headline_key_ignores_bullets_numbers_and_spaces():
    assert headline_key("· 惠济区 召开会议") == headline_key("# 惠济区召开会议") == "惠济区召开会议"
    assert headline_key("1. 惠济区召开会议") == "惠济区召开会议"


def test_e_paper_chrome_never_reaches_article_text():
    text = page("返回主页 | 郑州日报 | 版面导航", "第07版:县区新闻", "X07",
                "惠济区召开会议", "(上接第一版)本报讯 3月23日,惠济区召开会议。", "G02",
                "上一篇 下一篇")
    (a,) = split_page(text)
    assert a.body == "3月23日,惠济区召开会议。"
    assert a.title == "惠济区召开会议"


# ----------------------------------------------------------------- robustness

def test_windows_line_ends_and_wide_spaces():
    (a,) = split_page("惠济区召开会议\r\n\r\n\u3000\u3000本报讯\u30003月23日,惠济区召开会议。\r\n")
    assert a.lead == "3月23日,惠济区召开会议。"
    assert (a.line_start, a.line_end) == (1, 3)


def test_one_huge_line_is_one_article():
    text = "惠济区召开经济运行分析会,强调要深入贯彻落实。" * 50_000
    (a,) = split_page(text)
    assert a.title == "" and len(a.body) == len(text)


def test_photo_news_without_blank_lines_is_told_apart_by_its_words():
    text = ("登封市召开洽谈会\n本报讯 2月13日,现代汽车集团到登封考察,洽谈氢能源产业项目。\n"
            "据了解,登封成立了招商专班,为登封经济高质量发展蓄势储能。\n"
            "近日,管城区文化旅游体育局组织东关小学学生开展非遗研学活动。\n本报记者 王恩俊 摄\n")
    dengfeng, photo = split_page(text)
    assert photo.title == "" and photo.bylines.photographers == ("王恩俊",)
    assert photo.body.startswith("近日,管城区")
    assert dengfeng.body.endswith("蓄势储能。") and not dengfeng.bylines.photographers


def test_caption_of_the_articles_own_picture_stays_even_after_a_gap():
    text = ("惠济区举行签约仪式\n\n本报讯 3月30日,惠济区举行一季度重点项目集中签约仪式。\n\n"
            "本次签约项目12个。\n\n\n\n惠济区一季度重点项目集中签约仪式现场。\n\n本报记者 王恩俊 摄\n")
    (a,) = split_page(text)
    assert a.body.endswith("集中签约仪式现场。")
    assert a.bylines.photographers == ("王恩俊",)


def test_line_with_a_comma_after_open_text_is_not_a_headline():
    text = page("标题甲号", "本报讯 九龙办事处深入开展活动,持续服务在建项目。",
                "九龙办事处始终把服务企业摆在首位,针对重点项", "标题乙号", "本报讯 明湖办事处召开会议。")
    a, b = split_page(text)
    assert a.body.endswith("\n\n九龙办事处始终把服务企业摆在首位,针对重点项")
    assert (b.title, b.subtitle) == ("标题乙号", "")


def test_a_column_name_heading_several_items_is_kept_for_each():
    text = page("图片新闻", "本报讯 惠济区开展植树活动。", "记者 简洋",
                "图片新闻", "本报讯 二七区开展义诊活动。", "记者 刘伟平")
    assert titles(text) == ["图片新闻", "图片新闻"]


def test_lists_at_top_and_bottom_of_an_e_paper_page():
    """The 001 layout: one block holds a headline printed after its body and the next
    article's headline; both also appear in the lists of the page's headlines."""
    heads = ["金水区吹响奋进冲锋号", "二七区破题开局换挡转型", "现代汽车集团来登封 洽谈氢能源产业项目"]
    body = [
        "稳经济 促发展", "金水区吹响奋进冲锋号",
        "本报讯(记者 党贺喜)金水区召开高质量发展大会,吹响奋进冲锋号。",
        "本报讯(记者 刘伟平)二七区召开产业发展大会,提出破题开局、换挡转型,以“双轮驱动”做好“两篇文章”。",
        "二七区破题开局换挡转型", "「双轮驱动」做好「两篇文章」",
        "现代汽车集团来登封 洽谈氢能源产业项目",
        "本报讯(记者 李晓光)2月13日,现代汽车集团到登封考察,洽谈氢能源产业项目。",
    ]
    top = ["郑州日报 2023年02月15日 星期三", "返回主页 | 郑州日报 | 版面导航", "第07版:县区新闻"]
    top += ["· " + h for h in heads]
    bottom = ["G07", "上一篇 下一篇"] + heads + ["责任编辑:张三 校对:李四"]
    expected = [("金水区吹响奋进冲锋号", "稳经济 促发展"),
                ("二七区破题开局换挡转型", "「双轮驱动」做好「两篇文章」"),
                ("现代汽车集团来登封 洽谈氢能源产业项目", "")]
    for lines in (top + body, body + bottom, top + body + bottom):
        assert [(a.title, a.subtitle) for a in split_page(page(*lines))] == expected


# ----------------------------------------------------------------- any page

from hypothesis import given, settings, strategies as st  # noqa: E402

_PIECES = st.sampled_from([
    "惠济区召开会议", "稳经济 促发展", "■开年加速度", "# 标题", "本报讯 3月23日,惠济区召开会议。",
    "本报讯(记者 简洋)", "本报讯 (记者", "简洋 通讯员 李四)正文。", "记者 简洋", "记者", "王赛华 文/图",
    "本报记者 王恩俊 摄", "近日,管城区开展活动。", "压实", "企业责任,规范秩序。", "(上接第一版)",
    "返回主页 | 郑州日报 | 版面导航", "G02", "· 惠济区召开会议", "没有句号的一段话,", "“开门红”。记者 王赛华",
    "", " ", "\u3000", "。", ")", "(", "摄", "1.", "，", "２０２３年",
])


@settings(max_examples=300, deadline=None, database=None)
@given(st.lists(_PIECES, max_size=40), st.sampled_from(["\n", "\n\n", "\r\n", "\n\n\n"]))
def test_any_page_splits_without_error_into_sane_articles(pieces, sep):
    text = sep.join(pieces)
    n_lines = text.replace("\r\n", "\n").count("\n") + 1
    for a in split_page(text):
        assert a.paragraphs and all(p and p == p.strip() for p in a.paragraphs)
        assert 1 <= a.line_start <= a.line_end <= n_lines
        assert "\n" not in a.title + a.subtitle


def test_edition_header_with_lettered_page_number_is_boilerplate():
    assert is_boilerplate("郑州日报 2020年01月08日 第X07版：区县新闻")


def test_headline_list_heading_a_continuation_is_dropped_whole():
    page = (
        "新郑市：小城镇建设提速\n"
        "高新区企业研发投入增长两成\n"
        "（上接第一版）全年完成投资45亿元，其中基础设施投资占比超过六成。\n"
        "记者 孙明\n\n"
        "新郑市：小城镇建设提速\n\n"
        "本报讯（记者 孙明）记者昨日从新郑市获悉，该市今年将投入资金30亿元用于小城镇建设。\n\n"
        "高新区企业研发投入增长两成\n\n"
        "本报讯 1月6日，记者从郑州高新区获悉，规上企业研发投入同比增长20%。\n"
    )
    arts = split_page(page)
    assert [a.title for a in arts] == ["", "新郑市：小城镇建设提速", "高新区企业研发投入增长两成"]
    assert arts[0].lead.startswith("全年完成投资45亿元")
    assert arts[0].subtitle == ""
