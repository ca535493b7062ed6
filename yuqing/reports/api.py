"""HTTP API of reports: daily reports and their confirmation, self-inspection reports, briefings, archived files.

Lists are what the person may see (a school its own, a bureau its schools'); every write goes through the
audited actions, whose ValidationError / PermissionDenied the project's exception handler turns into 400 / 403.
"""

from __future__ import annotations

from urllib.parse import quote

from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import HttpResponse
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from yuqing.orgs import permissions
from yuqing.orgs.models import Organization
from yuqing.reports import archive, briefing, daily, selfinspection
from yuqing.reports.models import Briefing, DailyReport, ReportFile, SelfInspectionReport

DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


def _docx(data: bytes, name: str) -> HttpResponse:
    response = HttpResponse(data, content_type=DOCX)
    response["Content-Disposition"] = f"attachment; filename*=UTF-8''{quote(name)}"
    return response


def _person(user) -> str:
    return user.display_name if user is not None else ""


class ReportFileSerializer(serializers.ModelSerializer):
    made_by = serializers.SlugRelatedField(slug_field="username", read_only=True)
    made_by_name = serializers.SerializerMethodField()
    download = serializers.SerializerMethodField()

    class Meta:
        model = ReportFile
        fields = ["id", "kind", "report_id", "version", "step", "name", "sha256", "size", "made_at", "made_by",
                  "made_by_name", "download"]

    def get_made_by_name(self, obj) -> str:
        return _person(obj.made_by)

    def get_download(self, obj) -> str:
        from django.urls import reverse

        return reverse("reports:file", args=[obj.pk])


class _WithVersions(serializers.ModelSerializer):
    organization = serializers.SlugRelatedField(slug_field="slug", read_only=True)
    versions = serializers.SerializerMethodField()

    def get_versions(self, obj) -> list[dict]:
        return ReportFileSerializer(archive.versions(obj), many=True).data


class DailyReportSerializer(_WithVersions):
    duty_person = serializers.SlugRelatedField(slug_field="username", read_only=True)
    confirmed_by = serializers.SlugRelatedField(slug_field="username", read_only=True)

    class Meta:
        model = DailyReport
        fields = ["id", "organization", "date", "status", "zero", "figures", "remarks", "compiled_at",
                  "duty_person", "due_at", "confirmed_at", "confirmed_by", "late"]


class DailyReportDetailSerializer(DailyReportSerializer):
    class Meta(DailyReportSerializer.Meta):
        fields = [*DailyReportSerializer.Meta.fields, "versions"]


class ConfirmSerializer(serializers.Serializer):
    remarks = serializers.CharField(required=False, allow_blank=True, default="")


_ORG_FILTER = OpenApiParameter("organization", str, description="organisation slug (its schools and units included)")


def _in_org(request, qs):
    if slug := request.query_params.get("organization"):
        org = Organization.objects.filter(slug=slug).first()
        return qs.filter(organization__path__startswith=org.path) if org else qs.none()
    return qs


@extend_schema_view(list=extend_schema(parameters=[
    _ORG_FILTER, OpenApiParameter("date", OpenApiTypes.DATE, description="one day"),
    OpenApiParameter("from", OpenApiTypes.DATE), OpenApiParameter("to", OpenApiTypes.DATE)]))
