"""Long actions run as background jobs with progress: the request creates a JobRun and returns at once, the
task reports progress into it, and the run's page (htmx polling) shows the progress and then the result.

    run = runs.start("monitoring.import", organization=org, acting_user=user, upload=(name, data), mapping=…)
    return redirect(run_url(run))

    @background_task("monitoring.import")
    def import_file_run(run_id, **options):
        with runs.running(run_id) as progress:
            progress.update(done, total)          # as often as useful; one UPDATE each
            progress.result = {...}               # what the result page shows
"""

from __future__ import annotations

import logging
from contextlib import contextmanager

from django.core.files.base import ContentFile
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from yuqing.system.models import JobRun
from yuqing.system.scheduler import dispatch

log = logging.getLogger(__name__)


def start(task: str, *, organization, acting_user, upload: tuple[str, bytes] | None = None, **kwargs) -> JobRun:
    """Record the run and dispatch `task(run_id=…, **kwargs)` after commit."""
    with transaction.atomic():
        run = JobRun.objects.create(kind=task, organization=organization, created_by=acting_user)
        if upload is not None:
            name, data = upload
            run.input_file.save(f"run-{run.pk}.{name.rsplit('.', 1)[-1][:8] if '.' in name else 'bin'}",
                                ContentFile(data), save=True)
        dispatch(task, run_id=run.pk, **kwargs)
    return run


def run_url(run: JobRun) -> str:
    return reverse("system:run-detail", args=[run.pk])


class Progress:
    def __init__(self, run: JobRun):
        self.run = run
        self.result: dict = {}

    def update(self, done: int, total: int | None = None, message: str = "") -> None:
        fields = {"done": done, "message": message[:300]}
        if total is not None:
            fields["total"] = total
        JobRun.objects.filter(pk=self.run.pk).update(**fields)

    def read_input(self) -> bytes:
        with self.run.input_file.open("rb") as fh:
            return fh.read()


@contextmanager
def running(run_id: int):
    """Mark the run running; on leaving, finished with `progress.result`, or failed with the error's message.
    A ValidationError's messages are the person's to read; anything else is logged and reported briefly."""
    from django.core.exceptions import PermissionDenied, ValidationError

    run = JobRun.objects.get(pk=run_id)
    JobRun.objects.filter(pk=run.pk).update(status=JobRun.Status.RUNNING, started_at=timezone.now())
    progress = Progress(run)
    status, error = JobRun.Status.OK, ""
    try:
        yield progress
    except (ValidationError, PermissionDenied) as exc:
        status = JobRun.Status.FAILED
        error = " ".join(exc.messages) if isinstance(exc, ValidationError) else str(exc)
    except Exception as exc:  # the page must say it failed rather than spin forever
        log.exception("background job %s #%s failed", run.kind, run.pk)
        status, error = JobRun.Status.FAILED, f"{type(exc).__name__}: {exc}"[:1000]
    finally:
        if run.input_file:
            run.input_file.delete(save=False)
        JobRun.objects.filter(pk=run.pk).update(status=status, error=error, result=progress.result,
                                                finished_at=timezone.now(), input_file="")
