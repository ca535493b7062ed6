"""The Celery application: the same tasks and jobs as the embedded worker, on Redis and many workers."""

from __future__ import annotations

import os

import django
from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "yuqing.settings")
django.setup()

from yuqing.system import scheduler  # noqa: E402  (needs Django set up)

app = Celery("yuqing")
app.config_from_object("django.conf:settings", namespace="CELERY")
scheduler.discover()


@app.task(name="system.run_job")
def run_job(name: str) -> bool:
    """Run one periodic job if it is due; the claim keeps two workers from running it twice."""
    if scheduler.claim(name):
        return scheduler.run_job_now(name)
    return False


app.conf.beat_schedule = {
    job.name: {"task": "system.run_job", "schedule": float(job.interval_seconds), "args": [job.name]}
    for job in scheduler.JOBS.values()
}
