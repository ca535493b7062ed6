"""Follow-up after handling: new posts and reach per day since the case was resolved, and where attention goes."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from django.db.models import Count
from django.db.models.functions import TruncDate
from django.utils import timezone

from yuqing.incidents.actions import case_items
from yuqing.incidents.models import Case

FALLING = "falling"
RISING = "rising"
STEADY = "steady"


@dataclass
class FollowUp:
    since: object
    until: object
    days: list[tuple[object, int]]  # (date, new posts that day)
    before: int  # new posts per day in the days before resolving
    after: int  # new posts per day since
    trend: str


def follow_up_summary(case: Case) -> FollowUp | None:
    if case.resolved_at is None:
        return None
    items = case_items(case)
    since = case.resolved_at
    until = case.follow_up_until or (since + timedelta(days=7))
    end = min(timezone.now(), until)
    per_day = dict(items.filter(first_seen_at__gte=since, first_seen_at__lte=end)
                   .annotate(day=TruncDate("first_seen_at", tzinfo=timezone.get_current_timezone()))
                   .values("day").annotate(n=Count("id")).values_list("day", "n"))
    span = max(1, (end - since).days + 1)
    days = [((since + timedelta(days=i)).astimezone(timezone.get_current_timezone()).date(), 0) for i in range(span)]
    days = [(d, per_day.get(d, 0)) for d, _ in days]
    window = max(1, span)
    before = items.filter(first_seen_at__lt=since, first_seen_at__gte=since - timedelta(days=window)).count()
    after = sum(n for _, n in days)
    # Attention falls when fewer posts came in after handling than in as long a time before it.
    trend = FALLING if after < before else RISING if after > before else STEADY
    return FollowUp(since, until, days, round(before / window), round(after / window), trend)
