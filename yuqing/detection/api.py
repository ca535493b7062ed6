"""HTTP API of detection: schemes (CRUD), mentions, events with their level history, judgements."""

from __future__ import annotations

from django.shortcuts import get_object_or_404
from drf_spectacular.utils import extend_schema, extend_schema_field
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response

from yuqing import workflow
from yuqing.detection import actions
from yuqing.detection.expressions import ExpressionError, compile_expression
from yuqing.detection.filters import filter_events, filter_mentions
from yuqing.detection.models import Event, Judgement, LevelChange, Mention, Relevance, Scheme, Sentiment
from yuqing.keyset import keyset_pagination
from yuqing.levels import Level
from yuqing.orgs import permissions
from yuqing.orgs.models import Organization
from yuqing.orgs.permissions import Perm


class SchemeSerializer(serializers.ModelSerializer):
    organization = serializers.SlugRelatedField(slug_field="slug", queryset=Organization.objects.all())

    class Meta:
        model = Scheme
        fields = ["id", "organization", "name", "expression", "description", "enabled", "applies_to_children",
                  "created_at", "updated_at"]
        read_only_fields = ["created_at", "updated_at"]

    def validate_expression(self, value: str) -> str:
        try:
            compile_expression(value)
        except ExpressionError as exc:
            raise ValidationError(f"character {exc.position}: {exc.reason}", code="expression") from exc
        return value


class SchemeViewSet(viewsets.ModelViewSet):
    """Monitoring schemes; a malformed expression is refused naming the field, position and reason."""

    serializer_class = SchemeSerializer

    def get_queryset(self):
        return permissions.visible(self.request.user, Scheme.objects.select_related("organization"))

    def perform_create(self, serializer):
        data = dict(serializer.validated_data)
        org = data.pop("organization")
        if not permissions.has_perm(self.request.user, Perm.VIEW, org):
            raise ValidationError({"organization": "no such organisation"})
        serializer.instance = actions.do_create_scheme(organization=org, acting_user=self.request.user, **data)

    def perform_update(self, serializer):
        data = dict(serializer.validated_data)
        org = data.pop("organization", None)
        if org is not None and org.pk != serializer.instance.organization_id:
            raise ValidationError({"organization": "a scheme cannot move to another organisation"})
        serializer.instance = actions.do_update_scheme(serializer.instance, acting_user=self.request.user,
                                                       **data)

    def perform_destroy(self, instance):
        actions.do_delete_scheme(instance, acting_user=self.request.user)


class MentionSerializer(serializers.ModelSerializer):
    organization = serializers.SlugRelatedField(slug_field="slug", read_only=True)
    scheme_name = serializers.CharField(source="scheme.name", read_only=True)
    # Every scheme that matched the post (one mention per post and organisation).
    scheme_names = serializers.SlugRelatedField(source="schemes", slug_field="name", many=True, read_only=True)
    url = serializers.CharField(source="item.url", read_only=True)
    title = serializers.CharField(source="item.title", read_only=True)
    text = serializers.CharField(source="item.text", read_only=True)
    published_at = serializers.DateTimeField(source="item.published_at", read_only=True)
    level = serializers.SerializerMethodField()

    class Meta:
        model = Mention
        fields = ["id", "organization", "scheme", "scheme_name", "schemes", "scheme_names", "item", "event", "url",
                  "title", "text",
                  "published_at", "matched_terms", "negativity", "sentiment", "offensive", "categories",
                  "findings", "relevance", "judged_sentiment", "judged_at", "level", "created_at"]

    def get_level(self, obj) -> str | None:
        return Level(obj.event.level).label if obj.event_id else None


class MentionViewSet(viewsets.ReadOnlyModelViewSet):
    """Mentions; filter with ?organization=slug&scheme=id&sentiment=&level=&relevance=&since=YYYY-MM-DD."""

    serializer_class = MentionSerializer
    pagination_class = keyset_pagination(("-created_at", "-id"))

    def get_queryset(self):
        qs = permissions.visible(self.request.user,
                                 Mention.objects.select_related("scheme", "item", "event", "organization")
                                 .prefetch_related("schemes"))
        return filter_mentions(qs, self.request.query_params)


class LevelChangeSerializer(serializers.ModelSerializer):
    from_label = serializers.SerializerMethodField()
    to_label = serializers.SerializerMethodField()

    class Meta:
        model = LevelChange
        fields = ["from_level", "from_label", "to_level", "to_label", "reason", "reason_zh", "at"]

    def get_from_label(self, obj) -> str | None:
        return Level(obj.from_level).label if obj.from_level else None

    def get_to_label(self, obj) -> str:
        return Level(obj.to_level).label


class StateChangeSerializer(serializers.Serializer):
    from_state = serializers.CharField()
    to_state = serializers.CharField()
    reason = serializers.CharField()
    at = serializers.DateTimeField()
    actor = serializers.CharField(source="actor.username", default=None)


