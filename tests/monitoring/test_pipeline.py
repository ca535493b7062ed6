"""Storing entries: exact duplicates merge, metrics grow as a time series, reposts link to their original."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from yuqing.collection.entries import RawEntry
from yuqing.monitoring.models import Item, ItemMetric
from yuqing.monitoring.pipeline import store_entries
from yuqing.monitoring.signals import items_stored

SH = ZoneInfo("Asia/Shanghai")
STORY = "第一中学食堂今天中午的饭菜里发现了异物，多名学生反映肚子不舒服，家长要求学校尽快给出说法。"
pytestmark = pytest.mark.django_db


def entry(n: int, **kw) -> RawEntry:
    kw.setdefault("url", f"https://news.example.cn/a/{n}?utm_source=wx")
    kw.setdefault("title", f"第{n}条消息")
    kw.setdefault("text", f"这是第{n}条完全不同的新闻内容，编号{n * 7919}，讲的是第{n}件事情。")
    kw.setdefault("published", datetime(2024, 5, 1, 8, 0, tzinfo=SH) + timedelta(minutes=n))
    return RawEntry(**kw)


def test_tracking_parameters_are_removed_and_the_same_url_is_stored_once(world):
    first = store_entries(world.school, None, [entry(1)])
    again = store_entries(world.school, None, [entry(1, url="https://NEWS.example.cn/a/1?utm_medium=x#top")])
    assert len(first.new_ids) == 1 and again.new_ids == [] and again.unchanged == 1
    item = Item.objects.get()
    assert item.url == "https://news.example.cn/a/1"


def test_the_same_url_in_two_schools_is_two_items(world):
    store_entries(world.school, None, [entry(1)])
    store_entries(world.other_school, None, [entry(1)])
    assert Item.objects.count() == 2


def test_growing_comment_counts_are_kept_as_a_time_series(world):
    t0 = datetime(2024, 5, 1, 9, 0, tzinfo=SH)
    for hour, comments in enumerate([5, 40, 40, 120]):
        store_entries(world.school, None, [entry(1, metrics={"comments": comments, "views": 1000 * (hour + 1)})],
                      now=t0 + timedelta(hours=hour))
    item = Item.objects.get()
    assert item.comments == 120 and item.views == 4000
    samples = list(ItemMetric.objects.filter(item=item).values_list("comments", flat=True))
    assert samples == [5, 40, 40, 120]  # the third run changed views only, still a sample
    assert item.first_seen_at == t0 and item.last_seen_at == t0 + timedelta(hours=3)


def test_unchanged_metrics_add_no_sample(world):
    store_entries(world.school, None, [entry(1, metrics={"comments": 3})])
    result = store_entries(world.school, None, [entry(1, metrics={"comments": 3})])
    assert result.unchanged == 1 and ItemMetric.objects.count() == 1


def test_reposts_and_near_duplicates_link_to_the_earliest_original(world):
    original = entry(1, title="", text=STORY)
    repost = entry(2, title="", text="转发：" + STORY, url="https://weibo.com/123/abc")
    copy = entry(3, title="", text=STORY.replace("今天中午", "今日中午"), url="https://www.thepaper.cn/n/9")
    exact = entry(4, title="", text=STORY + "！", url="https://www.people.com.cn/n/1.html")
    result = store_entries(world.school, None, [copy, repost, exact, original])  # out of order on purpose
    assert result.linked == 3
    root = Item.objects.get(url="https://news.example.cn/a/1")
    assert root.original_id is None
    relations = dict(Item.objects.exclude(pk=root.pk).values_list("url", "relation"))
    assert relations == {
        "https://weibo.com/123/abc": Item.Relation.REPOST,
        "https://www.thepaper.cn/n/9": Item.Relation.NEAR_DUPLICATE,
        "https://www.people.com.cn/n/1.html": Item.Relation.EXACT,
    }
    assert set(Item.objects.exclude(pk=root.pk).values_list("original_id", flat=True)) == {root.pk}
    assert Item.objects.get(url="https://www.people.com.cn/n/1.html").mainstream
    assert not root.mainstream


def test_a_later_batch_links_to_an_original_stored_earlier(world):
    store_entries(world.school, None, [entry(1, title="", text=STORY)])
    store_entries(world.school, None, [entry(2, title="", text="转发 " + STORY, url="https://weibo.com/1/2")])
    assert Item.objects.get(url="https://weibo.com/1/2").original.url == "https://news.example.cn/a/1"


def test_unrelated_texts_are_not_linked(world):
    result = store_entries(world.school, None, [entry(n) for n in range(50)])
    assert result.linked == 0 and Item.objects.filter(original__isnull=False).count() == 0


def test_script_never_reaches_the_stored_html(world):
    store_entries(world.school, None, [entry(1, html='<p onclick="x()">好<script>alert(1)</script></p>')])
    html = Item.objects.get().html
    assert "script" not in html and "onclick" not in html and "好" in html


def test_items_stored_signal_lists_new_and_updated_ids_after_commit(world, django_capture_on_commit_callbacks):
    seen = []

    def listener(**kw):
        seen.append((kw["organization_id"], sorted(kw["new_ids"]), sorted(kw["updated_ids"])))

    items_stored.connect(listener)
    try:
        with django_capture_on_commit_callbacks(execute=True):
            first = store_entries(world.school, None, [entry(1), entry(2)])
        with django_capture_on_commit_callbacks(execute=True):
            store_entries(world.school, None, [entry(1, metrics={"likes": 9})])
    finally:
        items_stored.disconnect(listener)
    assert seen == [(world.school.pk, sorted(first.new_ids), []), (world.school.pk, [], [min(first.new_ids)])]


class Interrupted(Exception):
    pass


def test_a_batch_interrupted_after_its_first_chunk_gives_the_same_items_when_run_again(world):
    entries = [entry(n, metrics={"comments": n}) for n in range(25)]
    entries.append(entry(100, title="", text=STORY))
    entries.append(entry(101, title="", text="转发：" + STORY, url="https://weibo.com/9/9"))

    def crash(chunk_number):
        if chunk_number == 0:
            raise Interrupted

    with pytest.raises(Interrupted):
        store_entries(world.school, None, entries, chunk_size=10, after_chunk=crash)
    assert Item.objects.count() == 10
    store_entries(world.school, None, entries, chunk_size=10)
    after_rerun = sorted(Item.objects.values_list("url_hash", "comments", "original_id"))
    assert Item.objects.count() == len(entries)
    assert len({h for h, *_ in after_rerun}) == len(entries)
    assert ItemMetric.objects.count() == 25  # no sample twice
    # a clean single run elsewhere gives exactly the same items
    store_entries(world.other_school, None, entries, chunk_size=10)
    clean = Item.objects.filter(organization=world.other_school)
    assert sorted(clean.values_list("url_hash", "comments")) == sorted((h, c) for h, c, _ in after_rerun)
    assert clean.filter(original__isnull=False).count() == 1
    assert Item.objects.filter(organization=world.school, original__isnull=False).count() == 1


def test_entries_without_a_url_are_identified_by_their_text(world):
    store_entries(world.school, None, [RawEntry(text=STORY)])
    store_entries(world.school, None, [RawEntry(text=STORY)])
    assert Item.objects.count() == 1
