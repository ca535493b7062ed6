"""How often a source is polled now: its own interval, shortened by whatever the other apps say (sensitive periods).

Collection does not import detection; detection registers its factor here when it loads (see DetectionConfig.ready).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

# Each factor takes (organization, now) and answers a number in (0, 1]; the smallest one applies.
INTERVAL_FACTORS: list[Callable[[object, datetime], float]] = []
# Even during a sensitive period a site is not polled more often than this.
MIN_POLL_SECONDS = 60


def register_interval_factor(factor: Callable[[object, datetime], float]) -> None:
    if factor not in INTERVAL_FACTORS:
        INTERVAL_FACTORS.append(factor)


def effective_interval(source, now: datetime) -> int:
    factor = min((f(source.organization, now) for f in INTERVAL_FACTORS), default=1.0)
    if factor >= 1.0:
        return source.interval_seconds
    return max(MIN_POLL_SECONDS, min(source.interval_seconds, round(source.interval_seconds * factor)))
