"""Fixtures of the incident tests: events made directly (the cases, not detection, are under test)."""

from __future__ import annotations

import pytest
from django.utils import timezone


@pytest.fixture
def make_event():
    from yuqing.detection.models import Event

    def _make(org, *, level=1, title="一中食堂饭菜有虫"):
        now = timezone.now()
        return Event.objects.create(organization=org, title=title, first_seen_at=now, last_seen_at=now,
                                    level=int(level), graded_level=int(level))

    return _make


@pytest.fixture(autouse=True)
def english(settings):
    from django.utils import translation

    settings.LANGUAGE_CODE = "en"
    with translation.override("en"):
        yield
