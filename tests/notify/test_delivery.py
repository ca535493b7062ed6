"""Deliveries through every kind of notifier against real local servers, rate limits, retries and failures."""

from __future__ import annotations

import base64
import hashlib
import hmac
from datetime import timedelta
from email import message_from_bytes, policy

import pytest
from django.utils import timezone

from tests.notify.conftest import WEBHOOK_SECRET, make_event, make_notifier, make_webhook
from yuqing.levels import Level
from yuqing.notify.alerts import raise_alert
from yuqing.notify.delivery import deliver
from yuqing.notify.models import Delivery, Notifier
from yuqing.notify.transports import retry_delays, webhook

pytestmark = pytest.mark.django_db


def _only_delivery(alert) -> Delivery:
    delivery = alert.deliveries.get()
    delivery.refresh_from_db()
    return delivery


def test_webhook_delivery_is_signed_and_logged_with_the_providers_answer(world, http_server, raise_now):
    make_webhook(world.school, http_server.url + "/hook")
    http_server.reply(200, '{"received": true}')
    alert = raise_now(make_event(world.school), Level.MAJOR, ["评论数 600 ≥ 500"])
    request = http_server.requests[0]
    assert webhook.verify(WEBHOOK_SECRET, request.headers["x-yuqing-timestamp"], request.body,
                          request.headers["x-yuqing-signature"])
    assert request.json["title"] == "某中学食堂饭菜发霉"
    assert request.json["event_id"] == alert.event_id
    assert "评论数 600 ≥ 500" in request.json["text"]
    delivery = _only_delivery(alert)
    assert (delivery.status, delivery.status_code, delivery.attempts) == ("sent", 200, 1)
    assert delivery.provider_response == '{"received": true}'
    assert Notifier.objects.get().last_success_at is not None


def test_wecom_delivery(world, http_server, raise_now):
    make_notifier(world.school, "wecom", {"base_url": http_server.url}, {"key": "robot-key-1"})
    alert = raise_now(make_event(world.school), Level.MAJOR)
    request = http_server.requests[0]
    assert request.path == "/cgi-bin/webhook/send" and request.params["key"] == "robot-key-1"
    assert "【重大】某中学食堂饭菜发霉" in request.json["markdown"]["content"]
    assert _only_delivery(alert).provider_response == '{"errcode":0,"errmsg":"ok"}'


def test_dingtalk_delivery_is_signed_as_dingtalk_documents(world, http_server, raise_now):
    secret = "SEC0123456789abcdef"
    make_notifier(world.school, "dingtalk", {"base_url": http_server.url},
                  {"access_token": "tok-1", "secret": secret})
    alert = raise_now(make_event(world.school), Level.MAJOR)
    params = http_server.requests[0].params
    expected = base64.b64encode(
        hmac.new(secret.encode(), f"{params['timestamp']}\n{secret}".encode(), hashlib.sha256).digest()
    ).decode()
    assert params["access_token"] == "tok-1" and params["sign"] == expected
    assert _only_delivery(alert).status == "sent"


def test_feishu_delivery_is_signed_as_feishu_documents(world, http_server, raise_now):
    secret = "feishu-secret"
    make_notifier(world.school, "feishu", {"base_url": http_server.url}, {"hook_id": "hook-1", "secret": secret})
    http_server.reply(200, {"code": 0, "msg": "success"})
    alert = raise_now(make_event(world.school), Level.ESPECIALLY_MAJOR)
    body = http_server.requests[0].json
    expected = base64.b64encode(
        hmac.new(f"{body['timestamp']}\n{secret}".encode(), b"", hashlib.sha256).digest()
    ).decode()
    assert http_server.requests[0].path == "/open-apis/bot/v2/hook/hook-1"
    assert body["sign"] == expected and body["card"]["header"]["template"] == "red"
    assert _only_delivery(alert).status == "sent"


def test_email_delivery_through_a_real_smtp_server(world, smtp_server, raise_now):
    handler, port = smtp_server()
    make_notifier(world.school, "email", {"host": "127.0.0.1", "port": port, "security": "none",
                                          "from_addr": "yuqing@no1.test", "to_addrs": ["office@no1.test"]})
    alert = raise_now(make_event(world.school), Level.MAJOR)
    mail = message_from_bytes(handler.received[0].content, policy=policy.default)
    assert handler.received[0].rcpt_tos == ["office@no1.test"]
    assert mail["Subject"] == "【重大】某中学食堂饭菜发霉"
    assert _only_delivery(alert).provider_response.startswith("250 2.0.0 Ok: queued as TEST123")


