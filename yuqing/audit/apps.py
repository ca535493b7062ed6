"""Append-only, hash-chained audit log of every write."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AuditConfig(AppConfig):
    name = "yuqing.audit"
    verbose_name = _("Audit log")
