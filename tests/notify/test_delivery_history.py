"""Delivery statuses move through the workflow table: each step is in the delivery's history, by the system."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from tests.notify.conftest import make_event, make_webhook
from yuqing import workflow
from yuqing.levels import Level
from yuqing.notify.alerts import raise_alert
from yuqing.notify.delivery import claim, deliver
from yuqing.notify.models import Delivery

pytestmark = pytest.mark.django_db


def test_a_sent_delivery_has_claim_and_outcome_in_its_history(world, http_server):
    make_webhook(world.school, http_server.url + "/hook")
    alert = raise_alert(make_event(world.school), Level.MAJOR, ["x"])
    assert deliver(now=timezone.now()) == {"sent": 1}
    delivery = alert.deliveries.get()
    steps = [(c.from_state, c.to_state, c.actor_id, c.organization_id) for c in workflow.history(delivery)]
    assert steps == [("pending", "sending", None, world.school.pk), ("sending", "sent", None, world.school.pk)]


def test_a_retried_delivery_records_the_error_as_the_reason(world, http_server):
    make_webhook(world.school, http_server.url + "/hook")
    http_server.default.status = 503
    http_server.default.body = "upstream busy"
    alert = raise_alert(make_event(world.school), Level.MAJOR, ["x"])
    assert deliver(now=timezone.now()) == {"retry": 1}
    last = workflow.history(alert.deliveries.get()).last()
    assert (last.from_state, last.to_state) == ("sending", "pending") and "503" in last.reason


def test_a_delivery_is_claimed_once_and_people_cannot_move_it(world, http_server):
    make_webhook(world.school, http_server.url + "/hook", quiet_hours="")
    alert = raise_alert(make_event(world.school), Level.MAJOR, ["x"])
    delivery = alert.deliveries.get()
    now = timezone.now()
    assert claim(delivery.pk, now) is True
    assert claim(delivery.pk, now) is False  # the lease holds
    assert workflow.history(delivery).count() == 1
    with pytest.raises(PermissionDenied):
        workflow.do_transition(delivery, Delivery.Status.SENT, acting_user=world.school_admin)
    Delivery.objects.filter(pk=delivery.pk).update(status=Delivery.Status.SENT)
    with pytest.raises(ValidationError) as info:
        workflow.do_transition(delivery, Delivery.Status.PENDING, acting_user=None)
    assert "“Sent”" in info.value.message_dict["status"][0]
