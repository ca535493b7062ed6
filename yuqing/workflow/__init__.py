"""Guarded state transitions: a model declares its moves, `do_transition()` makes one with history and audit.

A model declares the moves of one status field with `workflow = Workflow(field="status", moves=[Move(...)])`.
`do_transition()` locks the row, refuses a move the table does not allow (naming the current state and the
allowed moves), checks the move's permission, requires a reason where the move says so, writes the change, a
`StateChange` history row and the audit record in one transaction, and sends `status_changed` after commit.

A move without `perm` is one only the system makes (acting_user=None): people are refused, which keeps a
forgotten permission from opening a move to everyone.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from dataclasses import field as dataclass_field

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.dispatch import Signal
from django.utils import timezone
from django.utils.translation import gettext

# Sent after the transition's transaction commits:
# status_changed.send(sender=Model, obj=…, from_state=…, to_state=…, acting_user=…, reason=…, data=…, change=…)
status_changed = Signal()


@dataclass(frozen=True)
class Move:
    """One allowed transition: from any of `sources` to `target`."""

    sources: frozenset[str]
    target: str
    perm: str | None = None
    reason_required: bool = False
    label: str = ""
    fields: frozenset[str] = frozenset()

    def __init__(self, sources: str | Iterable[str], target: str, *, perm=None, reason_required: bool = False,
                 label="", fields: Iterable[str] = ()):
        if isinstance(sources, str):
            sources = [sources]
        object.__setattr__(self, "sources", frozenset(str(s) for s in sources))
        object.__setattr__(self, "target", str(target))
        object.__setattr__(self, "perm", perm)
        object.__setattr__(self, "reason_required", reason_required)
        object.__setattr__(self, "label", label)
        object.__setattr__(self, "fields", frozenset(fields))

    def allows(self, current: str, to: str) -> bool:
        return str(current) in self.sources and self.target == str(to)


@dataclass
class Workflow:
    """The moves of one status field of a model; declared on the model as `workflow = Workflow(...)`."""

    field: str
    moves: list[Move]
    # Deliveries change state many times a second on behalf of the system; their history rows are their
    # log, and an audit record per attempt would only serialise workers on the audit chain.
    audit: bool = True
    model: type | None = dataclass_field(default=None, repr=False)

    def contribute_to_class(self, cls, name) -> None:
        # Django calls this for class attributes that have it: the workflow learns its model.
        self.model = cls
        setattr(cls, name, self)

    def moves_from(self, current: str) -> list[Move]:
        return [m for m in self.moves if str(current) in m.sources]

    def find(self, current: str, to: str) -> Move | None:
        return next((m for m in self.moves if m.allows(current, to)), None)

    def state_label(self, value: str) -> str:
        choices = dict(self.model._meta.get_field(self.field).flatchoices) if self.model else {}
        return str(choices.get(value, value))


def workflow_of(model_or_obj) -> Workflow:
    model = model_or_obj if isinstance(model_or_obj, type) else type(model_or_obj)
    wf = getattr(model, "workflow", None)
    if not isinstance(wf, Workflow):
        raise TypeError(f"{model.__name__} declares no workflow")
    return wf


def organization_of(obj):
    custom = getattr(obj, "workflow_organization", None)
    return custom() if callable(custom) else getattr(obj, "organization", None)


def _describe_moves(wf: Workflow, moves: list[Move]) -> str:
    parts = []
    for move in moves:
        target = wf.state_label(move.target)
        if move.label:
            parts.append(gettext("%(move)s (→ %(state)s)") % {"move": move.label, "state": target})
        else:
            parts.append(f"→ {target}")
    return gettext(", ").join(parts)


def refusal(wf: Workflow, current: str, to: str) -> ValidationError:
    """The error for a move the table does not allow: names the current state and what is allowed from it."""
    params = {"state": wf.state_label(current), "to": wf.state_label(to)}
    moves = wf.moves_from(current)
    if moves:
        params["allowed"] = _describe_moves(wf, moves)
        message = gettext("The state is “%(state)s”: it cannot change to “%(to)s”. Allowed from “%(state)s”: "
                          "%(allowed)s.") % params
    else:
        message = gettext("The state is “%(state)s”: it cannot change to “%(to)s”. No change is allowed from "
                          "“%(state)s”.") % params
    return ValidationError({wf.field: message}, code="invalid_transition")


def _plain(data: dict) -> dict:
    """Data for the history and audit rows: related objects by their primary key."""
    return {k: (v.pk if hasattr(v, "_meta") and hasattr(v, "pk") else v) for k, v in data.items()}


def _check_perm(move: Move, acting_user, org) -> None:
    from yuqing.orgs import permissions

    if acting_user is None:
        return
    if org is not None:
        # 404 before anything else: people who cannot see the object learn nothing about its state.
        permissions.require(acting_user, permissions.Perm.VIEW, org)
    if move.perm is None:
        raise PermissionDenied(gettext("Only the system makes this change."))
    if org is None:
        if not acting_user.is_superuser:
            raise PermissionDenied(gettext("Only the system makes this change."))
        return
    permissions.require(acting_user, move.perm, org)


def do_transition(obj, to, *, acting_user, reason: str = "", **data):
    """Move `obj` to state `to` (see the module's docstring); returns `obj` refreshed from the saved row."""
    from django.contrib.contenttypes.models import ContentType

    from yuqing.audit.log import _json_safe, apply_changes, record
    from yuqing.workflow.models import StateChange

    wf = workflow_of(obj)
    model = type(obj)
    to = str(to)
    reason = (reason or "").strip()
    if acting_user is not None and not getattr(acting_user, "is_authenticated", False):
        raise PermissionDenied(gettext("Log in first."))
    with transaction.atomic():
        # The lock makes concurrent transitions of one object queue; the second sees the first's result.
        locked = model._default_manager.select_for_update().get(pk=obj.pk)
        current = str(getattr(locked, wf.field))
        org = organization_of(locked)
        move = wf.find(current, to)
        if move is None:
            if acting_user is not None and org is not None:
                from yuqing.orgs import permissions

                permissions.require(acting_user, permissions.Perm.VIEW, org)
            raise refusal(wf, current, to)
        _check_perm(move, acting_user, org)
        if move.reason_required and not reason:
            raise ValidationError(
                {"reason": gettext("Give a reason for “%(move)s”.") % {"move": move.label or wf.state_label(to)}},
                code="required",
            )
        check = getattr(locked, "check_transition", None)
        if callable(check):
            check(to, acting_user=acting_user, data=data)
        apply_changes(locked, data, move.fields)
        if "reason" in move.fields:
            # A model that keeps the reason of its last move itself (e.g. a waived deadline) gets it here.
            locked.reason = reason
        setattr(locked, wf.field, to)
        locked.save()
        now = timezone.now()
        safe_data = _json_safe(_plain(data))
        change = StateChange.objects.create(
            content_type=ContentType.objects.get_for_model(model), object_id=str(locked.pk), field=wf.field,
            from_state=current, to_state=to, actor=acting_user, at=now, reason=reason, data=safe_data,
            organization=org,
        )
        if wf.audit:
            record(actor=acting_user, action=f"{model._meta.label_lower}.{to}"[:64], obj=locked, organization=org,
                   before={wf.field: current}, after={wf.field: to, "reason": reason, **safe_data})

        def announce():
            status_changed.send(sender=model, obj=locked, from_state=current, to_state=to, acting_user=acting_user,
                                reason=reason, data=data, change=change)

        transaction.on_commit(announce)
    for f in model._meta.concrete_fields:
        setattr(obj, f.attname, getattr(locked, f.attname))
    return obj


def claim_transition(model, pk, to, *, condition=None, reason: str = "", **values) -> bool:
    """The system's lease-style move: one UPDATE … WHERE state = current AND `condition`; True for the winner.

    For jobs that many workers run at once (sending a delivery, firing a deadline): the single conditional
    UPDATE decides the one winner without holding a row lock while the work is done. The move must be in the
    table; the history row (and the audit record, unless the workflow says audit=False) is written in the same
    transaction and `status_changed` is sent after commit.
    """
    from django.contrib.contenttypes.models import ContentType
    from django.db.models import Q

    from yuqing.audit.log import _json_safe
    from yuqing.workflow.models import StateChange

    wf = workflow_of(model)
    to = str(to)
    current = model._default_manager.filter(pk=pk).values_list(wf.field, flat=True).first()
    if current is None or wf.find(current, to) is None:
        return False
    with transaction.atomic():
        won = model._default_manager.filter(Q(pk=pk, **{wf.field: current}), condition or Q()).update(
            **{wf.field: to}, **values)
        if not won:
            return False
        obj = model._default_manager.get(pk=pk)
        org = organization_of(obj)
        change = StateChange.objects.create(
            content_type=ContentType.objects.get_for_model(model), object_id=str(pk), field=wf.field,
            from_state=current, to_state=to, actor=None, at=timezone.now(), reason=reason,
            data=_json_safe(_plain(values)), organization=org,
        )
        if wf.audit:
            from yuqing.audit.log import record

            record(actor=None, action=f"{model._meta.label_lower}.{to}"[:64], obj=obj, organization=org,
                   before={wf.field: current}, after={wf.field: to, "reason": reason, **_json_safe(_plain(values))})

        def announce():
            status_changed.send(sender=model, obj=obj, from_state=current, to_state=to, acting_user=None,
                                reason=reason, data=values, change=change)

        transaction.on_commit(announce)
    return True


def history(obj):
    """The object's state changes, oldest first."""
    from yuqing.workflow.models import StateChange

    meta = type(obj)._meta.concrete_model._meta
    # Joined on the content type's natural key: one query whether or not the content-type cache is warm.
    return StateChange.objects.filter(
        content_type__app_label=meta.app_label, content_type__model=meta.model_name, object_id=str(obj.pk)
    ).select_related("actor").order_by("at", "pk")


def histories(model, pks) -> dict[str, list]:
    """The state changes of many objects of `model` in one query: object id (text) → changes, oldest first."""
    from yuqing.workflow.models import StateChange

    out: dict[str, list] = {}
    ids = [str(pk) for pk in pks]
    if not ids:
        return out
    # Joined on the content type's natural key, so the lookup costs no extra query however the cache stands.
    rows = StateChange.objects.filter(
        content_type__app_label=model._meta.concrete_model._meta.app_label,
        content_type__model=model._meta.concrete_model._meta.model_name,
        object_id__in=ids,
    ).select_related("actor").order_by("at", "pk")
    for change in rows:
        out.setdefault(change.object_id, []).append(change)
    return out


def allowed_moves(obj, user) -> list[Move]:
    """The moves `user` may make from the object's current state (every move for the system, user=None)."""
    from yuqing.orgs import permissions

    wf = workflow_of(obj)
    moves = wf.moves_from(getattr(obj, wf.field))
    if user is None:
        return moves
    org = organization_of(obj)
    out = []
    for move in moves:
        if move.perm is None:
            continue
        if org is None:
            if user.is_superuser:
                out.append(move)
        elif permissions.has_perm(user, move.perm, org):
            out.append(move)
    return out


__all__ = ["Move", "Workflow", "allowed_moves", "claim_transition", "do_transition", "histories", "history",
           "refusal", "status_changed", "workflow_of"]
