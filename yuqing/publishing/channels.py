"""Target channels of drafts: only active channels of the registry (the registry owns `Channel`)."""

from __future__ import annotations

from django.apps import apps
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _


def channel_model():
    try:
        return apps.get_model("registry", "Channel")
    except LookupError:
        return None


def resolve(organization, ids) -> list:
    """The channels named by `ids`, each active and belonging to the organisation (or one above/below it)."""
    ids = list(ids or [])
    if not ids:
        return []
    Channel = channel_model()
    if Channel is None:
        raise ValidationError({"channels": [_("The channel registry is not available.")]})
    try:
        wanted = {int(i) for i in ids}
    except (TypeError, ValueError) as exc:
        raise ValidationError({"channels": [_("Channel ids must be numbers.")]}) from exc
    found = {c.pk: c for c in Channel.objects.filter(pk__in=wanted).select_related("organization")}
    errors = []
    for pk in sorted(wanted):
        channel = found.get(pk)
        if channel is None or not (organization.path.startswith(channel.organization.path)
                                   or channel.organization.path.startswith(organization.path)):
            errors.append(_("Channel %(id)s does not exist.") % {"id": pk})
        elif channel.status != Channel.Status.ACTIVE:
            errors.append(_("Channel “%(name)s” is %(status)s; drafts may only target active channels.")
                          % {"name": channel.name, "status": channel.get_status_display()})
    if errors:
        raise ValidationError({"channels": errors})
    return [found[pk] for pk in sorted(wanted)]


def set_targets(draft, targets) -> None:
    if hasattr(draft, "channels"):
        draft.channels.set(targets)


def require_targets(draft) -> None:
    """At submission: at least one target channel, each still active."""
    if channel_model() is None or not hasattr(draft, "channels"):
        return
    targets = list(draft.channels.all())
    if not targets:
        raise ValidationError({"channels": [_("Choose at least one channel to publish on.")]})
    resolve(draft.organization, [c.pk for c in targets])


def copy_to_record(draft, record) -> None:
    if hasattr(draft, "channels") and hasattr(record, "channels"):
        record.channels.set(draft.channels.all())


def mark_published(record) -> None:
    """Move each channel's last publication date (what the registry shows for dormancy)."""
