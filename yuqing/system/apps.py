"""System status, health check and the scheduler of background jobs."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SystemConfig(AppConfig):
    name = "yuqing.system"
    verbose_name = _("System")
