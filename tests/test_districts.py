"""District detection through the gazetteer (indexer.districts)."""
import json

import pytest

from indexer.districts import (
    CITY, DATA_FILE, UNITS, article_district, gazetteer_terms, load_gazetteer,
    mentioned_districts, page_district,
)

SIXTEEN = ["中原区", "二七区", "管城回族区", "金水区", "上街区", "惠济区", "郑东新区", "经开区",
           "高新区", "航空港区", "巩义市", "荥阳市", "新密市", "新郑市", "登封市", "中牟县"]


def test_units_are_the_sixteen_and_the_city():
    assert UNITS == tuple(SIXTEEN) + ("郑州市",)


def test_gazetteer_file_is_versioned_and_every_unit_has_sub_units():
    data = json.loads(DATA_FILE.read_text(encoding="utf-8"))
    assert data["version"] == load_gazetteer().version
    for unit in data["units"]:
        subs = unit["streets"] + unit["towns"] + unit["townships"] + unit["offices"]
        assert subs, unit["name"]


@pytest.mark.parametrize("text, expected", [
    # seed examples
    ("中牟县狼城岗镇各单位", ["中牟县"]),
    ("狼城岗镇具有很好的生态资源禀赋", ["中牟县"]),
    ("中原区建设路街道办事处牢固树立", ["中原区"]),
    ("建设路街道办事处多次组织助企干部", ["中原区"]),
    ("潮河办事处全力落实抓党建", ["经开区"]),
    ("近日,管城区文化旅游体育局组织", ["管城回族区"]),
    # aliases
    ("郑州经济技术开发区管委会", ["经开区"]),
    ("郑州经开区", ["经开区"]),
    ("郑州高新技术产业开发区", ["高新区"]),
    ("郑州航空港经济综合实验区", ["航空港区"]),
    ("郑州航空港区", ["航空港区"]),
    ("到登封考察", ["登封市"]),
    ("新密、新郑、荥阳、巩义、中牟", ["新密市", "新郑市", "荥阳市", "巩义市", "中牟县"]),
    ("惠济区大河路街道", ["惠济区"]),
    ("花园口镇和古荥镇", ["惠济区"]),
    ("九龙办事处长期以来", ["经开区"]),
    ("祥云办事处创办10周年", ["经开区"]),
    ("龙子湖街道", ["郑东新区"]),
    ("白沙镇", ["郑东新区"]),
    ("峡窝镇", ["上街区"]),
    ("马寨镇", ["二七区"]),
    ("十八里河街道", ["管城回族区"]),
    ("沟赵乡", ["高新区"]),
    ("张庄镇", ["航空港区"]),
    ("少林街道", ["登封市"]),
    ("金寨回族乡", ["荥阳市"]),
    ("袁庄乡", ["新密市"]),
    ("观音寺镇", ["新郑市"]),
    ("竹林镇", ["巩义市"]),
    # leftmost-longest
    ("以二七经开区为产业发展的主阵地", ["二七区"]),
    ("惠济经济开发区“三化三制”改革", ["惠济区"]),
    ("郑州新郑国际机场", ["航空港区"]),
    ("郑州新郑综合保税区", ["航空港区"]),
    ("金水源街道", ["二七区"]),
    ("三官庙街道", ["中原区"]),
    ("三官庙镇", ["航空港区"]),
    # bare words that are not units
    ("中原发投集团、14个街道办事处", []),
    ("奋力谱写新时代中原更加出彩的绚丽篇章", []),
    ("走上街头宣传", []),
    ("金水河治理", []),
    ("五云路与登封路交汇处", []),
    ("圃田站的铁轨之上", []),
    # bare stems that are units in this newspaper
    ("打造“金质金水”", ["金水区"]),
    ("为惠济经济社会发展注入强大动力", ["惠济区"]),
    # names shared by several units decide nothing
    ("东风路街道", []),
    ("新华路街道", []),
    ("城关乡", []),
    # the city is listed only when no unit is
    ("郑州市相关会议", ["郑州市"]),
    ("郑州市美丽乡村精品村北堤村,中牟县", ["中牟县"]),
    ("河南省外贸进出口总值", []),
    ("", []),
])
def test_mentioned_districts(text, expected):
    assert mentioned_districts(text) == expected


def test_mentioned_districts_order_of_first_mention():
    assert mentioned_districts("登封市与惠济区、登封、金水区") == ["登封市", "惠济区", "金水区"]


def test_gazetteer_terms_cover_names_aliases_and_sub_units():
    terms = set(gazetteer_terms())
    assert {"惠济区", "管城区", "郑州经开区", "狼城岗镇", "潮河办事处", "建设路街道", "郑州"} <= terms
    assert len(terms) > 300


def test_matching_is_linear_on_long_text():
    text = "惠济区" + "的" * 1_000_000 + "金水区"
    assert mentioned_districts(text) == ["惠济区", "金水区"]


