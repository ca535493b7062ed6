"""Benchmark the statistics and the dashboard at a county's scale: N mentions over a month in a bureau's schools.

Run: .venv/bin/python bench/stats.py [--mentions 100000] [--schools 20]
PostgreSQL when DATABASE_URL is set (the bench adds its own organisations there), else a temporary SQLite file.
Rows are bulk-inserted (items, mentions with categories and matched terms, events, cases with deadlines), then
the bureau's month of statistics, one school's, the XLSX export and the bureau's 30-day dashboard are timed
(median of --runs) with their query counts, which must not depend on N.
"""

from __future__ import annotations

import argparse
import os
import random
import statistics as stats_module
import sys
import tempfile
import time
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

SH = ZoneInfo("Asia/Shanghai")
PLATFORMS = ["weibo", "wechat", "douyin", "web", "zhihu", "kuaishou", "toutiao"]
CATEGORIES = ["food_safety", "fees", "bullying", "academic_burden", "campus_facilities", "rumour"]
TERMS = ["食堂", "收费", "作业", "补课", "门口", "交通", "欺凌", "老师", "家长", "宿舍"]


def setup(data_dir: str) -> None:
    os.environ["YUQING_DATA_DIR"] = data_dir
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "yuqing.settings")
    import django

    django.setup()
    import logging

    logging.disable(logging.INFO)
    from django.core.management import call_command

    call_command("migrate", verbosity=0)


def populate(n_mentions: int, n_schools: int, seed: int = 12):
    from django.contrib.auth import get_user_model
    from django.contrib.contenttypes.models import ContentType

    from yuqing.deadlines.models import Deadline
    from yuqing.detection.models import Event, Mention, Scheme
    from yuqing.incidents.models import Case
    from yuqing.monitoring.models import Item, Source
    from yuqing.orgs.models import Membership, Organization, Role

    rng = random.Random(seed)
    tag = f"bench-stats-{int(time.time())}"
    bureau = Organization.objects.create(name="基准县教育局", slug=tag, kind="bureau")
    schools = [Organization.objects.create(name=f"基准第{i + 1}中学", slug=f"{tag}-s{i}", kind="school", parent=bureau)
               for i in range(n_schools)]
    user = get_user_model().objects.create_user(username=tag, password="bench-pass-1234")
    Membership.objects.create(user=user, organization=bureau, role=Role.SUPERVISOR)
    orgs = [bureau, *schools]
    schemes = {o.pk: Scheme.objects.create(organization=o, name="基准", expression="学校") for o in orgs}
    sources = {o.pk: Source.objects.create(organization=o, name=f"{o.name}微博", kind="rss", url="https://example.com/f")
               for o in orgs}
    first = datetime(2026, 11, 1, tzinfo=SH)
    span = 30 * 86400
    events = []
    for school in schools:
        for _ in range(5):
            at = first + timedelta(seconds=rng.randrange(span))
            events.append(Event(organization=school, title="基准事件", first_seen_at=at, last_seen_at=at,
                                level=rng.randint(1, 4), views=rng.randint(0, 50000)))
    Event.objects.bulk_create(events)
    events_by_org: dict[int, list] = {}
    for e in events:
        events_by_org.setdefault(e.organization_id, []).append(e)
    batch = 5000
    made = 0
    while made < n_mentions:
        size = min(batch, n_mentions - made)
        items, rows = [], []
        for k in range(size):
            org = orgs[rng.randrange(len(orgs))] if rng.random() < 0.98 else bureau
            at = first + timedelta(seconds=rng.randrange(span))
            url = f"https://example.com/{tag}/{made + k}"
            items.append(Item(organization=org, source=sources[org.pk], url=url, url_hash=f"{made + k:064d}",
                              title="帖子", text="学校", platform=rng.choice(PLATFORMS), first_seen_at=at,
                              last_seen_at=at, published_at=at, views=rng.randint(0, 20000)))
        Item.objects.bulk_create(items)
        for item in items:
            candidates = events_by_org.get(item.organization_id) or [None]
            rows.append(Mention(scheme=schemes[item.organization_id], item=item, organization_id=item.organization_id,
                                event=rng.choice(candidates) if rng.random() < 0.3 else None,
                                sentiment=rng.choice(["negative", "neutral", "positive"]),
                                categories=rng.sample(CATEGORIES, rng.randint(0, 2)),
                                matched_terms=rng.sample(TERMS, rng.randint(1, 3))))
        Mention.objects.bulk_create(rows)
        # created_at is auto_now_add: give each mention its item's time, in one statement per batch.
        from django.db.models import OuterRef, Subquery

        Mention.objects.filter(pk__in=[m.pk for m in rows]).update(
            created_at=Subquery(Item.objects.filter(pk=OuterRef("item_id")).values("first_seen_at")[:1]))
        made += size
    ct = ContentType.objects.get_for_model(Case)
    for school in schools:
        for _ in range(3):
            opened = first + timedelta(seconds=rng.randrange(span))
            case = Case.objects.create(organization=school, title="基准案件", opened_at=opened, level=2)
            for kind in ("case.forward", "case.respond"):
                due = opened + timedelta(hours=4)
                state = rng.choice(["met", "met", "overdue", "waived"])
                Deadline.objects.create(organization=school, subject_type=ct, subject_id=str(case.pk), kind=kind,
                                        due_at=due, state=state,
                                        met_at=due + timedelta(hours=rng.choice([-1, 2])) if state == "met" else None)
    return bureau, schools, user


def timed(fn, runs: int):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    fn()  # warm caches (subtree ids, content types)
    times, queries = [], 0
    for _ in range(runs):
        with CaptureQueriesContext(connection) as ctx:
            start = time.perf_counter()
            fn()
            times.append((time.perf_counter() - start) * 1000)
        queries = len(ctx.captured_queries)
    return stats_module.median(times), queries


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--mentions", type=int, default=100_000)
    parser.add_argument("--schools", type=int, default=20)
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        setup(tmp)
        from django.db import connection
        from django.test import Client
        from django.test.utils import setup_test_environment

        from yuqing.reports.period import parse_period
        from yuqing.reports.stats import statistics
        from yuqing.reports.stats_xlsx import workbook

        setup_test_environment()
        start = time.perf_counter()
        bureau, schools, user = populate(args.mentions, args.schools)
        print(f"{connection.vendor}: {args.mentions:,} mentions in {args.schools} schools inserted in "
              f"{time.perf_counter() - start:.1f} s")
        period = parse_period("2026-11")
        client = Client()
        client.force_login(user)
        checks = [
            ("bureau month statistics", lambda: statistics(bureau, period)),
            ("one school's month statistics", lambda: statistics(schools[0], period)),
            ("bureau month XLSX (statistics + workbook)", lambda: workbook(statistics(bureau, period))),
            ("/reports/stats/ page (bureau, month)", lambda: client.get(f"/reports/stats/?org={bureau.slug}"
                                                                        "&period=2026-11")),
            # the person's highest organisation is the bureau: its dashboard with the league table
            ("/detection/?range=30 dashboard (bureau)", lambda: client.get("/detection/?range=30")),
        ]
        for name, fn in checks:
            ms, queries = timed(fn, args.runs)
            print(f"  {name:<45} {ms:8.1f} ms  {queries} queries")
        data = statistics(bureau, period)
        assert data["mentions"]["total"] == args.mentions, data["mentions"]["total"]
        assert sum(r["mentions"] for r in data["schools"]) == args.mentions
        print(f"  totals check: {data['mentions']['total']:,} mentions = sum of {len(data['schools'])} rows")


if __name__ == "__main__":
    main()
