"""Demo daily reports: a month for each demo school, one school missing today and one late yesterday."""

from __future__ import annotations

from datetime import datetime, time, timedelta

from django.utils import timezone


def load() -> str | None:
    from django.contrib.auth import get_user_model

    from yuqing.orgs.models import Organization
    from yuqing.reports.daily import compile_daily, do_confirm_daily_report
    from yuqing.reports.models import DailyReport

    users = get_user_model().objects
    schools = {"no1-middle": users.filter(username="monitor").first(),
               "experimental-primary": users.filter(username="primary-admin").first()}
    today = timezone.localdate()
    made = 0
    for slug, person in schools.items():
        school = Organization.objects.filter(slug=slug).first()
        if school is None or person is None or DailyReport.objects.filter(organization=school).exists():
            continue
        for back in range(30, -1, -1):
            day = today - timedelta(days=back)
            # The primary school has not reported today; the middle school was late yesterday.
            if slug == "experimental-primary" and back == 0:
                continue
            compiled = timezone.make_aware(datetime.combine(day, time(16, 30)))
            report = compile_daily(school, day, now=min(compiled, timezone.now()))
            if back == 0 and slug == "no1-middle":
                continue  # today's report waits for the person on duty
            late = slug == "no1-middle" and back == 1
            at = timezone.make_aware(datetime.combine(day, time(18, 5) if late else time(17, 10)))
            do_confirm_daily_report(report, acting_user=person, now=at,
                                    remarks="" if report.zero else "已关注，正在核实处置。")
            made += 1
    done = [f"Demo daily reports: {made} confirmed"] if made else []
    done += _documents(today)
    return "\n".join(done) or None


def _documents(today) -> list[str]:
    """A finalised self-inspection report of last month and this week's briefings, ready to open."""
    from django.contrib.auth import get_user_model

    from yuqing.orgs.models import Organization
    from yuqing.reports.briefing import do_generate_briefing
    from yuqing.reports.models import Briefing, SelfInspectionReport
    from yuqing.reports.selfinspection import do_finalise_self_inspection, do_generate_self_inspection

    users = get_user_model().objects
    out = []
    school = Organization.objects.filter(slug="no1-middle").first()
    publicity = users.filter(username="publicity").first()
    if school and publicity and not SelfInspectionReport.objects.filter(organization=school).exists():
        end = today.replace(day=1) - timedelta(days=1)
        report = do_generate_self_inspection(
            school, period_start=end.replace(day=1), period_end=end, acting_user=publicity,
            remarks="本报告由宣传负责人根据系统台账和发布记录生成，已逐项核对。")
        do_finalise_self_inspection(report, acting_user=publicity)
        # this month's report is still a draft: counts as of today, next steps to be written
        do_generate_self_inspection(school, period_start=today.replace(day=1), period_end=today,
                                    acting_user=publicity)
        out.append(f"Demo self-inspection reports: {school.name} {report.period_start:%Y-%m} (finalised), "
                   f"{today:%Y-%m} (draft)")
    week = today.isocalendar()
    for slug, username, period in (("demo-bureau", "supervisor", f"{week.year}-W{week.week:02d}"),
                                   ("no1-middle", "monitor", f"{today:%Y-%m}")):
        org = Organization.objects.filter(slug=slug).first()
        person = users.filter(username=username).first()
        if org and person and not Briefing.objects.filter(organization=org).exists():
            b = do_generate_briefing(org, period, acting_user=person)
            out.append(f"Demo briefing: {org.name} {b.period}")
    return out
