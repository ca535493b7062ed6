"""Filters shared by the mention and event pages, the API and the CLI."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime, time

from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.dateparse import parse_date

from yuqing.levels import Level


def _level(value: str) -> int | None:
    try:
        return int(Level.from_label(int(value) if value.isdigit() else value))
    except ValueError:
        return None


def start_of(value: str) -> datetime | None:
    """Midnight (local time) at the start of an ISO date, or None when it is not one."""
    day = parse_date(value) if value else None
    if day is None:
        return None
    return timezone.make_aware(datetime.combine(day, time.min))


def filter_mentions(qs: QuerySet, params: Mapping[str, str]) -> QuerySet:
    if org := params.get("organization"):
        qs = qs.filter(organization__slug=org)
    if (scheme := params.get("scheme")) and str(scheme).isdigit():
        qs = qs.filter(schemes__id=int(scheme))
    if sentiment := params.get("sentiment"):
        # The monitor's judgement wins over the classifier's label.
        qs = qs.filter(Q(judged_sentiment=sentiment) | Q(judged_sentiment="", sentiment=sentiment))
    if relevance := params.get("relevance"):
        qs = qs.filter(relevance=relevance)
    if (level := params.get("level")) and (code := _level(level)) is not None:
        qs = qs.filter(event__level=code)
    if since := start_of(params.get("since", "") or params.get("date", "")):
        qs = qs.filter(created_at__gte=since)
    if until := start_of(params.get("until", "")):
        qs = qs.filter(created_at__lt=until)
    return qs


def filter_events(qs: QuerySet, params: Mapping[str, str]) -> QuerySet:
    if org := params.get("organization"):
        qs = qs.filter(organization__slug=org)
    if (level := params.get("level")) and (code := _level(level)) is not None:
        qs = qs.filter(level=code)
    if status := params.get("status"):
        qs = qs.filter(status=status)
    if since := start_of(params.get("since", "")):
        qs = qs.filter(last_seen_at__gte=since)
    return qs
