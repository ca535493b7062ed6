"""Fixtures of the detection app tests: a recorder standing in for notify's raise_alert."""

from __future__ import annotations

import pytest


@pytest.fixture
def alerts(monkeypatch):
    """Record raise_alert calls (event id, level) while still running the real idempotent raise_alert."""
    from yuqing.notify import alerts as notify_alerts

    calls: list[tuple[int, int]] = []
    real = notify_alerts.raise_alert

    def recording(event, level, reasons):
        alert = real(event, level, reasons)
        if alert is not None:
            calls.append((event.pk, int(alert.level)))
        return alert

    monkeypatch.setattr(notify_alerts, "raise_alert", recording)
    return calls


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    """The personas' passwords are hashed with PBKDF2 otherwise, which alone takes ~10 s per test."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def _local_robots(local_servers_stand_for_public_ones):
    """The end-to-end tests' robots listen on 127.0.0.1 and stand for public services."""
