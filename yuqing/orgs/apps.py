"""Organisation tree, memberships and the one place permissions are decided."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OrgsConfig(AppConfig):
    name = "yuqing.orgs"
    verbose_name = _("Organisations")