class DailyReportViewSet(viewsets.ReadOnlyModelViewSet):
    """Daily reports (日报 / 零报告) the person may see, newest first."""

    def get_queryset(self):
        qs = permissions.visible(self.request.user, DailyReport.objects.select_related(
            "organization", "duty_person", "confirmed_by"))
        qs = _in_org(self.request, qs)
        params = self.request.query_params
        for key, lookup in (("date", "date"), ("from", "date__gte"), ("to", "date__lte")):
            if value := params.get(key):
                qs = qs.filter(**{lookup: _date(value, key)})
        return qs.order_by("-date", "organization__path")

    def get_serializer_class(self):
        return DailyReportDetailSerializer if self.action != "list" else DailyReportSerializer

    @extend_schema(request=ConfirmSerializer, responses=DailyReportDetailSerializer)
    @action(detail=True, methods=["post"])
    def confirm(self, request, pk=None):
        """Confirm the report with remarks; after the submission deadline it is marked late."""
        report = self.get_object()
        ser = ConfirmSerializer(data=request.data)
        ser.is_valid(raise_exception=True)
        daily.do_confirm_daily_report(report, acting_user=request.user, remarks=ser.validated_data["remarks"])
        return Response(DailyReportDetailSerializer(report).data)

    @extend_schema(request=None, responses=DailyReportDetailSerializer)
    @action(detail=True, methods=["post"], url_path="confirm-zero")
    def confirm_zero(self, request, pk=None):
        """One click for a day with nothing: refused (400) when the report is not a zero report."""
        report = self.get_object()
        if not report.zero:
            raise DjangoValidationError({"zero": [gettext("This day is not a zero report: review it and confirm it "
                                                          "with remarks.")]})
        daily.do_confirm_daily_report(report, acting_user=request.user)
        return Response(DailyReportDetailSerializer(report).data)

    @extend_schema(responses={(200, DOCX): OpenApiTypes.BINARY})
    @action(detail=True, methods=["get"])
    def download(self, request, pk=None):
        """The DOCX: the archived confirmed version, or the compiled report while unconfirmed."""
        report = self.get_object()
        last = archive.versions(report).last()
        if last is not None:
            return _docx(archive.read(last), last.name)
        return _docx(daily.report_docx(report), f"日报-{report.organization.name}-{report.date}.docx")


def _date(value, key):
    from datetime import date

    try:
        return date.fromisoformat(value)
    except ValueError as exc:
        raise DjangoValidationError({key: [gettext("Not a date (YYYY-MM-DD).")]}) from exc


class SelfInspectionSerializer(_WithVersions):
    generated_by = serializers.SlugRelatedField(slug_field="username", read_only=True)
    finalised_by = serializers.SlugRelatedField(slug_field="username", read_only=True)

    class Meta:
        model = SelfInspectionReport
        fields = ["id", "organization", "period_start", "period_end", "status", "version", "next_steps", "remarks",
                  "figures", "generated_at", "generated_by", "finalised_at", "finalised_by", "versions"]


class SelfInspectionCreateSerializer(serializers.Serializer):
    organization = serializers.SlugRelatedField(slug_field="slug", queryset=Organization.objects.all())
    period_start = serializers.DateField()
    period_end = serializers.DateField()
    next_steps = serializers.CharField(required=False, allow_blank=True)
    remarks = serializers.CharField(required=False, allow_blank=True, default="")


class SelfInspectionEditSerializer(serializers.Serializer):
    next_steps = serializers.CharField(required=False, allow_blank=True)
    remarks = serializers.CharField(required=False, allow_blank=True)


def _visible_org(user, org):
    return permissions.get_visible_or_404(user, Organization.objects.all(), org_field="", pk=org.pk)


