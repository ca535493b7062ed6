"""The review's Low / info findings: open redirect, /system/ for everybody, the anonymous schema, password
spraying, push tokens shown to every member, the push body limit."""

import json

import pytest
from django.core.cache import cache
from django.utils import timezone

from tests.conftest import PASSWORD
from tests.detection_app.factories import scheme, store
from yuqing.collection.connectors.webhook import signed_headers
from yuqing.detection.models import Mention
from yuqing.monitoring.models import Item, Source

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("target", ["https://evil.example/", "//evil.example/", "/\\evil.example/",
                                    "\\\\evil.example", "javascript:alert(1)"])
def test_judging_a_mention_never_redirects_off_site(world, login, target):
    scheme(world.school, "第一中学", name="一中")
    mention = Mention.objects.get(item=store(world.school, "第一中学食堂的帖子"))
    r = login(world.monitor).post(f"/detection/mentions/{mention.pk}/judge/", {"sentiment": "negative",
                                                                               "next": target})
    assert r.status_code == 302
    assert r["Location"].startswith("/") and not r["Location"].startswith(("//", "/\\")), r["Location"]


def test_judging_keeps_a_local_next(world, login):
    scheme(world.school, "第一中学", name="一中")
    mention = Mention.objects.get(item=store(world.school, "第一中学食堂的帖子"))
    r = login(world.monitor).post(f"/detection/mentions/{mention.pk}/judge/", {"next": "/detection/events/"})
    assert r["Location"] == "/detection/events/"


def test_switcher_refuses_a_backslash_redirect(world, login):
    r = login(world.editor).post("/orgs/switch/", {"organization": world.school.pk, "next": "/\\evil.example/"})
    assert r["Location"] == "/"


def test_system_page_is_not_for_everyone(world, login):
    from yuqing.system.models import ScheduledJob

    ScheduledJob.objects.create(name="boom", interval_seconds=60, next_run_at=timezone.now(), last_status="failed",
                                last_error="Traceback: secret school data")
    assert login(world.outsider).get("/system/").status_code == 403
    assert login(world.editor).get("/system/").status_code == 403
    page = login(world.bureau_admin).get("/system/")
    assert page.status_code == 200 and "secret school data" not in page.content.decode()
    assert "secret school data" in login(world.root).get("/system/").content.decode()


def test_api_schema_needs_a_login(world, client, login):
    r = client.get("/api/schema/")
    assert r.status_code == 401
    assert login(world.editor).get("/api/schema/").status_code == 200


def test_one_password_sprayed_over_many_names_is_throttled(world, client, settings):
    settings.YUQING_LOGIN_SPRAY_LIMIT = 5
    for i in range(5):
        r = client.post("/accounts/login/", {"username": f"person{i}", "password": "Spring2026!"})
        assert r.status_code == 200
    # The sprayer's address is now locked even for a name it has not tried and the right password.
    r = client.post("/accounts/login/", {"username": "editor", "password": PASSWORD})
    assert r.status_code == 429
    other = client.__class__(REMOTE_ADDR="10.9.9.9")
    assert other.post("/accounts/login/", {"username": "editor", "password": PASSWORD}).status_code == 302


def _hook(world):
    cache.clear()
    return Source.objects.create(organization=world.school, kind="webhook", name="provider",
                                 secret="a-long-enough-push-secret-123")


def test_push_address_only_for_those_who_manage_the_source(world, login):
    hook = _hook(world)
    page = login(world.editor).get(f"/monitoring/sources/{hook.pk}/").content.decode()
    assert hook.push_token not in page
    api = login(world.editor).get(f"/api/sources/{hook.pk}/").json()
    assert hook.push_token not in json.dumps(api)
    assert hook.push_token in login(world.monitor).get(f"/monitoring/sources/{hook.pk}/").content.decode()
    assert hook.push_token in login(world.monitor).get(f"/api/sources/{hook.pk}/").json()["push_path"]


def test_push_accepts_bodies_up_to_the_documented_10_mb(world, client):
    hook = _hook(world)
    items = [{"url": f"https://weibo.com/1/{i}", "text": "第一中学" + "很长的帖子内容" * 400} for i in range(500)]
    body = json.dumps({"items": items}, ensure_ascii=False).encode()
    assert 2.5 * 1024 * 1024 < len(body) < 10 * 1024 * 1024
    r = client.post(f"/api/push/{hook.push_token}", body, content_type="application/json",
                    headers=signed_headers("a-long-enough-push-secret-123", body))
    assert r.status_code == 200, r.content[:300]
    assert Item.objects.count() == 500


def test_push_refuses_bodies_above_10_mb(world, client):
    hook = _hook(world)
    body = b'{"items": [' + b" " * (10 * 1024 * 1024) + b"]}"
    r = client.post(f"/api/push/{hook.push_token}", body, content_type="application/json",
                    headers=signed_headers("a-long-enough-push-secret-123", body))
    assert r.status_code == 413
