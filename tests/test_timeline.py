"""searchapp.timeline: server-side SVG bar chart of hits per period."""
from __future__ import annotations

import re
import xml.etree.ElementTree as ET

from searchapp.timeline import fill_gaps, period_label, period_title, render_timeline

SVG = "{http://www.w3.org/2000/svg}"


def href(period: str) -> str:
    return f"/?from={period}&to={period}"


def test_years_gaps_filled():
    assert fill_gaps([("2019", 3), ("2022", 5)]) == [("2019", 3), ("2020", 0), ("2021", 0), ("2022", 5)]


def test_months_of_one_year_fill_all_twelve():
    bars = fill_gaps([("2022-03", 4), ("2022-11", 1)])
    assert len(bars) == 12 and bars[2] == ("2022-03", 4) and bars[0] == ("2022-01", 0)


def test_labels():
    assert period_label("2022-03") == "3月" and period_label("2022") == "2022"
    assert period_title("2022-03") == "2022年3月" and period_title("2022") == "2022年"


def test_empty_buckets_draw_nothing():
    assert render_timeline([], href) == ""
    assert render_timeline([("2022", 0)], href) == ""


def test_svg_is_well_formed_with_a_link_per_nonempty_bar():
    svg = render_timeline([("2020", 2), ("2022", 8)], href, current="2022")
    root = ET.fromstring(svg)
    links = root.findall(f"{SVG}a")
    assert [a.get("href") for a in links] == ["/?from=2020&to=2020", "/?from=2022&to=2022"]
    assert len(root.findall(f"{SVG}g")) == 1                     # 2021: empty, not a link
    heights = {a.get("data-period"): float(a.find(f"{SVG}rect").get("height")) for a in links}
    assert heights["2022"] > heights["2020"] > 0                # bars scale with counts
    assert "current" in links[1].find(f"{SVG}rect").get("class")
    assert links[1].find(f"{SVG}title").text == "2022年：8 条，点击只看这一时段"


def test_hrefs_and_text_are_escaped():
    svg = render_timeline([("2022", 1)], lambda p: '/?q="><script>alert(1)</script>&x=1')
    assert "<script>" not in svg
    assert "&quot;&gt;&lt;script&gt;" in svg
    ET.fromstring(svg)


def test_many_years_labels_thinned():
    buckets = [(str(y), 1) for y in range(1950, 2025)]
    svg = render_timeline(buckets, href)
    assert len(re.findall(r'class="label"', svg)) <= 20
    assert len(re.findall(r"<a ", svg)) == 75
