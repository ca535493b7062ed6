"""The statistics page (/reports/stats/): a period and an organisation to choose, charts, tables, XLSX export."""

from __future__ import annotations

from urllib.parse import quote

from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.utils import timezone

from yuqing.labels import label
from yuqing.orgs import permissions
from yuqing.orgs.models import Organization
from yuqing.orgs.permissions import Perm
from yuqing.reports import stats
from yuqing.reports.period import month_of, parse_period, week_of
from yuqing.reports.stats_xlsx import channel_kind_label, level_label, sentiment_label, source_kind_label

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _choosable(request):
    """The bureaus and schools the person may see, for the organisation switch."""
    return permissions.visible_organizations(request.user).filter(
        kind__in=[Organization.Kind.BUREAU, Organization.Kind.SCHOOL]).order_by("path")


def _organization(request) -> Organization:
    slug = request.GET.get("org")
    if slug:
        org = _choosable(request).filter(slug=slug).first()
        if org is None:
            raise Http404("no such organisation")
        return org
    org = permissions.current_organization(request)
    # A unit's statistics are its school's (the page counts whole schools) when the person may see the school.
    while (org.kind == Organization.Kind.UNIT and org.parent_id
           and permissions.has_perm(request.user, Perm.VIEW, org.parent)):
        org = org.parent
    return org


@login_required
def stats_view(request):
    org = _organization(request)
    stats.require_view(request.user, org)
    today = timezone.localdate()
    error = ""
    raw = request.GET.get("period", "")
    try:
        period = parse_period(raw) if raw else month_of(today)
    except ValidationError as exc:
        error, period = " ".join(exc.message_dict["period"]), month_of(today)
    fmt = request.GET.get("format")
    if fmt in stats.EXPORT_FORMATS and not error:
        data = stats.do_export_statistics(org, period, fmt=fmt, acting_user=request.user)
        name = f"统计-{org.name}-{period.code}.{fmt}"
        response = HttpResponse(data, content_type=XLSX if fmt == "xlsx" else "application/json")
        response["Content-Disposition"] = f"attachment; filename*=UTF-8''{quote(name)}"
        return response
    data = stats.statistics(org, period)
    m = data["mentions"]
    charts = {
        "trend": data["trend"],
        # The chart shows the four levels; mentions outside any event are in the table below it.
        "levels": {"labels": [level_label(k) for k in data["events"]["by_level"]],
                   "mentions": [m["by_level"].get(k, 0) for k in data["events"]["by_level"]],
                   "events": list(data["events"]["by_level"].values())},
        "sentiment": {"labels": [sentiment_label(k) for k in m["by_sentiment"]],
                      "values": list(m["by_sentiment"].values())},
        "platform": {"labels": [label(k or "other", "platform") for k in m["by_platform"]],
                     "values": list(m["by_platform"].values())},
        "schools": {"labels": [r["name"] for r in data["schools"]],
                    "mentions": [r["mentions"] for r in data["schools"]],
                    "events": [r["events"] for r in data["schools"]]},
    }
    return render(request, "reports/stats.html", {
        "org": org, "period": period, "data": data, "charts": charts, "error": error, "raw_period": raw,
        "organizations": _choosable(request),
        "months": [month_of(today), month_of(today).previous(), month_of(today).previous().previous()],
        "weeks": [week_of(today), week_of(today).previous()],
        "levels": [(level_label(k), n, data["events"]["by_level"].get(k, 0)) for k, n in m["by_level"].items()],
        "sentiments": [(sentiment_label(k), n) for k, n in m["by_sentiment"].items()],
        "platforms": [(label(k or "other", "platform"), n) for k, n in m["by_platform"].items()],
        "categories": [(label(k, "category"), n) for k, n in m["by_category"]],
        "sources": [(s["name"], source_kind_label(s["kind"]), s["count"]) for s in m["by_source"]],
        "channels": [(c["name"], channel_kind_label(c["kind"]), c["count"]) for c in data["publications"]["by_channel"]],
        "top_events": [dict(e, level_label=level_label(e["level"])) for e in data["top_events"]],
        "show_schools": org.kind != Organization.Kind.SCHOOL,
    })
