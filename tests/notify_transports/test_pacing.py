"""Retry back-off and quiet hours, with a fake clock (the per-notifier rate limit is tested in tests/notify)."""

from __future__ import annotations

import random
from datetime import UTC, datetime, time

import pytest

from yuqing.notify.transports import (
    QuietWindow,
    is_quiet,
    release_time,
    retry_delay,
    retry_delays,
)
from yuqing.notify.transports.message import SHANGHAI
from yuqing.notify.transports.quiet_hours import should_hold

# ------------------------------------------------------------------------------------------------ back-off


def test_retry_back_off_doubles_then_gives_up():
    assert retry_delays() == [30.0, 60.0, 120.0, 240.0, 480.0]
    assert retry_delay(1) == 30.0
    assert retry_delay(6) is None
    assert retry_delays(base=1, factor=10, cap=50, max_attempts=4) == [1, 10, 50]


def test_retry_jitter_only_shortens_within_bounds():
    rng = random.Random(7)
    delays = [retry_delay(3, jitter=0.5, rng=rng) for _ in range(50)]
    assert all(60.0 <= d <= 120.0 for d in delays)
    assert len(set(delays)) > 1


def test_retry_attempts_count_from_one():
    with pytest.raises(ValueError):
        retry_delay(0)


# ------------------------------------------------------------------------------------------------ quiet hours

NIGHT = QuietWindow(time(22, 0), time(7, 0))


def at(hour: int, minute: int = 0, day: int = 1) -> datetime:
    return datetime(2024, 5, day, hour, minute, tzinfo=SHANGHAI)


@pytest.mark.parametrize(
    ("moment", "quiet"),
    [(at(21, 59), False), (at(22, 0), True), (at(23, 30), True), (at(0, 0), True), (at(6, 59), True),
     (at(7, 0), False), (at(12, 0), False)],
)
def test_quiet_window_crossing_midnight(moment, quiet):
    assert is_quiet(moment, NIGHT.start, NIGHT.end) is quiet


def test_quiet_window_within_one_day_and_empty_window():
    assert is_quiet(at(12, 30), time(12), time(14))
    assert not is_quiet(at(14, 0), time(12), time(14))
    assert not is_quiet(at(3, 0), time(8), time(8))


def test_quiet_hours_use_beijing_time_whatever_the_zone_of_now():
    utc_afternoon = datetime(2024, 5, 1, 15, 30, tzinfo=UTC)  # 23:30 in Beijing
    assert is_quiet(utc_afternoon, NIGHT.start, NIGHT.end)
    with pytest.raises(ValueError, match="timezone-aware"):
        is_quiet(datetime(2024, 5, 1, 23, 30), NIGHT.start, NIGHT.end)


@pytest.mark.parametrize(("level", "held"), [
    ("一般", True), ("较大", True), ("blue", True), ("重大", False), ("特别重大", False), ("orange", False),
    ("Ⅰ", False), (3, False),
])
def test_minor_alerts_wait_for_morning_but_major_ones_never_do(level, held):
    assert should_hold(level, at(23), NIGHT) is held
    assert should_hold(level, at(9), NIGHT) is False


def test_no_quiet_window_holds_nothing():
    assert not should_hold("一般", at(23), None)
    assert should_hold("一般", at(23), "22:00-07:00")
    assert should_hold("一般", at(23), (time(22), time(7)))


def test_held_alert_is_released_when_the_window_ends():
    assert release_time(at(23), NIGHT) == at(7, day=2)
    assert release_time(at(5), NIGHT) == at(7)
    assert release_time(at(9), NIGHT) == at(9)


@pytest.mark.parametrize("text", ["22:00-07:00", "22:00–07:00", " 22:00 ~ 07:00 ", "22:00至07:00"])
def test_quiet_window_is_parsed_from_what_people_type(text):
    assert QuietWindow.parse(text) == NIGHT
    assert str(QuietWindow.parse(text)) == "22:00-07:00"


@pytest.mark.parametrize("text", ["22-07", "25:00-07:00", "", "22:00"])
def test_bad_quiet_window_is_refused(text):
    with pytest.raises(ValueError, match="not a time window"):
        QuietWindow.parse(text)
