"""Reports (报告): daily and zero reports with the bureau's compliance view, and their documents."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReportsConfig(AppConfig):
    name = "yuqing.reports"
    verbose_name = _("Reports")

    def ready(self) -> None:
        from yuqing.reports import dashboard, receivers  # noqa: F401  (dashboard panels; the daily report's reminder)
