"""Every lifecycle move of a channel or group, and the refusals."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404

from yuqing import workflow
from yuqing.registry import actions
from yuqing.registry.models import Channel, ChatGroup, Status

pytestmark = pytest.mark.django_db

S = Status
ALLOWED = {
    (S.APPLIED, S.APPROVED), (S.APPLIED, S.CLOSED), (S.APPROVED, S.ACTIVE), (S.ACTIVE, S.SUSPENDED),
    (S.SUSPENDED, S.ACTIVE), (S.APPROVED, S.CLOSING), (S.ACTIVE, S.CLOSING), (S.SUSPENDED, S.CLOSING),
    (S.CLOSING, S.ACTIVE), (S.CLOSING, S.CLOSED),
}


def _make(world, model, status, **kw):
    fields = {"kind": "website" if model is Channel else "wechat", "name": f"{status}-{model.__name__}",
              "responsible": world.publicity}
    fields.update(kw)
    return actions.do_register(model, world.school, acting_user=world.school_admin, status=status, **fields)


@pytest.mark.parametrize("model", [Channel, ChatGroup])
@pytest.mark.parametrize("source", list(S))
@pytest.mark.parametrize("target", list(S))
def test_every_move_and_its_refusal(world, model, source, target):
    if source == target:
        return
    obj = _make(world, model, source)
    if (source, target) in ALLOWED:
        actions.do_move(obj, target, acting_user=world.school_admin, reason="自查整改")
        obj.refresh_from_db()
        assert obj.status == target
        change = workflow.history(obj).last()
        assert (change.from_state, change.to_state, change.actor) == (source, target, world.school_admin)
    else:
        with pytest.raises(ValidationError) as exc:
            actions.do_move(obj, target, acting_user=world.school_admin, reason="x")
        assert "status" in exc.value.message_dict
        obj.refresh_from_db()
        assert obj.status == source


def test_reason_is_required_to_suspend_or_close(world):
    channel = _make(world, Channel, S.ACTIVE)
    for target in (S.SUSPENDED, S.CLOSING):
        with pytest.raises(ValidationError) as exc:
            actions.do_move(channel, target, acting_user=world.school_admin)
        assert "reason" in exc.value.message_dict


def test_only_registry_managers_move_channels(world):
    channel = _make(world, Channel, S.ACTIVE)
    with pytest.raises(PermissionDenied):
        actions.do_move(channel, S.SUSPENDED, acting_user=world.editor, reason="x")
    with pytest.raises(Http404):
        actions.do_move(channel, S.SUSPENDED, acting_user=world.other_admin, reason="x")
    actions.do_move(channel, S.SUSPENDED, acting_user=world.publicity, reason="假期停更")
    assert Channel.objects.get().status == S.SUSPENDED


@pytest.mark.parametrize("model", [Channel, ChatGroup])
def test_no_activation_without_a_responsible_person(world, model):
    obj = _make(world, model, S.APPROVED, responsible=None)
    with pytest.raises(ValidationError) as exc:
        actions.do_move(obj, S.ACTIVE, acting_user=world.school_admin)
    assert "responsible" in exc.value.message_dict
    suspended = _make(world, model, S.SUSPENDED, responsible=None, name="无人负责")
    with pytest.raises(ValidationError):
        actions.do_move(suspended, S.ACTIVE, acting_user=world.school_admin)
    actions.do_update(obj, acting_user=world.school_admin, responsible=world.editor)
    actions.do_move(obj, S.ACTIVE, acting_user=world.school_admin)
    assert model.objects.get(pk=obj.pk).status == S.ACTIVE


def test_temporary_group_needs_its_end_date(world):
    with pytest.raises(ValidationError) as exc:
        _make(world, ChatGroup, S.ACTIVE, temporary=True)
    assert "task_ends_on" in exc.value.message_dict
