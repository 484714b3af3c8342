from indexer.article import JSON_KEYS, Article, article_id


def test_article_id_is_stable_and_ignores_the_folder():
    a = article_id("seeds/001.txt", "标题", "正文")
    assert a == article_id("/archive/2023/001.txt", "标题", "正文")
    assert len(a) == 16 and int(a, 16) >= 0


def test_article_id_changes_with_file_name_or_text():
    base = article_id("001.txt", "标题", "正文")
    assert article_id("002.txt", "标题", "正文") != base
    assert article_id("001.txt", "标题", "正文。") != base
    assert article_id("001.txt", "标", "题正文") != base      # fields are separated


def _article(**kw):
    fields = dict(id="x", source="seeds/001.txt", ordinal=1, title="t", subtitle="", body="b",
                  date="2023-02-14", district="二七区", reporters=("刘伟平",),
                  correspondents=("张一弛",), project_types=("签约",))
    fields.update(kw)
    return Article(**fields)


def test_to_dict_has_the_json_keys_in_order_and_lists():
    d = _article().to_dict()
    assert tuple(d) == JSON_KEYS
    assert d["reporters"] == ["刘伟平"] and d["photographers"] == []


def test_from_dict_round_trips():
    a = _article()
    assert Article.from_dict(a.to_dict()) == a


def test_year_and_month_only_for_full_dates():
    assert (_article().year, _article().month) == (2023, "2023-02")
    assert (_article(date="--02-14").year, _article(date="--02-14").month) == (None, None)
    assert _article(date=None).year is None
