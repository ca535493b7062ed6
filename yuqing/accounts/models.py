"""People who log in, and the API tokens they issue for integrations."""

from __future__ import annotations

import hashlib
import secrets

from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils.translation import gettext_lazy as _


class User(AbstractUser):
    """A person. What they may do is decided by their memberships, not by fields here."""

    full_name = models.CharField(_("full name"), max_length=100, blank=True)
    phone = models.CharField(_("phone"), max_length=32, blank=True)

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")

    def __str__(self) -> str:
        return self.full_name or self.username

    @property
    def display_name(self) -> str:
        return self.full_name or self.username


class ApiToken(models.Model):
    """A bearer token for the HTTP API; only its hash is stored."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="api_tokens")
    name = models.CharField(_("name"), max_length=100)
    prefix = models.CharField(max_length=8, db_index=True)
    token_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)
    last_used_at = models.DateTimeField(null=True, blank=True)
    # Blank: the token lasts until revoked. An expired token is refused (401) and can only be revoked.
    expires_at = models.DateTimeField(_("expires"), null=True, blank=True)
    # Whether the session that issued it had passed the second factor: a token issued on the password alone is
    # refused for a person who has a second factor, so a stolen password cannot mint API access.
    issued_with_second_factor = models.BooleanField(default=False)

    @staticmethod
    def hash_token(raw: str) -> str:
        return hashlib.sha256(raw.encode()).hexdigest()

    @classmethod
    def issue(cls, user: User, name: str, *, expires_at=None, second_factor: bool = False) -> tuple[ApiToken, str]:
        raw = "yq_" + secrets.token_urlsafe(32)
        token = cls.objects.create(user=user, name=name, prefix=raw[:8], token_hash=cls.hash_token(raw),
                                   expires_at=expires_at, issued_with_second_factor=second_factor)
        return token, raw

    @property
    def expired(self) -> bool:
        from django.utils import timezone

        return self.expires_at is not None and self.expires_at <= timezone.now()


def _keyed_hash(purpose: str, raw: str) -> str:
    """HMAC of a one-time secret with the installation's key: the database alone cannot be used to test guesses."""
    import hmac

    from django.conf import settings

    return hmac.new(f"{settings.SECRET_KEY}:{purpose}".encode(), raw.encode(), hashlib.sha256).hexdigest()


class RecoveryCode(models.Model):
    """One of a person's TOTP recovery codes: shown once when issued, kept as a keyed hash, usable once."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="recovery_codes")
    code_hash = models.CharField(max_length=64)
    created_at = models.DateTimeField(auto_now_add=True)
    used_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "code_hash"], name="recovery_code_unique")]
        verbose_name = _("recovery code")
        verbose_name_plural = _("recovery codes")

    @staticmethod
    def normalise(raw: str) -> str:
        """Codes are read off paper: case, spaces and dashes do not matter."""
        return "".join(ch for ch in raw.lower() if ch.isalnum())

    @classmethod
    def hash_code(cls, user_id: int, raw: str) -> str:
        return _keyed_hash(f"recovery:{user_id}", cls.normalise(raw))


class AccountLink(models.Model):
    """A one-time, expiring link with which a person sets their password: an invitation or a password reset.

    Only the token's hash is stored; the link itself is shown once to the administrator or e-mailed.
    """

    class Kind(models.TextChoices):
        INVITE = "invite", _("invitation")
        RESET = "reset", _("password reset")

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="account_links")
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices)
    token_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    expires_at = models.DateTimeField(_("expires"))
    used_at = models.DateTimeField(null=True, blank=True)
    emailed_to = models.EmailField(blank=True, default="")

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("account link")
        verbose_name_plural = _("account links")

    @staticmethod
    def hash_token(raw: str) -> str:
        return _keyed_hash("account-link", raw)

    @property
    def usable(self) -> bool:
        from django.utils import timezone

        return self.used_at is None and self.expires_at > timezone.now()
