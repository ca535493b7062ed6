"""The public-opinion briefing (舆情简报) of an organisation for a day, an ISO week or a month: the period's
events with their level, summary and handling status (the case's), and the trend per day.

`parse_period("2026-12-01" | "2026-W48" | "2026-11")` names the period; `compile_figures` counts in the database;
`document` renders the stored figures; `do_generate_briefing` stores (or regenerates) the briefing of that
period and archives its DOCX as a new version.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Count, Q
from django.db.models.functions import TruncDate
from django.utils import timezone, translation
from django.utils.translation import gettext

from yuqing.audit.log import record
from yuqing.orgs import permissions
from yuqing.orgs.models import Organization
from yuqing.orgs.permissions import Perm
from yuqing.reports import archive
from yuqing.reports.models import Briefing, ReportFile

MAX_EVENTS = 30
NO_CASE = "no_case"


@dataclass(frozen=True)
class Period:
    code: str  # as given: 2026-12-01, 2026-W48, 2026-11
    kind: str  # Briefing.Period
    start: dt.date
    end: dt.date  # inclusive

    @property
    def label(self) -> str:
        from yuqing.documents.official import chinese_date

        if self.kind == Briefing.Period.DAY:
            return chinese_date(self.start)
        if self.kind == Briefing.Period.WEEK:
            week = self.start.isocalendar()
            return (f"{week.year}年第{week.week}周（{self.start.month}月{self.start.day}日至"
                    f"{self.end.month}月{self.end.day}日）")
        return f"{self.start.year}年{self.start.month}月"

    def days(self) -> list[dt.date]:
        return [self.start + dt.timedelta(days=i) for i in range((self.end - self.start).days + 1)]


def parse_period(value: str) -> Period:
    """A day (2026-12-01), an ISO week (2026-W48) or a month (2026-11); a ValidationError naming `period`."""
    value = (value or "").strip()
    try:
        if m := re.fullmatch(r"(\d{4})-W(\d{1,2})", value, flags=re.IGNORECASE):
            start = dt.date.fromisocalendar(int(m[1]), int(m[2]), 1)
            return Period(f"{m[1]}-W{int(m[2]):02d}", Briefing.Period.WEEK, start, start + dt.timedelta(days=6))
        if m := re.fullmatch(r"(\d{4})-(\d{1,2})", value):
            start = dt.date(int(m[1]), int(m[2]), 1)
            nxt = dt.date(start.year + start.month // 12, start.month % 12 + 1, 1)
            return Period(f"{start:%Y-%m}", Briefing.Period.MONTH, start, nxt - dt.timedelta(days=1))
        if re.fullmatch(r"\d{4}-\d{2}-\d{2}", value):
            day = dt.date.fromisoformat(value)
            return Period(day.isoformat(), Briefing.Period.DAY, day, day)
    except ValueError:
        pass
    raise ValidationError({"period": [gettext("Give a day (2026-12-01), a week (2026-W48) or a month (2026-11).")]})


def _bounds(period: Period) -> tuple[dt.datetime, dt.datetime]:
    lo = timezone.make_aware(dt.datetime.combine(period.start, dt.time.min))
    return lo, timezone.make_aware(dt.datetime.combine(period.end + dt.timedelta(days=1), dt.time.min))


def _local_day(value) -> dt.date:
    # TruncDate returns a date on PostgreSQL and SQLite alike with tzinfo given; guard against a datetime
    return value.date() if isinstance(value, dt.datetime) else value


def compile_figures(org: Organization, period: Period, *, today: dt.date | None = None) -> dict:
    from yuqing.detection.models import Event, Mention
    from yuqing.incidents.models import Case

    lo, hi = _bounds(period)
    today = today or timezone.localdate()
    tree = {"organization__path__startswith": org.path}
    tz = timezone.get_current_timezone()
    mentions = Mention.objects.filter(**tree, created_at__gte=lo, created_at__lt=hi)
    per_day = {_local_day(d): (n, neg) for d, n, neg in mentions.annotate(day=TruncDate("created_at", tzinfo=tz))
               .order_by().values("day").annotate(n=Count("id"), neg=Count("id", filter=Q(sentiment="negative")))
               .values_list("day", "n", "neg")}
    # the events of the period: those seen during it (new or still spreading), not merged into another
    events = Event.objects.filter(**tree, first_seen_at__lt=hi, last_seen_at__gte=lo, merged_into__isnull=True)
    new_per_day = {_local_day(d): n for d, n in events.filter(first_seen_at__gte=lo).annotate(
        day=TruncDate("first_seen_at", tzinfo=tz)).order_by().values("day").annotate(n=Count("id"))
        .values_list("day", "n")}
    by_level = {int(k): n for k, n in events.order_by().values_list("level").annotate(n=Count("id"))}
    chosen = list(events.select_related("representative_item").order_by("-level", "-mention_count", "-last_seen_at")
                  [:MAX_EVENTS])
    cases = {}
    for case in Case.objects.filter(event__in=chosen).order_by("opened_at"):
        cases.setdefault(case.event_id, case)
    rows = []
    for e in chosen:
        case = cases.get(e.pk)
        item = e.representative_item
        summary = (case.summary if case and case.summary else (item.text or item.title) if item else "")
        rows.append({"id": e.pk, "title": e.title, "level": e.level, "mentions": e.mention_count,
                     "first_seen": timezone.localtime(e.first_seen_at).strftime("%Y-%m-%d %H:%M"),
                     "summary": " ".join(summary.split())[:300], "event_status": e.status,
                     "case": case.pk if case else None, "handling": case.status if case else NO_CASE})
    # an incident reported by telephone or letter is a case without an event: it belongs in the briefing too
    lone = (Case.objects.filter(**tree, event__isnull=True, opened_at__lt=hi)
            .filter(Q(closed_at__isnull=True) | Q(closed_at__gte=lo)).order_by("-level", "opened_at"))
    for case in lone[:MAX_EVENTS]:
        by_level[case.level] = by_level.get(case.level, 0) + 1
        rows.append({"id": None, "title": case.title, "level": case.level, "mentions": 0,
                     "first_seen": timezone.localtime(case.opened_at).strftime("%Y-%m-%d %H:%M"),
                     "summary": " ".join(case.summary.split())[:300], "event_status": "",
                     "case": case.pk, "handling": case.status})
    rows.sort(key=lambda r: (-r["level"], r["first_seen"]))
    cases_in_tree = Case.objects.filter(**tree)
    return {
        "mentions": mentions.count(), "negative": mentions.filter(sentiment="negative").count(),
        "events": sum(by_level.values()), "events_by_level": {str(k): by_level.get(k, 0) for k in (1, 2, 3, 4)},
        "cases_opened": cases_in_tree.filter(opened_at__gte=lo, opened_at__lt=hi).count(),
        "cases_closed": cases_in_tree.filter(closed_at__gte=lo, closed_at__lt=hi).count(),
        "trend": [{"date": d.isoformat(), "mentions": per_day.get(d, (0, 0))[0],
                   "negative": per_day.get(d, (0, 0))[1], "events": new_per_day.get(d, 0)}
                  for d in period.days() if d <= today],  # a running week or month: no empty days ahead
        "top_events": rows,
    }


def handling_label(code: str) -> str:
    from yuqing.incidents.models import Case

    if code == NO_CASE:
        return gettext("No case opened")
    return str(Case.Status(code).label) if code in Case.Status.values else code


def document(briefing: Briefing) -> bytes:
    from yuqing.documents.briefing import BriefingData, BriefingEvent, TrendDay, briefing_docx
    from yuqing.levels import Level

    fig = briefing.figures or {}
    period = parse_period(briefing.period)
    with translation.override("zh-hans"):
        data = BriefingData(
            issuer=briefing.organization.name, kind=briefing.period_kind, period_label=period.label,
            mentions=fig.get("mentions", 0), negative=fig.get("negative", 0),
            events_by_level=[(Level(int(k)).label, n) for k, n in sorted(fig.get("events_by_level", {}).items())],
            cases_opened=fig.get("cases_opened", 0), cases_closed=fig.get("cases_closed", 0),
            events=[BriefingEvent(e["title"], Level(e["level"]).label, e["first_seen"], e["mentions"], e["summary"],
                                  handling_label(e["handling"])) for e in fig.get("top_events", [])],
            trend=[TrendDay(dt.date.fromisoformat(t["date"]), t["mentions"], t["negative"], t["events"])
                   for t in fig.get("trend", [])] if briefing.period_kind != Briefing.Period.DAY else [],
            issue_number=f"第{briefing.version}版" if briefing.version > 1 else "",
            date=timezone.localtime(briefing.generated_at).date())
        return briefing_docx(data)


def file_name(briefing: Briefing) -> str:
    return f"舆情简报-{briefing.organization.name}-{briefing.period}-v{briefing.version}.docx"


def do_generate_briefing(org: Organization, period: str | Period, *, acting_user, now=None) -> Briefing:
    """The briefing of the period, generated again if it exists (a new version; the older ones stay)."""
    permissions.require(acting_user, Perm.WRITE_REPORTS, org)
    period = period if isinstance(period, Period) else parse_period(period)
    now = now or timezone.now()
    if period.start > timezone.localtime(now).date():
        raise ValidationError({"period": [gettext("The period has not started yet.")]})
    figures = compile_figures(org, period)
    with transaction.atomic():
        briefing, created = Briefing.objects.select_for_update().get_or_create(
            organization=org, period=period.code, defaults={
                "period_kind": period.kind, "period_start": period.start, "period_end": period.end,
                "generated_at": now, "generated_by": acting_user, "figures": figures})
        if not created:
            briefing.figures, briefing.generated_at, briefing.generated_by = figures, now, acting_user
        briefing.version += 1
        briefing.save()
        row = archive.store(briefing, document(briefing), name=file_name(briefing), acting_user=acting_user,
                            step=ReportFile.Step.GENERATED if created else ReportFile.Step.REGENERATED,
                            version=briefing.version)
        record(actor=acting_user, action="briefing.create" if created else "briefing.regenerate", obj=briefing,
               organization=org, after={"period": period.code, "version": briefing.version, "sha256": row.sha256,
                                        "mentions": figures["mentions"], "events": figures["events"]})
    return briefing


def render(org: Organization, period: str | Period) -> bytes:
    """The briefing's DOCX from the data as it is now, without storing anything (the command line)."""
    period = period if isinstance(period, Period) else parse_period(period)
    briefing = Briefing(organization=org, period=period.code, period_kind=period.kind, period_start=period.start,
                        period_end=period.end, figures=compile_figures(org, period), version=1,
                        generated_at=timezone.now())
    return document(briefing)
