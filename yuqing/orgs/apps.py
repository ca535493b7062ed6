"""Organisation tree, memberships and the one place permissions are decided."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OrgsConfig(AppConfig):
    name = "yuqing.orgs"
    verbose_name = _("Organisations")

    def ready(self) -> None:
        from django.db.models.signals import post_delete, post_save

        from yuqing.orgs.models import Organization
        from yuqing.orgs.permissions import tree_changed

        post_save.connect(tree_changed, sender=Organization, dispatch_uid="orgs-tree-changed")
        post_delete.connect(tree_changed, sender=Organization, dispatch_uid="orgs-tree-changed-delete")
