"""Finding a mention's event goes through the key index: same events as before, cost independent of table size."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests.detection_app.factories import scheme, store
from yuqing.detection.models import Event, EventKey, Mention
from yuqing.detection.pipeline import reindex_event

pytestmark = pytest.mark.django_db


def _queries_to_store(org, text: str, **kw) -> int:
    with CaptureQueriesContext(connection) as ctx:
        store(org, text, **kw)
    return len(ctx.captured_queries)


def test_a_late_repost_finds_its_story_among_many_events_with_a_constant_number_of_queries(world):
    scheme(world.school, "食堂 OR 宿舍 OR 校车")
    original = store(world.school, "第一中学食堂饭菜发霉，家长在群里传照片")
    first = _queries_to_store(world.school, "转发：第一中学食堂饭菜发霉，家长在群里传照片", original=original)
    topics = ["宿舍漏水", "校车晚点", "宿舍停电", "校车超载", "食堂涨价"]
    for k in range(30):
        store(world.school, f"{topics[k % 5]}第{k}号通报，编号{k * 7919}，情况各不相同{k}")
    late = _queries_to_store(world.school, "//@路人：第一中学食堂饭菜发霉，家长在群里传照片", original=original)
    story = Mention.objects.get(item=original).event
    assert Mention.objects.filter(event=story).count() == 3
    assert late <= first  # the same work however many other events exist


def test_keys_index_stories_and_terms_and_can_be_rebuilt(world):
    scheme(world.school, "食堂")
    original = store(world.school, "第一中学食堂饭菜发霉，家长在群里传照片")
    store(world.school, "转发：第一中学食堂饭菜发霉，家长在群里传照片", original=original)
    event = Event.objects.get()
    story_keys = set(EventKey.objects.filter(event=event, kind="story").values_list("key", flat=True))
    assert story_keys == {str(original.pk)}
    terms = set(EventKey.objects.filter(event=event, kind="term").values_list("key", flat=True))
    assert terms and terms <= set(event.key_terms)
    EventKey.objects.filter(event=event).delete()
    reindex_event(event)
    assert set(EventKey.objects.filter(event=event, kind="story").values_list("key", flat=True)) == story_keys
    # with the keys back, a new copy joins the story again
    store(world.school, "//@某人：第一中学食堂饭菜发霉，家长在群里传照片", original=original)
    assert Event.objects.count() == 1 and event.mentions.count() == 3
