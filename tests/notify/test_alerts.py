"""Raising alerts: one per event and level, routing to channels and people, quiet hours, the audit trail."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone

from tests.notify.conftest import make_event, make_notifier, make_webhook
from yuqing.audit.models import AuditRecord
from yuqing.levels import Level
from yuqing.notify.alerts import raise_alert
from yuqing.notify.models import Alert, Delivery, DutyShift

pytestmark = pytest.mark.django_db
SHANGHAI = ZoneInfo("Asia/Shanghai")


def test_raising_twice_for_the_same_level_gives_one_alert(world, http_server, raise_now):
    make_webhook(world.school, http_server.url + "/hook")
    event = make_event(world.school)
    first = raise_now(event, Level.GENERAL)
    second = raise_now(event, "一般")
    assert first is not None and second is None
    assert Alert.objects.filter(event=event).count() == 1
    assert len(http_server.requests) == 1


def test_a_rise_in_level_alerts_again_but_a_fall_does_not(world, http_server, raise_now):
    make_webhook(world.school, http_server.url + "/hook")
    event = make_event(world.school)
    raise_now(event, Level.GENERAL)
    raise_now(event, Level.MAJOR)
    assert raise_now(event, Level.RELATIVELY_MAJOR) is None
    assert list(Alert.objects.filter(event=event).order_by("level").values_list("level", flat=True)) == [1, 3]
    labels = [request.json["level_label"] for request in http_server.requests]
    assert labels == ["一般", "重大"]


def test_alert_is_audited_as_a_system_decision(world, http_server, raise_now):
    make_webhook(world.school, http_server.url + "/hook")
    alert = raise_now(make_event(world.school), Level.MAJOR, ["评论数 600 ≥ 500"])
    audit = AuditRecord.objects.get(action="alert.raise", object_id=str(alert.pk))
    assert audit.actor_name == "system"
    assert audit.after["reasons"] == ["评论数 600 ≥ 500"]
    assert audit.after["level"] == "重大"


def test_notifiers_below_their_lowest_level_are_skipped(world, http_server):
    make_webhook(world.school, http_server.url + "/all")
    make_webhook(world.school, http_server.url + "/major-only", name="major", min_level=Level.MAJOR)
    alert = raise_alert(make_event(world.school), Level.RELATIVELY_MAJOR, ["x"])
    assert [d.notifier.name for d in alert.deliveries.all()] == ["webhook of no1"]


def test_major_alerts_also_reach_the_bureau_but_general_ones_stay_in_the_school(world, http_server):
    make_webhook(world.school, http_server.url + "/school")
    make_webhook(world.bureau, http_server.url + "/bureau", name="bureau")
    make_webhook(world.other_school, http_server.url + "/no2", name="no2")
    general = raise_alert(make_event(world.school, "a"), Level.GENERAL, ["x"])
    major = raise_alert(make_event(world.school, "b"), Level.MAJOR, ["x"])
    assert {d.notifier.name for d in general.deliveries.all()} == {"webhook of no1"}
    assert {d.notifier.name for d in major.deliveries.all()} == {"webhook of no1", "bureau"}


def test_disabled_notifiers_get_nothing(world, http_server):
    make_webhook(world.school, http_server.url + "/hook", enabled=False)
    alert = raise_alert(make_event(world.school), Level.MAJOR, ["x"])
    assert alert.deliveries.count() == 0


def _quiet_school(world, url):
    return make_webhook(world.school, url, quiet_hours="22:00-07:00")


def test_quiet_hours_hold_a_general_alert_until_morning(world, http_server, raise_now, monkeypatch):
    _quiet_school(world, http_server.url + "/hook")
    night = datetime(2025, 3, 3, 23, 30, tzinfo=SHANGHAI)
    monkeypatch.setattr(timezone, "now", lambda: night)
    alert = raise_now(make_event(world.school), Level.RELATIVELY_MAJOR)
    delivery = alert.deliveries.get()
    assert delivery.status == Delivery.Status.HELD
    assert delivery.next_attempt_at == datetime(2025, 3, 4, 7, 0, tzinfo=SHANGHAI)
    assert http_server.requests == []
    from yuqing.notify.delivery import deliver

    deliver(now=datetime(2025, 3, 4, 6, 59, tzinfo=SHANGHAI))
    assert http_server.requests == []
    deliver(now=datetime(2025, 3, 4, 7, 0, 5, tzinfo=SHANGHAI))
    delivery.refresh_from_db()
    assert delivery.status == Delivery.Status.SENT
    assert len(http_server.requests) == 1


@pytest.mark.parametrize("level", [Level.MAJOR, Level.ESPECIALLY_MAJOR])
def test_quiet_hours_never_hold_major_alerts(world, http_server, raise_now, monkeypatch, level):
    _quiet_school(world, http_server.url + "/hook")
    monkeypatch.setattr(timezone, "now", lambda: datetime(2025, 3, 3, 23, 30, tzinfo=SHANGHAI))
    alert = raise_now(make_event(world.school), level)
    assert alert.deliveries.get().status == Delivery.Status.SENT
    assert len(http_server.requests) == 1


# --- duty roster and the people responsible ------------------------------------------------------------------

@pytest.fixture
def mailer(world, smtp_server):
    handler, port = smtp_server()
    notifier = make_notifier(world.school, "email", {
        "host": "127.0.0.1", "port": port, "security": "none", "from_addr": "yuqing@no1.test",
        "to_addrs": ["office@no1.test"],
    }, min_level=Level.MAJOR)
    return notifier, handler


def _shift(world, user, start, end, org=None):
    return DutyShift.objects.create(organization=org or world.school, user=user, starts_at=start, ends_at=end)


def _recipients(handler) -> set[str]:
    return {address for mail in handler.received for address in mail.rcpt_tos}


def test_the_person_on_duty_gets_the_email_and_someone_off_duty_does_not(people, mailer, raise_now):
    world = people
    _notifier, handler = mailer
    now = timezone.now()
    _shift(world, world.monitor, now - timedelta(hours=1), now + timedelta(hours=7))
    _shift(world, world.reviewer1, now + timedelta(hours=7), now + timedelta(hours=15))
    _shift(world, world.editor, now - timedelta(hours=10), now - timedelta(hours=2))
    alert = raise_now(make_event(world.school), Level.GENERAL)
    got = _recipients(handler)
    assert "monitor@example.test" in got
    assert "reviewer1@example.test" not in got and "editor@example.test" not in got
    # The publicity lead is responsible for every level; the e-mail channel itself only from 重大.
    assert got == {"monitor@example.test", "publicity@example.test"}
    whys = dict(alert.deliveries.values_list("recipient", "reason"))
    assert whys["monitor@example.test"] == "on duty"


def test_major_alerts_also_reach_the_leader_and_the_channel(people, mailer, raise_now):
    world = people
    _notifier, handler = mailer
    raise_now(make_event(world.school), Level.MAJOR)
    assert _recipients(handler) == {"publicity@example.test", "leader@example.test", "office@no1.test"}


def test_especially_major_alerts_reach_the_bureau_supervisor(people, mailer, raise_now):
    world = people
    _notifier, handler = mailer
    raise_now(make_event(world.school), Level.ESPECIALLY_MAJOR)
    assert "supervisor@example.test" in _recipients(handler)


def test_someone_on_duty_in_another_school_is_not_told(people, mailer, raise_now):
    world = people
    _notifier, handler = mailer
    now = timezone.now()
    world.other_editor.email = "far@example.test"
    world.other_editor.save()
    _shift(world, world.other_editor, now - timedelta(hours=1), now + timedelta(hours=1), org=world.other_school)
    raise_now(make_event(world.school), Level.MAJOR)
    assert "far@example.test" not in _recipients(handler)


def test_a_person_in_two_roles_gets_one_email(people, mailer, raise_now):
    world = people
    _notifier, handler = mailer
    now = timezone.now()
    _shift(world, world.publicity, now - timedelta(hours=1), now + timedelta(hours=1))
    alert = raise_now(make_event(world.school), Level.GENERAL)
    assert alert.deliveries.filter(recipient="publicity@example.test").count() == 1
    assert sum(1 for mail in handler.received if "publicity@example.test" in mail.rcpt_tos) == 1


def test_a_shift_must_end_after_it_starts(world):
    from django.core.exceptions import ValidationError

    now = timezone.now()
    shift = DutyShift(organization=world.school, user=world.monitor, starts_at=now, ends_at=now)
    with pytest.raises(ValidationError) as info:
        shift.full_clean()
    assert "ends_at" in info.value.message_dict
