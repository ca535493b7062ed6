"""The self-inspection report (自查报告) of a school for a period: compiled from the registry, publish records and
the channels' own monitoring sources; edited in the page (next steps, remarks), finalised and archived.

`compile_figures` counts; `document` renders the stored figures, so a report says what was looked at when it
was generated, not what the registry says today. Channel counts are the registry's own: the channels in use
(`LIVE_STATUSES`) by kind, as `yuqing registry list` lists them.
"""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Count, Q
from django.db.models.functions import Coalesce
from django.utils import timezone, translation
from django.utils.translation import gettext

from yuqing.audit.log import record
from yuqing.orgs import permissions
from yuqing.orgs.models import Organization
from yuqing.orgs.permissions import Perm
from yuqing.reports import archive
from yuqing.reports.models import ReportFile, SelfInspectionReport

FIELDS = ("period_start", "period_end", "status", "next_steps", "remarks", "version")
MAX_TEXT = 20000
MAX_DAYS = 366

DEFAULT_NEXT_STEPS = (
    "1. 加强管理制度建设。一是加大对新建媒体平台、新建群的报备工作；二是明确新媒体平台责任人、群号负责人的责任要求，"
    "使学校的新媒体平台、各种群号始终处在有人管、有监督、最精简的状态。\n"
    "2. 严格落实发布信息“三审三校”制度。新媒体平台发布信息必须经过初审、复审、终审方能发布；群号的管理，本着"
    "“谁主管谁负责、谁使用谁负责、谁运维谁负责”的工作原则，专人专管，切实落实网络安全管理责任。"
)


def _bounds(start: dt.date, end: dt.date) -> tuple[dt.datetime, dt.datetime]:
    first = timezone.make_aware(dt.datetime.combine(start, dt.time.min))
    return first, timezone.make_aware(dt.datetime.combine(end + dt.timedelta(days=1), dt.time.min))


def check_period(start, end) -> None:
    if start is None:
        raise ValidationError({"period_start": [gettext("Give the first day of the period.")]})
    if end is None:
        raise ValidationError({"period_end": [gettext("Give the last day of the period.")]})
    if end < start:
        raise ValidationError({"period_end": [gettext("The period ends before it starts.")]})
    if (end - start).days >= MAX_DAYS:
        raise ValidationError({"period_end": [gettext("A period is at most a year.")]})


def _as_of(end: dt.date, now: dt.datetime) -> dt.datetime:
    """Checks (dormant, idle) are judged at the end of the period, or now while it is still running."""
    return min(now, _bounds(end, end)[1] - dt.timedelta(seconds=1))


def compile_figures(org: Organization, start: dt.date, end: dt.date, *, now: dt.datetime | None = None) -> dict:
    """What the report says, counted in the database (plain JSON: codes, ids, dates, numbers)."""
    from yuqing.monitoring.models import Item
    from yuqing.publishing.models import Draft, PublishRecord
    from yuqing.registry import checks
    from yuqing.registry.models import LIVE_STATUSES, Channel, ChatGroup

    now = now or timezone.now()
    lo, hi = _bounds(start, end)
    as_of = _as_of(end, now)
    channels = list(Channel.objects.in_tree(org).filter(status__in=LIVE_STATUSES).order_by("kind", "name"))
    records = dict(PublishRecord.objects.filter(
        channels__in=channels, status=PublishRecord.Status.PUBLISHED, published_at__gte=lo, published_at__lt=hi)
        .values("channels").annotate(n=Count("id", distinct=True)).values_list("channels", "n"))
    source_ids = [c.source_id for c in channels if c.source_id]
    from_source = dict(Item.objects.filter(source_id__in=source_ids).annotate(
        at=Coalesce("published_at", "first_seen_at")).filter(at__gte=lo, at__lt=hi).values("source")
        .annotate(n=Count("id")).values_list("source", "n"))
    platforms = []
    for c in channels:
        n_records, n_source = records.get(c.pk, 0), from_source.get(c.source_id, 0) if c.source_id else 0
        # The own source reads everything the channel published, Yuqing's publications included; the publish
        # records cover what went out through Yuqing. Adding them would count those twice, so the larger wins.
        platforms.append({"id": c.pk, "type": c.kind, "name": c.name, "address": c.account_id or c.url,
                          "status": c.status, "records": n_records, "source": n_source,
                          "has_source": bool(c.source_id), "publications": max(n_records, n_source)})
    channel_counts: dict[str, int] = {}
    for c in channels:
        channel_counts[c.kind] = channel_counts.get(c.kind, 0) + 1

    groups = list(ChatGroup.objects.in_tree(org).filter(status__in=LIVE_STATUSES).select_related("unit")
                  .order_by("kind", "name"))
    group_lines: dict[tuple[str, str], list[str]] = {}
    for g in groups:
        level = "class" if g.unit_id and g.unit.unit_type in (Organization.UnitType.CLASS,
                                                               Organization.UnitType.GRADE) else "school"
        group_lines.setdefault((level, g.kind), []).append(g.name)
    group_rows = [{"level": level, "type": kind, "count": len(names), "names": names}
                  for (level, kind), names in sorted(group_lines.items(), key=lambda kv: (kv[0][0] != "school", kv[0]))]
    group_counts: dict[str, int] = {}
    for g in groups:
        group_counts[g.kind] = group_counts.get(g.kind, 0) + 1

    findings = checks.run(org, as_of)
    problems = {
        "dormant": [{"id": c.pk, "type": c.kind, "name": c.name, "days": days} for c, days in findings.dormant],
        "unfiled": [{"id": o.pk, "kind": "channel" if isinstance(o, Channel) else "group", "type": o.kind,
                     "name": o.name} for o in findings.unfiled],
        "idle": [{"id": p.group.pk, "type": p.group.kind, "name": p.group.name, "reason": p.reason,
                  "days": p.days, "task_ends_on": p.group.task_ends_on.isoformat() if p.group.task_ends_on else None}
                 for p in findings.idle],
        "violations": _violations(org, start, end, hi),
        "blocks": [],
    }
    drafts = Draft.objects.filter(organization__path__startswith=org.path, submitted_at__gte=lo, submitted_at__lt=hi)
    for d in drafts.order_by("submitted_at"):
        blocking = [f for f in d.findings if f.get("severity") == "block"]
        if blocking or d.block_override_reason:
            problems["blocks"].append({
                "id": d.pk, "title": d.title, "status": d.status, "overridden": bool(d.block_override_reason),
                "matched": sorted({f.get("matched") or f.get("rule_id", "") for f in blocking})[:10]})
    return {
        "platforms": platforms, "channel_counts": channel_counts, "groups": group_rows, "group_counts": group_counts,
        "problems": problems, "rectifications": _rectifications(org, lo, hi),
        "as_of": timezone.localtime(as_of).replace(microsecond=0).isoformat(),
    }


