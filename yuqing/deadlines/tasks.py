"""The built-in "my tasks" provider: open and overdue deadlines assigned to the person."""

from __future__ import annotations

from yuqing.deadlines.models import Deadline
from yuqing.notify.inbox import Task, task_provider


@task_provider
def deadline_tasks(user) -> list[Task]:
    from yuqing.deadlines.jobs import subject_link

    pending = (Deadline.objects.filter(assignee=user, state__in=[Deadline.State.OPEN, Deadline.State.OVERDUE])
               .select_related("organization", "subject_type").order_by("due_at")[:200])
    return [Task(title=d.title or d.kind, url=subject_link(d), due_at=d.due_at, kind=d.kind,
                 organization=d.organization) for d in pending]
