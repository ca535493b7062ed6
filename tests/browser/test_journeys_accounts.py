"""Account care in a real browser: an administrator invites a new person with a one-time link, the person sets
a password, turns on the second factor, issues recovery codes and later logs in with one."""

from __future__ import annotations

import base64
import hashlib
import hmac
import struct
import time

import pytest

pytestmark = pytest.mark.browser
DESKTOP = {"width": 1366, "height": 900}


def _totp(secret_b32: str) -> str:
    """RFC 6238 code (30 s steps, 6 digits, SHA-1) for the secret the setup page shows."""
    key = base64.b32decode(secret_b32 + "=" * (-len(secret_b32) % 8))
    digest = hmac.new(key, struct.pack(">Q", int(time.time()) // 30), hashlib.sha1).digest()
    offset = digest[-1] & 0x0F
    return f"{(struct.unpack('>I', digest[offset:offset + 4])[0] & 0x7FFFFFFF) % 1_000_000:06d}"



def test_invitation_link_then_second_factor_then_recovery_code_login(journey, chromium):
    username = f"newcomer{int(time.time()) % 100000}"
    journey.login("school-admin")
    journey.go("/people/")
    journey.page.locator("a[href*='/people/new/']").first.click()
    journey.page.wait_for_load_state("networkidle")
    # The least-privileged role is preselected, not 管理员.
    assert journey.page.locator("#id_role").input_value() != "admin"
    journey.page.fill("#id_username", username)
    journey.page.fill("#id_full_name", "新来的老师")
    journey.shot("new-person")
    journey.page.locator("form button.primary").click()
    journey.page.wait_for_load_state("networkidle")
    assert "/people/" in journey.page.url
    assert journey.page.locator("#account-care").count()
    journey.shot("person")
    journey.phone_check("person")
    journey.page.locator("form[action$='/link/'] button").click()
    journey.page.wait_for_load_state("networkidle")
    link = journey.page.locator("#account-link").input_value()
    assert "/accounts/link/" in link
    journey.shot("invitation-link")
    journey.phone_check("invitation-link")

    # The newcomer opens the link in their own browser.
    context = chromium.new_context(viewport=DESKTOP, locale="zh-CN", timezone_id="Asia/Shanghai")
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    journey.page, admin_page = page, journey.page
    try:
        page.goto(link)
        page.wait_for_load_state("networkidle")
        assert "欢迎" in page.locator("h1").inner_text()
        journey.shot("set-password")
        journey.phone_check("set-password")
        password = "browser-journey-pass-2026"
        page.fill("#id_password", password)
        page.fill("#id_password2", password)
        page.locator("form button.primary").click()
        page.wait_for_load_state("networkidle")
        assert "/accounts/login/" in page.url
        page.fill("#id_username", username)
        page.fill("#id_password", password)
        page.click("button[type=submit]")
        page.wait_for_load_state("networkidle")
        assert "/accounts/login/" not in page.url

        # Second factor on, then recovery codes (shown once).
        page.goto(journey.site.url + "/accounts/totp/")
        secret = page.locator(".card code").first.inner_text().strip()
        page.fill("#id_token", _totp(secret))
        page.locator("form button.primary").click()
        page.wait_for_load_state("networkidle")
        assert "/accounts/recovery-codes/" in page.url
        page.locator("form button[type=submit]").click()
        page.wait_for_load_state("networkidle")
        codes = [c.strip() for c in page.locator("#recovery-codes code").all_inner_texts()]
        assert len(codes) == 10
        journey.shot("recovery-codes")
        journey.phone_check("recovery-codes")

        # Phone lost: log in with a recovery code.
        context.clear_cookies()
        page.goto(journey.site.url + "/accounts/login/")
        page.fill("#id_username", username)
        page.fill("#id_password", password)
        page.click("button[type=submit]")
        page.wait_for_load_state("networkidle")
        assert "/accounts/otp/" in page.url
        page.locator("#recovery summary").click()
        journey.shot("code-page")
        journey.phone_check("code-page")
        page.fill("#id_recovery_code", codes[0])
        page.locator("#recovery button[type=submit]").click()
        page.wait_for_load_state("networkidle")
        assert "/accounts/otp/" not in page.url and "/accounts/login/" not in page.url
        assert "恢复码" in page.locator(".messages").inner_text()
        journey.shot("logged-in-with-recovery-code")
        assert not errors, errors
    finally:
        journey.page = admin_page
        context.close()
