"""Collection end to end through a real Celery worker (runs in CI on PostgreSQL + Redis)."""

from __future__ import annotations

import time

import pytest

from tests.collection.localserver import Reply
from yuqing.monitoring.jobs import collect_due
from yuqing.monitoring.models import Item, Source
from yuqing.orgs.models import Organization

FEED = ('<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel><title>t</title>'
        '<item><title>工人日报：第一中学食堂整改</title><link>https://www.workercn.cn/demo/1</link></item>'
        '<item><title>运动会</title><link>https://example.cn/2</link></item></channel></rss>')


@pytest.mark.celery
@pytest.mark.django_db(transaction=True)
def test_due_sources_are_collected_by_the_celery_worker(celery_worker_process, server):
    server.routes["/feed.xml"] = Reply(FEED, headers={"Content-Type": "application/rss+xml"})
    org = Organization.objects.create(name="Celery 中学", slug="celery-school", kind="bureau")
    good = Source.objects.create(organization=org, name="good", kind="rss", url=server.url("/feed.xml"),
                                 allow_private=True, respect_robots=False)
    bad = Source.objects.create(organization=org, name="bad", kind="rss", url=server.url("/missing.xml"),
                                allow_private=True, respect_robots=False)
    assert collect_due(inline=False) == []  # dispatched to the worker, nothing ran here
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        bad.refresh_from_db()
        if Item.objects.filter(source=good).count() == 2 and bad.consecutive_failures:
            break
        time.sleep(0.3)
    assert Item.objects.filter(source=good).count() == 2
    assert Item.objects.get(url="https://www.workercn.cn/demo/1").mainstream
    good.refresh_from_db()
    assert good.last_success_at and good.locked_until is None
    assert bad.consecutive_failures == 1 and "404" in bad.last_error
