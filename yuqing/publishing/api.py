"""HTTP API of publishing: drafts (every update a new version), submit, decide; publish records."""

from __future__ import annotations

from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response

from yuqing.orgs import permissions
from yuqing.orgs.models import Organization
from yuqing.publishing import actions
from yuqing.publishing.models import Decision, Draft, DraftVersion, PublishRecord


class VersionSerializer(serializers.ModelSerializer):
    saved_by = serializers.SlugRelatedField(slug_field="username", read_only=True)

    class Meta:
        model = DraftVersion
        fields = ["number", "title", "body", "body_text", "category", "is_repost", "source", "attachments",
                  "saved_by", "saved_at"]


class DecisionSerializer(serializers.ModelSerializer):
    actor = serializers.SlugRelatedField(slug_field="username", read_only=True)

    class Meta:
        model = Decision
        fields = ["id", "stage", "stage_name", "round", "version", "decision", "comment", "passage", "to_stage",
                  "override_reason", "actor", "created_at"]


class DraftSerializer(serializers.ModelSerializer):
    organization = serializers.SlugRelatedField(slug_field="slug", queryset=Organization.objects.all(),
                                                required=False, help_text="organisation slug; default: your own")
    channels = serializers.ListField(child=serializers.IntegerField(), required=False, write_only=True,
                                     help_text="ids of active channels from /api/channels/ (returned as ids too)")
    author = serializers.SlugRelatedField(slug_field="username", read_only=True)
    stage = serializers.SerializerMethodField()
    publication = serializers.SerializerMethodField()

    class Meta:
        model = Draft
        fields = ["id", "organization", "title", "body", "body_text", "category", "channels", "is_repost", "source",
                  "purpose", "author", "status", "current_stage", "stage", "stages", "stage_due_at", "round",
                  "version", "findings", "created_at", "updated_at", "submitted_at", "publication"]
        read_only_fields = ["body_text", "purpose", "status", "current_stage", "stages", "stage_due_at", "round",
                            "version", "findings", "created_at", "updated_at", "submitted_at"]
        extra_kwargs = {"body": {"required": False}, "category": {"required": False},
                        "title": {"allow_blank": True}}  # the action names every wrong field at once

    def get_stage(self, obj: Draft) -> str:
        return obj.stage_name

    def get_publication(self, obj: Draft) -> int | None:
        record = getattr(obj, "publish_record", None)
        return record.pk if record else None

    def to_representation(self, obj):
        data = super().to_representation(obj)
        data["channels"] = [c.pk for c in obj.channels.all()]
        return data


class DecideSerializer(serializers.Serializer):
    decision = serializers.ChoiceField(choices=Decision.Kind.values)
    comment = serializers.CharField(required=False, allow_blank=True, default="")
    to_stage = serializers.IntegerField(required=False, allow_null=True, default=None,
                                        help_text="with decision=return: the earlier stage (1-based)")
    passage = serializers.CharField(required=False, allow_blank=True, default="",
                                    help_text="the quoted passage the comment points at")
    override_reason = serializers.CharField(required=False, allow_blank=True, default="",
                                            help_text="final stage only: why findings of severity block may pass")


def _own_organization(user):
    """Where a person writes when they do not say: the one organisation they hold a writing role in."""
    orgs = {m.organization for m in user.memberships.select_related("organization")
            if permissions.Perm.WRITE_DRAFTS in permissions.ROLE_PERMS.get(m.role, ())}
    if len(orgs) != 1:
        raise ValidationError({"organization": ["name the organisation (slug)"]})
    return orgs.pop()


