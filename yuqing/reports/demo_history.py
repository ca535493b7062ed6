"""A month of demo history, so the statistics page and the dashboards' 7 / 30-day trends show something real
right after `make run`: posts from the demo sources on the past 30 days (the live demo feeds bring today's),
with their mentions, three events and two cases whose deadlines were met on time or late.

It back-dates what it stores (collection stamps "now"), so it writes the rows itself rather than through the
collection pipeline; it runs before the daily-report demo, whose past reports then count these posts.
Idempotent: nothing is added once the history's first post exists.
"""

from __future__ import annotations

import hashlib
import random
from datetime import datetime, time, timedelta

from django.utils import timezone

HISTORY_URL = "https://demo.yuqing.invalid/history/"
DAYS = 30
# school slug → posts: (text, platform, sentiment, categories, matched terms)
POSTS = {
    "no1-middle": [
        ("第一中学食堂今天的饭菜分量明显变少，孩子说吃不饱", "weibo", "negative", ["food_safety"], ["第一中学", "食堂"]),
        ("一中晚自习要不要收补课费？家长群里吵起来了", "wechat", "negative", ["fees"], ["一中", "补课", "收费"]),
        ("第一中学运动会开幕式很精彩，为孩子们点赞", "douyin", "positive", [], ["第一中学"]),
        ("一中作业太多了，初二每天写到十一点", "zhihu", "negative", ["academic_burden"], ["一中", "作业"]),
        ("第一中学开展减负专项检查，作业时长有改善", "web", "positive", ["academic_burden"], ["第一中学", "减负"]),
        ("一中食堂新菜单公布，增加了两个窗口", "weibo", "neutral", ["food_safety"], ["一中", "食堂"]),
        ("第一中学家长会通知，讨论课后服务收费标准", "wechat", "neutral", ["fees"], ["第一中学", "收费"]),
    ],
    "experimental-primary": [
        ("实验小学门口放学时段交通拥堵，接孩子要等半小时", "weibo", "negative", ["campus_facilities"],
         ["实验小学", "门口", "交通"]),
        ("实验小学开展消防安全演练，孩子们有序撤离", "douyin", "positive", ["safety_accident"],
         ["实验小学", "安全"]),
        ("实验小学门口早高峰又堵了，希望增加交警疏导", "wechat", "negative", ["campus_facilities"],
         ["实验小学", "门口", "堵"]),
        ("网传实验小学学生在校受伤，学校回应系谣言", "weibo", "negative", ["rumour", "safety_accident"],
         ["实验小学", "安全"]),
        ("实验小学校园安全周活动走进社区", "web", "neutral", ["safety_accident"], ["实验小学", "安全"]),
    ],
}
# school slug → events: (title, level, first day back, last day back, texts whose posts belong to it)
EVENTS = {
    "no1-middle": [
        ("一中晚自习补课收费争议", 2, 20, 14, ("补课",)),
        ("第一中学食堂饭菜分量问题", 1, 12, 8, ("分量",)),
    ],
    "experimental-primary": [
        ("实验小学学生受伤传言", 3, 9, 6, ("受伤",)),
    ],
}


def _history_exists() -> bool:
    from yuqing.monitoring.models import Item

    return Item.objects.filter(url__startswith=HISTORY_URL).exists()


