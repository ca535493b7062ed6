"""Pages of reports: today's daily report with one-click confirmation, the bureau's compliance view."""

from __future__ import annotations

import calendar
from datetime import date

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from yuqing.orgs import permissions
from yuqing.orgs.models import Organization
from yuqing.orgs.permissions import Perm
from yuqing.reports import daily
from yuqing.reports.models import DailyReport


def _day(request) -> date:
    value = request.GET.get("date") or request.POST.get("date")
    if not value:
        return timezone.localdate()
    try:
        return date.fromisoformat(value)
    except ValueError as exc:
        raise Http404(_("Not a date: %(value)s") % {"value": value}) from exc


@login_required
def daily_today(request):
    org = permissions.current_organization(request)
    if org.kind == Organization.Kind.BUREAU:
        return redirect("reports:compliance")
    school = org if org.kind == Organization.Kind.SCHOOL else next(
        (a for a in org.ancestors() if a.kind == Organization.Kind.SCHOOL), org)
    permissions.require(request.user, Perm.VIEW, school)
    day = _day(request)
    report = DailyReport.objects.filter(organization=school, date=day).first()
    if report is None and day == timezone.localdate():
        # The page compiles today's figures on demand, so the person on duty sees them before the compile time.
        report = daily.compile_daily(school, day)
    return _render(request, report, school, day)


@login_required
def daily_detail(request, pk: int):
    report = permissions.get_visible_or_404(request.user, DailyReport.objects.select_related("organization"),
                                            pk=pk)
    return _render(request, report, report.organization, report.date)


def _render(request, report, school, day):
    history = permissions.visible(request.user, DailyReport.objects.filter(organization=school)).select_related(
        "confirmed_by")[:31]
    return render(request, "reports/daily.html", {
        "report": report, "school": school, "day": day, "history": history,
        "can_confirm": permissions.has_perm(request.user, Perm.CONFIRM_REPORTS, school),
    })


@login_required
@require_POST
def daily_confirm(request, pk: int):
    report = permissions.get_visible_or_404(request.user, DailyReport.objects.select_related("organization"), pk=pk)
    if request.POST.get("refresh"):
        daily.compile_daily(report.organization, report.date)
        return redirect(report.get_absolute_url())
    try:
        daily.do_confirm_daily_report(report, acting_user=request.user, remarks=request.POST.get("remarks", ""))
    except ValidationError as exc:
        messages.error(request, "; ".join(exc.messages))
    else:
        messages.success(request, _("Zero report confirmed.") if report.zero else _("Daily report confirmed."))
    return redirect(report.get_absolute_url())


@login_required
def daily_docx(request, pk: int):
    from urllib.parse import quote

    report = permissions.get_visible_or_404(request.user, DailyReport.objects.select_related("organization"), pk=pk)
    response = HttpResponse(daily.report_docx(report),
                            content_type="application/vnd.openxmlformats-officedocument.wordprocessingml.document")
    response["Content-Disposition"] = f"attachment; filename*=UTF-8''{quote(f'日报-{report.date}.docx')}"
    return response


def _bureau(request) -> Organization:
    org = permissions.current_organization(request)
    while org is not None and org.kind != Organization.Kind.BUREAU:
        org = org.parent
    if org is None or not permissions.has_perm(request.user, Perm.VIEW, org):
        raise Http404(_("Only a bureau has a compliance view."))
    return org


@login_required
def compliance_view(request):
    bureau = _bureau(request)
    day = _day(request)
    rows = daily.compliance(bureau, day)
    first = day.replace(day=1)
    days = [first.replace(day=d) for d in range(1, calendar.monthrange(day.year, day.month)[1] + 1)
            if first.replace(day=d) <= timezone.localdate()]
    grid_reports = {(r.organization_id, r.date): r for r in DailyReport.objects.filter(
        organization__path__startswith=bureau.path, date__gte=first, date__lte=days[-1] if days else first)}
    grid = []
    for school in daily.schools_under(bureau):
        cells = []
        for d in days:
            r = grid_reports.get((school.pk, d))
            state = (daily.LATE if r.late else daily.ON_TIME) if r and r.status == DailyReport.Status.CONFIRMED \
                else daily.MISSING
            cells.append(state)
        grid.append((school, cells))
    if request.GET.get("format") == "xlsx":
        return _compliance_xlsx(bureau, day, rows, days, grid)
    return render(request, "reports/compliance.html", {
        "bureau": bureau, "day": day, "rows": rows, "days": days, "grid": grid,
        "missing": sum(r["status"] == daily.MISSING for r in rows),
    })


def _compliance_xlsx(bureau, day, rows, days, grid):
    from yuqing.documents.spreadsheet import Sheet, write_xlsx

    label = {daily.ON_TIME: _("on time"), daily.LATE: _("late"), daily.MISSING: _("missing")}
    today = Sheet(title=day.isoformat(), headers=[_("School"), _("Status"), _("Zero report"), _("On duty"),
                                                  _("Confirmed at"), _("Confirmed by")],
                  rows=[[r["school"], label[r["status"]], _("yes") if r["zero"] else "", r["on_duty"],
                         r["confirmed_at"] or "", r["confirmed_by"]] for r in rows])
    month = Sheet(title=day.strftime("%Y-%m"), headers=[_("School"), *[d.strftime("%d") for d in days]],
                  rows=[[s.name, *[label[c] for c in cells]] for s, cells in grid])
    response = HttpResponse(write_xlsx([today, month]),
                            content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    response["Content-Disposition"] = f'attachment; filename="compliance-{day.isoformat()}.xlsx"'
    return response


@login_required
@require_POST
def compliance_remind(request):
    bureau = _bureau(request)
    day = _day(request)
    told = daily.remind_missing(bureau, day, acting_user=request.user)
    messages.success(request, _("Reminded: %(n)s notices sent.") % {"n": told})
    return redirect(f"{request.path.rsplit('remind/', 1)[0]}?date={day.isoformat()}")
