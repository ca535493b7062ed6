"""Quiet hours (免打扰): hold minor alerts overnight; 重大 and 特别重大 always go out at once."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from yuqing.levels import Level

SHANGHAI = ZoneInfo("Asia/Shanghai")


@dataclass(frozen=True)
class QuietWindow:
    """From `start` to `end` local time each day; `end` earlier than `start` means it crosses midnight."""

    start: time
    end: time
    tz: str = "Asia/Shanghai"

    @classmethod
    def parse(cls, text: str, tz: str = "Asia/Shanghai") -> QuietWindow:
        """From "22:00-07:00" (also "22:00–07:00", "22:00~07:00", "22:00至07:00")."""
        match = re.fullmatch(r"\s*(\d{1,2}):(\d{2})\s*(?:-|–|~|～|至|到)\s*(\d{1,2}):(\d{2})\s*", text)
        if not match:
            raise ValueError(f"not a time window: {text!r} (expected e.g. 22:00-07:00)")
        h1, m1, h2, m2 = (int(g) for g in match.groups())
        try:
            return cls(time(h1, m1), time(h2, m2), tz)
        except ValueError as error:
            raise ValueError(f"not a time window: {text!r} ({error})") from None

    def __str__(self) -> str:
        return f"{self.start:%H:%M}-{self.end:%H:%M}"


def _local_time(now: datetime | time, tz: str) -> time:
    if isinstance(now, datetime):
        if now.tzinfo is None:
            raise ValueError("now must be timezone-aware")
        return now.astimezone(ZoneInfo(tz)).time().replace(tzinfo=None)
    return now


def is_quiet(now: datetime | time, start: time, end: time, tz: str = "Asia/Shanghai") -> bool:
    """Is `now` inside [start, end)? Windows crossing midnight (22:00–07:00) work; start == end is empty."""
    moment = _local_time(now, tz)
    if start == end:
        return False
    if start < end:
        return start <= moment < end
    return moment >= start or moment < end


def _window(quiet_window: QuietWindow | tuple[time, time] | str | None) -> QuietWindow | None:
    if quiet_window is None or isinstance(quiet_window, QuietWindow):
        return quiet_window
    if isinstance(quiet_window, str):
        return QuietWindow.parse(quiet_window)
    start, end = quiet_window
    return QuietWindow(start, end)


def should_hold(
    level: Level | str | int,
    now: datetime,
    quiet_window: QuietWindow | tuple[time, time] | str | None,
) -> bool:
    """Hold this alert until the quiet window ends? Never for 重大/特别重大 (SPEC R4.8)."""
    window = _window(quiet_window)
    if window is None or Level.from_label(level).is_major:
        return False
    return is_quiet(now, window.start, window.end, window.tz)


def release_time(now: datetime, quiet_window: QuietWindow | tuple[time, time] | str) -> datetime:
    """When an alert held at `now` may go out: the end of the current quiet window (aware datetime)."""
    window = _window(quiet_window)
    assert window is not None
    if not is_quiet(now, window.start, window.end, window.tz):
        return now
    local = now.astimezone(ZoneInfo(window.tz))
    end = local.replace(hour=window.end.hour, minute=window.end.minute, second=0, microsecond=0)
    if end <= local:
        end += timedelta(days=1)
    return end
