"""Overrides of the working-day calendar: sysadmins only, audited, winning over the package; the page, the
status warning and the CLI."""

from __future__ import annotations

from datetime import date

import pytest
from django.core.exceptions import PermissionDenied
from django.core.management import call_command

from yuqing import worktime
from yuqing.audit.models import AuditRecord
from yuqing.system.actions import do_delete_calendar_day, do_set_calendar_day
from yuqing.system.models import CalendarDay


def test_an_override_row_wins_over_the_package(world) -> None:
    # a county sports day makes an ordinary Monday a day off; the second make-up Saturday is cancelled
    do_set_calendar_day(day=date(2026, 3, 2), kind="holiday", name="县运动会", acting_user=world.root)
    row = do_set_calendar_day(day=date(2026, 2, 28), kind="holiday", name="春节调休取消", acting_user=world.root)
    assert not worktime.is_working_day(date(2026, 3, 2))
    assert not worktime.is_working_day(date(2026, 2, 28))
    assert worktime.add_working_days(date(2026, 2, 27), 1) == date(2026, 3, 3)
    days = {e.day: e for e in worktime.calendar_days(2026)}
    assert days[date(2026, 2, 28)] == (date(2026, 2, 28), "holiday", "春节调休取消", "override")
    assert days[date(2026, 3, 2)].source == "override"
    assert days[date(2026, 2, 14)].source == "package"
    do_delete_calendar_day(row, acting_user=world.root)
    assert worktime.is_working_day(date(2026, 2, 28))  # the package's make-up day again
    actions = list(AuditRecord.objects.filter(object_type="system.calendarday").order_by("pk")
                   .values_list("action", flat=True))
    assert actions == ["calendar_day.create", "calendar_day.create", "calendar_day.delete"]


def test_updating_an_override_replaces_it(world) -> None:
    do_set_calendar_day(day=date(2026, 3, 2), kind="holiday", acting_user=world.root)
    do_set_calendar_day(day=date(2026, 3, 2), kind="workday", note="改回上班", acting_user=world.root)
    assert CalendarDay.objects.get().kind == "workday"
    assert worktime.is_working_day(date(2026, 3, 2))
    assert AuditRecord.objects.filter(action="calendar_day.update").count() == 1


def test_only_a_system_administrator_changes_the_calendar(world) -> None:
    for person in (world.bureau_admin, world.school_admin, world.outsider):
        with pytest.raises(PermissionDenied):
            do_set_calendar_day(day=date(2026, 3, 2), kind="holiday", acting_user=person)
    assert not CalendarDay.objects.exists()


def test_an_admin_entered_schedule_makes_an_unknown_year_known(world) -> None:
    year = max(worktime._PACKAGE_YEARS) + 1
    assert not worktime.year_known(year)
    do_set_calendar_day(day=date(year, 1, 1), kind="holiday", name="元旦", acting_user=world.root)
    assert worktime.year_known(year) and not worktime.is_working_day(date(year, 1, 1))


def test_calendar_page_lists_and_adds_overrides(world, login) -> None:
    client = login(world.root)
    page = client.get("/system/calendar/?year=2026").content.decode()
    assert "2026-02-14" in page and "春节" in page and "国庆节" in page
    response = client.post("/system/calendar/?year=2026", {"day": "2026-03-02", "kind": "holiday",
                                                            "name": "县运动会", "note": ""})
    assert response.status_code == 302 and response["Location"].endswith("?year=2026")
    page = client.get("/system/calendar/?year=2026").content.decode()
    assert "县运动会" in page
    bad = client.post("/system/calendar/", {"day": "2026-02-30", "kind": "holiday"})
    assert bad.status_code == 200 and "Enter a valid date" in bad.content.decode()
    row = CalendarDay.objects.get()
    assert client.post(f"/system/calendar/{row.pk}/delete").status_code == 302
    assert not CalendarDay.objects.exists()


def test_calendar_page_is_for_system_administrators(world, login) -> None:
    client = login(world.bureau_admin)
    assert client.get("/system/calendar/").status_code == 403
    assert client.post("/system/calendar/", {"day": "2026-03-02", "kind": "holiday"}).status_code == 403
    assert not CalendarDay.objects.exists()


def test_status_page_warns_when_the_year_is_unknown(world, login, monkeypatch) -> None:
    client = login(world.bureau_admin)
    monkeypatch.setattr(worktime, "_PACKAGE_YEARS", frozenset())  # as if the package knew no year at all
    page = client.get("/system/").content.decode()
    assert "are not known: working days and deadlines count weekends only" in page
    monkeypatch.setattr(worktime, "_PACKAGE_YEARS", frozenset(range(2000, 2100)))
    assert "are not known" not in client.get("/system/").content.decode()


def test_cli_add_working_days_and_show(world, capsys) -> None:
    call_command("calendar", "add-working-days", "2026-02-13", "1")
    assert capsys.readouterr().out.strip() == "2026-02-14"
    call_command("calendar", "add-working-days", "2026-09-30T16:00", "1")
    assert capsys.readouterr().out.strip() == "2026-10-08T16:00:00+08:00"
    call_command("calendar", "add-working-hours", "2026-09-30T16:00", "4")
    assert capsys.readouterr().out.strip() == "2026-10-08T11:00:00+08:00"
    do_set_calendar_day(day=date(2026, 3, 2), kind="holiday", name="县运动会", acting_user=world.root)
    call_command("calendar", "show", "2026")
    lines = capsys.readouterr().out.splitlines()
    assert "2026-02-14 Sat 班 workday  春节       package" in lines
    assert any(line.startswith("2026-03-02") and line.endswith("override") for line in lines)
    call_command("calendar", "show", str(max(worktime._PACKAGE_YEARS) + 3))
    assert "not known" in capsys.readouterr().err
