"""Published times as Chinese sources print them, read as aware datetimes (Beijing time by default)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest

from yuqing.collection.entries import SHANGHAI
from yuqing.collection.timeparse import TimeParseError, parse_time, try_parse_time

NOW = datetime(2024, 5, 10, 15, 0, tzinfo=SHANGHAI)


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("2024-05-01 08:00", datetime(2024, 5, 1, 8, 0, tzinfo=SHANGHAI)),
        ("2024-05-01 08:00:30", datetime(2024, 5, 1, 8, 0, 30, tzinfo=SHANGHAI)),
        ("2024/5/1 8:00", datetime(2024, 5, 1, 8, 0, tzinfo=SHANGHAI)),
        ("2024.05.01", datetime(2024, 5, 1, tzinfo=SHANGHAI)),
        ("2024年5月1日 08:00", datetime(2024, 5, 1, 8, 0, tzinfo=SHANGHAI)),
        ("2024年05月01日08时30分", datetime(2024, 5, 1, 8, 30, tzinfo=SHANGHAI)),
        ("2024年5月1日", datetime(2024, 5, 1, tzinfo=SHANGHAI)),
        ("5月1日 下午3:00", datetime(2024, 5, 1, 15, 0, tzinfo=SHANGHAI)),
        ("05-01 08:00", datetime(2024, 5, 1, 8, 0, tzinfo=SHANGHAI)),
        ("12-30 08:00", datetime(2023, 12, 30, 8, 0, tzinfo=SHANGHAI)),  # no year, would be future: last year
        ("Wed, 01 May 2024 08:00:00 +0800", datetime(2024, 5, 1, 8, 0, tzinfo=SHANGHAI)),
        ("Wed, 01 May 2024 00:00:00 GMT", datetime(2024, 5, 1, 8, 0, tzinfo=SHANGHAI)),
        ("Wed, 01 May 2024 08:00:00 CST", datetime(2024, 5, 1, 8, 0, tzinfo=SHANGHAI)),  # China Standard Time
        ("2024-05-01T00:00:00Z", datetime(2024, 5, 1, 8, 0, tzinfo=SHANGHAI)),
        ("2024-05-01T08:00:00.250+08:00", datetime(2024, 5, 1, 8, 0, 0, 250000, tzinfo=SHANGHAI)),
        ("1714521600", datetime(2024, 5, 1, 8, 0, tzinfo=SHANGHAI)),
        ("1714521600000", datetime(2024, 5, 1, 8, 0, tzinfo=SHANGHAI)),
        (1714521600, datetime(2024, 5, 1, 8, 0, tzinfo=SHANGHAI)),
        (1714521600123, datetime(2024, 5, 1, 8, 0, 0, 123000, tzinfo=SHANGHAI)),
        ("刚刚", NOW),
        ("3分钟前", NOW - timedelta(minutes=3)),
        ("半小时前", NOW - timedelta(minutes=30)),
        ("2小时前", NOW - timedelta(hours=2)),
        ("5 天前", NOW - timedelta(days=5)),
        ("昨天 12:00", datetime(2024, 5, 9, 12, 0, tzinfo=SHANGHAI)),
        ("前天 23:59", datetime(2024, 5, 8, 23, 59, tzinfo=SHANGHAI)),
        ("今天 08:05", datetime(2024, 5, 10, 8, 5, tzinfo=SHANGHAI)),
        ("2 hours ago", NOW - timedelta(hours=2)),
    ],
)
def test_parse_time(value, expected: datetime) -> None:
    parsed = parse_time(value, now=NOW)
    assert parsed == expected
    assert parsed.tzinfo is not None


def test_naive_datetime_gets_beijing_time_and_aware_is_kept() -> None:
    assert parse_time(datetime(2024, 5, 1, 8), now=NOW).utcoffset() == timedelta(hours=8)
    aware = datetime(2024, 5, 1, 8, tzinfo=UTC)
    assert parse_time(aware) is aware


def test_other_default_zone() -> None:
    tz = timezone(timedelta(hours=-5))
    assert parse_time("2024-05-01 08:00", default_tz=tz).utcoffset() == timedelta(hours=-5)


@pytest.mark.parametrize("value", ["明年某天", "2024-13-45", "", "  ", "2024年2月30日", True])
def test_unreadable_times_raise_and_try_returns_none(value) -> None:
    with pytest.raises(TimeParseError):
        parse_time(value, now=NOW)
    assert try_parse_time(value, now=NOW) is None
