"""Dormancy (两周未更新) from each origin of the last publication, and idle-group proposals."""

from __future__ import annotations

import datetime as dt
import json
from io import StringIO

import pytest
from django.core.management import call_command
from django.utils import timezone

from yuqing.collection.entries import RawEntry
from yuqing.monitoring.actions import do_create_source
from yuqing.monitoring.pipeline import store_entries
from yuqing.registry import actions, checks
from yuqing.registry.activity import is_dormant, last_publication, record_publication
from yuqing.registry.models import Channel, RegistrySettings

pytestmark = pytest.mark.django_db

NOW = dt.datetime(2026, 6, 20, 10, 0, tzinfo=dt.timezone(dt.timedelta(hours=8)))


def _channel(world, **kw):
    fields = {"kind": "website", "name": "学校网站", "url": "https://www.no1.example.cn/",
              "responsible": world.publicity, "filed_on": dt.date(2026, 1, 5)}
    fields.update(kw)
    return actions.do_register_channel(world.school, acting_user=world.school_admin, **fields)


def _fresh(channel):
    from yuqing.registry.activity import with_activity
    return with_activity(Channel.objects.filter(pk=channel.pk)).get()


@pytest.mark.parametrize("days,dormant", [(13, False), (14, True)])
def test_dormant_from_the_linked_source_items(world, days, dormant):
    source = do_create_source(organization=world.school, acting_user=world.school_admin, name="网站栏目",
                              kind="rss", url="https://www.no1.example.cn/news/rss.xml")
    channel = _channel(world, source=source)
    published = NOW - dt.timedelta(days=days)
    store_entries(world.school, source, [
        RawEntry(url="https://www.no1.example.cn/news/1.html", title="开学典礼", text="开学典礼隆重举行",
                 published=published - dt.timedelta(days=30)),
        RawEntry(url="https://www.no1.example.cn/news/2.html", title="运动会", text="秋季运动会圆满落幕",
                 published=published),
    ], now=published)
    channel = _fresh(channel)
    assert last_publication(channel) == (published, "source")
    assert is_dormant(channel, NOW) is dormant


@pytest.mark.parametrize("days,dormant", [(13, False), (14, True)])
def test_dormant_from_yuqing_publish_records(world, days, dormant):
    channel = _channel(world, kind="wechat_official", name="和悦金地", url="")
    record_publication(channel, NOW - dt.timedelta(days=days), url="https://mp.weixin.qq.com/s/x")
    channel = _fresh(channel)
    assert last_publication(channel)[1] == "publishing"
    assert is_dormant(channel, NOW) is dormant


@pytest.mark.parametrize("days,dormant", [(13, False), (14, True)])
def test_dormant_from_an_entered_date(world, days, dormant):
    channel = _channel(world, kind="kuaishou", name="艺体快手", url="", account_id="ks1",
                       last_publication_at=NOW - dt.timedelta(days=days))
    channel = _fresh(channel)
    assert last_publication(channel)[1] == "entered"
    assert is_dormant(channel, NOW) is dormant


def test_newest_origin_wins_and_only_active_channels_are_dormant(world):
    channel = _channel(world, last_publication_at=NOW - dt.timedelta(days=30))
    record_publication(channel, NOW - dt.timedelta(days=2))
    assert not is_dormant(_fresh(channel), NOW)
    quiet = _channel(world, name="停用账号", kind="douyin", url="", status="suspended",
                     last_publication_at=NOW - dt.timedelta(days=60))
    assert not is_dormant(_fresh(quiet), NOW)


def test_idle_group_proposals(world):
    mk = actions.do_register_group
    temp = mk(world.school, acting_user=world.school_admin, kind="wechat", name="运动会临时群",
              responsible=world.editor, temporary=True, task_ends_on=dt.date(2026, 6, 1),
              last_activity_on=dt.date(2026, 6, 19))
    still = mk(world.school, acting_user=world.school_admin, kind="wechat", name="期末临时群",
               responsible=world.editor, temporary=True, task_ends_on=dt.date(2026, 7, 10),
               last_activity_on=dt.date(2026, 6, 19))
    idle = mk(world.school, acting_user=world.school_admin, kind="qq", name="班级QQ群", number="765",
              responsible=world.editor, last_activity_on=NOW.date() - dt.timedelta(days=90))
    busy = mk(world.school, acting_user=world.school_admin, kind="qq", name="全体教师QQ群", number="766",
              responsible=world.editor, last_activity_on=NOW.date() - dt.timedelta(days=89))
    found = {p.group.pk: p.reason for p in checks.run(world.school, NOW).idle}
    assert found == {temp.pk: "task_ended", idle.pk: "idle"}
    assert still.pk not in found and busy.pk not in found
    # the idle period is configurable per organisation (here set once by the bureau for its schools)
    RegistrySettings.objects.create(organization=world.bureau, idle_days=30)
    assert {p.group.pk for p in checks.run(world.school, NOW).idle} == {temp.pk, idle.pk, busy.pk}


def test_cli_list_and_check(world):
    _channel(world, kind="kuaishou", name="艺体快手", url="", account_id="ks1",
             last_publication_at=timezone.now() - dt.timedelta(days=21))
    actions.do_register_group(world.school, acting_user=world.school_admin, kind="wechat", name="临时群",
                              responsible=world.editor, temporary=True,
                              task_ends_on=timezone.localdate() - dt.timedelta(days=3))
    out = StringIO()
    call_command("registry", "list", "--org", "no1", "--format", "json", stdout=out)
    rows = json.loads(out.getvalue())
    assert {(r["kind"], r["type"], r["name"], r["status"], r["dormant"]) for r in rows} == {
        ("channel", "kuaishou", "艺体快手", "active", True), ("group", "wechat", "临时群", "active", True)}
    assert all({"id", "responsible", "last_activity"} <= set(r) for r in rows)
    out = StringIO()
    call_command("registry", "check", "--org", "no1", "--format", "json", stdout=out)
    data = json.loads(out.getvalue())
    assert [c["name"] for c in data["dormant_channels"]] == ["艺体快手"]
    assert data["dormant_channels"][0]["days_silent"] == 21
    assert [(g["name"], g["reason"]) for g in data["idle_groups"]] == [("临时群", "task_ended")]
    assert {o["name"] for o in data["unfiled"]} == {"临时群"}
