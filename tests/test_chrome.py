"""Web-page chrome rules: every line here is invented but has the shape of a real
e-paper, portal or repost page line."""
from __future__ import annotations

import pytest

from indexer.chrome import (BOTTOM_RULES, TOP_RULES, chrome_rule, original_title, record_date,
                            record_source)


@pytest.mark.parametrize("line, rule", [
    # e-paper edition lines and navigation
    ("第N07版:金水时报 聚焦 上一版3  4下一版", "edition"),
    ("第05版:县区新闻 PDF版阅读", "edition"),
    ("第06版:县区新闻 | 上一版3 4下一版 |", "edition"),
    ("第05版:都市新闻", "page_header"),                  # printed pages carry it too
    ("郑州日报 第05版:区县新闻", "page_header"),
    ("郑州日报 2023年2月15日 星期三 第07版", "page_header"),
    ("返回主页 | 郑州晚报 | 标题导航 | 郑州日报      ", "navigation"),
    ("首页 | 新闻 | 财经 | 房产", "navigation"),
    ("上一期  下一期", "page_link"),
    ("3上一篇  下一篇4", "page_link"),
    ("下一篇4       ", "page_link"),
    ("3  4  ", "page_link"),
    ("PDF 版", "page_link"),
    ("F04-05", "page_link"),
    ("G02", "page_link"),
    ("跳转到正文内容", "page_link"),
    ("首 页|要 闻|快 讯|论 坛|热 点|视 频", "menu"),
    # breadcrumbs
    ("您当前的位置：首页 > 新闻中心 > 区县动态", "breadcrumb"),
    ("当前位置:某某热线 > 地市 > 郑州 > 正文", "breadcrumb"),
    ("某市重点项目建设 工作动态 新闻中心 正文", "breadcrumb"),
    ("郑州要闻某某网> 新闻中心 > 郑州要闻 注册登录", "breadcrumb"),
    # controls and widgets
    ("【字体：大 中 小】 打印本页 关闭窗口", "controls"),
    ("     【打印】  ", "controls"),
    ("打印此文 关闭窗口", "controls"),
    ("分享到:", "controls"),
    ("关注某某热线", "controls"),
    # footers, records, lists
    ("版权声明 @ 中原网 网站版权所有", "footer"),
    ("關於我們 | 聯繫我們 | 版權所有", "footer"),
    ("网站标识码:4101000000  豫ICP备2000000000号-1", "footer"),
    ("Powered By Google", "footer"),
    ("1048812 2019-12-05 00:00:00 四 花园路街道 “暖冬行动”走进老旧小区KeywordPh", "cms_record"),
    ("2025-10-01,12070| 2025-09-30,12062| 2025-09-29,12054", "issue_dates"),
    ("发布时间：2025-09-23 10:12 来源：登封市融媒体中心 作者：宋明 浏览次数：1024", "record"),
    ("来源:新郑市    发布时间:2022-03-14 17:35  ", "record"),
    ("2021-06-08 09:30:12 來源：鄭州日報", "record"),
    ("2017-03-02 15:57:20来源:某某网", "record"),
    ("中原网  日期: 2008-03-17  来源: 郑州日报  ", "record"),
    ("http://www.example.com.cn  2009年08月24日04:32  郑州晚报", "record"),
    ("• 2025-03-13", "record"),
    ("责任编辑：刘畅", "editor"),
    ("責任編輯：孫三", "editor"),
    ("【责任编辑:王小明 审核:李大同】", "editor"),
    # images
    ("f1208a3", "image_file"),
    ("P020190101383.jpg", "image_file"),
    ("阴影 阴影", "image_file"),
    ("(相关资料图)", "image_file"),
    ("《郑州晚报》版面截图", "image_file"),
    ("||||||||", "separator"),
    ("壟!-- /8962/web_example/dicengye_h", "markup"),
    ("var pageConfig = {", "markup"),
])
def test_chrome_rules(line, rule):
    assert chrome_rule(line) == rule


@pytest.mark.parametrize("line", [
    "花园路街道 “暖冬行动”走进老旧小区",
    "登封市召开秋粮收购工作推进会",
    "本报讯 12月3日,花园路街道组织志愿者走进辖区老旧小区。",
    "记者 林小雨",
    "金水时报 王小川",
    "看点一",
    "中原区召开2019年一季度 经济运行及财税工作调度会",
    "企业注册 成功",
    "注册资本5000万元",
    "市民可通过“郑好办”App预约,也可拨打热线咨询。",
    "关注民生 温暖人心",
    "2023年是祥云办事处创办10周年。",
])
def test_article_lines_are_not_chrome(line):
    assert chrome_rule(line) is None


def test_rules_by_place_on_the_page():
    assert "navigation" in TOP_RULES and "breadcrumb" in TOP_RULES
    assert "footer" in BOTTOM_RULES and "cms_record" in BOTTOM_RULES
    assert "record" not in TOP_RULES and "record" not in BOTTOM_RULES   # sits by the headline


def test_record_facts():
    assert record_date("发布时间：2025-09-23 10:12 来源：某某") == (2025, 9, 23)
    assert record_date("http://www.example.com.cn  2009年08月24日04:32") == (2009, 8, 24)
    assert record_date("时间:2011/3/4 来源:某某网") == (2011, 3, 4)
    assert record_source("来源:新郑市融媒体中心  时间:2025-09-23 09:17") == "新郑市融媒体中心"
    assert record_source("2021-06-08 09:30:12 來源：鄭州日報") == "郑州日报"
    assert record_date("浏览次数:1024") is None


def test_original_title():
    assert original_title("(原标题:郑东新区30个科技项目集中签约)") == "郑东新区30个科技项目集中签约"
    assert original_title("（原標題：鄭東新區舉辦大會）") == "鄭東新區舉辦大會"
    assert original_title("原标题为人所知的一句话") is None
