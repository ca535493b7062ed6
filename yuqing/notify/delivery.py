"""Sending due deliveries: atomic claiming, per-notifier rate limits kept in the database, quiet hours, retries.

Several processes (the embedded worker, Celery workers) may run this at the same time:
- a delivery is claimed with one UPDATE … WHERE status IN (pending, held, stale sending) AND next_attempt_at
  <= now, so exactly one process sends it; the claim is a lease, so a worker that dies mid-send does not
  lose it;
- the rate limit is a budget in the database: under a lock on the notifier's row, the attempts of that
  notifier in the last 60 s are counted and this attempt is recorded in the same transaction, so workers
  cannot overshoot together. A delivery over budget is deferred to when a slot frees, never dropped.
"""

from __future__ import annotations

import dataclasses
import logging
from collections import Counter
from collections.abc import Iterable
from datetime import datetime, timedelta

from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone

from yuqing import outbound, workflow
from yuqing.levels import Level
from yuqing.notify.models import Alert, Delivery, Notifier
from yuqing.notify.transports import (
    ConfigError,
    DeliveryResult,
    Message,
    release_time,
    retry_delay,
    should_hold,
)
from yuqing.siteurl import site_url

log = logging.getLogger(__name__)

CLAIMABLE = (Delivery.Status.PENDING, Delivery.Status.HELD, Delivery.Status.SENDING)
# A claimed delivery belongs to its worker for this long; after that another worker may take it over.
CLAIM_LEASE = timedelta(seconds=120)
RATE_WINDOW = timedelta(seconds=60)
SEND_TIMEOUT = 10.0
BATCH = 200
RETRY_JITTER = 0.1


class Outcome:
    SENT = "sent"
    FAILED = "failed"
    RETRY = "retry"
    HELD = "held"
    DEFERRED = "deferred"
    SKIPPED = "skipped"


def message_for(alert: Alert) -> Message:
    """The alert as every channel renders it: level, title, reasons, a link to the event."""
    if alert.kind == Alert.Kind.NOTICE:
        notice = alert.notices.order_by("pk").first()
        link = (notice.link if notice else "") or "/inbox/"
        url = link if "://" in link else f"{site_url()}{link}"
        text = alert.reasons[0] if alert.reasons else ""
        return Message(title=alert.title, text=text, url=url,
                       level="紧急" if Level(alert.level).is_major else "通知")
    if alert.event_id:
        url = f"{site_url()}/detection/events/{alert.event_id}/"
    elif alert.source_id:
        url = f"{site_url()}/monitoring/sources/{alert.source_id}/"
    else:
        url = f"{site_url()}/notify/alerts/{alert.pk}/"
    text = "\n".join(f"- {reason}" for reason in alert.reasons or [])
    label = Level(alert.level).label
    if alert.kind == Alert.Kind.PROPOSAL:
        # Not a level yet: the person on duty decides in 研判.
        label = f"疑似{label} · 待研判"
    return Message(title=alert.title, text=text, url=url, level=label, event_id=alert.event_id)


def send_message(notifier: Notifier, message: Message, recipient: str = "") -> DeliveryResult:
    """One attempt through `notifier` (to `recipient` only, for personal e-mails)."""
    try:
        config = notifier.transport_config()
    except ConfigError as error:
        return DeliveryResult.invalid_config(error)
    if recipient and notifier.kind == Notifier.Kind.EMAIL:
        config = dataclasses.replace(config, to_addrs=(recipient,))
    # Every channel goes out through the outbound guard: no loopback, private or other special address unless a
    # system administrator allowed it, whoever configured the notifier.
    policy = outbound.current_policy()
    if notifier.kind == Notifier.Kind.EMAIL:
        return notifier.transport.send(config, message, timeout=SEND_TIMEOUT, policy=policy)
    with outbound.guarded_client(policy=policy, proxy=outbound.current_proxy(notifier.proxy),
                                 timeout=SEND_TIMEOUT) as client:
        return notifier.transport.send(config, message, client=client, timeout=SEND_TIMEOUT)


def deliver(delivery_ids: Iterable[int] | None = None, *, now: datetime | None = None) -> Counter:
    """Send the due deliveries (all, or those of `delivery_ids`); returns how many ended how."""
    start = now or timezone.now()
    due = Delivery.objects.filter(status__in=CLAIMABLE, next_attempt_at__lte=start)
    if delivery_ids is not None:
        due = due.filter(pk__in=list(delivery_ids))
    # Major alerts first, then the oldest.
    ids = list(due.order_by("-alert__level", "next_attempt_at", "pk").values_list("pk", flat=True)[:BATCH])
    outcomes: Counter = Counter()
    for pk in ids:
        outcomes[deliver_one(pk, now=now)] += 1
    return outcomes