@extend_schema_view(list=extend_schema(parameters=[_ORG_FILTER]))
class SelfInspectionViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Self-inspection reports (自查报告): generate, edit next steps and remarks, regenerate, finalise, download."""

    serializer_class = SelfInspectionSerializer

    def get_queryset(self):
        qs = permissions.visible(self.request.user, SelfInspectionReport.objects.select_related(
            "organization", "generated_by", "finalised_by"))
        return _in_org(self.request, qs)

    @extend_schema(request=SelfInspectionCreateSerializer, responses={201: SelfInspectionSerializer})
    def create(self, request):
        """Generate the report of a school for a period (counted now; archived as version 1)."""
        ser = SelfInspectionCreateSerializer(data=request.data)
        ser.is_valid(raise_exception=True)
        data = dict(ser.validated_data)
        org = _visible_org(request.user, data.pop("organization"))
        report = selfinspection.do_generate_self_inspection(org, acting_user=request.user, **data)
        return Response(SelfInspectionSerializer(report).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=SelfInspectionEditSerializer, responses=SelfInspectionSerializer)
    def partial_update(self, request, pk=None):
        """Edit the next steps and remarks; refused (400) once finalised."""
        report = self.get_object()
        ser = SelfInspectionEditSerializer(data=request.data)
        ser.is_valid(raise_exception=True)
        selfinspection.do_edit_self_inspection(report, acting_user=request.user, **ser.validated_data)
        return Response(SelfInspectionSerializer(report).data)

    @extend_schema(request=None, responses=SelfInspectionSerializer)
    @action(detail=True, methods=["post"])
    def regenerate(self, request, pk=None):
        """Count again from the registry, publish records and sources (a new version; the text is kept)."""
        report = self.get_object()
        selfinspection.do_regenerate_self_inspection(report, acting_user=request.user)
        return Response(SelfInspectionSerializer(report).data)

    @extend_schema(request=None, responses=SelfInspectionSerializer)
    @action(detail=True, methods=["post"])
    def finalise(self, request, pk=None):
        """Freeze the report and archive its final version with its SHA-256."""
        report = self.get_object()
        selfinspection.do_finalise_self_inspection(report, acting_user=request.user)
        return Response(SelfInspectionSerializer(report).data)

    @extend_schema(parameters=[OpenApiParameter("version", int, description="a version (default the latest)")],
                   responses={(200, DOCX): OpenApiTypes.BINARY})
    @action(detail=True, methods=["get"])
    def download(self, request, pk=None):
        return _download_version(request, self.get_object())


def _download_version(request, report):
    rows = archive.versions(report)
    row = get_object_or_404(rows, version=request.query_params["version"]) if request.query_params.get(
        "version", "").isdigit() else rows.last()
    if row is None:
        return Response({"detail": "no archived version"}, status=status.HTTP_404_NOT_FOUND)
    return _docx(archive.read(row), row.name)


class BriefingSerializer(_WithVersions):
    generated_by = serializers.SlugRelatedField(slug_field="username", read_only=True)

    class Meta:
        model = Briefing
        fields = ["id", "organization", "period_kind", "period", "period_start", "period_end", "version",
                  "figures", "generated_at", "generated_by", "versions"]


class BriefingCreateSerializer(serializers.Serializer):
    organization = serializers.SlugRelatedField(slug_field="slug", queryset=Organization.objects.all())
    period = serializers.CharField(help_text="2026-12-01 (day), 2026-W48 (ISO week) or 2026-11 (month)")


@extend_schema_view(list=extend_schema(parameters=[_ORG_FILTER]))
class BriefingViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Briefings (舆情简报) of a day, week or month; generating an existing period adds a version."""

    serializer_class = BriefingSerializer

    def get_queryset(self):
        qs = permissions.visible(self.request.user, Briefing.objects.select_related("organization", "generated_by"))
        return _in_org(self.request, qs)

    @extend_schema(request=BriefingCreateSerializer, responses={201: BriefingSerializer})
    def create(self, request):
        ser = BriefingCreateSerializer(data=request.data)
        ser.is_valid(raise_exception=True)
        org = _visible_org(request.user, ser.validated_data["organization"])
        result = briefing.do_generate_briefing(org, ser.validated_data["period"], acting_user=request.user)
        return Response(BriefingSerializer(result).data, status=status.HTTP_201_CREATED)

    @extend_schema(parameters=[OpenApiParameter("version", int, description="a version (default the latest)")],
                   responses={(200, DOCX): OpenApiTypes.BINARY})
    @action(detail=True, methods=["get"])
    def download(self, request, pk=None):
        return _download_version(request, self.get_object())


def register(router) -> None:
    router.register("daily-reports", DailyReportViewSet, basename="dailyreport")
    router.register("self-inspections", SelfInspectionViewSet, basename="selfinspectionreport")
    router.register("briefings", BriefingViewSet, basename="briefing")
