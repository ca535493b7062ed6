"""Drafts, versions, review chains (三审三校), decisions and publish records."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PublishingConfig(AppConfig):
    name = "yuqing.publishing"
    verbose_name = _("Publishing")

    def ready(self) -> None:
        from yuqing.monitoring.signals import items_stored
        from yuqing.publishing import publication_urls

        items_stored.connect(publication_urls.on_items_stored, dispatch_uid="publishing.publication_urls")
