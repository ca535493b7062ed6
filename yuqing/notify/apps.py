"""Notification channels and deliveries of alerts."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class NotifyConfig(AppConfig):
    name = "yuqing.notify"
    verbose_name = _("Notifications")

    def ready(self) -> None:
        from yuqing.notify import receivers  # noqa: F401 (connects notify to detection's and monitoring's signals)
