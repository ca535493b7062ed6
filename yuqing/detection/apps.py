"""Detection: schemes, mentions, events, levels and sensitive periods."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DetectionConfig(AppConfig):
    name = "yuqing.detection"
    label = "detection"
    verbose_name = _("Detection")

    def ready(self) -> None:
        # Connect the receiver of `items_stored` (collection → detection).
        from yuqing.detection import receivers  # noqa: F401
        from yuqing.detection.pipeline import poll_factor
        from yuqing.monitoring.polling import register_interval_factor

        # During a sensitive period sources of the organisation are polled more often.
        register_interval_factor(poll_factor)
