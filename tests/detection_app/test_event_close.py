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
