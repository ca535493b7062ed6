"""Personal accounts using the school's name, the default yearly review, and a channel's own source."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from django.core.exceptions import PermissionDenied

from yuqing.deadlines.actions import deadlines_for
from yuqing.registry import actions
from yuqing.registry.models import Channel, Violation

pytestmark = pytest.mark.django_db
SH = ZoneInfo("Asia/Shanghai")


def test_violation_gets_a_rectification_deadline_and_is_closed(world, login):
    found = dt.datetime(2025, 9, 30, 15, 0, tzinfo=SH)
    violation = actions.do_record_violation(world.school, acting_user=world.publicity, kind="douyin",
                                            name="第一中学校园墙", holder="某学生", note="冒用校名发布", now=found)
    deadline = deadlines_for(violation).get()
    assert deadline.kind == "registry.violation"
    assert deadline.due_at.astimezone(SH) == dt.datetime(2025, 10, 16, 15, 0, tzinfo=SH)
    assert violation.rectify_by == deadline.due_at
    with pytest.raises(PermissionDenied):
        actions.do_rectify_violation(violation, acting_user=world.editor)
    client = login(world.publicity)
    assert "第一中学校园墙" in client.get("/registry/violations/").content.decode()
    client.post("/registry/violations/", {"rectify": violation.pk})
    violation.refresh_from_db()
    deadline.refresh_from_db()
    assert violation.state == Violation.State.RECTIFIED and deadline.state == "met"


def test_channels_are_reviewed_yearly_by_default(world):
    channel = actions.do_register_channel(world.school, acting_user=world.school_admin, kind="weibo", name="微博",
                                          responsible=world.publicity, filed_on=dt.date(2024, 2, 29))
    assert channel.next_review_on == dt.date(2025, 2, 28)
    applied = actions.do_apply_channel(world.school, acting_user=world.editor, kind="bilibili", name="B站",
                                       responsible=world.editor)
    assert applied.next_review_on is None
    actions.do_decide_filing(applied.filings.get(), acting_user=world.publicity, approve=True)
    applied.refresh_from_db()
    assert applied.next_review_on == actions.next_review(applied.filed_on)


def test_creating_the_channels_own_source_in_one_step(world, login):
    channel = actions.do_register_channel(world.school, acting_user=world.school_admin, kind="weibo",
                                          name="一中微博", responsible=world.publicity)
    client = login(world.publicity)
    client.post(f"/registry/channels/{channel.pk}/source/", {"url": "https://rsshub.example.cn/weibo/user/1"})
    channel = Channel.objects.select_related("source").get()
    assert channel.source.kind == "rss" and channel.source.url == "https://rsshub.example.cn/weibo/user/1"
    assert channel.source.organization == world.school
