"""The deadline check: claim what became overdue or reminder-due, then signal and notify exactly once each.

Any number of workers may run it at once. Each deadline is claimed with one conditional UPDATE (open →
overdue, or reminded_at set), so only one worker wins it; only the winner sends the signal and the notices,
after its claim committed.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import datetime

from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext

from yuqing.deadlines.models import Deadline
from yuqing.deadlines.signals import deadline_overdue, deadline_reminder
from yuqing.system.scheduler import periodic
from yuqing.workflow import claim_transition

log = logging.getLogger(__name__)


@dataclass
class CheckResult:
    overdue: list[int] = field(default_factory=list)
    reminded: list[int] = field(default_factory=list)

    def summary(self) -> dict:
        return {"overdue": len(self.overdue), "reminded": len(self.reminded)}


def claim_overdue(pk: int, now: datetime) -> bool:
    return claim_transition(Deadline, pk, Deadline.State.OVERDUE, condition=Q(due_at__lte=now),
                            reason=gettext("The deadline passed."), notified_overdue_at=now)


def claim_reminder(pk: int, now: datetime) -> bool:
    return bool(Deadline.objects.filter(pk=pk, state=Deadline.State.OPEN, reminded_at__isnull=True,
                                        remind_at__lte=now, due_at__gt=now).update(reminded_at=now))


def check_deadlines(now: datetime | None = None) -> CheckResult:
    """Run the check as of `now` (default: the present). Changes only deadlines' states and sends notices."""
    now = now or timezone.now()
    result = CheckResult()
    due = Deadline.objects.filter(state=Deadline.State.OPEN, due_at__lte=now).order_by("due_at", "pk")
    for pk in list(due.values_list("pk", flat=True)):
        if claim_overdue(pk, now):
            result.overdue.append(pk)
            transaction.on_commit(lambda pk=pk: announce(pk, overdue=True))
    remind = Deadline.objects.filter(state=Deadline.State.OPEN, reminded_at__isnull=True, remind_at__lte=now,
                                     due_at__gt=now).order_by("due_at", "pk")
    for pk in list(remind.values_list("pk", flat=True)):
        if claim_reminder(pk, now):
            result.reminded.append(pk)
            transaction.on_commit(lambda pk=pk: announce(pk, overdue=False))
    return result


def subject_link(deadline: Deadline) -> str:
    subject = deadline.subject
    url = getattr(subject, "get_absolute_url", None)
    return url() if callable(url) else "/inbox/"


def announce(pk: int, *, overdue: bool) -> None:
    """Tell the subject's app (signal) and the people (notices); called once, by the claim's winner."""
    from yuqing.notify.notices import send_notice
    from yuqing.orgs.models import Role

    deadline = Deadline.objects.select_related("organization", "assignee").get(pk=pk)
    signal = deadline_overdue if overdue else deadline_reminder
    for receiver, error in signal.send_robust(sender=Deadline, deadline=deadline):
        if isinstance(error, Exception):
            log.error("receiver %r of %s failed for deadline %s: %r", receiver,
                      "deadline_overdue" if overdue else "deadline_reminder", pk, error)
    due = timezone.localtime(deadline.due_at).strftime("%Y-%m-%d %H:%M")
    params = {"title": deadline.title or deadline.kind, "due": due, "rule": deadline.rule}
    if overdue:
        title = gettext("Overdue: %(title)s (due %(due)s)") % params
        body = gettext("The deadline passed without the step being done. Rule: %(rule)s") % params
    else:
        title = gettext("Due soon: %(title)s (due %(due)s)") % params
        body = gettext("Rule: %(rule)s") % params
    send_notice(
        organization=deadline.organization,
        recipients=[deadline.assignee] if deadline.assignee_id else [],
        # An overdue step is the publicity lead's business too (R6.1: overdue steps go up a level).
        roles=[Role.PUBLICITY_LEAD] if overdue else [],
        subject=deadline, title=title, body=body, urgency="urgent" if overdue else "normal",
        link=subject_link(deadline), kind="deadline.overdue" if overdue else "deadline.reminder",
    )


@periodic("deadlines.check", seconds=60)
def check_job() -> dict:
    return check_deadlines().summary()
