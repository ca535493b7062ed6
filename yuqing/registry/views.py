"""Pages of the registry: lists with filters, details with history and filings, forms, the bureau's overview."""

from __future__ import annotations

from urllib.parse import quote

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db.models import Q
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from yuqing import workflow
from yuqing.audit.models import AuditRecord
from yuqing.documents import tables
from yuqing.formerrors import apply_errors
from yuqing.orgs import permissions
from yuqing.orgs.models import Organization
from yuqing.orgs.permissions import Perm, current_organization, visible_in_current
from yuqing.registry import actions, checks, overview, roundtrip
from yuqing.registry.activity import (
    Origin,
    days_silent,
    idle_reason,
    is_dormant,
    last_publication,
    with_activity,
)
from yuqing.registry.filing_form import filing_document
from yuqing.registry.forms import (
    ChannelForm,
    ChatGroupForm,
    CommentForm,
    ImportForm,
    InspectionForm,
    ReasonForm,
    ViolationForm,
)
from yuqing.registry.models import (
    Channel,
    ChatGroup,
    Filing,
    RegistrySettings,
    SelfInspection,
    Status,
    Violation,
)
from yuqing.uploads import read_capped

KINDS = {"channels": Channel, "groups": ChatGroup}


def _model(what: str):
    try:
        return KINDS[what]
    except KeyError as exc:
        raise Http404("no such list") from exc


def _can(request, perm, org=None) -> bool:
    org = org or request.organization
    return org is not None and permissions.has_perm(request.user, perm, org)


def _units(org):
    return Organization.objects.filter(path__startswith=org.path, kind="unit").order_by("path")


@login_required
def registry_list(request, what="channels"):
    model = _model(what)
    org = current_organization(request)
    qs = visible_in_current(request, model.objects.select_related("organization", "unit", "responsible"))
    q = {k: request.GET.get(k, "") for k in ("kind", "status", "unit", "flag", "q", "org")}
    if q["org"]:  # drill-down from the bureau's overview into one school
        school = Organization.objects.filter(slug=q["org"], path__startswith=org.path).first()
        qs = qs.filter(organization__path__startswith=school.path) if school else qs.none()
    if q["kind"]:
        qs = qs.filter(kind=q["kind"])
    if q["status"]:
        qs = qs.filter(status=q["status"])
    elif not q["flag"]:
        qs = qs.exclude(status=Status.CLOSED)
    if q["unit"].isdigit():
        qs = qs.filter(unit_id=int(q["unit"]))
    if q["q"]:
        key = "account_id" if model is Channel else "number"
        qs = qs.filter(Q(name__icontains=q["q"]) | Q(**{f"{key}__icontains": q["q"]}))
    if model is Channel:
        rows = list(with_activity(qs))
        for c in rows:
            c.last_at, c.last_origin = last_publication(c)
            c.silent = days_silent(c)
            c.flagged = is_dormant(c)
    else:
        rows = list(qs)
        idle_days = RegistrySettings.for_org(org).idle_days
        today = timezone.localdate()
        for g in rows:
            g.proposal = idle_reason(g, today, idle_days)
            g.flagged = g.proposal is not None
    if q["flag"]:
        rows = [r for r in rows if r.flagged]
    return render(request, "registry/list.html", {
        "what": what, "rows": rows, "q": q, "kinds": model.Kind.choices, "statuses": Status.choices,
        "units": _units(org), "origin_labels": Origin.LABELS,
        "can_apply": _can(request, Perm.APPLY_FILINGS), "can_manage": _can(request, Perm.MANAGE_REGISTRY),
        "open_filings": visible_in_current(request, Filing.objects.filter(status__in=Filing.OPEN_STATUSES)).count(),
    })


