"""The history of guarded state transitions (the engine itself is `yuqing.workflow`)."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class WorkflowConfig(AppConfig):
    name = "yuqing.workflow"
    label = "workflow"
    verbose_name = _("Workflows")