@pytest.mark.parametrize("title, body, page, expected", [
    # the title decides
    ("现代汽车集团来登封 洽谈氢能源产业项目",
     "2月13日,现代汽车集团一行到登封考察。\n\n座谈会上,现代汽车集团就登封市情沟通。", None, "登封市"),
    ("经开区研发新能量 激发企业新气象",
     "推进规模以上工业企业研发活动全覆盖工作,河南省帮助大批中小企业转型。\n\n我省组建创新联合体。",
     "经开区", "经开区"),
    # a unit in the lead beats the page
    ("党建引领提质效 产业赋能促发展", "春节过后,中牟县狼城岗镇各单位在“早”字上下功夫。", "惠济区", "中牟县"),
    ("", "2月14日,中原区消防救援大队联合柏柳街道办事处消防服务中心。", None, "中原区"),
    ("精准养护 守护安全", "春节过后,郑汴建设子东象市政根据郑东新区城市管理局工作安排检测桥梁。", None, "郑东新区"),
    # sub-units alone decide
    ("持续服务项目", "九龙办事处长期以来牢固树立“项目为王”理念。", None, "经开区"),
    # no unit of its own: the page's unit; 郑州 never overrides it
    ("“钢铁驼队”不停歇 跑出新的“加速度”",
     "中铁联集郑州中心站是国家一类铁路口岸。\n\n这也是郑州开出的兔年首列中欧班列。", "经开区", "经开区"),
    ("钢铁驼队", "中铁联集郑州中心站是国家一类铁路口岸。", None, "郑州市"),
    ("郑州市召开全市经济工作会议", "会议强调,全市上下要奋勇争先。", None, "郑州市"),
    ("会议召开", "会议强调,要奋勇争先。\n\n郑州要当好国家队。", None, None),
    ("会议召开", "会议强调,要奋勇争先。", None, None),
    # the title outweighs many body mentions of another unit
    ("登封市召开招商大会", "会上,惠济区介绍经验。\n\n惠济区、惠济区、惠济区、惠济区。", None, "登封市"),
    # a unit beats a sub-unit of another unit in the same section; ties go to the first mention
    ("", "大河路街道与中原区联合开展活动。", None, "中原区"),
    ("惠济区 金水区", "", None, "惠济区"),
    ("", "花园口镇与狼城岗镇。", None, "惠济区"),
])
def test_article_district(title, body, page, expected):
    assert article_district(title, body, page) == expected


def test_page_district_majority():
    arts = [("惠济区召开疫情防控工作会", "3月27日下午,惠济区召开续会。"),
            ("惠济区召开经济运行分析会", "3月23日,惠济区委书记主持召开会议。"),
            ("钢铁驼队", "中铁联集郑州中心站。"),
            ("登封市新闻", "登封市召开会议。")]
    assert page_district(arts) == "惠济区"


def test_page_district_sub_units_count():
    arts = [("潮河办事处", "2022年,潮河办事处全力落实。"), ("九龙办事处", "九龙办事处服务项目。"),
            ("钢铁驼队", "郑州开出的首列中欧班列。")]
    assert page_district(arts) == "经开区"


def test_page_district_mixed_page_has_no_unit():
    arts = [("金水区吹响冲锋号", "金水区"), ("二七区破题开局", "二七区"), ("登封", "登封市"),
            ("新密市", "新密市")]
    assert page_district(arts) is None


def test_page_district_tie_has_no_unit():
    assert page_district([("惠济区", ""), ("金水区", "")]) is None


def test_page_district_city_and_empty_pages():
    assert page_district([("郑州市召开会议", "全市上下"), ("天气", "晴")]) == CITY
    assert page_district([("天气", "晴")]) is None
    assert page_district([]) is None


# ---------------------------------------------------------------- issue 9: real pages

@pytest.mark.parametrize("title, body, expected", [
    # landmarks and scenic areas count for the unit that administers them
    ("春来赏花正当时", "昨天,碧沙岗公园内迎春花怒放,游人如织。", "中原区"),
    ("王莲喊疼", "昨日,紫荆山公园的王莲被游客砸伤。", "金水区"),
    ("全国媒体记者走进天地之中", "4月10日,采访团一行来到少林寺、嵩阳书院参观。", "登封市"),
    # traditional characters (read through the normalisation by the caller)
    ("鄭東新區舉辦大會", "6月7日,鄭東新區舉辦科技創新大會。", "郑东新区"),
    # a city-wide story is the city's, not the first county it mentions
    ("志愿服务 护航高考", "昨日,我市不少志愿者走出家门。\n\n惠济区文明办组织志愿者。管城区某社区开展活动。二七区某街道设立服务点。", "郑州市"),
    ("市十四届人大常委会第九次会议召开", "今天上午,市人大常委会召开会议。\n\n会议听取了航空港区管委会主任的说明。航空港区有关人事任免。航空港区…", "郑州市"),
    ("快乐旅游 文明相随", "国庆期间,郑州市公园广场事务中心安排了主题活动。\n\n郑州植物园、碧沙岗公园、西流湖公园游客众多。郑州市动物园迎来大批游客。", "郑州市"),
    # ... unless the unit is named in the headline or carries the first paragraph
    ("郑州市委书记到惠济区调研", "3月5日,市委书记到惠济区调研。", "惠济区"),
    ("夜游油化厂", "昨日,夜幕降临,郑州记忆·油化厂创意园灯光亮起。", "中原区"),
    # the papers' own names are no mention of the city
    ("《郑州晚报》版面截图", "4月10日,采访团走进登封,参观少林寺。", "登封市"),
])
def test_issue9_districts(title, body, expected):
    from indexer.analysis import normalize
    assert article_district(normalize(title), normalize(body), None) == expected


def test_city_organs_of_a_county_city_stay_that_citys():
    # 新郑市委 is 新郑's own committee, never the city's
    assert article_district("新郑市委常委会召开扩大会议", "9月22日,新郑市委常委会召开会议。", None) == "新郑市"


def test_organs_of_a_story_about_one_county_city_are_its_own():
    # a 新密 portal: 市长, 市政府 and 我市 are 新密's; only the literal 郑州 names the city
    body = "3月13日,市长主持召开市政府常务会议。\n\n会议研究安排新密市低空经济工作。会议审议《新密市林业生态建设方案》,依托我市资源。"
    assert article_district("", body, None) == "新密市"
    assert article_district("", "3月13日,郑州市政府召开常务会议。\n\n会议研究新密市低空经济工作。", None) == "郑州市"
