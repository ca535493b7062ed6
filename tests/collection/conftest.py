"""Fixtures for the collection tests: a local HTTP server, a fake clock and a fetcher that uses it."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from yuqing.collection.fetching import Fetcher

from .localserver import FakeClock, LocalServer


@pytest.fixture
def server() -> Iterator[LocalServer]:
    srv = LocalServer()
    yield srv
    srv.close()


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def fetcher(clock: FakeClock) -> Iterator[Fetcher]:
    with Fetcher(min_interval=0.0, sleep=clock.sleep) as f:
        yield f
