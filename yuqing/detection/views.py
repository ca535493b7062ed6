"""Pages of detection: dashboard, mentions with judgement buttons, events, schemes, level rules, periods."""

from __future__ import annotations

from collections import Counter
from datetime import datetime, time, timedelta

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import Count
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from yuqing.detection import actions
from yuqing.detection.expressions import ExpressionError
from yuqing.detection.filters import filter_events, filter_mentions
from yuqing.detection.forms import LevelRulesForm, PeriodForm, SchemeForm
from yuqing.detection.grading import Level
from yuqing.detection.models import (
    Event,
    LevelRuleSet,
    Mention,
    Relevance,
    Scheme,
    SensitivePeriod,
    Sentiment,
)
from yuqing.detection.pipeline import effective_rules
from yuqing.formerrors import apply_errors
from yuqing.monitoring.models import Item, ItemMetric, Source
from yuqing.orgs import permissions
from yuqing.orgs.models import Organization
from yuqing.orgs.permissions import Perm, current_organization, visible_in_current

PAGE_SIZE = 50
LEVELS = [(int(level), level.label) for level in Level]


def _can(request, perm: Perm) -> bool:
    org = request.organization
    return org is not None and permissions.has_perm(request.user, perm, org)


# ---------------------------------------------------------------------------------------------- dashboard


@login_required
def dashboard(request):
    start = timezone.make_aware(datetime.combine(timezone.localdate(), time.min))
    today = visible_in_current(request, Mention.objects.filter(created_at__gte=start))
    by_level = Counter(dict(today.values_list("event__level").annotate(n=Count("id")).values_list("event__level", "n")))
    by_sentiment = Counter()
    for judged, label in today.values_list("judged_sentiment", "sentiment"):
        by_sentiment[judged or label] += 1
    sources = list(visible_in_current(request, Source.objects.filter(enabled=True)).values_list("flagged", "last_error"))
    return render(request, "detection/dashboard.html", {
        "today_total": today.count(),
        "by_level": [(code, label, by_level.get(code, 0)) for code, label in LEVELS],
        "by_sentiment": [(s.value, s.label, by_sentiment.get(s.value, 0)) for s in Sentiment],
        "open_events": visible_in_current(request, Event.objects.filter(status=Event.Status.OPEN))
        .select_related("organization").order_by("-level", "-last_seen_at")[:20],
        "sources_ok": sum(1 for flagged, error in sources if not flagged and not error),
        "sources_failing": sum(1 for flagged, _error in sources if flagged),
        "sources_warning": sum(1 for flagged, error in sources if not flagged and error),
    })


# ---------------------------------------------------------------------------------------------- mentions


@login_required
def mention_list(request):
    qs = visible_in_current(request, Mention.objects.select_related("scheme", "item", "event", "organization",
                                                             "item__source"))
    qs = filter_mentions(qs, request.GET)
    page = Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))
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
    return redirect(request.POST.get("next") or "detection:mention-list")


# ---------------------------------------------------------------------------------------------- events


@login_required
def event_list(request):
    qs = filter_events(visible_in_current(request, Event.objects.select_related("organization")), request.GET)
    page = Paginator(qs.order_by("-last_seen_at"), PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "detection/event_list.html", {"page": page, "levels": LEVELS, "params": request.GET,
                                                          "statuses": Event.Status.choices})


def _trend(event: Event, item_ids: list[int]) -> dict:
    """Cumulative mentions and the summed latest comments over time, one point per minute with observations."""
    points: list[tuple[datetime, str, int, int]] = []
    for item_id, seen in Item.objects.filter(pk__in=item_ids).values_list("pk", "first_seen_at"):
        points.append((seen, "item", item_id, 0))
    for item_id, at, comments in ItemMetric.objects.filter(item_id__in=item_ids).values_list(
            "item_id", "observed_at", "comments"):
        points.append((at, "metric", item_id, comments or 0))
    points.sort(key=lambda p: (p[0], p[1] != "item"))
    latest: dict[int, int] = {}
    mentions = 0
    labels, mention_series, comment_series = [], [], []
    for at, kind, item_id, comments in points:
        if kind == "item":
            mentions += 1
        else:
            latest[item_id] = comments
        label = timezone.localtime(at).strftime("%m-%d %H:%M")
        if labels and labels[-1] == label:
            # One point per minute: a category axis with repeated labels draws the line in the wrong places.
            mention_series[-1], comment_series[-1] = mentions, sum(latest.values())
            continue
        labels.append(label)
        mention_series.append(mentions)
        comment_series.append(sum(latest.values()))
    return {"labels": labels, "mentions": mention_series, "comments": comment_series}


@login_required
def event_detail(request, pk: int):
    event = permissions.get_visible_or_404(request.user, Event.objects.select_related(
        "organization", "scheme", "representative_item"), pk=pk)
    mentions = list(event.mentions.select_related("item", "item__source", "scheme").order_by("item__first_seen_at"))
    item_ids = sorted({m.item_id for m in mentions})
    sources = Counter(m.item.source.name if m.item.source else _("(no source)") for m in mentions)
    return render(request, "detection/event_detail.html", {
        "event": event, "level": Level(event.level), "mentions": mentions, "sources": sources.most_common(),
        "changes": event.level_changes.select_related("actor").order_by("at"),
        "trend": _trend(event, item_ids), "levels": LEVELS,
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
    schemes = visible_in_current(request, Scheme.objects.select_related("organization").annotate(n=Count("mentions")))
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
        "org": org, "form": form, "can_manage": can_manage, "effective": effective_rules(org).to_dict(),
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
