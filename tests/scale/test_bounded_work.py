"""Work that must not grow with the items table: the scheme preview, and concurrent workers per organisation."""

from __future__ import annotations

import threading

import pytest
from django.db import connection, connections, transaction

from tests.detection_app.factories import store
from yuqing.detection.actions import preview_scheme
from yuqing.orglocks import lock_organization, organization_locked


@pytest.mark.django_db
def test_scheme_preview_checks_only_the_index_candidates(world):
    for n in range(60):
        store(world.school, f"第{n}届运动会圆满结束，同学们表现出色")
    hit = store(world.school, "第一中学食堂饭菜涨价，家长不满")
    store(world.school, "食堂今天有红烧肉")  # a candidate the whole expression does not match
    found, scanned = preview_scheme(world.school, "食堂 AND 家长")
    assert [item.pk for item, _terms in found] == [hit.pk]
    assert scanned == 1  # the 60 unrelated posts and the lone 食堂 post were never read into Python


@pytest.mark.django_db
def test_scheme_preview_of_a_negation_still_answers_exactly(world):
    store(world.school, "学校食堂广告：承包招标")
    keep = store(world.school, "学校食堂饭菜难吃")
    found, _scanned = preview_scheme(world.school, "食堂 AND NOT 广告")
    assert [item.pk for item, _terms in found] == [keep.pk]


@pytest.mark.django_db(transaction=True)
def test_a_second_worker_waits_for_the_organisations_lock_and_others_do_not(world):
    if connection.vendor != "postgresql":
        pytest.skip("advisory locks are PostgreSQL's; SQLite serialises writes by itself")
    held, release, order = threading.Event(), threading.Event(), []

    def first():
        with transaction.atomic():
            lock_organization(world.school.pk)
            held.set()
            release.wait(10)
            order.append("first done")
        connections.close_all()

    thread = threading.Thread(target=first)
    thread.start()
    assert held.wait(10)
    assert organization_locked(world.school.pk)
    assert not organization_locked(world.school.pk, "detect")  # storing does not hold up detection
    with transaction.atomic():
        lock_organization(world.bureau.pk)  # another organisation: no wait
        order.append("other organisation")
    release.set()
    with transaction.atomic():
        lock_organization(world.school.pk)  # waits until the first worker committed
        order.append("second")
    thread.join(10)
    assert order == ["other organisation", "first done", "second"]


@pytest.mark.django_db(transaction=True)
def test_the_lock_refuses_to_be_taken_outside_a_transaction():
    if connection.vendor != "postgresql":
        pytest.skip("a no-op on SQLite")
    with pytest.raises(RuntimeError):
        lock_organization(1)
