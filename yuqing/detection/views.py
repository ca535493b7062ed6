"""Pages of detection: dashboard, mentions with judgement buttons, events, schemes, level rules, periods."""

from __future__ import annotations

from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db import connection
from django.db.models import Count, DateTimeField, F, Window
from django.db.models.functions import Coalesce, Lag, Trunc
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from yuqing import workflow
from yuqing.detection import actions
from yuqing.detection.expressions import ExpressionError
from yuqing.detection.filters import filter_events, filter_mentions
from yuqing.detection.forms import LevelRulesForm, PeriodForm, SchemeForm
from yuqing.detection.models import (
    Event,
    LevelRuleSet,
    Mention,
    Relevance,
    Scheme,
    SensitivePeriod,
    Sentiment,
)
from yuqing.detection.panels import Window as DashboardWindow
from yuqing.detection.panels import panels_for
from yuqing.detection.pipeline import effective_rules
from yuqing.formerrors import apply_errors
from yuqing.keyset import page_or_400
from yuqing.labels import bilingual
from yuqing.labels import label as label_of
from yuqing.levels import Level
from yuqing.monitoring.models import Item, ItemMetric, Source
from yuqing.orgs import permissions
from yuqing.orgs.models import Organization
from yuqing.orgs.permissions import Perm, current_organization, visible_in_current

SHANGHAI = ZoneInfo("Asia/Shanghai")
PAGE_SIZE = 50
MENTION_ORDERING = ("-created_at", "-id")
EVENT_ORDERING = ("-last_seen_at", "-id")
LEVELS = [(int(level), level.label) for level in Level]


def _can(request, perm: Perm) -> bool:
    org = request.organization
    return org is not None and permissions.has_perm(request.user, perm, org)


# ---------------------------------------------------------------------------------------------- dashboard


DASHBOARD_RANGES = {"today": 1, "7": 7, "30": 30}
TREND_DAYS_TODAY = 7  # "today" still shows the week's trend: one point is no trend


def _dashboard_org(request) -> Organization:
    """The current organisation, or (drill-down from a bureau's league table) one below it by `?org=slug`."""
    org = current_organization(request)
    slug = request.GET.get("org")
    if slug and slug != org.slug:
        below = permissions.visible_organizations(request.user).filter(slug=slug, path__startswith=org.path).first()
        if below is None:
            raise Http404("no such organisation")
        org = below
    return org


def _window(key: str, days: int) -> DashboardWindow:
    today = timezone.localdate()
    first = today - timedelta(days=days - 1)
    return DashboardWindow(key=key, first=first, last=today, start=datetime.combine(first, time.min, tzinfo=SHANGHAI),
                  end=datetime.combine(today + timedelta(days=1), time.min, tzinfo=SHANGHAI))


@login_required
def dashboard(request):
    from yuqing.detection import aggregates

    org = _dashboard_org(request)
    key = request.GET.get("range") if request.GET.get("range") in DASHBOARD_RANGES else "today"
    window = _window(key, DASHBOARD_RANGES[key])
    subtree = permissions.org_subtree_ids(org)
    everything = permissions.visible(request.user, Mention.objects.all()).filter(organization__in=subtree)
    scope = everything.filter(created_at__gte=window.start, created_at__lt=window.end)
    # Aggregated in the database: a busy month's mentions are never read into Python.
    by_level = aggregates.by_level(scope)
    by_sentiment = aggregates.by_sentiment(scope)
    trend_window = window if key != "today" else _window("7", TREND_DAYS_TODAY)
    trend = aggregates.per_day(everything.filter(created_at__gte=trend_window.start, created_at__lt=trend_window.end),
                               trend_window.days)
    platforms = sorted(aggregates.by_platform(scope).items(), key=lambda kv: -kv[1])
    sources = list(permissions.visible(request.user, Source.objects.filter(enabled=True, organization__in=subtree))
                   .values_list("flagged", "last_error"))
    open_events = (permissions.visible(request.user, Event.objects.filter(status=Event.Status.OPEN))
                   .filter(organization__in=subtree).select_related("organization")
                   .order_by("-level", "-last_seen_at")[:20])
    return render(request, "detection/dashboard.html", {
        "org": org, "window": window, "ranges": list(DASHBOARD_RANGES),
        "total": sum(by_level.values()),
        "by_level": [(code, label, by_level.get(code, 0)) for code, label in LEVELS],
        "unevented": by_level.get(aggregates.NO_LEVEL, 0),
        "by_sentiment": [(s.value, s.label, by_sentiment.get(s.value, 0)) for s in Sentiment],
        "trend": {"labels": [d[5:] for d in trend["labels"]], "total": trend["total"],
                  **{s.value: trend[s.value] for s in Sentiment},
                  **{f"level_{code}": trend[f"level_{code}"] for code, _label in LEVELS}},
        "level_names": {f"level_{code}": str(label) for code, label in LEVELS},
        "sentiment_names": {s.value: str(s.label) for s in Sentiment},
        "platforms": platforms,
        "platform_chart": {"labels": [label_of(code or "other", "platform") for code, _n in platforms],
                           "values": [n for _code, n in platforms]},
        "top_sources": aggregates.by_source(scope, limit=10),
        "hot_terms": aggregates.json_list_counts(scope, "matched_terms", limit=20),
        "top_posts": aggregates.top_posts(scope, limit=10),
        "open_events": open_events,
        "sources_ok": sum(1 for flagged, error in sources if not flagged and not error),
        "sources_failing": sum(1 for flagged, _error in sources if flagged),
        "sources_warning": sum(1 for flagged, error in sources if not flagged and error),
        "panels": panels_for(request, org, window),
    })


