"""Signal receivers: collection stored items → detection processes them in the background."""

from __future__ import annotations

from django.dispatch import receiver

from yuqing.monitoring.signals import items_stored
from yuqing.system.scheduler import dispatch


@receiver(items_stored, dispatch_uid="detection.items_stored")
def on_items_stored(sender, organization_id: int, new_ids=(), updated_ids=(), **kwargs) -> None:
    ids = sorted({*new_ids, *updated_ids})
    if ids:
        dispatch("detection.process_items", organization_id=organization_id, item_ids=ids)
