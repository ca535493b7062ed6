"""M2: credential-bearing settings (a webhook's extra headers and address, a source's headers) are encrypted at
rest, write-only (never shown again, not in the API) and never copied into the audit log; they still work."""

from __future__ import annotations

import json

import pytest
from django.db import connection

from tests.collection.localserver import LocalServer, Reply
from tests.notify.conftest import WEBHOOK_SECRET
from tests.notify_transports.conftest import http_server  # noqa: F401 - fixture
from yuqing.audit.models import AuditRecord
from yuqing.monitoring.models import Source
from yuqing.notify.models import Notifier

pytestmark = pytest.mark.django_db

TOKEN = "Bearer tok-7f3a9c-very-secret"


def _raw(table: str, pk: int) -> str:
    with connection.cursor() as cur:
        cur.execute(f"SELECT * FROM {table} WHERE id = %s", [pk])
        return json.dumps([str(v) for v in cur.fetchone()], ensure_ascii=False)


def _audit_text() -> str:
    return json.dumps(list(AuditRecord.objects.values("before", "after", "object_repr")), ensure_ascii=False)


def test_webhook_headers_and_address_are_encrypted_write_only_and_not_audited(
        world, login, http_server, local_servers_stand_for_public_ones):  # noqa: F811
    c = login(world.publicity)
    hook = http_server.url + "/hook?token=abc123"
    r = c.post("/notify/notifiers/new/webhook/", {
        "name": "值班群", "min_level": "1", "enabled": "on", "url": hook, "secret": WEBHOOK_SECRET,
        "headers": f"Authorization: {TOKEN}"})
    assert r.status_code == 302
    notifier = Notifier.objects.get(name="值班群")
    raw = _raw("notify_notifier", notifier.pk)
    assert TOKEN not in raw and "abc123" not in raw
    assert TOKEN not in _audit_text() and "abc123" not in _audit_text()
    # never shown again: not on the edit page, not in the API, to the person who saved it or anyone else
    page = c.get(f"/notify/notifiers/{notifier.pk}/edit/").content.decode()
    assert TOKEN not in page and "abc123" not in page
    assert "saved — enter a new value to replace it" in page
    for persona in (world.publicity, world.school_admin, world.editor):
        body = login(persona).get("/api/notifiers/").content.decode()
        assert TOKEN not in body and "abc123" not in body
    # …and still used: the test message carries the header to the address with its token
    c = login(world.publicity)
    c.post(f"/notify/notifiers/{notifier.pk}/test/")
    sent = http_server.requests[-1]
    assert sent.headers["authorization"] == TOKEN and "token=abc123" in sent.query
    # saving the form again with the secret fields blank keeps them
    c.post(f"/notify/notifiers/{notifier.pk}/edit/", {"name": "值班群（改）", "min_level": "1", "enabled": "on",
                                                 "url": "", "secret": "", "headers": ""})
    notifier.refresh_from_db()
    assert notifier.name == "值班群（改）" and notifier.secrets()["headers"] == {"Authorization": TOKEN}


def test_source_headers_are_encrypted_write_only_and_not_audited(world, login, settings):
    server = LocalServer()
    server.routes["/api"] = Reply(json.dumps({"data": [{"title": "食堂", "link": "https://e.example/1"}]}),
                                  headers={"Content-Type": "application/json"})
    try:
        settings.YUQING_OUTBOUND_ALLOW = [f"127.0.0.1:{server.port}"]
        c = login(world.publicity)
        r = c.post("/api/sources/", {
            "organization": "no1", "name": "接口", "kind": "json", "url": server.url("/api"),
            "options": {"items": "data", "mapping": {"title": "title", "url": "link"},
                        "headers": {"Authorization": TOKEN}}}, content_type="application/json")
        assert r.status_code == 201, r.content
        assert TOKEN not in r.content.decode()
        source = Source.objects.get(name="接口")
        assert "headers" not in source.options and TOKEN not in _raw("monitoring_source", source.pk)
        assert TOKEN not in _audit_text()
        assert TOKEN not in c.get("/api/sources/").content.decode()
        assert TOKEN not in c.get(f"/monitoring/sources/{source.pk}/").content.decode()
        # an update without headers keeps them; the fetch sends them
        r = c.patch(f"/api/sources/{source.pk}/", {"options": {"items": "data", "mapping": {
            "title": "title", "url": "link"}}}, content_type="application/json")
        assert r.status_code == 200, r.content
        c.post(f"/monitoring/sources/{source.pk}/test/")
        assert any(req.headers.get("authorization") == TOKEN for req in server.requests)
    finally:
        server.close()
