"""When a channel last published and a group was last used: dormancy (R2.4) and idle-group proposals."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import Max, Q
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from yuqing.registry.models import DORMANT_DAYS, LIVE_STATUSES, Channel, ChatGroup, RegistrySettings, Status


class Origin:
    """Where a last-publication date came from; shown next to the date."""

    SOURCE = "source"        # the items of the channel's own monitoring source
    PUBLISHING = "publishing"  # Yuqing's own publish records
    ENTERED = "entered"      # typed in or imported with the registry
    LABELS = {SOURCE: _("monitoring source"), PUBLISHING: _("Yuqing publishing"), ENTERED: _("entered / imported")}


def with_activity(channels):
    """Annotate the newest item of each channel's own source (published time, else first seen) in one query."""
    return channels.annotate(
        source_published_at=Max(Coalesce("source__items__published_at", "source__items__first_seen_at")))


def last_publication(channel: Channel) -> tuple[dt.datetime | None, str]:
    """The newest of the three origins; needs `with_activity()` or reads the source itself."""
    if hasattr(channel, "source_published_at"):
        from_source = channel.source_published_at
    else:
        from_source = with_activity(Channel.objects.filter(pk=channel.pk)).values_list(
            "source_published_at", flat=True).first() if channel.source_id else None
    candidates = [(from_source, Origin.SOURCE), (channel.last_published_via_yuqing_at, Origin.PUBLISHING),
                  (channel.last_publication_at, Origin.ENTERED)]
    known = [c for c in candidates if c[0] is not None]
    if not known:
        return None, ""
    return max(known, key=lambda c: c[0])


def _local_date(value) -> dt.date:
    if isinstance(value, dt.datetime):
        return timezone.localtime(value).date()
    return value


def days_silent(channel: Channel, now: dt.datetime | None = None) -> int | None:
    """Whole calendar days since the last publication (or, never having published, since it was filed)."""
    now = now or timezone.now()
    last, _origin = last_publication(channel)
    reference = last or channel.filed_on or channel.created_at
    if reference is None:
        return None
    return (timezone.localtime(now).date() - _local_date(reference)).days


def is_dormant(channel: Channel, now: dt.datetime | None = None) -> bool:
    """Only a running channel can be dormant: suspended or closing ones are silent on purpose."""
    if channel.status != Status.ACTIVE:
        return False
    days = days_silent(channel, now)
    return days is not None and days >= DORMANT_DAYS


@dataclass
class IdleProposal:
    group: ChatGroup
    reason: str  # "task_ended" | "idle"
    days: int | None

    @property
    def reason_text(self) -> str:
        if self.reason == "task_ended":
            return str(_("temporary task ended on %(date)s") % {"date": self.group.task_ends_on.isoformat()})
        return str(_("no activity for %(days)s days") % {"days": self.days})


def idle_reason(group: ChatGroup, today: dt.date, idle_days: int) -> IdleProposal | None:
    """Why a group should be dissolved, if it should: its temporary task ended, or nobody used it for long."""
    if group.status not in (Status.APPROVED, Status.ACTIVE, Status.SUSPENDED):
        return None
    if group.temporary and group.task_ends_on and group.task_ends_on < today:
        return IdleProposal(group, "task_ended", (today - group.task_ends_on).days)
    reference = group.last_activity_on or group.filed_on or _local_date(group.created_at)
    days = (today - reference).days
    if days >= idle_days:
        return IdleProposal(group, "idle", days)
    return None


def idle_proposals(groups, now: dt.datetime | None = None) -> list[IdleProposal]:
    today = timezone.localtime(now or timezone.now()).date()
    settings_cache: dict[int, int] = {}
    out = []
    for group in groups.filter(status__in=LIVE_STATUSES).select_related("organization"):
        if group.organization_id not in settings_cache:
            settings_cache[group.organization_id] = RegistrySettings.for_org(group.organization).idle_days
        proposal = idle_reason(group, today, settings_cache[group.organization_id])
        if proposal:
            out.append(proposal)
    return out


def dormant_channels(channels, now: dt.datetime | None = None) -> list[tuple[Channel, int]]:
    out = []
    for channel in with_activity(channels.filter(status=Status.ACTIVE)):
        if is_dormant(channel, now):
            out.append((channel, days_silent(channel, now)))
    return out


def record_publication(channel: Channel, at: dt.datetime, *, url: str = "", source: str = "publishing") -> None:
    """Note that `channel` published at `at` (publishing calls this for each publish record).

    `source="publishing"` is Yuqing's own publish record; anything else counts as an entered date. A date older
    than the one already known changes nothing, so replays and out-of-order calls are harmless.
    """
    field = "last_published_via_yuqing_at" if source == Origin.PUBLISHING else "last_publication_at"
    changes = {field: at}
    if url:
        changes["last_published_url"] = url
    newer = Q(**{f"{field}__isnull": True}) | Q(**{f"{field}__lt": at})
    updated = Channel.objects.filter(pk=channel.pk).filter(newer).update(**changes, updated_at=timezone.now())
    if updated:
        for key, value in changes.items():
            setattr(channel, key, value)

