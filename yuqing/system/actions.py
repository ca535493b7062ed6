"""Writes of the system app: the working-day calendar's override rows, by system administrators, audited."""

from __future__ import annotations

from datetime import date

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from yuqing import worktime
from yuqing.audit.log import record, snapshot
from yuqing.orgs import permissions
from yuqing.system.models import CalendarDay

_FIELDS = ["date", "kind", "name", "note"]


def do_set_calendar_day(*, day: date, kind: str, name: str = "", note: str = "", acting_user) -> CalendarDay:
    """Create or replace the override of ``day``: it becomes a day off or a working day whatever the package
    says."""
    permissions.require_sysadmin(acting_user)
    if kind not in CalendarDay.Kind.values:
        raise ValidationError({"kind": [_("Choose a day off or a working day.")]})
    with transaction.atomic():
        existing = CalendarDay.objects.select_for_update().filter(date=day).first()
        before = snapshot(existing, _FIELDS)
        row = existing or CalendarDay(date=day)
        row.kind, row.name, row.note, row.updated_by = kind, name.strip(), note.strip(), acting_user
        row.full_clean()
        row.save()
        record(actor=acting_user, action="calendar_day.update" if existing else "calendar_day.create", obj=row,
               before=before, after=snapshot(row, _FIELDS))
    transaction.on_commit(worktime.forget_overrides)
    return row


def do_delete_calendar_day(row: CalendarDay, *, acting_user) -> None:
    """Remove an override: the package's schedule (or the weekend rule) applies to that day again."""
    permissions.require_sysadmin(acting_user)
    with transaction.atomic():
        record(actor=acting_user, action="calendar_day.delete", obj=row, before=snapshot(row, _FIELDS))
        row.delete()
    transaction.on_commit(worktime.forget_overrides)
