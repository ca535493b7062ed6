"""Reports listen to deadlines: the daily report's reminder goes to the person on duty and the publicity lead."""

from __future__ import annotations

from django.dispatch import receiver
from django.utils import timezone
from django.utils.translation import gettext

from yuqing.deadlines.signals import deadline_reminder


@receiver(deadline_reminder, dispatch_uid="reports.daily_reminder")
def remind_daily_report(sender, deadline, **kwargs):
    from yuqing.notify.notices import send_notice
    from yuqing.orgs.models import Role
    from yuqing.reports.daily import DEADLINE_KIND
    from yuqing.reports.models import DailyReport

    if deadline.kind != DEADLINE_KIND:
        return
    report = deadline.subject
    if not isinstance(report, DailyReport) or report.status == DailyReport.Status.CONFIRMED:
        return
    send_notice(organization=report.organization, recipients=[report.duty_person] if report.duty_person else [],
                roles=[Role.PUBLICITY_LEAD], subject=report, link=report.get_absolute_url(), kind="report.reminder",
                title=gettext("Confirm the daily report of %(date)s by %(time)s")
                % {"date": report.date.isoformat(), "time": timezone.localtime(report.due_at).strftime("%H:%M")},
                body=gettext("A zero report is one click when nothing happened."))
