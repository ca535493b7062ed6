"""Incident handling (处置): cases with deadlines and escalation, statements, evidence, evaluations, bulletins."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class IncidentsConfig(AppConfig):
    name = "yuqing.incidents"
    verbose_name = _("Incidents")

    def ready(self) -> None:
        from yuqing.incidents import receivers  # noqa: F401  (subscribes to detection, deadlines, publishing)
