"""Every change to the registry: permission check, validation, the change and its audit record in one transaction."""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from yuqing.audit.log import record, snapshot
from yuqing.orgs import permissions
from yuqing.orgs.models import Membership, Organization
from yuqing.orgs.permissions import Perm
from yuqing.registry import signals
from yuqing.registry.models import Channel, ChatGroup, Filing, RegistrySettings, Status

CHANNEL_FIELDS = ("kind", "name", "account_id", "url", "unit", "responsible", "deputy", "purpose", "filed_on",
                  "next_review_on", "source", "last_publication_at")
GROUP_FIELDS = ("kind", "name", "number", "unit", "owner_name", "responsible", "purpose", "temporary",
                "task_ends_on", "member_count", "last_activity_on", "filed_on")
FIELDS = {Channel: CHANNEL_FIELDS, ChatGroup: GROUP_FIELDS}
_AUDIT = {Channel: [*CHANNEL_FIELDS, "status", "organization"], ChatGroup: [*GROUP_FIELDS, "status", "organization"]}
PEOPLE_FIELDS = ("responsible", "deputy")


def _label(model) -> str:
    return "channel" if model is Channel else "group"


def check_people(obj) -> None:
    """Responsible people are people of the organisation (or its units), not anyone with an account."""
    errors: dict[str, list[str]] = {}
    org = obj.organization
    for field in PEOPLE_FIELDS:
        person = getattr(obj, field, None)
        if person is None:
            continue
        if not Membership.objects.filter(user=person, organization__path__startswith=org.path).exists():
            errors[field] = [_("%(person)s is not a member of %(org)s.") % {"person": person, "org": org.name}]
    if obj.unit_id and not obj.unit.path.startswith(org.path):
        errors["unit"] = [_("The unit must belong to %(org)s.") % {"org": org.name}]
    source = getattr(obj, "source", None)
    if source is not None and not source.organization.path.startswith(org.path):
        errors["source"] = [_("The source must belong to %(org)s.") % {"org": org.name}]
    if errors:
        raise ValidationError(errors)


def require_responsible(obj, status: str | None = None) -> None:
    """谁主管谁负责: nothing goes live without a person answerable for it."""
    if (status or obj.status) == Status.ACTIVE and obj.responsible_id is None:
        raise ValidationError({"responsible": [_("A responsible person is required before it can be active.")]})


def _validate(obj) -> None:
    require_responsible(obj)
    check_people(obj)
    try:
        obj.full_clean(exclude=["organization"])
    except ValidationError as exc:
        raise _friendly(exc, obj) from exc


def _friendly(exc: ValidationError, obj) -> ValidationError:
    """Name the field of a duplicate account id / group number instead of a bare constraint name."""
    if not hasattr(exc, "error_dict"):
        return exc
    errors = dict(exc.message_dict)
    key_field = "account_id" if isinstance(obj, Channel) else "number"
    for msg in errors.pop("__all__", []):
        if "unique" in msg or "唯一" in msg or "constraint" in msg.lower() or "约束" in msg:
            errors.setdefault(key_field, []).append(
                _("%(kind)s %(key)s is already in the registry.")
                % {"kind": obj.get_kind_display(), "key": getattr(obj, key_field)})
        else:
            errors.setdefault("__all__", []).append(msg)
    return ValidationError(errors)


def resolve_person(value, organization: Organization):
    """A person given by user name, full name or id, within the organisation's tree; None for empty."""
    if value in (None, ""):
        return None
    if isinstance(value, get_user_model()):
        return value
    User = get_user_model()
    members = User.objects.filter(memberships__organization__path__startswith=organization.path).distinct()
    text = str(value).strip()
    for lookup in ({"username": text}, {"full_name": text}):
        found = list(members.filter(**lookup)[:2])
        if len(found) == 1:
            return found[0]
    if text.isdigit():
        found = members.filter(pk=int(text)).first()
        if found:
            return found
    raise ValidationError(_("No member of %(org)s is called %(name)s.") % {"org": organization.name, "name": text})