@extend_schema_view(list=extend_schema(parameters=[
    OpenApiParameter("status", str, description="editing, in_review, rejected, approved, published, withdrawn"),
    OpenApiParameter("stage", int, description="current stage (1-based)"),
    OpenApiParameter("category", str), OpenApiParameter("author", str, description="user name"),
    OpenApiParameter("channel", int, description="channel id"),
]))
class DraftViewSet(mixins.CreateModelMixin, mixins.UpdateModelMixin, viewsets.ReadOnlyModelViewSet):
    serializer_class = DraftSerializer

    def get_queryset(self):
        qs = permissions.visible(self.request.user, Draft.objects.all()).select_related(
            "organization", "author", "publish_record").prefetch_related("channels")
        params = self.request.query_params
        if params.get("status"):
            qs = qs.filter(status=params["status"])
        if params.get("stage", "").isdigit():
            qs = qs.filter(current_stage=int(params["stage"]), status=Draft.Status.IN_REVIEW)
        if params.get("category"):
            qs = qs.filter(category=params["category"])
        if params.get("author"):
            qs = qs.filter(author__username=params["author"])
        if params.get("channel", "").isdigit():
            qs = qs.filter(channels=int(params["channel"]))
        return qs.order_by("-updated_at", "-pk")

    def perform_create(self, serializer):
        data = dict(serializer.validated_data)
        organization = data.get("organization") or _own_organization(self.request.user)
        if not permissions.visible_organizations(self.request.user).filter(pk=organization.pk).exists():
            raise ValidationError({"organization": ["no such organisation"]})
        serializer.instance = actions.do_create_draft(
            organization=organization, acting_user=self.request.user, title=data.get("title", ""),
            body=data.get("body", ""), category=data.get("category", "school_news"),
            channels=data.get("channels", []), is_repost=data.get("is_repost", False),
            source=data.get("source", ""))

    def perform_update(self, serializer):
        data = dict(serializer.validated_data)
        if "organization" in data and data["organization"] != serializer.instance.organization:
            raise ValidationError({"organization": ["a draft cannot move to another organisation"]})
        data.pop("organization", None)
        serializer.instance = actions.do_update_draft(serializer.instance, acting_user=self.request.user,
                                                      **data)

    @extend_schema(request=None, responses=DraftSerializer)
    @action(detail=True, methods=["post"])
    def submit(self, request, pk=None):
        """Send the draft into review at the first stage (automatic checks run again)."""
        draft = actions.do_submit_draft(self.get_object(), acting_user=request.user)
        return Response(self.get_serializer(Draft.objects.get(pk=draft.pk)).data)

    @extend_schema(request=DecideSerializer, responses=DecisionSerializer)
    @action(detail=True, methods=["post"])
    def decide(self, request, pk=None):
        """Approve, reject (back to the author) or return to an earlier stage, at the draft's current stage."""
        body = DecideSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        made = actions.do_decide_draft(self.get_object(), acting_user=request.user, **body.validated_data)
        return Response(DecisionSerializer(made).data, status=status.HTTP_201_CREATED)

    @extend_schema(responses=VersionSerializer(many=True))
    @action(detail=True, methods=["get"])
    def versions(self, request, pk=None):
        return Response(VersionSerializer(self.get_object().versions.all(), many=True).data)

    @extend_schema(responses=DecisionSerializer(many=True))
    @action(detail=True, methods=["get"])
    def decisions(self, request, pk=None):
        return Response(DecisionSerializer(self.get_object().decisions.all(), many=True).data)


class ArchivedFileSerializer(serializers.Serializer):
    kind = serializers.CharField()
    name = serializers.CharField()
    sha256 = serializers.CharField()
    size = serializers.IntegerField()


class PublishRecordSerializer(serializers.ModelSerializer):
    organization = serializers.SlugRelatedField(slug_field="slug", read_only=True)
    preview_by = serializers.SlugRelatedField(slug_field="username", read_only=True)
    published_by = serializers.SlugRelatedField(slug_field="username", read_only=True)
    archive = ArchivedFileSerializer(many=True, read_only=True)

    class Meta:
        model = PublishRecord
        fields = ["id", "draft", "organization", "title", "version", "status", "channels", "reviewers",
                  "reviewer_line", "approved_at", "preview_at", "preview_by", "preview_note", "published_at",
                  "published_by", "url", "archive"]
        read_only_fields = fields


class PreviewSerializer(serializers.Serializer):
    note = serializers.CharField(required=False, allow_blank=True, default="")


class PublishSerializer(serializers.Serializer):
    url = serializers.CharField(required=False, allow_blank=True, default="")


class PublishRecordViewSet(viewsets.ReadOnlyModelViewSet):
    serializer_class = PublishRecordSerializer

    def get_queryset(self):
        return (permissions.visible(self.request.user, PublishRecord.objects.all())
                .select_related("organization", "preview_by", "published_by")
                .prefetch_related("archive", "channels").order_by("-approved_at", "-pk"))

    @extend_schema(request=PreviewSerializer, responses=PublishRecordSerializer)
    @action(detail=True, methods=["post"])
    def preview(self, request, pk=None):
        """Record the test send / preview (先预览再群发)."""
        body = PreviewSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        record = actions.do_record_preview(self.get_object(), acting_user=request.user, **body.validated_data)
        return Response(self.get_serializer(self.get_queryset().get(pk=record.pk)).data)

    @extend_schema(request=PublishSerializer, responses=PublishRecordSerializer)
    @action(detail=True, methods=["post"])
    def publish(self, request, pk=None):
        """Mark the mass send done, optionally with the publication's address."""
        body = PublishSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        record = actions.do_publish(self.get_object(), acting_user=request.user, **body.validated_data)
        return Response(self.get_serializer(self.get_queryset().get(pk=record.pk)).data)


def register(router) -> None:
    router.register("drafts", DraftViewSet, basename="draft")
    router.register("publications", PublishRecordViewSet, basename="publication")
