"""The archive of report documents: every confirmed, generated, edited or finalised version as a stored DOCX
with its SHA-256, so the history page can hand out exactly what was sent or signed at the time."""

from __future__ import annotations

import hashlib

from django.core.files.base import ContentFile
from django.db.models import Max
from django.utils import timezone

from yuqing.reports.models import Briefing, DailyReport, ReportFile, SelfInspectionReport

KIND_OF = {DailyReport: ReportFile.Kind.DAILY, SelfInspectionReport: ReportFile.Kind.SELF_INSPECTION,
           Briefing: ReportFile.Kind.BRIEFING}
MODEL_OF = {kind: model for model, kind in KIND_OF.items()}


def kind_of(report) -> str:
    return KIND_OF[type(report)]


def store(report, data: bytes, *, name: str, step: str, acting_user, version: int | None = None) -> ReportFile:
    """Archive one version of `report`'s document; call inside the action's transaction (the row and the
    audit record go together; a rolled-back row leaves at worst an unreferenced file behind)."""
    kind = kind_of(report)
    if version is None:
        last = ReportFile.objects.filter(kind=kind, report_id=report.pk).aggregate(n=Max("version"))["n"]
        version = (last or 0) + 1
    row = ReportFile(organization=report.organization, kind=kind, report_id=report.pk, version=version, step=step,
                     name=name, sha256=hashlib.sha256(data).hexdigest(), size=len(data), made_at=timezone.now(),
                     made_by=acting_user if acting_user is not None and acting_user.is_authenticated else None)
    row.file.save(f"{kind}-{report.pk}-v{version}-{row.sha256[:12]}.docx", ContentFile(data), save=False)
    row.save()
    return row


def versions(report):
    return ReportFile.objects.filter(kind=kind_of(report), report_id=report.pk).select_related("made_by")


def read(row: ReportFile) -> bytes:
    """The stored bytes, checked against the recorded SHA-256 (a tampered or damaged file is refused)."""
    with row.file.open("rb") as fh:
        data = fh.read()
    if hashlib.sha256(data).hexdigest() != row.sha256:
        raise ValueError(f"report file {row.pk}: SHA-256 does not match the archive record")
    return data


def report_of(row: ReportFile):
    return MODEL_OF[row.kind].objects.filter(pk=row.report_id).first()
