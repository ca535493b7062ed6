"""System status, health check, the scheduler of background jobs and the working-day calendar."""

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

    def ready(self) -> None:
        from django.db.models.signals import post_delete, post_save

        from yuqing import worktime

        quiet_jieba()
        # any write of an override (actions, admin shell, fixtures) drops this process's cached calendar
        for signal in (post_save, post_delete):
            signal.connect(lambda **_kw: worktime.forget_overrides(), sender="system.CalendarDay", weak=False,
                           dispatch_uid=f"worktime-forget-{signal is post_save}")
