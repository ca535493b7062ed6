"""Deadlines (时限) of any object, and the job that finds the overdue ones."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DeadlinesConfig(AppConfig):
    name = "yuqing.deadlines"
    label = "deadlines"
    verbose_name = _("Deadlines")

    def ready(self) -> None:
        # The built-in "my tasks" provider: open deadlines assigned to the person.
        from yuqing.deadlines import tasks  # noqa: F401
