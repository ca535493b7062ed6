"""What happens to cases without a person deciding: escalation with the event, overdue steps reported up,
statements meeting their step, cases opened automatically for the levels an organisation configured."""

from __future__ import annotations

from django.db import transaction
from django.utils.translation import gettext

from yuqing.deadlines.actions import deadlines_for, do_meet_deadline
from yuqing.deadlines.models import Deadline
from yuqing.incidents import policy as steps
from yuqing.incidents.actions import (
    DEADLINE_PREFIX,
    _note,
    do_change_case_level,
    do_open_case,
    step_label,
    step_of,
)
from yuqing.incidents.models import Case, CaseNote, Origin
from yuqing.incidents.policy_store import effective_policy
from yuqing.levels import Level
from yuqing.orgs.models import Role


def follow_event(event, *, to_level, reason: str = "") -> Case | None:
    """An event rose: its open case follows (escalated, deadlines recomputed) or a case opens at the set level."""
    to_level = Level(int(to_level))
    case = Case.objects.filter(event=event).exclude(status=Case.Status.CLOSED).first()
    if case is not None:
        if to_level > case.level:
            why = gettext("The event rose to %(level)s") % {"level": to_level.label}
            do_change_case_level(case, acting_user=None, level=to_level, escalated=True,
                                 reason=f"{why}: {reason}" if reason else why)
        return case
    if to_level >= effective_policy(event.organization).auto_open_level:
        handled = _open_case_about(event)
        if handled is not None:
            return handled
        return do_open_case(organization=event.organization, acting_user=None, title=event.title, level=to_level,
                            event=event, origin=Origin.EVENT, summary=reason)
    return None


# A case opened by hand (a call, a complaint) about the same story as a new event shares this many key terms.
SHARED_TERMS = 2


def _open_case_about(event) -> Case | None:
    """A case already handling the story by hand: the event is attached to it instead of opening another."""
    terms = [t for t in (event.key_terms or []) if len(t) >= 2]
    if len(terms) < SHARED_TERMS:
        return None
    for case in Case.objects.filter(organization=event.organization, event__isnull=True).exclude(
            status=Case.Status.CLOSED).order_by("-opened_at")[:20]:
        text = f"{case.title} {case.summary}"
        if sum(t in text for t in terms) >= SHARED_TERMS:
            with transaction.atomic():
                Case.objects.filter(pk=case.pk, event__isnull=True).update(event=event)
                _note(case, gettext("Monitoring found the story online: event “%(title)s” is attached to this case.")
                      % {"title": event.title}, event=event.pk)
            case.refresh_from_db()
            if event.level > case.level:
                do_change_case_level(case, acting_user=None, level=event.level, escalated=True,
                                     reason=gettext("The event rose to %(level)s") % {"level": event.level_enum.label})
            return case
    return None


def report_overdue_up(deadline: Deadline) -> None:
    """An overdue step goes to the next level up (school → its bureau), once: the deadlines job fires once."""
    from yuqing.notify.notices import send_notice

    case = deadline.subject
    org = case.organization
    label = step_label(step_of(deadline))
    title = gettext("Overdue: %(step)s — %(title)s (%(org)s)") % {"step": label, "title": case.title, "org": org.name}
    body = gettext("The step “%(step)s” of case “%(title)s” (%(level)s) was due %(due)s and is not done.") % {
        "step": label, "title": case.title, "level": case.level_enum.label, "due": deadline.due_at.isoformat()}
    told = send_notice(organization=org, roles=[Role.PUBLICITY_LEAD], recipients=[case.responsible],
                       subject=case, title=title, body=body, urgency="urgent", link=case.get_absolute_url(),
                       kind="case.overdue")
    above = org.parent
    while above is not None and above.kind != above.Kind.BUREAU:
        above = above.parent
    up = []
    if above is not None:
        up = send_notice(organization=above, roles=[Role.ADMIN, Role.SUPERVISOR], subject=case, title=title,
                         body=body, urgency="urgent", link=case.get_absolute_url(), kind="case.overdue_up")
    names = sorted({n.recipient.display_name for n in told} | {n.recipient.display_name for n in up})
    with transaction.atomic():
        if above is not None:
            text = gettext("Overdue: %(step)s. Reported to %(org)s.") % {"step": label, "org": above.name}
        else:
            text = gettext("Overdue: %(step)s.") % {"step": label}
        _note(case, text, kind=CaseNote.Kind.SYSTEM, notified=names, reported_to=above.name if above else "")


def statement_published(draft, *, acting_user=None) -> None:
    """The statement went out: its step is met with the time it was published."""
    case = draft.subject
    pending = deadlines_for(case).filter(kind=DEADLINE_PREFIX + steps.STATEMENT,
                                         state__in=[Deadline.State.OPEN, Deadline.State.OVERDUE]).first()
    with transaction.atomic():
        if pending is not None:
            do_meet_deadline(pending, acting_user=None,
                             note=gettext("Statement published (draft #%(id)s).") % {"id": draft.pk})
        _note(case, gettext("Statement published (draft #%(id)s).") % {"id": draft.pk},
              kind=CaseNote.Kind.ACTION, author=acting_user)
