"""Retry back-off of failed deliveries. (Rate limits live in the database: `delivery.reserve_slot` counts each
notifier's sends across every worker.)"""

from __future__ import annotations

import random


def retry_delay(
    attempt: int,
    *,
    base: float = 30.0,
    factor: float = 2.0,
    cap: float = 3600.0,
    max_attempts: int = 6,
    jitter: float = 0.0,
    rng: random.Random | None = None,
) -> float | None:
    """Seconds to wait before retry number `attempt` (1 = first retry), or None when it is time to give up.

    Defaults: 30 s, 1 min, 2 min, 4 min, 8 min, then stop. `jitter` (0–1) spreads retries of many
    deliveries that failed together by up to that fraction, so they do not hit the provider at once.
    """
    if attempt < 1:
        raise ValueError("attempt counts from 1")
    if attempt >= max_attempts:
        return None
    delay = min(cap, base * factor ** (attempt - 1))
    if jitter:
        delay *= 1 - jitter * (rng or random).random()
    return delay


def retry_delays(**options) -> list[float]:
    """The whole back-off schedule, e.g. for display: `[30.0, 60.0, 120.0, 240.0, 480.0]`."""
    delays: list[float] = []
    attempt = 1
    while (delay := retry_delay(attempt, **options)) is not None:
        delays.append(delay)
        attempt += 1
    return delays
