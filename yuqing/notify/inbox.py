"""The inbox: "my tasks" gathered from every module's task providers, and the person's notices.

A module adds what waits for a person's decision with

    from yuqing.notify.inbox import Task, task_provider

    @task_provider
    def review_tasks(user) -> list[Task]: ...

registered when the module's `tasks.py` is imported (from its `AppConfig.ready()`).
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Task:
    """One thing waiting for the person: what, where to do it, by when."""

    title: str
    url: str
    due_at: datetime | None = None
    kind: str = ""
    organization: object | None = None


PROVIDERS: dict[str, Callable[[object], list[Task]]] = {}


def task_provider(func: Callable[[object], list[Task]]) -> Callable[[object], list[Task]]:
    """Register `func(user) -> list[Task]`; registering the same function again replaces it."""
    PROVIDERS[f"{func.__module__}.{func.__qualname__}"] = func
    return func


def tasks_for(user) -> list[Task]:
    """Every provider's tasks for `user`, the most urgent (earliest due) first, undated last."""
    tasks: list[Task] = []
    for name, provider in PROVIDERS.items():
        try:
            tasks.extend(provider(user) or [])
        except Exception:  # one broken module must not empty everyone's inbox
            log.exception("task provider %s failed", name)
    return sorted(tasks, key=lambda t: (t.due_at is None, t.due_at or datetime.max, t.title))
