"""Background work of notification: send deliveries now, and pick up held and retry-due ones regularly."""

from __future__ import annotations

from yuqing.notify import delivery
from yuqing.system.scheduler import background_task, periodic


@background_task("notify.deliver")
def deliver(delivery_ids: list[int] | None = None) -> dict[str, int]:
    """Send the given deliveries if they are due (safe to run twice: each delivery is claimed once)."""
    return dict(delivery.deliver(delivery_ids))


@periodic("notify.retry", seconds=15)
def retry() -> dict[str, int]:
    """Deliveries released from quiet hours, deferred by the rate limit or due for another try."""
    return dict(delivery.deliver())