def _violations(org, start, end, hi) -> list[dict]:
    from yuqing.registry.models import Violation

    rows = Violation.objects.filter(organization__path__startswith=org.path, found_on__lte=end).filter(
        Q(found_on__gte=start) | Q(state=Violation.State.OPEN) | Q(rectified_at__gte=_bounds(start, start)[0]))
    return [{"id": v.pk, "type": v.kind, "name": v.name, "holder": v.holder, "found_on": v.found_on.isoformat(),
             "rectified": v.state == Violation.State.RECTIFIED and v.rectified_at is not None
             and v.rectified_at < hi} for v in rows.order_by("found_on", "pk")]


def _rectifications(org, lo, hi) -> list[dict]:
    """Closures, dissolutions, approved filings and rectified violations in the period, oldest first."""
    from django.contrib.contenttypes.models import ContentType

    from yuqing.registry.models import Channel, ChatGroup, Filing, Violation
    from yuqing.workflow.models import StateChange

    out = []
    types = ContentType.objects.get_for_models(Channel, ChatGroup)
    names = {}
    for model, ct in types.items():
        changes = list(StateChange.objects.filter(content_type=ct, to_state="closed", at__gte=lo, at__lt=hi,
                                                  field="status"))
        objects = model.objects.in_tree(org).in_bulk([int(c.object_id) for c in changes])
        for change in changes:
            obj = objects.get(int(change.object_id))
            if obj is None:
                continue
            names[(model, obj.pk)] = obj.name
            out.append({"at": change.at, "what": "channel_closed" if model is Channel else "group_dissolved",
                        "type": obj.kind, "name": obj.name, "note": change.reason})
    for f in Filing.objects.filter(organization__path__startswith=org.path, status=Filing.Status.APPROVED,
                                   decided_at__gte=lo, decided_at__lt=hi).select_related("channel", "group"):
        subject = f.channel or f.group
        out.append({"at": f.decided_at, "what": f"filing_{f.action}", "type": subject.kind, "name": subject.name,
                    "note": f.reason})
    for v in Violation.objects.filter(organization__path__startswith=org.path, rectified_at__gte=lo,
                                      rectified_at__lt=hi):
        out.append({"at": v.rectified_at, "what": "violation_rectified", "type": v.kind, "name": v.name,
                    "note": ""})
    out.sort(key=lambda r: r["at"])
    for r in out:
        r["at"] = timezone.localtime(r["at"]).date().isoformat()
    return out


# ---------------------------------------------------------------------------------------------- the document

def _channel_kind(code: str) -> str:
    from yuqing.registry.models import Channel

    return str(Channel.Kind(code).label) if code in Channel.Kind.values else code


