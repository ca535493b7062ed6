"""The registry (台账): channels, chat groups and their filings."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RegistryConfig(AppConfig):
    name = "yuqing.registry"
    verbose_name = _("Registry")

    def ready(self) -> None:
        # "my tasks" providers register themselves on import
        from yuqing.registry import tasks  # noqa: F401
