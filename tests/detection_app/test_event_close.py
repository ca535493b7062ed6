"""Closing an event needs a reason, goes through the workflow and shows in the event's history."""

from __future__ import annotations

import pytest
from django.utils import timezone

from yuqing import workflow
from yuqing.audit.models import AuditRecord
from yuqing.detection.models import Event

pytestmark = pytest.mark.django_db


@pytest.fixture
def event(world):
    now = timezone.now()
    return Event.objects.create(organization=world.school, title="食堂饭菜涨价", first_seen_at=now, last_seen_at=now)


def test_closing_from_the_page_without_a_reason_is_refused(world, login, event):
    client = login(world.monitor)
    response = client.post(f"/detection/events/{event.pk}/close/", {"reason": ""}, follow=True)
    event.refresh_from_db()
    assert event.status == Event.Status.OPEN
    assert "reason" in response.content.decode().lower()
    assert not workflow.history(event).exists()


def test_closing_with_a_reason_and_reopening_from_the_page(world, login, event):
    client = login(world.monitor)
    client.post(f"/detection/events/{event.pk}/close/", {"reason": "学校已回应，家长认可"})
    event.refresh_from_db()
    assert event.status == Event.Status.CLOSED
    client.post(f"/detection/events/{event.pk}/close/", {"reopen": "1"})
    event.refresh_from_db()
    assert event.status == Event.Status.OPEN
    assert [(c.from_state, c.to_state, c.reason) for c in workflow.history(event)] == [
        ("open", "closed", "学校已回应，家长认可"), ("closed", "open", "")]
    assert AuditRecord.objects.filter(action="detection.event.closed", actor=world.monitor).count() == 1


def test_editor_may_not_close_an_event(world, login, event):
    response = login(world.editor).post(f"/detection/events/{event.pk}/close/", {"reason": "x"})
    assert response.status_code == 403
    event.refresh_from_db()
    assert event.status == Event.Status.OPEN


def test_api_close_requires_a_reason_and_shows_in_status_history(world, login, event):
    client = login(world.monitor)
    response = client.post(f"/api/events/{event.pk}/close/", {"reason": ""}, content_type="application/json")
    assert response.status_code == 400 and "reason" in response.json()
    response = client.post(f"/api/events/{event.pk}/close/", {"reason": "已澄清"}, content_type="application/json")
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["status"] == "closed"
    assert [(h["from_state"], h["to_state"], h["reason"], h["actor"]) for h in body["status_history"]] == [
        ("open", "closed", "已澄清", world.monitor.username)]
    response = client.post(f"/api/events/{event.pk}/close/", {"reason": "again"}, content_type="application/json")
    assert response.status_code == 400 and "status" in response.json()
    response = client.post(f"/api/events/{event.pk}/reopen/", {}, content_type="application/json")
    assert response.status_code == 200 and response.json()["status"] == "open"


def test_api_close_is_refused_to_an_editor_and_hidden_from_another_school(world, login, event):
    assert login(world.editor).post(f"/api/events/{event.pk}/close/", {"reason": "x"},
                                    content_type="application/json").status_code == 403
    assert login(world.other_admin).post(f"/api/events/{event.pk}/close/", {"reason": "x"},
                                         content_type="application/json").status_code == 404


def test_event_page_shows_level_and_status_history_in_one_timeline(world, login, event):
    from yuqing.detection.actions import do_close_event, do_set_event_level

    do_set_event_level(event, 3, reason="评论激增", acting_user=world.monitor)
    do_close_event(event, acting_user=world.monitor, reason="学校已回应")
    page = login(world.monitor).get(f"/detection/events/{event.pk}/").content.decode()
    assert "评论激增" in page and "学校已回应" in page
    assert page.index("评论激增") < page.index("学校已回应")
    assert 'class="history-status"' in page and 'class="history-level"' in page
