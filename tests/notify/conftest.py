"""Notification fixtures: the transport tests' local HTTP and SMTP servers, notifiers, events and e-mails."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from tests.notify_transports.conftest import (  # noqa: F401 - fixtures reused as they are
    RecordingServer,
    http_server,
    smtp_server,
)

WEBHOOK_SECRET = "s3cret-for-the-webhook-0123"


@pytest.fixture(autouse=True)
def _local_robots(local_servers_stand_for_public_ones):
    """The robots and mail servers of these tests listen on 127.0.0.1 and stand for public services."""


@pytest.fixture(autouse=True)
def _english_pages(settings):
    """Pages are checked in English, whatever the installation's default language."""
    settings.LANGUAGE_CODE = "en"


@pytest.fixture
def people(world):
    """Give the personas e-mail addresses so that personal alerts can reach them."""
    for name in ("publicity", "leader", "monitor", "supervisor", "editor", "school_admin", "reviewer1"):
        user = getattr(world, name)
        user.email = f"{user.username}@example.test"
        user.save(update_fields=["email"])
    return world


def make_notifier(org, kind: str, config: dict, secrets: dict | None = None, **fields):
    from yuqing.notify.models import Notifier

    notifier = Notifier(organization=org, name=fields.pop("name", f"{kind} of {org.slug}"), kind=kind,
                        config=config, **fields)
    notifier.set_secrets(secrets or {})
    notifier.full_clean()
    notifier.save()
    return notifier


def make_webhook(org, url: str, **fields):
    return make_notifier(org, "webhook", {"url": url}, {"secret": WEBHOOK_SECRET}, **fields)


def make_event(org, title: str = "某中学食堂饭菜发霉", level: int = 1):
    from yuqing.detection.models import Event

    now = timezone.now()
    return Event.objects.create(organization=org, title=title, first_seen_at=now - timedelta(hours=1),
                                last_seen_at=now, level=level)


@pytest.fixture
def raise_now(django_capture_on_commit_callbacks):
    """Raise an alert and run what it dispatches after commit, as production does."""
    from yuqing.notify.alerts import raise_alert

    def _raise(event, level, reasons=("评论数 120 ≥ 100",)):
        with django_capture_on_commit_callbacks(execute=True):
            return raise_alert(event, level, list(reasons))

    return _raise