# ---------------------------------------------------------------------------------------------- mentions


@login_required
def mention_list(request):
    qs = visible_in_current(request, Mention.objects.select_related("scheme", "item", "event", "organization",
                                                             "item__source").prefetch_related("schemes"))
    qs = filter_mentions(qs, request.GET)
    page = page_or_400(qs, request.GET, ordering=MENTION_ORDERING, page_size=PAGE_SIZE)
    return render(request, "detection/mention_list.html", {
        "page": page, "schemes": visible_in_current(request, Scheme.objects.all()), "levels": LEVELS,
        "sentiments": Sentiment.choices, "relevances": Relevance.choices, "params": request.GET,
        "can_judge": _can(request, Perm.JUDGE_MENTIONS),
    })


@login_required
@require_POST
def mention_judge(request, pk: int):
    mention = permissions.get_visible_or_404(request.user, Mention.objects.select_related(
        "organization", "scheme", "item", "event"), pk=pk)
    try:
        actions.do_judge_mention(mention, acting_user=request.user,
                                 sentiment=request.POST.get("sentiment") or None,
                                 relevance=request.POST.get("relevance") or None,
                                 note=request.POST.get("note", ""))
    except ValidationError as exc:
        messages.error(request, "; ".join(exc.messages))
    if request.headers.get("HX-Request"):
        return render(request, "detection/_mention_row.html", {"m": mention, "can_judge": True})
    nxt = request.POST.get("next", "")
    if not url_has_allowed_host_and_scheme(nxt, {request.get_host()}, require_https=request.is_secure()):
        nxt = "detection:mention-list"  # never send a person to another site from a form field
    return redirect(nxt)


# ---------------------------------------------------------------------------------------------- events


@login_required
def event_list(request):
    qs = filter_events(visible_in_current(request, Event.objects.select_related("organization")), request.GET)
    page = page_or_400(qs, request.GET, ordering=EVENT_ORDERING, page_size=PAGE_SIZE)
    return render(request, "detection/event_list.html", {"page": page, "levels": LEVELS, "params": request.GET,
                                                          "statuses": Event.Status.choices})


TREND_POINTS = 400


def _bucket_kind(event: Event) -> str:
    """One point per minute while that keeps the chart readable, else per hour, else per day."""
    span = (event.last_seen_at - event.first_seen_at).total_seconds()
    if span <= TREND_POINTS * 60:
        return "minute"
    return "hour" if span <= TREND_POINTS * 3600 else "day"


def _local(bucket) -> datetime:
    """A bucket as naive local time: the ORM gives aware times, the raw query local text (SQLite) or naive."""
    if isinstance(bucket, str):
        bucket = datetime.fromisoformat(bucket)
    return timezone.localtime(bucket).replace(tzinfo=None) if timezone.is_aware(bucket) else bucket


