"""What waits for a person in publishing, for the inbox's "my tasks": reviews, rejected drafts, test sends."""

from __future__ import annotations

from django.urls import reverse
from django.utils.translation import gettext as _

from yuqing.notify.inbox import Task, task_provider
from yuqing.orgs import permissions
from yuqing.orgs.permissions import Perm


@task_provider
def publishing_tasks(user) -> list[Task]:
    from yuqing.publishing.chains import waiting_for
    from yuqing.publishing.models import Draft, PublishRecord

    drafts = permissions.visible(user, Draft.objects.all())
    tasks = [
        Task(title=_("Review “%(title)s” (%(stage)s)") % {"title": d.title, "stage": d.stage_name},
             url=reverse("publishing:draft-detail", args=[d.pk]), due_at=d.stage_due_at, kind="publishing.review",
             organization=d.organization)
        for d in waiting_for(user, drafts)
    ]
    for d in drafts.filter(status=Draft.Status.REJECTED, participations__user=user,
                           participations__role="author").select_related("organization").distinct():
        tasks.append(Task(title=_("Revise and resubmit “%(title)s”") % {"title": d.title},
                          url=reverse("publishing:draft-detail", args=[d.pk]), kind="publishing.revise",
                          organization=d.organization))
    records = permissions.visible(user, PublishRecord.objects.exclude(status=PublishRecord.Status.PUBLISHED),
                                  perm=Perm.PUBLISH_DRAFTS).select_related("organization")
    for r in records:
        label = (_("Test send “%(title)s”") if r.status == PublishRecord.Status.AWAITING_PREVIEW
                 else _("Mass send “%(title)s”"))
        tasks.append(Task(title=label % {"title": r.title}, url=reverse("publishing:publication-detail", args=[r.pk]),
                          kind="publishing.send", organization=r.organization))
    return tasks
