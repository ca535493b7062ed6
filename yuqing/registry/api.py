"""HTTP API of the registry: channels and chat groups (through the audited actions) and filings."""

from __future__ import annotations

from django.contrib.auth import get_user_model
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import serializers, viewsets
from rest_framework.exceptions import ValidationError

from yuqing.orgs import permissions
from yuqing.orgs.models import Organization
from yuqing.orgs.permissions import Perm
from yuqing.registry import actions
from yuqing.registry.activity import days_silent, is_dormant, last_publication, with_activity
from yuqing.registry.models import Channel, ChatGroup, Filing, Status


class _PersonField(serializers.SlugRelatedField):
    """People by user name, so integrations need not know database ids."""

    def __init__(self, **kwargs):
        super().__init__(slug_field="username", queryset=get_user_model().objects.all(), required=False,
                         allow_null=True, **kwargs)


class _RegistrySerializer(serializers.ModelSerializer):
    organization = serializers.SlugRelatedField(slug_field="slug", queryset=Organization.objects.all())
    unit = serializers.SlugRelatedField(slug_field="slug", queryset=Organization.objects.all(), required=False,
                                        allow_null=True)
    responsible = _PersonField()
    responsible_name = serializers.SerializerMethodField()
    status = serializers.ChoiceField(choices=Status.choices, required=False)
    reason = serializers.CharField(write_only=True, required=False, allow_blank=True,
                                   help_text="why it is needed (goes with the filing when applying)")

    def get_responsible_name(self, obj) -> str:
        return str(obj.responsible) if obj.responsible_id else ""


class ChannelSerializer(_RegistrySerializer):
    deputy = _PersonField()
    last_publication = serializers.SerializerMethodField()
    last_publication_origin = serializers.SerializerMethodField()
    days_silent = serializers.SerializerMethodField()
    dormant = serializers.SerializerMethodField()

    class Meta:
        model = Channel
        fields = ["id", "organization", "unit", "kind", "name", "account_id", "url", "responsible",
                  "responsible_name", "deputy", "purpose", "status", "filed_on", "next_review_on", "source",
                  "last_publication_at", "last_publication", "last_publication_origin", "days_silent", "dormant",
                  "reason", "created_at", "updated_at"]
        read_only_fields = ["created_at", "updated_at"]
        validators: list = []  # uniqueness is the action's to check, with a message naming the field

    def get_last_publication(self, obj) -> str | None:
        at, _origin = last_publication(obj)
        return at.isoformat() if at else None

    def get_last_publication_origin(self, obj) -> str:
        return last_publication(obj)[1]

    def get_days_silent(self, obj) -> int | None:
        return days_silent(obj)

    def get_dormant(self, obj) -> bool:
        return is_dormant(obj)


class ChatGroupSerializer(_RegistrySerializer):
    class Meta:
        model = ChatGroup
        fields = ["id", "organization", "unit", "kind", "name", "number", "owner_name", "responsible",
                  "responsible_name", "purpose", "temporary", "task_ends_on", "member_count", "last_activity_on",
                  "last_activity_origin", "status", "filed_on", "reason", "created_at", "updated_at"]
        read_only_fields = ["last_activity_origin", "created_at", "updated_at"]
        validators: list = []


_FILTERS = [
    OpenApiParameter("organization", str, description="organisation slug (its units included)"),
    OpenApiParameter("status", str, description="applied, approved, active, suspended, closing or closed"),
    OpenApiParameter("kind", str, description="kind of channel or group"),
]


class _RegistryViewSet(viewsets.ModelViewSet):
    """Create = apply (a filing is opened) unless an administrator gives a `status`: then it is registered as is.
    Updates are an administrator's direct corrections; status moves go through filings and the workflow."""

    http_method_names = ["get", "post", "patch", "head", "options"]
    model = Channel

    def get_queryset(self):
        qs = permissions.visible(self.request.user, self.model.objects.select_related(
            "organization", "unit", "responsible"))
        params = self.request.query_params
        if slug := params.get("organization"):
            org = Organization.objects.filter(slug=slug).first()
            qs = qs.filter(organization__path__startswith=org.path) if org else qs.none()
        if status := params.get("status"):
            qs = qs.filter(status__in=status.split(","))
        if kind := params.get("kind"):
            qs = qs.filter(kind__in=kind.split(","))
        return qs

    def perform_create(self, serializer):
        data = dict(serializer.validated_data)
        org = data.pop("organization")
        if not permissions.has_perm(self.request.user, Perm.VIEW, org):
            raise ValidationError({"organization": ["no such organisation"]})
        reason = data.pop("reason", "")
        status = data.pop("status", None)
        if status is not None:
            serializer.instance = actions.do_register(self.model, org, acting_user=self.request.user,
                                                      status=status, **data)
        else:
            serializer.instance = actions.do_apply(self.model, org, acting_user=self.request.user,
                                                   reason=reason, **data)

    def perform_update(self, serializer):
        data = dict(serializer.validated_data)
        data.pop("reason", None)
        org = data.pop("organization", None)
        if org is not None and org != serializer.instance.organization:
            raise ValidationError({"organization": ["cannot move to another organisation"]})
        if "status" in data and data.pop("status") != serializer.instance.status:
            raise ValidationError({"status": ["status changes go through a filing or a transition"]})
        actions.do_update(serializer.instance, acting_user=self.request.user, **data)


@extend_schema_view(list=extend_schema(parameters=_FILTERS))
class ChannelViewSet(_RegistryViewSet):
    serializer_class = ChannelSerializer
    model = Channel

    def get_queryset(self):
        return with_activity(super().get_queryset().select_related("deputy"))


@extend_schema_view(list=extend_schema(parameters=_FILTERS))
class ChatGroupViewSet(_RegistryViewSet):
    serializer_class = ChatGroupSerializer
    model = ChatGroup


class FilingSerializer(serializers.ModelSerializer):
    organization = serializers.SlugRelatedField(slug_field="slug", read_only=True)
    applicant = serializers.SlugRelatedField(slug_field="username", read_only=True)
    lead_by = serializers.SlugRelatedField(slug_field="username", read_only=True)
    bureau_by = serializers.SlugRelatedField(slug_field="username", read_only=True)

    class Meta:
        model = Filing
        fields = ["id", "organization", "channel", "group", "action", "proposed", "reason", "status",
                  "needs_bureau", "applicant", "lead_by", "lead_at", "lead_comment", "bureau_by", "bureau_at",
                  "bureau_comment", "created_at", "decided_at"]


@extend_schema_view(list=extend_schema(parameters=[
    OpenApiParameter("organization", str, description="organisation slug (its units included)"),
    OpenApiParameter("status", str, description="pending, bureau, approved, rejected or withdrawn"),
]))
class FilingViewSet(viewsets.ReadOnlyModelViewSet):
    serializer_class = FilingSerializer

    def get_queryset(self):
        qs = permissions.visible(self.request.user, Filing.objects.select_related(
            "organization", "applicant", "lead_by", "bureau_by"))
        params = self.request.query_params
        if slug := params.get("organization"):
            org = Organization.objects.filter(slug=slug).first()
            qs = qs.filter(organization__path__startswith=org.path) if org else qs.none()
        if status := params.get("status"):
            qs = qs.filter(status__in=status.split(","))
        return qs


def register(router) -> None:
    router.register("channels", ChannelViewSet, basename="channel")
    router.register("groups", ChatGroupViewSet, basename="chatgroup")
    router.register("filings", FilingViewSet, basename="filing")
