"""Periodic jobs and background tasks, run by the embedded worker or by Celery with the same code.

A job is a plain function registered with `@periodic`. `run_due_jobs()` claims due jobs atomically
(one UPDATE … WHERE next_run_at <= now), so several processes may call it and each job still runs once.
A task is a function registered with `@background_task`; `dispatch()` sends it to Celery when a broker is
configured, to the embedded worker's queue when it runs, and otherwise runs it inline after commit.
"""

from __future__ import annotations

import logging
import os
import queue
import socket
import threading
import traceback
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.db import close_old_connections, transaction
from django.db.models import Q
from django.utils import timezone

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Job:
    name: str
    func: Callable[[], object]
    interval_seconds: int
    timeout_seconds: int


JOBS: dict[str, Job] = {}
TASKS: dict[str, Callable] = {}


def periodic(name: str, *, seconds: int, timeout: int = 600):
    def deco(func):
        JOBS[name] = Job(name, func, seconds, timeout)
        return func

    return deco


def background_task(name: str):
    """Register a function as a task runnable in-process or as the Celery task of the same name."""

    def deco(func):
        from celery import shared_task

        TASKS[name] = func
        func.celery_task = shared_task(name=name)(func)
        return func

    return deco


def discover() -> None:
    """Import every app's `jobs` module so its jobs and tasks register themselves."""
    from django.utils.module_loading import autodiscover_modules

    autodiscover_modules("jobs")


def _runner_name() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"


def ensure_jobs() -> None:
    from yuqing.system.models import ScheduledJob

    discover()
    now = timezone.now()
    for job in JOBS.values():
        obj, created = ScheduledJob.objects.get_or_create(
            name=job.name, defaults={"interval_seconds": job.interval_seconds, "next_run_at": now}
        )
        if not created and obj.interval_seconds != job.interval_seconds:
            ScheduledJob.objects.filter(pk=obj.pk).update(interval_seconds=job.interval_seconds)


def claim(name: str, now=None) -> bool:
    from yuqing.system.models import ScheduledJob

    now = now or timezone.now()
    job = JOBS[name]
    return bool(
        ScheduledJob.objects.filter(name=name, next_run_at__lte=now)
        .filter(Q(locked_until__isnull=True) | Q(locked_until__lt=now))
        .update(
            locked_until=now + timedelta(seconds=job.timeout_seconds),
            next_run_at=now + timedelta(seconds=job.interval_seconds),
            last_started_at=now,
            last_status=ScheduledJob.Status.RUNNING,
            last_runner=_runner_name(),
        )
    )


def run_job_now(name: str) -> bool:
    """Run one job and record the outcome; True when it succeeded."""
    from django.db.models import F

    from yuqing.system.models import ScheduledJob

    job = JOBS[name]
    ok, error = True, ""
    try:
        job.func()
    except Exception:  # a failing job must not stop the others; its error is shown on the status page
        ok, error = False, traceback.format_exc(limit=5)
        log.exception("job %s failed", name)
    ScheduledJob.objects.filter(name=name).update(
        locked_until=None,
        last_finished_at=timezone.now(),
        last_status=ScheduledJob.Status.OK if ok else ScheduledJob.Status.FAILED,
        last_error=error[-4000:],
        run_count=F("run_count") + 1,
    )
    return ok


def run_due_jobs(now=None) -> list[str]:
    ran = []
    for name in list(JOBS):
        if claim(name, now):
            run_job_now(name)
            ran.append(name)
    return ran


# --- tasks -------------------------------------------------------------------------------------------

_queue: queue.Queue | None = None


def celery_enabled() -> bool:
    return bool(settings.CELERY_BROKER_URL) and not settings.YUQING_EMBEDDED_WORKER


def dispatch(name: str, **kwargs) -> None:
    """Run task `name` in the background once the current transaction commits."""
    if name not in TASKS:
        discover()
    func = TASKS[name]

    def send():
        if celery_enabled():
            func.celery_task.apply_async(kwargs=kwargs)
        elif _queue is not None:
            _queue.put((name, kwargs))
        else:
            func(**kwargs)

    transaction.on_commit(send)


class EmbeddedWorker:
    """Runs due jobs and queued tasks in threads of the web process: no broker, no second process."""

    def __init__(self, tick_seconds: float = 1.0):
        self.tick = tick_seconds
        self.stop_event = threading.Event()
        self.threads: list[threading.Thread] = []

    def start(self) -> None:
        global _queue
        ensure_jobs()
        _queue = queue.Queue()
        self.threads = [
            threading.Thread(target=self._jobs_loop, name="yuqing-scheduler", daemon=True),
            threading.Thread(target=self._tasks_loop, name="yuqing-tasks", daemon=True),
        ]
        for t in self.threads:
            t.start()

    def stop(self, timeout: float = 10) -> None:
        global _queue
        self.stop_event.set()
        for t in self.threads:
            t.join(timeout)
        _queue = None

    def _jobs_loop(self) -> None:
        while not self.stop_event.is_set():
            try:
                run_due_jobs()
            except Exception:
                log.exception("scheduler tick failed")
            finally:
                close_old_connections()
            self.stop_event.wait(self.tick)

    def _tasks_loop(self) -> None:
        while not self.stop_event.is_set():
            try:
                name, kwargs = _queue.get(timeout=0.5)
            except (queue.Empty, AttributeError):
                continue
            try:
                TASKS[name](**kwargs)
            except Exception:
                log.exception("task %s failed", name)
            finally:
                close_old_connections()
