"""Opening, meeting and waiving deadlines: the only writes of deadlines besides the overdue job."""

from __future__ import annotations

from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext

from yuqing import workflow
from yuqing.audit.log import record, snapshot
from yuqing.deadlines.models import Deadline


def _subject_lookup(obj) -> dict:
    return {"subject_type": ContentType.objects.get_for_model(type(obj)), "subject_id": str(obj.pk)}


def deadlines_for(obj):
    """Every deadline of `obj`, soonest first."""
    return Deadline.objects.filter(**_subject_lookup(obj)).select_related("assignee").order_by("due_at", "pk")


def deadlines_by_subject(objs) -> dict:
    """Every deadline of each of `objs` (one model), soonest first, in one query: {obj.pk: [Deadline, …]}.

    For list pages and API lists, which would otherwise ask once per row.
    """
    objs = list(objs)
    found: dict = {obj.pk: [] for obj in objs}
    if not objs:
        return found
    by_key = {str(obj.pk): obj.pk for obj in objs}
    rows = (Deadline.objects.filter(subject_type=ContentType.objects.get_for_model(type(objs[0])),
                                    subject_id__in=list(by_key))
            .select_related("assignee").order_by("due_at", "pk"))
    for deadline in rows:
        found[by_key[deadline.subject_id]].append(deadline)
    return found


def open_deadline(subject, *, kind: str, due_at, rule: str, organization, title: str = "", assignee=None,
                  remind_at=None) -> Deadline:
    """Start the clock of one step of `subject` (a system action, audited).

    Idempotent: while a deadline of this kind is still pending (open or overdue) for the subject, that one is
    returned unchanged, so a re-run never starts a second clock.
    """
    if not kind:
        raise ValidationError({"kind": gettext("A deadline needs a kind.")})
    for name, value in (("due_at", due_at), ("remind_at", remind_at)):
        if value is not None and timezone.is_naive(value):
            raise ValidationError({name: gettext("Give a time with its time zone.")})
    if remind_at is not None and remind_at >= due_at:
        raise ValidationError({"remind_at": gettext("The reminder must come before the deadline.")})
    lookup = _subject_lookup(subject)
    pending = [Deadline.State.OPEN, Deadline.State.OVERDUE]
    existing = Deadline.objects.filter(**lookup, kind=kind, state__in=pending).first()
    if existing is not None:
        return existing
    deadline = Deadline(organization=organization, kind=kind, title=title or kind, due_at=due_at, rule=rule,
                        assignee=assignee, remind_at=remind_at, **lookup)
    try:
        with transaction.atomic():
            deadline.save()
            record(actor=None, action="deadline.open", obj=deadline, organization=organization,
                   after=snapshot(deadline, exclude=("notified_overdue_at", "reminded_at")))
    except IntegrityError:
        # Another process opened the same step at the same moment; its deadline is the one.
        return Deadline.objects.get(**lookup, kind=kind, state__in=pending)
    return deadline


def do_meet_deadline(deadline: Deadline, *, acting_user, note: str = "") -> Deadline:
    """The step was done (by the assignee, a manager, or the subject's own action as the system)."""
    return workflow.do_transition(deadline, Deadline.State.MET, acting_user=acting_user, met_at=timezone.now(),
                                  met_by=acting_user, note=note)


def do_waive_deadline(deadline: Deadline, *, acting_user, reason: str) -> Deadline:
    """The step is no longer needed; the reason is required and kept."""
    return workflow.do_transition(deadline, Deadline.State.WAIVED, acting_user=acting_user, reason=reason)
