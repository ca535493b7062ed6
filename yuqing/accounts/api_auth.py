"""API authentication: bearer tokens (Authorization: Bearer yq_…) and the second-factor rule for sessions."""

from __future__ import annotations

from django.utils import timezone
from rest_framework import authentication, exceptions
from rest_framework.permissions import BasePermission

from yuqing.accounts.models import ApiToken


class TokenAuthentication(authentication.BaseAuthentication):
    keyword = "Bearer"

    def authenticate(self, request):
        header = authentication.get_authorization_header(request).decode(errors="replace")
        if not header.startswith(self.keyword + " "):
            return None
        raw = header[len(self.keyword) + 1 :].strip()
        try:
            token = ApiToken.objects.select_related("user").get(token_hash=ApiToken.hash_token(raw))
        except ApiToken.DoesNotExist as exc:
            raise exceptions.AuthenticationFailed("invalid API token") from exc
        if not token.user.is_active:
            raise exceptions.AuthenticationFailed("user is inactive")
        if token.expired:
            raise exceptions.AuthenticationFailed("API token expired")
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=timezone.now())
        return (token.user, token)

    def authenticate_header(self, request):
        return self.keyword


class SecondFactorSatisfied(BasePermission):
    """A browser session of a person with a second factor counts only once the code was entered."""

    message = "enter your second-factor code first"

    def has_permission(self, request, view):
        user = request.user
        if not user.is_authenticated:
            return True
        from yuqing.accounts.middleware import _has_confirmed_device

        if isinstance(request.auth, ApiToken):
            # A token stands in for the second factor only if the second factor was passed to issue it.
            return request.auth.issued_with_second_factor or not _has_confirmed_device(user)
        return user.is_verified() or not _has_confirmed_device(user)


try:
    from drf_spectacular.extensions import OpenApiAuthenticationExtension
except ImportError:  # the schema generator is optional for authentication itself
    OpenApiAuthenticationExtension = None

if OpenApiAuthenticationExtension is not None:

    class TokenAuthenticationScheme(OpenApiAuthenticationExtension):
        """Describes the bearer token in the OpenAPI schema."""

        target_class = "yuqing.accounts.api_auth.TokenAuthentication"
        name = "bearerToken"

        def get_security_definition(self, auto_schema):
            return {"type": "http", "scheme": "bearer", "description": "API token issued to a person (yq_…)"}
