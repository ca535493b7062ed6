"""HTTP API root: organisations and the audit log; other apps add their routes to the same router."""

from __future__ import annotations

from rest_framework import serializers, viewsets

from yuqing.audit.models import AuditRecord
from yuqing.orgs import permissions
from yuqing.orgs.models import Organization
from yuqing.orgs.permissions import Perm


class OrganizationSerializer(serializers.ModelSerializer):
    parent = serializers.SlugRelatedField(slug_field="slug", read_only=True)

    class Meta:
        model = Organization
        fields = ["id", "name", "slug", "kind", "unit_type", "parent"]


class OrganizationViewSet(viewsets.ReadOnlyModelViewSet):
    serializer_class = OrganizationSerializer
    lookup_field = "slug"

    def get_queryset(self):
        return permissions.visible_organizations(self.request.user).select_related("parent")


class AuditRecordSerializer(serializers.ModelSerializer):
    class Meta:
        model = AuditRecord
        fields = ["id", "created_at", "actor_name", "organization_path", "action", "object_type", "object_id",
                  "object_repr", "before", "after", "prev_hash", "hash"]


class AuditRecordViewSet(viewsets.ReadOnlyModelViewSet):
    serializer_class = AuditRecordSerializer

    def get_queryset(self):
        return permissions.visible(self.request.user, AuditRecord.objects.all(), perm=Perm.VIEW_AUDIT,
                                   path_field="organization_path")


def register(router) -> None:
    """Routes of the organisation tree and the audit log."""
    router.register("organizations", OrganizationViewSet, basename="organization")
    router.register("audit", AuditRecordViewSet, basename="auditrecord")
