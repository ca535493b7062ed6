"""Every change to the registry: permission check, validation, the change and its audit record in one transaction."""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from yuqing import workflow
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
        transaction.on_commit(lambda: _submitted(filing))
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


# ------------------------------------------------------------------------------------------- status moves

def do_move(obj, to: str, *, acting_user, reason: str = ""):
    """Move a channel or group along its lifecycle."""
    with transaction.atomic():
        workflow.do_transition(obj, to, acting_user=acting_user, reason=reason)
    return obj


# ------------------------------------------------------------------------------------------------ filings

FILABLE = {
    Filing.Action.CHANGE: (Status.APPROVED, Status.ACTIVE, Status.SUSPENDED),
    Filing.Action.SUSPEND: (Status.ACTIVE,),
    Filing.Action.CLOSE: (Status.APPROVED, Status.ACTIVE, Status.SUSPENDED),
}


def do_file(subject, action: str, *, acting_user, reason: str = "", proposed: dict | None = None) -> Filing:
    """Apply to change, suspend or close an existing channel or group (opening is `do_apply`)."""
    org = subject.organization
    permissions.require(acting_user, Perm.APPLY_FILINGS, org)
    if action not in FILABLE:
        raise ValidationError({"action": [_("Choose change, suspend or close.")]})
    if subject.status not in FILABLE[action]:
        raise ValidationError({"action": [_("A %(status)s entry cannot be filed for “%(action)s”.")
                                          % {"status": subject.get_status_display(),
                                             "action": Filing.Action(action).label}]})
    proposed = dict(proposed or {})
    if action == Filing.Action.CHANGE:
        if not proposed:
            raise ValidationError({"proposed": [_("Say what should change.")]})
        _check_proposal(subject, proposed)
    elif not reason.strip():
        raise ValidationError({"reason": [_("Give a reason.")]})
    if subject.filings.filter(status__in=Filing.OPEN_STATUSES).exists():
        raise ValidationError({"action": [_("An application for it is already waiting for approval.")]})
    key = "channel" if isinstance(subject, Channel) else "group"
    with transaction.atomic():
        filing = Filing.objects.create(organization=org, action=action, reason=reason, applicant=acting_user,
                                       needs_bureau=_settings_need_bureau(org), proposed=_json(proposed),
                                       **{key: subject})
        record(actor=acting_user, action="filing.submit", obj=filing, organization=org,
               after=snapshot(filing, fields=["action", "reason", "proposed", "needs_bureau"]))
        transaction.on_commit(lambda: _submitted(filing))
    return filing


def _json(values: dict) -> dict:
    out = {}
    for key, value in values.items():
        if hasattr(value, "pk"):
            value = value.pk
        elif hasattr(value, "isoformat"):
            value = value.isoformat()
        out[key] = value
    return out


def _proposal_values(subject, proposed: dict) -> dict:
    """Turn stored JSON (ids, ISO dates) back into field values."""
    model = type(subject)
    values = {}
    for name, raw in proposed.items():
        field = model._meta.get_field(name)
        if field.is_relation:
            values[name] = field.related_model.objects.filter(pk=raw).first() if raw not in (None, "") else None
        else:
            values[name] = field.to_python(raw)
    return values


def _check_proposal(subject, proposed: dict) -> None:
    unknown = set(proposed) - set(FIELDS[type(subject)])
    if unknown:
        raise ValidationError({name: [_("This field cannot be changed here.")] for name in sorted(unknown)})
    trial = type(subject).objects.get(pk=subject.pk)
    for name, value in _proposal_values(subject, _json(proposed)).items():
        setattr(trial, name, value)
    _validate(trial)


def _stage(filing: Filing) -> str:
    return "bureau" if filing.status == Filing.Status.BUREAU else "lead"


def do_decide_filing(filing: Filing, *, acting_user, approve: bool, comment: str = "") -> Filing:
    """The publicity lead's (and, where configured, then the bureau's) decision; the final approval applies it."""
    comment = (comment or "").strip()
    stage = _stage(filing)
    now = timezone.now()
    data = {f"{stage}_by_id": getattr(acting_user, "pk", None), f"{stage}_at": now, f"{stage}_comment": comment}
    if approve:
        to = Filing.Status.BUREAU if stage == "lead" and filing.needs_bureau else Filing.Status.APPROVED
    else:
        to = Filing.Status.REJECTED
    if to != Filing.Status.BUREAU:
        data["decided_at"] = now
    with transaction.atomic():
        try:
            workflow.do_transition(filing, to, acting_user=acting_user, reason=comment, **data)
        except ValidationError as exc:
            # the page's field is the comment: a rejection needs one
            if hasattr(exc, "error_dict") and "reason" in exc.error_dict:
                raise ValidationError({"comment": exc.message_dict["reason"]}) from exc
            raise
        if to == Filing.Status.APPROVED:
            _apply_filing(filing)
        elif to == Filing.Status.REJECTED and filing.action == Filing.Action.OPEN:
            do_move(filing.subject, Status.CLOSED, acting_user=None,
                    reason=_("Filing #%(id)s rejected: %(comment)s") % {"id": filing.pk, "comment": comment})
        transaction.on_commit(lambda: _decided(filing, to))
    return filing


def do_withdraw_filing(filing: Filing, *, acting_user) -> Filing:
    with transaction.atomic():
        workflow.do_transition(filing, Filing.Status.WITHDRAWN, acting_user=acting_user, decided_at=timezone.now())
        if filing.action == Filing.Action.OPEN:
            do_move(filing.subject, Status.CLOSED, acting_user=None,
                    reason=_("Filing #%(id)s withdrawn") % {"id": filing.pk})
    return filing


def _apply_filing(filing: Filing) -> None:
    """Approval applies the change; the system makes it, the filing records who approved."""
    subject = type(filing.subject).objects.get(pk=filing.subject.pk)
    why = _("Filing #%(id)s approved") % {"id": filing.pk}
    if filing.action == Filing.Action.OPEN:
        model = type(subject)
        subject.filed_on = timezone.localdate()
        model.objects.filter(pk=subject.pk).update(filed_on=subject.filed_on)
        do_move(subject, Status.APPROVED, acting_user=None, reason=why)
    elif filing.action == Filing.Action.CHANGE:
        before = snapshot(subject, fields=_AUDIT[type(subject)])
        for name, value in _proposal_values(subject, filing.proposed).items():
            setattr(subject, name, value)
        _validate(subject)
        subject.save()
        record(actor=None, action=f"{_label(type(subject))}.update", obj=subject, organization=subject.organization,
               before=before, after=snapshot(subject, fields=_AUDIT[type(subject)]), object_repr=f"{subject} ({why})")
    elif filing.action == Filing.Action.SUSPEND:
        do_move(subject, Status.SUSPENDED, acting_user=None, reason=f"{why}: {filing.reason}")
    elif filing.action == Filing.Action.CLOSE:
        do_move(subject, Status.CLOSING, acting_user=None, reason=f"{why}: {filing.reason}")


def _submitted(filing: Filing) -> None:
    signals.filing_submitted.send(sender=Filing, filing=filing)


def _decided(filing: Filing, to: str) -> None:
    signals.filing_decided.send(sender=Filing, filing=filing, approved=to == Filing.Status.APPROVED)
