"""District aliases resolve in every filter (issue 11, item 4): ?district=, --district and
district: agree, and an unknown filter value is named, on the web and in the CLI."""
from __future__ import annotations

import re
from urllib.parse import quote

from click.testing import CliRunner

from searchapp import aliases
from searchapp.cli import main


def test_canonical_names():
    assert aliases.canonical("district", "经济技术开发区") == "经开区"
    assert aliases.canonical("district", "管城区") == "管城回族区"
    assert aliases.canonical("district", "惠济区") == "惠济区"
    assert aliases.canonical("district", "火星区") == "火星区"          # unknown: unchanged
    assert aliases.canonical("reporter", "惠济") == "惠济"              # only districts have aliases
    assert aliases.is_known("district", "管城区") and not aliases.is_known("district", "火星区")


def test_web_filter_takes_an_alias(client):
    by_query = client.get("/api/search?q=" + quote("district:经济技术开发区")).get_json()
    by_filter = client.get("/api/search?district=" + quote("经济技术开发区")).get_json()
    by_name = client.get("/api/search?district=" + quote("经开区")).get_json()
    assert by_query["total"] == by_filter["total"] == by_name["total"] > 0
    assert by_filter["query"]["include"] == {"district": ["经开区"]}
    assert any("经济技术开发区" in m and "经开区" in m for m in by_filter["messages"])
    excluded = client.get("/api/search?xdistrict=" + quote("郑州经开区")).get_json()
    assert excluded["total"] == client.get("/api/search").get_json()["total"] - by_name["total"]


def test_cli_filter_takes_an_alias_and_names_an_unknown_value(seed_index_dir):
    run = CliRunner().invoke(main, ["search", "--district", "经济技术开发区", "--json", "--limit", "0",
                                    "--index-dir", str(seed_index_dir)])
    assert run.exit_code == 0, run.output
    hits = [line for line in run.stdout.splitlines() if line.startswith("{")]
    assert hits and all('"district": "经开区"' in line for line in hits)
    run = CliRunner().invoke(main, ["search", "--district", "火星区", "--index-dir", str(seed_index_dir)])
    assert run.exit_code == 0
    assert re.search(r"没有“火星区”|“火星区”在当前条件下没有文章", run.output), run.output