def _trend(event: Event, item_ids=None) -> dict:
    """Cumulative posts by publication time and the summed latest comments over time, aggregated in the database.

    Comments are summed as increments (each observation minus the item's previous one, by a window function),
    so the database returns one row per time bucket however many items and samples the event has.
    """
    kind = _bucket_kind(event)
    tz = timezone.get_current_timezone()
    items = Mention.objects.filter(event=event).values("item_id")
    # Posts count when they were published (first seen when the source gives no time), not when collected.
    counts = (Item.objects.filter(pk__in=items)
              .annotate(bucket=Trunc(Coalesce("published_at", "first_seen_at"), kind, tzinfo=tz,
                                     output_field=DateTimeField()))
              .order_by().values("bucket").annotate(n=Count("id")).values_list("bucket", "n"))
    inner = (ItemMetric.objects.filter(item_id__in=items)
             .annotate(bucket=Trunc("observed_at", kind, tzinfo=tz),
                       delta=Coalesce("comments", 0) - Window(
                           Lag(Coalesce("comments", 0), default=0), partition_by=[F("item_id")],
                           order_by=[F("observed_at").asc(), F("id").asc()]))
             .order_by().values("bucket", "delta"))
    sql, params = inner.query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT bucket, SUM(delta) FROM ({sql}) AS increments GROUP BY bucket", params)
        increments = cursor.fetchall()
    buckets: dict[datetime, list[int]] = {}
    for bucket, n in counts:
        buckets.setdefault(_local(bucket), [0, 0])[0] += n
    for bucket, delta in increments:
        buckets.setdefault(_local(bucket), [0, 0])[1] += int(delta or 0)
    labels, mention_series, comment_series = [], [], []
    mentions = comments = 0
    fmt = "%m-%d" if kind == "day" else "%m-%d %H:%M"
    for bucket in sorted(buckets):
        mentions += buckets[bucket][0]
        comments += buckets[bucket][1]
        labels.append(bucket.strftime(fmt))
        mention_series.append(mentions)
        comment_series.append(comments)
    return {"labels": labels, "mentions": mention_series, "comments": comment_series}


POSTS_PER_PAGE = 50


def _timeline(event: Event) -> list[dict]:
    """Level changes and status changes (close, reopen) of the event in one list, oldest first."""
    rows = [
        {"at": c.at, "kind": "level", "from_level": c.from_level, "from_label": c.get_from_level_display(),
         "to_level": c.to_level, "to_label": c.get_to_level_display(), "reason": bilingual(c.reason_zh, c.reason),
         "actor": c.actor}
        for c in event.level_changes.select_related("actor")
    ]
    states = dict(Event.Status.choices)
    rows += [
        {"at": c.at, "kind": "status", "from_label": states.get(c.from_state, c.from_state),
         "to_label": states.get(c.to_state, c.to_state), "to_state": c.to_state, "reason": c.reason,
         "actor": c.actor}
        for c in workflow.history(event)
    ]
    return sorted(rows, key=lambda r: r["at"])


@login_required
def event_detail(request, pk: int):
    event = permissions.get_visible_or_404(request.user, Event.objects.select_related(
        "organization", "scheme", "representative_item"), pk=pk)
    # The posts are paginated and the source counts aggregated: the page costs the same for 10 or 10,000 posts.
    posts = page_or_400(event.mentions.select_related("item", "item__source", "scheme"), request.GET,
                        ordering=("item__first_seen_at", "id"), page_size=POSTS_PER_PAGE)
    sources = [(name or _("(no source)"), n) for name, n in
               event.mentions.order_by().values_list("item__source__name").annotate(n=Count("id"))
               .order_by("-n")[:20]]
    return render(request, "detection/event_detail.html", {
        "event": event, "level": Level(event.level), "mentions": posts, "page": posts, "sources": sources,
        "timeline": _timeline(event),
        "trend": _trend(event), "levels": LEVELS,
        "merge_targets": Event.objects.filter(organization=event.organization, status=Event.Status.OPEN,
                                              merged_into__isnull=True).exclude(pk=event.pk)
        .order_by("-last_seen_at").only("pk", "title", "level")[:50],
        "can_judge": permissions.has_perm(request.user, Perm.JUDGE_MENTIONS, event.organization),
    })


@login_required
@require_POST
def event_level(request, pk: int):
    event = permissions.get_visible_or_404(request.user, Event.objects.select_related("organization"), pk=pk)
    try:
        actions.do_set_event_level(event, int(request.POST.get("level", "0") or 0), acting_user=request.user,
                                   reason=request.POST.get("reason", ""))
    except (ValidationError, ValueError) as exc:
        messages.error(request, "; ".join(getattr(exc, "messages", [str(exc)])))
    return redirect("detection:event-detail", pk=event.pk)


