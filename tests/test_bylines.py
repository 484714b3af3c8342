"""Bylines: names after 记者 / 通讯员 / before 摄, and removing them from the text."""
from __future__ import annotations

import pytest

from indexer.bylines import (Bylines, fold_punctuation, is_bare_label, is_name, is_photo_credit,
                             parse_byline, parse_staff_line, read_byline, split_lead_byline,
                             split_trailing_byline, strip_leading, trailing_bare_label)


def test_supplement_staff_line():
    assert parse_staff_line("金水时报 王小川") == Bylines(reporters=("王小川",))
    assert parse_staff_line("郑东时报 李小四 赵小五") == Bylines(reporters=("李小四", "赵小五"))
    assert parse_staff_line("金水时报 聚焦") is None                 # an edition name, no names
    assert read_byline("金水时报 王小川") is None                     # only when asked for
    assert read_byline("金水时报 王小川", staff=True) == Bylines(reporters=("王小川",))


def test_trailing_traditional_byline():
    rest, found = split_trailing_byline("公園內迎春花怒放。鄭報融媒記者 周小甬 文/圖")
    assert rest == "公園內迎春花怒放。" and found == Bylines(reporters=("周小甬",))


@pytest.mark.parametrize("text, reporters, correspondents, photographers", [
    ("记者 简洋", ["简洋"], [], []),
    ("记者 简洋 文/图", ["简洋"], [], []),
    ("记者 刘伟平 通讯员 张一弛", ["刘伟平"], ["张一弛"], []),
    # organisation prefixes before the label
    ("郑报全媒体记者 王世瑾 通讯员 王欣", ["王世瑾"], ["王欣"], []),
    ("本报记者 张三", ["张三"], [], []),
    ("晚报记者 李四", ["李四"], [], []),
    ("本报通讯员 赵五", [], ["赵五"], []),
    # several names after one label
    ("记者 李晓光 通讯员 宋跃伟 何源", ["李晓光"], ["宋跃伟", "何源"], []),
    ("通讯员 刘庆晓、钟莹莹", [], ["刘庆晓", "钟莹莹"], []),
    # 文/图 is a credit suffix, also when glued to the name
    ("记者 卢文军 通讯员 张保真 文/图", ["卢文军"], ["张保真"], []),
    ("通讯员 白博文/图", [], ["白博"], []),
    ("记者 唐善普 通讯员 白博文／图", ["唐善普"], ["白博"], []),
    # photo credits
    ("本报记者 王恩俊 摄", [], [], ["王恩俊"]),
    ("孙志刚 摄", [], [], ["孙志刚"]),
    ("摄影 欧阳明", [], [], ["欧阳明"]),
    # a page code after the byline
    ("记者 简洋 G02", ["简洋"], [], []),
    # no space between label and name, full-width parentheses
    ("（记者唐善普 通讯员白博）", ["唐善普"], ["白博"], []),
    # web pages (issue 9): a box mark before the byline, any newsroom before the label
    ("□晚报记者 林小雨 通讯员 郑一帆", ["林小雨"], ["郑一帆"], []),
    ("■本报记者 刘 拓 通讯员 王 平", ["刘拓"], ["王平"], []),          # spaced two-character names
    ("(郑州报业集团记者 王一飞 李二妮)", ["王一飞", "李二妮"], [], []),
    ("正观新闻·郑州晚报记者 董小竹", ["董小竹"], [], []),
    ("本栏图片由本报记者 丁小明 许大桥 摄", [], [], ["丁小明", "许大桥"]),
    ("晚报首席记者 张小磊", ["张小磊"], [], []),
    ("郑州晚报记者 吴小娟 见习记者 叶小霖", ["吴小娟", "叶小霖"], [], []),
    # X/图 and X 图 credit a photo; A/文 B/图 on one line
    ("廖小谦/图", [], [], ["廖小谦"]),
    ("张小三 图", [], [], ["张小三"]),
    ("董小竹 张小东/文 廖小谦/图", ["董小竹", "张小东"], [], ["廖小谦"]),
    ("晚报记者 董小卿 实习生 袁小野/文 晚报记者 张小飞/图 线索提供 雷先生", ["董小卿", "袁小野"], [], ["张小飞"]),
    # traditional characters: read through the normalisation, names kept as printed
    ("(記者 趙一 通訊員 錢二)", ["趙一"], ["錢二"], []),
    ("鄭報融媒記者 李小明 文/圖", ["李小明"], [], []),
    ("記者 林小雨 攝", [], [], ["林小雨"]),
])
def test_parse_byline(text, reporters, correspondents, photographers):
    assert parse_byline(text) == Bylines(tuple(reporters), tuple(correspondents), tuple(photographers))


