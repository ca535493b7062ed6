"""Stored items become mentions and graded events, re-graded as their metrics grow."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from tests.detection_app.factories import scheme, store, update_metrics
from yuqing.audit.models import AuditRecord
from yuqing.detection.models import Event, LevelChange, LevelRuleSet, Mention, Scheme, SensitivePeriod
from yuqing.detection.pipeline import process_items
from yuqing.levels import Level

pytestmark = pytest.mark.django_db

CANTEEN = "(第一中学 OR 一中) AND (食堂 OR 饭菜 OR 收费 OR 欺凌)"


def test_stored_item_matching_a_scheme_becomes_an_analysed_mention(world):
    s = scheme(world.school, CANTEEN)
    item = store(world.school, "第一中学食堂饭菜太贵了，家长意见很大，学校收费不透明")
    mention = Mention.objects.get(item=item)
    assert mention.scheme == s
    assert set(mention.matched_terms) >= {"第一中学", "食堂"}
    assert mention.sentiment in {"negative", "neutral", "positive"}
    assert 0 <= mention.negativity <= 1
    assert mention.event is not None
    assert mention.organization == world.school


def test_evasion_spelling_still_matches(world):
    scheme(world.school, CANTEEN)
    item = store(world.school, "第 一 中 学 的 食*堂 又出事了")
    assert Mention.objects.filter(item=item).exists()


def test_item_not_matching_makes_no_mention(world):
    scheme(world.school, CANTEEN)
    store(world.school, "第二中学运动会圆满落幕")
    assert not Mention.objects.exists()


def test_bureau_scheme_applies_to_its_schools_but_not_to_other_bureaus(world):
    scheme(world.bureau, "食堂 AND 发霉")
    mine = store(world.school, "某校食堂馒头发霉")
    far = store(world.far_school, "某校食堂馒头发霉", url="https://example.com/far")
    assert Mention.objects.filter(item=mine).count() == 1
    assert not Mention.objects.filter(item=far).exists()


def test_bureau_scheme_that_does_not_apply_to_children_ignores_school_items(world):
    scheme(world.bureau, "食堂 AND 发霉", applies_to_children=False)
    store(world.school, "某校食堂馒头发霉")
    assert not Mention.objects.exists()


def test_disabled_scheme_matches_nothing(world):
    scheme(world.school, CANTEEN, enabled=False)
    store(world.school, "第一中学食堂")
    assert not Mention.objects.exists()


def test_reprocessing_is_idempotent(world, alerts):
    scheme(world.school, CANTEEN)
    item = store(world.school, "第一中学食堂饭菜涨价", comments=150)
    for _ in range(3):
        process_items(world.school.pk, [item.pk])
    assert Mention.objects.count() == 1
    assert Event.objects.count() == 1
    assert LevelChange.objects.count() == 1
    assert alerts == [(Event.objects.get().pk, int(Level.MAJOR))]


def test_reposts_and_near_duplicates_join_the_event_of_their_original(world):
    scheme(world.school, CANTEEN)
    original = store(world.school, "第一中学食堂饭菜里吃出虫子，家长很气愤")
    repost = store(world.school, "转发：第一中学食堂饭菜里吃出虫子", original=original)
    copy_of_copy = store(world.school, "一中食堂的事大家怎么看", original=original)
    events = {m.event_id for m in Mention.objects.filter(item__in=[original, repost, copy_of_copy])}
    assert len(events) == 1
    assert Event.objects.get().mention_count == 3


def test_same_story_told_differently_joins_by_shared_key_terms(world):
    scheme(world.school, CANTEEN)
    store(world.school, "第一中学食堂饭菜价格上涨，家长质疑涨价理由，要求公开账目")
    store(world.school, "一中食堂涨价引家长质疑，账目公开了吗？饭菜价格到底怎么定")
    assert Event.objects.count() == 1


def test_unrelated_stories_are_separate_events(world):
    scheme(world.school, CANTEEN)
    store(world.school, "第一中学食堂饭菜价格上涨，家长质疑涨价理由")
    store(world.school, "一中初二学生遭同学欺凌，视频在网上流传，警方已介入")
    assert Event.objects.count() == 2


def test_old_event_outside_the_window_is_not_joined(world):
    scheme(world.school, CANTEEN)
    store(world.school, "第一中学食堂饭菜价格上涨，家长质疑涨价理由，要求公开账目",
          published_at=timezone.now() - timedelta(days=10))
    Event.objects.update(last_seen_at=timezone.now() - timedelta(days=10))
    store(world.school, "一中食堂涨价引家长质疑，账目公开了吗？饭菜价格到底怎么定")
    assert Event.objects.count() == 2


@pytest.mark.parametrize(
    ("views", "comments", "level"),
    [(999, 0, Level.GENERAL), (1000, 0, Level.MAJOR), (0, 99, Level.GENERAL), (0, 100, Level.MAJOR),
     (2999, 0, Level.MAJOR), (3000, 0, Level.ESPECIALLY_MAJOR), (0, 499, Level.MAJOR),
     (0, 500, Level.ESPECIALLY_MAJOR)],
)
def test_levels_at_the_default_boundaries(world, views, comments, level):
    scheme(world.school, CANTEEN)
    store(world.school, "第一中学食堂饭菜涨价", views=views, comments=comments)
    assert Event.objects.get().level == int(level)


def test_five_mainstream_sites_make_it_especially_major(world):
    scheme(world.school, CANTEEN)
    first = store(world.school, "第一中学食堂饭菜涨价引关注", mainstream=True)
    for _n in range(3):
        store(world.school, "媒体报道：第一中学食堂饭菜涨价", original=first, mainstream=True)
    assert Event.objects.get().level == int(Level.GENERAL)
    store(world.school, "媒体报道：第一中学食堂饭菜涨价", original=first, mainstream=True)
    assert Event.objects.get().level == int(Level.ESPECIALLY_MAJOR)


def test_growing_comments_raise_the_level_once_per_level_with_reason(world, alerts):
    scheme(world.school, CANTEEN)
    item = store(world.school, "第一中学食堂饭菜涨价", comments=10)
    event = Event.objects.get()
    assert event.level == int(Level.GENERAL)
    update_metrics(item, comments=120)
    update_metrics(item, comments=130)
    event.refresh_from_db()
    assert event.level == int(Level.MAJOR)
    changes = list(LevelChange.objects.filter(event=event).order_by("at"))
    assert [(c.from_level, c.to_level) for c in changes] == [(None, 1), (1, 3)]
    assert "120 ≥ 100" in changes[1].reason_zh and "评论数" in changes[1].reason_zh
    assert alerts == [(event.pk, 1), (event.pk, 3)]
    assert AuditRecord.objects.filter(action="event.level_change", actor=None).count() == 2
    # Re-processing the same figures changes nothing and alerts no one again.
    process_items(world.school.pk, [item.pk])
    assert LevelChange.objects.filter(event=event).count() == 2
    assert len(alerts) == 2


def test_levels_never_fall_automatically(world):
    scheme(world.school, CANTEEN)
    item = store(world.school, "第一中学食堂饭菜涨价", comments=200)
    update_metrics(item, comments=5)
    assert Event.objects.get().level == int(Level.MAJOR)


def test_irrelevant_judged_mentions_do_not_count(world):
    scheme(world.school, CANTEEN)
    item = store(world.school, "第一中学食堂饭菜涨价", comments=10)
    Mention.objects.filter(item=item).update(relevance="irrelevant")
    update_metrics(item, comments=300)
    assert Event.objects.get().level == int(Level.GENERAL)


def test_sensitive_period_lowers_thresholds(world):
    scheme(world.school, CANTEEN)
    now = timezone.now()
    SensitivePeriod.objects.create(organization=world.bureau, name="中考", starts_at=now - timedelta(days=1),
                                   ends_at=now + timedelta(days=1))
    store(world.school, "第一中学食堂饭菜涨价", comments=50)
    event = Event.objects.get()
    assert event.level == int(Level.MAJOR)
    assert "敏感期" in event.level_reason_zh


def test_sensitive_period_that_ended_does_not_lower_thresholds(world):
    scheme(world.school, CANTEEN)
    now = timezone.now()
    SensitivePeriod.objects.create(organization=world.school, name="开学", starts_at=now - timedelta(days=3),
                                   ends_at=now - timedelta(days=1))
    store(world.school, "第一中学食堂饭菜涨价", comments=50)
    assert Event.objects.get().level == int(Level.GENERAL)


def test_school_inherits_bureau_rules_and_may_override_them(world):
    scheme(world.school, CANTEEN)
    LevelRuleSet.objects.create(organization=world.bureau, rules={"levels": {"major": {"comments": 40}}})
    store(world.school, "第一中学食堂饭菜涨价", comments=45)
    assert Event.objects.get().level == int(Level.MAJOR)
    LevelRuleSet.objects.create(organization=world.school, rules={"levels": {"major": {"comments": 60}}})
    store(world.school, "一中校园欺凌视频流传，警方介入调查", comments=45)
    assert Event.objects.order_by("pk").last().level == int(Level.GENERAL)


def test_edited_scheme_is_used_at_once(world):
    s = scheme(world.school, "一中 AND 食堂")
    store(world.school, "一中宿舍漏水")
    Scheme.objects.filter(pk=s.pk).update(expression="一中 AND 宿舍", updated_at=timezone.now())
    store(world.school, "一中宿舍又漏水了")
    assert Mention.objects.count() == 1


def test_sensitive_period_shortens_polling(world):
    from yuqing.detection.pipeline import poll_factor

    now = timezone.now()
    assert poll_factor(world.school) == 1.0
    SensitivePeriod.objects.create(organization=world.bureau, name="高考", starts_at=now - timedelta(hours=1),
                                   ends_at=now + timedelta(hours=1), poll_factor=0.25)
    assert poll_factor(world.school) == 0.25
    assert poll_factor(world.far_school) == 1.0


def test_sources_are_polled_more_often_during_a_sensitive_period(world):
    from yuqing.monitoring.jobs import claim_source
    from yuqing.monitoring.models import Source

    now = timezone.now()
    source = Source.objects.create(organization=world.school, name="微博", kind="rss", url="https://example.com/f.xml",
                                   interval_seconds=1200, next_run_at=now - timedelta(seconds=1))
    assert claim_source(source, now)
    source.refresh_from_db()
    assert source.next_run_at == now + timedelta(seconds=1200)
    SensitivePeriod.objects.create(organization=world.bureau, name="高考", starts_at=now - timedelta(hours=1),
                                   ends_at=now + timedelta(hours=1), poll_factor=0.25)
    Source.objects.filter(pk=source.pk).update(next_run_at=now, locked_until=None)
    later = now + timedelta(seconds=1)
    assert claim_source(source, later)
    source.refresh_from_db()
    assert source.next_run_at == later + timedelta(seconds=300)


def test_event_trend_has_one_point_per_minute_with_final_counts(world):
    from yuqing.detection.views import _trend

    scheme(world.school, CANTEEN)
    first = store(world.school, "第一中学食堂饭菜涨价", comments=10)
    second = store(world.school, "转发：第一中学食堂饭菜涨价", comments=5, original=first)
    trend = _trend(Event.objects.get(), [first.pk, second.pk])
    assert len(trend["labels"]) == len(set(trend["labels"]))
    assert trend["mentions"][-1] == 2 and trend["comments"][-1] == 15


def test_the_event_title_follows_its_most_representative_post(world):
    scheme(world.school, CANTEEN)
    first = store(world.school, "一中食堂饭菜发霉，学生腹泻了吗", title="一中食堂？", comments=2)
    event = Event.objects.get()
    assert event.title == "一中食堂？"
    store(world.school, "一中食堂饭菜发霉，多名学生腹泻送医", title="一中食堂饭菜发霉致学生腹泻", comments=80,
          url="https://example.com/big")
    assert Mention.objects.filter(event=event).count() == 2
    event.refresh_from_db()
    assert event.title == "一中食堂饭菜发霉致学生腹泻"
    assert event.representative_item_id != first.pk


def test_event_trend_counts_posts_at_their_publication_time(world):
    from yuqing.detection.views import _trend

    scheme(world.school, CANTEEN)
    published = timezone.now() - timedelta(hours=3)
    store(world.school, "第一中学食堂饭菜里有虫子，学生腹泻", published_at=published)
    store(world.school, "转发：第一中学食堂饭菜里有虫子，学生腹泻", published_at=published + timedelta(hours=1),
          url="https://example.com/second")
    event = Event.objects.get()
    trend = _trend(event)
    first_label = timezone.localtime(published).strftime("%m-%d %H")
    assert trend["labels"][0].startswith(first_label)
    assert trend["mentions"][:2] == [1, 2]
    assert all(isinstance(n, int) for n in trend["mentions"] + trend["comments"])