@login_required
def registry_new(request, what="channels"):
    model = _model(what)
    org = current_organization(request)
    register = request.GET.get("register") == "1" or request.POST.get("register") == "1"
    permissions.require(request.user, Perm.MANAGE_REGISTRY if register else Perm.APPLY_FILINGS, org)
    form_class = ChannelForm if model is Channel else ChatGroupForm
    form = form_class(request.POST or None, organization=org, applying=not register)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        reason = data.pop("reason", "")
        try:
            if register:
                status = Status.ACTIVE if data.get("responsible") else Status.APPROVED
                obj = actions.do_register(model, org, acting_user=request.user, status=status, **data)
                messages.success(request, _("Entered in the registry."))
            else:
                obj = actions.do_apply(model, org, acting_user=request.user, reason=reason, **data)
                messages.success(request, _("Application filed; the publicity lead has been told."))
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            return redirect(obj.get_absolute_url())
    return render(request, "registry/form.html", {"form": form, "what": what, "register": register, "obj": None})


def _history(obj):
    """State changes with their labels, as people read them."""
    labels = dict(type(obj)._meta.get_field("status").flatchoices)
    changes = list(workflow.history(obj))
    for h in changes:
        h.from_label, h.to_label = labels.get(h.from_state, h.from_state), labels.get(h.to_state, h.to_state)
    return changes


def _get(request, model, pk):
    return permissions.get_visible_or_404(request.user, model.objects.select_related(
        "organization", "unit", "responsible"), pk=pk)


@login_required
def registry_detail(request, what, pk):
    model = _model(what)
    obj = _get(request, model, pk)
    org = obj.organization
    context = {"what": what, "obj": obj, "history": _history(obj),
               "filings": obj.filings.select_related("applicant").order_by("-created_at"),
               "moves": workflow.allowed_moves(obj, request.user),
               "audit": AuditRecord.objects.filter(object_type=model._meta.label_lower, object_id=str(obj.pk))
               .order_by("-created_at")[:20],
               "can_apply": _can(request, Perm.APPLY_FILINGS, org),
               "can_manage": _can(request, Perm.MANAGE_REGISTRY, org),
               "can_source": _can(request, Perm.MANAGE_SOURCES, org),
               "reason_form": ReasonForm(), "open_filing": obj.filings.filter(
                   status__in=Filing.OPEN_STATUSES).first()}
    if model is Channel:
        obj = with_activity(Channel.objects.filter(pk=obj.pk)).select_related("source").get()
        context["obj"] = obj
        context["last_at"], origin = last_publication(obj)
        context["last_origin"] = Origin.LABELS.get(origin, "")
        context["silent"], context["dormant"] = days_silent(obj), is_dormant(obj)
    else:
        context["proposal"] = idle_reason(obj, timezone.localdate(), RegistrySettings.for_org(org).idle_days)
    return render(request, "registry/detail.html", context)


@login_required
def registry_edit(request, what, pk):
    model = _model(what)
    obj = _get(request, model, pk)
    org = obj.organization
    manage = _can(request, Perm.MANAGE_REGISTRY, org)
    if not manage:
        permissions.require(request.user, Perm.APPLY_FILINGS, org)
    form_class = ChannelForm if model is Channel else ChatGroupForm
    form = form_class(request.POST or None, instance=model.objects.get(pk=obj.pk), organization=org,
                      applying=not manage)
    if request.method == "POST" and form.is_valid():
        data = {name: form.cleaned_data[name] for name in form.changed_data if name in actions.FIELDS[model]}
        reason = form.cleaned_data.get("reason", "")
        try:
            if manage:
                actions.do_update(obj, acting_user=request.user, **data)
                messages.success(request, _("Saved."))
            else:
                actions.do_file(obj, Filing.Action.CHANGE, acting_user=request.user, reason=reason, proposed=data)
                messages.success(request, _("Change filed for approval."))
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            return redirect(obj.get_absolute_url())
    return render(request, "registry/form.html", {"form": form, "what": what, "obj": obj, "register": manage})


@login_required
@require_POST
def registry_move(request, what, pk):
    model = _model(what)
    obj = _get(request, model, pk)
    try:
        actions.do_move(obj, request.POST.get("to", ""), acting_user=request.user,
                        reason=request.POST.get("reason", ""))
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("Status is now “%(status)s”.") % {"status": obj.get_status_display()})
    return redirect(obj.get_absolute_url())


