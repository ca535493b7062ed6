"""HTTP API of incidents: cases with their deadlines, timeline and evidence; writes through the actions."""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.shortcuts import get_object_or_404
from django.utils import timezone
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response

from yuqing.deadlines.actions import deadlines_by_subject, deadlines_for
from yuqing.deadlines.models import Deadline
from yuqing.incidents import actions
from yuqing.incidents.models import Case, HandlingType, Origin
from yuqing.incidents.timeline import timeline
from yuqing.keyset import keyset_pagination
from yuqing.levels import Level
from yuqing.orgs import permissions
from yuqing.orgs.models import Organization


def deadline_dict(d: Deadline) -> dict:
    return {"id": d.pk, "kind": actions.step_of(d), "title": actions.step_label(actions.step_of(d)),
            "due_at": timezone.localtime(d.due_at).isoformat(), "state": d.state, "rule": d.rule,
            "met_at": timezone.localtime(d.met_at).isoformat() if d.met_at else None}


class CaseSerializer(serializers.ModelSerializer):
    organization = serializers.SlugRelatedField(slug_field="slug", read_only=True)
    level_label = serializers.SerializerMethodField()
    deadlines = serializers.SerializerMethodField()
    overdue = serializers.SerializerMethodField()
    responsible = serializers.SlugRelatedField(slug_field="username", read_only=True)
    spokesperson = serializers.SlugRelatedField(slug_field="username", read_only=True)

    class Meta:
        model = Case
        fields = ["id", "organization", "event", "title", "summary", "origin", "level", "level_label",
                  "handling_type", "responsible", "spokesperson", "status", "opened_at", "resolved_at",
                  "follow_up_until", "closed_at", "escalated", "overdue", "deadlines"]

    def get_level_label(self, obj) -> str:
        return Level(obj.level).label

    @staticmethod
    def _deadlines(obj) -> list[Deadline]:
        # a list page fetched them for all its cases at once (CaseViewSet.list); a single case asks here
        cached = getattr(obj, "_yq_deadlines", None)
        return cached if cached is not None else list(deadlines_for(obj))

    def get_deadlines(self, obj) -> list[dict]:
        return [deadline_dict(d) for d in self._deadlines(obj)]

    def get_overdue(self, obj) -> bool:
        return any(d.state == Deadline.State.OVERDUE for d in self._deadlines(obj))


class CaseDetailSerializer(CaseSerializer):
    timeline = serializers.SerializerMethodField()
    evidence = serializers.SerializerMethodField()

    class Meta(CaseSerializer.Meta):
        fields = [*CaseSerializer.Meta.fields, "timeline", "evidence"]

    def get_timeline(self, obj) -> list[dict]:
        return [e.as_dict() for e in timeline(obj)]

    def get_evidence(self, obj) -> list[dict]:
        from yuqing.monitoring.evidence import manifest
        from yuqing.monitoring.models import Capture

        return manifest(Capture.objects.filter(item__in=actions.case_items(obj)).order_by("captured_at", "id"))


class CaseOpenSerializer(serializers.Serializer):
    organization = serializers.SlugRelatedField(slug_field="slug", queryset=Organization.objects.all())
    title = serializers.CharField(max_length=300, required=False, allow_blank=True)
    level = serializers.CharField(required=False, default="general",
                                  help_text="any label or alias: 一般, 较大, 重大, 特别重大, general, major, Ⅱ, orange, 3")
    event = serializers.IntegerField(required=False, allow_null=True)
    summary = serializers.CharField(required=False, allow_blank=True, default="")
    origin = serializers.ChoiceField(choices=Origin.choices, required=False, default=Origin.OTHER)
    handling_type = serializers.ChoiceField(choices=HandlingType.choices, required=False, allow_blank=True,
                                            default="")
    responsible = serializers.SlugRelatedField(slug_field="username", queryset=get_user_model().objects.all(),
                                               required=False, allow_null=True)
    opened_at = serializers.DateTimeField(required=False)


