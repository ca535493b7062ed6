"""Repeating duty shifts: a weekly pattern unrolled into shifts, optionally skipping days off."""

from datetime import date, datetime

import pytest
from django.core.exceptions import PermissionDenied
from django.utils import timezone

from yuqing.audit.models import AuditRecord
from yuqing.notify import actions, shift_series
from yuqing.notify.models import DutyShift

pytestmark = pytest.mark.django_db
TZ = timezone.get_fixed_timezone(8 * 60)


def _at(y, m, d, hh, mm=0):
    return datetime(y, m, d, hh, mm, tzinfo=TZ)


def test_a_pattern_repeats_on_the_chosen_weekdays_with_the_same_times():
    # 2026-09-07 is a Monday; Mondays and Thursdays for two weeks.
    shifts = shift_series.unroll(_at(2026, 9, 7, 17, 30), _at(2026, 9, 8, 8, 30), weekdays=[0, 3],
                                 until=date(2026, 9, 17))
    assert [s.date().isoformat() for s, _e in shifts] == ["2026-09-07", "2026-09-10", "2026-09-14", "2026-09-17"]
    assert all((s.hour, s.minute, e.hour, e.minute) == (17, 30, 8, 30) for s, e in shifts)
    assert all((e - s).total_seconds() == 15 * 3600 for s, e in shifts)


def test_skipping_non_working_days_follows_the_state_council_calendar():
    # National Day 2026: 10-01…10-07 off; the pattern is every day from 09-30 to 10-09.
    shifts = shift_series.unroll(_at(2026, 9, 30, 8, 30), _at(2026, 9, 30, 17, 30), weekdays=range(7),
                                 until=date(2026, 10, 9), skip_non_working=True)
    days = [s.date() for s, _e in shifts]
    assert date(2026, 9, 30) in days and date(2026, 10, 8) in days and date(2026, 10, 9) in days
    assert not any(date(2026, 10, 1) <= d <= date(2026, 10, 7) for d in days)
    # A make-up working day on a weekend counts as working (injected calendar keeps the test exact).
    shifts = shift_series.unroll(_at(2026, 9, 5, 9), _at(2026, 9, 5, 12), weekdays=[5, 6], until=date(2026, 9, 13),
                                 skip_non_working=True, is_working_day=lambda d: d == date(2026, 9, 12))
    assert [s.date() for s, _e in shifts] == [date(2026, 9, 12)]


def test_bad_patterns_name_the_field():
    with pytest.raises(shift_series.PatternError) as exc:
        shift_series.unroll(_at(2026, 9, 7, 9), _at(2026, 9, 7, 12), weekdays=[0], until=date(2026, 9, 1))
    assert exc.value.field == "repeat_until"
    with pytest.raises(shift_series.PatternError) as exc:
        shift_series.unroll(_at(2026, 9, 7, 9), _at(2026, 9, 7, 12), weekdays=[0], until=date(2028, 9, 1))
    assert exc.value.field == "repeat_until"
    with pytest.raises(shift_series.PatternError) as exc:
        shift_series.unroll(_at(2026, 9, 7, 9), _at(2026, 9, 7, 12), weekdays=[], until=date(2026, 9, 30))
    assert exc.value.field == "weekdays"


def test_the_roster_form_adds_a_repeating_shift_in_one_audited_step(world, login):
    c = login(world.publicity)
    r = c.post("/notify/roster/", {
        "user": world.monitor.pk, "starts_at": "2026-09-07T17:30", "ends_at": "2026-09-08T08:30", "note": "夜班",
        "repeat_until": "2026-09-30", "weekdays": ["0", "2"], "skip_non_working": "on"})
    assert r.status_code == 302 and "week=2026-09-07" in r["Location"]
    starts = [timezone.localtime(s).date() for s in DutyShift.objects.values_list("starts_at", flat=True)]
    assert starts == [date(2026, 9, d) for d in (7, 9, 14, 16, 21, 23, 28, 30)]
    rec = AuditRecord.objects.get(action="duty_shift.repeat")
    assert rec.after["count"] == 8 and rec.after["user"] == "monitor"
    page = c.get("/notify/roster/?week=2026-09-14").content.decode()
    assert page.count("夜班") >= 2
    # Each shift of the series is removed on its own.
    first = DutyShift.objects.order_by("starts_at").first()
    assert c.post(f"/notify/roster/{first.pk}/remove/").status_code == 302
    assert DutyShift.objects.count() == 7


def test_the_weekday_defaults_to_the_first_shifts_and_refusals_name_the_field(world, login):
    c = login(world.publicity)
    r = c.post("/notify/roster/", {"user": world.monitor.pk, "starts_at": "2026-09-08T09:00",
                                   "ends_at": "2026-09-08T12:00", "repeat_until": "2026-09-22"})
    assert r.status_code == 302 and DutyShift.objects.count() == 3  # three Tuesdays
    r = c.post("/notify/roster/", {"user": world.monitor.pk, "starts_at": "2026-09-08T09:00",
                                   "ends_at": "2026-09-08T12:00", "weekdays": ["1"]})
    assert r.status_code == 200 and "repeat_until" in r.context["form"].errors
    r = c.post("/notify/roster/", {"user": world.monitor.pk, "starts_at": "2026-09-08T09:00",
                                   "ends_at": "2026-09-08T12:00", "repeat_until": "2027-12-31"})
    assert r.status_code == 200 and "repeat_until" in r.context["form"].errors
    with pytest.raises(PermissionDenied):
        actions.do_add_repeating_shifts(organization=world.school, user=world.monitor,
                                        starts_at=_at(2026, 9, 8, 9), ends_at=_at(2026, 9, 8, 12), weekdays=[1],
                                        repeat_until=date(2026, 9, 22), acting_user=world.editor)
    assert DutyShift.objects.count() == 3
