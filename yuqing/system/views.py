"""Home page, system status page and the /healthz probe."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.db import connection
from django.http import JsonResponse
from django.shortcuts import redirect, render
from django.utils import timezone

from yuqing.system.models import ScheduledJob
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
    db_ok, db_info = _database_ok()
    return render(request, "system/status.html", {
        "db_ok": db_ok, "db_info": db_info, "jobs": ScheduledJob.objects.all(),
        "mode": "celery" if celery_enabled() else "embedded", "last": _last_job_run(),
    })


@login_required
def home(request):
    """The working start page is the monitoring dashboard of the current organisation."""
    return redirect("detection:dashboard")
