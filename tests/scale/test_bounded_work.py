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


def test_a_removed_fingerprint_is_no_longer_found():
    from yuqing.collection.similarity import SimHashIndex

    index = SimHashIndex(3)
    index.add("a", 0b1011)
    index.add("b", 0b1011 << 40)
    assert index.remove("a", 0b1011) and len(index) == 1
    assert index.nearest(0b1011) is None and index.nearest(0b1011 << 40)[0] == "b"
    assert not index.remove("a", 0b1011)


@pytest.mark.django_db
def test_the_near_duplicate_index_evicts_what_falls_out_of_the_window(world, settings):
    from datetime import timedelta

    from django.utils import timezone

    from yuqing.collection.entries import RawEntry
    from yuqing.monitoring.models import Item
    from yuqing.monitoring.pipeline import _cache, forget_link_indexes, store_entries

    forget_link_indexes()
    settings.YUQING_LINK_WINDOW_DAYS = 7
    story = "第一中学食堂饭菜里发现虫子，多位家长在群里反映孩子吃了以后肚子不舒服，学校尚未回应此事"
    start = timezone.now() - timedelta(days=30)
    for day in range(20):
        store_entries(world.school, None, [RawEntry(url=f"https://example.org/{day}/{n}", title="",
                                                    text=f"{day}日{n}号：{story[n:]}{'甲乙丙丁'[n % 4] * 3}")
                                           for n in range(5)], now=start + timedelta(days=day))
    index = _cache.indexes[world.school.pk]
    # only the originals of the last 7 simulated days are kept, however many days were stored
    originals = Item.objects.filter(organization=world.school, original__isnull=True).exclude(simhash=0)
    window_start = start + timedelta(days=19) - timedelta(days=7)
    assert originals.filter(first_seen_at__lt=window_start).exists()
    assert len(index) == originals.filter(first_seen_at__gte=window_start).count()
    late = store_entries(world.school, None, [RawEntry(url="https://example.org/late", title="", text=story)],
                         now=start + timedelta(days=40))
    item = Item.objects.get(pk=late.new_ids[0])
    assert item.original_id is None  # its look-alikes are older than the window: it starts a story of its own
