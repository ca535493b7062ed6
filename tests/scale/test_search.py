"""Indexed search answers exactly what the scheme language matches, on SQLite (FTS5) and PostgreSQL (tsvector)."""

from __future__ import annotations

import pytest
from django.core.management import call_command

from tests.detection_app.factories import store
from yuqing.detection.expressions import compile_expression
from yuqing.monitoring.models import Item
from yuqing.search import tokens
from yuqing.search.query import ranked, search

pytestmark = pytest.mark.django_db

POSTS = [
    "第一中学食堂饭菜涨价，家长很不满",
    "一中學校食堂的飯菜難吃",  # traditional characters and full width: normalised as schemes normalise
    "学校运动会圆满结束！食堂加餐",
    "食 堂",  # the two characters apart: still "食堂" once spaces are dropped, as schemes see it
    "食。堂",  # a sentence end between them: not the term
    "校车晚点，家长在群里抱怨",
    "广告：食堂承包招标，联系电话",
    "iPhone15 降价了，学生排队",
    "堂",
    "今天的天气很好",
]
EXPRESSIONS = [
    "食堂", "家长", "食堂 AND 家长", "食堂 OR 校车", "食堂 AND NOT 广告", "NOT 食堂", '"学校食堂"',
    "(一中 OR 第一中学) AND (食堂 OR 饭菜)", "堂", "iphone", "IPHONE15 OR 天气", "NOT (食堂 OR 家长)", "食",
    "运动会 AND 加餐", "难吃 AND 饭菜",
]


@pytest.fixture
def posts(world):
    return [store(world.school, text) for text in POSTS]


@pytest.mark.parametrize("expression", EXPRESSIONS)
def test_search_matches_exactly_what_the_scheme_language_matches(posts, expression):
    compiled = compile_expression(expression)
    expected = {item.pk for item in posts if compiled.matches(f"{item.title}\n{item.text}")}
    found = set(search(Item.objects.all(), expression).values_list("pk", flat=True))
    assert found == expected


def test_relevance_ranks_the_fuller_match_first(world):
    store(world.school, "学校新闻一则")
    best = store(world.school, "食堂食堂食堂，食堂又涨价了")
    store(world.school, "今天食堂还行")
    assert ranked(Item.objects.all(), "食堂").first().pk == best.pk


def test_updated_text_is_reindexed_and_deleted_items_leave_the_index(world, posts):
    from yuqing.search.indexing import index_items

    item = posts[0]
    item.text = "改成说宿舍漏水"
    item.save(update_fields=["text"])
    index_items(item.organization_id, [item.pk])
    assert set(search(Item.objects.all(), "宿舍").values_list("pk", flat=True)) == {item.pk}
    assert item.pk not in set(search(Item.objects.all(), "涨价").values_list("pk", flat=True))
    item.delete()
    assert not search(Item.objects.all(), "宿舍").exists()


def test_the_items_page_searches_in_the_scheme_language_and_names_a_bad_query(world, login, posts):
    client = login(world.monitor)
    html = client.get("/monitoring/items/", {"q": "食堂 AND NOT 广告"}).content.decode()
    assert "家长很不满" in html and "招标" not in html and "校车" not in html
    bad = client.get("/monitoring/items/", {"q": "食堂 AND (家长"}).content.decode()
    assert "unclosed parenthesis" in bad


def test_cli_search_and_reindex(world, posts, capsys):
    call_command("search", "--reindex")
    assert "items indexed" in capsys.readouterr().out
    call_command("search", "食堂 AND 家长", "--org", "no1", "--format", "json")
    lines = capsys.readouterr().out.splitlines()
    assert len(lines) == 1 and "涨价" in lines[0]


def test_documents_are_bigram_phrases_that_never_span_a_sentence_end():
    assert [t for t, _ in tokens.document_tokens("食堂。涨价")] == ["食堂", "堂", "涨价", "价"]
    positions = dict(tokens.document_tokens("食堂。涨价"))
    assert positions["涨价"] - positions["堂"] == 2  # a gap: no phrase runs across the sentence end
