"""Helpers that store items the way collection does and send `items_stored`."""

from __future__ import annotations

import hashlib
from itertools import count

from django.test import TestCase
from django.utils import timezone

from yuqing.detection.models import Scheme
from yuqing.monitoring.models import Item, ItemMetric
from yuqing.monitoring.signals import items_stored

_ids = count(1)


def send_stored(org_id: int, new_ids=(), updated_ids=()) -> None:
    """Send `items_stored` and run what it dispatches, as after collection's commit."""
    with TestCase.captureOnCommitCallbacks(execute=True):
        items_stored.send(sender=Item, organization_id=org_id, new_ids=list(new_ids), updated_ids=list(updated_ids))


def scheme(org, expression: str, name: str | None = None, **kwargs) -> Scheme:
    return Scheme.objects.create(organization=org, name=name or f"scheme {next(_ids)}", expression=expression,
                                 **kwargs)


def store(org, text: str, *, title: str = "", views=None, comments=None, original=None, mainstream=False,
          url: str | None = None, published_at=None, send: bool = True) -> Item:
    """Store one item for `org` and tell detection, as collection does after commit."""
    now = timezone.now()
    url = url or f"https://example.com/post/{next(_ids)}"
    item = Item.objects.create(
        organization=org, url=url, url_hash=hashlib.sha256(url.encode()).hexdigest(), title=title, text=text,
        platform="weibo", published_at=published_at or now, first_seen_at=now, last_seen_at=now,
        views=views, comments=comments, original=original, relation="repost" if original else "",
        mainstream=mainstream, metrics_updated_at=now,
    )
    ItemMetric.objects.create(item=item, observed_at=now, views=views, comments=comments)
    if send:
        send_stored(org.pk, new_ids=[item.pk])
    return item


def update_metrics(item: Item, *, views=None, comments=None, send: bool = True) -> Item:
    """New counters for an item (latest values plus a metric sample), as a re-fetch does."""
    now = timezone.now()
    if views is not None:
        item.views = views
    if comments is not None:
        item.comments = comments
    item.metrics_updated_at = now
    item.save(update_fields=["views", "comments", "metrics_updated_at"])
    ItemMetric.objects.create(item=item, observed_at=now, views=item.views, comments=item.comments)
    if send:
        send_stored(item.organization_id, updated_ids=[item.pk])
    return item
