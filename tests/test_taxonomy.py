"""Project types from data/project_types.json (indexer.taxonomy)."""
import json

import pytest

from indexer.taxonomy import DATA_FILE, PROJECT_TYPES, load_taxonomy, project_types, taxonomy_terms


def test_types_come_from_the_data_file():
    data = json.loads(DATA_FILE.read_text(encoding="utf-8"))
    assert PROJECT_TYPES == tuple(t["name"] for t in data["types"])
    assert {"签约", "开工", "投产", "竣工", "招商引资"} <= set(PROJECT_TYPES)
    assert data["version"] == load_taxonomy().version


def test_taxonomy_terms_are_literal_words():
    terms = taxonomy_terms()
    assert {"签约仪式", "开工建设", "建成投产", "竣工投用", "招商引资"} <= set(terms)
    assert all("\\" not in t and "{" not in t for t in terms)


@pytest.mark.parametrize("title, body, expected", [
    # reported in the title
    ("今年一季度12个重点项目集中(线上)签约", "3月30日,惠济区举行了活动。", ("签约",)),
    ("经开区2023年第一次招商引资领导小组会议召开", "近日,经开区召开会议。", ("招商引资",)),
    ("现代汽车集团来登封 洽谈氢能源产业项目", "2月13日,一行到登封考察。", ("招商引资",)),
    ("一汽解放新能源商用车郑州基地开工", "", ("开工",)),
    ("安图生物体外诊断产业园建成投产", "", ("投产",)),
    ("区市民服务中心竣工投用", "", ("竣工",)),
    # a strong trigger in the first paragraph
    ("10亿元! 智造科技谷小微企业园落地惠济",
     "3月23日下午,惠济智造科技谷小微企业园项目在惠济区政府举行签约仪式。\n\n"
     "惠济区将对已签约的粤浦科技公司提供服务,争取早日开工建设。", ("签约",)),
    ("", "1月28日,全市重点项目集中开工活动举行。", ("开工",)),
    # repeated / strong evidence in the body
    ("“三个一批”齐推进",
     "1月28日,河南省举办“三个一批”项目建设活动。\n\n"
     "2023年,“签约一批”项目3个;“开工一批”项目6个;“投产一批”项目7个。\n\n"
     "此次建成投产的试剂生产车间。其中“签约一批”项目共17个,“开工一批”项目20个。",
     ("签约", "开工", "投产")),
    ("惠济区集中签约",
     "3月30日,惠济区举行活动。\n\n惠济区大力开展招商引资,出台了一系列招商引资产业扶持政策。"
     "本次签约符合招商引资策略,是今年招商引资开门红的重大成果。", ("签约", "招商引资")),
])
def test_reported_events(title, body, expected):
    assert project_types(title, body) == expected


@pytest.mark.parametrize("title, body", [
    # wishes, plans and duties in meeting reports
    ("惠济区召开疫情防控工作会",
     "3月27日下午,惠济区召开续会。\n\n加快经济发展步伐,坚持项目为王,加大招商引资力度。"),
    ("惠济区召开经济运行分析会",
     "3月23日,惠济区召开会议。\n\n继续抓好招商引资、“万人助万企”等工作。抓好招商引资工作。"
     "抓好重点项目建设。"),
    ("提供服务", "对已签约的项目提供服务,争取早日开工建设。"),
    ("金水区高质量发展大会",
     "记者从大会上获悉。\n\n确保67个项目按时序要求竣工投用;紧盯片区开工建设,9月底前全部开工建设。"
     "确保全年新签约重大产业项目突破260个。坚持招商引资不动摇。"),
    ("年度目标", "计划1月底全部实现竣工投产。力争2024年建成投用。"),
    # phrases that contain a trigger but are not the event
    ("新密市全力冲刺工业经济“开门红”",
     "近日,记者来到企业。\n\n我们正月初六就开工生产了。节后开工率调度。全市开工企业达到274家,开工率100%。"),
    ("家庭医生签约服务进社区", "家庭医生签约率达到80%。"),
    ("全年回顾", "全年新签约项目27个,签约额363.8亿元。"),
    # a single plain mention in the first paragraph is not enough
    ("九龙办事处 持续服务项目",
     "九龙办事处顺利完成5个新开工项目475亩土地的清障清表。\n\n九龙办事处服务企业。"),
    ("", ""),
])
def test_passing_mentions_give_no_type(title, body):
    assert project_types(title, body) == ()


def test_long_body_is_scanned_once():
    body = "签约" * 1000 + "。" + "的" * 2_000_000
    assert project_types("", body) == ("签约",)
