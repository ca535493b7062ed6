"""Account care: unlock, recovery codes, an administrator's reset of a lost second factor, invitation and
password-reset links, and the wait message after a wrong code."""

import re

import pytest
from django.conf import settings
from django.core import mail
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from tests.conftest import PASSWORD
from yuqing.accounts import actions
from yuqing.accounts.models import AccountLink, ApiToken, RecoveryCode
from yuqing.audit.models import AuditRecord
from yuqing.orgs.models import Membership, Role
from yuqing.orgs.permissions import PermissionDenied

pytestmark = pytest.mark.django_db


def _device(user) -> TOTPDevice:
    return TOTPDevice.objects.create(user=user, name="phone", confirmed=True)


def _code(device, wrong=False) -> str:
    right = totp(device.bin_key)
    return f"{(right + 1) % 1000000 if wrong else right:06d}"


def _fail(client, username, n):
    for _ in range(n):
        client.post("/accounts/login/", {"username": username, "password": "wrong-password"})


# --- unlock --------------------------------------------------------------------------------------------

def test_administrator_unlocks_a_locked_out_person(world, client, login):
    _fail(client, "editor", settings.AXES_FAILURE_LIMIT)
    assert client.post("/accounts/login/", {"username": "editor", "password": PASSWORD}).status_code != 302
    c = login(world.school_admin)
    page = c.get(f"/people/{world.editor.pk}/").content.decode()
    assert 'id="account-care"' in page and "/unlock/" in page
    r = c.post(f"/people/{world.editor.pk}/unlock/")
    assert r.status_code == 302
    assert AuditRecord.objects.filter(action="user.unlock", object_id=str(world.editor.pk)).exists()
    assert actions.lockout_state(world.editor) is None
    c.logout()
    assert client.post("/accounts/login/", {"username": "editor", "password": PASSWORD}).status_code == 302


def test_unlock_is_refused_outside_the_subtree_and_for_a_higher_admin(world, login):
    c = login(world.other_admin)
    assert c.post(f"/people/{world.editor.pk}/unlock/").status_code == 404
    Membership.objects.create(user=world.bureau_admin, organization=world.school, role=Role.LEADER)
    c = login(world.school_admin)
    assert c.post(f"/people/{world.bureau_admin.pk}/unlock/").status_code == 403
    c = login(world.editor)
    assert c.post(f"/people/{world.monitor.pk}/unlock/").status_code in (403, 404)
    assert not AuditRecord.objects.filter(action="user.unlock").exists()


# --- wait message --------------------------------------------------------------------------------------

def test_a_wrong_code_says_how_many_seconds_to_wait(world, client, settings):
    settings.LANGUAGE_CODE = "zh-hans"
    device = _device(world.editor)
    client.post("/accounts/login/", {"username": "editor", "password": PASSWORD})
    r = client.post("/accounts/otp/", {"token": _code(device, wrong=True)})
    body = r.content.decode()
    assert "验证码" in body and re.search(r"请等待 \d+ 秒", body), body[-3000:]
    # The right code straight after is refused with the wait, not with "wrong".
    r = client.post("/accounts/otp/", {"token": _code(device)})
    assert r.status_code == 200 and re.search(r"请等待 \d+ 秒", r.content.decode())


# --- recovery codes ------------------------------------------------------------------------------------

def _verified_client(client, user, device):
    client.post("/accounts/login/", {"username": user.username, "password": PASSWORD})
    r = client.post("/accounts/otp/", {"token": _code(device), "next": "/"})
    assert r.status_code == 302
    return client


