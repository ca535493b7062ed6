"""The system's own jobs: a heartbeat that shows the scheduler is alive, and a round-trip task."""

from __future__ import annotations

from django.utils import timezone

from yuqing.system.scheduler import background_task, periodic


@periodic("system.heartbeat", seconds=60)
def heartbeat() -> None:
    """Nothing to do but be recorded: the status page shows when the scheduler last ran a job."""


@background_task("system.echo")
def echo(value: str) -> dict:
    """Answers with where and when it ran; used to check that Celery workers reach the same database."""
    import os

    from django.db import connection

    with connection.cursor() as cur:
        cur.execute("SELECT 1")
        db_ok = cur.fetchone()[0] == 1
    return {"value": value, "pid": os.getpid(), "db": db_ok, "at": timezone.now().isoformat()}
