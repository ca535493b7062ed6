"""The registry's items in "my tasks": channel reviews coming due, filings waiting for this person."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone
from django.utils.translation import gettext as _

from yuqing.notify.inbox import Task, task_provider
from yuqing.orgs import permissions
from yuqing.orgs.permissions import Perm
from yuqing.registry.models import LIVE_STATUSES, Channel, Filing, RegistrySettings


@task_provider
def review_tasks(user) -> list[Task]:
    """A channel's next review raises a task for its responsible person a configurable time before."""
    today = timezone.localdate()
    out = []
    notice: dict[int, int] = {}
    for c in Channel.objects.filter(responsible=user, status__in=LIVE_STATUSES, next_review_on__isnull=False) \
            .select_related("organization"):
        if c.organization_id not in notice:
            notice[c.organization_id] = RegistrySettings.for_org(c.organization).review_notice_days
        if c.next_review_on <= today + dt.timedelta(days=notice[c.organization_id]):
            due = timezone.make_aware(dt.datetime.combine(c.next_review_on, dt.time(17, 30)))
            out.append(Task(title=_("Review the channel “%(name)s”") % {"name": c.name}, url=c.get_absolute_url(),
                            due_at=due, kind="registry.review", organization=c.organization))
    return out


@task_provider
def filing_tasks(user) -> list[Task]:
    """Filings waiting for this person's decision: the school's step, or the bureau's."""
    out = []
    pending = permissions.visible(user, Filing.objects.filter(status__in=Filing.OPEN_STATUSES).select_related(
        "organization", "channel", "group"), perm=Perm.APPROVE_FILINGS)
    for f in pending[:50]:
        if f.applicant_id == user.pk:
            continue
        if f.status == Filing.Status.PENDING and not permissions.has_own_perm(user, Perm.APPROVE_FILINGS,
                                                                              f.organization):
            continue
        if f.status == Filing.Status.BUREAU:
            bureau = f.bureau()
            if bureau is None or not permissions.has_perm(user, Perm.APPROVE_FILINGS, bureau):
                continue
        out.append(Task(title=_("Decide filing #%(id)s: %(action)s “%(name)s”") % {
            "id": f.pk, "action": f.get_action_display(), "name": f.subject.name}, url=f.get_absolute_url(),
            kind="registry.filing", organization=f.organization))
    return out
