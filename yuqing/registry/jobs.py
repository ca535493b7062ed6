"""Background work of the registry: run the dormancy and idleness rules and tell the responsible people once."""

from __future__ import annotations

from yuqing.registry import sweep
from yuqing.system.scheduler import periodic


@periodic("registry.check", seconds=3600)
def check() -> dict[str, int]:
    """Tell each responsible person once per spell that their channel is dormant or their group should go."""
    return sweep.notify_findings()
