"""Stored items are indexed for search in the background, after collection committed them."""

from __future__ import annotations

from django.dispatch import receiver

from yuqing.monitoring.signals import items_stored
from yuqing.system.scheduler import dispatch


@receiver(items_stored, dispatch_uid="search.items_stored")
def on_items_stored(sender, organization_id: int, new_ids=(), updated_ids=(), indexed=False, **kwargs) -> None:
    # store_entries indexes in its own transaction; other writers (tests' factories, imports of old data) not
    if indexed:
        return
    ids = sorted({*new_ids, *updated_ids})
    if ids:
        dispatch("search.index_items", organization_id=organization_id, item_ids=ids)
