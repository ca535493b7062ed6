"""Changing an organisation's retention period: permission check, audit record, one transaction."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from yuqing.audit.log import record
from yuqing.orgs import permissions
from yuqing.orgs.permissions import Perm
from yuqing.retention.models import RetentionPolicy

MIN_DAYS = 30
MAX_DAYS = 36_500


def do_set_retention(organization, keep_days, *, acting_user) -> RetentionPolicy:
    permissions.require(acting_user, Perm.MANAGE_ORGANIZATION, organization)
    try:
        days = int(keep_days)
    except (TypeError, ValueError):
        raise ValidationError({"keep_days": _("Enter a whole number of days.")}) from None
    if not MIN_DAYS <= days <= MAX_DAYS:
        raise ValidationError({"keep_days": _("Keep items between %(low)s and %(high)s days.")
                               % {"low": MIN_DAYS, "high": MAX_DAYS}})
    with transaction.atomic():
        policy = RetentionPolicy.objects.select_for_update().filter(organization=organization).first()
        before = {"keep_days": policy.keep_days} if policy else None
        if policy is None:
            policy = RetentionPolicy(organization=organization)
        policy.keep_days = days
        policy.save()
        record(actor=acting_user, action="retention.set", obj=policy, organization=organization,
               before=before, after={"keep_days": days})
    return policy
