"""Chinese working time: working days (State Council holidays and their 调休 make-up days), office hours.

The holiday schedule comes from the ``chinese-calendar`` package, which knows each year once the State Council
has published it (usually in November for the next year). An administrator's rows in ``system.CalendarDay``
win over the package: a year the package does not know yet, a local school holiday, a snow day. For a year
neither knows, weekends are the only days off and ``unknown_years()`` makes the status page say so on the status page —
deadlines keep working instead of crashing.

Deadlines use this module: "转交 within 2 working hours" counts only office hours of working days.
"""

from __future__ import annotations

import logging
import threading
import time as monotonic_time
from datetime import date, datetime, time, timedelta
from typing import NamedTuple
from zoneinfo import ZoneInfo

import chinese_calendar

log = logging.getLogger(__name__)
SHANGHAI = ZoneInfo("Asia/Shanghai")
DEFAULT_OFFICE_HOURS = "08:30-12:00,14:00-17:30"
HOLIDAY = "holiday"
WORKDAY = "workday"
PACKAGE = "package"
OVERRIDE = "override"

# the package names holidays in English; these are the names the State Council's notice uses
HOLIDAY_NAMES = {
    "New Year's Day": "元旦",
    "Spring Festival": "春节",
    "Tomb-sweeping Day": "清明节",
    "Labour Day": "劳动节",
    "Dragon Boat Festival": "端午节",
    "National Day": "国庆节",
    "Mid-autumn Festival": "中秋节",
    "Anti-Fascist 70th Day": "中国人民抗日战争暨世界反法西斯战争胜利70周年纪念日",
}

_PACKAGE_YEARS = frozenset(d.year for d in chinese_calendar.constants.holidays)


class CalendarEntry(NamedTuple):
    day: date
    kind: str  # "holiday" | "workday" (a make-up working day on a weekend, or a working day an override sets)
    name: str
    source: str  # "package" | "override"


# -- overrides --------------------------------------------------------------------------------------------
# Overrides live in the database; this module stays importable without Django. They are cached per year for
# a short while (and dropped at once when the table changes in this process, see system.apps), so a deadline
# check over thousands of rows does not query per day.
_CACHE_SECONDS = 60
_cache: dict[int, tuple[float, dict[date, CalendarEntry]]] = {}
_cache_lock = threading.Lock()
_warned_years: set[int] = set()


def forget_overrides() -> None:
    """Drop cached override rows (called when ``system.CalendarDay`` changes)."""
    with _cache_lock:
        _cache.clear()


def _load_overrides(year: int) -> dict[date, CalendarEntry]:
    try:
        from django.apps import apps
    except ImportError:  # pragma: no cover - used without Django
        return {}
    if not apps.ready:
        return {}
    from django.db import DatabaseError

    model = apps.get_model("system", "CalendarDay")
    try:
        rows = list(model.objects.filter(date__year=year).values_list("date", "kind", "name"))
    except DatabaseError:  # not migrated yet: the package's schedule still answers
        log.warning("the calendar overrides cannot be read; run yuqing migrate")
        return {}
    return {day: CalendarEntry(day, kind, name, OVERRIDE) for day, kind, name in rows}


def _overrides(year: int) -> dict[date, CalendarEntry]:
    now = monotonic_time.monotonic()
    with _cache_lock:
        hit = _cache.get(year)
        if hit is not None and now - hit[0] < _CACHE_SECONDS:
            return hit[1]
    rows = _load_overrides(year)
    with _cache_lock:
        _cache[year] = (now, rows)
    return rows


# -- the calendar -----------------------------------------------------------------------------------------
def package_knows(year: int) -> bool:
    return year in _PACKAGE_YEARS


def year_known(year: int) -> bool:
    """Whether the holidays of ``year`` are known: the package has them, or an administrator entered some."""
    return package_knows(year) or any(e.kind == HOLIDAY for e in _overrides(year).values())


def _package_entry(day: date) -> CalendarEntry | None:
    if day in chinese_calendar.constants.holidays:
        name = chinese_calendar.constants.holidays[day]
        return CalendarEntry(day, HOLIDAY, HOLIDAY_NAMES.get(name, name), PACKAGE)
    if day in chinese_calendar.constants.workdays:
        name = chinese_calendar.constants.workdays[day]
        return CalendarEntry(day, WORKDAY, HOLIDAY_NAMES.get(name, name), PACKAGE)
    return None