def claim(pk: int, now: datetime) -> bool:
    # One conditional UPDATE (a lease): exactly one worker wins, and no row lock is held while it sends.
    return workflow.claim_transition(Delivery, pk, Delivery.Status.SENDING, condition=Q(next_attempt_at__lte=now),
                                     next_attempt_at=now + CLAIM_LEASE)


def _move(delivery: Delivery, to: str, reason: str = "", **values) -> None:
    workflow.do_transition(delivery, to, acting_user=None, reason=reason[:500], **values)


def deliver_one(pk: int, *, now: datetime | None = None) -> str:
    now = now or timezone.now()
    if not claim(pk, now):
        return Outcome.SKIPPED
    delivery = Delivery.objects.select_related("alert", "notifier").get(pk=pk)
    notifier, alert = delivery.notifier, delivery.alert
    if notifier is None or not notifier.enabled:
        reason = "the notifier was removed" if notifier is None else "the notifier is disabled"
        _finish(delivery, DeliveryResult(ok=False, error=reason), now, final=True)
        return Outcome.FAILED
    window = _window(notifier)
    if window is not None and should_hold(alert.level, now, window):
        _move(delivery, Delivery.Status.HELD, f"quiet hours {window}", next_attempt_at=release_time(now, window))
        return Outcome.HELD
    free_at = reserve_slot(delivery, notifier, now)
    if free_at is not None:
        _move(delivery, Delivery.Status.PENDING, "rate limit", next_attempt_at=free_at)
        return Outcome.DEFERRED
    result = send_message(notifier, message_for(alert), delivery.recipient)
    delivery.refresh_from_db(fields=["attempts"])
    if result.ok:
        _finish(delivery, result, now, final=True)
        return Outcome.SENT
    delay = retry_delay(delivery.attempts, jitter=RETRY_JITTER) if result.retryable else None
    if delay is None:
        _finish(delivery, result, now, final=True)
        return Outcome.FAILED
    _finish(delivery, result, now, final=False, next_attempt_at=now + timedelta(seconds=delay))
    return Outcome.RETRY


def _window(notifier: Notifier):
    try:
        return notifier.quiet_window()
    except ValueError:
        log.warning("notifier %s has unreadable quiet hours %r; ignoring them", notifier.pk, notifier.quiet_hours)
        return None


def reserve_slot(delivery: Delivery, notifier: Notifier, now: datetime) -> datetime | None:
    """Record this attempt if the notifier's budget allows it now; otherwise when the next slot frees."""
    limit = notifier.rate_limit_per_minute
    with transaction.atomic():
        # The row lock serialises the count-and-record of concurrent workers (SQLite serialises all writers).
        Notifier.objects.select_for_update().filter(pk=notifier.pk).values_list("pk", flat=True).first()
        recent = list(
            Delivery.objects.filter(notifier=notifier, last_attempt_at__gt=now - RATE_WINDOW)
            .order_by("-last_attempt_at").values_list("last_attempt_at", flat=True)[:limit]
        )
        if len(recent) >= limit:
            return recent[-1] + RATE_WINDOW
        Delivery.objects.filter(pk=delivery.pk).update(last_attempt_at=now, attempts=F("attempts") + 1)
    return None


def _finish(delivery: Delivery, result: DeliveryResult, now: datetime, *, final: bool,
            next_attempt_at: datetime | None = None) -> None:
    if result.ok:
        status = Delivery.Status.SENT
    elif final:
        status = Delivery.Status.FAILED
    else:
        status = Delivery.Status.PENDING
    values = {"next_attempt_at": next_attempt_at} if next_attempt_at is not None else {}
    _move(
        delivery, status, "" if result.ok else result.error,
        sent_at=now if result.ok else None,
        status_code=result.status_code,
        provider_response=result.provider_response,
        truncated=result.truncated,
        error=result.error,
        **values,
    )
    if delivery.notifier_id:
        if result.ok:
            Notifier.objects.filter(pk=delivery.notifier_id).update(last_success_at=now)
        elif final:
            Notifier.objects.filter(pk=delivery.notifier_id).update(
                last_failure_at=now, last_error=(result.error + ": " + result.provider_response)[:2000].strip(": ")
            )
