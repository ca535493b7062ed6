"""The 7-working-day closure deadline of an unused channel or group, and who is told about it."""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from yuqing import worktime
from yuqing.deadlines.actions import deadlines_for, do_meet_deadline, open_deadline
from yuqing.deadlines.models import Deadline
from yuqing.notify.notices import send_notice
from yuqing.orgs.models import Role
from yuqing.registry.models import CLOSURE_WORKING_DAYS, Channel

KINDS = {Channel: "channel.closure"}
GROUP_KIND = "group.closure"
VIOLATION_KIND = "registry.violation"


def kind_of(obj) -> str:
    return KINDS.get(type(obj), GROUP_KIND)


def open_closure(obj, *, reason: str, now: dt.datetime | None = None) -> Deadline:
    """Inside the move into "closing": the deadline, then (after commit) a notice to the responsible person."""
    now = now or timezone.now()
    due = worktime.add_working_days(now, CLOSURE_WORKING_DAYS)
    deadline = open_deadline(
        obj, kind=kind_of(obj), due_at=due, organization=obj.organization, assignee=obj.responsible,
        rule=_("Close an unused channel or group within %(n)s working days") % {"n": CLOSURE_WORKING_DAYS},
        title=_("Close “%(name)s”") % {"name": obj.name},
        remind_at=worktime.add_working_days(now, CLOSURE_WORKING_DAYS - 1))
    title = _("“%(name)s” is to be closed by %(due)s") % {
        "name": obj.name, "due": timezone.localtime(due).strftime("%Y-%m-%d %H:%M")}

    def tell():
        send_notice(organization=obj.organization, recipients=[p for p in (obj.responsible,) if p], subject=obj,
                    title=title, body=reason, link=obj.get_absolute_url(), kind="registry.closure")

    transaction.on_commit(tell)
    return deadline


def meet_closure(obj, *, acting_user) -> None:
    """Inside the move into "closed" (or back into use): the open closure deadline is met."""
    for deadline in deadlines_for(obj).filter(kind=kind_of(obj), state__in=[Deadline.State.OPEN,
                                                                           Deadline.State.OVERDUE]):
        # the subject's own move meets it, so the system marks it (the move itself names the person)
        do_meet_deadline(deadline, acting_user=None, note=_("Status is now “%(status)s”.")
                         % {"status": obj.get_status_display()})


def overdue_closures(organization, now: dt.datetime) -> int:
    return Deadline.objects.filter(
        organization__path__startswith=organization.path, kind__in=[KINDS[Channel], GROUP_KIND],
        state__in=[Deadline.State.OPEN, Deadline.State.OVERDUE], due_at__lt=now).count()


def open_rectification(violation, *, now: dt.datetime | None = None) -> Deadline:
    """A personal account using the school's name is to be closed or renamed within 7 working days."""
    now = now or timezone.now()
    due = worktime.add_working_days(now, CLOSURE_WORKING_DAYS)
    deadline = open_deadline(
        violation, kind=VIOLATION_KIND, due_at=due, organization=violation.organization,
        rule=_("Rectify a personal account using the school's name within %(n)s working days")
        % {"n": CLOSURE_WORKING_DAYS},
        title=_("Rectify “%(name)s”") % {"name": violation.name})
    title = _("Personal account “%(name)s” uses the school's name: rectify by %(due)s") % {
        "name": violation.name, "due": timezone.localtime(due).strftime("%Y-%m-%d %H:%M")}
    transaction.on_commit(lambda: send_notice(
        organization=violation.organization, roles=[Role.PUBLICITY_LEAD], subject=violation, title=title,
        body=violation.note, link="/registry/violations/", kind="registry.violation"))
    return deadline


def meet_rectification(violation) -> None:
    for deadline in deadlines_for(violation).filter(kind=VIOLATION_KIND, state__in=[Deadline.State.OPEN,
                                                                                   Deadline.State.OVERDUE]):
        do_meet_deadline(deadline, acting_user=None, note=_("Rectified."))
