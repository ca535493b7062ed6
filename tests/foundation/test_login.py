"""Password login, lock-out after repeated failures, the TOTP second factor and session expiry."""

import pytest
from django.conf import settings
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from tests.conftest import PASSWORD

pytestmark = pytest.mark.django_db


def _fail(client, username, n):
    for _ in range(n):
        client.post("/accounts/login/", {"username": username, "password": "wrong-password"})


def test_login_with_password_reaches_overview(world, client):
    r = client.post("/accounts/login/", {"username": "editor", "password": PASSWORD}, follow=True)
    assert r.status_code == 200 and r.context["user"] == world.editor


def test_wrong_password_shows_clear_error(world, client, settings):
    settings.LANGUAGE_CODE = "zh-hans"
    r = client.post("/accounts/login/", {"username": "editor", "password": "nope"})
    assert r.status_code == 200
    assert "密码" in r.content.decode()


def test_lockout_after_repeated_failures_even_with_right_password(world, client):
    _fail(client, "editor", settings.AXES_FAILURE_LIMIT)
    r = client.post("/accounts/login/", {"username": "editor", "password": PASSWORD})
    assert r.status_code == 429 or r.status_code == 403
    body = r.content.decode()
    assert "15" in body  # says how long the lock lasts
    # Another person at the same address is not locked out.
    r = client.post("/accounts/login/", {"username": "monitor", "password": PASSWORD})
    assert r.status_code == 302


def test_lockout_is_time_limited(world, client):
    from datetime import timedelta

    from axes.models import AccessAttempt

    _fail(client, "editor", settings.AXES_FAILURE_LIMIT)
    AccessAttempt.objects.update(attempt_time=AccessAttempt.objects.first().attempt_time - timedelta(hours=1))
    r = client.post("/accounts/login/", {"username": "editor", "password": PASSWORD})
    assert r.status_code == 302


def test_totp_setup_then_login_requires_code(world, client, login):
    c = login(world.editor)
    page = c.get("/accounts/totp/")
    assert page.status_code == 200 and "<svg" in page.content.decode()
    device = TOTPDevice.objects.get(user=world.editor, confirmed=False)
    bad = c.post("/accounts/totp/", {"token": "000000" if totp(device.bin_key) != 0 else "111111"})
    assert bad.status_code == 200 and not TOTPDevice.objects.get(pk=device.pk).confirmed
    TOTPDevice.objects.get(pk=device.pk).throttle_reset()  # a wrong code slows further tries down
    ok = c.post("/accounts/totp/", {"token": f"{totp(device.bin_key):06d}"})
    assert ok.status_code == 302 and TOTPDevice.objects.get(pk=device.pk).confirmed

    c.post("/accounts/logout/")
    c.post("/accounts/login/", {"username": "editor", "password": PASSWORD})
    # Password alone is not enough: pages and the API wait for the code.
    r = c.get("/orgs/")
    assert r.status_code == 302 and r["Location"].startswith("/accounts/otp/")
    assert c.get("/api/organizations/").status_code == 403
    r = c.post("/accounts/otp/?next=/orgs/", {"token": "123456" if totp(device.bin_key) != 123456 else "654321"})
    assert r.status_code == 200 and "code" in r.context["form"].errors["token"][0].lower() or "码" in \
        r.content.decode()
    device.refresh_from_db()
    device.throttle_reset(commit=False)
    device.last_t = -1  # allow the same time step to be used again for the real login below
    device.save()
    r = c.post("/accounts/otp/", {"token": f"{totp(device.bin_key):06d}", "next": "/orgs/"})
    assert r.status_code == 302 and r["Location"] == "/orgs/"
    assert c.get("/orgs/").status_code == 200


def test_session_expires(world, client, login, settings):
    c = login(world.editor)
    assert c.get("/orgs/").status_code == 200
    session = c.session
    session.set_expiry(-1)
    session.save()
    assert c.get("/orgs/").status_code == 302
    assert settings.SESSION_COOKIE_AGE <= 12 * 3600


def test_api_token_is_shown_once_works_and_can_be_revoked(world, login, client):
    from yuqing.accounts.models import ApiToken

    c = login(world.school_admin)
    page = c.post("/accounts/tokens/", {"name": "crawler"})
    raw = page.context["new_token"]
    assert raw.startswith("yq_") and raw in page.content.decode()
    token = ApiToken.objects.get(user=world.school_admin)
    assert token.token_hash != raw and raw not in c.get("/accounts/tokens/").content.decode()
    c.logout()
    answer = client.get("/api/organizations/", HTTP_AUTHORIZATION=f"Bearer {raw}")
    assert {o["slug"] for o in answer.json()["results"]} == {"no1", "no1-office"}
    assert client.get("/api/organizations/", HTTP_AUTHORIZATION="Bearer yq_wrong").status_code == 401
    c = login(world.school_admin)
    c.post("/accounts/tokens/", {"revoke": token.pk})
    c.logout()
    assert client.get("/api/organizations/", HTTP_AUTHORIZATION=f"Bearer {raw}").status_code == 401


def test_administrator_resets_password_and_lifts_lockout(world, client, login):
    _fail(client, "editor", settings.AXES_FAILURE_LIMIT)
    c = login(world.school_admin)
    r = c.post(f"/people/{world.editor.pk}/password/", {"password": "short"})
    assert r.status_code == 302
    world.editor.refresh_from_db()
    assert world.editor.check_password(PASSWORD)  # too short: refused, nothing changed
    c.post(f"/people/{world.editor.pk}/password/", {"password": "a-much-better-passphrase-7"})
    c.logout()
    assert client.post("/accounts/login/", {"username": "editor",
                                            "password": "a-much-better-passphrase-7"}).status_code == 302
    from yuqing.audit.models import AuditRecord

    assert AuditRecord.objects.filter(action="user.set_password", actor=world.school_admin).count() == 1


def test_administrator_cannot_reset_password_in_another_school(world, login):
    c = login(world.school_admin)
    assert c.post(f"/people/{world.other_editor.pk}/password/", {"password": "a-much-better-passphrase-7"}
                  ).status_code == 404
    c = login(world.editor)
    assert c.post(f"/people/{world.reviewer1.pk}/password/", {"password": "a-much-better-passphrase-7"}
                  ).status_code == 403
