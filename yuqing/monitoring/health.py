"""A source's health in plain words, for the source pages, the CLI and the API."""

from __future__ import annotations

import enum

from django.utils import timezone
from django.utils.timesince import timesince
from django.utils.translation import gettext as _

from yuqing.monitoring.models import Source


class Health(enum.StrEnum):
    NEW = "new"
    OK = "ok"
    WARNING = "warning"  # failed recently, not yet flagged
    FAILING = "failing"  # flagged after N failures in a row
    DISABLED = "disabled"
    PASSIVE = "passive"  # push, import and tip sources are not fetched


def health(source: Source) -> Health:
    if not source.enabled:
        return Health.DISABLED
    if source.flagged:
        return Health.FAILING
    if source.consecutive_failures:
        return Health.WARNING
    if not source.is_pull:
        return Health.PASSIVE if source.last_attempt_at is None else Health.OK
    return Health.OK if source.last_success_at else Health.NEW


def health_text(source: Source) -> str:
    state = health(source)
    now = timezone.now()
    if state is Health.DISABLED:
        return _("Disabled: not collected.")
    if state in (Health.FAILING, Health.WARNING):
        words = _("Failed %(n)s time(s) in a row; last error: %(error)s") % {
            "n": source.consecutive_failures, "error": source.last_error or _("unknown")}
        if source.last_success_at:
            words += " " + _("(last success %(ago)s ago)") % {"ago": timesince(source.last_success_at, now)}
        return words
    if state is Health.NEW:
        return _("Not checked yet.")
    if state is Health.PASSIVE:
        return _("Waiting for items to be pushed, imported or submitted.")
    when = source.last_success_at or source.last_attempt_at
    return _("Working: last success %(ago)s ago, %(n)s entries.") % {
        "ago": timesince(when, now), "n": source.last_item_count}
