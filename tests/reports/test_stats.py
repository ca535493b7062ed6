"""Weekly and monthly statistics: the numbers are the database's counts for a fixture month, a bureau's totals
are the sum of its schools' (its own items once), the XLSX reopens with its sheets, charts and numbers, periods
are parsed with clear errors, and nobody sees another school's statistics."""

from __future__ import annotations

import hashlib
import io
import json
from datetime import datetime
from itertools import count
from zoneinfo import ZoneInfo

import pytest
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils import translation
from openpyxl import load_workbook

from yuqing.audit.models import AuditRecord
from yuqing.deadlines.models import Deadline
from yuqing.detection.models import Event, Mention, Scheme
from yuqing.incidents.models import Case
from yuqing.monitoring.models import Item, Source
from yuqing.publishing.models import Draft, PublishRecord
from yuqing.registry.models import Channel
from yuqing.reports.period import parse_period
from yuqing.reports.stats import statistics

SH = ZoneInfo("Asia/Shanghai")
_n = count(1)


def sh(*args) -> datetime:
    return datetime(*args, tzinfo=SH)


def mention(org, at, *, sentiment="neutral", judged="", event=None, platform="weibo", source=None, views=None,
            categories=(), terms=()) -> Mention:
    scheme = Scheme.objects.filter(organization=org).first() or Scheme.objects.create(
        organization=org, name=f"方案{next(_n)}", expression="学校")
    url = f"https://example.com/p/{next(_n)}"
    item = Item.objects.create(organization=org, source=source, url=url, url_hash=hashlib.sha256(url.encode()).hexdigest(),
                               title="帖子", text="学校", platform=platform, first_seen_at=at, last_seen_at=at,
                               published_at=at, views=views)
    m = Mention.objects.create(scheme=scheme, item=item, organization=org, sentiment=sentiment, judged_sentiment=judged,
                               event=event, categories=list(categories), matched_terms=list(terms))
    Mention.objects.filter(pk=m.pk).update(created_at=at)  # auto_now_add: back-date the fixture
    return m


def event(org, at, level=1, views=0) -> Event:
    return Event.objects.create(organization=org, title=f"事件{next(_n)}", first_seen_at=at, last_seen_at=at, level=level,
                                views=views)


def case_with_deadline(org, opened_at, *, state, due_at, met_at=None) -> Case:
    case = Case.objects.create(organization=org, title=f"案件{next(_n)}", opened_at=opened_at, level=2)
    Deadline.objects.create(organization=org, subject_type=ContentType.objects.get_for_model(Case),
                            subject_id=str(case.pk), kind="case.forward", due_at=due_at, state=state, met_at=met_at)
    return case


def publication(org, at, channels, author):
    draft = Draft.objects.create(organization=org, title=f"稿件{next(_n)}", author=author, status="published")
    record = PublishRecord.objects.create(draft=draft, organization=org, version=1, title=draft.title,
                                          status=PublishRecord.Status.PUBLISHED, reviewer_line="初审 甲",
                                          approved_at=at, published_at=at)
    record.channels.set(channels)
    return record


