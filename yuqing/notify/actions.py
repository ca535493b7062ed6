"""Every change to notifiers and the duty roster: permission check, audit record (secrets as ***), one transaction."""

from __future__ import annotations

from datetime import datetime

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from yuqing.audit.log import apply_changes, record, snapshot
from yuqing.notify.models import DutyShift, Notifier
from yuqing.notify.transports import DeliveryResult, Message, get_transport
from yuqing.orgs import permissions
from yuqing.orgs.models import Membership, Organization
from yuqing.orgs.permissions import Perm

_NOTIFIER_FIELDS = {"name", "min_level", "quiet_hours", "enabled"}


def split_settings(kind: str, values: dict) -> tuple[dict, dict]:
    """(non-secret settings, secrets) of a kind's settings, so only the secrets are encrypted."""
    secret_names = set(get_transport(kind).Config.SECRET_FIELDS)
    config = {k: v for k, v in values.items() if k not in secret_names}
    secrets = {k: v for k, v in values.items() if k in secret_names}
    return config, secrets


def check_settings(kind: str, config: dict, secrets: dict) -> None:
    """Raise ValidationError naming every bad setting, with the transport's reasons."""
    transport = get_transport(kind)
    try:
        problems = transport.Config.from_dict({**config, **secrets}).problems()
    except TypeError as error:
        missing = str(error).rsplit(":", 1)[-1].strip().strip("'")
        problems = {missing or "config": "is required"}
    except ValueError as error:  # ConfigError: an unknown field
        problems = {getattr(error, "field", "config"): getattr(error, "reason", str(error))}
    if problems:
        raise ValidationError({name: [reason] for name, reason in problems.items()})


def do_create_notifier(*, organization: Organization, kind: str, name: str, settings: dict,
                       acting_user, min_level: int = 1, quiet_hours: str = "", enabled: bool = True) -> Notifier:
    permissions.require(acting_user, Perm.MANAGE_NOTIFIERS, organization)
    if kind not in Notifier.Kind.values:
        raise ValidationError({"kind": f"unknown kind {kind!r}; choose one of {', '.join(Notifier.Kind.values)}"})
    config, secrets = split_settings(kind, settings)
    check_settings(kind, config, secrets)
    notifier = Notifier(organization=organization, kind=kind, name=name, config=config, min_level=min_level,
                        quiet_hours=quiet_hours, enabled=enabled)
    notifier.set_secrets(secrets)
    notifier.full_clean()
    with transaction.atomic():
        notifier.save()
        record(actor=acting_user, action="notifier.create", obj=notifier, organization=organization,
               after=snapshot(notifier))
    return notifier


def do_update_notifier(notifier: Notifier, *, acting_user, settings: dict | None = None, **changes) -> Notifier:
    """Change a notifier; a secret left blank (or absent) in `settings` keeps the stored one."""
    permissions.require(acting_user, Perm.MANAGE_NOTIFIERS, notifier.organization)
    before = snapshot(notifier)
    apply_changes(notifier, changes, _NOTIFIER_FIELDS)
    if settings is not None:
        config, secrets = split_settings(notifier.kind, settings)
        merged = {**notifier.secrets(), **{k: v for k, v in secrets.items() if v}}
        check_settings(notifier.kind, config, merged)
        notifier.config = config
        notifier.set_secrets(merged)
    notifier.full_clean()
    with transaction.atomic():
        notifier.save()
        record(actor=acting_user, action="notifier.update", obj=notifier, organization=notifier.organization,
               before=before, after=snapshot(notifier))
    return notifier


def do_delete_notifier(notifier: Notifier, *, acting_user) -> None:
    permissions.require(acting_user, Perm.MANAGE_NOTIFIERS, notifier.organization)
    with transaction.atomic():
        record(actor=acting_user, action="notifier.delete", obj=notifier, organization=notifier.organization,
               before=snapshot(notifier))
        notifier.delete()


