"""Weekly and monthly statistics of a school, or of a bureau across its schools (R6.3).

Mentions and events by level, sentiment, category, platform and source; the events with the widest reach;
cases and whether their deadlines were met; publications by channel; and one row per school. Every number
is a grouped query over the organisation's subtree, so a bureau's totals are the sum of its schools' rows plus
its own row ("本级": items collected for the bureau itself), and nothing is counted twice.
"""

from __future__ import annotations

from datetime import datetime

from django.db import transaction
from django.db.models import Count, F, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from yuqing.audit.log import record
from yuqing.detection import aggregates
from yuqing.levels import Level
from yuqing.orgs import permissions
from yuqing.orgs.models import Organization
from yuqing.orgs.permissions import Perm
from yuqing.reports.period import Period

CASE_DEADLINES = "case."  # incidents' deadline kinds ("case.forward", "case.respond", …)
TOP_EVENTS = 10
EXPORT_FORMATS = ("xlsx", "json")


def require_view(user, org: Organization) -> None:
    """A school sees its own statistics, a bureau those of all its schools (404 for anything else)."""
    permissions.require(user, Perm.VIEW, org)


def _tree(org: Organization) -> dict:
    return {"organization_id__in": permissions.org_subtree_ids(org)}


def _school_rows(org: Organization) -> tuple[list[dict], dict[int, int]]:
    """The rows of the per-school table and, for each organisation in the tree, the row it counts in: its
    school, or the organisation's own row for what belongs to the bureau (or a unit directly under it)."""
    tree = list(Organization.objects.filter(pk__in=permissions.org_subtree_ids(org)).order_by("path")
                .values("id", "path", "kind", "name", "slug"))
    rows = [{"id": org.pk, "slug": org.slug, "name": org.name, "own": True}]
    schools = [o for o in tree if o["kind"] == Organization.Kind.SCHOOL and o["id"] != org.pk]
    rows += [{"id": s["id"], "slug": s["slug"], "name": s["name"], "own": False} for s in schools]
    row_of: dict[int, int] = {}
    for o in tree:
        school = next((s for s in schools if o["path"].startswith(s["path"])), None)
        row_of[o["id"]] = school["id"] if school else org.pk
    return rows, row_of


def _spread(rows: list[dict], row_of: dict[int, int], key: str, counts: dict[int, int]) -> None:
    by_id = {r["id"]: r for r in rows}
    for r in rows:
        r.setdefault(key, 0)
    for org_id, n in counts.items():
        target = by_id.get(row_of.get(org_id, -1))
        if target is not None:
            target[key] += n


def _deadline_figures(deadlines, now: datetime) -> dict:
    from yuqing.deadlines.models import Deadline

    State = Deadline.State
    f = deadlines.aggregate(
        total=Count("id"),
        met_on_time=Count("id", filter=Q(state=State.MET, met_at__lte=F("due_at"))),
        met_late=Count("id", filter=Q(state=State.MET, met_at__gt=F("due_at"))),
        overdue=Count("id", filter=Q(state=State.OVERDUE) | Q(state=State.OPEN, due_at__lt=now)),
        waived=Count("id", filter=Q(state=State.WAIVED)),
        pending=Count("id", filter=Q(state=State.OPEN, due_at__gte=now)),
    )
    # "Missed": not met by the due time, whether met later or still outstanding.
    f["missed"] = f["met_late"] + f["overdue"]
    return f


