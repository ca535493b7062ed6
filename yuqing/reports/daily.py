"""Compiling, confirming and checking daily reports (日报 / 零报告, seed 003 "日报、0报告制度").

A report is compiled for each school at the compile time (default 16:30) from the day's mentions, new events,
alerts, cases and overdue steps; the person on duty checks it, adds remarks and confirms it before the
submission deadline (default 17:30), with a reminder half an hour before. A day with nothing is a zero report,
confirmed with one click. Confirming after the deadline marks the report late.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Count
from django.utils import timezone
from django.utils.translation import gettext

from yuqing.audit.log import record
from yuqing.orgs import permissions
from yuqing.orgs.models import Organization, Role
from yuqing.orgs.permissions import Perm
from yuqing.reports import archive
from yuqing.reports.models import DailyReport, ReportFile

DEADLINE_KIND = "report.daily"
REMINDER_BEFORE = timedelta(minutes=30)


def _clock(name: str, default: str) -> time:
    value = getattr(settings, name, default) or default
    hours, minutes = (int(p) for p in str(value).split(":"))
    return time(hours, minutes)


def compile_time() -> time:
    return _clock("YUQING_DAILY_REPORT_COMPILE_AT", "16:30")


def due_time() -> time:
    return _clock("YUQING_DAILY_REPORT_DUE_AT", "17:30")


def _day_bounds(day: date) -> tuple[datetime, datetime]:
    start = timezone.make_aware(datetime.combine(day, time.min))
    return start, start + timedelta(days=1)


def due_at(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, due_time()))


def figures(org: Organization, day: date) -> dict:
    """What the day held in the organisation and below, counted in the database."""
    from yuqing.deadlines.models import Deadline
    from yuqing.detection.models import Event, Mention
    from yuqing.incidents.models import Case
    from yuqing.notify.models import Alert

    start, end = _day_bounds(day)
    tree = {"organization__path__startswith": org.path}
    mentions = Mention.objects.filter(**tree, created_at__gte=start, created_at__lt=end)
    by_sentiment = dict(mentions.order_by().values_list("sentiment").annotate(n=Count("id")))
    events = Event.objects.filter(**tree, first_seen_at__gte=start, first_seen_at__lt=end)
    by_level = {str(k): v for k, v in events.order_by().values_list("level").annotate(n=Count("id"))}
    open_cases = Case.objects.filter(**tree, opened_at__lt=end).exclude(status=Case.Status.CLOSED)
    overdue = Deadline.objects.filter(**tree, state=Deadline.State.OVERDUE, due_at__lt=end).exclude(
        kind=DEADLINE_KIND)
    return {
        "mentions": mentions.count(), "negative": by_sentiment.get("negative", 0),
        "events": events.count(), "events_by_level": by_level,
        "alerts": Alert.objects.filter(**tree, created_at__gte=start, created_at__lt=end).count(),
        "cases_open": open_cases.count(),
        "cases_opened": open_cases.filter(opened_at__gte=start).count(),
        "overdue_steps": overdue.count(),
        "top_events": [{"id": e.pk, "title": e.title, "level": e.level}
                       for e in events.order_by("-level", "-mention_count")[:5]],
    }


def is_zero(fig: dict) -> bool:
    return not any(fig.get(k) for k in ("mentions", "events", "alerts", "cases_opened", "overdue_steps"))


def duty_person(org: Organization, at: datetime):
    from yuqing.notify.models import DutyShift

    shift = (DutyShift.objects.filter(organization__in=org.ancestors(), starts_at__lte=at, ends_at__gt=at)
             .select_related("user").order_by("-organization__path").first())
    return shift.user if shift else None


def compile_daily(org: Organization, day: date, *, now: datetime | None = None) -> DailyReport:
    """Compile (or recompile, while unconfirmed) the day's report and start its submission deadline."""
    from yuqing.deadlines.actions import open_deadline

    now = now or timezone.now()
    fig = figures(org, day)
    report = DailyReport.objects.filter(organization=org, date=day).first()
    if report is not None and report.status == DailyReport.Status.CONFIRMED:
        return report
    with transaction.atomic():
        if report is None:
            report = DailyReport(organization=org, date=day, due_at=due_at(day))
        report.figures, report.zero, report.compiled_at = fig, is_zero(fig), now
        report.duty_person = duty_person(org, min(now, due_at(day)))
        try:
            with transaction.atomic():
                report.save()
        except IntegrityError:  # compiled at the same moment by another worker
            return DailyReport.objects.get(organization=org, date=day)
        record(actor=None, action="report.compile", obj=report, organization=org,
               after={"date": day.isoformat(), "zero": report.zero, "figures": fig})
        open_deadline(report, kind=DEADLINE_KIND, due_at=report.due_at, remind_at=report.due_at - REMINDER_BEFORE,
                      rule=gettext("Daily report: confirm by %(time)s") % {"time": due_time().strftime("%H:%M")},
                      organization=org, title=gettext("Daily report %(date)s") % {"date": day.isoformat()},
                      assignee=report.duty_person)
    return report


