"""Home page, system status page, the working-day calendar and the /healthz probe."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.http import JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from yuqing import worktime
from yuqing.formerrors import apply_errors
from yuqing.orgs import permissions
from yuqing.system import actions
from yuqing.system.forms import CalendarDayForm
from yuqing.system.models import CalendarDay, ScheduledJob
from yuqing.system.scheduler import celery_enabled


def _database_ok() -> tuple[bool, str]:
    try:
        with connection.cursor() as cur:
            cur.execute("SELECT 1")
            cur.fetchone()
        return True, connection.vendor
    except Exception as exc:  # the probe must answer even when the database is down
        return False, str(exc)


def _last_job_run():
    return ScheduledJob.objects.exclude(last_finished_at=None).order_by("-last_finished_at").first()


def healthz(request):
    db_ok, db_info = _database_ok()
    last = _last_job_run() if db_ok else None
    body = {
        "status": "ok" if db_ok else "error",
        "database": {"ok": db_ok, "vendor" if db_ok else "error": db_info},
        "scheduler": {
            "mode": "celery" if celery_enabled() else "embedded",
            "last_job": last.name if last else None,
            "last_run_at": timezone.localtime(last.last_finished_at).isoformat() if last else None,
        },
    }
    return JsonResponse(body, status=200 if db_ok else 503, json_dumps_params={"ensure_ascii": False})


@login_required
def status(request):
    if not permissions.may_view_system_status(request.user):
        raise PermissionDenied("the system page is for administrators")
    db_ok, db_info = _database_ok()
    return render(request, "system/status.html", {
        "db_ok": db_ok, "db_info": db_info, "jobs": ScheduledJob.objects.all(),
        "mode": "celery" if celery_enabled() else "embedded", "last": _last_job_run(),
        "unknown_years": worktime.unknown_years(timezone.localdate()),
        "is_sysadmin": permissions.is_sysadmin(request.user),
        "show_errors": permissions.may_view_job_errors(request.user),
    })


def _year(raw: str | None) -> int:
    try:
        year = int(raw or "")
    except ValueError:
        return timezone.localdate().year
    return year if 2000 <= year <= 2100 else timezone.localdate().year


@login_required
def calendar(request):
    """The year's holidays and make-up working days with their source; system administrators add overrides."""
    permissions.require_sysadmin(request.user)
    year = _year(request.GET.get("year"))
    form = CalendarDayForm(request.POST or None, initial={"kind": CalendarDay.Kind.HOLIDAY})
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            row = actions.do_set_calendar_day(day=data["day"], kind=data["kind"], name=data["name"],
                                              note=data["note"], acting_user=request.user)
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, _("%(date)s saved.") % {"date": row.date.isoformat()})
            return redirect(f"{reverse('system:calendar')}?year={row.date.year}")
    overrides = {row.date: row for row in CalendarDay.objects.filter(date__year=year)}
    entries = [(entry, overrides.get(entry.day)) for entry in worktime.calendar_days(year)]
    return render(request, "system/calendar.html", {
        "year": year, "entries": entries, "form": form, "known": worktime.package_knows(year),
        "year_known": worktime.year_known(year), "previous": year - 1, "next": year + 1,
        "office_hours": worktime.office_hours(),
    })


@login_required
@require_POST
def calendar_delete(request, pk: int):
    permissions.require_sysadmin(request.user)
    row = get_object_or_404(CalendarDay, pk=pk)
    actions.do_delete_calendar_day(row, acting_user=request.user)
    messages.success(request, _("The override of %(date)s was removed.") % {"date": row.date.isoformat()})
    return redirect(f"{reverse('system:calendar')}?year={row.date.year}")


@login_required
def home(request):
    """The working start page is the monitoring dashboard of the current organisation."""
    return redirect("detection:dashboard")


def _run(request, pk):
    from django.http import Http404

    from yuqing.system.models import JobRun

    run = get_object_or_404(JobRun, pk=pk)
    if not permissions.may_view_run(request.user, run):
        raise Http404("no such job")
    return run


def _run_context(run) -> dict:
    from django.template.loader import select_template

    result_template = select_template([f"system/runs/{run.kind.replace('.', '_')}.html", "system/runs/_generic.html"])
    return {"run": run, "result_template": result_template.template.name}


@login_required
def run_detail(request, pk):
    """A background job's page: progress while it runs (polled), its result when it is done."""
    run = _run(request, pk)
    return render(request, "system/run_detail.html", _run_context(run))


@login_required
def run_status(request, pk):
    run = _run(request, pk)
    return render(request, "system/_run_status.html", _run_context(run))