def test_recovery_codes_are_shown_once_stored_hashed_and_usable_once(world, client):
    device = _device(world.editor)
    c = _verified_client(client, world.editor, device)
    r = c.post("/accounts/recovery-codes/")
    codes = r.context["codes"]
    assert len(codes) == 10 and len(set(codes)) == 10
    assert all(code in r.content.decode() for code in codes)
    stored = list(RecoveryCode.objects.filter(user=world.editor).values_list("code_hash", flat=True))
    assert len(stored) == 10 and not any(code.replace("-", "") in h for code in codes for h in stored)
    assert codes[0] not in c.get("/accounts/recovery-codes/").content.decode()  # shown once
    assert AuditRecord.objects.filter(action="user.recovery_codes").count() == 1

    c.post("/accounts/logout/")
    c.post("/accounts/login/", {"username": "editor", "password": PASSWORD})
    r = c.post("/accounts/otp/", {"recovery_code": codes[0].upper(), "next": "/orgs/"})
    assert r.status_code == 302 and r["Location"] == "/orgs/"
    assert c.get("/orgs/").status_code == 200
    assert AuditRecord.objects.filter(action="user.recovery_code_use").exists()

    c.post("/accounts/logout/")
    c.post("/accounts/login/", {"username": "editor", "password": PASSWORD})
    r = c.post("/accounts/otp/", {"recovery_code": codes[0]})
    assert r.status_code == 200 and r.context["recovery_form"].errors  # spent
    assert c.get("/orgs/").status_code == 302


def test_regenerating_recovery_codes_voids_the_old_ones(world):
    _device(world.editor)
    old = actions.do_issue_recovery_codes(world.editor, acting_user=world.editor)
    new = actions.do_issue_recovery_codes(world.editor, acting_user=world.editor)
    assert not actions.use_recovery_code(world.editor, old[0])
    assert actions.use_recovery_code(world.editor, new[0])
    assert not actions.use_recovery_code(world.editor, new[0])
    assert actions.recovery_codes_left(world.editor) == 9
    with pytest.raises(PermissionDenied):
        actions.do_issue_recovery_codes(world.editor, acting_user=world.school_admin)


# --- administrator's reset of a second factor ----------------------------------------------------------

def test_administrator_resets_a_lost_second_factor(world, client, login):
    device = _device(world.editor)
    actions.do_issue_recovery_codes(world.editor, acting_user=world.editor)
    ApiToken.issue(world.editor, "crawler", second_factor=True)
    c = login(world.school_admin)
    assert "/second-factor/reset/" in c.get(f"/people/{world.editor.pk}/").content.decode()
    assert c.post(f"/people/{world.editor.pk}/second-factor/reset/").status_code == 302
    assert not TOTPDevice.objects.filter(pk=device.pk).exists()
    assert not RecoveryCode.objects.filter(user=world.editor).exists()
    assert not ApiToken.objects.filter(user=world.editor).exists()
    rec = AuditRecord.objects.get(action="user.totp_reset")
    assert rec.actor_id == world.school_admin.pk
    c.logout()
    # The password alone lets the person in again, to set up a new authenticator.
    login(world.editor)
    assert client.get("/orgs/").status_code == 200


def test_second_factor_reset_is_refused_outside_the_subtree_and_for_a_higher_admin(world):
    _device(world.bureau_admin)
    _device(world.other_editor)
    Membership.objects.create(user=world.bureau_admin, organization=world.school, role=Role.LEADER)
    with pytest.raises(PermissionDenied):
        actions.do_reset_second_factor(world.bureau_admin, acting_user=world.school_admin)
    with pytest.raises(PermissionDenied):
        actions.do_reset_second_factor(world.other_editor, acting_user=world.school_admin)
    with pytest.raises(PermissionDenied):
        actions.do_reset_second_factor(world.school_admin, acting_user=world.school_admin)
    with pytest.raises(PermissionDenied):
        actions.do_reset_second_factor(world.bureau_admin, acting_user=world.publicity)
    assert TOTPDevice.objects.filter(user=world.bureau_admin).exists()
    assert not AuditRecord.objects.filter(action="user.totp_reset").exists()
    # The bureau's administrator may reset a school member.
    actions.do_reset_second_factor(world.other_editor, acting_user=world.bureau_admin)


# --- invitation and password-reset links ---------------------------------------------------------------

def _link_url(page: str) -> str:
    return re.search(r'value="(http[^"]+/accounts/link/[^"]+/)"', page).group(1)


