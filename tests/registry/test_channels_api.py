"""The channel and group API: what publishing and integrations read, and what they may write."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import IntegrityError, transaction
from django.utils import timezone

from yuqing.audit.models import AuditRecord
from yuqing.registry import actions
from yuqing.registry.activity import last_publication, record_publication
from yuqing.registry.models import Channel, ChatGroup, Filing, Status

pytestmark = pytest.mark.django_db


def _channel(world, **kw):
    fields = {"kind": "wechat_official", "name": "和悦金地", "account_id": "gh_hyjd", "responsible": world.publicity}
    fields.update(kw)
    return actions.do_register_channel(world.school, acting_user=world.school_admin, **fields)


def test_api_lists_channels_with_status_filter(world, client):
    active = _channel(world)
    actions.do_apply_channel(world.school, acting_user=world.editor, kind="kuaishou", name="艺体快手",
                             account_id="ks123", reason="发布艺体工作")
    client.force_login(world.editor)
    rows = client.get("/api/channels/?status=active").json()["results"]
    assert [r["id"] for r in rows] == [active.pk]
    row = rows[0]
    assert row["kind"] == "wechat_official" and row["status"] == "active" and row["organization"] == "no1"
    assert row["responsible"] == "publicity" and row["account_id"] == "gh_hyjd" and row["dormant"] is False
    assert {r["status"] for r in client.get("/api/channels/").json()["results"]} == {"active", "applied"}
    assert Channel.objects.active().get() == active


def test_api_apply_opens_a_filing_and_admin_registers_directly(world, client):
    client.force_login(world.editor)
    answer = client.post("/api/channels/", {"organization": "no1", "kind": "douyin", "name": "一中抖音",
                                            "account_id": "dy1", "reason": "招生宣传"},
                         content_type="application/json")
    assert answer.status_code == 201, answer.content
    channel = Channel.objects.get(pk=answer.json()["id"])
    assert channel.status == Status.APPLIED
    filing = Filing.objects.get(channel=channel)
    assert filing.action == "open" and filing.status == "pending" and filing.applicant == world.editor
    assert filing.proposed["name"] == "一中抖音"
    # an editor cannot register an active channel without a filing
    refused = client.post("/api/channels/", {"organization": "no1", "kind": "weibo", "name": "微博",
                                             "status": "active", "responsible": "editor"},
                          content_type="application/json")
    assert refused.status_code == 403
    client.force_login(world.school_admin)
    ok = client.post("/api/channels/", {"organization": "no1", "kind": "weibo", "name": "微博",
                                        "status": "active", "responsible": "editor"},
                     content_type="application/json")
    assert ok.status_code == 201, ok.content
    assert AuditRecord.objects.filter(action="channel.register", object_id=str(ok.json()["id"])).exists()


def test_active_without_responsible_is_refused_by_action_api_and_database(world, client):
    with pytest.raises(actions.ValidationError) as exc:
        _channel(world, responsible=None)
    assert "responsible" in exc.value.message_dict
    client.force_login(world.school_admin)
    answer = client.post("/api/groups/", {"organization": "no1", "kind": "qq", "name": "全体教师QQ群",
                                          "number": "123456", "status": "active"}, content_type="application/json")
    assert answer.status_code == 400 and "responsible" in answer.json()
    channel = _channel(world)
    with pytest.raises(IntegrityError), transaction.atomic():
        Channel.objects.filter(pk=channel.pk).update(responsible=None)
    with pytest.raises(actions.ValidationError) as exc:
        actions.do_update_channel(channel, acting_user=world.school_admin, responsible=None)
    assert "responsible" in exc.value.message_dict


def test_responsible_must_be_a_member_and_duplicates_name_the_field(world, client):
    with pytest.raises(actions.ValidationError) as exc:
        _channel(world, responsible=world.other_admin)
    assert "responsible" in exc.value.message_dict
    _channel(world)
    client.force_login(world.school_admin)
    answer = client.post("/api/channels/", {"organization": "no1", "kind": "wechat_official", "name": "另一个",
                                            "account_id": "gh_hyjd", "status": "active",
                                            "responsible": "publicity"}, content_type="application/json")
    assert answer.status_code == 400 and "account_id" in answer.json(), answer.content


def test_other_schools_see_nothing(world, client):
    _channel(world)
    actions.do_register_group(world.school, acting_user=world.school_admin, kind="wechat", name="班主任微信群",
                              responsible=world.publicity)
    client.force_login(world.other_admin)
    assert client.get("/api/channels/").json()["results"] == []
    assert client.get("/api/groups/").json()["results"] == []
    client.force_login(world.supervisor)
    assert len(client.get("/api/channels/").json()["results"]) == 1
    client.force_login(world.other_supervisor)
    assert client.get("/api/channels/?organization=no1").json()["results"] == []


def test_record_publication_keeps_the_newest_date(world):
    channel = _channel(world)
    at = timezone.now() - dt.timedelta(days=2)
    record_publication(channel, at, url="https://mp.weixin.qq.com/s/abc")
    record_publication(channel, at - dt.timedelta(days=5))  # an older replay changes nothing
    channel.refresh_from_db()
    assert channel.last_published_via_yuqing_at == at
    assert channel.last_published_url == "https://mp.weixin.qq.com/s/abc"
    assert last_publication(channel) == (at, "publishing")


def test_group_api_round(world, client):
    client.force_login(world.editor)
    answer = client.post("/api/groups/", {"organization": "no1", "kind": "wechat", "name": "运动会临时群",
                                          "temporary": True, "task_ends_on": "2026-05-01", "member_count": 40},
                         content_type="application/json")
    assert answer.status_code == 201, answer.content
    group = ChatGroup.objects.get()
    assert group.status == "applied" and group.filings.get().action == "open"
    assert client.get("/api/filings/?status=pending").json()["results"][0]["group"] == group.pk


def test_openapi_describes_the_registry_api(world, login):
    schema = login(world.editor).get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json").json()
    for path in ("/api/channels/", "/api/groups/", "/api/filings/", "/api/channels/{id}/"):
        assert path in schema["paths"]
    params = {p["name"] for p in schema["paths"]["/api/channels/"]["get"]["parameters"]}
    assert {"status", "kind", "organization"} <= params
    fields = schema["components"]["schemas"]["Channel"]["properties"]
    assert {"kind", "status", "organization", "name", "account_id", "url", "responsible", "dormant"} <= set(fields)
