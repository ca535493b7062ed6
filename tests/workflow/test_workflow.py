"""Guarded transitions: refused moves name the state, permissions, reasons, history + audit, one winner."""

from __future__ import annotations

import threading

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection, transaction
from django.http import Http404
from django.utils import timezone, translation

from yuqing import workflow
from yuqing.audit.models import AuditRecord
from yuqing.detection.models import Event
from yuqing.workflow.models import StateChange

pytestmark = pytest.mark.django_db


def make_event(org, status=Event.Status.OPEN) -> Event:
    now = timezone.now()
    return Event.objects.create(organization=org, title="食堂饭菜涨价", first_seen_at=now, last_seen_at=now,
                                status=status)


@pytest.fixture
def changes():
    received = []

    def receiver(sender, **kwargs):
        received.append((sender, kwargs))

    workflow.status_changed.connect(receiver, dispatch_uid="test-workflow")
    yield received
    workflow.status_changed.disconnect(dispatch_uid="test-workflow")


def test_refused_move_names_the_current_state_and_the_allowed_moves(world):
    event = make_event(world.school, Event.Status.CLOSED)
    with pytest.raises(ValidationError) as info:
        workflow.do_transition(event, Event.Status.CLOSED, acting_user=world.monitor, reason="again")
    message = info.value.message_dict["status"][0]
    assert "“Closed”" in message and "Reopen" in message and "Open" in message
    with translation.override("zh-hans"), pytest.raises(ValidationError) as info:
        workflow.do_transition(event, Event.Status.CLOSED, acting_user=world.monitor, reason="again")
    message = info.value.message_dict["status"][0]
    assert "当前状态为“已关闭”" in message and "重新打开" in message
    assert not StateChange.objects.exists()


def test_unknown_target_state_is_refused_too(world):
    event = make_event(world.school)
    with pytest.raises(ValidationError) as info:
        workflow.do_transition(event, "archived", acting_user=world.monitor)
    assert "“Open”" in info.value.message_dict["status"][0]


def test_person_without_the_moves_permission_is_refused(world):
    event = make_event(world.school)
    with pytest.raises(PermissionDenied):
        workflow.do_transition(event, Event.Status.CLOSED, acting_user=world.editor, reason="done")
    with pytest.raises(Http404):
        workflow.do_transition(event, Event.Status.CLOSED, acting_user=world.other_admin, reason="done")
    # Not even the state leaks to someone who cannot see the event.
    with pytest.raises(Http404):
        workflow.do_transition(event, Event.Status.OPEN, acting_user=world.other_admin)
    event.refresh_from_db()
    assert event.status == Event.Status.OPEN and not StateChange.objects.exists()


def test_reason_is_required_where_the_move_says_so(world):
    event = make_event(world.school)
    with pytest.raises(ValidationError) as info:
        workflow.do_transition(event, Event.Status.CLOSED, acting_user=world.monitor, reason="   ")
    assert "reason" in info.value.message_dict
    event.refresh_from_db()
    assert event.status == Event.Status.OPEN
    # Reopening needs no reason.
    event = make_event(world.school, Event.Status.CLOSED)
    workflow.do_transition(event, Event.Status.OPEN, acting_user=world.monitor)
    assert event.status == Event.Status.OPEN


def test_transition_writes_history_and_audit_and_signals_after_commit(world, changes,
                                                                      django_capture_on_commit_callbacks):
    event = make_event(world.school)
    with django_capture_on_commit_callbacks(execute=True):
        returned = workflow.do_transition(event, Event.Status.CLOSED, acting_user=world.monitor,
                                          reason="已核实，谣言已澄清")
        assert changes == []  # not before the commit
    assert returned is event and event.status == Event.Status.CLOSED
    assert Event.objects.get(pk=event.pk).status == Event.Status.CLOSED
    [row] = workflow.history(event)
    assert (row.from_state, row.to_state, row.actor, row.reason, row.organization) == (
        "open", "closed", world.monitor, "已核实，谣言已澄清", world.school)
    audit = AuditRecord.objects.get(action="detection.event.closed")
    assert audit.actor == world.monitor and audit.object_id == str(event.pk)
    assert audit.before == {"status": "open"} and audit.after["reason"] == "已核实，谣言已澄清"
    [(sender, kwargs)] = changes
    assert sender is Event and kwargs["from_state"] == "open" and kwargs["to_state"] == "closed"
    assert kwargs["acting_user"] == world.monitor and kwargs["obj"].pk == event.pk


