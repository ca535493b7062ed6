"""Raising alerts: one per event and level, routed to notifiers and to the people on duty and responsible."""

from __future__ import annotations

from datetime import datetime, timedelta

from django.db import IntegrityError, transaction
from django.utils import timezone

from yuqing.audit.log import record
from yuqing.levels import Level
from yuqing.notify.models import Alert, Delivery
from yuqing.notify.routing import Target, duty_targets, targets_for
from yuqing.notify.transports import release_time, should_hold
from yuqing.system.scheduler import dispatch

# A failing source is alerted once per failing streak, and again after this long if it is still failing.
SOURCE_ALERT_REPEAT = timedelta(hours=24)


def raise_alert(event, level, reasons: list[str]) -> Alert | None:
    """Alert about `event` at `level` (a grading.Level or any alias) for `reasons`; None if already alerted.

    Idempotent: an event gets at most one alert per level (a database constraint), and none for a level
    below one it was already alerted at, so calling it again after a re-evaluation is safe and a rise
    alerts again. The deliveries leave after the caller's transaction commits.
    """
    level = Level.from_label(level)
    if Alert.objects.filter(event=event, kind=Alert.Kind.EVENT, level__gte=level).exists():
        return None
    org = event.organization
    return _raise(
        dict(organization=org, event=event, kind=Alert.Kind.EVENT, level=int(level),
             title=(event.title or f"#{event.pk}")[:500], reasons=[str(r) for r in reasons]),
        level,
    )


def raise_proposal_alert(event, level, reasons: list[str]) -> Alert | None:
    """Tell only the people on duty that a topic proposes `level` for `event` (待研判); None if already told.

    No channels and no publicity lead, leader or supervisor: the proposal has not taken effect until the
    person on duty confirms it in 研判 (then `raise_alert` tells everyone the level concerns).
    """
    level = Level.from_label(level)
    if Alert.objects.filter(event=event, kind__in=[Alert.Kind.EVENT, Alert.Kind.PROPOSAL],
                            level__gte=level).exists():
        return None
    targets = duty_targets(event.organization, timezone.now())
    if not targets:
        # Nobody on duty: the proposal waits on the event page (and in the audit log) for whoever looks next.
        return None
    return _raise(
        dict(organization=event.organization, event=event, kind=Alert.Kind.PROPOSAL, level=int(level),
             title=(event.title or f"#{event.pk}")[:500], reasons=[str(r) for r in reasons]),
        level, targets=targets,
    )


def raise_source_alert(source, failures: int, error: str) -> Alert | None:
    """Tell the people responsible that a source keeps failing; once per failing streak (and per day)."""
    now = timezone.now()
    since = now - SOURCE_ALERT_REPEAT
    if source.last_success_at and source.last_success_at > since:
        since = source.last_success_at
    if Alert.objects.filter(source=source, kind=Alert.Kind.SOURCE_HEALTH, created_at__gte=since).exists():
        return None
    reasons = [f"连续失败 {failures} 次"]
    if error:
        reasons.append(str(error)[:500])
    return _raise(
        dict(organization=source.organization, source=source, kind=Alert.Kind.SOURCE_HEALTH,
             level=int(Level.GENERAL), title=f"信息源采集失败：{source.name}"[:500], reasons=reasons),
        Level.GENERAL,
    )


def on_source_failing(sender, source, failures: int, error: str = "", **kwargs) -> None:
    """Receiver of monitoring's `source_failing` signal."""
    raise_source_alert(source, failures, error)


def _raise(values: dict, level: Level, targets: list[Target] | None = None) -> Alert | None:
    now = timezone.now()
    if targets is None:
        targets = targets_for(values["organization"], level, now)
    try:
        with transaction.atomic():
            alert = Alert.objects.create(**values)
            deliveries = create_deliveries(alert, targets, now)
            record(
                actor=None, action="alert.raise", obj=alert, organization=alert.organization,
                after={
                    "kind": alert.kind, "level": level.label, "title": alert.title, "reasons": alert.reasons,
                    "event": alert.event_id, "source": alert.source_id,
                    "deliveries": [
                        {"notifier": d.notifier.name, "recipient": d.recipient, "why": d.reason, "status": d.status}
                        for d in deliveries
                    ],
                },
            )
    except IntegrityError:
        # Another process alerted this event at this level first.
        return None
    due = [d.pk for d in deliveries if d.status == Delivery.Status.PENDING]
    if due:
        dispatch("notify.deliver", delivery_ids=due)
    return alert


def create_deliveries(alert: Alert, targets: list[Target], now: datetime) -> list[Delivery]:
    """One delivery per target: pending now, or held until the end of the notifier's quiet hours."""
    deliveries = []
    for target in targets:
        window = target.notifier.quiet_window()
        if window is not None and should_hold(alert.level, now, window):
            status, when = Delivery.Status.HELD, release_time(now, window)
        else:
            status, when = Delivery.Status.PENDING, now
        deliveries.append(Delivery.objects.create(
            alert=alert, notifier=target.notifier, recipient=target.recipient, reason=target.reason[:200],
            status=status, next_attempt_at=when,
        ))
    return deliveries
