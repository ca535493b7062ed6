"""Every change to the registry: permission check, validation, the change and its audit record in one transaction."""

from __future__ import annotations

import datetime as dt

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
from yuqing.registry import announcements, closure, signals
from yuqing.registry.models import (
    Channel,
    ChatGroup,
    Filing,
    RegistrySettings,
    SelfInspection,
    Status,
    Violation,
)

CHANNEL_FIELDS = ("kind", "name", "account_id", "url", "unit", "responsible", "deputy", "purpose", "filed_on",
                  "next_review_on", "source", "last_publication_at")
GROUP_FIELDS = ("kind", "name", "number", "unit", "owner_name", "responsible", "purpose", "temporary",
                "task_ends_on", "member_count", "last_activity_on", "last_activity_origin", "filed_on")
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


def next_review(start: dt.date) -> dt.date:
    """Channels are reviewed yearly unless a date is given."""
    try:
        return start.replace(year=start.year + 1)
    except ValueError:  # 29 February
        return start.replace(year=start.year + 1, day=28)


def do_register(model, organization: Organization, *, acting_user, status: str = Status.ACTIVE, **fields):
    """An administrator enters an existing channel or group directly (the first count, an import)."""
    permissions.require(acting_user, Perm.MANAGE_REGISTRY, organization)
    if status not in Status.values:
        raise ValidationError({"status": [_("Unknown status.")]})
    if model is ChatGroup and fields.get("last_activity_on") and not fields.get("last_activity_origin"):
        fields["last_activity_origin"] = ChatGroup.ActivityOrigin.ENTERED
    if model is Channel and not fields.get("next_review_on") and status != Status.APPLIED:
        fields["next_review_on"] = next_review(fields.get("filed_on") or timezone.localdate())
    return _save_new(model, organization, acting_user, fields, status, "register")


def do_update(obj, *, acting_user, **changes):
    """An administrator corrects the registry directly; status moves go through the workflow instead."""
    permissions.require(acting_user, Perm.MANAGE_REGISTRY, obj.organization)
    model = type(obj)
    unknown = set(changes) - set(FIELDS[model])
    if unknown:
        raise ValidationError({name: [_("This field cannot be changed here.")] for name in sorted(unknown)})
    before = snapshot(obj, fields=_AUDIT[model])
    if model is ChatGroup and "last_activity_on" in changes and "last_activity_origin" not in changes:
        changes["last_activity_origin"] = ChatGroup.ActivityOrigin.ENTERED
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

def do_move(obj, to: str, *, acting_user, reason: str = "", now=None):
    """Move a channel or group along its lifecycle; closing starts the 7-working-day closure deadline
    (counted from `now`, the moment of the move unless a test or a replay says otherwise)."""
    with transaction.atomic():
        before = obj.status
        workflow.do_transition(obj, to, acting_user=acting_user, reason=reason)
        if to == Status.CLOSING:
            closure.open_closure(obj, reason=reason, now=now)
        elif before == Status.CLOSING:
            closure.meet_closure(obj, acting_user=acting_user)
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
        review = {"next_review_on": subject.next_review_on or next_review(subject.filed_on)} \
            if model is Channel else {}
        model.objects.filter(pk=subject.pk).update(filed_on=subject.filed_on, **review)
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
    announcements.filing_submitted(filing)
    signals.filing_submitted.send(sender=Filing, filing=filing)


def _decided(filing: Filing, to: str) -> None:
    announcements.filing_decided(filing, to)
    signals.filing_decided.send(sender=Filing, filing=filing, approved=to == Filing.Status.APPROVED)


def display_value(subject, name: str, raw) -> str:
    """A proposed value as people read it (a person's name rather than an id)."""
    try:
        value = _proposal_values(subject, {name: raw})[name]
    except Exception:
        return str(raw)
    if value in (None, ""):
        return "—"
    if isinstance(value, bool):
        return _("yes") if value else _("no")
    field = type(subject)._meta.get_field(name)
    if field.choices:
        return str(dict(field.flatchoices).get(value, value))
    return str(value)


# ------------------------------------------------------------------------------------ sources, inspections

def do_create_channel_source(channel: Channel, *, acting_user, url: str = "") -> Channel:
    """One step from a channel to the monitoring source that reads its own publications (feed or column)."""
    from yuqing.monitoring.actions import do_create_source

    url = (url or channel.url or "").strip()
    if channel.source_id:
        raise ValidationError({"source": [_("The channel already has a source.")]})
    if not url:
        raise ValidationError({"url": [_("Give the address of the channel's feed (RSS / RSSHub) first.")]})
    permissions.require(acting_user, Perm.MANAGE_REGISTRY, channel.organization)
    with transaction.atomic():
        source = do_create_source(organization=channel.organization, acting_user=acting_user,
                                  name=_("%(name)s (own publications)") % {"name": channel.name}, kind="rss", url=url)
        do_update(channel, acting_user=acting_user, source=source)
    return channel


def do_record_inspection(organization, *, acting_user, performed_on, note: str = "",
                         confirmed_group_ids=()) -> SelfInspection:
    """A self-inspection (自查): its date and findings, and the groups confirmed in use as of that date."""
    permissions.require(acting_user, Perm.MANAGE_REGISTRY, organization)
    with transaction.atomic():
        inspection = SelfInspection.objects.create(organization=organization, performed_on=performed_on,
                                                   performed_by=acting_user, note=note)
        groups = ChatGroup.objects.in_tree(organization).filter(pk__in=list(confirmed_group_ids))
        confirmed = list(groups.values_list("pk", flat=True))
        groups.update(last_activity_on=performed_on, last_activity_origin=ChatGroup.ActivityOrigin.INSPECTION,
                      updated_at=timezone.now())
        record(actor=acting_user, action="registry.inspect", obj=inspection, organization=organization,
               after={"performed_on": performed_on.isoformat(), "note": note, "confirmed_groups": confirmed})
    return inspection


# ---------------------------------------------------------------------------------------------- violations

def do_record_violation(organization, *, acting_user, kind: str, name: str, account_id: str = "", url: str = "",
                        holder: str = "", note: str = "", now=None) -> Violation:
    """A personal account using the school's name: recorded with a rectification deadline (7 working days)."""
    permissions.require(acting_user, Perm.MANAGE_REGISTRY, organization)
    violation = Violation(organization=organization, kind=kind, name=(name or "").strip(), account_id=account_id,
                          url=url, holder=holder, note=note, found_on=timezone.localdate())
    violation.full_clean(exclude=["organization", "rectify_by"])
    with transaction.atomic():
        violation.save()
        deadline = closure.open_rectification(violation, now=now)
        violation.rectify_by = deadline.due_at
        violation.save(update_fields=["rectify_by"])
        record(actor=acting_user, action="violation.record", obj=violation, organization=organization,
               after=snapshot(violation))
    return violation


def do_rectify_violation(violation: Violation, *, acting_user, note: str = "") -> Violation:
    permissions.require(acting_user, Perm.MANAGE_REGISTRY, violation.organization)
    if violation.state == Violation.State.RECTIFIED:
        raise ValidationError({"state": [_("Already rectified.")]})
    with transaction.atomic():
        violation.state = Violation.State.RECTIFIED
        violation.rectified_at = timezone.now()
        if note:
            violation.note = f"{violation.note}\n{note}".strip()
        violation.save()
        closure.meet_rectification(violation)
        record(actor=acting_user, action="violation.rectify", obj=violation, organization=violation.organization,
               after={"state": violation.state, "note": note})
    return violation