def _save_new(model, organization, acting_user, fields: dict, status: str, action: str):
    allowed = set(FIELDS[model])
    unknown = set(fields) - allowed
    if unknown:
        raise ValidationError({name: [_("This field cannot be set here.")] for name in sorted(unknown)})
    obj = model(organization=organization, status=status, **fields)
    _validate(obj)
    try:
        with transaction.atomic():
            obj.save()
            record(actor=acting_user, action=f"{_label(model)}.{action}", obj=obj, organization=organization,
                   after=snapshot(obj, fields=_AUDIT[model]))
    except IntegrityError as exc:  # a concurrent twin slipped past full_clean
        raise _friendly(ValidationError({"__all__": ["unique constraint"]}), obj) from exc
    return obj


def _settings_need_bureau(organization) -> bool:
    return RegistrySettings.for_org(organization).bureau_approval and organization.parent_id is not None


def do_apply(model, organization: Organization, *, acting_user, reason: str = "", **fields):
    """Apply to open a channel or group: it is registered as applied, with an open filing for the approvers."""
    permissions.require(acting_user, Perm.APPLY_FILINGS, organization)
    with transaction.atomic():
        obj = _save_new(model, organization, acting_user, fields, Status.APPLIED, "apply")
        filing = Filing.objects.create(
            organization=organization, action=Filing.Action.OPEN, reason=reason, applicant=acting_user,
            needs_bureau=_settings_need_bureau(organization), proposed=snapshot(obj, fields=FIELDS[model]),
            **{"channel" if model is Channel else "group": obj})
        record(actor=acting_user, action="filing.submit", obj=filing, organization=organization,
               after=snapshot(filing, fields=["action", "reason", "proposed", "needs_bureau"]))
        transaction.on_commit(lambda: signals.filing_submitted.send(sender=Filing, filing=filing))
    return obj


def do_register(model, organization: Organization, *, acting_user, status: str = Status.ACTIVE, **fields):
    """An administrator enters an existing channel or group directly (the first count, an import)."""
    permissions.require(acting_user, Perm.MANAGE_REGISTRY, organization)
    if status not in Status.values:
        raise ValidationError({"status": [_("Unknown status.")]})
    return _save_new(model, organization, acting_user, fields, status, "register")


def do_update(obj, *, acting_user, **changes):
    """An administrator corrects the registry directly; status moves go through the workflow instead."""
    permissions.require(acting_user, Perm.MANAGE_REGISTRY, obj.organization)
    model = type(obj)
    unknown = set(changes) - set(FIELDS[model])
    if unknown:
        raise ValidationError({name: [_("This field cannot be changed here.")] for name in sorted(unknown)})
    before = snapshot(obj, fields=_AUDIT[model])
    for field, value in changes.items():
        setattr(obj, field, value)
    _validate(obj)
    after = snapshot(obj, fields=_AUDIT[model])
    if after == before:
        return obj
    try:
        with transaction.atomic():
            obj.save()
            record(actor=acting_user, action=f"{_label(model)}.update", obj=obj, organization=obj.organization,
                   before=before, after=after)
    except IntegrityError as exc:
        raise _friendly(ValidationError({"__all__": ["unique constraint"]}), obj) from exc
    return obj


def do_apply_channel(organization, *, acting_user, reason="", **fields) -> Channel:
    return do_apply(Channel, organization, acting_user=acting_user, reason=reason, **fields)


def do_register_channel(organization, *, acting_user, status=Status.ACTIVE, **fields) -> Channel:
    return do_register(Channel, organization, acting_user=acting_user, status=status, **fields)


def do_update_channel(channel, *, acting_user, **changes) -> Channel:
    return do_update(channel, acting_user=acting_user, **changes)


def do_apply_group(organization, *, acting_user, reason="", **fields) -> ChatGroup:
    return do_apply(ChatGroup, organization, acting_user=acting_user, reason=reason, **fields)


def do_register_group(organization, *, acting_user, status=Status.ACTIVE, **fields) -> ChatGroup:
    return do_register(ChatGroup, organization, acting_user=acting_user, status=status, **fields)


def do_update_group(group, *, acting_user, **changes) -> ChatGroup:
    return do_update(group, acting_user=acting_user, **changes)
