"""Retention per organisation, the periodic removal job, and the protectors that keep evidence."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RetentionConfig(AppConfig):
    name = "yuqing.retention"
    verbose_name = _("Retention")

    def ready(self) -> None:
        from yuqing.labels import add_labels
        from yuqing.retention import protectors

        protectors.register_builtin()
        add_labels("job", {"retention.run": _("Remove items past their retention period")})
        add_labels("audit_object", {"retention": _("retention")})
        add_labels("audit_verb", {"remove": _("remove"), "set": _("set")})
