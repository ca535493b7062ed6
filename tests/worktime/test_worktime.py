"""Chinese working time: 2026's Spring Festival and National Day with their make-up days, office hours,
overrides that win, and a year nobody knows yet."""

from __future__ import annotations

import logging
from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest

from yuqing import worktime

SH = ZoneInfo("Asia/Shanghai")
pytestmark = pytest.mark.django_db  # the override table is consulted for every day


def at(*args) -> datetime:
    return datetime(*args, tzinfo=SH)


@pytest.mark.parametrize("day,working", [
    (date(2026, 2, 13), True),    # Friday before the Spring Festival
    (date(2026, 2, 14), True),    # Saturday, make-up working day (调休)
    (date(2026, 2, 15), False),   # Spring Festival holiday starts (Sunday)
    (date(2026, 2, 17), False),   # 春节 (Tuesday)
    (date(2026, 2, 23), False),   # last holiday day, a Monday
    (date(2026, 2, 24), True),
    (date(2026, 2, 28), True),    # Saturday, second make-up day
    (date(2026, 3, 1), False),    # an ordinary Sunday
    (date(2026, 9, 19), False),   # Saturday
    (date(2026, 9, 20), True),    # Sunday, make-up working day for National Day
    (date(2026, 10, 1), False),
    (date(2026, 10, 7), False),
    (date(2026, 10, 8), True),
    (date(2026, 10, 10), True),   # Saturday, make-up working day
    (date(2026, 10, 11), False),
])
def test_2026_holidays_and_make_up_days(day: date, working: bool) -> None:
    assert worktime.is_working_day(day) is working


def test_add_working_days_across_the_spring_festival() -> None:
    assert worktime.add_working_days(date(2026, 2, 13), 1) == date(2026, 2, 14)  # the make-up Saturday
    assert worktime.add_working_days(date(2026, 2, 13), 2) == date(2026, 2, 24)
    assert worktime.add_working_days(date(2026, 2, 24), 4) == date(2026, 2, 28)  # Saturday again
    assert worktime.add_working_days(date(2026, 2, 24), -1) == date(2026, 2, 14)
    assert worktime.add_working_days(date(2026, 2, 16), 0) == date(2026, 2, 16)
    # a datetime keeps its time of day and stays aware
    assert worktime.add_working_days(at(2026, 2, 13, 15, 0), 2) == at(2026, 2, 24, 15, 0)


def test_add_working_days_across_national_day() -> None:
    assert worktime.add_working_days(date(2026, 9, 18), 1) == date(2026, 9, 20)  # the make-up Sunday
    assert worktime.add_working_days(date(2026, 9, 30), 1) == date(2026, 10, 8)
    assert worktime.add_working_days(date(2026, 9, 30), 3) == date(2026, 10, 10)  # the make-up Saturday
    assert worktime.add_working_days(date(2026, 10, 8), -1) == date(2026, 9, 30)


def test_working_hours_cross_lunch_evening_weekend_and_holiday() -> None:
    assert worktime.add_working_hours(at(2026, 3, 2, 11, 0), 2) == at(2026, 3, 2, 15, 0)     # over lunch
    assert worktime.add_working_hours(at(2026, 3, 2, 11, 0), 1) == at(2026, 3, 2, 12, 0)     # ends at noon
    assert worktime.add_working_hours(at(2026, 3, 2, 12, 30), 1) == at(2026, 3, 2, 15, 0)    # starts in lunch
    assert worktime.add_working_hours(at(2026, 3, 2, 17, 0), 1) == at(2026, 3, 3, 9, 0)      # over the evening
    assert worktime.add_working_hours(at(2026, 3, 6, 17, 0), 1) == at(2026, 3, 9, 9, 0)      # over a weekend
    assert worktime.add_working_hours(at(2026, 3, 7, 10, 0), 1) == at(2026, 3, 9, 9, 30)     # from a Saturday
    assert worktime.add_working_hours(at(2026, 9, 30, 16, 0), 4) == at(2026, 10, 8, 11, 0)   # over National Day
    assert worktime.add_working_hours(at(2026, 2, 13, 17, 0), 1) == at(2026, 2, 14, 9, 0)    # onto a make-up day
    # any zone in, Shanghai out
    utc = worktime.add_working_hours(datetime(2026, 3, 2, 3, 0, tzinfo=ZoneInfo("UTC")), 1.5)
    assert utc == at(2026, 3, 2, 14, 30) and utc.tzinfo == SH


def test_wall_clock_hours_count_nights_and_holidays() -> None:
    assert worktime.add_hours(at(2026, 9, 30, 20, 0), 24) == at(2026, 10, 1, 20, 0)


def test_office_hours_setting(settings) -> None:
    settings.YUQING_OFFICE_HOURS = "09:00-17:00"
    assert worktime.add_working_hours(at(2026, 3, 2, 16, 0), 2) == at(2026, 3, 3, 10, 0)
    with pytest.raises(ValueError, match="'9-5'"):
        worktime.parse_office_hours("9-5")
    with pytest.raises(ValueError, match="in order"):
        worktime.parse_office_hours("14:00-17:00,08:00-12:00")


def test_naive_datetimes_and_negative_hours_are_refused() -> None:
    with pytest.raises(ValueError, match="aware"):
        worktime.add_working_hours(datetime(2026, 3, 2, 9, 0), 1)
    with pytest.raises(ValueError, match="negative"):
        worktime.add_working_hours(at(2026, 3, 2, 9, 0), -1)


def test_calendar_days_list_holidays_and_make_up_days_with_their_source() -> None:
    days = {entry.day: entry for entry in worktime.calendar_days(2026)}
    assert days[date(2026, 2, 17)] == (date(2026, 2, 17), "holiday", "春节", "package")
    assert days[date(2026, 2, 14)] == (date(2026, 2, 14), "workday", "春节", "package")
    assert days[date(2026, 9, 20)].kind == "workday" and days[date(2026, 9, 20)].name == "国庆节"
    assert date(2026, 3, 2) not in days  # an ordinary day is not listed
    assert worktime.year_known(2026)


def test_unknown_year_falls_back_to_weekends_with_a_warning(caplog) -> None:
    year = max(worktime._PACKAGE_YEARS) + 5
    assert not worktime.year_known(year)
    assert worktime.calendar_days(year) == []
    first_monday = next(date(year, 1, d) for d in range(1, 8) if date(year, 1, d).weekday() == 0)
    with caplog.at_level(logging.WARNING, logger="yuqing.worktime"):
        assert worktime.is_working_day(first_monday)
        assert not worktime.is_working_day(date(year, 1, 1 + (5 - date(year, 1, 1).weekday()) % 7))  # Saturday
    assert f"holidays of {year} are not known" in caplog.text
    assert worktime.add_working_days(first_monday, 5) == date(year, 1, first_monday.day + 7)
    assert worktime.unknown_years(date(year, 6, 1)) == [year]
    assert worktime.unknown_years(date(2026, 6, 1)) == []
