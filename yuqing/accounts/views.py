"""Login with password and optional TOTP second factor, and the second factor's setup."""

from __future__ import annotations

import base64
import io
from datetime import timedelta

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db import transaction
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext
from django.views.decorators.cache import never_cache
from django_otp import login as otp_login
from django_otp.plugins.otp_totp.models import TOTPDevice

from yuqing.accounts import actions as account_actions
from yuqing.accounts.middleware import _has_confirmed_device
from yuqing.accounts.models import RecoveryCode
from yuqing.accounts.throttle import address_is_spraying
from yuqing.audit.log import record


class LoginView(auth_views.LoginView):
    template_name = "accounts/login.html"
    redirect_authenticated_user = True

    def post(self, request, *args, **kwargs):
        if address_is_spraying(request):
            minutes = int(settings.AXES_COOLOFF_TIME.total_seconds() // 60)
            return render(request, "accounts/locked.html", {"cooloff_minutes": minutes, "address_locked": True},
                          status=429)
        return super().post(request, *args, **kwargs)


class TokenForm(forms.Form):
    token = forms.CharField(label=_("Six-digit code"), max_length=6, min_length=6,
                            widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "numeric",
                                                          "autofocus": True}))


def _safe_next(request) -> str:
    nxt = request.POST.get("next") or request.GET.get("next") or "/"
    return nxt if url_has_allowed_host_and_scheme(nxt, {request.get_host()}) else "/"


class RecoveryCodeForm(forms.Form):
    recovery_code = forms.CharField(label=_("Recovery code"), max_length=20,
                                    widget=forms.TextInput(attrs={"autocomplete": "off", "autocapitalize": "off"}))


def _wait_error(seconds: int) -> str:
    return ngettext("A wrong code was entered just now. Wait %(seconds)d second before trying again.",
                    "A wrong code was entered just now. Wait %(seconds)d seconds before trying again.",
                    seconds) % {"seconds": seconds}


def _check_code(devices, token: str) -> tuple[object | None, str]:
    """(the device that accepted the code, "") or (None, why not): a throttled device says how long to wait."""
    wait = account_actions.wait_seconds(devices)
    if wait:
        return None, _wait_error(wait)
    for device in devices:
        if device.verify_token(token):
            return device, ""
    wait = account_actions.wait_seconds(devices)
    message = str(_("The code is wrong or has expired."))
    return None, message + (" " + _wait_error(wait) if wait else "")


@login_required
def otp_verify(request):
    """Second step of login for people with a confirmed authenticator: a code, or one of their recovery codes."""
    devices = account_actions.confirmed_devices(request.user)
    if not devices or request.user.is_verified():
        return redirect(_safe_next(request))
    use_recovery = request.method == "POST" and "recovery_code" in request.POST
    form = TokenForm(request.POST if request.method == "POST" and not use_recovery else None)
    recovery_form = RecoveryCodeForm(request.POST if use_recovery else None)
    if request.method == "POST" and not use_recovery and form.is_valid():
        device, error = _check_code(devices, form.cleaned_data["token"])
        if device is not None:
            otp_login(request, device)
            return redirect(_safe_next(request))
        form.add_error("token", error)
    if use_recovery and recovery_form.is_valid():
        wait = account_actions.wait_seconds(devices)
        if wait:
            recovery_form.add_error("recovery_code", _wait_error(wait))
        elif account_actions.use_recovery_code(request.user, recovery_form.cleaned_data["recovery_code"]):
            # The recovery code stands in for the authenticator for this session.
            devices[0].throttle_reset()
            otp_login(request, devices[0])
            left = account_actions.recovery_codes_left(request.user)
            messages.warning(request, ngettext(
                "You logged in with a recovery code; %(left)d code is left. Issue new ones on your second "
                "factor page.",
                "You logged in with a recovery code; %(left)d codes are left. Issue new ones on your second "
                "factor page.", left) % {"left": left})
            return redirect(_safe_next(request))
        else:
            devices[0].throttle_increment()
            recovery_form.add_error("recovery_code", _("This recovery code is wrong or was already used."))
    return render(request, "accounts/otp_verify.html", {"form": form, "recovery_form": recovery_form,
                                                        "next": _safe_next(request)})


@login_required
def recovery_codes(request):
    """Issue (or re-issue) recovery codes; they are shown once, on the page answering the POST."""
    if not account_actions.confirmed_devices(request.user):
        return redirect("totp-setup")
    codes, error = None, ""
    if request.method == "POST":
        try:
            codes = account_actions.do_issue_recovery_codes(request.user, acting_user=request.user)
        except ValidationError as exc:
            error = " ".join(exc.messages)
    return render(request, "accounts/recovery_codes.html", {
        "codes": codes, "error": error, "left": account_actions.recovery_codes_left(request.user),
        "issued": RecoveryCode.objects.filter(user=request.user).exists(),
    })


