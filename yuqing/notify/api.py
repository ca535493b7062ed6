"""HTTP API: notifiers (secrets write-only), alerts and deliveries (read-only)."""

from __future__ import annotations

from django.core.exceptions import ValidationError as DjangoValidationError
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, serializers, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response

from yuqing.notify import actions
from yuqing.notify.models import Alert, Delivery, Notice, Notifier
from yuqing.notify.notices import do_mark_notices_read, unread_count
from yuqing.orgs import permissions
from yuqing.orgs.models import Organization


class NotifierSerializer(serializers.ModelSerializer):
    organization = serializers.SlugRelatedField(slug_field="slug", queryset=Organization.objects.all())
    secrets = serializers.DictField(
        child=serializers.JSONField(), write_only=True, required=False,
        help_text="The kind's secret settings (robot key, signing secret, SMTP password, a webhook's address and "
                  "extra headers); never returned. On update, omitted or blank secrets keep the stored ones. "
                  "Secret settings sent in `config` are treated the same way.",
    )
    has_secrets = serializers.SerializerMethodField()

    class Meta:
        model = Notifier
        fields = ["id", "organization", "name", "kind", "config", "secrets", "has_secrets", "min_level",
                  "quiet_hours", "enabled", "created_at", "last_success_at", "last_failure_at", "last_error"]
        read_only_fields = ["created_at", "last_success_at", "last_failure_at", "last_error"]

    def get_has_secrets(self, obj: Notifier) -> list[str]:
        return sorted(obj.secrets())

    def validate_organization(self, org):
        if not permissions.visible_organizations(self.context["request"].user).filter(pk=org.pk).exists():
            raise ValidationError("no such organisation")
        return org


def _as_drf(exc: DjangoValidationError) -> ValidationError:
    return ValidationError(exc.message_dict if hasattr(exc, "error_dict") else exc.messages)


class NotifierViewSet(viewsets.ModelViewSet):
    serializer_class = NotifierSerializer

    def get_queryset(self):
        return permissions.visible(self.request.user, Notifier.objects.select_related("organization"))

    def perform_create(self, serializer):
        data = dict(serializer.validated_data)
        try:
            serializer.instance = actions.do_create_notifier(
                organization=data["organization"], kind=data["kind"], name=data["name"],
                settings={**data.get("config", {}), **data.get("secrets", {})},
                min_level=data.get("min_level", 1), quiet_hours=data.get("quiet_hours", ""),
                enabled=data.get("enabled", True), acting_user=self.request.user,
            )
        except DjangoValidationError as exc:
            raise _as_drf(exc) from None

    def perform_update(self, serializer):
        notifier = serializer.instance
        data = dict(serializer.validated_data)
        if "kind" in data and data["kind"] != notifier.kind:
            raise ValidationError({"kind": "the kind of a notifier cannot change; add a new one"})
        if "organization" in data and data["organization"] != notifier.organization:
            raise ValidationError({"organization": "a notifier cannot move to another organisation"})
        settings = None
        if "config" in data or "secrets" in data:
            settings = {**data.get("config", notifier.config), **data.get("secrets", {})}
        changes = {k: data[k] for k in ("name", "min_level", "quiet_hours", "enabled") if k in data}
        try:
            serializer.instance = actions.do_update_notifier(notifier, acting_user=self.request.user,
                                                             settings=settings, **changes)
        except DjangoValidationError as exc:
            raise _as_drf(exc) from None

    def perform_destroy(self, instance):
        actions.do_delete_notifier(instance, acting_user=self.request.user)


class AlertSerializer(serializers.ModelSerializer):
    organization = serializers.SlugRelatedField(slug_field="slug", read_only=True)
    level_label = serializers.CharField(source="get_level_display", read_only=True)

    class Meta:
        model = Alert
        fields = ["id", "organization", "kind", "event", "source", "level", "level_label", "title", "reasons",
                  "created_at"]


class AlertViewSet(viewsets.ReadOnlyModelViewSet):
    serializer_class = AlertSerializer

    def get_queryset(self):
        queryset = permissions.visible(self.request.user, Alert.objects.select_related("organization"))
        level = self.request.query_params.get("level")
        return queryset.filter(level=level) if level and level.isdigit() else queryset


class DeliverySerializer(serializers.ModelSerializer):
    class Meta:
        model = Delivery
        fields = ["id", "alert", "notifier", "recipient", "reason", "status", "attempts", "next_attempt_at",
                  "last_attempt_at", "sent_at", "status_code", "provider_response", "truncated", "error"]


class DeliveryViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    serializer_class = DeliverySerializer

    def get_queryset(self):
        queryset = permissions.visible(self.request.user, Delivery.objects.all(), "alert__organization")
        params = self.request.query_params
        if params.get("status"):
            queryset = queryset.filter(status=params["status"])
        if params.get("notifier", "").isdigit():
            queryset = queryset.filter(notifier_id=params["notifier"])
        return queryset


class NoticeSerializer(serializers.ModelSerializer):
    organization = serializers.SlugRelatedField(slug_field="slug", read_only=True)
    read = serializers.SerializerMethodField()

    class Meta:
        model = Notice
        fields = ["id", "organization", "kind", "title", "body", "urgency", "link", "created_at", "read_at", "read"]

    def get_read(self, obj: Notice) -> bool:
        return obj.read_at is not None


class NoticeReadSerializer(serializers.Serializer):
    marked = serializers.IntegerField(help_text="how many notices changed from unread to read")
    unread = serializers.IntegerField(help_text="the person's unread notices left")


class NoticeViewSet(viewsets.ReadOnlyModelViewSet):
    """The current person's notices only (?unread=1 for the unread ones); POST …/read/ or read-all/ to mark."""

    serializer_class = NoticeSerializer

    def get_queryset(self):
        queryset = Notice.objects.filter(recipient=self.request.user).select_related("organization")
        if self.request.query_params.get("unread") in {"1", "true", "yes"}:
            queryset = queryset.filter(read_at__isnull=True)
        return queryset.order_by("-created_at", "-pk")

    def _marked(self, marked: int) -> Response:
        return Response({"marked": marked, "unread": unread_count(self.request.user)})

    @extend_schema(request=None, responses=NoticeReadSerializer)
    @action(detail=True, methods=["post"])
    def read(self, request, pk=None):
        notice = self.get_object()  # 404 for anyone else's notice
        return self._marked(do_mark_notices_read(acting_user=request.user, notice_ids=[notice.pk]))

    @extend_schema(request=None, responses=NoticeReadSerializer)
    @action(detail=False, methods=["post"], url_path="read-all")
    def read_all(self, request):
        return self._marked(do_mark_notices_read(acting_user=request.user))


def register(router) -> None:
    """Routes of notify: /api/notifiers/, /api/alerts/, /api/deliveries/, /api/notices/."""
    router.register("notifiers", NotifierViewSet, basename="notifier")
    router.register("alerts", AlertViewSet, basename="alert")
    router.register("deliveries", DeliveryViewSet, basename="delivery")
    router.register("notices", NoticeViewSet, basename="notice")
