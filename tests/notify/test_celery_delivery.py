"""With a broker, deliveries leave through a real Celery worker process, still exactly once."""

from __future__ import annotations

import time

import pytest

from tests.notify.conftest import make_event, make_webhook
from yuqing.levels import Level

pytestmark = [pytest.mark.celery, pytest.mark.django_db(transaction=True)]


def test_a_celery_worker_delivers_the_alert(world, http_server, celery_worker_process):
    from yuqing.notify.alerts import raise_alert
    from yuqing.notify.models import Delivery

    make_webhook(world.school, http_server.url + "/hook")
    alert = raise_alert(make_event(world.school), Level.MAJOR, ["评论数 600 ≥ 500"])
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        delivery = Delivery.objects.get(alert=alert)
        if delivery.status == Delivery.Status.SENT:
            break
        time.sleep(0.2)
    assert delivery.status == Delivery.Status.SENT and delivery.attempts == 1
    assert len(http_server.requests) == 1 and http_server.requests[0].json["level_label"] == "重大"