def do_confirm_daily_report(report: DailyReport, *, acting_user, remarks: str = "", now=None) -> DailyReport:
    """The person on duty (or the publicity lead) confirms the report; after the deadline it is marked late."""
    from yuqing.deadlines.actions import deadlines_for, do_meet_deadline
    from yuqing.deadlines.models import Deadline

    permissions.require(acting_user, Perm.CONFIRM_REPORTS, report.organization)
    now = now or timezone.now()
    remarks = (remarks or "").strip()
    if len(remarks) > 5000:
        raise ValidationError({"remarks": gettext("At most 5,000 characters.")})
    with transaction.atomic():
        locked = DailyReport.objects.select_for_update().get(pk=report.pk)
        if locked.status == DailyReport.Status.CONFIRMED:
            raise ValidationError({"status": gettext("This report was already confirmed.")})
        locked.status = DailyReport.Status.CONFIRMED
        locked.remarks = remarks
        locked.confirmed_at, locked.confirmed_by = now, acting_user
        locked.late = now > locked.due_at
        locked.save()
        # what was confirmed is archived as it stood, so the history hands out the document that was sent
        row = archive.store(locked, report_docx(locked), name=f"日报-{locked.organization.name}-{locked.date}.docx",
                            step=ReportFile.Step.CONFIRMED, acting_user=acting_user)
        record(actor=acting_user, action="report.confirm", obj=locked, organization=locked.organization,
               after={"date": locked.date.isoformat(), "zero": locked.zero, "late": locked.late, "remarks": remarks,
                      "sha256": row.sha256})
        pending = deadlines_for(locked).filter(kind=DEADLINE_KIND,
                                               state__in=[Deadline.State.OPEN, Deadline.State.OVERDUE]).first()
        if pending is not None:
            do_meet_deadline(pending, acting_user=None, note=gettext("Confirmed by %(who)s")
                             % {"who": acting_user.display_name})
    for f in DailyReport._meta.concrete_fields:
        setattr(report, f.attname, getattr(locked, f.attname))
    return report


ON_TIME, LATE, MISSING = "on_time", "late", "missing"


def schools_under(bureau: Organization):
    return Organization.objects.filter(path__startswith=bureau.path, kind=Organization.Kind.SCHOOL).order_by("path")


def compliance(bureau: Organization, day: date) -> list[dict]:
    """Each school under the bureau on `day`: on_time, late or missing, with the person on duty named."""
    reports = {r.organization_id: r for r in DailyReport.objects.filter(
        organization__path__startswith=bureau.path, date=day).select_related("duty_person", "confirmed_by")}
    rows = []
    for school in schools_under(bureau):
        report = reports.get(school.pk)
        if report is not None and report.status == DailyReport.Status.CONFIRMED:
            status = LATE if report.late else ON_TIME
        else:
            status = MISSING
        duty = report.duty_person if report and report.duty_person_id else duty_person(school, due_at(day))
        rows.append({
            "school": school.name, "slug": school.slug, "status": status,
            "zero": bool(report and report.zero), "report": report.pk if report else None,
            "confirmed_at": timezone.localtime(report.confirmed_at).isoformat() if report and report.confirmed_at
            else None,
            "confirmed_by": report.confirmed_by.display_name if report and report.confirmed_by_id else "",
            "on_duty": duty.display_name if duty else "",
        })
    return rows


def remind_missing(bureau: Organization, day: date, *, acting_user) -> int:
    """One click on the compliance page: each school still missing its report is told, once per click."""
    from yuqing.notify.notices import send_notice

    permissions.require(acting_user, Perm.VIEW, bureau)
    told = 0
    for row in compliance(bureau, day):
        if row["status"] != MISSING:
            continue
        school = Organization.objects.get(slug=row["slug"])
        duty = duty_person(school, timezone.now())
        told += len(send_notice(
            organization=school, recipients=[duty] if duty else [], roles=[Role.PUBLICITY_LEAD],
            title=gettext("Daily report of %(date)s missing: %(bureau)s asks for it") % {
                "date": day.isoformat(), "bureau": bureau.name},
            body=gettext("Confirm the daily report (a zero report when nothing happened)."),
            urgency="normal", link="/reports/daily/", kind="report.remind"))
    record(actor=acting_user, action="report.remind", obj=bureau, organization=bureau,
           after={"date": day.isoformat(), "notices": told})
    return told


def report_docx(report: DailyReport) -> bytes:
    from yuqing.documents.official import OfficialDocument
    from yuqing.levels import Level

    fig = report.figures
    title = gettext("Daily report on online public opinion (%(date)s)") % {"date": report.date.isoformat()}
    doc = OfficialDocument(title, issuer=report.organization.name, date=report.date)
    if report.zero:
        doc.paragraph(gettext("Zero report: on %(date)s no public opinion about %(org)s was found, no alert was "
                              "raised and no case was opened.") % {"date": report.date.isoformat(),
                                                                   "org": report.organization.name})
    else:
        doc.heading(gettext("1. The day at a glance"), 1)
        doc.table([gettext("Item"), gettext("Count")], [
            [gettext("Mentions"), fig.get("mentions", 0)], [gettext("Negative mentions"), fig.get("negative", 0)],
            [gettext("New events"), fig.get("events", 0)], [gettext("Alerts"), fig.get("alerts", 0)],
            [gettext("Cases open"), fig.get("cases_open", 0)], [gettext("Overdue steps"), fig.get("overdue_steps", 0)],
        ], widths=[100, 56])
        if fig.get("top_events"):
            doc.heading(gettext("2. Main events"), 1)
            for i, e in enumerate(fig["top_events"], start=1):
                doc.paragraph(f"{i}. [{Level(e['level']).label}] {e['title']}")
    if report.remarks:
        doc.heading(gettext("Remarks"), 1)
        doc.paragraph(report.remarks)
    who = report.confirmed_by.display_name if report.confirmed_by_id else "—"
    doc.paragraph(gettext("On duty: %(duty)s; confirmed by: %(who)s") % {
        "duty": report.duty_person.display_name if report.duty_person_id else "—", "who": who}, indent=False)
    doc.signature_block()
    return doc.to_bytes()