@login_required
@require_POST
def event_merge(request, pk: int):
    """Merge this event into another of the same organisation (its posts move there, it is closed)."""
    event = permissions.get_visible_or_404(request.user, Event.objects.select_related("organization"), pk=pk)
    target_id = request.POST.get("target", "")
    if not target_id.isdigit():
        messages.error(request, _("target: choose the event to merge into."))
        return redirect("detection:event-detail", pk=event.pk)
    target = permissions.get_visible_or_404(request.user, Event.objects.select_related("organization"),
                                            pk=int(target_id))
    try:
        target = actions.do_merge_events(event, target, acting_user=request.user,
                                         reason=request.POST.get("reason", ""))
    except ValidationError as exc:
        messages.error(request, "; ".join(exc.messages))
        return redirect("detection:event-detail", pk=event.pk)
    messages.success(request, _("The events were merged."))
    return redirect("detection:event-detail", pk=target.pk)


@login_required
@require_POST
def mention_split(request, pk: int):
    """Split a post out of its event into a new event of its own."""
    mention = permissions.get_visible_or_404(request.user, Mention.objects.select_related(
        "organization", "event", "item", "scheme"), pk=pk)
    back = mention.event_id
    try:
        new = actions.do_split_mention(mention, acting_user=request.user, reason=request.POST.get("reason", ""))
    except ValidationError as exc:
        messages.error(request, "; ".join(exc.messages))
        return redirect("detection:event-detail", pk=back) if back else redirect("detection:mention-list")
    messages.success(request, _("The post now has an event of its own."))
    return redirect("detection:event-detail", pk=new.pk)


@login_required
@require_POST
def event_proposal(request, pk: int):
    """研判 of a proposed level: confirm it (takes effect, alerted) or dismiss it with a reason."""
    event = permissions.get_visible_or_404(request.user, Event.objects.select_related("organization"), pk=pk)
    decision = request.POST.get("decision")
    reason = request.POST.get("reason", "")
    try:
        if decision == "confirm":
            actions.do_confirm_event_proposal(event, acting_user=request.user, reason=reason)
            messages.success(request, _("The proposed level now applies."))
        elif decision == "dismiss":
            actions.do_dismiss_event_proposal(event, acting_user=request.user, reason=reason)
            messages.success(request, _("The proposed level was dismissed."))
        else:
            messages.error(request, _("decision: choose confirm or dismiss."))
    except ValidationError as exc:
        messages.error(request, "; ".join(exc.messages))
    return redirect("detection:event-detail", pk=event.pk)


@login_required
@require_POST
def event_close(request, pk: int):
    event = permissions.get_visible_or_404(request.user, Event.objects.select_related("organization"), pk=pk)
    try:
        actions.do_close_event(event, acting_user=request.user, reason=request.POST.get("reason", ""),
                               reopen=request.POST.get("reopen") == "1")
    except ValidationError as exc:
        messages.error(request, "; ".join(exc.messages))
    return redirect("detection:event-detail", pk=event.pk)


# ---------------------------------------------------------------------------------------------- schemes


@login_required
def scheme_list(request):
    schemes = visible_in_current(request, Scheme.objects.select_related("organization").annotate(n=Count("matched_mentions")))
    org = request.organization
    inherited = []
    if org is not None:
        above = [int(p) for p in org.path.strip("/").split("/") if p and int(p) != org.pk]
        inherited = Scheme.objects.filter(organization_id__in=above, applies_to_children=True)
        inherited = permissions.visible(request.user, inherited.select_related("organization"))
    return render(request, "detection/scheme_list.html", {
        "schemes": schemes, "inherited": inherited, "can_manage": _can(request, Perm.MANAGE_SCHEMES),
    })


def _scheme_orgs(request):
    return permissions.visible_organizations(request.user, Perm.MANAGE_SCHEMES)


@login_required
def scheme_create(request):
    org = current_organization(request)
    permissions.require(request.user, Perm.MANAGE_SCHEMES, org)
    form = SchemeForm(request.POST or None, organizations=_scheme_orgs(request), initial={"organization": org})
    if request.method == "POST" and form.is_valid():
        try:
            actions.do_create_scheme(acting_user=request.user, **form.cleaned_data)
            messages.success(request, _("Scheme saved."))
            return redirect("detection:scheme-list")
        except ValidationError as exc:
            apply_errors(form, exc)
    return render(request, "detection/scheme_form.html", {"form": form, "scheme": None})


@login_required
def scheme_edit(request, pk: int):
    scheme = permissions.get_visible_or_404(request.user, Scheme.objects.select_related("organization"), pk=pk)
    permissions.require(request.user, Perm.MANAGE_SCHEMES, scheme.organization)
    initial = {f: getattr(scheme, f) for f in actions.SCHEME_FIELDS} | {"organization": scheme.organization}
    form = SchemeForm(request.POST or None, organizations=_scheme_orgs(request), initial=initial)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        data.pop("organization")
        try:
            actions.do_update_scheme(scheme, acting_user=request.user, **data)
            messages.success(request, _("Scheme saved."))
            return redirect("detection:scheme-list")
        except ValidationError as exc:
            apply_errors(form, exc)
    return render(request, "detection/scheme_form.html", {"form": form, "scheme": scheme})


