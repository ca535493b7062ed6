"""How incidents reacts to others: a rising event escalates or opens a case, an overdue step goes up a level,
a published statement meets its step. Each receiver runs after the producer's commit."""

from __future__ import annotations

from django.dispatch import receiver

from yuqing.deadlines.signals import deadline_overdue
from yuqing.detection.signals import event_level_raised
from yuqing.publishing.signals import draft_published


@receiver(event_level_raised, dispatch_uid="incidents.event_level_raised")
def on_event_level_raised(sender, event, from_level=None, to_level=None, reason="", **kwargs):
    from yuqing.incidents.escalation import follow_event

    follow_event(event, to_level=to_level if to_level is not None else event.level, reason=reason)


@receiver(deadline_overdue, dispatch_uid="incidents.deadline_overdue")
def on_deadline_overdue(sender, deadline, **kwargs):
    from yuqing.incidents.escalation import report_overdue_up
    from yuqing.incidents.models import Case

    if deadline.subject_type.model_class() is Case:
        report_overdue_up(deadline)


@receiver(draft_published, dispatch_uid="incidents.draft_published")
def on_draft_published(sender, draft, record=None, acting_user=None, **kwargs):
    from yuqing.incidents.escalation import statement_published
    from yuqing.incidents.models import Case

    if draft.subject_type_id and draft.subject_type.model_class() is Case:
        statement_published(draft, acting_user=acting_user)

