"""Web article pages (e-paper, portal, repost): one article in a site's chrome.

Every page below is invented (names, numbers, places) but reproduces the layout of
real pages of its family, as described in ../shared/PAGES.md.
"""
from __future__ import annotations

import datetime as dt

import pytest

from indexer.extract import explain_page, parse_page
from indexer.webpage import is_web_page, split_web_page

EPAPER_NEW = """第N07版:金水时报 聚焦 上一版3  4下一版
城南路街道 开展冬季消防演练
花园路街道 “暖冬行动”走进老旧小区
丰庆路街道 为辖区老人送上体检服务
      
返回主页 | 郑州晚报 | 标题导航 | 郑州日报      
上一期  下一期
花园路街道 “暖冬行动”走进老旧小区
□晚报记者 林小雨 通讯员 郑一帆

本报讯 12月3日,花园路街道组织志愿者走进辖区老旧小区,为独居老人更换老化电线、送去棉被。

活动中,志愿者还为居民讲解冬季用电安全知识。丰庆路街道也派出志愿者参加。

记者 林小雨
通讯员 郑一帆 宋晓 文/图
金水时报 王小川

3上一篇  下一篇4
版权声明 @ 中原网 网站版权所有
1048812 2019-12-05 00:00:00 四 花园路街道 “暖冬行动”走进老旧小区KeywordPh
"""

# Kicker above the main headline; only the main headline is in the page's list.
EPAPER_KICKER = """第M02版:中原时报 政务 上一版3  4下一版
让居民参与老街改造更“接地气”
中原区召开一季度经济运行调度会
      
返回主页 | 郑州晚报 | 标题导航 | 郑州日报      
上一期  下一期
区委书记到桐柏路观摩调研
让居民参与老街改造更“接地气”

本报讯 3月21日,中原区委书记到桐柏路调研街景整治工作。

随后,一行人来到桐柏路南段,听取了建设路街道负责人的介绍。
"""

# 2007-2012: image shadows, page links, the headline list, then the own headline,
# a record line, photo captions and their credit before the dateline.
EPAPER_OLD = """阴影
阴影 阴影
第05版:都市新闻
3  4  
PDF 版
旅游节“郑州馆”布展完毕
出动百名记者 上街清扫街巷
无证饭店难容身
      
返回主页 | 郑州日报 | 版面导航 |      
上一期  下一期  
3上一篇  下一篇4  
     【打印】  
本报为创建文明城市出力
出动百名记者 上街清扫街巷

中原网  日期: 2008-03-17  来源: 郑州日报  
  母子齐上阵。

  小记者忙不停。

  本栏图片由本报记者 孙一鸣 许大海 摄

  本报讯(记者 裴小娟 安小英 实习生 马小真)昨日,郑州日报的编辑记者们走上街头清扫街巷。

  上午9时40分,60多名编辑记者身穿红马甲,从报社出发,兵分三路开始行动。
3上一篇  下一篇4  
      
版权声明 @ 中原网 网站版权所有
"""

# Newer 郑州日报 pages: no list, a headline broken over two lines, issue dates at the end.
EPAPER_PDF = """第06版:综合新闻 PDF版阅读

郑州经开区2个项目
拟入选首批产业园区集群地标

本报讯(记者 王小博 董小茜)近日,记者从省发展改革委获悉,首批36个产业园区集群名单公示。

据了解,郑州经开区工程装备产业集群和新能源汽车产业集群入选。

2026-01-22,12889| 2026-01-21,12881| 2026-01-20,12873| 2026-01-19,12865
"""

PORTAL = """您当前的位置：首页 > 新闻中心 > 区县动态
登封市召开秋粮收购工作推进会
发布时间：2025-09-23 10:12 来源：登封市融媒体中心 作者：宋明 浏览次数：1024
【字体：大 中 小】 打印本页 关闭窗口
9月22日,登封市召开秋粮收购工作推进会,安排部署今年秋粮收购工作。
会议要求,各乡镇要做好收购网点布局,确保农民售粮方便。
责任编辑：刘畅
主办单位：登封市人民政府办公室 地址：某某路1号
"""

