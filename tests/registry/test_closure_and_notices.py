"""The 7-working-day closure deadline, notices to the people concerned, review tasks and the periodic check."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest

from yuqing.deadlines.actions import deadlines_for
from yuqing.deadlines.models import Deadline
from yuqing.notify.models import Notice
from yuqing.registry import actions, sweep
from yuqing.registry.models import Channel, ChatGroup, RegistrySettings, Status

pytestmark = pytest.mark.django_db
SH = ZoneInfo("Asia/Shanghai")


def _channel(world, **kw):
    fields = {"kind": "kuaishou", "name": "艺体快手", "account_id": "ks1", "responsible": world.editor}
    fields.update(kw)
    return actions.do_register_channel(world.school, acting_user=world.school_admin, **fields)


def test_closure_deadline_is_7_working_days_across_the_national_day_holiday(world, django_capture_on_commit_callbacks):
    channel = _channel(world)
    marked = dt.datetime(2025, 9, 30, 10, 0, tzinfo=SH)  # Tuesday before 国庆 (Oct 1–8 off, Oct 11 a workday)
    with django_capture_on_commit_callbacks(execute=True):
        actions.do_move(channel, Status.CLOSING, acting_user=world.publicity, reason="两个月未更新", now=marked)
    deadline = deadlines_for(channel).get()
    assert deadline.kind == "channel.closure" and deadline.assignee == world.editor
    # Oct 9, 10, 11 (make-up Saturday), 13, 14, 15, 16: the seventh working day
    assert deadline.due_at.astimezone(SH) == dt.datetime(2025, 10, 16, 10, 0, tzinfo=SH)
    notice = Notice.objects.get(recipient=world.editor)
    assert "艺体快手" in notice.title
    with django_capture_on_commit_callbacks(execute=True):
        actions.do_move(Channel.objects.get(), Status.CLOSED, acting_user=world.publicity)
    deadline.refresh_from_db()
    assert deadline.state == Deadline.State.MET


def test_without_a_holiday_it_is_seven_plain_working_days(world):
    group = actions.do_register_group(world.school, acting_user=world.school_admin, kind="qq", name="班级QQ群",
                                      responsible=world.editor)
    actions.do_move(group, Status.CLOSING, acting_user=world.publicity, reason="闲置",
                    now=dt.datetime(2025, 11, 3, 9, 0, tzinfo=SH))  # a Monday
    assert deadlines_for(group).get().due_at.astimezone(SH) == dt.datetime(2025, 11, 12, 9, 0, tzinfo=SH)


def test_overdue_closure_counts_in_the_overview(world):
    from yuqing.registry import overview

    channel = _channel(world)
    actions.do_move(channel, Status.CLOSING, acting_user=world.publicity, reason="停用",
                    now=dt.datetime(2025, 9, 1, 9, 0, tzinfo=SH))
    row = next(r for r in overview.rows(world.bureau) if r.school == world.school)
    assert row.overdue == 1


def test_filing_notices_reach_the_lead_the_bureau_and_the_applicant(world, django_capture_on_commit_callbacks):
    RegistrySettings.objects.create(organization=world.school, bureau_approval=True)
    with django_capture_on_commit_callbacks(execute=True):
        channel = actions.do_apply_channel(world.school, acting_user=world.editor, kind="douyin", name="一中抖音",
                                           responsible=world.editor, reason="招生宣传")
    filing = channel.filings.get()
    assert Notice.objects.filter(recipient=world.publicity, title__contains="一中抖音").exists()
    with django_capture_on_commit_callbacks(execute=True):
        actions.do_decide_filing(filing, acting_user=world.publicity, approve=True)
    assert Notice.objects.filter(recipient=world.supervisor, title__contains="一中抖音").exists()
    with django_capture_on_commit_callbacks(execute=True):
        actions.do_decide_filing(filing, acting_user=world.supervisor, approve=True)
    assert Notice.objects.filter(recipient=world.editor, title__contains="一中抖音").count() == 2


def test_periodic_check_tells_each_responsible_person_once(world, django_capture_on_commit_callbacks):
    from django.utils import timezone

    _channel(world, last_publication_at=timezone.now() - dt.timedelta(days=20))
    actions.do_register_group(world.school, acting_user=world.school_admin, kind="wechat", name="运动会临时群",
                              responsible=world.publicity, temporary=True,
                              task_ends_on=timezone.localdate() - dt.timedelta(days=2))
    with django_capture_on_commit_callbacks(execute=True):
        assert sweep.notify_findings() == {"dormant": 1, "idle": 1}
    with django_capture_on_commit_callbacks(execute=True):
        assert sweep.notify_findings() == {"dormant": 0, "idle": 0}
    assert Notice.objects.filter(recipient=world.editor, kind="registry.check").count() == 1
    assert Notice.objects.filter(recipient=world.publicity, kind="registry.check").count() == 1
    assert ChatGroup.objects.get().idle_notified_at is not None


def test_review_task_appears_before_the_review_date(world):
    from django.utils import timezone

    from yuqing.registry.tasks import review_tasks

    RegistrySettings.objects.create(organization=world.school, review_notice_days=14)
    soon = _channel(world, next_review_on=timezone.localdate() + dt.timedelta(days=10))
    _channel(world, name="网站", kind="website", account_id="", next_review_on=timezone.localdate()
             + dt.timedelta(days=40))
    tasks = review_tasks(world.editor)
    assert [t.url for t in tasks] == [soon.get_absolute_url()]
    assert review_tasks(world.publicity) == []
    from yuqing.notify.inbox import tasks_for

    assert soon.get_absolute_url() in [t.url for t in tasks_for(world.editor)]


def test_waiting_filings_are_the_leads_tasks_not_the_applicants(world):
    from yuqing.notify.inbox import tasks_for

    channel = actions.do_apply_channel(world.school, acting_user=world.editor, kind="douyin", name="抖音",
                                       responsible=world.editor)
    url = channel.filings.get().get_absolute_url()
    assert url in [t.url for t in tasks_for(world.publicity)]
    assert url not in [t.url for t in tasks_for(world.editor)]
    assert url not in [t.url for t in tasks_for(world.supervisor)]
