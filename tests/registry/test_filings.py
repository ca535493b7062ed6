"""Filings: the publicity lead approves, then the bureau where configured; nobody else may; approval applies."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404

from yuqing.registry import actions
from yuqing.registry.models import Channel, ChatGroup, Filing, RegistrySettings, Status

pytestmark = pytest.mark.django_db


def _apply(world, **kw):
    fields = {"kind": "kuaishou", "name": "艺体快手", "account_id": "ks_art", "responsible": world.editor}
    fields.update(kw)
    channel = actions.do_apply_channel(world.school, acting_user=world.editor, reason="发布艺体工作", **fields)
    return channel, channel.filings.get()


def test_publicity_lead_approves_and_the_channel_is_filed(world):
    channel, filing = _apply(world)
    actions.do_decide_filing(filing, acting_user=world.publicity, approve=True, comment="同意")
    filing.refresh_from_db()
    channel.refresh_from_db()
    assert filing.status == Filing.Status.APPROVED and filing.lead_by == world.publicity
    assert filing.lead_comment == "同意" and filing.decided_at is not None
    assert channel.status == Status.APPROVED and channel.filed_on is not None
    actions.do_move(channel, Status.ACTIVE, acting_user=world.publicity)
    assert Channel.objects.active().get() == channel


@pytest.mark.parametrize("who", ["editor", "reviewer1", "monitor", "leader", "other_admin", "supervisor",
                                 "bureau_admin", "outsider"])
def test_nobody_else_decides_at_the_lead_step(world, who):
    _channel, filing = _apply(world)
    with pytest.raises((PermissionDenied, Http404)):
        actions.do_decide_filing(filing, acting_user=getattr(world, who), approve=True)
    assert Filing.objects.get().status == Filing.Status.PENDING


def test_then_the_bureau_where_configured(world):
    RegistrySettings.objects.create(organization=world.school, bureau_approval=True)
    channel, filing = _apply(world)
    assert filing.needs_bureau
    actions.do_decide_filing(filing, acting_user=world.publicity, approve=True)
    filing.refresh_from_db()
    assert filing.status == Filing.Status.BUREAU
    assert Channel.objects.get().status == Status.APPLIED  # nothing applied yet
    for who in ("publicity", "school_admin", "other_supervisor"):
        with pytest.raises((PermissionDenied, Http404)):
            actions.do_decide_filing(filing, acting_user=getattr(world, who), approve=True)
    actions.do_decide_filing(filing, acting_user=world.supervisor, approve=True, comment="准予备案")
    filing.refresh_from_db()
    assert filing.status == Filing.Status.APPROVED and filing.bureau_by == world.supervisor
    assert Channel.objects.get().status == Status.APPROVED


def test_rejection_needs_a_comment_and_closes_the_application(world):
    channel, filing = _apply(world)
    with pytest.raises(ValidationError) as exc:
        actions.do_decide_filing(filing, acting_user=world.publicity, approve=False)
    assert "comment" in exc.value.message_dict
    actions.do_decide_filing(filing, acting_user=world.publicity, approve=False, comment="用途与公众号重复")
    channel.refresh_from_db()
    assert Filing.objects.get().status == Filing.Status.REJECTED and channel.status == Status.CLOSED


def test_applicant_cannot_approve_own_filing_but_may_withdraw(world):
    channel = actions.do_apply_channel(world.school, acting_user=world.publicity, kind="douyin", name="抖音",
                                       responsible=world.publicity)
    filing = channel.filings.get()
    with pytest.raises(PermissionDenied):
        actions.do_decide_filing(filing, acting_user=world.publicity, approve=True)
    with pytest.raises(PermissionDenied):
        actions.do_withdraw_filing(filing, acting_user=world.school_admin)
    actions.do_withdraw_filing(filing, acting_user=world.publicity)
    assert Filing.objects.get().status == Filing.Status.WITHDRAWN
    assert Channel.objects.get().status == Status.CLOSED


def test_change_suspend_and_close_filings_apply_on_approval(world):
    group = actions.do_register_group(world.school, acting_user=world.school_admin, kind="qq", name="团员QQ群",
                                      number="556677", responsible=world.publicity)
    change = actions.do_file(group, "change", acting_user=world.editor, reason="换负责人",
                             proposed={"responsible": world.editor, "member_count": 45})
    with pytest.raises(ValidationError):  # one open application at a time
        actions.do_file(group, "close", acting_user=world.editor, reason="不用了")
    actions.do_decide_filing(change, acting_user=world.publicity, approve=True)
    group.refresh_from_db()
    assert group.responsible == world.editor and group.member_count == 45
    suspend = actions.do_file(group, "suspend", acting_user=world.editor, reason="寒假停用")
    actions.do_decide_filing(suspend, acting_user=world.publicity, approve=True)
    assert ChatGroup.objects.get().status == Status.SUSPENDED
    with pytest.raises(ValidationError):  # a suspended group cannot be suspended again
        actions.do_file(ChatGroup.objects.get(), "suspend", acting_user=world.editor, reason="x")
    close = actions.do_file(ChatGroup.objects.get(), "close", acting_user=world.editor, reason="闲置")
    actions.do_decide_filing(close, acting_user=world.publicity, approve=True)
    assert ChatGroup.objects.get().status == Status.CLOSING


def test_a_bad_change_is_refused_naming_the_field(world):
    channel, filing = _apply(world)
    actions.do_decide_filing(filing, acting_user=world.publicity, approve=True)
    channel.refresh_from_db()
    with pytest.raises(ValidationError) as exc:
        actions.do_file(channel, "change", acting_user=world.editor, proposed={"responsible": world.other_admin})
    assert "responsible" in exc.value.message_dict
    with pytest.raises(ValidationError) as exc:
        actions.do_file(channel, "change", acting_user=world.editor, proposed={"status": "active"})
    assert "status" in exc.value.message_dict
    with pytest.raises(PermissionDenied):
        actions.do_file(channel, "close", acting_user=world.leader, reason="x")
