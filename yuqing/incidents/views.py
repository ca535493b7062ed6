"""Pages of incidents: the case list (a bureau sees its schools'), the case page, opening, evaluation, documents."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db.models import Exists, OuterRef
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from yuqing import workflow
from yuqing.deadlines.actions import deadlines_for
from yuqing.deadlines.models import Deadline
from yuqing.formerrors import apply_errors
from yuqing.incidents import actions
from yuqing.incidents.follow_up import follow_up_summary
from yuqing.incidents.forms import CaseForm, EvaluationForm
from yuqing.incidents.guides import GUIDES
from yuqing.incidents.models import Case, Evaluation, HandlingType
from yuqing.incidents.policy_store import effective_policy
from yuqing.incidents.timeline import timeline
from yuqing.keyset import page_or_400
from yuqing.levels import Level
from yuqing.orgs import permissions
from yuqing.orgs.models import Organization
from yuqing.orgs.permissions import Perm, visible_in_current

ORDERING = ("-opened_at", "-id")
MAX_OVERDUE_SHOWN = 100


def _overdue_subquery():
    from django.contrib.contenttypes.models import ContentType

    return Deadline.objects.filter(subject_type=ContentType.objects.get_for_model(Case),
                                   subject_id=OuterRef("pk_text"), state=Deadline.State.OVERDUE)


def _with_overdue(qs):
    from django.db.models import CharField
    from django.db.models.functions import Cast

    return qs.annotate(pk_text=Cast("pk", CharField())).annotate(is_overdue=Exists(_overdue_subquery()))


@login_required
def case_list(request):
    cases = visible_in_current(request, Case.objects.select_related("organization", "responsible"))
    params = request.GET
    if params.get("level"):
        cases = cases.filter(level=params["level"])
    if params.get("status") == "active":
        cases = cases.filter(status__in=Case.ACTIVE_STATUSES)
    elif params.get("status"):
        cases = cases.filter(status=params["status"])
    if params.get("school"):
        school = Organization.objects.filter(slug=params["school"]).first()
        cases = cases.filter(organization__path__startswith=school.path) if school else cases.none()
    cases = _with_overdue(cases)
    overdue = list(cases.filter(is_overdue=True).order_by(*ORDERING)[:MAX_OVERDUE_SHOWN])
    page = page_or_400(cases.filter(is_overdue=False), request.GET, ordering=ORDERING)
    org = request.organization
    schools = []
    if org is not None and org.kind == Organization.Kind.BUREAU:
        schools = Organization.objects.filter(path__startswith=org.path, kind=Organization.Kind.SCHOOL)
    return render(request, "incidents/case_list.html", {
        "overdue": overdue, "page": page, "params": params, "schools": schools,
        "levels": [(int(lv), lv.label) for lv in Level], "statuses": Case.Status.choices,
        "can_open": org is not None and permissions.has_perm(request.user, Perm.MANAGE_CASES, org),
    })


def _case(request, pk: int) -> Case:
    return permissions.get_visible_or_404(
        request.user, Case.objects.select_related("organization", "event", "responsible", "spokesperson",
                                                  "responsible_unit"), pk=pk)


@login_required
def case_detail(request, pk: int):
    case = _case(request, pk)
    can_manage = permissions.has_perm(request.user, Perm.MANAGE_CASES, case.organization)
    steps = list(deadlines_for(case))
    people = get_user_model().objects.filter(
        memberships__organization__path__startswith=case.organization.path).distinct().order_by("username")
    units = Organization.objects.filter(path__startswith=case.organization.path).exclude(pk=case.organization_id)
    return render(request, "incidents/case_detail.html", {
        "case": case, "can_manage": can_manage, "steps": steps, "now": timezone.now(),
        "step_labels": {d.pk: actions.step_label(actions.step_of(d)) for d in steps},
        "moves": workflow.allowed_moves(case, request.user), "timeline": timeline(case),
        "guide": GUIDES.get(case.handling_type, ""), "guides": [(t.value, t.label, GUIDES[t]) for t in HandlingType],
        "statement": actions.statement_drafts(case).first(), "levels": [(int(lv), lv.label) for lv in Level],
        "follow_up": follow_up_summary(case), "people": people, "units": units,
        "needs_evaluation": effective_policy(case.organization).needs_evaluation(case.level),
        "evaluation": Evaluation.objects.filter(case=case).first(),
        "captures": _captures(case), "posts": actions.case_items(case)[:20],
    })


def _captures(case: Case):
    from yuqing.monitoring.models import Capture

    return Capture.objects.filter(item__in=actions.case_items(case)).select_related("item").prefetch_related(
        "files").order_by("-captured_at", "-id")[:50]


@login_required
def case_create(request):
    org = permissions.current_organization(request)
    permissions.require(request.user, Perm.MANAGE_CASES, org)
    form = CaseForm(request.POST or None, organization=org)
    if request.method == "POST" and form.is_valid():
        try:
            case = actions.do_open_case(organization=org, acting_user=request.user, **form.cleaned_data)
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, _("Case opened; its deadlines are running."))
            return redirect(case.get_absolute_url())
    return render(request, "incidents/case_form.html", {"form": form, "org": org})


@login_required
@require_POST
def case_from_event(request, event_id: int):
    from yuqing.detection.models import Event

    event = permissions.get_visible_or_404(request.user, Event.objects.select_related("organization"), pk=event_id)
    existing = Case.objects.filter(event=event).exclude(status=Case.Status.CLOSED).first()
    if existing is not None:
        return redirect(existing.get_absolute_url())
    try:
        case = actions.do_open_case(organization=event.organization, acting_user=request.user, title=event.title,
                                    level=event.level, event=event)
    except ValidationError as exc:
        messages.error(request, "; ".join(exc.messages))
        return redirect("detection:event-detail", pk=event.pk)
    messages.success(request, _("Case opened; its deadlines are running."))
    return redirect(case.get_absolute_url())


def _post_action(request, pk: int, fn, success: str):
    case = _case(request, pk)
    try:
        fn(case)
    except ValidationError as exc:
        messages.error(request, "; ".join(exc.messages))
    else:
        messages.success(request, success)
    return redirect(case.get_absolute_url())


@login_required
@require_POST
def case_move(request, pk: int):
    return _post_action(request, pk, lambda case: actions.do_move_case(
        case, request.POST.get("to", ""), acting_user=request.user, reason=request.POST.get("reason", ""),
        note=request.POST.get("note", "")), _("Status changed."))


@login_required
@require_POST
def case_level(request, pk: int):
    return _post_action(request, pk, lambda case: actions.do_change_case_level(
        case, acting_user=request.user, level=request.POST.get("level", ""), reason=request.POST.get("reason", "")),
        _("Level changed; the deadlines were recomputed."))


@login_required
@require_POST
def case_people(request, pk: int):
    def update(case):
        users = get_user_model().objects
        changes = {}
        for name in ("responsible", "spokesperson"):
            if name in request.POST:
                value = request.POST.get(name) or None
                changes[name] = users.filter(pk=value).first() if value else None
        if "responsible_unit" in request.POST:
            value = request.POST.get("responsible_unit") or None
            changes["responsible_unit"] = Organization.objects.filter(pk=value).first() if value else None
        if "handling_type" in request.POST:
            changes["handling_type"] = request.POST.get("handling_type", "")
        actions.do_update_case(case, acting_user=request.user, **changes)

    return _post_action(request, pk, update, _("Saved."))


@login_required
@require_POST
def case_meet(request, pk: int, deadline_id: int):
    def meet(case):
        deadline = deadlines_for(case).filter(pk=deadline_id).first()
        if deadline is None or not deadline.is_pending:
            raise ValidationError(_("This step is not open."))
        actions.do_meet_step(deadline, acting_user=request.user, note=request.POST.get("note", ""))

    return _post_action(request, pk, meet, _("Step marked as met."))


@login_required
@require_POST
def case_note(request, pk: int):
    return _post_action(request, pk, lambda case: actions.do_add_note(
        case, acting_user=request.user, text=request.POST.get("text", ""), kind=request.POST.get("kind", "note")),
        _("Note added."))


@login_required
@require_POST
def case_statement(request, pk: int):
    case = _case(request, pk)
    try:
        draft = actions.do_draft_statement(case, acting_user=request.user, body=request.POST.get("body", ""))
    except ValidationError as exc:
        messages.error(request, "; ".join(exc.messages))
        return redirect(case.get_absolute_url())
    messages.success(request, _("Statement drafted; it goes through the review chain like any publication."))
    return redirect("publishing:draft-detail", pk=draft.pk)


@login_required
@require_POST
def case_capture(request, pk: int):
    return _post_action(request, pk, lambda case: actions.do_capture_evidence(case, acting_user=request.user),
                        _("Evidence captured."))


@login_required
def case_evidence_zip(request, pk: int):
    from yuqing.monitoring.evidence import evidence_zip
    from yuqing.monitoring.models import Capture

    case = _case(request, pk)
    captures = Capture.objects.filter(item__in=actions.case_items(case)).order_by("captured_at", "id")
    data = evidence_zip(captures, title=case.title)
    response = HttpResponse(data, content_type="application/zip")
    response["Content-Disposition"] = f'attachment; filename="case-{case.pk}-evidence.zip"'
    return response


def _docx(data: bytes, name: str) -> HttpResponse:
    from urllib.parse import quote

    response = HttpResponse(
        data, content_type="application/vnd.openxmlformats-officedocument.wordprocessingml.document")
    response["Content-Disposition"] = f"attachment; filename*=UTF-8''{quote(name)}"
    return response


@login_required
def case_bulletin(request, pk: int):
    from yuqing.incidents.documents import case_bulletin_docx

    case = _case(request, pk)
    return _docx(case_bulletin_docx(case), f"网络舆情通报-{case.pk}.docx")


@login_required
def case_evaluation(request, pk: int):
    case = _case(request, pk)
    evaluation = Evaluation.objects.filter(case=case).first()
    form = EvaluationForm(request.POST or None, instance=evaluation)
    if request.method == "POST":
        permissions.require(request.user, Perm.MANAGE_CASES, case.organization)
        if form.is_valid():
            try:
                actions.do_save_evaluation(case, acting_user=request.user, **form.cleaned_data)
                if request.POST.get("finalise"):
                    actions.do_finalise_evaluation(case, acting_user=request.user)
            except ValidationError as exc:
                apply_errors(form, exc)
            else:
                messages.success(request, _("Evaluation finalised.") if request.POST.get("finalise")
                                 else _("Evaluation saved."))
                return redirect("incidents:case-evaluation", pk=case.pk)
    return render(request, "incidents/evaluation_form.html", {
        "case": case, "form": form, "evaluation": evaluation,
        "can_manage": permissions.has_perm(request.user, Perm.MANAGE_CASES, case.organization),
    })


@login_required
def case_evaluation_docx(request, pk: int):
    from yuqing.incidents.documents import case_evaluation_docx as build

    case = _case(request, pk)
    return _docx(build(case), f"总结评估-{case.pk}.docx")
