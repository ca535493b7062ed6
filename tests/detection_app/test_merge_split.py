"""A person merges two events that are one story, or splits a post that is another story out, recorded."""

from __future__ import annotations

import pytest

from tests.detection_app.factories import scheme, store
from yuqing.audit.models import AuditRecord
from yuqing.detection.models import Event, EventKey, LevelChange, Mention
from yuqing.levels import Level

pytestmark = pytest.mark.django_db

CANTEEN = "(第一中学 OR 一中) AND (食堂 OR 饭菜 OR 宿舍)"


@pytest.fixture
def two_events(world):
    scheme(world.school, CANTEEN)
    store(world.school, "第一中学食堂饭菜涨价，家长不满", comments=20)
    store(world.school, "一中宿舍漏水无人维修，墙皮脱落", comments=150, url="https://example.com/dorm")
    first, second = Event.objects.order_by("pk")
    assert (first.level, second.level) == (int(Level.GENERAL), int(Level.MAJOR))
    return first, second


def test_a_monitor_merges_two_events_and_the_target_keeps_the_higher_level(world, login, two_events):
    first, second = two_events
    client = login(world.monitor)
    response = client.post(f"/detection/events/{second.pk}/merge/", {"target": first.pk, "reason": "同一所学校同一天"})
    assert response.status_code == 302 and response.url == f"/detection/events/{first.pk}/"
    first.refresh_from_db()
    second.refresh_from_db()
    assert Mention.objects.filter(event=first).count() == 2 and first.mention_count == 2
    assert first.level == int(Level.MAJOR)
    assert (second.status, second.merged_into_id) == (Event.Status.CLOSED, first.pk)
    change = LevelChange.objects.filter(event=first).last()
    assert change.actor == world.monitor and f"合并自事件 #{second.pk}" in change.reason_zh
    assert AuditRecord.objects.get(action="event.merge").after["merged"] == second.pk
    # the merged event's story now leads to the target
    assert EventKey.objects.filter(event=first, kind=EventKey.Kind.STORY).count() == 2
    assert "Merged into" in client.get(f"/detection/events/{second.pk}/").content.decode()


def test_merging_needs_a_reason_and_another_event_of_the_same_school(world, login, two_events):
    first, second = two_events
    client = login(world.monitor)
    client.post(f"/detection/events/{second.pk}/merge/", {"target": first.pk, "reason": ""})
    client.post(f"/detection/events/{second.pk}/merge/", {"target": second.pk, "reason": "x"})
    assert Event.objects.filter(merged_into__isnull=False).count() == 0
    other = store(world.other_school, "第一中学食堂", url="https://example.com/o", send=False)
    assert other  # another school's event is not even visible to the monitor
    assert login(world.other_admin).post(f"/detection/events/{second.pk}/merge/",
                                         {"target": first.pk, "reason": "x"}).status_code == 404


def test_a_post_is_split_out_into_an_event_of_its_own(world, login, two_events):
    first, second = two_events
    login(world.monitor).post(f"/detection/events/{second.pk}/merge/", {"target": first.pk, "reason": "误判为同一事件"})
    dorm = Mention.objects.get(item__url="https://example.com/dorm")
    client = login(world.monitor)
    response = client.post(f"/detection/mentions/{dorm.pk}/split/", {"reason": "宿舍与食堂是两件事"})
    assert response.status_code == 302
    dorm.refresh_from_db()
    new = dorm.event
    assert new.pk not in (first.pk, second.pk)
    assert new.title == "一中宿舍漏水无人维修，墙皮脱落"
    assert new.level == int(Level.MAJOR)
    assert new.mention_count == 1
    first.refresh_from_db()
    assert first.mention_count == 1
    assert AuditRecord.objects.get(action="event.split").after["new_event"] == new.pk
    # the event's only post cannot be split out
    client.post(f"/detection/mentions/{dorm.pk}/split/", {"reason": "again"})
    assert Event.objects.count() == 3


def test_splitting_needs_a_reason(world, login, two_events):
    first, second = two_events
    login(world.monitor).post(f"/detection/events/{second.pk}/merge/", {"target": first.pk, "reason": "同一天"})
    dorm = Mention.objects.get(item__url="https://example.com/dorm")
    login(world.monitor).post(f"/detection/mentions/{dorm.pk}/split/", {"reason": " "})
    dorm.refresh_from_db()
    assert dorm.event_id == first.pk