def test_the_21st_robot_message_in_a_minute_is_deferred_not_lost(world, http_server):
    make_notifier(world.school, "wecom", {"base_url": http_server.url}, {"key": "robot-key-1"})
    alerts = [raise_alert(make_event(world.school, f"事件{i}"), Level.GENERAL, ["x"]) for i in range(21)]
    now = timezone.now()
    outcomes = deliver(now=now)
    assert outcomes == {"sent": 20, "deferred": 1}
    assert len(http_server.requests) == 20
    waiting = Delivery.objects.get(status=Delivery.Status.PENDING)
    assert now + timedelta(seconds=59) <= waiting.next_attempt_at <= now + timedelta(seconds=60)
    assert deliver(now=now + timedelta(seconds=30)) == {}
    assert deliver(now=now + timedelta(seconds=61)) == {"sent": 1}
    assert Delivery.objects.filter(status=Delivery.Status.SENT).count() == len(alerts)


def test_rate_limit_is_per_robot(world, http_server):
    make_notifier(world.school, "wecom", {"base_url": http_server.url}, {"key": "robot-a"}, name="a")
    make_notifier(world.school, "wecom", {"base_url": http_server.url}, {"key": "robot-b"}, name="b")
    for i in range(15):
        raise_alert(make_event(world.school, f"事件{i}"), Level.GENERAL, ["x"])
    assert deliver(now=timezone.now()) == {"sent": 30}


def test_retries_back_off_then_the_final_failure_is_shown(world, http_server):
    notifier = make_webhook(world.school, http_server.url + "/hook")
    http_server.default.status = 503
    http_server.default.body = "upstream busy"
    alert = raise_alert(make_event(world.school), Level.MAJOR, ["x"])
    now = timezone.now()
    schedule = retry_delays()
    assert deliver(now=now) == {"retry": 1}
    for attempt, delay in enumerate(schedule, start=1):
        delivery = _only_delivery(alert)
        assert delivery.attempts == attempt and delivery.status == Delivery.Status.PENDING
        wait = (delivery.next_attempt_at - now).total_seconds()
        assert delay * 0.9 - 1 <= wait <= delay + 1  # back-off with at most 10 % jitter
        assert deliver(now=now + timedelta(seconds=wait - 5)) == {}
        now = delivery.next_attempt_at
        expected = "retry" if attempt < len(schedule) else "failed"
        assert deliver(now=now) == {expected: 1}
    delivery = _only_delivery(alert)
    assert delivery.status == Delivery.Status.FAILED
    assert delivery.attempts == len(schedule) + 1 == len(http_server.requests)
    assert delivery.status_code == 503 and delivery.provider_response == "upstream busy"
    notifier.refresh_from_db()
    assert notifier.last_failure_at is not None and "upstream busy" in notifier.last_error
    assert notifier.healthy is False


def test_a_wrong_key_fails_at_once_without_retrying(world, http_server):
    make_notifier(world.school, "wecom", {"base_url": http_server.url}, {"key": "wrong"})
    http_server.reply(200, {"errcode": 93000, "errmsg": "invalid webhook url"})
    alert = raise_alert(make_event(world.school), Level.MAJOR, ["x"])
    assert deliver(now=timezone.now()) == {"failed": 1}
    delivery = _only_delivery(alert)
    assert delivery.attempts == 1 and "93000" in delivery.provider_response


def test_a_delivery_is_sent_once_even_if_two_workers_pick_it(world, http_server):
    make_webhook(world.school, http_server.url + "/hook")
    alert = raise_alert(make_event(world.school), Level.MAJOR, ["x"])
    now = timezone.now()
    ids = list(alert.deliveries.values_list("pk", flat=True))
    assert deliver(ids, now=now) == {"sent": 1}
    assert deliver(ids, now=now) == {}
    assert len(http_server.requests) == 1


def test_a_delivery_of_a_disabled_notifier_fails_with_a_reason(world, http_server):
    notifier = make_webhook(world.school, http_server.url + "/hook")
    alert = raise_alert(make_event(world.school), Level.MAJOR, ["x"])
    Notifier.objects.filter(pk=notifier.pk).update(enabled=False)
    deliver(now=timezone.now())
    delivery = _only_delivery(alert)
    assert delivery.status == "failed" and "disabled" in delivery.error
    assert http_server.requests == []
