"""The periodic compilation of daily reports: each school's report once the compile time has passed."""

from __future__ import annotations

from django.utils import timezone

from yuqing.system.scheduler import periodic


@periodic("reports.compile_daily", seconds=300, timeout=600)
def compile_due_reports(now=None) -> int:
    from yuqing.orgs.models import Organization
    from yuqing.reports.daily import compile_daily, compile_time
    from yuqing.reports.models import DailyReport

    now = now or timezone.now()
    local = timezone.localtime(now)
    if local.time() < compile_time():
        return 0
    done = set(DailyReport.objects.filter(date=local.date()).values_list("organization_id", flat=True))
    compiled = 0
    for school in Organization.objects.filter(kind=Organization.Kind.SCHOOL).exclude(pk__in=done):
        compile_daily(school, local.date(), now=now)
        compiled += 1
    return compiled