@login_required
@require_POST
def registry_file(request, what, pk):
    model = _model(what)
    obj = _get(request, model, pk)
    try:
        filing = actions.do_file(obj, request.POST.get("action", ""), acting_user=request.user,
                                 reason=request.POST.get("reason", ""))
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return redirect(obj.get_absolute_url())
    messages.success(request, _("Application filed; the publicity lead has been told."))
    return redirect(filing.get_absolute_url())


@login_required
@require_POST
def channel_source(request, pk):
    """Create the monitoring source that reads the channel's own publications, in one step."""
    channel = _get(request, Channel, pk)
    try:
        actions.do_create_channel_source(channel, acting_user=request.user, url=request.POST.get("url", ""))
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("Source created; its items now count as the channel's publications."))
    return redirect(channel.get_absolute_url())


# ------------------------------------------------------------------------------------------------ filings

@login_required
def filing_list(request):
    current_organization(request)
    state = request.GET.get("status", "open")
    qs = visible_in_current(request, Filing.objects.select_related("organization", "channel", "group",
                                                                   "applicant"))
    # the bureau's step: filings of its schools waiting for it
    qs = qs.filter(status__in=Filing.OPEN_STATUSES) if state == "open" else (
        qs.filter(status=state) if state in Filing.Status.values else qs)
    return render(request, "registry/filing_list.html", {"filings": qs[:200], "state": state,
                                                         "statuses": Filing.Status.choices})


@login_required
def filing_detail(request, pk):
    filing = permissions.get_visible_or_404(request.user, Filing.objects.select_related(
        "organization", "channel", "group", "applicant", "lead_by", "bureau_by"), pk=pk)
    form = CommentForm(request.POST or None)
    if request.method == "POST":
        decision = request.POST.get("decision")
        try:
            if decision == "withdraw":
                actions.do_withdraw_filing(filing, acting_user=request.user)
            elif decision in ("approve", "reject") and form.is_valid():
                actions.do_decide_filing(filing, acting_user=request.user, approve=decision == "approve",
                                         comment=form.cleaned_data["comment"])
            else:
                raise ValidationError({"comment": _("Choose approve or reject.")})
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, _("Filing is now “%(status)s”.") % {"status": filing.get_status_display()})
            return redirect(filing.get_absolute_url())
    moves = workflow.allowed_moves(filing, request.user)
    can_decide = any(m.target != Filing.Status.WITHDRAWN for m in moves) and request.user.pk != filing.applicant_id
    if can_decide and filing.status == Filing.Status.PENDING:
        can_decide = permissions.has_own_perm(request.user, Perm.APPROVE_FILINGS, filing.organization)
    subject = filing.subject
    proposed = []
    for name, value in filing.proposed.items():
        if value in (None, "") and filing.action == Filing.Action.OPEN:
            continue  # an application lists what it gives, not every empty field
        try:
            label = type(subject)._meta.get_field(name).verbose_name
        except Exception:
            label = name
        proposed.append((label, actions.display_value(subject, name, value)))
    return render(request, "registry/filing_detail.html", {
        "filing": filing, "subject": subject, "form": form, "can_decide": can_decide, "proposed": proposed,
        "can_withdraw": filing.status in Filing.OPEN_STATUSES and request.user.pk == filing.applicant_id,
        "history": _history(filing),
        "subject_what": "channels" if filing.channel_id else "groups",
    })


# -------------------------------------------------------------------------------- checks and inspection

@login_required
def registry_check(request):
    org = current_organization(request)
    findings = checks.run(org)
    return render(request, "registry/check.html", {"findings": findings, "org": org,
                                                   "inspections": SelfInspection.objects.filter(
                                                       organization=org)[:10],
                                                   "form": InspectionForm(),
                                                   "can_manage": _can(request, Perm.MANAGE_REGISTRY, org)})


