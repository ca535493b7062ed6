"""Raising alerts: one per event and level, routed to notifiers and to the people on duty and responsible."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from yuqing.notify.models import Alert


def raise_alert(event, level, reasons: list[str]) -> Alert | None:
    """Alert about `event` at `level` (a grading.Level or any alias) for `reasons`; None if already alerted.

    Idempotent: an event gets at most one alert per level, so calling it again after a re-evaluation is safe.
    The deliveries leave after the caller's transaction commits.
    """
    # The models arrive once detection.Event has its first migration; until then nothing is sent.
    return None
