"""A source that keeps failing alerts the people responsible, once per failing streak."""

from __future__ import annotations

import pytest
from django.utils import timezone

from tests.notify.conftest import make_webhook
from yuqing.monitoring.models import Source
from yuqing.monitoring.pipeline import failures_before_flag, record_failure
from yuqing.monitoring.signals import source_failing
from yuqing.notify.models import Alert

pytestmark = pytest.mark.django_db


def _source(world):
    return Source.objects.create(organization=world.school, name="本地论坛", kind=Source.Kind.RSS,
                                 url="http://127.0.0.1:9/feed.xml")


def test_a_source_failing_in_a_row_alerts_through_the_signal(world, http_server, django_capture_on_commit_callbacks):
    make_webhook(world.school, http_server.url + "/hook")
    source = _source(world)
    with django_capture_on_commit_callbacks(execute=True):
        for _ in range(failures_before_flag()):
            record_failure(source, "connection refused", timezone.now())
    alert = Alert.objects.get(kind=Alert.Kind.SOURCE_HEALTH)
    assert alert.source == source and alert.event is None
    assert "connection refused" in " ".join(alert.reasons)
    payload = http_server.requests[0].json
    assert payload["title"] == "信息源采集失败：本地论坛" and payload["level_label"] == "一般"


def test_one_alert_per_failing_streak(world, http_server, django_capture_on_commit_callbacks):
    make_webhook(world.school, http_server.url + "/hook")
    source = _source(world)
    with django_capture_on_commit_callbacks(execute=True):
        source_failing.send(sender=Source, source=source, failures=3, error="timeout")
        source_failing.send(sender=Source, source=source, failures=4, error="timeout")
    assert Alert.objects.filter(source=source).count() == 1
    # After a success the next streak alerts again.
    Source.objects.filter(pk=source.pk).update(last_success_at=timezone.now())
    source.refresh_from_db()
    with django_capture_on_commit_callbacks(execute=True):
        source_failing.send(sender=Source, source=source, failures=3, error="timeout")
    assert Alert.objects.filter(source=source).count() == 2
    assert len(http_server.requests) == 2