class EventSerializer(serializers.ModelSerializer):
    organization = serializers.SlugRelatedField(slug_field="slug", read_only=True)
    level_label = serializers.SerializerMethodField()
    level_history = LevelChangeSerializer(source="level_changes", many=True, read_only=True)
    proposal = serializers.SerializerMethodField()
    status_history = serializers.SerializerMethodField()

    class Meta:
        model = Event
        fields = ["id", "organization", "scheme", "title", "key_terms", "first_seen_at", "last_seen_at",
                  "mention_count", "level", "level_label", "level_reason", "level_reason_zh", "status", "views",
                  "comments", "mainstream_count", "categories", "level_history", "proposal", "status_history"]

    def get_level_label(self, obj) -> str:
        return Level(obj.level).label

    def get_proposal(self, obj) -> dict | None:
        """The level a topic proposes, waiting for 研判 ("疑似特别重大 · 待研判"), or null."""
        proposed = obj.pending_proposal
        if proposed is None:
            return None
        return {"level": int(proposed), "label": proposed.label, "display": f"疑似{proposed.label} · 待研判",
                "reason": obj.proposal_reason, "reason_zh": obj.proposal_reason_zh}

    @extend_schema_field(StateChangeSerializer(many=True))
    def get_status_history(self, obj) -> list:
        # Lists load the whole page's histories in one query (EventViewSet.paginate_queryset).
        loaded = self.context.get("status_histories")
        changes = loaded.get(str(obj.pk), []) if loaded is not None else workflow.history(obj)
        return StateChangeSerializer(changes, many=True).data


class EventStatusSerializer(serializers.Serializer):
    reason = serializers.CharField(required=False, allow_blank=True, default="")


class EventViewSet(viewsets.ReadOnlyModelViewSet):
    """Events with their level history; filter with ?organization=&level=&status=."""

    serializer_class = EventSerializer
    pagination_class = keyset_pagination(("-last_seen_at", "-id"))

    def get_queryset(self):
        qs = permissions.visible(self.request.user, Event.objects.select_related("organization")
                                 .prefetch_related("level_changes"))
        return filter_events(qs, self.request.query_params)

    def paginate_queryset(self, queryset):
        page = super().paginate_queryset(queryset)
        if page is not None:
            self._status_histories = workflow.histories(Event, [event.pk for event in page])
        return page

    def get_serializer_context(self):
        return {**super().get_serializer_context(), "status_histories": getattr(self, "_status_histories", None)}

    def _move(self, request, reopen: bool):
        event = self.get_object()
        body = EventStatusSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        actions.do_close_event(event, acting_user=request.user, reason=body.validated_data["reason"],
                               reopen=reopen)
        return Response(EventSerializer(event).data)

    @extend_schema(request=EventStatusSerializer, responses=EventSerializer)
    @action(detail=True, methods=["post"])
    def close(self, request, pk=None):
        """Close the event: POST {reason} (required); it shows in status_history."""
        return self._move(request, reopen=False)

    @extend_schema(request=EventStatusSerializer, responses=EventSerializer)
    @action(detail=True, methods=["post"])
    def reopen(self, request, pk=None):
        """Reopen a closed event: POST {reason?}."""
        return self._move(request, reopen=True)


class JudgementSerializer(serializers.ModelSerializer):
    mention = serializers.PrimaryKeyRelatedField(queryset=Mention.objects.all())
    sentiment = serializers.ChoiceField(choices=Sentiment.choices, required=False)
    relevance = serializers.ChoiceField(choices=Relevance.choices, required=False)
    user = serializers.CharField(source="user.username", read_only=True, default=None)

    class Meta:
        model = Judgement
        fields = ["id", "mention", "sentiment", "relevance", "note", "user", "created_at"]
        read_only_fields = ["created_at"]


class JudgementViewSet(mixins.CreateModelMixin, mixins.ListModelMixin, viewsets.GenericViewSet):
    """Manual judgements (人工判读): POST {mention, sentiment?, relevance?, note?}."""

    serializer_class = JudgementSerializer

    def get_queryset(self):
        return permissions.visible(self.request.user, Judgement.objects.select_related("user"))

    def create(self, request, *args, **kwargs):
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        mention = get_object_or_404(permissions.visible(request.user, Mention.objects.all()), pk=data["mention"].pk)
        judgement = actions.do_judge_mention(
            mention, acting_user=request.user, sentiment=data.get("sentiment"),
            relevance=data.get("relevance"), note=data.get("note", ""),
        )
        return Response(JudgementSerializer(judgement).data, status=status.HTTP_201_CREATED)


def register(router) -> None:
    """Routes of detection: /api/schemes/, /api/mentions/, /api/events/, /api/judgements/."""
    router.register("schemes", SchemeViewSet, basename="scheme")
    router.register("mentions", MentionViewSet, basename="mention")
    router.register("events", EventViewSet, basename="event")
    router.register("judgements", JudgementViewSet, basename="judgement")
