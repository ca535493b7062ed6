"""People: users, login, second factor, API tokens."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    name = "yuqing.accounts"
    verbose_name = _("People")
