"""Indexed search over collected items: character-bigram documents, PostgreSQL tsvector or SQLite FTS5."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SearchConfig(AppConfig):
    name = "yuqing.search"
    verbose_name = _("Search")

    def ready(self) -> None:
        from yuqing.search import receivers  # noqa: F401  (connects to monitoring's items_stored)
