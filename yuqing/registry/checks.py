"""The registry's rules run over one organisation's tree: what is dormant, idle, unfiled or due for review."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.utils import timezone

from yuqing.registry.activity import (
    IdleProposal,
    dormant_channels,
    idle_proposals,
    idle_reason,
    is_dormant,
    last_publication,
    with_activity,
)
from yuqing.registry.models import LIVE_STATUSES, Channel, ChatGroup, RegistrySettings


@dataclass
class Findings:
    dormant: list[tuple[Channel, int]] = field(default_factory=list)
    idle: list[IdleProposal] = field(default_factory=list)
    unfiled: list = field(default_factory=list)
    review_due: list[Channel] = field(default_factory=list)

    def as_json(self) -> dict:
        return {
            "dormant_channels": [
                {"id": c.pk, "organization": c.organization.slug, "type": c.kind, "name": c.name,
                 "responsible": str(c.responsible or ""), "days_silent": days,
                 "last_publication": _iso(last_publication(c)[0]), "origin": last_publication(c)[1]}
                for c, days in self.dormant],
            "idle_groups": [
                {"id": p.group.pk, "organization": p.group.organization.slug, "type": p.group.kind,
                 "name": p.group.name, "responsible": str(p.group.responsible or ""), "reason": p.reason,
                 "explanation": p.reason_text, "days": p.days} for p in self.idle],
            "unfiled": [{"id": o.pk, "kind": "channel" if isinstance(o, Channel) else "group", "type": o.kind,
                         "organization": o.organization.slug, "name": o.name} for o in self.unfiled],
            "review_due": [{"id": c.pk, "organization": c.organization.slug, "name": c.name,
                            "next_review_on": c.next_review_on.isoformat(),
                            "responsible": str(c.responsible or "")} for c in self.review_due],
        }


def _iso(value) -> str | None:
    if isinstance(value, dt.datetime):
        value = timezone.localtime(value).replace(microsecond=0)
    return value.isoformat() if value else None


def review_due(channels, today: dt.date) -> list[Channel]:
    """Live channels whose next review falls within their organisation's notice period (or is past)."""
    out = []
    notice: dict[int, int] = {}
    for channel in channels.filter(status__in=LIVE_STATUSES, next_review_on__isnull=False).select_related(
            "organization", "responsible"):
        if channel.organization_id not in notice:
            notice[channel.organization_id] = RegistrySettings.for_org(channel.organization).review_notice_days
        if channel.next_review_on <= today + dt.timedelta(days=notice[channel.organization_id]):
            out.append(channel)
    return out


def unfiled(organization) -> list:
    """Live channels and groups never filed: found in a count or an import, 私自建群."""
    out: list = []
    for model in (Channel, ChatGroup):
        out.extend(model.objects.in_tree(organization).filter(status__in=LIVE_STATUSES, filed_on__isnull=True)
                   .select_related("organization").order_by("kind", "name"))
    return out


def run(organization, now: dt.datetime | None = None) -> Findings:
    now = now or timezone.now()
    today = timezone.localtime(now).date()
    channels = Channel.objects.in_tree(organization).select_related("organization", "responsible")
    return Findings(
        dormant=dormant_channels(channels, now),
        idle=idle_proposals(ChatGroup.objects.in_tree(organization).select_related("responsible"), now),
        unfiled=unfiled(organization),
        review_due=review_due(channels, today),
    )


def listing(organization, now: dt.datetime | None = None) -> list[dict]:
    """Every channel and group of the tree as one flat list (the CLI's `registry list`)."""
    now = now or timezone.now()
    today = timezone.localtime(now).date()
    rows = []
    for c in with_activity(Channel.objects.in_tree(organization).select_related(
            "organization", "unit", "responsible")).order_by("organization__path", "kind", "name"):
        last, origin = last_publication(c)
        rows.append({"id": c.pk, "kind": "channel", "type": c.kind, "name": c.name, "status": c.status,
                     "organization": c.organization.slug, "unit": c.unit.name if c.unit_id else "",
                     "account": c.account_id or c.url, "responsible": str(c.responsible or ""),
                     "last_activity": _iso(last), "last_activity_origin": origin,
                     "dormant": is_dormant(c, now), "filed_on": _iso(c.filed_on)})
    idle_days: dict[int, int] = {}
    for g in ChatGroup.objects.in_tree(organization).select_related(
            "organization", "unit", "responsible").order_by("organization__path", "kind", "name"):
        if g.organization_id not in idle_days:
            idle_days[g.organization_id] = RegistrySettings.for_org(g.organization).idle_days
        proposal = idle_reason(g, today, idle_days[g.organization_id])
        rows.append({"id": g.pk, "kind": "group", "type": g.kind, "name": g.name, "status": g.status,
                     "organization": g.organization.slug, "unit": g.unit.name if g.unit_id else "",
                     "account": g.number, "responsible": str(g.responsible or ""),
                     "last_activity": _iso(g.last_activity_on), "last_activity_origin": g.last_activity_origin,
                     "dormant": proposal is not None, "idle_reason": proposal.reason if proposal else "",
                     "filed_on": _iso(g.filed_on)})
    return rows

