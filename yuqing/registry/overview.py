"""The bureau's overview: per school, what it runs and how much of it is dormant, idle, unfiled or overdue."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.db.models import Count, Max
from django.utils import timezone

from yuqing.orgs.models import Organization
from yuqing.registry import checks
from yuqing.registry.models import LIVE_STATUSES, Channel, ChatGroup, Filing, SelfInspection


@dataclass
class SchoolRow:
    school: Organization
    channels: dict[str, int] = field(default_factory=dict)
    groups: dict[str, int] = field(default_factory=dict)
    dormant: int = 0
    idle: int = 0
    unfiled: int = 0
    overdue: int = 0
    open_filings: int = 0
    last_inspection: dt.date | None = None

    @property
    def channel_total(self) -> int:
        return sum(self.channels.values())

    @property
    def group_total(self) -> int:
        return sum(self.groups.values())


def schools_under(org: Organization):
    if org.kind == Organization.Kind.SCHOOL:
        return Organization.objects.filter(pk=org.pk)
    return Organization.objects.filter(path__startswith=org.path, kind=Organization.Kind.SCHOOL).order_by("path")


def rows(org: Organization, now: dt.datetime | None = None) -> list[SchoolRow]:
    now = now or timezone.now()
    out = []
    inspected = dict(SelfInspection.objects.filter(organization__path__startswith=org.path)
                     .values("organization").annotate(last=Max("performed_on")).values_list("organization", "last"))
    for school in schools_under(org):
        row = SchoolRow(school=school)
        for model, target in ((Channel, row.channels), (ChatGroup, row.groups)):
            for kind, n in (model.objects.in_tree(school).filter(status__in=LIVE_STATUSES).values("kind")
                            .annotate(n=Count("id")).values_list("kind", "n")):
                target[kind] = n
        findings = checks.run(school, now)
        row.dormant, row.idle, row.unfiled = len(findings.dormant), len(findings.idle), len(findings.unfiled)
        row.overdue = overdue_count(school, now)
        row.open_filings = Filing.objects.filter(organization__path__startswith=school.path,
                                                 status__in=Filing.OPEN_STATUSES).count()
        row.last_inspection = inspected.get(school.pk)
        out.append(row)
    return out


def overdue_count(school: Organization, now: dt.datetime) -> int:
    """Channels and groups still closing after their 7-working-day closure deadline."""
    from yuqing.registry.closure import overdue_closures

    return overdue_closures(school, now)


def totals(table: list[SchoolRow]) -> dict:
    keys = ("dormant", "idle", "unfiled", "overdue", "open_filings", "channel_total", "group_total")
    return {k: sum(getattr(r, k) for r in table) for k in keys}


def export(org: Organization) -> bytes:
    """The overview as XLSX: one row per school, with the counts by kind."""
    from django.utils.translation import override

    from yuqing.documents.spreadsheet import Chart, Sheet, write_xlsx

    table = rows(org)
    with override("zh-hans"):
        channel_kinds = [(k, str(label)) for k, label in Channel.Kind.choices]
        group_kinds = [(k, str(label)) for k, label in ChatGroup.Kind.choices]
    used_c = [k for k in channel_kinds if any(r.channels.get(k[0]) for r in table)]
    used_g = [k for k in group_kinds if any(r.groups.get(k[0]) for r in table)]
    headers = ["学校", "新媒体账号", "工作群", "未更新（14天）", "建议解散的群", "未备案", "逾期未关闭", "待审批备案",
               "最近自查日期", *[label for _k, label in used_c], *[label for _k, label in used_g]]
    data = [[r.school.name, r.channel_total, r.group_total, r.dormant, r.idle, r.unfiled, r.overdue,
             r.open_filings, r.last_inspection, *[r.channels.get(k, 0) for k, _l in used_c],
             *[r.groups.get(k, 0) for k, _l in used_g]] for r in table]
    return write_xlsx([Sheet("台账总览", headers, data, chart=Chart(
        kind="bar", title="各校未更新、建议解散与未备案", data_columns=["未更新（14天）", "建议解散的群", "未备案"],
        category_column="学校") if data else None)])
