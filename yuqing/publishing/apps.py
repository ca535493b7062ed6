"""Drafts, versions, review chains (三审三校), decisions and publish records."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PublishingConfig(AppConfig):
    name = "yuqing.publishing"
    verbose_name = _("Publishing")
