"""Demo notification: a signed webhook to Yuqing's own demo receiver and a duty roster with `monitor` on duty.

The receiver (/notify/demo-receiver/) is served by Yuqing itself, so the demo's alerts show in the delivery
log and on /notify/demo-receiver/log/ without internet. Its address follows the site URL (YUQING_SITE_URL, else
the address `yuqing run` serves on) and is moved there when the demo is served somewhere else.
"""

from __future__ import annotations

import secrets
from datetime import datetime, time, timedelta

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone

from yuqing.levels import Level
from yuqing.notify import actions
from yuqing.notify.models import DutyShift, Notifier
from yuqing.orgs.models import Organization
from yuqing.siteurl import site_url

DEMO_NOTIFIER = "演示接收器（本机 webhook）"
SCHOOL = "no1-middle"


def base_url() -> str:
    return site_url()


def retarget() -> int:
    """Point the demo notifier at this site's own receiver; returns how many notifiers moved."""
    root = get_user_model().objects.filter(username="sysadmin").first()
    moved = 0
    for notifier in Notifier.objects.filter(name=DEMO_NOTIFIER, kind=Notifier.Kind.WEBHOOK):
        wanted = f"{base_url()}/notify/demo-receiver/"
        if root is not None and notifier.secrets().get("url") != wanted:
            actions.do_update_notifier(notifier, acting_user=root, settings={**notifier.config, "url": wanted})
            moved += 1
        if root is not None:
            _allow_receiver(root)
    return moved


def _allow_receiver(root) -> None:
    """The receiver is this very server, usually on loopback: the outbound guard refuses that unless a system
    administrator allowed it, so the demo allows exactly its host and port (recorded in the audit log)."""
    from urllib.parse import urlsplit

    from yuqing.system.models import AllowedDestination
    from yuqing.system.outbound_actions import do_allow_destination

    parts = urlsplit(base_url())
    host = parts.hostname or "127.0.0.1"
    pattern = f"[{host}]:{parts.port or 80}" if ":" in host else f"{host}:{parts.port or 80}"
    if not AllowedDestination.objects.filter(pattern=pattern).exists():
        do_allow_destination(pattern=pattern, note="the demo's own webhook receiver", acting_user=root)


def load() -> str | None:
    """Create what is missing; safe to run again."""
    User = get_user_model()
    school = Organization.objects.filter(slug=SCHOOL).first()
    root = User.objects.filter(username="sysadmin").first()
    if school is None or root is None:
        return None
    made = []
    retarget()
    with transaction.atomic():
        if not Notifier.objects.filter(organization=school, name=DEMO_NOTIFIER).exists():
            actions.do_create_notifier(
                organization=school, kind=Notifier.Kind.WEBHOOK, name=DEMO_NOTIFIER, acting_user=root,
                settings={"url": f"{base_url()}/notify/demo-receiver/", "secret": secrets.token_urlsafe(24)},
                min_level=int(Level.GENERAL),
            )
            made.append("推送到 /notify/demo-receiver/ 的 webhook 通知渠道")
        _allow_receiver(root)
        if not DutyShift.objects.filter(organization=school).exists():
            today = timezone.localdate()
            tz = timezone.get_current_timezone()
            start = datetime.combine(today, time.min, tzinfo=tz)
            roster = [("monitor", start, start + timedelta(days=1, hours=8), "演示：今日值班"),
                      ("publicity", start + timedelta(days=1, hours=8), start + timedelta(days=1, hours=20),
                       "演示：明日白班")]
            for username, starts, ends, note in roster:
                user = User.objects.filter(username=username).first()
                if user is not None:
                    actions.do_add_shift(organization=school, user=user, starts_at=starts, ends_at=ends, note=note,
                                         acting_user=root)
            made.append("值班表（今日由 monitor 值班）")
    if not made:
        return None
    return "演示预警：" + "；".join(made) + f"（见 {base_url()}/notify/）。"
