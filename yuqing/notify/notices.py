"""Notices (通知): tell people what they must do, in the inbox and by e-mail through the alert machinery.

A notice is stored once per person for the in-app inbox. People with an e-mail address also get it through the
nearest enabled e-mail notifier of the organisation or above — as deliveries of one alert of kind "notice", so
the notifier's quiet hours (urgent notices ignore them), rate limit, retries and delivery log apply as they do
to event alerts.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.contrib.auth import get_user_model
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext

from yuqing.audit.log import record
from yuqing.levels import Level
from yuqing.notify.alerts import create_deliveries
from yuqing.notify.models import Alert, Delivery, Notice
from yuqing.notify.routing import Target, email_notifier_for
from yuqing.orgs.models import Membership
from yuqing.system.scheduler import dispatch

# Quiet hours hold what is below 重大; an urgent notice must never wait, a normal one may.
URGENCY_LEVEL = {Notice.Urgency.NORMAL: Level.GENERAL, Notice.Urgency.URGENT: Level.MAJOR}


def people_of(organization, roles: Iterable[str]) -> list:
    """Active members of `organization` holding any of `roles`."""
    roles = list(roles)
    if not roles:
        return []
    ids = Membership.objects.filter(organization=organization, role__in=roles).values_list("user_id", flat=True)
    return list(get_user_model().objects.filter(pk__in=ids, is_active=True).order_by("pk"))


def send_notice(*, organization, recipients=(), roles=(), subject=None, title: str, body: str = "",
                urgency: str = "normal", link: str = "", kind: str = "notice") -> list[Notice]:
    """One notice per person (recipients and members of `organization` holding `roles`), e-mailed where possible.

    Call it after the commit of the change it tells about (e.g. from a signal receiver or on_commit).
    """
    if urgency not in Notice.Urgency.values:
        raise ValidationError({"urgency": gettext("Unknown urgency “%(value)s”; use normal or urgent.")
                               % {"value": urgency}})
    title = (title or "").strip()
    if not title:
        raise ValidationError({"title": gettext("A notice needs a title.")})
    people: dict[int, object] = {}
    for user in [*recipients, *people_of(organization, roles)]:
        if user is not None and user.is_active:
            people.setdefault(user.pk, user)
    if not people:
        return []
    subject_type = ContentType.objects.get_for_model(type(subject)) if subject is not None else None
    subject_id = str(subject.pk) if subject is not None else ""
    now = timezone.now()
    level = URGENCY_LEVEL[urgency]
    with transaction.atomic():
        notices = [
            Notice.objects.create(
                organization=organization, recipient=user, kind=kind[:64], title=title[:300], body=body,
                urgency=urgency, link=link[:500], subject_type=subject_type, subject_id=subject_id, created_at=now,
            )
            for user in people.values()
        ]
        deliveries = _email(notices, organization, level, title, body, now)
        record(actor=None, action="notice.send", obj=notices[0], organization=organization,
               after={"kind": kind, "title": title, "urgency": urgency, "link": link,
                      "recipients": [u.username for u in people.values()],
                      "subject": f"{subject_type.app_label}.{subject_type.model}:{subject_id}" if subject_type
                      else ""})
    due = [d.pk for d in deliveries if d.status == Delivery.Status.PENDING]
    if due:
        dispatch("notify.deliver", delivery_ids=due)
    return notices


def _email(notices: list[Notice], organization, level: Level, title: str, body: str, now) -> list[Delivery]:
    chain = list(reversed(list(organization.ancestors())))  # the organisation first, then up the tree
    mailer = email_notifier_for(chain)
    if mailer is None:
        return []
    targets, seen = [], set()
    for notice in notices:
        address = (notice.recipient.email or "").strip().lower()
        if address and address not in seen:
            seen.add(address)
            targets.append(Target(mailer, address, f"notice: {notice.kind}"))
    if not targets:
        return []
    alert = Alert.objects.create(organization=organization, kind=Alert.Kind.NOTICE, level=int(level),
                                 title=title[:500], reasons=[body] if body else [])
    Notice.objects.filter(pk__in=[n.pk for n in notices]).update(alert=alert)
    for notice in notices:
        notice.alert = alert
    return create_deliveries(alert, targets, now)


def unread_count(user) -> int:
    if user is None or not user.is_authenticated:
        return 0
    return Notice.objects.filter(recipient=user, read_at__isnull=True).count()


def do_mark_notices_read(*, acting_user, notice_ids: Iterable[int] | None = None) -> int:
    """Mark the person's own notices (these, or all) as read; returns how many changed.

    Not audited: whether a person has opened their own notices is their inbox's state, not a decision.
    """
    qs = Notice.objects.filter(recipient=acting_user, read_at__isnull=True)
    if notice_ids is not None:
        qs = qs.filter(pk__in=list(notice_ids))
    return qs.update(read_at=timezone.now())
