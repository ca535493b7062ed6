"""Deadlines: opening, meeting, waiving, the overdue check firing once, reminders, and the command line."""

from __future__ import annotations

import json
import threading
from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management import call_command
from django.db import connection
from django.utils import timezone

from yuqing import workflow
from yuqing.audit.models import AuditRecord
from yuqing.deadlines import jobs
from yuqing.deadlines.actions import deadlines_for, do_meet_deadline, do_waive_deadline, open_deadline
from yuqing.deadlines.models import Deadline
from yuqing.deadlines.signals import deadline_overdue, deadline_reminder
from yuqing.detection.models import Event
from yuqing.notify.models import Notice

pytestmark = pytest.mark.django_db


def make_subject(org) -> Event:
    now = timezone.now()
    return Event.objects.create(organization=org, title="食堂饭菜涨价", first_seen_at=now, last_seen_at=now)


@pytest.fixture
def subject(world):
    return make_subject(world.school)


@pytest.fixture
def fired():
    got = {"overdue": [], "reminder": []}

    def on_overdue(sender, deadline, **kwargs):
        got["overdue"].append(deadline.pk)

    def on_reminder(sender, deadline, **kwargs):
        got["reminder"].append(deadline.pk)

    deadline_overdue.connect(on_overdue, dispatch_uid="test-overdue")
    deadline_reminder.connect(on_reminder, dispatch_uid="test-reminder")
    yield got
    deadline_overdue.disconnect(dispatch_uid="test-overdue")
    deadline_reminder.disconnect(dispatch_uid="test-reminder")


def open_one(world, subject, *, hours=2, remind_hours=None, kind="case.forward") -> Deadline:
    now = timezone.now()
    return open_deadline(subject, kind=kind, due_at=now + timedelta(hours=hours), rule="一般: 2 小时内转交",
                         organization=world.school, title="转交责任部门", assignee=world.monitor,
                         remind_at=now + timedelta(hours=remind_hours) if remind_hours is not None else None)


def test_open_deadline_is_audited_and_idempotent_while_pending(world, subject):
    first = open_one(world, subject)
    again = open_one(world, subject, hours=5)
    assert again.pk == first.pk and list(deadlines_for(subject)) == [first]
    assert AuditRecord.objects.filter(action="deadline.open").count() == 1
    assert first.state == Deadline.State.OPEN and first.rule == "一般: 2 小时内转交"
    do_meet_deadline(first, acting_user=world.monitor, note="已转交后勤处")
    assert open_one(world, subject).pk != first.pk  # a new clock once the old one ended


def test_open_deadline_refuses_naive_times_and_late_reminders(world, subject):
    from datetime import datetime

    with pytest.raises(ValidationError) as info:
        open_deadline(subject, kind="k", due_at=datetime(2026, 10, 8, 9, 0), rule="r", organization=world.school)
    assert "due_at" in info.value.message_dict
    with pytest.raises(ValidationError) as info:
        open_one(world, subject, hours=1, remind_hours=2)
    assert "remind_at" in info.value.message_dict


def test_assignee_meets_the_deadline_with_history_and_audit(world, subject):
    deadline = open_one(world, subject)
    do_meet_deadline(deadline, acting_user=world.monitor, note="已转交后勤处")
    deadline.refresh_from_db()
    assert (deadline.state, deadline.met_by, deadline.note) == ("met", world.monitor, "已转交后勤处")
    assert deadline.met_at is not None
    assert [(c.from_state, c.to_state) for c in workflow.history(deadline)] == [("open", "met")]
    assert AuditRecord.objects.filter(action="deadlines.deadline.met", actor=world.monitor).exists()


def test_only_the_assignee_or_a_manager_may_meet_it(world, subject):
    deadline = open_one(world, subject)
    with pytest.raises(PermissionDenied):
        do_meet_deadline(deadline, acting_user=world.editor)
    do_meet_deadline(deadline, acting_user=world.publicity)
    assert deadline.state == Deadline.State.MET


def test_waiving_needs_a_reason_and_the_permission(world, subject):
    deadline = open_one(world, subject)
    with pytest.raises(PermissionDenied):
        do_waive_deadline(deadline, acting_user=world.monitor, reason="不需要")
    with pytest.raises(ValidationError) as info:
        do_waive_deadline(deadline, acting_user=world.publicity, reason=" ")
    assert "reason" in info.value.message_dict
    do_waive_deadline(deadline, acting_user=world.publicity, reason="事件已由教育局统一处置")
    deadline.refresh_from_db()
    assert (deadline.state, deadline.reason) == ("waived", "事件已由教育局统一处置")
    with pytest.raises(ValidationError) as info:
        do_meet_deadline(deadline, acting_user=world.monitor)
    assert "Waived" in info.value.message_dict["state"][0]


def test_overdue_check_fires_signal_and_notices_once(world, subject, fired, django_capture_on_commit_callbacks):
    deadline = open_one(world, subject)
    later = timezone.now() + timedelta(hours=3)
    assert jobs.check_deadlines(timezone.now()).summary() == {"overdue": 0, "reminded": 0}
    with django_capture_on_commit_callbacks(execute=True):
        assert jobs.check_deadlines(later).overdue == [deadline.pk]
    with django_capture_on_commit_callbacks(execute=True):
        assert jobs.check_deadlines(later + timedelta(hours=1)).overdue == []
    deadline.refresh_from_db()
    assert deadline.state == Deadline.State.OVERDUE and deadline.notified_overdue_at == later
    assert fired["overdue"] == [deadline.pk]
    notices = Notice.objects.filter(kind="deadline.overdue")
    assert sorted(n.recipient.username for n in notices) == ["monitor", "publicity"]
    assert all(n.urgency == "urgent" and "转交责任部门" in n.title for n in notices)
    assert [(c.from_state, c.to_state, c.actor_id) for c in workflow.history(deadline)] == [
        ("open", "overdue", None)]
    assert AuditRecord.objects.get(action="deadlines.deadline.overdue").actor_name == "system"
    # Overdue, it can still be met late.
    do_meet_deadline(deadline, acting_user=world.monitor)
    assert deadline.state == Deadline.State.MET