def is_working_day(day: date | datetime) -> bool:
    """Override row, else the State Council schedule, else Monday to Friday."""
    if isinstance(day, datetime):
        day = _local(day).date()
    override = _overrides(day.year).get(day)
    if override is not None:
        return override.kind == WORKDAY
    if package_knows(day.year):
        entry = _package_entry(day)
        if entry is not None:
            return entry.kind == WORKDAY
    elif day.year not in _warned_years:
        _warned_years.add(day.year)
        log.warning("the holidays of %s are not known; counting weekends only", day.year)
    return day.weekday() < 5


def calendar_days(year: int) -> list[CalendarEntry]:
    """The year's holidays and make-up working days, each with its source; overrides replace the package."""
    entries: dict[date, CalendarEntry] = {}
    if package_knows(year):
        for table in (chinese_calendar.constants.holidays, chinese_calendar.constants.workdays):
            for day in table:
                if day.year == year:
                    entries[day] = _package_entry(day)  # type: ignore[assignment]
    entries.update(_overrides(year))
    return [entries[day] for day in sorted(entries)]


def unknown_years(today: date | None = None) -> list[int]:
    """Years deadlines are about to reach (this one, and the next within 45 days) whose holidays nobody knows:
    the status page warns about them."""
    today = today or datetime.now(SHANGHAI).date()
    years = sorted({today.year, (today + timedelta(days=45)).year})
    return [year for year in years if not year_known(year)]


# -- arithmetic ---------------------------------------------------------------------------------------------
def _local(moment: datetime) -> datetime:
    if moment.tzinfo is None:
        raise ValueError("working-time arithmetic needs an aware datetime")
    return moment.astimezone(SHANGHAI)


def add_working_days(start: date | datetime, n: int) -> date | datetime:
    """The ``n``-th working day after ``start`` (before it when ``n`` is negative); ``start`` itself does not
    count. A datetime keeps its time of day (in Asia/Shanghai) and comes back aware."""
    if isinstance(start, datetime):
        local = _local(start)
        day = add_working_days(local.date(), n)
        return datetime.combine(day, local.timetz().replace(tzinfo=None), SHANGHAI)  # type: ignore[arg-type]
    step = 1 if n >= 0 else -1
    day, remaining = start, abs(n)
    while remaining:
        day += timedelta(days=step)
        if is_working_day(day):
            remaining -= 1
    return day


def add_hours(start: datetime, hours: float) -> datetime:
    """Wall-clock hours: nights, weekends and holidays count."""
    return _local(start) + timedelta(hours=hours)


def office_hours() -> list[tuple[time, time]]:
    """The office periods of a working day, from the setting ``YUQING_OFFICE_HOURS`` ("08:30-12:00,14:00-17:30")."""
    spec = DEFAULT_OFFICE_HOURS
    try:
        from django.conf import settings

        spec = getattr(settings, "YUQING_OFFICE_HOURS", "") or DEFAULT_OFFICE_HOURS
    except ImportError:  # pragma: no cover
        pass
    return parse_office_hours(spec)


def parse_office_hours(spec: str) -> list[tuple[time, time]]:
    """"08:30-12:00,14:00-17:30" → periods; ``ValueError`` naming the bad part."""
    periods: list[tuple[time, time]] = []
    for part in spec.split(","):
        part = part.strip()
        try:
            begin, end = (time.fromisoformat(t.strip()) for t in part.split("-"))
        except ValueError:
            raise ValueError(f"office hours {part!r}: write them as HH:MM-HH:MM") from None
        if end <= begin or (periods and begin < periods[-1][1]):
            raise ValueError(f"office hours {part!r}: periods must be in order and not overlap")
        periods.append((begin, end))
    if not periods:
        raise ValueError("office hours: give at least one period")
    return periods


def add_working_hours(start: datetime, hours: float) -> datetime:
    """``hours`` counted only within office hours of working days; a start outside them counts from the next
    office period. Ends exactly at a period's end rather than at the next period's start."""
    if hours < 0:
        raise ValueError("working hours cannot be negative")
    periods = office_hours()
    moment = _local(start)
    remaining = timedelta(hours=hours)
    day = moment.date()
    for _ in range(3660):  # ten years of days: more than any deadline, and never an endless loop
        if is_working_day(day):
            for begin, end in periods:
                period_begin = datetime.combine(day, begin, SHANGHAI)
                period_end = datetime.combine(day, end, SHANGHAI)
                if period_end <= moment:
                    continue
                counted_from = max(moment, period_begin)
                available = period_end - counted_from
                if remaining <= available:
                    return counted_from + remaining
                remaining -= available
                moment = period_end
        day += timedelta(days=1)
    raise ValueError("more working hours than ten years hold")
