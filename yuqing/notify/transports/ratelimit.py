"""Pacing deliveries: a thread-safe sliding-window rate limiter per robot and exponential retry back-off."""

from __future__ import annotations

import random
import threading
import time
from collections import deque
from collections.abc import Callable

DEFAULT_LIMIT = 20  # messages per robot per period: what WeCom and DingTalk robots accept
DEFAULT_PERIOD = 60.0  # seconds


class RateLimiter:
    """At most `limit` sends per `period` seconds per key (one key per robot), in this process.

    The window slides: a slot frees exactly `period` seconds after the send that used it, so bursts at a
    minute's boundary cannot double the rate as a fixed per-minute counter would.
    """

    def __init__(
        self,
        limit: int = DEFAULT_LIMIT,
        period: float = DEFAULT_PERIOD,
        *,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        if limit < 1 or period <= 0:
            raise ValueError("limit must be ≥ 1 and period > 0")
        self.limit = limit
        self.period = period
        self._clock = clock
        self._sent: dict[str, deque[float]] = {}
        self._lock = threading.Lock()

    def _window(self, key: str, now: float) -> deque[float]:
        sent = self._sent.setdefault(key, deque())
        while sent and sent[0] <= now - self.period:
            sent.popleft()
        return sent

    def try_acquire(self, key: str, *, limit: int | None = None) -> bool:
        """Take a slot for `key` if one is free now; `limit` overrides the default for this robot."""
        allowed = limit or self.limit
        with self._lock:
            now = self._clock()
            sent = self._window(key, now)
            if len(sent) >= allowed:
                return False
            sent.append(now)
            return True

    def retry_after(self, key: str, *, limit: int | None = None) -> float:
        """Seconds until `try_acquire(key)` can succeed (0 when a slot is free now)."""
        allowed = limit or self.limit
        with self._lock:
            now = self._clock()
            sent = self._window(key, now)
            if len(sent) < allowed:
                return 0.0
            return max(0.0, sent[len(sent) - allowed] + self.period - now)

    def acquire(
        self,
        key: str,
        *,
        timeout: float | None = None,
        limit: int | None = None,
        sleep: Callable[[float], None] = time.sleep,
    ) -> bool:
        """Wait for a slot (at most `timeout` seconds); False if none came in time."""
        deadline = None if timeout is None else self._clock() + timeout
        while not self.try_acquire(key, limit=limit):
            wait = self.retry_after(key, limit=limit)
            if deadline is not None and self._clock() + wait > deadline:
                return False
            sleep(max(wait, 0.001))
        return True

    def used(self, key: str) -> int:
        with self._lock:
            return len(self._window(key, self._clock()))


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
