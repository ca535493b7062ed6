"""From a post stored by collection to its alert at a local webhook, through detection, inline."""

from __future__ import annotations

import pytest
from django.utils import timezone

from tests.notify.conftest import make_webhook
from yuqing.collection.entries import RawEntry
from yuqing.detection.actions import do_create_scheme
from yuqing.monitoring.pipeline import store_entries
from yuqing.notify.models import Alert, Delivery

pytestmark = pytest.mark.django_db


def test_a_stored_post_about_the_canteen_reaches_the_webhook(world, http_server, django_capture_on_commit_callbacks):
    do_create_scheme(organization=world.school, acting_user=world.root, name="食堂", expression="第一中学 AND 食堂")
    make_webhook(world.school, http_server.url + "/hook")
    entry = RawEntry(url="https://weibo.com/1/abc", title="第一中学食堂饭菜发霉", text="第一中学食堂饭菜发霉，孩子吃了肚子疼。",
                     published=timezone.now(), platform="weibo", metrics={"comments": 5})
    with django_capture_on_commit_callbacks(execute=True):
        store_entries(world.school, None, [entry])
    alert = Alert.objects.get()
    assert alert.event.title == "第一中学食堂饭菜发霉"
    assert alert.deliveries.get().status == Delivery.Status.SENT
    assert [r.json["event_id"] for r in http_server.requests] == [alert.event_id]