def _group_kind(code: str) -> str:
    from yuqing.registry.models import ChatGroup

    return str(ChatGroup.Kind(code).label) if code in ChatGroup.Kind.values else code


RECTIFICATION_WORDS = {
    "channel_closed": "关闭账号", "group_dissolved": "解散群", "filing_open": "补办 / 办理开设备案",
    "filing_change": "办理变更备案", "filing_suspend": "办理暂停备案", "filing_close": "办理注销备案",
    "violation_rectified": "整改冒用校名的个人账号",
}


def document_data(report: SelfInspectionReport):
    """The stored figures in the reader's words (always Chinese: the report goes to the bureau)."""
    from yuqing.documents.selfinspection import (
        GroupCount,
        PlatformRow,
        Problem,
        Rectification,
        SelfInspectionData,
    )

    fig = report.figures or {}
    superior = report.organization.ancestors().filter(kind=Organization.Kind.BUREAU).exclude(
        pk=report.organization_id).last()
    with translation.override("zh-hans"):
        platforms = [PlatformRow(_channel_kind(p["type"]), p["name"], p.get("address", ""), p["publications"])
                     for p in fig.get("platforms", [])]
        groups = [GroupCount("学校层面" if g["level"] == "school" else "班级层面", _group_kind(g["type"]), g["count"],
                             g.get("names", [])) for g in fig.get("groups", [])]
        pr = fig.get("problems", {})
        problems = [
            Problem("长期未更新的账号", "新媒体账号两周以上未更新，存在“僵尸号”风险。",
                    [f"{_channel_kind(p['type'])}“{p['name']}”已{p['days']}天未更新" for p in pr.get("dormant", [])]),
            Problem("私自建群、开设账号未备案", "因临时性工作建立的群或开设的账号没有在学校备案。",
                    [f"{(_channel_kind if p['kind'] == 'channel' else _group_kind)(p['type'])}“{p['name']}”未备案"
                     for p in pr.get("unfiled", [])]),
            Problem("闲置群清理不及时", "临时性工作完成后群主没有及时解散，或群长期无人使用。",
                    [f"{_group_kind(p['type'])}“{p['name']}”" + (
                        f"临时任务已于{p['task_ends_on']}结束" if p["reason"] == "task_ended"
                        else f"已{p['days']}天无活动") for p in pr.get("idle", [])]),
            Problem("冒用学校名义的个人账号", "个人账号使用学校名称、校徽等，易被误认为学校官方账号。",
                    [f"{_channel_kind(p['type'])}“{p['name']}”（{p['found_on']}发现，"
                     f"{'已整改' if p['rectified'] else '整改中'}）" for p in pr.get("violations", [])]),
            Problem("送审稿件中发现严重问题", "稿件经文字检查发现必须修改的问题后仍进入了审核环节。",
                    [f"“{p['title']}”" + (f"（{'、'.join(m for m in p['matched'] if m)}）" if p.get("matched") else "")
                     + ("，经终审说明理由后放行" if p.get("overridden") else "") for p in pr.get("blocks", [])]),
        ]
        rectifications = [Rectification(dt.date.fromisoformat(r["at"]), f"{RECTIFICATION_WORDS.get(r['what'], r['what'])}"
                                        f"“{r['name']}”", r.get("note", "")) for r in fig.get("rectifications", [])]
    return SelfInspectionData(
        school=report.organization.name, period_start=report.period_start, period_end=report.period_end,
        superior=superior.name if superior else "", platforms=platforms, groups=groups, problems=problems,
        rectifications=rectifications, next_steps=report.next_steps, remarks=report.remarks,
        date=timezone.localtime(report.finalised_at).date() if report.finalised_at else report.period_end,
        draft=report.status != SelfInspectionReport.Status.FINAL)


def document(report: SelfInspectionReport) -> bytes:
    from yuqing.documents.selfinspection import self_inspection_docx

    return self_inspection_docx(document_data(report))


def file_name(report: SelfInspectionReport) -> str:
    suffix = "" if report.status == SelfInspectionReport.Status.FINAL else f"-v{report.version}"
    return f"自查报告-{report.organization.name}-{report.period_start:%Y%m%d}-{report.period_end:%Y%m%d}{suffix}.docx"


# ---------------------------------------------------------------------------------------------- actions

def _archive(report, step, acting_user) -> ReportFile:
    report.version += 1
    report.save(update_fields=["version", "updated_at"])
    return archive.store(report, document(report), name=file_name(report), step=step, acting_user=acting_user,
                         version=report.version)