def test_failure_after_the_transition_rolls_back_history_and_audit(world, changes,
                                                                   django_capture_on_commit_callbacks):
    event = make_event(world.school)
    with django_capture_on_commit_callbacks(execute=True):
        with pytest.raises(RuntimeError), transaction.atomic():
            workflow.do_transition(event, Event.Status.CLOSED, acting_user=world.monitor, reason="done")
            assert StateChange.objects.count() == 1
            raise RuntimeError("the caller fails after the transition")
    assert Event.objects.get(pk=event.pk).status == Event.Status.OPEN
    assert not StateChange.objects.exists()
    assert not AuditRecord.objects.filter(action="detection.event.closed").exists()
    assert changes == []


def test_failing_audit_write_leaves_no_history(world, monkeypatch):
    import yuqing.audit.log

    def broken(**kwargs):
        raise RuntimeError("audit store down")

    monkeypatch.setattr(yuqing.audit.log, "record", broken)
    event = make_event(world.school)
    with pytest.raises(RuntimeError):
        workflow.do_transition(event, Event.Status.CLOSED, acting_user=world.monitor, reason="done")
    assert Event.objects.get(pk=event.pk).status == Event.Status.OPEN
    assert not StateChange.objects.exists()


def test_system_may_make_any_move_and_is_recorded_as_system(world):
    event = make_event(world.school)
    workflow.do_transition(event, Event.Status.CLOSED, acting_user=None, reason="自动关闭")
    [row] = workflow.history(event)
    assert row.actor is None and row.actor_label == "system"
    assert AuditRecord.objects.get(action="detection.event.closed").actor_name == "system"


def test_data_the_move_does_not_allow_is_refused_by_name(world):
    event = make_event(world.school)
    with pytest.raises(ValidationError) as info:
        workflow.do_transition(event, Event.Status.CLOSED, acting_user=world.monitor, reason="x", title="改名")
    assert "title" in info.value.message_dict
    assert Event.objects.get(pk=event.pk).title == "食堂饭菜涨价"


def test_allowed_moves_follow_state_and_permission(world):
    event = make_event(world.school)
    assert [m.target for m in workflow.allowed_moves(event, world.monitor)] == ["closed"]
    assert workflow.allowed_moves(event, world.editor) == []
    assert [m.target for m in workflow.allowed_moves(event, None)] == ["closed"]
    event.status = Event.Status.CLOSED
    assert [m.target for m in workflow.allowed_moves(event, world.monitor)] == ["open"]


def test_system_only_moves_refuse_people():
    from yuqing.notify.models import Delivery

    wf = workflow.workflow_of(Delivery) if isinstance(getattr(Delivery, "workflow", None), workflow.Workflow) else None
    move = workflow.Move("a", "b")
    assert move.perm is None and move.allows("a", "b") and not move.allows("b", "a")
    assert wf is None or all(m.perm is None for m in wf.moves)


def test_a_stale_copy_cannot_make_a_move_the_row_no_longer_allows(world):
    event = make_event(world.school)
    stale = Event.objects.get(pk=event.pk)
    workflow.do_transition(event, Event.Status.CLOSED, acting_user=world.monitor, reason="first")
    assert stale.status == Event.Status.OPEN
    with pytest.raises(ValidationError) as info:
        workflow.do_transition(stale, Event.Status.CLOSED, acting_user=world.school_admin, reason="second")
    assert "“Closed”" in info.value.message_dict["status"][0]
    assert workflow.history(event).count() == 1


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_concurrent_transitions_of_one_object_have_exactly_one_winner(world):
    # SQLite's in-memory test database refuses a second writer outright instead of queueing it; there every
    # write transaction is serialised (BEGIN IMMEDIATE) anyway, and the stale-copy test above covers the re-read.
    if connection.vendor != "postgresql":
        pytest.skip("real concurrent connections need PostgreSQL (DATABASE_URL)")
    event = make_event(world.school)
    barrier = threading.Barrier(2)
    results: list[str] = []
    lock = threading.Lock()

    def close(who):
        try:
            mine = Event.objects.get(pk=event.pk)  # both read "open" before either moves
            barrier.wait(timeout=10)
            workflow.do_transition(mine, Event.Status.CLOSED, acting_user=who, reason=f"closed by {who.username}")
            outcome = "won"
        except ValidationError as exc:
            outcome = "refused: " + " ".join(exc.messages)
        finally:
            connection.close()
        with lock:
            results.append(outcome)

    threads = [threading.Thread(target=close, args=(who,)) for who in (world.monitor, world.school_admin)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    assert sorted(r.split(":")[0] for r in results) == ["refused", "won"], results
    assert StateChange.objects.filter(object_id=str(event.pk)).count() == 1
    assert AuditRecord.objects.filter(action="detection.event.closed").count() == 1
