"""Pages of the report documents: the report history with every archived version, self-inspection reports
(generate, edit next steps and remarks, regenerate, finalise) and briefings (generate, regenerate)."""

from __future__ import annotations

from datetime import timedelta
from urllib.parse import quote

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from yuqing.formerrors import apply_errors
from yuqing.levels import Level
from yuqing.orgs import permissions
from yuqing.orgs.models import Organization
from yuqing.orgs.permissions import Perm
from yuqing.reports import archive, briefing, selfinspection
from yuqing.reports.models import Briefing, DailyReport, ReportFile, SelfInspectionReport

DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
HISTORY_DAYS = 62


def _versions_by_report(kind: str, ids) -> dict[int, list[ReportFile]]:
    out: dict[int, list[ReportFile]] = {}
    for row in ReportFile.objects.filter(kind=kind, report_id__in=list(ids)).select_related("made_by"):
        out.setdefault(row.report_id, []).append(row)
    return out


@login_required
def history(request):
    """Each report of the organisation (and its schools) with its versions and who made or confirmed them."""
    kind = request.GET.get("kind", "")
    since = timezone.localdate() - timedelta(days=HISTORY_DAYS)
    sections = []
    if kind in ("", ReportFile.Kind.SELF_INSPECTION):
        rows = list(permissions.visible_in_current(request, SelfInspectionReport.objects.select_related(
            "organization", "generated_by", "finalised_by")))
        sections.append((ReportFile.Kind.SELF_INSPECTION, _("Self-inspection reports"), rows))
    if kind in ("", ReportFile.Kind.BRIEFING):
        rows = list(permissions.visible_in_current(request, Briefing.objects.select_related(
            "organization", "generated_by")))
        sections.append((ReportFile.Kind.BRIEFING, _("Briefings"), rows))
    if kind in ("", ReportFile.Kind.DAILY):
        rows = list(permissions.visible_in_current(request, DailyReport.objects.filter(date__gte=since)
                                                   .select_related("organization", "duty_person", "confirmed_by"))
                    .order_by("-date", "organization__path"))
        sections.append((ReportFile.Kind.DAILY, _("Daily reports"), rows))
    for code, _title, rows in sections:
        versions = _versions_by_report(code, [r.pk for r in rows])
        for r in rows:
            r.archived = versions.get(r.pk, [])
    return render(request, "reports/history.html", {
        "sections": sections, "kind": kind, "kinds": ReportFile.Kind.choices, "since": since})


@login_required
def file_download(request, pk: int):
    row = permissions.get_visible_or_404(request.user, ReportFile.objects.select_related("organization"), pk=pk)
    try:
        data = archive.read(row)
    except (OSError, ValueError):
        return HttpResponse(_("The archived file is missing or damaged; tell the administrator."), status=410,
                            content_type="text/plain; charset=utf-8")
    response = HttpResponse(data, content_type=DOCX)
    response["Content-Disposition"] = f"attachment; filename*=UTF-8''{quote(row.name)}"
    return response


def _schools(request):
    """Schools the person may write a self-inspection report for, in the organisation they work in."""
    orgs = permissions.visible_in_current(request, Organization.objects.filter(kind=Organization.Kind.SCHOOL),
                                          org_field="")
    return [o for o in orgs.order_by("path") if permissions.has_perm(request.user, Perm.WRITE_REPORTS, o)]


class SelfInspectionForm(forms.Form):
    organization = forms.ModelChoiceField(queryset=Organization.objects.none(), label=gettext_lazy("School"),
                                          empty_label=None)
    period_start = forms.DateField(label=gettext_lazy("From"), widget=forms.DateInput(attrs={"type": "date"}))
    period_end = forms.DateField(label=gettext_lazy("To"), widget=forms.DateInput(attrs={"type": "date"}))

    def __init__(self, *args, schools=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["organization"].queryset = Organization.objects.filter(pk__in=[s.pk for s in schools])


@login_required
def self_inspections(request):
    schools = _schools(request)
    today = timezone.localdate()
    first = (today.replace(day=1) - timedelta(days=1)).replace(day=1)
    form = SelfInspectionForm(request.POST or None, schools=schools, initial={
        "period_start": first, "period_end": today.replace(day=1) - timedelta(days=1)})
    if request.method == "POST" and form.is_valid():
        try:
            report = selfinspection.do_generate_self_inspection(
                form.cleaned_data["organization"], period_start=form.cleaned_data["period_start"],
                period_end=form.cleaned_data["period_end"], acting_user=request.user)
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, _("Self-inspection report generated: check it, write the next steps and "
                                        "finalise it."))
            return redirect(report.get_absolute_url())
    reports = permissions.visible_in_current(request, SelfInspectionReport.objects.select_related(
        "organization", "generated_by", "finalised_by"))
    return render(request, "reports/self_inspections.html", {"form": form if schools else None, "reports": reports})


