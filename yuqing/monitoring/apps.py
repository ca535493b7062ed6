"""Monitoring of public opinion: sources, items, schemes, mentions, events."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MonitoringConfig(AppConfig):
    name = "yuqing.monitoring"
    verbose_name = _("Monitoring")