@login_required
@require_POST
def inspection_record(request):
    org = current_organization(request)
    form = InspectionForm(request.POST)
    if form.is_valid():
        try:
            actions.do_record_inspection(org, acting_user=request.user, confirmed_group_ids=[
                int(x) for x in request.POST.getlist("confirm") if x.isdigit()], **form.cleaned_data)
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            messages.success(request, _("Self-inspection recorded."))
    else:
        messages.error(request, " ".join(f"{form.fields[k].label}: {' '.join(v)}" for k, v in form.errors.items()))
    return redirect("registry:check")


# ------------------------------------------------------------------------------------------- the overview

@login_required
def overview_page(request):
    org = current_organization(request)
    permissions.require(request.user, Perm.VIEW, org)
    rows = overview.rows(org)
    return render(request, "registry/overview.html", {"org": org, "rows": rows, "totals": overview.totals(rows)})


# ------------------------------------------------------------------------------------- files in and out

def _xlsx_response(data: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(data, content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    response["Content-Disposition"] = f"attachment; filename*=UTF-8''{quote(filename)}"
    return response


@login_required
def registry_export(request):
    org = current_organization(request)
    permissions.require(request.user, Perm.VIEW, org)
    template = request.GET.get("template") == "1"
    name = "台账模板.xlsx" if template else f"{org.name}-台账-{timezone.localdate():%Y%m%d}.xlsx"
    return _xlsx_response(roundtrip.export_registry(org, template=template), name)


@login_required
def registry_import(request):
    org = current_organization(request)
    permissions.require(request.user, Perm.APPLY_FILINGS, org)
    form = ImportForm(request.POST or None, request.FILES or None)
    result = None
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            data = read_capped(upload, tables.MAX_BYTES, field="file")
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            result = roundtrip.import_registry(data, upload.name, org, acting_user=request.user)
            if result.errors:
                messages.error(request, _("%(n)s rows were refused; the others were kept.") % {"n": len(result.errors)})
            else:
                messages.success(request, _("Imported."))
    return render(request, "registry/import.html", {"form": form, "result": result, "org": org,
                                                    "can_manage": _can(request, Perm.MANAGE_REGISTRY, org)})


@login_required
def overview_export(request):
    org = current_organization(request)
    permissions.require(request.user, Perm.VIEW, org)
    return _xlsx_response(overview.export(org), f"{org.name}-台账总览-{timezone.localdate():%Y%m%d}.xlsx")


@login_required
def filing_form(request, pk):
    filing = permissions.get_visible_or_404(request.user, Filing.objects.select_related(
        "organization", "channel", "group", "applicant", "lead_by", "bureau_by"), pk=pk)
    response = HttpResponse(filing_document(filing),
                            content_type="application/vnd.openxmlformats-officedocument.wordprocessingml.document")
    response["Content-Disposition"] = f"attachment; filename*=UTF-8''{quote(f'备案登记表-{filing.pk}.docx')}"
    return response


@login_required
def violation_list(request):
    org = current_organization(request)
    can_manage = _can(request, Perm.MANAGE_REGISTRY, org)
    form = ViolationForm(request.POST or None)
    if request.method == "POST":
        permissions.require(request.user, Perm.MANAGE_REGISTRY, org)
        if "rectify" in request.POST:
            violation = permissions.get_visible_or_404(request.user, Violation.objects.all(),
                                                       pk=request.POST.get("rectify"))
            try:
                actions.do_rectify_violation(violation, acting_user=request.user, note=request.POST.get("note", ""))
            except ValidationError as exc:
                messages.error(request, " ".join(exc.messages))
            return redirect("registry:violations")
        if form.is_valid():
            try:
                actions.do_record_violation(org, acting_user=request.user, **form.cleaned_data)
            except ValidationError as exc:
                apply_errors(form, exc)
            else:
                messages.success(request, _("Recorded, with a rectification deadline."))
                return redirect("registry:violations")
    violations = visible_in_current(request, Violation.objects.select_related("organization"))
    return render(request, "registry/violations.html", {"violations": violations, "form": form,
                                                        "can_manage": can_manage, "now": timezone.now()})