def do_generate_self_inspection(org: Organization, *, period_start, period_end, acting_user, next_steps=None,
                                remarks: str = "", now=None) -> SelfInspectionReport:
    permissions.require(acting_user, Perm.WRITE_REPORTS, org)
    if org.kind != Organization.Kind.SCHOOL:
        raise ValidationError({"organization": [gettext("A self-inspection report is written by a school.")]})
    check_period(period_start, period_end)
    _check_text(next_steps or "", remarks)
    now = now or timezone.now()
    with transaction.atomic():
        report = SelfInspectionReport.objects.create(
            organization=org, period_start=period_start, period_end=period_end, generated_at=now,
            generated_by=acting_user, figures=compile_figures(org, period_start, period_end, now=now),
            next_steps=DEFAULT_NEXT_STEPS if next_steps is None else next_steps.strip(), remarks=remarks.strip())
        _archive(report, ReportFile.Step.GENERATED, acting_user)
        record(actor=acting_user, action="self_inspection.create", obj=report, organization=org,
               after=_audit(report))
    return report


def _audit(report) -> dict:
    fig = report.figures
    return {"period_start": report.period_start.isoformat(), "period_end": report.period_end.isoformat(),
            "version": report.version, "status": report.status, "channels": fig.get("channel_counts", {}),
            "groups": fig.get("group_counts", {}),
            "problems": {k: len(v) for k, v in fig.get("problems", {}).items()}}


def _check_text(next_steps: str, remarks: str) -> None:
    if len(next_steps) > MAX_TEXT:
        raise ValidationError({"next_steps": [gettext("At most %(n)s characters.") % {"n": f"{MAX_TEXT:,}"}]})
    if len(remarks) > MAX_TEXT:
        raise ValidationError({"remarks": [gettext("At most %(n)s characters.") % {"n": f"{MAX_TEXT:,}"}]})


def _locked_draft(report) -> SelfInspectionReport:
    locked = SelfInspectionReport.objects.select_for_update().get(pk=report.pk)
    if locked.status == SelfInspectionReport.Status.FINAL:
        raise ValidationError({"status": [gettext("This report is finalised and can no longer be changed.")]})
    return locked


def _copy(target, source):
    for f in SelfInspectionReport._meta.concrete_fields:
        setattr(target, f.attname, getattr(source, f.attname))
    return target


def do_edit_self_inspection(report: SelfInspectionReport, *, acting_user, next_steps: str | None = None,
                            remarks: str | None = None) -> SelfInspectionReport:
    """The school's own words: next steps and remarks (the counts come from the data, not from typing)."""
    permissions.require(acting_user, Perm.WRITE_REPORTS, report.organization)
    with transaction.atomic():
        locked = _locked_draft(report)
        before = {"next_steps": locked.next_steps, "remarks": locked.remarks}
        if next_steps is not None:
            locked.next_steps = next_steps.strip()
        if remarks is not None:
            locked.remarks = remarks.strip()
        _check_text(locked.next_steps, locked.remarks)
        if before == {"next_steps": locked.next_steps, "remarks": locked.remarks}:
            return _copy(report, locked)
        locked.save()
        _archive(locked, ReportFile.Step.EDITED, acting_user)
        record(actor=acting_user, action="self_inspection.update", obj=locked, organization=locked.organization,
               before=before, after={"next_steps": locked.next_steps, "remarks": locked.remarks,
                                     "version": locked.version})
    return _copy(report, locked)


def do_regenerate_self_inspection(report: SelfInspectionReport, *, acting_user, now=None) -> SelfInspectionReport:
    """Count again (e.g. after closing a group the inspection found); the text the school wrote is kept."""
    permissions.require(acting_user, Perm.WRITE_REPORTS, report.organization)
    now = now or timezone.now()
    with transaction.atomic():
        locked = _locked_draft(report)
        locked.figures = compile_figures(locked.organization, locked.period_start, locked.period_end, now=now)
        locked.generated_at, locked.generated_by = now, acting_user
        locked.save()
        _archive(locked, ReportFile.Step.REGENERATED, acting_user)
        record(actor=acting_user, action="self_inspection.regenerate", obj=locked,
               organization=locked.organization, after=_audit(locked))
    return _copy(report, locked)


def do_finalise_self_inspection(report: SelfInspectionReport, *, acting_user, now=None) -> SelfInspectionReport:
    """Freeze the report: its final version is archived with its SHA-256; no edit or regeneration after it."""
    permissions.require(acting_user, Perm.WRITE_REPORTS, report.organization)
    now = now or timezone.now()
    with transaction.atomic():
        locked = _locked_draft(report)
        locked.status = SelfInspectionReport.Status.FINAL
        locked.finalised_at, locked.finalised_by = now, acting_user
        locked.save()
        row = _archive(locked, ReportFile.Step.FINALISED, acting_user)
        record(actor=acting_user, action="self_inspection.finalise", obj=locked, organization=locked.organization,
               after={**_audit(locked), "sha256": row.sha256})
    return _copy(report, locked)