@pytest.mark.parametrize("text", [
    "记者从2月12日召开的金水区高质量发展大会上获悉",     # prose after 记者
    "记者昨日获悉",
    "记者了解到,在政府的政策引导和支持下",
    "记者",                                            # a label without a name
    "建设中的黄河国家博物馆",                            # no label at all
    "记者 王 通讯员 张三",                               # one character is not a name
    "记者 张三四五六",                                   # five characters are not a name
    "",
    "记者 简洋" + "。" * 200,
])
def test_not_a_byline(text):
    assert parse_byline(text) is None


@pytest.mark.parametrize("token, ok", [
    ("简洋", True), ("覃岩峰", True), ("欧阳明", True), ("司马相如", True),
    ("获悉", False), ("昨日获悉", False), ("来到", False), ("王", False),
    ("王a", False), ("张三四五六", False),
])
def test_is_name(token, ok):
    assert is_name(token) is ok


def test_photo_credit_is_only_a_photo_credit():
    assert is_photo_credit("本报记者 王恩俊 摄")
    assert not is_photo_credit("记者 简洋 文/图")
    assert not is_photo_credit("记者 简洋")


def test_split_lead_byline_keeps_prose_after_the_parenthesis():
    rest, found = split_lead_byline("(记者 党贺喜)记者从2月12日召开的金水区高质量发展大会上获悉,")
    assert rest == "记者从2月12日召开的金水区高质量发展大会上获悉,"
    assert found.reporters == ("党贺喜",)


def test_split_lead_byline_full_width_and_comma():
    rest, found = split_lead_byline(" （郑报全媒体记者 王世瑾 通讯员 王欣），记者昨日获悉")
    assert rest == "记者昨日获悉"
    assert found == Bylines(("王世瑾",), ("王欣",), ())


def test_split_lead_byline_leaves_other_parentheses():
    text = "(下称中联钢国际)近来业务忙碌不停。"
    assert split_lead_byline(text) == (text, Bylines())


@pytest.mark.parametrize("text, rest, found", [
    ("…奠定了基础。记者 王赛华", "…奠定了基础。", Bylines(("王赛华",))),
    ("…“加速度”。记者 王赛华 文/图", "…“加速度”。", Bylines(("王赛华",))),
    ("…基本同步。记者 王阳 通讯员 张超 文/图", "…基本同步。", Bylines(("王阳",), ("张超",))),
    ("…基本同步。”记者 王阳", "…基本同步。”", Bylines(("王阳",))),
    ("…基本同步。(记者 王阳)", "…基本同步。", Bylines(("王阳",))),
    ("…基本同步。记者 王阳 X07", "…基本同步。", Bylines(("王阳",))),
])
def test_split_trailing_byline(text, rest, found):
    assert split_trailing_byline(text) == (rest, found)


@pytest.mark.parametrize("text", [
    "记者了解到,跨境贸易成为新经济引擎。",
    "他告诉记者。记者 了解",
    "中铁工程装备集团有限公司科技创新部部长郑永光告诉记者。",
    "没有标点的一句话 记者 张三",
])
def test_split_trailing_byline_leaves_prose(text):
    assert split_trailing_byline(text) == (text, Bylines())


def test_split_trailing_byline_on_a_huge_paragraph():
    text = "惠济区召开经济运行分析会," * 200_000 + "。记者 简洋"
    rest, found = split_trailing_byline(text)
    assert found.reporters == ("简洋",)
    assert rest.endswith("分析会,。")


def test_bare_labels():
    assert is_bare_label("记者")
    assert is_bare_label("郑报全媒体记者")
    assert not is_bare_label("记者 简洋")
    assert trailing_bare_label("奠定了基础。记者") == len("奠定了基础。")
    assert trailing_bare_label("奠定了基础。") is None


def test_bylines_union_keeps_order_without_duplicates():
    a = Bylines(("唐善普",), ("白博",))
    b = Bylines(("唐善普", "简洋"), (), ("王恩俊",))
    assert a | b == Bylines(("唐善普", "简洋"), ("白博",), ("王恩俊",))
    assert not Bylines()


def test_punctuation_folding_is_length_preserving():
    text = "（记者：张三，李四）！？"
    assert fold_punctuation(text) == "(记者:张三,李四)!?"
    assert len(fold_punctuation(text)) == len(text)
    assert strip_leading("，：  正文") == "正文"
