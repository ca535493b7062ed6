"""Target channels of drafts: only active channels of the registry (the registry owns `Channel`)."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from yuqing.registry.activity import Origin, record_publication
from yuqing.registry.models import Channel, Status


def choices_for(organization):
    """Channels a draft of `organization` may target: active ones of the organisation, its ancestors and units."""
    ids = [int(p) for p in organization.path.strip("/").split("/") if p]
    return (Channel.objects.active().filter(organization__path__startswith=organization.path)
            | Channel.objects.active().filter(organization_id__in=ids)).distinct().select_related("organization")


def resolve(organization, ids) -> list[Channel]:
    """The channels named by `ids`, each active and within reach of the organisation; errors name each one."""
    ids = list(ids or [])
    if not ids:
        return []
    try:
        wanted = {int(i) for i in ids}
    except (TypeError, ValueError) as exc:
        raise ValidationError({"channels": [_("Channel ids must be numbers.")]}) from exc
    ancestors = {int(p) for p in organization.path.strip("/").split("/") if p}
    found = {c.pk: c for c in Channel.objects.filter(pk__in=wanted).select_related("organization")}
    errors = []
    for pk in sorted(wanted):
        channel = found.get(pk)
        if channel is None or not (channel.organization_id in ancestors
                                   or channel.organization.path.startswith(organization.path)):
            errors.append(_("Channel %(id)s does not exist.") % {"id": pk})
        elif channel.status != Status.ACTIVE:
            errors.append(_("Channel “%(name)s” is %(status)s; drafts may only target active channels.")
                          % {"name": channel.name, "status": channel.get_status_display()})
    if errors:
        raise ValidationError({"channels": errors})
    return [found[pk] for pk in sorted(wanted)]


def set_targets(draft, targets) -> None:
    draft.channels.set(targets)


def require_targets(draft) -> None:
    """At submission: at least one target channel, each still active."""
    targets = list(draft.channels.all())
    if not targets:
        raise ValidationError({"channels": [_("Choose at least one channel to publish on.")]})
    resolve(draft.organization, [c.pk for c in targets])


def copy_to_record(draft, record) -> None:
    record.channels.set(draft.channels.all())


def mark_published(record) -> None:
    """Move each channel's last publication date in the registry (what dormancy is judged by)."""
    for channel in record.channels.all():
        record_publication(channel, record.published_at, url=record.url, source=Origin.PUBLISHING)
