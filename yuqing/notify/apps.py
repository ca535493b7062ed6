"""Notification channels and deliveries of alerts."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class NotifyConfig(AppConfig):
    name = "yuqing.notify"
    verbose_name = _("Notifications")

    def ready(self) -> None:
        from yuqing.monitoring.signals import source_failing
        from yuqing.notify.alerts import on_source_failing

        source_failing.connect(on_source_failing, dispatch_uid="notify.source_failing")
