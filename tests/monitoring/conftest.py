"""Fixtures for the monitoring tests: a local HTTP server and a shared fetcher that does not wait between requests."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.collection.localserver import LocalServer
from yuqing.collection.fetching import Fetcher
from yuqing.monitoring import pipeline


@pytest.fixture
def server() -> Iterator[LocalServer]:
    srv = LocalServer()
    yield srv
    srv.close()


@pytest.fixture(autouse=True)
def fast_fetcher(settings) -> Iterator[Fetcher]:
    settings.YUQING_FETCH_RETRIES = 0
    settings.YUQING_FETCH_TIMEOUT = 2.0
    with Fetcher(min_interval=0.0) as fetcher:
        pipeline.set_fetcher(fetcher)
        yield fetcher
    pipeline.set_fetcher(None)


@pytest.fixture(autouse=True)
def fresh_link_index() -> Iterator[None]:
    """Each test's database rolls back, so the cached near-duplicate indexes must not outlive it."""
    pipeline.forget_link_indexes()
    yield
    pipeline.forget_link_indexes()


@pytest.fixture(autouse=True)
def english(settings) -> Iterator[None]:
    """Assertions below read the English messages; the product itself defaults to Chinese."""
    from django.utils import translation

    settings.LANGUAGE_CODE = "en"
    with translation.override("en"):
        yield


@pytest.fixture
def make_source(world):
    """Create a source directly (tests of the pipeline, not of the forms)."""
    from yuqing.monitoring.models import Source

    def _make(kind="rss", url="", org=None, **fields):
        fields.setdefault("name", f"{kind} source")
        fields.setdefault("allow_private", True)
        fields.setdefault("respect_robots", False)
        return Source.objects.create(organization=org or world.school, kind=kind, url=url, **fields)

    return _make