class CaseViewSet(viewsets.ReadOnlyModelViewSet):
    """Cases the person may see (a bureau sees its schools'), newest first; writes through the actions."""

    serializer_class = CaseSerializer
    pagination_class = keyset_pagination(("-opened_at", "-id"))

    def get_queryset(self):
        qs = permissions.visible(self.request.user, Case.objects.select_related(
            "organization", "responsible", "spokesperson"))
        return qs.order_by("-opened_at", "-id")

    def list(self, request, *args, **kwargs):
        page = self.paginate_queryset(self.filter_queryset(self.get_queryset()))
        for case, steps in zip(page, deadlines_by_subject(page).values(), strict=True):
            case._yq_deadlines = steps
        return self.get_paginated_response(self.get_serializer(page, many=True).data)

    def get_serializer_class(self):
        return CaseDetailSerializer if self.action == "retrieve" else CaseSerializer

    @extend_schema(request=CaseOpenSerializer, responses={201: CaseDetailSerializer})
    def create(self, request):
        ser = CaseOpenSerializer(data=request.data)
        ser.is_valid(raise_exception=True)
        data = dict(ser.validated_data)
        org = data.pop("organization")
        permissions.get_visible_or_404(request.user, Organization.objects.all(), org_field="", pk=org.pk)
        event_id = data.pop("event", None)
        event = None
        if event_id:
            from yuqing.detection.models import Event

            event = permissions.get_visible_or_404(request.user, Event.objects.all(), pk=event_id)
        case = actions.do_open_case(organization=org, acting_user=request.user, event=event, **data)
        return Response(CaseDetailSerializer(case).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=None, responses=CaseDetailSerializer)
    @action(detail=True, methods=["post"])
    def move(self, request, pk=None):
        """Move the case: {"to": "forwarded"|"responding"|"resolved"|"following_up"|"closed", "reason", "note"}."""
        case = self.get_object()
        actions.do_move_case(case, str(request.data.get("to", "")), acting_user=request.user,
                             reason=str(request.data.get("reason", "")), note=str(request.data.get("note", "")))
        case.refresh_from_db()
        return Response(CaseDetailSerializer(case).data)

    @extend_schema(request=None, responses=CaseDetailSerializer)
    @action(detail=True, methods=["post"])
    def level(self, request, pk=None):
        """Change the level: {"level": "重大", "reason": "…"}; the deadlines are recomputed."""
        case = self.get_object()
        actions.do_change_case_level(case, acting_user=request.user, level=request.data.get("level", ""),
                                     reason=str(request.data.get("reason", "")))
        case.refresh_from_db()
        return Response(CaseDetailSerializer(case).data)

    @extend_schema(request=None, responses=CaseDetailSerializer)
    @action(detail=True, methods=["post"], url_path="meet")
    def meet(self, request, pk=None):
        """Meet a step: {"kind": "forward", "note": "…"} (or {"deadline": id})."""
        case = self.get_object()
        pending = deadlines_for(case).filter(state__in=[Deadline.State.OPEN, Deadline.State.OVERDUE])
        if request.data.get("deadline"):
            deadline = get_object_or_404(pending, pk=request.data.get("deadline"))
        else:
            deadline = pending.filter(kind=actions.DEADLINE_PREFIX + str(request.data.get("kind", ""))).first()
            if deadline is None:
                raise ValidationError({"kind": "no open step of this kind"})
        actions.do_meet_step(deadline, acting_user=request.user, note=str(request.data.get("note", "")))
        return Response(CaseDetailSerializer(case).data)

    @extend_schema(request=None, responses=CaseDetailSerializer)
    @action(detail=True, methods=["post"])
    def notes(self, request, pk=None):
        """Add a note: {"text": "…", "kind": "note"|"call"|"action"}."""
        case = self.get_object()
        actions.do_add_note(case, acting_user=request.user, text=str(request.data.get("text", "")),
                            kind=str(request.data.get("kind", "note")))
        return Response(CaseDetailSerializer(case).data, status=status.HTTP_201_CREATED)


def register(router) -> None:
    router.register("cases", CaseViewSet, basename="case")
