"""System status, health check and the scheduler of background jobs."""

import logging

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


def quiet_jieba() -> None:
    """jieba prints its DEBUG lines to stderr through a handler of its own, set up when it is imported; remove
    it so its lines go to Yuqing's log at the configured level and a command's output stays its result."""
    import jieba

    jieba.default_logger.handlers.clear()
    jieba.default_logger.setLevel(logging.NOTSET)


class SystemConfig(AppConfig):
    name = "yuqing.system"
    verbose_name = _("System")

    def ready(self):
        quiet_jieba()