@pytest.fixture
def month(world):
    """November 2026 in bureau A: two schools, the bureau's own items, a unit's, and rows just outside."""
    school, other, bureau = world.school, world.other_school, world.bureau
    feed = Source.objects.create(organization=school, name="微博搜索", kind=Source.Kind.RSS, url="https://example.com/f")
    e1 = event(school, sh(2026, 11, 3, 9), level=3, views=9000)
    e2 = event(other, sh(2026, 11, 20, 9), level=1, views=300)
    event(school, sh(2026, 10, 31, 23, 59), level=2)  # October: not counted
    mention(school, sh(2026, 11, 1, 0, 0), sentiment="negative", event=e1, source=feed, views=9000,
            categories=["food_safety"], terms=["食堂"])
    mention(school, sh(2026, 11, 3, 10), sentiment="negative", judged="neutral", event=e1, source=feed,
            categories=["food_safety", "fees"], terms=["食堂", "收费"])
    mention(world.unit, sh(2026, 11, 15, 12), sentiment="positive", platform="wechat")
    mention(other, sh(2026, 11, 20, 9), sentiment="negative", event=e2, platform="douyin", terms=["欺凌"])
    mention(other, sh(2026, 11, 30, 23, 59, 59), sentiment="neutral")
    mention(bureau, sh(2026, 11, 10, 8), sentiment="negative", terms=["收费"])  # the bureau's own
    mention(school, sh(2026, 10, 31, 23, 59, 59), sentiment="negative")  # before the month
    mention(other, sh(2026, 12, 1, 0, 0), sentiment="negative")  # after it
    mention(world.far_school, sh(2026, 11, 5, 9), sentiment="negative")  # another bureau
    case_with_deadline(school, sh(2026, 11, 3, 11), state="met", due_at=sh(2026, 11, 3, 13), met_at=sh(2026, 11, 3, 12))
    case_with_deadline(school, sh(2026, 11, 4, 11), state="met", due_at=sh(2026, 11, 4, 13), met_at=sh(2026, 11, 4, 15))
    case_with_deadline(other, sh(2026, 11, 21, 11), state="overdue", due_at=sh(2026, 11, 21, 13))
    case_with_deadline(other, sh(2026, 11, 22, 11), state="waived", due_at=sh(2026, 11, 22, 13))
    web = Channel.objects.create(organization=school, kind="website", name="一中官网", status="active",
                                 responsible=world.publicity)
    wx = Channel.objects.create(organization=school, kind="wechat_official", name="一中公众号", status="active",
                                responsible=world.publicity)
    wx2 = Channel.objects.create(organization=other, kind="wechat_official", name="二中公众号", status="active",
                                 responsible=world.other_admin)
    publication(school, sh(2026, 11, 2, 10), [web, wx], world.editor)
    publication(school, sh(2026, 11, 9, 10), [wx], world.editor)
    publication(other, sh(2026, 11, 9, 10), [wx2], world.other_editor)
    publication(other, sh(2026, 12, 2, 10), [wx2], world.other_editor)  # December
    return parse_period("2026-11")


NOW = sh(2026, 12, 2, 9)


@pytest.fixture
def chinese(settings):
    settings.LANGUAGE_CODE = "zh-hans"


def test_the_numbers_are_the_databases_counts(world, month):
    data = statistics(world.bureau, month, now=NOW)
    tree = Mention.objects.filter(organization__path__startswith=world.bureau.path,
                                  created_at__gte=month.start, created_at__lt=month.end)
    assert data["mentions"]["total"] == tree.count() == 6
    assert data["mentions"]["by_sentiment"] == {"negative": 3, "neutral": 2, "positive": 1}  # a judgement wins
    assert data["mentions"]["by_level"] == {"0": 3, "1": 1, "2": 0, "3": 2, "4": 0}
    assert data["mentions"]["by_platform"] == {"weibo": 4, "wechat": 1, "douyin": 1}
    assert data["mentions"]["by_category"] == [("food_safety", 2), ("fees", 1)]
    assert dict(data["mentions"]["hot_terms"]) == {"食堂": 2, "收费": 2, "欺凌": 1}
    assert data["mentions"]["by_source"][0] == {"id": None, "name": "", "kind": "", "count": 4}
    assert data["mentions"]["by_source"][1]["name"] == "微博搜索" and data["mentions"]["by_source"][1]["count"] == 2
    assert data["events"] == {"total": 2, "by_level": {"1": 1, "2": 0, "3": 1, "4": 0}}
    assert [e["views"] for e in data["top_events"]] == [9000, 300]
    assert data["cases"]["opened"] == 4
    assert data["deadlines"] == {"total": 4, "met_on_time": 1, "met_late": 1, "overdue": 1, "waived": 1,
                                 "pending": 0, "missed": 2}
    assert data["publications"]["total"] == 3
    assert {c["name"]: c["count"] for c in data["publications"]["by_channel"]} == {
        "一中公众号": 2, "一中官网": 1, "二中公众号": 1}
    assert sum(data["trend"]["total"]) == 6 and data["trend"]["total"][0] == 1 and data["trend"]["total"][-1] == 1


