"""Sends a person who has a second factor to the code page until they have entered it."""

from __future__ import annotations

from django.shortcuts import redirect
from django.urls import reverse

# Only the pages needed to finish (or abandon) the login are open before the code: everything else under
# /accounts/ (API tokens, authenticator setup) would otherwise let a stolen password bypass the second factor.
# The API is judged by SecondFactorSatisfied, which knows about tokens.
_OPEN_PREFIXES = ("/accounts/login/", "/accounts/logout/", "/accounts/otp/", "/accounts/link/", "/static/",
                  "/healthz", "/i18n/", "/api/")


class RequireSecondFactorMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if (
            user is not None
            and user.is_authenticated
            and not request.path.startswith(_OPEN_PREFIXES)
            and not user.is_verified()
            and _has_confirmed_device(user)
        ):
            return redirect(reverse("otp-verify") + "?next=" + request.get_full_path())
        return self.get_response(request)


def _has_confirmed_device(user) -> bool:
    from django_otp import devices_for_user

    return any(True for _ in devices_for_user(user, confirmed=True))
