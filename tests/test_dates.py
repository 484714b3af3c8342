"""Present year of a page and article dates (indexer.dates)."""
import datetime as dt

import pytest

from indexer.dates import article_date, page_present_year


@pytest.mark.parametrize("text, expected", [
    # the year of a dated event is the present
    ("本报讯 3月30日,惠济区举行了2022年一季度重点项目集中(线上)签约仪式。", 2022),
    # look-back on the past year, then the present one
    ("2022年,潮河办事处全力落实抓党建。2023年是祥云办事处创办10周年。", 2023),
    ("2022年,惠济区聚焦“生态优”。2023年,惠济区将以实施黄河国家战略为带动。", 2023),
    ("据了解,2023年开年以来,新密市通过招商引资加快推进项目建设。", 2023),
    # a founding year or an early start is history, not the present
    ("该联合会成立于2006年9月,长期开展公益活动。", None),
    ("早在2015年,这里就开始试点。自2018年以来已建成12处。", None),
    # plan horizons are not the present
    ("启动新一轮起步区建设三年行动计划(2023~2025年)编制工作。2022年全区新签约项目27个。", 2022),
    ("到2025年,全区数字经济规模突破千亿元。2021年完成投资80亿元。", 2021),
    ("2035年前基本实现现代化。2020年起步。", 2020),
    ("2023年前三季度,全区生产总值增长6%。2022年同期增长4%。", 2023),
    ("2023年前2个月,进出口增长。", 2023),
    ("力争2024年建成投用。2023年完成主体结构。", 2023),
    ("2023年至2025年,分三步推进。2022年完成规划。", 2022),
    # comparisons are look-backs
    ("比2021年增长4.4%", None),
    ("2022年河南省外贸进出口总值8524.1亿元,比2021年(下同)增长4.4%。", 2022),
    # labels name the present outright
    ("去年(2022年)全区生产总值增长6%。今年工作开好局。", 2023),
    ("今年(2024年)是全面完成“十四五”规划目标任务的关键一年,2025年目标……", 2024),
    # full-width digits
    ("２０２１年，全区实现地区生产总值。", 2021),
    # no year at all: never invent one
    ("5月6日,中原区举行重大项目建设观摩暨一季度经济运行分析会议。", None),
    ("", None),
    ("20世纪90年代,1990年代的工厂", None),
])
def test_page_present_year(text, expected):
    assert page_present_year(text) == expected


D = dt.date


@pytest.mark.parametrize("lead, page_date, year, expected", [
    # year from the page date, else from the stated present year, else --MM-DD
    ("本报讯 3月27日下午,在收听收看省委疫情防控", D(2022, 3, 28), None, "2022-03-27"),
    ("3月30日,惠济区举行了2022年一季度", None, 2022, "2022-03-30"),
    ("5月6日,中原区举行重大项目建设观摩", None, None, "--05-06"),
    ("记者从2月12日召开的金水区高质量发展大会上获悉", None, 2023, "2023-02-12"),
    ("2月29日,举行签约仪式", None, None, "--02-29"),
    ("2月29日,举行签约仪式", None, 2023, None),            # not a day in 2023
    ("2月29日,举行签约仪式", None, 2024, "2024-02-29"),
    ("2月30日,举行签约仪式", None, None, None),
    ("13月1日", None, 2023, None),
    # an explicit full date wins
    ("2021年11月9日,项目正式开工", D(2023, 2, 1), 2023, "2021-11-09"),
    ("去年12月16日,项目落户登封", D(2023, 2, 14), None, "2022-12-16"),
    ("去年12月16日,项目落户登封", None, 2023, "2022-12-16"),
    # relative days only against a page date (leap days!)
    ("记者昨日获悉,为持续深化", D(2024, 3, 1), 2024, "2024-02-29"),
    ("记者昨日获悉,为持续深化", D(2023, 3, 1), None, "2023-02-28"),
    ("记者昨天从区政府获悉", D(2023, 1, 1), None, "2022-12-31"),
    ("今天上午,签约仪式举行", D(2023, 5, 6), None, "2023-05-06"),
    ("今日,签约仪式举行", D(2023, 5, 6), None, "2023-05-06"),
    ("前天下午,座谈会召开", D(2024, 3, 1), None, "2024-02-28"),
    ("记者昨日获悉,为持续深化", None, 2023, None),
    # vague words give no day
    ("近日,管城区文化旅游体育局组织东关小学", D(2023, 2, 15), 2023, None),
    ("日前,登封市公安局举行聘任仪式", None, 2023, None),
    ("春节过后,中牟县狼城岗镇各单位", None, 2023, None),
    ("近日,记者来到企业,2月14日开工", None, 2023, None),        # the first date word decides
    ("为进一步加强青少年法治宣传教育工作", None, 2023, None),
    ("", D(2023, 1, 1), 2023, None),
    # December on a January page is last year's December
    ("12月30日,项目集中开工", D(2023, 1, 3), None, "2022-12-30"),
    ("11月28日,项目集中开工", D(2023, 1, 3), None, "2022-11-28"),
    ("1月2日,项目集中开工", D(2023, 1, 3), None, "2023-01-02"),
    ("今年12月底前建成", D(2023, 1, 3), None, None),                # no day
    # a date after the page's own date is planned, not the event (issue 9)
    ("今年12月30日将竣工", D(2023, 1, 3), None, None),
    ("3月5日将举行", D(2023, 2, 20), None, None),
    ("3月5日将举行,2月19日已完成预演", D(2023, 2, 20), None, "2023-02-19"),
    # scheduled and lunar dates are skipped for the event's
    ("菊展将于10月21日开幕,10月18日布展完成", None, 2024, "2024-10-18"),
    ("大典定于3月12日举行", None, 2024, None),
    ("农历3月3日前夕,4月10日参观团来到", None, 2024, "2024-04-10"),
    # the start or end of a period is not the event's day
    ("自5月4日起,全区开展入户核查。7月2日,区民政局慰问低保家庭", None, 2015, "2015-07-02"),
    ("截至6月30日,共完成改造120户。7月1日召开推进会", None, 2015, "2015-07-01"),

    # full-width digits and 号
    ("３月２７日下午", None, 2022, "2022-03-27"),
    ("3月27号下午", None, 2022, "2022-03-27"),
])
def test_article_date(lead, page_date, year, expected):
    assert article_date(lead, page_date, year) == expected


def test_article_date_reads_only_the_start_of_a_huge_lead():
    assert article_date("的" * 5_000_000 + "3月5日", None, 2023) is None
    assert article_date("3月5日" + "的" * 5_000_000, None, 2023) == "2023-03-05"


def test_page_present_year_on_a_huge_single_line():
    assert page_present_year("2022年,项目建设。" * 500_000 + "2023年是关键一年") == 2023


def test_a_vague_lead_takes_the_explicit_date_of_the_second_paragraph():
    assert article_date("近期,社区组织志愿者开展清洁活动。", D(2020, 4, 22), None,
                        "4月16日下午,志愿者来到家属院。") == "2020-04-16"
    assert article_date("近期,社区组织志愿者开展清洁活动。", D(2020, 4, 22), None,
                        "志愿者来到家属院,昨日完成清扫。") is None   # only an explicit date counts
    assert article_date("3月2日,社区开展活动。", None, 2020, "4月16日,又一次活动。") == "2020-03-02"
