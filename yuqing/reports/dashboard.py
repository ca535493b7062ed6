"""What reports adds to the monitoring dashboard: open cases with their deadlines and, on a bureau's dashboard,
the league table of its schools (mentions, open events, overdue cases, daily-report compliance, dormant
channels). Each panel is a fixed number of grouped queries, however many rows there are."""

from __future__ import annotations

from django.db.models import Count, Q
from django.utils import timezone

from yuqing.detection.panels import Panel, Window, dashboard_panel
from yuqing.orgs import permissions
from yuqing.orgs.models import Organization
from yuqing.reports.stats import CASE_DEADLINES, _school_rows

OPEN_CASES = 10


def _counts_by_org(queryset, field: str = "id", *, distinct: bool = False) -> dict[int, int]:
    return dict(queryset.order_by().values_list("organization_id").annotate(n=Count(field, distinct=distinct)))


@dashboard_panel
def open_cases(request, org: Organization, window: Window) -> Panel | None:
    from yuqing.deadlines.models import Deadline
    from yuqing.incidents.models import Case

    subtree = permissions.org_subtree_ids(org)
    cases = list(permissions.visible(request.user, Case.objects.exclude(status=Case.Status.CLOSED))
                 .filter(organization__in=subtree).select_related("organization")
                 .order_by("-level", "opened_at", "pk")[:OPEN_CASES])
    # The content type by its natural key in the same query: the first request of a process costs no extra one.
    pending = (Deadline.objects.filter(subject_type__app_label=Case._meta.app_label,
                                       subject_type__model=Case._meta.model_name, subject_id__in=[str(c.pk) for c in cases],
                                       state__in=[Deadline.State.OPEN, Deadline.State.OVERDUE])
               .order_by("due_at"))
    soonest: dict[str, Deadline] = {}
    for deadline in pending:
        soonest.setdefault(deadline.subject_id, deadline)
    now = timezone.now()
    rows = [{"case": c, "deadline": soonest.get(str(c.pk)),
             "overdue": bool(soonest.get(str(c.pk)) and soonest[str(c.pk)].due_at < now)} for c in cases]
    return Panel("reports/_dashboard_cases.html", {"rows": rows}, order=10)


@dashboard_panel
def school_league(request, org: Organization, window: Window) -> Panel | None:
    """Only on a bureau's dashboard: one row per school, worst first, each a link to that school's dashboard."""
    from yuqing.deadlines.models import Deadline
    from yuqing.detection import aggregates
    from yuqing.detection.models import Event, Mention
    from yuqing.registry.activity import dormant_channels
    from yuqing.registry.models import Channel
    from yuqing.reports import daily
    from yuqing.reports.models import DailyReport

    if org.kind != Organization.Kind.BUREAU:
        return None
    subtree = permissions.org_subtree_ids(org)
    rows, row_of = _school_rows(org)
    schools = {r["id"]: dict(r, mentions=0, negative=0, open_events=0, overdue_cases=0, on_time=0, late=0,
                             dormant=0, confirmed_due=0) for r in rows if not r["own"]}
    if not schools:
        return None

    def add(key: str, counts: dict[int, int]) -> None:
        for org_id, n in counts.items():
            row = schools.get(row_of.get(org_id))
            if row is not None:
                row[key] += n

    mentions = Mention.objects.filter(organization__in=subtree, created_at__gte=window.start,
                                      created_at__lt=window.end)
    by_org = aggregates.by_organization(mentions)
    add("mentions", {k: v["mentions"] for k, v in by_org.items()})
    add("negative", {k: v["negative"] for k, v in by_org.items()})
    add("open_events", _counts_by_org(Event.objects.filter(organization__in=subtree, status=Event.Status.OPEN)))
    now = timezone.now()
    overdue = Deadline.objects.filter(
        Q(state=Deadline.State.OVERDUE) | Q(state=Deadline.State.OPEN, due_at__lt=now),
        organization__in=subtree, kind__startswith=CASE_DEADLINES)
    add("overdue_cases", _counts_by_org(overdue, "subject_id", distinct=True))
    reports = DailyReport.objects.filter(organization__in=subtree, date__gte=window.first, date__lte=window.last,
                                         status=DailyReport.Status.CONFIRMED)
    add("on_time", _counts_by_org(reports.filter(late=False)))
    add("late", _counts_by_org(reports.filter(late=True)))
    # A day counts as missing only once its submission deadline has passed (today's report is not yet late).
    due_days = [d for d in window.days if daily.due_at(d) <= now]
    add("confirmed_due", _counts_by_org(reports.filter(date__in=due_days)) if due_days else {})
    dormant: dict[int, int] = {}
    for channel, _days in dormant_channels(Channel.objects.filter(organization__in=subtree), now):
        dormant[channel.organization_id] = dormant.get(channel.organization_id, 0) + 1
    add("dormant", dormant)
    days = len(due_days)
    for row in schools.values():
        row["missing"] = max(0, days - row["confirmed_due"])
    table = sorted(schools.values(), key=lambda r: (-r["overdue_cases"], -r["open_events"], -r["mentions"],
                                                    r["name"]))
    return Panel("reports/_dashboard_league.html", {"rows": table, "days": days, "window": window}, order=20)
