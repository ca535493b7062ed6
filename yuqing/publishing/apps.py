"""Drafts, versions, review chains (三审三校), decisions and publish records."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PublishingConfig(AppConfig):
    name = "yuqing.publishing"
    verbose_name = _("Publishing")

    def ready(self) -> None:
        from yuqing.monitoring.signals import items_stored
        from yuqing.publishing import (
            publication_urls,
            receivers,
            signals,
            tasks,  # noqa: F401  (registers the inbox task provider)
        )

        items_stored.connect(publication_urls.on_items_stored, dispatch_uid="publishing.publication_urls")
        signals.draft_submitted.connect(receivers.on_submitted, dispatch_uid="publishing.notice_submitted")
        signals.draft_decided.connect(receivers.on_decided, dispatch_uid="publishing.notice_decided")
        signals.draft_approved.connect(receivers.on_approved, dispatch_uid="publishing.notice_approved")
