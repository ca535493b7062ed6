"""A job sent through a real Celery worker on the configured broker comes back with its result."""

import pytest

pytestmark = [pytest.mark.celery, pytest.mark.django_db(transaction=True)]


def test_task_round_trip_through_real_worker(celery_worker_process):
    from yuqing.system.jobs import echo

    result = echo.celery_task.apply_async(kwargs={"value": "你好"})
    answer = result.get(timeout=60)
    assert answer["value"] == "你好" and answer["db"] is True
    import os

    assert answer["pid"] != os.getpid()


def test_periodic_job_runs_on_worker_and_is_recorded(celery_worker_process):
    from yuqing.celery import run_job
    from yuqing.system import scheduler
    from yuqing.system.models import ScheduledJob

    scheduler.ensure_jobs()
    assert run_job.apply_async(args=["system.heartbeat"]).get(timeout=60) is True
    job = ScheduledJob.objects.get(name="system.heartbeat")
    assert job.run_count == 1 and job.last_status == "ok" and job.last_runner
