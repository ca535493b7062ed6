"""Account findings of the security review: H1 (second factor skipped), H2 (takeover across organisations),
API tokens that never expired and survived a password reset."""

from datetime import timedelta

import pytest
from django.utils import timezone
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from tests.conftest import PASSWORD
from yuqing.accounts.models import ApiToken
from yuqing.orgs.models import Membership, Role

pytestmark = pytest.mark.django_db


def _with_totp(user):
    return TOTPDevice.objects.create(user=user, name="phone", confirmed=True)


def _issue_through_page(client, name="crawler", **extra):
    return client.post("/accounts/tokens/", {"name": name, **extra})


def test_h1_password_alone_cannot_issue_an_api_token(world, login):
    _with_totp(world.publicity)
    c = login(world.publicity)  # password only, the code not entered
    page = c.get("/accounts/tokens/")
    assert page.status_code == 302 and page["Location"].startswith("/accounts/otp/")
    r = _issue_through_page(c)
    assert r.status_code == 302 and "/accounts/otp/" in r["Location"]
    assert not ApiToken.objects.filter(user=world.publicity).exists()
    assert c.get("/accounts/totp/").status_code == 302  # nor can the authenticator be changed


def test_h1_token_issued_without_second_factor_is_refused_by_the_api(world, client):
    _with_totp(world.publicity)
    _, raw = ApiToken.issue(world.publicity, "old")  # e.g. minted before the fix on the password alone
    r = client.get("/api/items/", HTTP_AUTHORIZATION=f"Bearer {raw}")
    assert r.status_code == 403


def test_h1_token_issued_after_the_code_works(world, login):
    device = _with_totp(world.publicity)
    c = login(world.publicity)
    r = c.post("/accounts/otp/", {"token": f"{totp(device.bin_key):06d}"})
    assert r.status_code == 302
    r = _issue_through_page(c)
    assert r.status_code == 200
    raw = r.context["new_token"]
    assert ApiToken.objects.get(user=world.publicity).issued_with_second_factor
    c.logout()
    assert c.get("/api/items/", HTTP_AUTHORIZATION=f"Bearer {raw}").status_code == 200


def test_token_without_second_factor_still_works_for_people_without_one(world, login):
    c = login(world.editor)
    raw = _issue_through_page(c).context["new_token"]
    c.logout()
    assert c.get("/api/items/", HTTP_AUTHORIZATION=f"Bearer {raw}").status_code == 200


def test_token_with_expiry_is_refused_after_it(world, login):
    c = login(world.editor)
    r = _issue_through_page(c, expires_in_days="30")
    raw = r.context["new_token"]
    token = ApiToken.objects.get(user=world.editor)
    assert token.expires_at is not None
    assert timedelta(days=29) < token.expires_at - timezone.now() <= timedelta(days=30)
    c.logout()
    assert c.get("/api/items/", HTTP_AUTHORIZATION=f"Bearer {raw}").status_code == 200
    ApiToken.objects.filter(pk=token.pk).update(expires_at=timezone.now() - timedelta(seconds=1))
    r = c.get("/api/items/", HTTP_AUTHORIZATION=f"Bearer {raw}")
    assert r.status_code == 401 and "expired" in r.json()["detail"]


def test_password_reset_by_an_administrator_revokes_api_tokens(world, login):
    _, raw = ApiToken.issue(world.editor, "crawler")
    c = login(world.school_admin)
    r = c.post(f"/people/{world.editor.pk}/password/", {"password": "a-new-long-passphrase-7"})
    assert r.status_code == 302
    assert not ApiToken.objects.filter(user=world.editor).exists()
    c.logout()
    assert c.get("/api/items/", HTTP_AUTHORIZATION=f"Bearer {raw}").status_code == 401


def test_h2_school_admin_cannot_reset_password_of_bureau_admin_with_a_school_role(world, login, client):
    Membership.objects.create(user=world.bureau_admin, organization=world.school, role=Role.LEADER)
    c = login(world.school_admin)
    r = c.post(f"/people/{world.bureau_admin.pk}/password/", {"password": "attacker-chosen-pass-1"})
    assert r.status_code in (403, 404)
    c.logout()
    r = client.post("/accounts/login/", {"username": "bureau-admin", "password": "attacker-chosen-pass-1"})
    assert r.status_code != 302
    assert login(world.bureau_admin, PASSWORD)  # the old password still works


def test_h2_school_admin_cannot_change_email_or_deactivate_bureau_admin(world):
    from yuqing.orgs import actions
    from yuqing.orgs.permissions import PermissionDenied

    Membership.objects.create(user=world.bureau_admin, organization=world.school, role=Role.LEADER)
    with pytest.raises(PermissionDenied):
        actions.do_update_user(world.bureau_admin, acting_user=world.school_admin, organization=world.school,
                               email="attacker@example.com")
    with pytest.raises(PermissionDenied):
        actions.do_update_user(world.bureau_admin, acting_user=world.school_admin, organization=world.school,
                               is_active=False)


def test_h2_bureau_admin_still_resets_a_school_member(world, login):
    c = login(world.bureau_admin)
    r = c.post(f"/people/{world.editor.pk}/password/", {"password": "a-new-long-passphrase-7"})
    assert r.status_code == 302
    world.editor.refresh_from_db()
    assert world.editor.check_password("a-new-long-passphrase-7")


def test_h2_nobody_but_a_system_administrator_changes_a_system_administrator(world):
    from yuqing.orgs import actions
    from yuqing.orgs.permissions import PermissionDenied

    Membership.objects.create(user=world.root, organization=world.school, role=Role.EDITOR)
    with pytest.raises(PermissionDenied):
        actions.do_set_password(world.root, password="attacker-chosen-pass-1", acting_user=world.school_admin,
                                organization=world.school)