class EditForm(forms.Form):
    next_steps = forms.CharField(label=gettext_lazy("Next steps"), required=False,
                                 widget=forms.Textarea(attrs={"rows": 8}), max_length=selfinspection.MAX_TEXT)
    remarks = forms.CharField(label=gettext_lazy("Remarks"), required=False,
                              widget=forms.Textarea(attrs={"rows": 4}), max_length=selfinspection.MAX_TEXT)


@login_required
def self_inspection(request, pk: int):
    report = permissions.get_visible_or_404(request.user, SelfInspectionReport.objects.select_related(
        "organization", "generated_by", "finalised_by"), pk=pk)
    can_write = permissions.has_perm(request.user, Perm.WRITE_REPORTS, report.organization)
    form = EditForm(request.POST or None, initial={"next_steps": report.next_steps, "remarks": report.remarks})
    if request.method == "POST":
        step = request.POST.get("step", "edit")
        try:
            if step == "finalise":
                selfinspection.do_finalise_self_inspection(report, acting_user=request.user)
                messages.success(request, _("Finalised: the report is frozen and archived."))
                return redirect(report.get_absolute_url())
            if step == "regenerate":
                selfinspection.do_regenerate_self_inspection(report, acting_user=request.user)
                messages.success(request, _("Counted again from the registry and the publications."))
                return redirect(report.get_absolute_url())
            if form.is_valid():
                selfinspection.do_edit_self_inspection(report, acting_user=request.user, **form.cleaned_data)
                messages.success(request, _("Saved as a new version."))
                return redirect(report.get_absolute_url())
        except ValidationError as exc:
            apply_errors(form, exc)
    return render(request, "reports/self_inspection.html", {
        "report": report, "form": form, "data": selfinspection.document_data(report),
        "versions": archive.versions(report), "can_write": can_write,
        "editable": can_write and report.status == SelfInspectionReport.Status.DRAFT})


class BriefingForm(forms.Form):
    organization = forms.ModelChoiceField(queryset=Organization.objects.none(), label=gettext_lazy("Organisation"),
                                          empty_label=None)
    period = forms.CharField(label=gettext_lazy("Period"), max_length=10,
                             help_text=gettext_lazy("A day, an ISO week or a month, written as below."))

    def __init__(self, *args, orgs=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["organization"].queryset = Organization.objects.filter(pk__in=[o.pk for o in orgs])


@login_required
def briefings(request):
    current = permissions.current_organization(request)
    orgs = [o for o in permissions.visible_in_current(request, Organization.objects.exclude(
        kind=Organization.Kind.UNIT), org_field="").order_by("path")
        if permissions.has_perm(request.user, Perm.WRITE_REPORTS, o)]
    today = timezone.localdate()
    week = today.isocalendar()
    form = BriefingForm(request.POST or None, orgs=orgs, initial={
        "organization": current.pk, "period": f"{week.year}-W{week.week:02d}"})
    if request.method == "POST" and form.is_valid():
        try:
            result = briefing.do_generate_briefing(form.cleaned_data["organization"], form.cleaned_data["period"],
                                                   acting_user=request.user)
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, _("Briefing generated (version %(n)s).") % {"n": result.version})
            return redirect(result.get_absolute_url())
    rows = permissions.visible_in_current(request, Briefing.objects.select_related("organization", "generated_by"))
    return render(request, "reports/briefings.html", {"form": form if orgs else None, "briefings": rows,
                                                      "examples": [today.isoformat(), f"{week.year}-W{week.week:02d}",
                                                                   f"{today:%Y-%m}"]})


@login_required
def briefing_detail(request, pk: int):
    row = permissions.get_visible_or_404(request.user, Briefing.objects.select_related(
        "organization", "generated_by"), pk=pk)
    return render(request, "reports/briefing.html", {
        "briefing": row, "versions": archive.versions(row), "events": [
            {**e, "handling_label": briefing.handling_label(e["handling"]), "level": Level(e["level"]).label} for e in row.figures.get("top_events", [])],
        "can_write": permissions.has_perm(request.user, Perm.WRITE_REPORTS, row.organization)})


@login_required
@require_POST
def briefing_regenerate(request, pk: int):
    row = permissions.get_visible_or_404(request.user, Briefing.objects.select_related("organization"), pk=pk)
    try:
        row = briefing.do_generate_briefing(row.organization, row.period, acting_user=request.user)
    except ValidationError as exc:
        messages.error(request, "; ".join(exc.messages))
    else:
        messages.success(request, _("Briefing generated (version %(n)s).") % {"n": row.version})
    return redirect(row.get_absolute_url())