def do_send_test_message(notifier: Notifier, *, acting_user) -> DeliveryResult:
    """Send a test message now (not queued, not held by quiet hours) and record the provider's answer."""
    from yuqing.notify.delivery import send_message
    from yuqing.siteurl import site_url

    permissions.require(acting_user, Perm.MANAGE_NOTIFIERS, notifier.organization)
    message = Message(
        title=f"{notifier.organization.name} · {notifier.name}",
        text="这是一条测试消息：舆情预警将通过此渠道送达。", url=f"{site_url()}/notify/", level="一般", test=True,
    )
    result = send_message(notifier, message)
    now = timezone.now()
    with transaction.atomic():
        if result.ok:
            Notifier.objects.filter(pk=notifier.pk).update(last_success_at=now)
        else:
            Notifier.objects.filter(pk=notifier.pk).update(
                last_failure_at=now, last_error=f"{result.error}: {result.provider_response}"[:2000].strip(": "))
        record(actor=acting_user, action="notifier.test", obj=notifier, organization=notifier.organization,
               after=result.to_dict())
    return result


def _check_member(user, organization: Organization) -> None:
    """The person on duty must belong to the organisation (or one of its units) or to one above it."""
    ancestors = [org.pk for org in organization.ancestors()]
    member = Membership.objects.filter(user=user).filter(
        organization__path__startswith=organization.path
    ).exists() or Membership.objects.filter(user=user, organization_id__in=ancestors).exists()
    if not member:
        raise ValidationError({"user": "this person is not a member of the organisation"})


def do_add_shift(*, organization: Organization, user, starts_at: datetime, ends_at: datetime, note: str = "",
                 acting_user) -> DutyShift:
    permissions.require(acting_user, Perm.MANAGE_DUTY, organization)
    _check_member(user, organization)
    shift = DutyShift(organization=organization, user=user, starts_at=starts_at, ends_at=ends_at, note=note)
    shift.full_clean()
    with transaction.atomic():
        shift.save()
        record(actor=acting_user, action="duty_shift.create", obj=shift, organization=organization,
               after={**snapshot(shift), "user": user.username})
    return shift


def do_add_repeating_shifts(*, organization: Organization, user, starts_at: datetime, ends_at: datetime,
                            weekdays, repeat_until, skip_non_working: bool = False, note: str = "",
                            acting_user) -> list[DutyShift]:
    """A weekly pattern of shifts (e.g. every working Monday and Thursday until the end of term), created in one
    transaction with one audit record listing them; each shift can then be removed on its own."""
    from django.utils.translation import gettext as _

    from yuqing.notify import shift_series

    permissions.require(acting_user, Perm.MANAGE_DUTY, organization)
    _check_member(user, organization)
    local_start, local_end = timezone.localtime(starts_at), timezone.localtime(ends_at)
    try:
        times = shift_series.unroll(local_start, local_end, weekdays=weekdays, until=repeat_until,
                                    skip_non_working=skip_non_working)
    except shift_series.PatternError as exc:
        raise ValidationError({exc.field: [_(exc.message) % exc.params if exc.params else _(exc.message)]}) from None
    shifts = [DutyShift(organization=organization, user=user, starts_at=a, ends_at=b, note=note) for a, b in times]
    for shift in shifts:
        shift.full_clean()
    with transaction.atomic():
        DutyShift.objects.bulk_create(shifts)
        record(actor=acting_user, action="duty_shift.repeat", organization=organization, object_repr=str(user),
               after={"user": user.username, "count": len(shifts), "weekdays": sorted(set(weekdays)),
                      "until": repeat_until.isoformat(), "skip_non_working": skip_non_working,
                      "first": shifts[0].starts_at.isoformat(), "last": shifts[-1].starts_at.isoformat()})
    return shifts


def do_remove_shift(shift: DutyShift, *, acting_user) -> None:
    permissions.require(acting_user, Perm.MANAGE_DUTY, shift.organization)
    with transaction.atomic():
        record(actor=acting_user, action="duty_shift.delete", obj=shift, organization=shift.organization,
               before={**snapshot(shift), "user": shift.user.username})
        shift.delete()


def members_for_roster(organization: Organization):
    """People who may be put on duty for `organization`."""
    User = get_user_model()
    ancestors = [org.pk for org in organization.ancestors()]
    return (User.objects.filter(is_active=True, memberships__organization__path__startswith=organization.path)
            | User.objects.filter(is_active=True, memberships__organization_id__in=ancestors)).distinct().order_by(
        "username")