class LinkPasswordForm(forms.Form):
    password = forms.CharField(label=_("New password"),
                               widget=forms.PasswordInput(attrs={"autocomplete": "new-password", "autofocus": True}))
    password2 = forms.CharField(label=_("New password again"),
                                widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}))

    def clean(self):
        data = super().clean()
        if data.get("password") and data.get("password2") and data["password"] != data["password2"]:
            self.add_error("password2", _("The two passwords differ."))
        return data


@never_cache
def account_link(request, token):
    """Where an invitation or password-reset link leads: choose a password, then log in with it."""
    link = account_actions.find_link(token)
    if link is None:
        return render(request, "accounts/account_link.html", {"invalid": True}, status=410)
    form = LinkPasswordForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            account_actions.do_use_account_link(token, password=form.cleaned_data["password"])
        except ValidationError as exc:
            if hasattr(exc, "error_dict") and "token" in exc.error_dict:
                return render(request, "accounts/account_link.html", {"invalid": True}, status=410)
            form.add_error("password", exc)
        else:
            messages.success(request, _("Your password is set. Log in with it now."))
            return redirect("login")
    return render(request, "accounts/account_link.html", {"form": form, "link": link, "person": link.user})


@login_required
def totp_setup(request):
    """Show a new secret as a QR code and confirm it with one code before it protects the account."""
    confirmed = TOTPDevice.objects.filter(user=request.user, confirmed=True).first()
    if confirmed is not None:
        if request.method == "POST" and request.POST.get("action") == "remove" and request.user.is_verified():
            with transaction.atomic():
                confirmed.delete()
                RecoveryCode.objects.filter(user=request.user).delete()
                record(actor=request.user, action="user.totp_remove", obj=request.user)
            messages.success(request, _("The second factor was removed."))
            return redirect("totp-setup")
        return render(request, "accounts/totp_setup.html", {
            "confirmed": True, "codes_left": account_actions.recovery_codes_left(request.user)})
    device, _created = TOTPDevice.objects.get_or_create(
        user=request.user, confirmed=False, defaults={"name": "authenticator"}
    )
    form = TokenForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        accepted, error = _check_code([device], form.cleaned_data["token"])
        if accepted is not None:
            with transaction.atomic():
                device.confirmed = True
                device.save()
                record(actor=request.user, action="user.totp_enable", obj=request.user)
            otp_login(request, device)
            messages.success(request, _("The second factor is now required at every login. Issue recovery codes "
                                        "now, in case the phone is lost."))
            return redirect("recovery-codes")
        form.add_error("token", error)
    return render(request, "accounts/totp_setup.html", {
        "form": form, "confirmed": False, "qr_svg": _qr_svg(device.config_url),
        "secret": base64.b32encode(device.bin_key).decode(),
    })


def _qr_svg(data: str) -> str:
    import qrcode
    import qrcode.image.svg

    img = qrcode.make(data, image_factory=qrcode.image.svg.SvgPathImage)
    buf = io.BytesIO()
    img.save(buf)
    return buf.getvalue().decode()


EXPIRY_CHOICES = [("", _("Never (until revoked)")), ("30", _("30 days")), ("90", _("90 days")),
                  ("365", _("1 year"))]


class TokenNameForm(forms.Form):
    name = forms.CharField(label=_("Token name"), max_length=100,
                           help_text=_("What the token is for, e.g. the crawler that pushes items"))
    expires_in_days = forms.TypedChoiceField(label=_("Expires"), choices=EXPIRY_CHOICES, coerce=int,
                                             empty_value=None, required=False)


@login_required
def api_tokens(request):
    """A person issues and revokes their own API tokens; a new token is shown once, only its hash is kept."""
    from yuqing.accounts.models import ApiToken

    form = TokenNameForm(request.POST or None)
    new_token = None
    if request.method == "POST" and request.POST.get("revoke"):
        token = ApiToken.objects.filter(user=request.user, pk=request.POST["revoke"]).first()
        if token is not None:
            with transaction.atomic():
                record(actor=request.user, action="api_token.revoke", obj=token, before={"name": token.name,
                                                                                       "prefix": token.prefix})
                token.delete()
            messages.success(request, _("The token was revoked."))
        return redirect("api-tokens")
    if request.method == "POST" and form.is_valid():
        second_factor = request.user.is_verified()
        if not second_factor and _has_confirmed_device(request.user):
            # The middleware already sends such a session to the code page; this keeps the rule if it moves.
            return redirect(reverse("otp-verify") + "?next=" + request.path)
        days = form.cleaned_data.get("expires_in_days")
        expires_at = timezone.now() + timedelta(days=days) if days else None
        with transaction.atomic():
            token, new_token = ApiToken.issue(request.user, form.cleaned_data["name"], expires_at=expires_at,
                                              second_factor=second_factor)
            record(actor=request.user, action="api_token.create", obj=token,
                   after={"name": token.name, "prefix": token.prefix,
                          "expires_at": expires_at.isoformat() if expires_at else None})
        form = TokenNameForm()
    return render(request, "accounts/api_tokens.html", {
        "form": form, "new_token": new_token, "tokens": ApiToken.objects.filter(user=request.user).order_by("-pk"),
    })
