"""HTTP API: sources (CRUD through the audited actions, secret write-only), items (read) and the push endpoint."""

from __future__ import annotations

from django.core.exceptions import ValidationError as DjangoValidationError
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from drf_spectacular.utils import OpenApiParameter, extend_schema, inline_serializer
from rest_framework import serializers, viewsets
from rest_framework.exceptions import ValidationError
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

from yuqing.keyset import keyset_pagination
from yuqing.monitoring import actions
from yuqing.monitoring.health import health_text
from yuqing.monitoring.models import Item, Source
from yuqing.monitoring.push import MAX_BODY_BYTES, handle_push
from yuqing.orgs import permissions
from yuqing.orgs.models import Organization
from yuqing.orgs.permissions import Perm


class SourceSerializer(serializers.ModelSerializer):
    organization = serializers.SlugRelatedField(slug_field="slug", queryset=Organization.objects.all())
    secret = serializers.CharField(write_only=True, required=False, allow_blank=True, style={"input_type": "password"})
    health = serializers.SerializerMethodField()
    push_path = serializers.SerializerMethodField()

    class Meta:
        model = Source
        fields = ["id", "organization", "name", "kind", "url", "options", "secret", "interval_seconds", "enabled",
                  "allow_private", "respect_robots", "health", "last_attempt_at", "last_success_at", "last_error",
                  "consecutive_failures", "flagged", "push_path", "created_at"]
        read_only_fields = ["last_attempt_at", "last_success_at", "last_error", "consecutive_failures", "flagged",
                            "created_at"]

    def get_health(self, obj) -> str:
        return health_text(obj)

    def get_push_path(self, obj) -> str:
        # The push address is a credential of its own (with the signature it lets one write items): only those
        # who manage the source see it.
        request = self.context.get("request")
        if obj.kind != Source.Kind.WEBHOOK or request is None or not permissions.has_perm(
                request.user, Perm.MANAGE_SOURCES, obj.organization):
            return ""
        return f"/api/push/{obj.push_token}"


def _drf_error(exc: DjangoValidationError) -> ValidationError:
    return ValidationError(exc.message_dict if hasattr(exc, "error_dict") else {"non_field_errors": exc.messages})


class SourceViewSet(viewsets.ModelViewSet):
    serializer_class = SourceSerializer

    def get_queryset(self):
        return permissions.visible(self.request.user, Source.objects.select_related("organization"))

    def perform_create(self, serializer):
        data = dict(serializer.validated_data)
        org = data.pop("organization")
        if not permissions.has_perm(self.request.user, Perm.VIEW, org):
            raise ValidationError({"organization": ["no such organisation"]})
        try:
            serializer.instance = actions.do_create_source(organization=org, acting_user=self.request.user, **data)
        except DjangoValidationError as exc:
            raise _drf_error(exc) from exc

    def perform_update(self, serializer):
        data = dict(serializer.validated_data)
        org = data.pop("organization", None)
        if org is not None and org != serializer.instance.organization:
            raise ValidationError({"organization": ["a source cannot move to another organisation"]})
        data.pop("kind", None)
        try:
            actions.do_update_source(serializer.instance, acting_user=self.request.user, **data)
        except DjangoValidationError as exc:
            raise _drf_error(exc) from exc

    def perform_destroy(self, instance):
        actions.do_delete_source(instance, acting_user=self.request.user)


class ItemSerializer(serializers.ModelSerializer):
    organization = serializers.SlugRelatedField(slug_field="slug", read_only=True)

    class Meta:
        model = Item
        fields = ["id", "organization", "source", "url", "title", "text", "html", "author", "platform",
                  "published_at", "first_seen_at", "last_seen_at", "original", "relation", "views", "comments",
                  "reposts", "likes", "metrics_updated_at", "mainstream", "extra"]


@extend_schema(parameters=[
    OpenApiParameter("organization", str, description="organisation slug (its units included)"),
    OpenApiParameter("since", str, description="first seen at or after this ISO date or time"),
    OpenApiParameter("source", int, description="source id"),
])
class ItemViewSet(viewsets.ReadOnlyModelViewSet):
    serializer_class = ItemSerializer
    pagination_class = keyset_pagination(("-first_seen_at", "-id"))

    def get_queryset(self):
        qs = permissions.visible(self.request.user, Item.objects.select_related("organization"))
        params = self.request.query_params
        if slug := params.get("organization"):
            org = Organization.objects.filter(slug=slug).first()
            qs = qs.filter(organization_id__in=permissions.org_subtree_ids(org)) if org else qs.none()
        if since := params.get("since"):
            try:
                moment = parse_datetime(since)
            except ValueError:
                moment = None
            if moment is None:
                raise ValidationError({"since": ["not an ISO date or time"]})
            if timezone.is_naive(moment):
                moment = timezone.make_aware(moment)
            qs = qs.filter(first_seen_at__gte=moment)
        if (source := params.get("source", "")).isdigit():
            qs = qs.filter(source_id=int(source))
        return qs.order_by("-first_seen_at", "-id")


class PushView(APIView):
    """Signed push of items by a crawler or data provider (see docs/connectors.md for the signature)."""

    authentication_classes: list = []
    permission_classes = [AllowAny]

    @extend_schema(
        request=inline_serializer("PushBody", {"items": serializers.ListField(child=serializers.DictField())}),
        responses={200: inline_serializer("PushAnswer", {
            "accepted": serializers.IntegerField(), "new": serializers.IntegerField(),
            "updated": serializers.IntegerField(), "unchanged": serializers.IntegerField(),
            "errors": serializers.ListField(child=serializers.DictField())})},
        parameters=[OpenApiParameter("X-Yuqing-Timestamp", str, OpenApiParameter.HEADER, required=True),
                    OpenApiParameter("X-Yuqing-Signature", str, OpenApiParameter.HEADER, required=True)],
    )
    def post(self, request, token: str):
        raw = request._request  # the signature covers the exact bytes, so read them before any parsing
        # Read the stream ourselves, one byte past the documented limit: request.body would stop at Django's
        # DATA_UPLOAD_MAX_MEMORY_SIZE (2.5 MB), and a declared length above the limit is refused unread.
        declared = raw.META.get("CONTENT_LENGTH") or ""
        if declared.isdigit() and int(declared) > MAX_BODY_BYTES:
            body = b""
            too_large = True
        else:
            body = raw.read(MAX_BODY_BYTES + 1)
            too_large = len(body) > MAX_BODY_BYTES
        status, answer = handle_push(token, raw.headers, body, raw.META.get("REMOTE_ADDR", ""), too_large=too_large)
        return Response(answer, status=status)


def register(router) -> None:
    """Routes of monitoring: /api/sources/, /api/items/."""
    router.register("sources", SourceViewSet, basename="source")
    router.register("items", ItemViewSet, basename="item")
