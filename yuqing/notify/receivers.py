"""Signal receivers: notify alerts people about what other apps announce (they never call notify)."""

from __future__ import annotations

from django.db import transaction
from django.dispatch import receiver

from yuqing.detection.signals import event_level_proposed, event_level_raised
from yuqing.monitoring.signals import source_failing
from yuqing.notify import alerts


@receiver(event_level_raised, dispatch_uid="notify.event_level_raised")
def on_event_level_raised(sender, event, to_level, reasons=(), **kwargs) -> None:
    # the level change has committed; the alert and its deliveries are one transaction of their own
    with transaction.atomic():
        alerts.raise_alert(event, to_level, list(reasons))


@receiver(event_level_proposed, dispatch_uid="notify.event_level_proposed")
def on_event_level_proposed(sender, event, level, reasons=(), **kwargs) -> None:
    with transaction.atomic():
        alerts.raise_proposal_alert(event, level, list(reasons))


@receiver(source_failing, dispatch_uid="notify.source_failing")
def on_source_failing(sender, **kwargs) -> None:
    alerts.on_source_failing(sender, **kwargs)
