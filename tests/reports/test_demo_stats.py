"""Right after `yuqing demo`, the statistics and the dashboards show a real month: posts on the past days,
events of three levels, case deadlines met and missed, and the bureau's league table with both schools."""

from __future__ import annotations

import io
from datetime import timedelta

from django.core.management import call_command
from django.utils import timezone


def test_the_demo_fills_the_statistics_and_dashboards(db, tmp_path, settings, login):
    from django.contrib.auth import get_user_model

    from yuqing.orgs.models import Organization
    from yuqing.reports import demo_history
    from yuqing.reports.period import month_of
    from yuqing.reports.stats import statistics

    settings.DATA_DIR = tmp_path
    call_command("demo", stdout=io.StringIO())
    assert demo_history.load() is None  # idempotent
    bureau = Organization.objects.get(slug="demo-bureau")
    period = month_of(timezone.localdate() - timedelta(days=15))
    data = statistics(bureau, period)
    assert data["mentions"]["total"] > 20 and data["mentions"]["by_sentiment"]["negative"] > 0
    assert len(data["mentions"]["by_platform"]) >= 3 and data["mentions"]["hot_terms"]
    rows = {r["slug"]: r for r in data["schools"]}
    assert rows["no1-middle"]["mentions"] > 0 and rows["experimental-primary"]["mentions"] > 0
    whole = [statistics(bureau, p) for p in {month_of(timezone.localdate() - timedelta(days=d)) for d in (1, 30)}]
    assert sum(d["events"]["total"] for d in whole) >= 3
    assert sum(d["deadlines"]["met_on_time"] for d in whole) > 0 and sum(d["deadlines"]["missed"] for d in whole) > 0

    supervisor = get_user_model().objects.get(username="supervisor")
    supervisor.set_password("demo-pass-1234")
    supervisor.save()
    client = login(supervisor, "demo-pass-1234")
    page = client.get("/detection/?range=30")
    assert sum(page.context["trend"]["total"]) > 20
    league = {p.template: p.context for p in page.context["panels"]}["reports/_dashboard_league.html"]
    assert {r["slug"] for r in league["rows"]} == {"no1-middle", "experimental-primary"}
    assert any(r["on_time"] for r in league["rows"])
