"""A topic of concern only proposes its level (待研判) to the person on duty until someone confirms it."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.test import TestCase
from django.utils import timezone

from tests.detection_app.factories import scheme, store, update_metrics
from tests.notify.conftest import make_notifier, make_webhook, smtp_server  # noqa: F401 - fixture
from yuqing.audit.models import AuditRecord
from yuqing.detection.models import Event, LevelChange, LevelRuleSet
from yuqing.levels import Level
from yuqing.monitoring.actions import do_submit_tip
from yuqing.notify.models import Alert, DutyShift

pytestmark = pytest.mark.django_db

CANTEEN = "(第一中学 OR 一中) AND (食堂 OR 饭菜)"
TIP = "家长群里说一中食堂饭菜有虫"


@pytest.fixture
def office(world, smtp_server):  # noqa: F811 - the fixture imported above
    """Personas with e-mail, an e-mail notifier and a webhook channel for the school, the monitor on duty."""
    for name in ("publicity", "leader", "monitor", "supervisor"):
        user = getattr(world, name)
        user.email = f"{user.username}@example.test"
        user.save(update_fields=["email"])
    _handler, port = smtp_server()
    make_notifier(world.school, "email", {"host": "127.0.0.1", "port": port, "security": "none",
                                          "from_addr": "yuqing@no1.test", "to_addrs": ["office@no1.test"]})
    make_webhook(world.school, "http://127.0.0.1:9/hook")
    now = timezone.now()
    DutyShift.objects.create(organization=world.school, user=world.monitor, starts_at=now - timedelta(hours=1),
                             ends_at=now + timedelta(hours=8))
    scheme(world.school, CANTEEN)
    return world


def _tip(world, text=TIP, level=None):
    with TestCase.captureOnCommitCallbacks(execute=True):
        return do_submit_tip(organization=world.school, acting_user=world.monitor, text=text, level=level).item


def test_a_reachless_food_complaint_stays_general_and_only_the_duty_monitor_hears_of_the_proposal(office):
    world = office
    _tip(world)
    event = Event.objects.get()
    assert event.level == int(Level.GENERAL)
    assert event.pending_proposal is Level.ESPECIALLY_MAJOR
    assert "食品安全" in event.proposal_reason_zh
    proposal = Alert.objects.get(kind=Alert.Kind.PROPOSAL)
    assert proposal.level == int(Level.ESPECIALLY_MAJOR)
    assert list(proposal.deliveries.values_list("recipient", flat=True)) == ["monitor@example.test"]
    # Everyone else hears of it as what it is so far: a 一般 event.
    assert set(Alert.objects.filter(kind=Alert.Kind.EVENT).values_list("level", flat=True)) == {int(Level.GENERAL)}
    assert AuditRecord.objects.filter(action="event.level_propose").count() == 1
    assert list(LevelChange.objects.values_list("to_level", flat=True)) == [int(Level.GENERAL)]


def test_the_proposal_shows_as_suspected_awaiting_judgement(office, login, settings):
    settings.LANGUAGE_CODE = "zh-hans"
    _tip(office)
    client = login(office.monitor)
    page = client.get(f"/detection/events/{Event.objects.get().pk}/").content.decode()
    assert "疑似特别重大 · 待研判" in page
    assert "疑似特别重大 · 待研判" in client.get("/detection/events/").content.decode()


def test_the_monitor_confirms_the_proposal_and_everyone_responsible_is_alerted(office, login):
    world = office
    _tip(world)
    event = Event.objects.get()
    client = login(world.monitor)
    with TestCase.captureOnCommitCallbacks(execute=True):
        response = client.post(f"/detection/events/{event.pk}/proposal/", {"decision": "confirm", "reason": "已核实"})
    assert response.status_code == 302
    event.refresh_from_db()
    assert event.level == int(Level.ESPECIALLY_MAJOR)
    assert event.pending_proposal is None
    change = LevelChange.objects.filter(event=event).last()
    assert (change.to_level, change.actor) == (int(Level.ESPECIALLY_MAJOR), world.monitor)
    assert change.reason_zh.startswith("研判确认：涉及食品安全")
    alert = Alert.objects.get(kind=Alert.Kind.EVENT, level=int(Level.ESPECIALLY_MAJOR))
    recipients = set(alert.deliveries.values_list("recipient", flat=True))
    assert {"monitor@example.test", "publicity@example.test", "leader@example.test", ""} <= recipients
    assert AuditRecord.objects.filter(action="event.proposal_confirm", actor=world.monitor).exists()


def test_dismissing_needs_a_reason_and_the_same_proposal_is_not_raised_again(office, login):
    world = office
    item = _tip(world)
    event = Event.objects.get()
    client = login(world.monitor)
    client.post(f"/detection/events/{event.pk}/proposal/", {"decision": "dismiss", "reason": ""})
    event.refresh_from_db()
    assert event.pending_proposal is Level.ESPECIALLY_MAJOR
    client.post(f"/detection/events/{event.pk}/proposal/", {"decision": "dismiss", "reason": "个别家长误传"})
    event.refresh_from_db()
    assert event.pending_proposal is None and event.level == int(Level.GENERAL)
    update_metrics(item, views=10)
    event.refresh_from_db()
    assert event.pending_proposal is None
    assert Alert.objects.filter(kind=Alert.Kind.PROPOSAL).count() == 1
    assert AuditRecord.objects.filter(action="event.proposal_dismiss").get().after["reason"] == "个别家长误传"


def test_reaching_the_reach_floor_makes_the_topic_take_effect(office):
    world = office
    item = store(world.school, "一中食堂饭菜里吃出虫，孩子上吐下泻", comments=3)
    event = Event.objects.get()
    assert (event.level, event.pending_proposal) == (int(Level.GENERAL), Level.ESPECIALLY_MAJOR)
    update_metrics(item, comments=60)
    event.refresh_from_db()
    assert event.level == int(Level.ESPECIALLY_MAJOR)
    assert "评论数 60 ≥ 50（话题生效门槛）" in event.level_reason_zh


def test_the_reach_floor_is_configurable_per_organisation(office):
    world = office
    LevelRuleSet.objects.create(organization=world.bureau, rules={"topics": {"reach_floor": {"comments": 5}}})
    store(world.school, "一中食堂饭菜里吃出虫，孩子上吐下泻", comments=6)
    assert Event.objects.get().level == int(Level.ESPECIALLY_MAJOR)


def test_a_tip_starts_at_the_level_its_submitter_set(office):
    _tip(office, text="一中食堂饭菜涨价，家长不满", level=int(Level.MAJOR))
    event = Event.objects.get()
    assert event.level == int(Level.MAJOR)
    assert event.level_reason_zh == "报料人设定为重大"


def test_a_monitor_outside_the_school_cannot_decide(office, login):
    _tip(office)
    event = Event.objects.get()
    response = login(office.other_admin).post(f"/detection/events/{event.pk}/proposal/", {"decision": "confirm"})
    assert response.status_code == 404
    event.refresh_from_db()
    assert event.level == int(Level.GENERAL)


def test_the_api_shows_the_pending_proposal(office, login):
    _tip(office)
    body = login(office.monitor).get("/api/events/").json()
    rows = body["results"] if isinstance(body, dict) else body
    assert rows[0]["level_label"] == "一般"
    assert rows[0]["proposal"]["display"] == "疑似特别重大 · 待研判"
