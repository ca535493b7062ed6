"""The periodic retention job: bounded batches every hour until everything due is removed."""

from __future__ import annotations

from yuqing.retention import engine
from yuqing.system.scheduler import periodic


@periodic("retention.run", seconds=3600, timeout=1800)
def retention_job() -> None:
    engine.run()
