"""Notices: one per person in the inbox, e-mailed through the alert machinery; quiet hours hold all but urgent."""

from __future__ import annotations

from datetime import datetime
from email import message_from_bytes, policy
from zoneinfo import ZoneInfo

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from tests.notify.conftest import make_notifier
from yuqing.audit.models import AuditRecord
from yuqing.notify.delivery import deliver
from yuqing.notify.models import Alert, Delivery, Notice
from yuqing.notify.notices import send_notice
from yuqing.orgs.models import Role

pytestmark = pytest.mark.django_db
SHANGHAI = ZoneInfo("Asia/Shanghai")
NIGHT = datetime(2025, 3, 3, 23, 30, tzinfo=SHANGHAI)


@pytest.fixture
def quiet_mailer(world, smtp_server):
    handler, port = smtp_server()
    make_notifier(world.school, "email", {"host": "127.0.0.1", "port": port, "security": "none",
                                          "from_addr": "yuqing@no1.test", "to_addrs": ["office@no1.test"]},
                  quiet_hours="22:00-07:00")
    return handler


def _send(capture, **kwargs):
    with capture(execute=True):
        return send_notice(**kwargs)


def test_notice_goes_to_recipients_and_role_holders_once_each(people, django_capture_on_commit_callbacks):
    world = people
    notices = _send(django_capture_on_commit_callbacks, organization=world.school,
                    recipients=[world.monitor, world.publicity], roles=[Role.PUBLICITY_LEAD, Role.LEADER],
                    title="请处理：食堂事件", body="两小时内转交", link="/detection/events/1/")
    assert sorted(n.recipient.username for n in notices) == ["leader", "monitor", "publicity"]
    assert all(n.read_at is None and n.link == "/detection/events/1/" for n in notices)
    assert AuditRecord.objects.filter(action="notice.send").count() == 1
    assert not Alert.objects.exists()  # nobody to e-mail: no notifier


def test_bad_urgency_and_missing_title_are_refused_by_field(world):
    with pytest.raises(ValidationError) as info:
        send_notice(organization=world.school, recipients=[world.monitor], title="x", urgency="asap")
    assert "urgency" in info.value.message_dict
    with pytest.raises(ValidationError) as info:
        send_notice(organization=world.school, recipients=[world.monitor], title="  ")
    assert "title" in info.value.message_dict
    assert not Notice.objects.exists()


def test_quiet_hours_hold_a_normal_notice_until_morning(people, quiet_mailer, monkeypatch,
                                                         django_capture_on_commit_callbacks):
    world = people
    monkeypatch.setattr(timezone, "now", lambda: NIGHT)
    [notice] = _send(django_capture_on_commit_callbacks, organization=world.school, recipients=[world.monitor],
                     title="明日例会", body="上午九点")
    delivery = Delivery.objects.get(alert=notice.alert)
    assert (delivery.status, delivery.recipient) == (Delivery.Status.HELD, "monitor@example.test")
    assert delivery.next_attempt_at == datetime(2025, 3, 4, 7, 0, tzinfo=SHANGHAI)
    assert quiet_mailer.received == []
    assert deliver(now=datetime(2025, 3, 4, 7, 0, 5, tzinfo=SHANGHAI)) == {"sent": 1}
    [mail] = quiet_mailer.received
    assert mail.rcpt_tos == ["monitor@example.test"]


def test_urgent_notice_ignores_quiet_hours(people, quiet_mailer, monkeypatch, django_capture_on_commit_callbacks):
    world = people
    monkeypatch.setattr(timezone, "now", lambda: NIGHT)
    [notice] = _send(django_capture_on_commit_callbacks, organization=world.school, recipients=[world.monitor],
                     title="已超时：转交责任部门", urgency="urgent", link="/inbox/")
    delivery = Delivery.objects.get(alert=notice.alert)
    assert delivery.status == Delivery.Status.SENT
    [mail] = quiet_mailer.received
    parsed = message_from_bytes(mail.content if isinstance(mail.content, bytes) else mail.content.encode(),
                                policy=policy.default)
    text = "".join(part.get_content() for part in parsed.walk() if part.get_content_maintype() == "text")
    assert mail.rcpt_tos == ["monitor@example.test"]
    assert "/inbox/" in text and "【紧急】已超时：转交责任部门" in str(parsed["subject"])


def test_a_school_without_a_mailer_uses_the_bureaus(people, smtp_server, django_capture_on_commit_callbacks):
    world = people
    handler, port = smtp_server()
    make_notifier(world.bureau, "email", {"host": "127.0.0.1", "port": port, "security": "none",
                                          "from_addr": "yuqing@bureau.test", "to_addrs": ["duty@bureau.test"]})
    _send(django_capture_on_commit_callbacks, organization=world.school, recipients=[world.editor], title="稿件退回")
    assert [m.rcpt_tos for m in handler.received] == [["editor@example.test"]]
