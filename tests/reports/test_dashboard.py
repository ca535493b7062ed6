"""The monitoring dashboard's time range, trend and breakdowns, and the bureau's league table of its schools
with drill-down: numbers from the database, a flat query count, and no school seeing another's."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from tests.reports.test_stats import case_with_deadline, event, mention
from yuqing.registry.models import Channel
from yuqing.reports.models import DailyReport

DAY = timedelta(days=1)


def ago(days: float):
    return timezone.now() - timedelta(days=days)


@pytest.fixture
def activity(world):
    school, other = world.school, world.other_school
    e = event(school, ago(2), level=2, views=5000)
    mention(school, ago(0.01), sentiment="negative", event=e, views=5000, terms=["食堂"])
    mention(school, ago(3), sentiment="neutral", platform="wechat", terms=["食堂", "收费"])
    mention(other, ago(20), sentiment="negative", platform="douyin", views=100)
    mention(world.far_school, ago(0.01), sentiment="negative")  # another bureau
    event(other, ago(20), level=1)
    case_with_deadline(other, ago(2), state="overdue", due_at=ago(1.9))
    today = timezone.localdate()
    for back in range(1, 4):
        DailyReport.objects.create(organization=school, date=today - back * DAY, status="confirmed",
                                   late=back == 2, compiled_at=ago(back), due_at=ago(back),
                                   confirmed_at=ago(back))
    Channel.objects.create(organization=other, kind="website", name="二中官网", status="active",
                           responsible=world.other_admin, filed_on=today - 200 * DAY)
    return e


def _league(response):
    panels = {p.template: p.context for p in response.context["panels"]}
    return {r["slug"]: r for r in panels["reports/_dashboard_league.html"]["rows"]}


def test_the_time_range_switch_counts_today_7_and_30_days(world, activity, login):
    client = login(world.supervisor)
    assert client.get("/detection/").context["total"] == 1
    week = client.get("/detection/?range=7")
    assert week.context["total"] == 2 and week.context["window"].key == "7"
    month = client.get("/detection/?range=30")
    assert month.context["total"] == 3
    assert dict(month.context["platforms"]) == {"weibo": 1, "wechat": 1, "douyin": 1}
    assert dict(month.context["hot_terms"]) == {"食堂": 2, "收费": 1}
    assert month.context["top_posts"][0].item.views == 5000
    assert sum(month.context["trend"]["total"]) == 3 and len(month.context["trend"]["labels"]) == 30
    assert client.get("/detection/?range=bogus").context["window"].key == "today"


def test_the_bureau_league_table(world, activity, login):
    client = login(world.supervisor)
    rows = _league(client.get("/detection/?range=30"))
    assert set(rows) == {"no1", "no2"}
    assert (rows["no1"]["mentions"], rows["no2"]["mentions"]) == (2, 1)
    assert (rows["no1"]["open_events"], rows["no2"]["open_events"]) == (1, 1)
    assert (rows["no1"]["overdue_cases"], rows["no2"]["overdue_cases"]) == (0, 1)
    assert (rows["no1"]["on_time"], rows["no1"]["late"]) == (2, 1)
    assert rows["no2"]["on_time"] == 0 and rows["no2"]["missing"] >= 29
    assert (rows["no1"]["dormant"], rows["no2"]["dormant"]) == (0, 1)
    assert list(rows) == ["no2", "no1"]  # the school with an overdue case first


def test_drill_down_to_a_school_and_no_further(world, activity, login):
    client = login(world.supervisor)
    school = client.get("/detection/?range=30&org=no2")
    assert school.status_code == 200 and school.context["org"] == world.other_school
    assert school.context["total"] == 1
    assert "reports/_dashboard_league.html" not in [p.template for p in school.context["panels"]]
    assert client.get("/detection/?org=far").status_code == 404
    client = login(world.publicity)
    own = client.get("/detection/?range=30")
    assert own.context["total"] == 2 and "reports/_dashboard_league.html" not in [
        p.template for p in own.context["panels"]]
    assert client.get("/detection/?org=no2").status_code == 404
    assert client.get("/detection/?org=bureau-a").status_code == 404


def test_the_dashboard_query_count_does_not_grow_with_rows(world, activity, login):
    client = login(world.supervisor)
    client.get("/detection/?range=30")
    with CaptureQueriesContext(connection) as before:
        assert client.get("/detection/?range=30").status_code == 200
    for n in range(12):
        school = world.school if n % 2 else world.other_school
        e = event(school, ago(n), level=1 + n % 3)
        mention(school, ago(n + 0.5), sentiment="negative", event=e, terms=["作业"], categories=["fees"])
        case_with_deadline(school, ago(n + 1), state="overdue", due_at=ago(n + 0.9))
        Channel.objects.create(organization=school, kind="weibo", name=f"微博{n}", status="active",
                               responsible=world.publicity if school == world.school else world.other_admin,
                               filed_on=timezone.localdate() - 100 * DAY)
    with CaptureQueriesContext(connection) as after:
        response = client.get("/detection/?range=30")
    assert _league(response)["no1"]["mentions"] == 2 + 6
    assert len(after) == len(before), [q["sql"][:120] for q in after.captured_queries][len(before):]