def test_invitation_link_is_handed_over_once_and_sets_the_password(world, login, client, settings):
    settings.EMAIL_HOST = ""
    c = login(world.school_admin)
    r = c.post(f"/orgs/{world.school.slug}/people/new/", {"username": "newcomer", "full_name": "新同事",
                                                          "role": Role.EDITOR})
    assert r.status_code == 302
    newcomer = Membership.objects.get(user__username="newcomer").user
    page = c.get(f"/people/{newcomer.pk}/").content.decode()
    assert "/link/" in page
    r = c.post(f"/people/{newcomer.pk}/link/")
    url = _link_url(r.content.decode())
    token = url.rstrip("/").rsplit("/", 1)[1]
    link = AccountLink.objects.get(user=newcomer)
    assert link.kind == "invite" and token not in link.token_hash and len(mail.outbox) == 0
    assert AuditRecord.objects.filter(action="user.invite").exists()
    assert token not in c.get(f"/people/{newcomer.pk}/").content.decode()

    c.logout()
    path = url[url.index("/accounts/link/"):]
    assert client.get(path).status_code == 200
    r = client.post(path, {"password": "short", "password2": "short"})
    assert r.status_code == 200 and r.context["form"].errors.get("password")
    r = client.post(path, {"password": "a-good-long-pass-42", "password2": "a-good-long-pass-42"})
    assert r.status_code == 302
    assert login(newcomer, "a-good-long-pass-42")
    client.logout()
    assert client.get(path).status_code == 410  # once only
    assert client.post(path, {"password": "another-long-pass-9", "password2": "another-long-pass-9"}).status_code == 410


def test_reset_link_is_emailed_when_the_installation_has_a_mail_server(world, login, client, settings,
                                                                     django_capture_on_commit_callbacks):
    settings.EMAIL_HOST = "127.0.0.1"
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    world.editor.email = "editor@no1.example.cn"
    world.editor.save()
    c = login(world.school_admin)
    with django_capture_on_commit_callbacks(execute=True):
        r = c.post(f"/people/{world.editor.pk}/link/")
    assert r.status_code == 302
    assert len(mail.outbox) == 1 and mail.outbox[0].to == ["editor@no1.example.cn"]
    path = re.search(r"(/accounts/link/[^/\s]+/)", mail.outbox[0].body).group(1)
    assert AccountLink.objects.get(user=world.editor).kind == "reset"
    assert AuditRecord.objects.filter(action="user.password_reset").exists()
    c.logout()
    r = client.post(path, {"password": "fresh-long-pass-77", "password2": "fresh-long-pass-77"})
    assert r.status_code == 302
    assert login(world.editor, "fresh-long-pass-77")


def test_links_expire_are_replaced_and_are_refused_for_a_higher_admin(world, login, client):
    from datetime import timedelta

    from django.utils import timezone

    first = actions.do_issue_account_link(world.editor, acting_user=world.school_admin)
    second = actions.do_issue_account_link(world.editor, acting_user=world.school_admin)
    first_path = first.url[first.url.index("/accounts/link/"):]
    second_path = second.url[second.url.index("/accounts/link/"):]
    assert client.get(first_path).status_code == 410  # replaced
    AccountLink.objects.filter(pk=second.link.pk).update(expires_at=timezone.now() - timedelta(seconds=1))
    assert client.get(second_path).status_code == 410  # expired
    Membership.objects.create(user=world.bureau_admin, organization=world.school, role=Role.LEADER)
    with pytest.raises(PermissionDenied):
        actions.do_issue_account_link(world.bureau_admin, acting_user=world.school_admin)
    c = login(world.school_admin)
    assert c.post(f"/people/{world.bureau_admin.pk}/link/").status_code == 403


def test_the_add_a_role_form_also_starts_at_the_least_privileged_role(world, login):
    from yuqing.orgs.permissions import least_privileged_role

    page = login(world.school_admin).get(f"/people/{world.editor.pk}/").content.decode()
    assert f'<option value="{least_privileged_role()}" selected>' in page