def statistics(org: Organization, period: Period, *, now: datetime | None = None) -> dict:
    """The period's figures for `org` and everything below it, as plain data (also the JSON export)."""
    from yuqing.deadlines.models import Deadline
    from yuqing.detection.models import Event, Mention
    from yuqing.incidents.models import Case
    from yuqing.publishing.models import PublishRecord

    now = now or timezone.now()
    start, end = period.start, period.end
    tree = _tree(org)
    rows, row_of = _school_rows(org)

    mentions = Mention.objects.filter(**tree, created_at__gte=start, created_at__lt=end)
    by_org = aggregates.by_organization(mentions)
    _spread(rows, row_of, "mentions", {k: v["mentions"] for k, v in by_org.items()})
    _spread(rows, row_of, "negative", {k: v["negative"] for k, v in by_org.items()})
    level_counts = aggregates.by_level(mentions)
    sentiment_counts = aggregates.by_sentiment(mentions)

    events = Event.objects.filter(**tree, first_seen_at__gte=start, first_seen_at__lt=end, merged_into__isnull=True)
    event_levels = dict(events.order_by().values_list("level").annotate(n=Count("id")))
    _spread(rows, row_of, "events", dict(events.order_by().values_list("organization_id").annotate(n=Count("id"))))
    reached = (Event.objects.filter(**tree, first_seen_at__lt=end, last_seen_at__gte=start, merged_into__isnull=True)
               .select_related("organization").order_by("-views", "-comments", "-mention_count", "-id")[:TOP_EVENTS])

    cases = Case.objects.filter(**tree)
    opened = cases.filter(opened_at__gte=start, opened_at__lt=end)
    _spread(rows, row_of, "cases_opened",
            dict(opened.order_by().values_list("organization_id").annotate(n=Count("id"))))
    case_levels = dict(opened.order_by().values_list("level").annotate(n=Count("id")))

    deadlines = Deadline.objects.filter(**tree, kind__startswith=CASE_DEADLINES, due_at__gte=start, due_at__lt=end)
    missed = deadlines.filter(Q(state=Deadline.State.OVERDUE) | Q(state=Deadline.State.OPEN, due_at__lt=now)
                              | Q(state=Deadline.State.MET, met_at__gt=F("due_at")))
    _spread(rows, row_of, "deadlines_missed",
            dict(missed.order_by().values_list("organization_id").annotate(n=Count("id"))))

    records = PublishRecord.objects.filter(**tree, status=PublishRecord.Status.PUBLISHED, published_at__gte=start,
                                           published_at__lt=end)
    _spread(rows, row_of, "publications",
            dict(records.order_by().values_list("organization_id").annotate(n=Count("id"))))
    through = PublishRecord.channels.through
    per_channel = (through.objects.filter(publishrecord__in=records).values("channel_id", "channel__name",
                                                                               "channel__kind")
                   .annotate(n=Count("publishrecord_id")).order_by("-n", "channel__name"))

    # The bureau's own row only when it has something or is the only row (a school's statistics).
    if len(rows) > 1 and not any(rows[0][k] for k in ("mentions", "events", "cases_opened", "deadlines_missed",
                                                      "publications")):
        rows = rows[1:]
    return {
        "organization": {"slug": org.slug, "name": org.name, "kind": org.kind},
        "period": {"code": period.code, "kind": period.kind, "first": period.first.isoformat(),
                   "last": period.last.isoformat(), "label": period.label},
        "mentions": {
            "total": sum(level_counts.values()),
            "by_level": {str(k): level_counts.get(k, 0) for k in [aggregates.NO_LEVEL, *map(int, Level)]},
            "by_sentiment": {s: sentiment_counts.get(s, 0) for s in ("negative", "neutral", "positive")},
            "by_category": aggregates.json_list_counts(mentions, "categories"),
            "by_platform": dict(sorted(aggregates.by_platform(mentions).items(), key=lambda kv: -kv[1])),
            "by_source": aggregates.by_source(mentions),
            "hot_terms": aggregates.json_list_counts(mentions, "matched_terms", limit=15),
        },
        "trend": aggregates.per_day(mentions, period.days),
        "events": {"total": sum(event_levels.values()),
                   "by_level": {str(int(lv)): event_levels.get(int(lv), 0) for lv in Level}},
        "top_events": [{"id": e.pk, "title": e.title, "organization": e.organization.name, "level": e.level,
                        "views": e.views, "comments": e.comments, "mentions": e.mention_count,
                        "first_seen_at": timezone.localtime(e.first_seen_at).isoformat(), "status": e.status}
                       for e in reached],
        "cases": {"opened": sum(case_levels.values()),
                  "closed": cases.filter(closed_at__gte=start, closed_at__lt=end).count(),
                  "by_level": {str(int(lv)): case_levels.get(int(lv), 0) for lv in Level}},
        "deadlines": _deadline_figures(deadlines, now),
        "publications": {"total": records.count(),
                         "without_channel": records.filter(channels__isnull=True).count(),
                         "by_channel": [{"id": c["channel_id"], "name": c["channel__name"], "kind": c["channel__kind"],
                                         "count": c["n"]} for c in per_channel]},
        "schools": [{k: v for k, v in r.items() if k != "id"} for r in rows],
    }


def do_export_statistics(org: Organization, period: Period, *, fmt: str = "xlsx", acting_user=None,
                         now: datetime | None = None) -> bytes:
    """The statistics as XLSX (with charts) or JSON; who exported what is audited (a person, or the system from
    the command line when `acting_user` is None)."""
    import json

    from django.core.exceptions import ValidationError

    if acting_user is not None:
        require_view(acting_user, org)
    if fmt not in EXPORT_FORMATS:
        raise ValidationError({"format": [_("Choose XLSX or JSON.")]})
    data = statistics(org, period, now=now)
    if fmt == "json":
        payload = json.dumps(data, ensure_ascii=False, indent=2).encode()
    else:
        from yuqing.reports.stats_xlsx import workbook

        payload = workbook(data)
    with transaction.atomic():
        record(actor=acting_user, action="report.export", obj=org, organization=org,
               after={"report": "statistics", "period": period.code, "format": fmt, "bytes": len(payload)})
    return payload