def test_bureau_totals_are_the_sum_of_its_schools(world, month):
    bureau = statistics(world.bureau, month, now=NOW)
    schools = [statistics(s, month, now=NOW) for s in (world.school, world.other_school)]
    rows = {r["slug"]: r for r in bureau["schools"]}
    assert set(rows) == {"bureau-a", "no1", "no2"}  # the bureau's own row: its own item, counted once
    assert rows["bureau-a"]["own"] and rows["bureau-a"]["mentions"] == 1
    for key in ("mentions", "negative", "events", "cases_opened", "deadlines_missed", "publications"):
        assert sum(r[key] for r in bureau["schools"]) == {
            "mentions": bureau["mentions"]["total"], "negative": bureau["mentions"]["by_sentiment"]["negative"],
            "events": bureau["events"]["total"], "cases_opened": bureau["cases"]["opened"],
            "deadlines_missed": bureau["deadlines"]["missed"], "publications": bureau["publications"]["total"]}[key]
    for s in schools:
        assert rows[s["organization"]["slug"]]["mentions"] == s["mentions"]["total"]
        assert rows[s["organization"]["slug"]]["publications"] == s["publications"]["total"]
    assert rows["no1"]["mentions"] == 3  # the unit's mention counts in its school
    assert sum(s["mentions"]["total"] for s in schools) + rows["bureau-a"]["mentions"] == bureau["mentions"]["total"]


def test_iso_weeks_use_beijing_days(world, month):
    week = parse_period("2026-W48")
    assert (week.first.isoformat(), week.last.isoformat()) == ("2026-11-23", "2026-11-29")
    assert parse_period("2026-W49").first.isoformat() == "2026-11-30"
    data = statistics(world.bureau, parse_period("2026-W49"), now=NOW)
    assert data["mentions"]["total"] == 2  # Monday 11-30 23:59:59 and Tuesday 12-01 00:00
    assert data["trend"]["labels"][:2] == ["2026-11-30", "2026-12-01"] and data["trend"]["total"][:2] == [1, 1]


@pytest.mark.parametrize(("value", "fragment"), [
    ("2026-13", "01 到 12"), ("2026-W54", "第 54 周"), ("november", "2026-W48"), ("", "2026-11"),
    ("1999-01", "2000"),
])
def test_period_errors_are_clear_and_name_the_field(value, fragment):
    with translation.override("zh-hans"), pytest.raises(ValidationError) as exc:
        parse_period(value)
    message = exc.value.message_dict["period"][0]
    assert message.startswith("统计周期") and fragment in message


def test_the_workbook_has_its_sheets_charts_and_numbers(world, month, tmp_path, settings):
    out = tmp_path / "stats.xlsx"
    settings.LANGUAGE_CODE = "zh-hans"  # the command writes in the installation's language
    call_command("report", "stats", "--org", "bureau-a", "--period", "2026-11", "-o", str(out), stdout=io.StringIO())
    book = load_workbook(out)
    assert book.sheetnames == ["总览", "按日趋势", "按级别", "按情感", "按类别", "按平台", "按信息源", "热词",
                               "重点事件", "案件时限", "发布统计", "各校"]
    overview = {row[0]: row[1] for row in book["总览"].iter_rows(min_row=2, values_only=True)}
    assert overview["命中信息"] == 6 and overview["负面信息"] == 3 and overview["发布数"] == 3
    assert overview["超时的时限"] == 2 and overview["按时完成的时限"] == 1
    charts = {name: [type(c).__name__ for c in book[name]._charts] for name in book.sheetnames}
    assert charts["按日趋势"] == ["LineChart"] and charts["按级别"] == ["BarChart"]
    assert charts["按情感"] == ["PieChart"] and charts["各校"] == ["BarChart"] and charts["发布统计"] == ["BarChart"]
    schools = list(book["各校"].iter_rows(min_row=2, values_only=True))
    assert sum(r[1] for r in schools) == 6
    trend = list(book["按日趋势"].iter_rows(min_row=2, values_only=True))
    assert len(trend) == 30 and sum(r[1] for r in trend) == 6
    assert AuditRecord.objects.filter(action="report.export", organization=world.bureau).count() == 1