@login_required
@require_POST
def scheme_delete(request, pk: int):
    scheme = permissions.get_visible_or_404(request.user, Scheme.objects.select_related("organization"), pk=pk)
    actions.do_delete_scheme(scheme, acting_user=request.user)
    messages.success(request, _("Scheme deleted."))
    return redirect("detection:scheme-list")


@login_required
@require_POST
def scheme_preview(request):
    """What the expression would match in the last 7 days' items (htmx fragment), before saving."""
    org = current_organization(request)
    org_id = request.POST.get("organization")
    if org_id and str(org_id).isdigit():
        org = permissions.get_visible_or_404(request.user, Organization.objects.all(), org_field="", pk=int(org_id))
    permissions.require(request.user, Perm.MANAGE_SCHEMES, org)
    expression = request.POST.get("expression", "")
    context = {"expression": expression, "days": actions.PREVIEW_DAYS}
    try:
        found, scanned = actions.preview_scheme(org, expression,
                                                applies_to_children=bool(request.POST.get("applies_to_children")))
        context.update(found=found, scanned=scanned)
    except ExpressionError as exc:
        context.update(error=exc, before=expression[:exc.position], at=expression[exc.position:exc.position + 1],
                       after=expression[exc.position + 1:])
    return render(request, "detection/_scheme_preview.html", context)


# ---------------------------------------------------------------------------------------------- level rules


@login_required
def level_rules(request, slug: str | None = None):
    org = (permissions.get_visible_or_404(request.user, Organization.objects.all(), org_field="", slug=slug)
           if slug else current_organization(request))
    can_manage = permissions.has_perm(request.user, Perm.MANAGE_SCHEMES, org)
    inherited = effective_rules(org.parent) if org.parent_id else effective_rules_root()
    own = getattr(LevelRuleSet.objects.filter(organization=org).first(), "rules", None) or {}
    form = LevelRulesForm(request.POST or None, inherited=inherited, own=own)
    if request.method == "POST":
        permissions.require(request.user, Perm.MANAGE_SCHEMES, org)
        if form.is_valid():
            try:
                actions.do_save_level_rules(org, form.rules(), acting_user=request.user)
                messages.success(request, _("Level rules saved."))
                return redirect("detection:level-rules-org", slug=org.slug)
            except ValidationError as exc:
                apply_errors(form, exc)
    return render(request, "detection/level_rules.html", {
        "org": org, "form": form, "can_manage": can_manage, "effective": effective_rules(org),
        "inherited_from": org.parent,
    })


def effective_rules_root():
    from yuqing.detection.grading import LevelRules

    return LevelRules.defaults()


# ---------------------------------------------------------------------------------------------- periods


@login_required
def period_list(request):
    org = request.organization
    periods = SensitivePeriod.objects.none()
    if org is not None:
        above = [int(p) for p in org.path.strip("/").split("/") if p]
        periods = SensitivePeriod.objects.filter(organization_id__in=above) | visible_in_current(
            request, SensitivePeriod.objects.all())
        periods = periods.select_related("organization").distinct().order_by("-starts_at")
    can_manage = _can(request, Perm.MANAGE_SCHEMES)
    form = None
    if can_manage:
        form = PeriodForm(request.POST or None, organizations=_scheme_orgs(request), initial={"organization": org})
        if request.method == "POST" and form.is_valid():
            try:
                actions.do_create_period(organization=form.cleaned_data["organization"], acting_user=request.user,
                                         **form.period_values())
                messages.success(request, _("Sensitive period saved."))
                return redirect("detection:period-list")
            except ValidationError as exc:
                apply_errors(form, exc)
    now = timezone.now()
    return render(request, "detection/period_list.html", {
        "periods": periods, "form": form, "now": now, "can_manage": can_manage,
        "upcoming_limit": now + timedelta(days=365),
    })


@login_required
@require_POST
def period_delete(request, pk: int):
    period = permissions.get_visible_or_404(request.user, SensitivePeriod.objects.select_related("organization"),
                                            pk=pk)
    actions.do_delete_period(period, acting_user=request.user)
    messages.success(request, _("Sensitive period deleted."))
    return redirect("detection:period-list")
