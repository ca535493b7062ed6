"""Notifier settings, the test-message button, the delivery log, the roster and the API, through HTTP."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from django.utils import timezone

from tests.notify.conftest import WEBHOOK_SECRET, make_event, make_notifier, make_webhook
from yuqing.audit.models import AuditRecord
from yuqing.levels import Level
from yuqing.notify.models import DemoReceipt, DutyShift, Notifier
from yuqing.notify.transports import Message, webhook

pytestmark = pytest.mark.django_db


def test_adding_a_webhook_notifier_through_the_form(world, login, http_server):
    c = login(world.publicity)
    response = c.post("/notify/notifiers/new/webhook/", {
        "name": "值班群", "min_level": "2", "quiet_hours": "22:00-07:00", "enabled": "on",
        "url": http_server.url + "/hook", "secret": WEBHOOK_SECRET, "headers": "X-Tenant: no1",
    })
    assert response.status_code == 302
    notifier = Notifier.objects.get(name="值班群")
    assert notifier.organization == world.school and notifier.min_level == 2
    # M2: the address and the extra headers may carry credentials: encrypted with the signing secret
    assert notifier.config == {}
    assert notifier.secrets() == {"secret": WEBHOOK_SECRET, "url": http_server.url + "/hook",
                                  "headers": {"X-Tenant": "no1"}}
    audit = AuditRecord.objects.get(action="notifier.create")
    assert audit.after["secret"] == "***" and WEBHOOK_SECRET not in json.dumps(audit.after)
    assert "X-Tenant" not in json.dumps(audit.after) and "/hook" not in json.dumps(audit.after)


def test_form_errors_name_the_bad_field(world, login):
    c = login(world.publicity)
    response = c.post("/notify/notifiers/new/webhook/", {
        "name": "x", "min_level": "1", "url": "ftp://nowhere", "secret": "short",
    })
    html = response.content.decode()
    assert response.status_code == 200 and not Notifier.objects.exists()
    assert "Address: must be an http:// or https:// address" in html
    assert "Signing secret: must be at least 16 characters" in html


def test_bad_quiet_hours_are_refused(world, login, http_server):
    c = login(world.publicity)
    response = c.post("/notify/notifiers/new/webhook/", {
        "name": "x", "min_level": "1", "quiet_hours": "late", "url": http_server.url, "secret": WEBHOOK_SECRET,
    })
    assert "not a time window" in response.content.decode() and not Notifier.objects.exists()


def test_the_secret_is_never_rendered_and_a_blank_secret_keeps_it(world, login, http_server):
    notifier = make_notifier(world.school, "dingtalk", {"base_url": http_server.url},
                             {"access_token": "token-visible-nowhere", "secret": "SECsecret-visible-nowhere"})
    c = login(world.publicity)
    html = c.get(f"/notify/notifiers/{notifier.pk}/edit/").content.decode()
    assert "visible-nowhere" not in html
    assert 'type="password"' in html
    response = c.post(f"/notify/notifiers/{notifier.pk}/edit/", {
        "name": "renamed", "min_level": "3", "access_token": "", "secret": "", "msgtype": "text",
        "base_url": http_server.url, "at_mobiles": "13800000000",
    })
    assert response.status_code == 302
    notifier.refresh_from_db()
    assert notifier.name == "renamed" and notifier.config["msgtype"] == "text"
    assert notifier.secrets() == {"access_token": "token-visible-nowhere", "secret": "SECsecret-visible-nowhere"}
    audit = AuditRecord.objects.get(action="notifier.update")
    assert audit.before["name"] == "dingtalk of no1" and audit.after["name"] == "renamed"
    assert audit.after["secret"] == "***"


def test_send_test_message_button_shows_the_providers_answer(world, login, http_server):
    notifier = make_webhook(world.school, http_server.url + "/hook")
    http_server.reply(200, '{"hello": "from the receiver"}')
    c = login(world.publicity)
    response = c.post(f"/notify/notifiers/{notifier.pk}/test/")
    html = response.content.decode()
    assert response.status_code == 200
    assert "from the receiver" in html
    assert http_server.requests[0].json["test"] is True
    notifier.refresh_from_db()
    assert notifier.last_success_at is not None
    assert AuditRecord.objects.filter(action="notifier.test", actor=world.publicity).exists()


def test_a_failing_test_message_shows_the_error(world, login, http_server):
    notifier = make_webhook(world.school, http_server.url + "/hook")
    http_server.reply(403, "forbidden by the receiver")
    html = login(world.publicity).post(f"/notify/notifiers/{notifier.pk}/test/").content.decode()
    assert "forbidden by the receiver" in html and "Not delivered" in html


def test_test_button_is_post_only(world, login, http_server):
    notifier = make_webhook(world.school, http_server.url + "/hook")
    assert login(world.publicity).get(f"/notify/notifiers/{notifier.pk}/test/").status_code == 405
    assert http_server.requests == []


@pytest.mark.parametrize("path", ["/notify/notifiers/{pk}/edit/", "/notify/notifiers/{pk}/test/"])
def test_another_school_gets_404_and_an_editor_403(world, login, http_server, path):
    notifier = make_webhook(world.school, http_server.url + "/hook")
    url = path.format(pk=notifier.pk)
    assert login(world.other_admin).post(url).status_code == 404
    assert login(world.editor).post(url).status_code == 403
    assert http_server.requests == []


def test_an_editor_may_read_the_delivery_log_but_not_add_notifiers(world, login, http_server, raise_now):
    make_webhook(world.school, http_server.url + "/hook")
    http_server.reply(200, "accepted-by-receiver")
    raise_now(make_event(world.school), Level.MAJOR)
    c = login(world.editor)
    html = c.get("/notify/").content.decode()
    assert "某中学食堂饭菜发霉" in html and "accepted-by-receiver" in html
    assert c.get("/notify/notifiers/new/webhook/").status_code == 403


def test_delivery_log_filters(world, login, http_server, raise_now):
    make_webhook(world.school, http_server.url + "/hook")
    http_server.default.status = 500
    raise_now(make_event(world.school, "第一件"), Level.GENERAL)
    http_server.default.status = 200
    raise_now(make_event(world.school, "第二件"), Level.MAJOR)
    c = login(world.publicity)
    by_status = c.get("/notify/?status=sent").content.decode().split("Delivery log")[1]
    assert "第二件" in by_status and "第一件" not in by_status
    by_level = c.get("/notify/?level=1").content.decode().split("Delivery log")[1]
    assert "第一件" in by_level and "第二件" not in by_level


def test_other_schools_alerts_are_not_listed(world, login, http_server, raise_now):
    make_webhook(world.school, http_server.url + "/hook")
    alert = raise_now(make_event(world.school, "第一中学的事"), Level.MAJOR)
    c = login(world.other_admin)
    assert "第一中学的事" not in c.get("/notify/").content.decode()
    assert c.get(f"/notify/alerts/{alert.pk}/").status_code == 404
    assert c.get(f"/notify/deliveries/{alert.deliveries.get().pk}/").status_code == 404


# --- roster ------------------------------------------------------------------------------------------------

def test_adding_and_removing_a_shift(world, login):
    c = login(world.publicity)
    now = timezone.localtime()
    response = c.post("/notify/roster/", {
        "user": world.monitor.pk, "starts_at": now.strftime("%Y-%m-%dT%H:%M"),
        "ends_at": (now + timedelta(hours=8)).strftime("%Y-%m-%dT%H:%M"), "note": "夜班",
    })
    assert response.status_code == 302
    shift = DutyShift.objects.get()
    assert shift.user == world.monitor and shift.organization == world.school
    html = c.get("/notify/roster/").content.decode()
    assert "夜班" in html and "monitor" in html
    assert c.post(f"/notify/roster/{shift.pk}/remove/").status_code == 302
    assert not DutyShift.objects.exists()
    actions = set(AuditRecord.objects.values_list("action", flat=True))
    assert {"duty_shift.create", "duty_shift.delete"} <= actions


def test_a_shift_ending_before_it_starts_is_refused(world, login):
    c = login(world.publicity)
    now = timezone.localtime()
    response = c.post("/notify/roster/", {
        "user": world.monitor.pk, "starts_at": now.strftime("%Y-%m-%dT%H:%M"),
        "ends_at": (now - timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M"),
    })
    assert "The shift must end after it starts." in response.content.decode()
    assert not DutyShift.objects.exists()


def test_people_of_another_school_cannot_be_put_on_duty(world, login):
    c = login(world.publicity)
    now = timezone.localtime()
    c.post("/notify/roster/", {
        "user": world.other_editor.pk, "starts_at": now.strftime("%Y-%m-%dT%H:%M"),
        "ends_at": (now + timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M"),
    })
    assert not DutyShift.objects.exists()


def test_the_roster_is_read_only_without_the_duty_permission(world, login):
    now = timezone.now()
    shift = DutyShift.objects.create(organization=world.school, user=world.monitor, starts_at=now,
                                     ends_at=now + timedelta(hours=2))
    c = login(world.editor)
    assert c.get("/notify/roster/").status_code == 200
    assert c.post(f"/notify/roster/{shift.pk}/remove/").status_code == 403
    assert login(world.other_admin).post(f"/notify/roster/{shift.pk}/remove/").status_code == 404
    assert DutyShift.objects.exists()


# --- demo receiver -----------------------------------------------------------------------------------------

def test_demo_receiver_records_only_signed_requests(world, login, client):
    make_webhook(world.school, "http://127.0.0.1:8000/notify/demo-receiver/")
    prepared = webhook.build_request(webhook.Config(url="http://x/", secret=WEBHOOK_SECRET),
                                     Message(title="演示预警", level="重大"), timezone.now())
    headers = {f"HTTP_{k.upper().replace('-', '_')}": v for k, v in prepared.headers.items()
               if k.lower().startswith("x-yuqing")}
    unsigned = client.post("/notify/demo-receiver/", prepared.body, content_type="application/json")
    assert unsigned.status_code == 403
    signed = client.post("/notify/demo-receiver/", prepared.body, content_type="application/json", **headers)
    assert signed.status_code == 200 and DemoReceipt.objects.count() == 1
    assert "演示预警" in login(world.publicity).get("/notify/demo-receiver/log/").content.decode()
    assert "演示预警" not in login(world.other_admin).get("/notify/demo-receiver/log/").content.decode()


# --- API ---------------------------------------------------------------------------------------------------

def test_api_creates_notifiers_with_write_only_secrets(world, login, http_server):
    c = login(world.publicity)
    response = c.post("/api/notifiers/", {
        "organization": "no1", "name": "api hook", "kind": "webhook",
        "config": {"url": http_server.url + "/hook"}, "secrets": {"secret": WEBHOOK_SECRET},
    }, content_type="application/json")
    assert response.status_code == 201, response.content
    assert WEBHOOK_SECRET not in response.content.decode()
    # the address was sent in `config` but is a secret setting: stored encrypted, named, never returned
    assert response.json()["has_secrets"] == ["secret", "url"] and "/hook" not in response.content.decode()
    listed = c.get("/api/notifiers/").content.decode()
    assert WEBHOOK_SECRET not in listed and "api hook" in listed and "/hook" not in listed
    bad = c.post("/api/notifiers/", {"organization": "no1", "name": "bad", "kind": "webhook",
                                     "config": {"url": "nope"}, "secrets": {"secret": WEBHOOK_SECRET}},
                 content_type="application/json")
    assert bad.status_code == 400 and "url" in bad.json()


def test_api_refuses_editors_and_hides_other_schools(world, login, http_server):
    notifier = make_webhook(world.school, http_server.url + "/hook")
    editor = login(world.editor)
    assert editor.post("/api/notifiers/", {"organization": "no1", "name": "x", "kind": "webhook",
                                           "config": {"url": http_server.url},
                                           "secrets": {"secret": WEBHOOK_SECRET}},
                       content_type="application/json").status_code == 403
    assert login(world.other_admin).get(f"/api/notifiers/{notifier.pk}/").status_code == 404


def test_api_lists_alerts_and_deliveries(world, login, http_server, raise_now):
    make_webhook(world.school, http_server.url + "/hook")
    raise_now(make_event(world.school), Level.MAJOR)
    c = login(world.editor)
    alerts = c.get("/api/alerts/").json()["results"]
    assert [a["level_label"] for a in alerts] == ["重大"]
    deliveries = c.get("/api/deliveries/?status=sent").json()["results"]
    assert len(deliveries) == 1 and deliveries[0]["status_code"] == 200
    assert login(world.other_admin).get("/api/alerts/").json()["results"] == []


@pytest.mark.parametrize("kind", ["email", "wecom", "dingtalk", "feishu", "webhook"])
def test_every_kind_has_a_form_built_from_its_settings(world, login, kind):
    from yuqing.notify.transports import get_transport

    html = login(world.publicity).get(f"/notify/notifiers/new/{kind}/").content.decode()
    for name in get_transport(kind).Config.__dataclass_fields__:
        assert f'name="{name}"' in html


def test_adding_an_email_notifier_and_testing_it_against_a_real_smtp_server(world, login, smtp_server):
    handler, port = smtp_server()
    c = login(world.publicity)
    response = c.post("/notify/notifiers/new/email/", {
        "name": "办公室邮箱", "min_level": "1", "enabled": "on", "host": "127.0.0.1", "port": str(port),
        "security": "none", "from_addr": "yuqing@no1.test", "to_addrs": "office@no1.test\nhead@no1.test",
        "verify_tls": "on",
    })
    assert response.status_code == 302, response.content.decode()[:2000]
    notifier = Notifier.objects.get()
    assert notifier.config["to_addrs"] == ["office@no1.test", "head@no1.test"]
    html = c.post(f"/notify/notifiers/{notifier.pk}/test/").content.decode()
    assert "250 2.0.0 Ok: queued as TEST123" in html
    assert handler.received[0].rcpt_tos == ["office@no1.test", "head@no1.test"]