def test_the_json_export_and_a_bad_period_on_the_command_line(world, month):
    out = io.StringIO()
    call_command("report", "stats", "--org", "no1", "--period", "2026-11", "--format", "json", "-o", "-",
                 stdout=out)
    with pytest.raises(CommandError, match="--period"):
        call_command("report", "stats", "--org", "no1", "--period", "2026-W99", "-o", "-")


def test_a_school_sees_only_its_own_statistics(world, month, login):
    client = login(world.publicity)
    page = client.get("/reports/stats/?period=2026-11")
    assert page.status_code == 200 and page.context["org"] == world.school
    assert page.context["data"]["mentions"]["total"] == 3
    assert client.get("/reports/stats/?period=2026-11&org=no2").status_code == 404
    assert client.get("/reports/stats/?period=2026-11&org=bureau-a").status_code == 404
    assert client.get("/reports/stats/?period=2026-11&org=no2&format=xlsx").status_code == 404
    assert not AuditRecord.objects.filter(action="report.export").exists()


def test_the_bureau_sees_all_its_schools(world, month, login, chinese):
    client = login(world.supervisor)
    page = client.get("/reports/stats/?period=2026-11")
    assert page.status_code == 200 and page.context["org"] == world.bureau
    assert {r["slug"] for r in page.context["data"]["schools"]} == {"bureau-a", "no1", "no2"}
    assert client.get("/reports/stats/?period=2026-11&org=no2").context["data"]["mentions"]["total"] == 2
    assert client.get("/reports/stats/?period=2026-11&org=far").status_code == 404
    xlsx = client.get("/reports/stats/?period=2026-11&format=xlsx")
    assert xlsx.status_code == 200 and load_workbook(io.BytesIO(xlsx.content)).sheetnames[0] == "总览"
    assert AuditRecord.objects.filter(action="report.export", actor=world.supervisor).count() == 1


def test_a_bad_period_on_the_page_is_explained(world, login, chinese):
    client = login(world.supervisor)
    page = client.get("/reports/stats/?period=2026-W99")
    assert page.status_code == 200
    assert "统计周期" in page.content.decode()


def test_the_query_count_does_not_grow_with_rows(world, month):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    statistics(world.bureau, month, now=NOW)  # the organisation caches its subtree on the first call
    with CaptureQueriesContext(connection) as before:
        statistics(world.bureau, month, now=NOW)
    for day in range(1, 29):
        mention(world.other_school, sh(2026, 11, day, 12), sentiment="negative", terms=["食堂"])
        event(world.other_school, sh(2026, 11, day, 12))
    with CaptureQueriesContext(connection) as after:
        data = statistics(world.bureau, month, now=NOW)
    assert len(after) == len(before) <= 30
    assert data["mentions"]["total"] == 6 + 28
    assert json.dumps(data, ensure_ascii=False)  # plain data


def test_timestamps_are_beijing_not_utc(world):
    # 2026-11-30 20:00 UTC is 2026-12-01 04:00 in Beijing: December's, not November's.
    mention(world.school, datetime(2026, 11, 30, 20, tzinfo=ZoneInfo("UTC")))
    assert statistics(world.school, parse_period("2026-11"), now=NOW)["mentions"]["total"] == 0
    assert statistics(world.school, parse_period("2026-12"), now=NOW)["mentions"]["total"] == 1
