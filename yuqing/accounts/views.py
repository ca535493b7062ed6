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
from django.db import transaction
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext_lazy as _
from django_otp import login as otp_login
from django_otp.plugins.otp_totp.models import TOTPDevice

from yuqing.accounts.middleware import _has_confirmed_device
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


@login_required
def otp_verify(request):
    """Second step of login for people with a confirmed authenticator."""
    devices = list(TOTPDevice.objects.devices_for_user(request.user, confirmed=True))
    if not devices or request.user.is_verified():
        return redirect(_safe_next(request))
    form = TokenForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        for device in devices:
            if device.verify_token(form.cleaned_data["token"]):
                otp_login(request, device)
                return redirect(_safe_next(request))
        form.add_error("token", _("The code is wrong or has expired."))
    return render(request, "accounts/otp_verify.html", {"form": form, "next": _safe_next(request)})


@login_required
def totp_setup(request):
    """Show a new secret as a QR code and confirm it with one code before it protects the account."""
    confirmed = TOTPDevice.objects.filter(user=request.user, confirmed=True).first()
    if confirmed is not None:
        if request.method == "POST" and request.POST.get("action") == "remove" and request.user.is_verified():
            with transaction.atomic():
                confirmed.delete()
                record(actor=request.user, action="user.totp_remove", obj=request.user)
            messages.success(request, _("The second factor was removed."))
            return redirect("totp-setup")
        return render(request, "accounts/totp_setup.html", {"confirmed": True})
    device, _created = TOTPDevice.objects.get_or_create(
        user=request.user, confirmed=False, defaults={"name": "authenticator"}
    )
    form = TokenForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        if device.verify_token(form.cleaned_data["token"]):
            with transaction.atomic():
                device.confirmed = True
                device.save()
                record(actor=request.user, action="user.totp_enable", obj=request.user)
            otp_login(request, device)
            messages.success(request, _("The second factor is now required at every login."))
            return redirect("totp-setup")
        form.add_error("token", _("The code is wrong or has expired."))
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