def test_reminder_fires_once_before_the_deadline(world, subject, fired, django_capture_on_commit_callbacks):
    deadline = open_one(world, subject, hours=2, remind_hours=1)
    at = timezone.now() + timedelta(minutes=90)
    with django_capture_on_commit_callbacks(execute=True):
        assert jobs.check_deadlines(at).reminded == [deadline.pk]
        assert jobs.check_deadlines(at).reminded == []
    deadline.refresh_from_db()
    assert deadline.state == Deadline.State.OPEN and deadline.reminded_at == at
    assert fired == {"overdue": [], "reminder": [deadline.pk]}
    [notice] = Notice.objects.filter(kind="deadline.reminder")
    assert notice.recipient == world.monitor and notice.urgency == "normal"


def test_met_and_waived_deadlines_never_fire(world, subject, fired, django_capture_on_commit_callbacks):
    met = open_one(world, subject, kind="a")
    waived = open_one(world, subject, kind="b")
    do_meet_deadline(met, acting_user=world.monitor)
    do_waive_deadline(waived, acting_user=world.publicity, reason="无需")
    with django_capture_on_commit_callbacks(execute=True):
        assert jobs.check_deadlines(timezone.now() + timedelta(days=3)).summary() == {"overdue": 0, "reminded": 0}
    assert fired["overdue"] == [] and not Notice.objects.exists()


def test_a_second_worker_claiming_in_between_leaves_one_notice(world, subject, monkeypatch,
                                                               django_capture_on_commit_callbacks):
    """Worker A lists the due deadline; worker B runs a whole check before A claims it: one notice."""
    deadline = open_one(world, subject)
    later = timezone.now() + timedelta(hours=3)
    real_claim = jobs.claim_overdue
    interleaved = []

    def claim_after_the_other_worker(pk, now):
        if not interleaved:
            interleaved.append("B is running")
            interleaved[0] = jobs.check_deadlines(now)  # worker B, between A's listing and A's claim
        return real_claim(pk, now)

    monkeypatch.setattr(jobs, "claim_overdue", claim_after_the_other_worker)
    with django_capture_on_commit_callbacks(execute=True):
        a = jobs.check_deadlines(later)
    assert interleaved[0].overdue == [deadline.pk] and a.overdue == []
    assert Notice.objects.filter(kind="deadline.overdue", recipient=world.monitor).count() == 1


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_workers_checking_at_once_send_one_notice(world):
    if connection.vendor != "postgresql":
        pytest.skip("real concurrent connections need PostgreSQL (DATABASE_URL)")
    subjects = [make_subject(world.school) for _ in range(5)]
    for s in subjects:
        open_one(world, s)
    later = timezone.now() + timedelta(hours=3)
    barrier = threading.Barrier(2)
    results = []

    def worker():
        try:
            barrier.wait(timeout=10)
            results.append(jobs.check_deadlines(later).overdue)
        finally:
            connection.close()

    threads = [threading.Thread(target=worker) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert sorted(results[0] + results[1]) == sorted(Deadline.objects.values_list("pk", flat=True))
    assert Notice.objects.filter(kind="deadline.overdue", recipient=world.monitor).count() == 5
    assert Notice.objects.filter(kind="deadline.overdue", recipient=world.publicity).count() == 5


def test_command_run_at_a_time_changes_only_deadlines(world, subject, capsys):
    from yuqing.system.models import ScheduledJob

    deadline = open_one(world, subject)
    before_events = list(Event.objects.values_list("pk", "status", "level"))
    at = timezone.localtime(timezone.now() + timedelta(hours=3)).replace(tzinfo=None).isoformat(timespec="minutes")
    call_command("deadlines", "run", "--at", at, "--format", "json")
    out = json.loads(capsys.readouterr().out)
    assert out["overdue"] == 1 and out["overdue_ids"] == [deadline.pk]
    assert Deadline.objects.get().state == Deadline.State.OVERDUE
    assert list(Event.objects.values_list("pk", "status", "level")) == before_events
    assert not ScheduledJob.objects.exists()


def test_command_refuses_a_malformed_time(world):
    from django.core.management.base import CommandError

    with pytest.raises(CommandError) as info:
        call_command("deadlines", "run", "--at", "next tuesday")
    assert "--at" in str(info.value)


def test_command_lists_deadlines_of_an_organisation_as_json(world, subject, capsys):
    open_one(world, subject)
    open_deadline(make_subject(world.other_school), kind="x", due_at=timezone.now(), rule="r",
                  organization=world.other_school)
    call_command("deadlines", "list", "--org", "no1", "--format", "json")
    rows = json.loads(capsys.readouterr().out)
    assert [(r["organization"], r["kind"], r["state"], r["assignee"], r["rule"]) for r in rows] == [
        ("no1", "case.forward", "open", "monitor", "一般: 2 小时内转交")]
    assert rows[0]["subject"] == f"detection.event:{subject.pk}"