# A portal article that names no unit: 市委 is the site's own city (来源 says which).
PORTAL_COUNTY = """您所在的位置: 首页 新闻中心 政务要闻 正文
    市委常委会召开扩大会议
    来源:新郑市融媒体中心  时间:2025-09-23 09:17  

    9月22日,市委常委会召开扩大会议,传达学习有关会议精神。

    会议听取了全市生态环境保护工作情况汇报。

    打印此文 关闭窗口
"""

# An index record block (bulleted) before the headline names the publishing organ.
PORTAL_INDEX = """• 000111222/2025-00005
  • 惠济区林业局
  • 义务植树
  • 2025-03-13
惠济区开展春季全民义务植树活动

播种绿色希望,共筑生态屏障。3月13日,惠济区组织干部群众开展义务植树活动。

植树现场,同志们手持铁锹、水桶等工具,分组协作。

主办单位:惠济区人民政府办公室 地址:郑州市某某路8号
"""

REPOST_TRADITIONAL = """首页 | 新闻 | 财经 | 房产
鄭州市鄭東新區舉辦科技創新大會
2021-06-08 09:30:12 來源：鄭州日報
本報訊(記者 趙一 通訊員 錢二) 6月7日,鄭東新區舉辦科技創新大會,30個項目現場簽約。
據介紹,這些項目總投資120億元,涉及人工智能、生物醫藥等領域。
(原標題:鄭東新區30個科技項目集中簽約)
責任編輯：孫三
關於我們 | 聯繫我們 | 版權所有
"""

# Old mirror: skip links, a URL+date record line, the printed headline broken over
# lines with blank lines between, a trailing byline with a tip note.
REPOST_OLD = """跳转到路径导航栏
跳转到正文内容

王莲

http://www.example.com.cn  2009年08月24日04:32  郑州晚报

王莲

  王莲

  喊疼

  昨日,面对紫荆山公园王莲被游客砸伤,市民雷先生说,王莲是供市民观赏的景色,看到被砸伤很心疼。

  晚报记者 董小卿 实习生 袁小野/文 晚报记者 张小飞/图 线索提供 雷先生

Powered By Google
"""

# A repost that opens with the page title, then the source line, then the opener of
# one section of a long report: the headline is above the record line.
REPOST_SECTION = """首 页|要 闻|快 讯|论 坛|热 点|视 频
2012年郑州两会 > 媒体关注

郑州县市区领导畅谈都市区建设

来源:中原网--郑州晚报 日期:2012-02-03

登封市委书记 郑一林

走“三化”协调发展的路子,必须充分发挥新型城镇化的引领作用、新型工业化的主导作用。

郑一林说,登封目前已经有建设新型城镇化各方面的基础。
"""

PRINTED = """# 惠济区召开经济运行分析会

本报讯(记者 简小洋)3月23日,惠济区召开全区经济运行分析会。

会议要求,确保实现一季度经济“开门红”。

二七区召开产业发展大会

本报讯 3月24日,二七区召开产业发展大会。

记者 刘小平
"""


def one(text, page_date=None):
    articles = parse_page(text, "page.txt", page_date)
    assert len(articles) == 1, [a.title for a in articles]
    return articles[0]


def test_web_pages_are_recognised_by_their_chrome():
    for page in (EPAPER_NEW, EPAPER_OLD, EPAPER_PDF, PORTAL, REPOST_TRADITIONAL, REPOST_OLD):
        assert is_web_page(page)
    assert not is_web_page(PRINTED)
    assert [a.title for a in parse_page(PRINTED, "p.txt")] == ["惠济区召开经济运行分析会", "二七区召开产业发展大会"]