def load() -> str | None:
    from django.contrib.auth import get_user_model

    from yuqing.detection.models import Event, Mention, Scheme
    from yuqing.monitoring.models import Item, Source
    from yuqing.orgs.models import Organization

    if _history_exists():
        return None
    rng = random.Random(20261201)  # the same history on every installation
    today = timezone.localdate()
    made_items, made_events = 0, 0
    for slug, posts in POSTS.items():
        school = Organization.objects.filter(slug=slug).first()
        scheme = Scheme.objects.filter(organization=school).order_by("pk").first() if school else None
        if school is None or scheme is None:
            continue
        sources = list(Source.objects.filter(organization=school).order_by("pk"))
        events = []
        for title, level, first_back, last_back, keys in EVENTS.get(slug, []):
            first = _at(today - timedelta(days=first_back), 9)
            events.append((Event.objects.create(
                organization=school, scheme=scheme, title=title, first_seen_at=first, level=level,
                graded_level=level, last_seen_at=_at(today - timedelta(days=last_back), 18), key_terms=list(keys),
                status=Event.Status.CLOSED if last_back > 7 else Event.Status.OPEN), keys))
            made_events += 1
        for back in range(DAYS, 0, -1):
            day = today - timedelta(days=back)
            running = [(e, keys) for e, keys in events if e.first_seen_at.date() <= day <= e.last_seen_at.date()]
            for n in range(rng.randint(1, 5)):
                text, platform, sentiment, categories, terms = posts[rng.randrange(len(posts))]
                if running and rng.random() < 0.6:  # while an event runs, most posts are about it
                    keys = running[rng.randrange(len(running))][1]
                    text, platform, sentiment, categories, terms = next(p for p in posts if any(k in p[0] for k in keys))
                at = _at(day, rng.randint(7, 21), rng.randint(0, 59))
                event = next((e for e, keys in events if any(k in text for k in keys)
                              and e.first_seen_at.date() <= day <= e.last_seen_at.date()), None)
                views = rng.randint(80, 900) * (6 if event is not None and event.level >= 2 else 1)
                url = f"{HISTORY_URL}{slug}/{day.isoformat()}/{n}"
                item = Item.objects.create(
                    organization=school, source=sources[rng.randrange(len(sources))] if sources else None,
                    url=url, url_hash=hashlib.sha256(url.encode()).hexdigest(), title=text[:30], text=text,
                    author=f"网友{rng.randint(100, 999)}", platform=platform, published_at=at, first_seen_at=at,
                    last_seen_at=at, views=views, comments=views // rng.randint(8, 20), reposts=views // 40,
                    likes=views // 10, metrics_updated_at=at)
                mention = Mention.objects.create(
                    scheme=scheme, item=item, organization=school, event=event, matched_terms=terms,
                    sentiment=sentiment, negativity={"negative": 0.85, "neutral": 0.4, "positive": 0.1}[sentiment],
                    categories=categories)
                mention.schemes.add(scheme)
                Mention.objects.filter(pk=mention.pk).update(created_at=at, updated_at=at)
                made_items += 1
        for event, _keys in events:
            mentions = Mention.objects.filter(event=event)
            event.mention_count = mentions.count()
            event.views = sum(mentions.values_list("item__views", flat=True))
            event.comments = sum(mentions.values_list("item__comments", flat=True))
            event.representative_item_id = mentions.order_by("created_at").values_list("item_id", flat=True).first()
            event.save(update_fields=["mention_count", "views", "comments", "representative_item"])
    publicity = get_user_model().objects.filter(username="publicity").first()
    cases = _cases(today, publicity) if publicity is not None else 0
    if not made_items:
        return None
    return f"Demo history: {made_items} posts over {DAYS} days, {made_events} events, {cases} cases"


def _at(day, hour: int, minute: int = 0) -> datetime:
    return timezone.make_aware(datetime.combine(day, time(hour, minute)))


def _cases(today, publicity) -> int:
    """The fee dispute was handled as a 较大 case with every step on time; the rumour at the primary school
    had one step done late, so the month's statistics show deadlines both met and missed."""
    from django.contrib.auth import get_user_model

    from yuqing.deadlines.actions import deadlines_for, do_meet_deadline
    from yuqing.deadlines.models import Deadline
    from yuqing.detection.models import Event
    from yuqing.incidents.actions import do_open_case

    made = 0
    for title, one_late in (("一中晚自习补课收费争议", False), ("实验小学学生受伤传言", True)):
        event = Event.objects.filter(title=title).order_by("pk").first()
        if event is None:
            continue
        actor = publicity if event.organization.slug == "no1-middle" else get_user_model().objects.filter(
            is_superuser=True).order_by("pk").first()
        case = do_open_case(organization=event.organization, acting_user=actor, title=title, event=event,
                            level=event.level, opened_at=event.first_seen_at + timedelta(hours=1),
                            summary="演示：历史案件。")
        for i, deadline in enumerate(deadlines_for(case).filter(state=Deadline.State.OPEN)):
            do_meet_deadline(deadline, acting_user=None, note="演示")
            late = one_late and i == 0
            met_at = deadline.due_at + timedelta(hours=3) if late else deadline.due_at - timedelta(minutes=30)
            Deadline.objects.filter(pk=deadline.pk).update(met_at=max(met_at, case.opened_at))
        made += 1
    return made
