"""Repeating duty shifts: a weekly pattern unrolled into concrete shifts (pure; the calendar comes from worktime).

A shift is repeated by its start's wall-clock time and its length, so a night shift 17:30 → 08:30 stays a night
shift on every day it falls on. Days off under the State Council calendar (and 调休 make-up working days) come
from `yuqing.worktime.is_working_day` when the pattern asks to skip non-working days.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import date, datetime, timedelta

from django.utils.translation import gettext_noop

# Longest a pattern may run ahead and most shifts one pattern makes: a roster is planned for a term, not forever.
MAX_DAYS = 366
MAX_SHIFTS = 400


class PatternError(ValueError):
    """A pattern that cannot be unrolled; `field` names the form field, `message` is an English template."""

    def __init__(self, field: str, message: str, **params):
        super().__init__(message % params if params else message)
        self.field, self.message, self.params = field, message, params


def unroll(starts_at: datetime, ends_at: datetime, *, weekdays: Iterable[int], until: date,
           skip_non_working: bool = False,
           is_working_day: Callable[[date], bool] | None = None) -> list[tuple[datetime, datetime]]:
    """(start, end) of each shift from `starts_at`'s day to `until` (inclusive) on the given weekdays
    (0 = Monday); the first shift is `starts_at` itself when its day matches."""
    if ends_at <= starts_at:
        raise PatternError("ends_at", gettext_noop("The shift must end after it starts."))
    days = sorted(set(weekdays))
    if not days or any(d not in range(7) for d in days):
        raise PatternError("weekdays", gettext_noop("Choose the weekdays the shift repeats on."))
    first = starts_at.date()
    if until < first:
        raise PatternError("repeat_until", gettext_noop("The repetition must end on or after the first shift's day."))
    if (until - first).days > MAX_DAYS:
        raise PatternError("repeat_until", gettext_noop("Repeat a shift for at most %(days)d days."), days=MAX_DAYS)
    if skip_non_working and is_working_day is None:
        from yuqing.worktime import is_working_day
    length = ends_at - starts_at
    tz = starts_at.tzinfo
    shifts = []
    day = first
    while day <= until:
        if day.weekday() in days and not (skip_non_working and not is_working_day(day)):
            start = datetime.combine(day, starts_at.timetz().replace(tzinfo=None), tzinfo=tz)
            shifts.append((start, start + length))
            if len(shifts) > MAX_SHIFTS:
                raise PatternError("repeat_until", gettext_noop("A pattern makes at most %(count)d shifts."), count=MAX_SHIFTS)
        day += timedelta(days=1)
    if not shifts:
        raise PatternError("weekdays", gettext_noop("No day between the first shift and the end matches the pattern."))
    return shifts