def test_epaper_headline_is_the_block_that_repeats_the_headline_list():
    a = one(EPAPER_NEW)
    assert a.title == "花园路街道 “暖冬行动”走进老旧小区"
    assert a.body.startswith("12月3日,花园路街道组织志愿者")
    assert a.date == "2019-12-03"                        # year from the CMS record line
    assert a.page_date == "2019-12-05"
    assert a.district == "金水区"                         # from its own text, not from the list
    assert a.reporters == ("林小雨", "王小川")             # 晚报记者 + the supplement's own staff
    assert a.correspondents == ("郑一帆", "宋晓")          # 文/图 makes writers, not photographers
    assert a.photographers == ()
    assert "版权" not in a.body and "上一篇" not in a.body and "丰庆路街道 为辖区" not in a.body


def test_kicker_above_the_main_headline_goes_to_the_subtitle():
    a = one(EPAPER_KICKER)
    assert a.title == "让居民参与老街改造更“接地气”"
    assert a.subtitle == "区委书记到桐柏路观摩调研"
    assert a.district == "中原区"


def test_old_epaper_page():
    a = one(EPAPER_OLD)
    assert a.title == "出动百名记者 上街清扫街巷"
    assert a.subtitle == "本报为创建文明城市出力"
    assert a.body.startswith("昨日,郑州日报的编辑记者们")   # the dateline leads, captions follow
    assert "母子齐上阵。" in a.body.split("\n\n")[-2:]
    assert a.date == "2008-03-16"                        # 昨日 of the record line's date
    assert a.reporters == ("裴小娟", "安小英", "马小真")
    assert a.photographers == ("孙一鸣", "许大海")
    assert "旅游节" not in a.body and "阴影" not in a.body


def test_headline_broken_over_two_lines_is_joined_and_issue_dates_give_no_year():
    a = one(EPAPER_PDF)
    assert "".join(a.title.split()) == "郑州经开区2个项目拟入选首批产业园区集群地标"
    assert a.date is None                                # 近日, and the issue list is not the page date
    assert a.reporters == ("王小博", "董小茜")
    assert "2026-01-22" not in a.body


def test_portal_article():
    a = one(PORTAL)
    assert a.title == "登封市召开秋粮收购工作推进会"
    assert a.body.startswith("9月22日,登封市召开")
    assert a.date == "2025-09-22"                        # year from 发布时间
    assert a.district == "登封市"
    assert a.reporters == ("宋明",)                       # 作者 of the record line, no other byline
    assert "责任编辑" not in a.body and "字体" not in a.body and "主办单位" not in a.body


def test_portal_article_without_a_unit_takes_the_unit_of_its_source():
    a = one(PORTAL_COUNTY)
    assert a.title == "市委常委会召开扩大会议"
    assert a.district == "新郑市"
    assert a.date == "2025-09-22"


def test_portal_index_record_is_chrome_and_names_the_publisher():
    a = one(PORTAL_INDEX)
    assert a.title == "惠济区开展春季全民义务植树活动"
    assert a.date == "2025-03-13"
    assert a.district == "惠济区"
    assert "林业局" not in a.body


def test_traditional_repost_with_original_headline():
    a = one(REPOST_TRADITIONAL)
    assert a.title == "鄭東新區30個科技項目集中簽約"            # the original headline
    assert a.subtitle == "鄭州市鄭東新區舉辦科技創新大會"        # the repost's own headline
    assert a.reporters == ("趙一",) and a.correspondents == ("錢二",)   # names as printed
    assert a.date == "2021-06-07"
    assert a.district == "郑东新区"
    assert a.project_types and "签约" in a.project_types
    assert "原標題" not in a.body and "責任編輯" not in a.body


def test_old_mirror_with_broken_headline_and_tip_note():
    a = one(REPOST_OLD)
    assert "".join(a.title.split()) == "王莲喊疼"
    assert a.date == "2009-08-23"
    assert a.district == "金水区"                         # 紫荆山公园, a landmark
    assert a.reporters == ("董小卿", "袁小野")
    assert a.photographers == ("张小飞",)
    assert "线索提供" not in a.body


def test_headline_above_the_record_line_beats_a_section_opener():
    a = one(REPOST_SECTION)
    assert a.title == "郑州县市区领导畅谈都市区建设"
    assert a.page_date == "2012-02-03"


