"""The retention run: per organisation, items past the period are removed in bounded batches.

Each batch is one transaction: the items no protector keeps are deleted with their metric samples, mentions
(without an event: those of events are protected) and search documents. A run does at most `max_batches`
batches, so the periodic job costs the same however much is due; the next run continues where it stopped.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.db import transaction
from django.utils import timezone

from yuqing.audit.log import record
from yuqing.retention import protectors
from yuqing.retention.models import RetentionPolicy, RetentionRun, default_days

BATCH = 1000
MAX_BATCHES = 50
# Key-term index rows this much older than the grouping window can no longer match a new mention.
KEY_TERM_SLACK = timedelta(days=7)


@dataclass
class OrgOutcome:
    organization: str
    keep_days: int
    cutoff: datetime
    removed: int = 0
    kept: int = 0
    mentions: int = 0
    metrics: int = 0
    kept_by: dict[str, int] = field(default_factory=dict)


@dataclass
class Outcome:
    dry_run: bool
    complete: bool = True
    organizations: list[OrgOutcome] = field(default_factory=list)
    keys_removed: int = 0

    @property
    def removed(self) -> int:
        return sum(o.removed for o in self.organizations)

    @property
    def kept(self) -> int:
        return sum(o.kept for o in self.organizations)


def keep_days_for(org, policies: dict[int, int]) -> int:
    """The organisation's own period, else its nearest ancestor's, else the default (two years)."""
    for pk in reversed([int(p) for p in org.path.strip("/").split("/") if p]):
        if pk in policies:
            return policies[pk]
    return default_days()


def run(*, dry_run: bool = False, now: datetime | None = None, organizations=None, batch: int = BATCH,
        max_batches: int = MAX_BATCHES) -> Outcome:
    from yuqing.orgs.models import Organization

    now = now or timezone.now()
    started = timezone.now()
    outcome = Outcome(dry_run=dry_run)
    policies = dict(RetentionPolicy.objects.values_list("organization_id", "keep_days"))
    orgs = list(organizations if organizations is not None else Organization.objects.order_by("path"))
    budget = max_batches
    for org in orgs:
        days = keep_days_for(org, policies)
        result = OrgOutcome(org.slug, days, now - timedelta(days=days))
        budget = _run_org(org, result, dry_run, batch, budget)
        outcome.organizations.append(result)
        if result.removed and not dry_run:
            record(actor=None, action="retention.remove", obj=None, organization=org,
                   after={"items": result.removed, "mentions": result.mentions, "metrics": result.metrics,
                          "kept": result.kept, "kept_by": result.kept_by, "keep_days": days,
                          "before": result.cutoff.isoformat()},
                   object_repr=f"{org.slug}: {result.removed}")
        if budget <= 0:
            outcome.complete = False
            break
    if not dry_run:
        outcome.keys_removed = _prune_keys(now, batch)
    RetentionRun.objects.create(
        started_at=started, finished_at=timezone.now(), dry_run=dry_run, complete=outcome.complete,
        items_removed=outcome.removed, items_kept=outcome.kept,
        mentions_removed=sum(o.mentions for o in outcome.organizations),
        metrics_removed=sum(o.metrics for o in outcome.organizations), keys_removed=outcome.keys_removed)
    return outcome


def _run_org(org, result: OrgOutcome, dry_run: bool, batch: int, budget: int) -> int:
    from yuqing.detection.models import Mention
    from yuqing.monitoring.models import Item, ItemMetric

    due = Item.objects.filter(organization_id=org.pk, first_seen_at__lt=result.cutoff)
    after_id = 0
    while budget > 0:
        # keyset over (id) inside the (organization, first_seen_at) range: protected rows are stepped over
        ids = list(due.filter(pk__gt=after_id).order_by("pk").values_list("pk", flat=True)[:batch])
        if not ids:
            break
        budget -= 1
        after_id = ids[-1]
        kept_by = protectors.protected(ids)
        keep = set().union(*kept_by.values()) if kept_by else set()
        for name, kept in kept_by.items():
            if kept:
                result.kept_by[name] = result.kept_by.get(name, 0) + len(kept)
        remove = [pk for pk in ids if pk not in keep]
        result.kept += len(ids) - len(remove)
        if not remove:
            continue
        if dry_run:
            result.removed += len(remove)
            result.mentions += Mention.objects.filter(item_id__in=remove).count()
            result.metrics += ItemMetric.objects.filter(item_id__in=remove).count()
            continue
        with transaction.atomic():
            # the ORM's cascade: metric samples and search documents go with a single DELETE each, mentions
            # with their scheme links and judgements; copies of a removed original lose the link (SET_NULL)
            _total, per_model = Item.objects.filter(pk__in=remove).delete()
        result.removed += per_model.get("monitoring.Item", 0)
        result.mentions += per_model.get("detection.Mention", 0)
        result.metrics += per_model.get("monitoring.ItemMetric", 0)
    return budget


def _prune_keys(now: datetime, batch: int) -> int:
    from yuqing.detection.models import EventKey
    from yuqing.detection.pipeline import GROUPING_WINDOW

    cutoff = now - GROUPING_WINDOW - KEY_TERM_SLACK
    ids = list(EventKey.objects.filter(kind=EventKey.Kind.TERM, last_seen_at__lt=cutoff)
               .order_by("pk").values_list("pk", flat=True)[: batch * MAX_BATCHES])
    removed = 0
    for start in range(0, len(ids), batch):
        removed += EventKey.objects.filter(pk__in=ids[start : start + batch])._raw_delete(EventKey.objects.db)
    return removed


def last_runs(n: int = 5):
    return RetentionRun.objects.all()[:n]
