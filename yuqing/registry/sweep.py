"""The periodic registry check: one notice per dormant channel or idle group and spell, claimed atomically."""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from yuqing.notify.notices import send_notice
from yuqing.orgs.models import Organization, Role
from yuqing.registry.activity import dormant_channels, idle_proposals
from yuqing.registry.models import Channel, ChatGroup


def notify_findings(now: dt.datetime | None = None) -> dict[str, int]:
    now = now or timezone.now()
    counts = {"dormant": 0, "idle": 0}
    for school in Organization.objects.filter(kind=Organization.Kind.SCHOOL):
        dormant = dormant_channels(Channel.objects.in_tree(school).select_related("organization", "responsible"),
                                   now)
        flagged = {c.pk for c, _days in dormant}
        # a channel that published again starts a new spell
        Channel.objects.in_tree(school).filter(dormant_notified_at__isnull=False).exclude(pk__in=flagged) \
            .update(dormant_notified_at=None)
        for channel, days in dormant:
            # the UPDATE ... WHERE is the claim: two workers never both send the notice
            if not Channel.objects.filter(pk=channel.pk, dormant_notified_at__isnull=True).update(
                    dormant_notified_at=now):
                continue
            counts["dormant"] += 1
            _tell(channel, _("“%(name)s” has not published for %(days)s days") % {"name": channel.name,
                                                                                  "days": days},
                  _("The inspection rule is an update at least every 14 days. Publish, or mark it unused so it "
                    "is closed within 7 working days."))
        proposals = idle_proposals(ChatGroup.objects.in_tree(school).select_related("responsible"), now)
        proposed = {p.group.pk for p in proposals}
        ChatGroup.objects.in_tree(school).filter(idle_notified_at__isnull=False).exclude(pk__in=proposed) \
            .update(idle_notified_at=None)
        for proposal in proposals:
            if not ChatGroup.objects.filter(pk=proposal.group.pk, idle_notified_at__isnull=True).update(
                    idle_notified_at=now):
                continue
            counts["idle"] += 1
            _tell(proposal.group, _("Dissolve “%(name)s”?") % {"name": proposal.group.name},
                  _("Proposed for dissolution: %(why)s. Dissolve it and mark it closed, or confirm it is still in "
                    "use in the self-inspection.") % {"why": proposal.reason_text})
    return counts


def _tell(obj, title: str, body: str) -> None:
    recipients = [obj.responsible] if obj.responsible_id else []
    roles = [] if recipients else [Role.PUBLICITY_LEAD]

    def send():
        send_notice(organization=obj.organization, recipients=recipients, roles=roles, subject=obj, title=title,
                    body=body, link=obj.get_absolute_url(), kind="registry.check")

    transaction.on_commit(send)


