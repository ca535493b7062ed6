"""Allowing and disallowing non-public outbound destinations: system administrators only, audited."""

from __future__ import annotations

from django.db import transaction

from yuqing.audit.log import record
from yuqing.orgs import permissions
from yuqing.system.models import AllowedDestination


def do_allow_destination(*, pattern: str, note: str = "", acting_user) -> AllowedDestination:
    if not permissions.may_manage_outbound(acting_user):
        raise permissions.PermissionDenied("only a system administrator may allow non-public destinations")
    entry = AllowedDestination(pattern=pattern.strip(), note=note,
                               created_by=getattr(acting_user, "username", str(acting_user)))
    entry.full_clean()
    with transaction.atomic():
        entry.save()
        record(actor=acting_user, action="outbound.allow", obj=entry, after={"pattern": entry.pattern, "note": note})
    return entry


def do_disallow_destination(entry: AllowedDestination, *, acting_user) -> None:
    if not permissions.may_manage_outbound(acting_user):
        raise permissions.PermissionDenied("only a system administrator may change the allowed destinations")
    with transaction.atomic():
        record(actor=acting_user, action="outbound.disallow", obj=entry, before={"pattern": entry.pattern})
        entry.delete()
