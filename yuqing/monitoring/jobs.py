"""Scheduled collection: every 30 s, claim each due pull source and collect it (here or on a Celery worker)."""

from __future__ import annotations

import logging
import time
from datetime import datetime, timedelta

from django.db import IntegrityError
from django.db.models import Q
from django.utils import timezone

from yuqing.monitoring.models import Source
from yuqing.monitoring.pipeline import CollectOutcome, collect_source
from yuqing.monitoring.polling import effective_interval
from yuqing.system.scheduler import background_task, celery_enabled, dispatch, periodic

log = logging.getLogger(__name__)

# A claim expires after this long, so a source whose worker died is collected again on a later tick.
CLAIM_SECONDS = 600


def due_sources(now: datetime | None = None):
    now = now or timezone.now()
    return (
        Source.objects.filter(enabled=True, kind__in=Source.PULL_KINDS)
        .filter(Q(next_run_at__isnull=True) | Q(next_run_at__lte=now))
        .filter(Q(locked_until__isnull=True) | Q(locked_until__lt=now))
        .order_by("next_run_at", "pk")
    )


def claim_source(source: Source, now: datetime | None = None) -> bool:
    """Claim a due source with one UPDATE … WHERE; exactly one caller wins even with many workers."""
    now = now or timezone.now()
    won = (
        Source.objects.filter(pk=source.pk, enabled=True)
        .filter(Q(next_run_at__isnull=True) | Q(next_run_at__lte=now))
        .filter(Q(locked_until__isnull=True) | Q(locked_until__lt=now))
        .update(locked_until=now + timedelta(seconds=CLAIM_SECONDS),
                next_run_at=now + timedelta(seconds=effective_interval(source, now)))
    )
    return bool(won)


def collect_due(*, now: datetime | None = None, inline: bool = True) -> list[CollectOutcome]:
    """Collect every due source once. Inline returns the outcomes; otherwise each claimed source is a task."""
    outcomes: list[CollectOutcome] = []
    for source in list(due_sources(now).select_related("organization")):
        if not claim_source(source, now):
            continue
        if inline:
            outcomes.append(collect_source(source))
        else:
            dispatch("monitoring.collect_source", source_id=source.pk)
    return outcomes


@periodic("monitoring.collect", seconds=30)
def collect_job() -> None:
    # With Celery the workers spread the sources; embedded, tasks run on the worker thread one by one.
    collect_due(inline=not celery_enabled())


@background_task("monitoring.collect_source")
def collect_source_task(source_id: int) -> str:
    source = Source.objects.select_related("organization").filter(pk=source_id).first()
    if source is None:
        return "gone"
    return collect_source(source).summary()


@background_task("monitoring.store_entries")
def store_entries_task(organization_id: int, source_id: int | None, entries: list[dict]) -> int:
    """Store serialised entries (RawEntry.to_dict()); used to spread a big batch over Celery workers."""
    from yuqing.collection.entries import RawEntry
    from yuqing.collection.timeparse import parse_time
    from yuqing.monitoring.pipeline import store_entries

    source = Source.objects.filter(pk=source_id).first() if source_id else None
    raw = []
    for data in entries:
        data = dict(data)
        if data.get("published"):
            data["published"] = parse_time(data["published"])
        raw.append(RawEntry(**data))
    for attempt in range(3):
        try:
            return len(store_entries(organization_id, source, raw).new_ids)
        except IntegrityError:
            # storing is idempotent: after other workers' clashes settle, the whole batch merges cleanly
            if attempt == 2:
                raise
            time.sleep(1 + attempt)
    return 0


@background_task("monitoring.import")
def import_file_run(run_id: int, filename: str, mapping: dict, platform: str = "") -> None:
    """A file import started on the import page: stores the rows with progress, keeps the outcome for its page."""
    from yuqing.monitoring import actions
    from yuqing.system import runs

    with runs.running(run_id) as progress:
        run = progress.run
        outcome = actions.do_import_file(organization=run.organization, acting_user=run.created_by,
                                         data=progress.read_input(), filename=filename, mapping=mapping,
                                         platform=platform, progress=progress.update)
        progress.result = {
            "rows": outcome.rows, "new": len(outcome.stored.new_ids), "updated": len(outcome.stored.updated_ids),
            "unchanged": outcome.stored.unchanged, "bad": len(outcome.errors),
            "errors": [{"row": e.index, "column": e.field or "", "message": _row_problem(e)}
                       for e in outcome.errors[:200]],
        }


def _row_problem(error) -> str:
    """A bad row's problem in the interface's language (the worker has no request to take it from)."""
    from django.conf import settings
    from django.utils import translation

    if not error.template:
        return str(error.message)
    with translation.override(settings.LANGUAGE_CODE):
        try:
            return translation.gettext(error.template) % error.params
        except (KeyError, TypeError, ValueError):
            return str(error.message)
