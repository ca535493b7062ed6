"""Daily and zero reports: compiled from the day, confirmed on time or late, reminded once, seen by the bureau."""

from __future__ import annotations

import io
import json
from datetime import date, datetime, time

import pytest
from django.core.exceptions import PermissionDenied
from django.core.management import call_command
from django.utils import timezone

from yuqing.notify.models import Notice
from yuqing.reports import daily
from yuqing.reports.models import DailyReport

DAY = date(2026, 12, 1)


def at(hour: int, minute: int = 0, day: date = DAY) -> datetime:
    return timezone.make_aware(datetime.combine(day, time(hour, minute)))


@pytest.fixture
def english(settings):
    settings.LANGUAGE_CODE = "en"


def test_a_day_with_nothing_is_a_zero_report(world):
    report = daily.compile_daily(world.school, DAY, now=at(16, 30))
    assert report.zero and report.figures["mentions"] == 0
    assert report.due_at == at(17, 30)


def test_a_day_with_a_case_is_not_a_zero_report(world):
    from yuqing.incidents.actions import do_open_case

    do_open_case(organization=world.school, acting_user=world.publicity, title="家长来电", level="一般",
                 opened_at=at(10))
    report = daily.compile_daily(world.school, DAY, now=at(16, 30))
    assert not report.zero and report.figures["cases_opened"] == 1


@pytest.mark.parametrize(("hour", "minute", "status"), [(17, 29, "on_time"), (17, 31, "late")])
def test_compliance_at_the_deadline_boundary(world, hour, minute, status):
    report = daily.compile_daily(world.school, DAY, now=at(16, 30))
    daily.do_confirm_daily_report(report, acting_user=world.monitor, now=at(hour, minute))
    rows = {r["slug"]: r for r in daily.compliance(world.bureau, DAY)}
    assert rows["no1"]["status"] == status
    assert rows["no2"]["status"] == "missing"
    assert "far" not in rows  # another bureau's school


def test_the_reminder_goes_once_before_the_deadline(world, django_capture_on_commit_callbacks):
    daily.compile_daily(world.school, DAY, now=at(16, 30))
    for moment in (at(16, 59), at(17, 1), at(17, 10)):
        with django_capture_on_commit_callbacks(execute=True):
            call_command("deadlines", "run", "--at", moment.isoformat(), stdout=io.StringIO())
    reminders = Notice.objects.filter(organization=world.school, kind="report.reminder")
    assert list(reminders.values_list("recipient__username", flat=True)) == ["publicity"]  # once, not thrice


def test_only_people_on_duty_or_the_publicity_lead_confirm(world):
    report = daily.compile_daily(world.school, DAY, now=at(16, 30))
    with pytest.raises(PermissionDenied):
        daily.do_confirm_daily_report(report, acting_user=world.editor, now=at(17))
    daily.do_confirm_daily_report(report, acting_user=world.publicity, now=at(17))
    assert DailyReport.objects.get(pk=report.pk).confirmed_by == world.publicity


def test_a_school_sees_only_its_reports_and_the_bureau_sees_compliance(world, client, english):
    mine = daily.compile_daily(world.school, DAY, now=at(16, 30))
    theirs = daily.compile_daily(world.other_school, DAY, now=at(16, 30))
    client.force_login(world.publicity)
    assert client.get(f"/reports/daily/{mine.pk}/").status_code == 200
    assert client.get(f"/reports/daily/{theirs.pk}/").status_code == 404
    client.force_login(world.supervisor)
    page = client.get(f"/reports/compliance/?date={DAY.isoformat()}")
    assert page.status_code == 200 and "第二中学" in page.content.decode()
    xlsx = client.get(f"/reports/compliance/?date={DAY.isoformat()}&format=xlsx")
    from openpyxl import load_workbook

    sheet = load_workbook(io.BytesIO(xlsx.content)).worksheets[0]
    assert [c.value for c in sheet[1]][:2] == ["School", "Status"]
    assert {sheet.cell(r, 1).value for r in range(2, sheet.max_row + 1)} == {"第一中学", "第二中学"}


def test_cli_compliance_and_daily_docx(world, tmp_path):
    report = daily.compile_daily(world.school, DAY, now=at(16, 30))
    daily.do_confirm_daily_report(report, acting_user=world.monitor, now=at(17))
    out = io.StringIO()
    call_command("report", "compliance", "--org", world.bureau.slug, "--date", DAY.isoformat(), "--format", "json",
                 stdout=out)
    rows = {r["slug"]: r["status"] for r in json.loads(out.getvalue())}
    assert rows == {"no1": "on_time", "no2": "missing"}
    target = tmp_path / "daily.docx"
    call_command("report", "daily", "--org", world.school.slug, "--date", DAY.isoformat(), "-o", str(target),
                 stdout=io.StringIO())
    from docx import Document

    text = "\n".join(p.text for p in Document(str(target)).paragraphs)
    assert "第一中学" in text and DAY.isoformat() in text


def test_the_compile_job_waits_for_the_compile_time(world):
    from yuqing.reports.jobs import compile_due_reports

    assert compile_due_reports(now=at(16, 0)) == 0
    assert compile_due_reports(now=at(16, 31)) >= 2
    assert compile_due_reports(now=at(16, 40)) == 0
    assert DailyReport.objects.filter(date=DAY, organization=world.school).exists()