def test_roles_of_every_line():
    page = split_web_page(EPAPER_NEW)
    roles = {r.number: (r.role, r.rule) for r in page.roles}
    assert roles[1] == ("chrome", "edition")
    assert roles[2] == ("headline_list", "headline_list")
    assert roles[6] == ("chrome", "navigation")
    assert roles[8][0] == "headline"
    assert roles[9][0] == "byline"
    assert roles[11][0] == "body"
    assert roles[17][0] == "byline"
    assert roles[21] == ("chrome", "cms_record")
    assert page.title_rule == "repeats_headline_list"


def test_explain_page_keeps_the_same_articles():
    for text in (EPAPER_NEW, PORTAL, PRINTED):
        explained = explain_page(text, "page.txt", dt.date(2025, 9, 23))
        assert list(explained.articles) == parse_page(text, "page.txt", dt.date(2025, 9, 23))
        assert explained.roles, "every page lists its line roles"


@pytest.mark.parametrize("text", ["", "返回主页 | 郑州日报 | 版面导航\n上一期  下一期\n", "版权所有\n"])
def test_chrome_only_pages_have_no_article(text):
    assert parse_page(text, "x.txt") == []


# A saved table flattened onto one line: headline, byline and body glued with spaces.
FLATTENED = """![]() |
第A17版:时政新闻 | 上一版3 4下一版 | ![]() |
|
||||||||
新郑:全力以赴 打赢“三大战役” 扎实推进城镇化建设 □记者 王小方 通讯员 刘小冬 2012年的新郑市城镇化建设势如破竹:新建城乡道路89条,快速通道全线通车。 |
"""


def test_flattened_table_page():
    a = one(FLATTENED)
    assert a.title.startswith("新郑:全力以赴")
    assert a.reporters == ("王小方",) and a.correspondents == ("刘小冬",)
    assert a.body.startswith("2012年的新郑市")
    assert a.district == "新郑市"
    assert a.line_start == a.line_end == 5


# A department page: photo captions (short lines) between the record line and the story.
CAPTIONS_FIRST = """某某局召开综合工作会议
来源:本站  时间:2020-09-21 15:50:47  

某某局综合工作会议召开

局党组书记、局长王大立讲话

为进一步推进各项重点工作,9月21日上午,郑州市某某局召开综合工作会议。

会上,局党组成员分别通报了分管工作情况。

打印此文 关闭窗口
"""


def test_captions_before_the_story_follow_it():
    a = one(CAPTIONS_FIRST)
    assert a.title == "某某局召开综合工作会议"
    assert a.body.startswith("为进一步推进各项重点工作")
    assert a.body.endswith("局党组书记、局长王大立讲话")
    assert a.date == "2020-09-21"


TABLE_CELLS = """第06版:县区新闻 | 上一版3 4下一版 |
|
||||
社区主任是名“时尚大妈”
本报讯 近日,某某街道各社区开展元宵节活动。活动现场热闹、温馨,小朋友的脸上洋溢着笑容。 记者 冉小政 通讯员 王小琪 |
3上一篇 下一篇4 |
版权声明 @ 中原网 网站版权所有 |
"""


def test_byline_glued_to_a_table_cell():
    a = one(TABLE_CELLS)
    assert a.reporters == ("冉小政",) and a.correspondents == ("王小琪",)
    assert a.body.endswith("洋溢着笑容。")


def test_staff_line_closes_a_printed_article():
    page = "本报讯 近日,中牟县政协组织委员开展调研活动,查看农业项目进展。\n中牟时报 李小娟\n通讯员 张小宏 张小钰\n"
    [a] = parse_page(page, "p.txt")
    assert a.reporters == ("李小娟",) and a.correspondents == ("张小宏", "张小钰")


def test_short_page_ending_with_an_issue_list():
    page = ("第05版:县区新闻 PDF版阅读\n\n街道开展清洁行动\n\n本报讯 3月2日,某某街道开展清洁行动。\n\n"
            "2026-01-22,12889| 2026-01-21,12881| 2026-01-20,12873\n")
    a = one(page)
    assert a.title == "街道开展清洁行动" and a.date == "--03-02"
