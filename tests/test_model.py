from searchapp.model import Hit, SearchQuery, joined_snippet


def test_joined_snippet_has_one_ellipsis_between_fragments():
    assert joined_snippet(["…甲<mark>乙</mark>…", "…丙丁"]) == "…甲<mark>乙</mark> … 丙丁"
    assert joined_snippet(["开头<mark>乙</mark>…"]) == "开头<mark>乙</mark>…"
    assert joined_snippet([]) == ""


def test_hit_to_dict_snippet_uses_joined_fragments():
    hit = Hit(id="x", score=1.0, title="t", title_html="t", snippets=["…a…", "…b"], date=None,
              district=None, reporters=[], correspondents=[], photographers=[],
              project_types=[], source="s.txt", ordinal=1)
    assert hit.to_dict()["snippet"] == "…a … b"


def test_search_query_make_normalises_filters():
    q = SearchQuery.make("x", include={"year": ["2023"], "district": ["惠济区", "金水区"], "type": []})
    assert q.included("district") == ("惠济区", "金水区")
    assert q.included("type") == ()
    assert q == SearchQuery.make("x", include={"district": ["惠济区", "金水区"], "year": ["2023"]})
