"""Encrypted storage of secrets of external services (robot keys, API tokens, SMTP passwords).

Values are encrypted with Fernet (AES-128-CBC + HMAC-SHA256). The key comes from YUQING_ENCRYPTION_KEY when
set, otherwise it is derived from SECRET_KEY, so a database dump alone does not reveal the secrets.
A secret is never rendered back to the browser: `SecretInput` always renders empty.
"""

from __future__ import annotations

import base64
import hashlib
from functools import lru_cache

from cryptography.fernet import Fernet, InvalidToken
from django import forms
from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

_PREFIX = "fernet:"


@lru_cache(maxsize=4)
def _fernet(key_material: str) -> Fernet:
    digest = hashlib.sha256(("yuqing-secrets:" + key_material).encode()).digest()
    return Fernet(base64.urlsafe_b64encode(digest))


def _current() -> Fernet:
    return _fernet(settings.YUQING_ENCRYPTION_KEY or settings.SECRET_KEY)


def encrypt(plain: str) -> str:
    return _PREFIX + _current().encrypt(plain.encode()).decode()


def decrypt(stored: str) -> str:
    if not stored.startswith(_PREFIX):
        raise ValueError("value is not an encrypted secret")
    try:
        return _current().decrypt(stored[len(_PREFIX) :].encode()).decode()
    except InvalidToken as exc:
        raise ValueError("secret cannot be decrypted with the current key") from exc


class EncryptedTextField(models.TextField):
    """A text column whose value is stored encrypted and decrypted on load."""

    def from_db_value(self, value, expression, connection):
        if value in (None, ""):
            return value
        return decrypt(value)

    def get_prep_value(self, value):
        value = super().get_prep_value(value)
        if value in (None, ""):
            return value
        return encrypt(value)

    def formfield(self, **kwargs):
        kwargs.setdefault("widget", SecretInput)
        kwargs.setdefault("form_class", forms.CharField)
        return super().formfield(**kwargs)


def saved_placeholder(saved: bool) -> str:
    return str(_("saved — enter a new value to replace it") if saved else _("not set yet"))


class SecretTextarea(forms.Textarea):
    """A multi-line secret (extra headers): never shows the stored value; a blank submission keeps it."""

    def __init__(self, attrs=None, saved: bool = False):
        super().__init__(attrs={"rows": 3, "autocomplete": "off", "spellcheck": "false", **(attrs or {})})
        self.has_saved_value = saved

    def format_value(self, value):
        return None

    def get_context(self, name, value, attrs):
        context = super().get_context(name, None, attrs)
        context["widget"]["attrs"].setdefault("placeholder", saved_placeholder(self.has_saved_value))
        return context


class SecretInput(forms.PasswordInput):
    """Never shows the stored value; a blank submission keeps what was saved."""

    def __init__(self, attrs=None, saved: bool = False):
        attrs = {"autocomplete": "new-password", **(attrs or {})}
        super().__init__(attrs=attrs, render_value=False)
        self.has_saved_value = saved

    def get_context(self, name, value, attrs):
        # The placeholder tells the truth: "saved" only when a value is stored (the form sets has_saved_value).
        context = super().get_context(name, value, attrs)
        if "placeholder" not in self.attrs:
            context["widget"]["attrs"]["placeholder"] = str(
                _("saved — enter a new value to replace it") if self.has_saved_value else _("not set yet"))
        return context
