"""Pages: draft lists (mine, waiting for my review, all), the draft page, editing, publish records, the text checker."""

from __future__ import annotations

import io

from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Q
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from yuqing.formerrors import apply_errors
from yuqing.orgs import permissions
from yuqing.orgs.models import Role
from yuqing.orgs.permissions import Perm, current_organization, visible_in_current
from yuqing.publishing import actions, chains, checks, diff, media, richtext
from yuqing.publishing import channels as targets
from yuqing.publishing.forms import (
    AttachmentForm,
    CategoryForm,
    ChainStageForm,
    CheckTextForm,
    DecisionForm,
    DraftForm,
    PreviewForm,
    PublishForm,
)
from yuqing.publishing.highlight import mark_findings
from yuqing.publishing.models import (
    ArchivedFile,
    Attachment,
    Draft,
    Participation,
    PublishRecord,
    ReviewerView,
)
from yuqing.uploads import read_capped

MAX_CHECK_UPLOAD = 5 * 1024 * 1024


def _draft_or_404(request, pk) -> Draft:
    return permissions.get_visible_or_404(
        request.user, Draft.objects.select_related("organization", "author"), pk=pk)


@login_required
def draft_list(request):
    """All drafts of the organisation with filters; tabs for my drafts and those waiting for my review."""
    org = current_organization(request)
    drafts = visible_in_current(request, Draft.objects.all()).select_related("author", "organization")
    tab = request.GET.get("tab", "all")
    params = request.GET
    if tab == "mine":
        drafts = drafts.filter(participations__user=request.user, participations__role="author")
    if params.get("status") in Draft.Status.values:
        drafts = drafts.filter(status=params["status"])
    if params.get("stage", "").isdigit():
        drafts = drafts.filter(status=Draft.Status.IN_REVIEW, current_stage=int(params["stage"]))
    if params.get("category"):
        drafts = drafts.filter(category=params["category"])
    if params.get("channel", "").isdigit():
        drafts = drafts.filter(channels=int(params["channel"]))
    if params.get("author"):
        drafts = drafts.filter(author__username=params["author"])
    if params.get("q"):
        drafts = drafts.filter(Q(title__icontains=params["q"]) | Q(body_text__icontains=params["q"]))
    drafts = drafts.distinct().order_by("-updated_at", "-pk")
    if tab == "review":
        rows = chains.waiting_for(request.user, drafts)
        page = Paginator(rows, 50).get_page(request.GET.get("page"))
    else:
        page = Paginator(drafts, 50).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    stages = chains.stages_for(org)
    authors = get_user_model().objects.filter(drafts__organization__path__startswith=org.path).distinct()
    return render(request, "publishing/draft_list.html", {
        "org": org, "page": page, "tab": tab, "query": query.urlencode(), "selected": params,
        "statuses": Draft.Status.choices, "stages": stages, "categories": actions.categories_for(org),
        "channels": targets.choices_for(org), "authors": authors,
        "may_write": permissions.has_perm(request.user, Perm.WRITE_DRAFTS, org),
        "review_count": len(chains.waiting_for(request.user, visible_in_current(request, Draft.objects.all()))),
    })


def _draft_form(request, org, data=None, initial=None):
    return DraftForm(data, initial=initial, categories=actions.categories_for(org),
                     channels=targets.choices_for(org))


def _editor_html(form, stored: str):
    """What the editor shows: the stored body, or what was typed (sanitised again) when the form had errors."""
    from django.utils.safestring import mark_safe

    if form.is_bound:
        return mark_safe(richtext.sanitize(form.data.get("body", "")).html)
    return mark_safe(stored)  # stored bodies were sanitised when saved


@login_required
def draft_create(request):
    org = current_organization(request)
    permissions.require(request.user, Perm.WRITE_DRAFTS, org)
    form = _draft_form(request, org, request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            draft = actions.do_create_draft(
                organization=org, acting_user=request.user, title=data["title"], body=data["body"],
                category=data["category"], channels=[int(c) for c in data["channels"]],
                is_repost=data["is_repost"], source=data["source"])
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, _("Draft saved as version 1."))
            return redirect("publishing:draft-detail", draft.pk)
    return render(request, "publishing/draft_form.html", {"form": form, "org": org, "draft": None,
                                                          "editor_html": _editor_html(form, "")})


@login_required
def draft_edit(request, pk):
    draft = _draft_or_404(request, pk)
    permissions.require(request.user, Perm.WRITE_DRAFTS, draft.organization)
    initial = {"title": draft.title, "body": draft.body, "category": draft.category, "is_repost": draft.is_repost,
               "source": draft.source, "channels": [str(c.pk) for c in draft.channels.all()]}
    form = _draft_form(request, draft.organization, request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            draft = actions.do_update_draft(
                draft, acting_user=request.user, title=data["title"], body=data["body"], category=data["category"],
                channels=[int(c) for c in data["channels"]], is_repost=data["is_repost"], source=data["source"])
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, _("Saved as version %(n)s.") % {"n": draft.version})
            return redirect("publishing:draft-detail", draft.pk)
    return render(request, "publishing/draft_form.html", {"form": form, "org": draft.organization, "draft": draft,
                                                          "editor_html": _editor_html(form, draft.body)})


@login_required
def draft_detail(request, pk):
    """The draft with its checks in place, the diff since the person last looked, versions, decisions, timeline."""
    draft = _draft_or_404(request, pk)
    versions = list(draft.versions.select_related("saved_by").order_by("-number"))
    seen_before = actions.do_mark_seen(draft, acting_user=request.user)
    compare_to = request.GET.get("since")
    base_number = int(compare_to) if compare_to and compare_to.isdigit() else seen_before
    if base_number is None and len(versions) > 1:
        base_number = None  # first look: nothing to compare with
    base = next((v for v in versions if v.number == base_number), None)
    changes = None
    if base is not None and base.number != draft.version:
        title_diff = diff.char_diff(base.title, draft.title)
        body_diff = diff.char_diff(base.body_text, draft.body_text)
        changes = {"base": base, "title": diff.render_inline(title_diff), "body": diff.render_inline(body_diff),
                   "summary": diff.summary(body_diff), "title_changed": base.title != draft.title}
    stage = draft.stages[draft.current_stage - 1] if draft.status == Draft.Status.IN_REVIEW else None
    mine = Participation.objects.filter(draft=draft, user=request.user).first()
    may_decide = bool(stage) and chains.may_act_at(request.user, stage, draft.organization) and (
        mine is None or (mine.role == "reviewer" and mine.stage == draft.current_stage))
    form_options = {"earlier_stages": draft.stages[: max(draft.current_stage - 1, 0)],
                    "may_override": bool(stage) and draft.current_stage == len(draft.stages)
                    and bool(checks.blocking(draft.findings)) and not draft.block_overridden}
    decision_form = DecisionForm(**form_options)
    if request.method == "POST" and request.POST.get("form") == "decide":
        decision_form = DecisionForm(request.POST, **form_options)
        if decision_form.is_valid():
            data = {"to_stage": None, "override_reason": "", **decision_form.cleaned_data}
            try:
                actions.do_decide_draft(draft, acting_user=request.user, **data)
            except (ValidationError, PermissionDenied) as exc:
                if isinstance(exc, PermissionDenied):
                    decision_form.add_error(None, str(exc))
                else:
                    apply_errors(decision_form, exc)
            else:
                messages.success(request, _("Decision recorded."))
                return redirect("publishing:draft-detail", draft.pk)
    body_findings = [f for f in draft.findings if f["field"] == "body"]
    title_findings = [f for f in draft.findings if f["field"] == "title"]
    timeline = sorted(
        [("version", v.saved_at, v) for v in versions] + [("decision", d.created_at, d)
                                                          for d in draft.decisions.select_related("actor")],
        key=lambda row: row[1], reverse=True)
    return render(request, "publishing/draft_detail.html", {
        "draft": draft, "versions": versions, "changes": changes, "seen_before": seen_before,
        "highlighted_body": mark_findings(draft.body_text, body_findings),
        "highlighted_title": mark_findings(draft.title, title_findings),
        "findings": draft.findings, "blocking": checks.blocking(draft.findings), "stage": stage,
        "may_decide": may_decide, "decision_form": decision_form, "timeline": timeline,
        "attachments": draft.attachment_files.filter(removed=False), "attachment_form": AttachmentForm(),
        "may_write": permissions.has_perm(request.user, Perm.WRITE_DRAFTS, draft.organization)
        and draft.status in actions.EDITABLE and (mine is None or mine.role == "author"),
        "may_submit": draft.status in (Draft.Status.EDITING, Draft.Status.REJECTED)
        and permissions.has_perm(request.user, Perm.WRITE_DRAFTS, draft.organization),
        "participations": draft.participations.select_related("user"),
        "record": getattr(draft, "publish_record", None) if hasattr(draft, "publish_record") else None,
        "channels": draft.channels.all(), "is_final": stage is not None and draft.current_stage == len(draft.stages),
        "viewers": ReviewerView.objects.filter(draft=draft).select_related("user"),
    })


@login_required
def draft_version(request, pk, number):
    draft = _draft_or_404(request, pk)
    version = draft.versions.filter(number=number).select_related("saved_by").first()
    if version is None:
        raise Http404("no such version")
    previous = draft.versions.filter(number=number - 1).first()
    changes = diff.render_inline(diff.char_diff(previous.body_text, version.body_text)) if previous else None
    body_findings = [f for f in version.findings if f.get("field") == "body"]
    return render(request, "publishing/version_detail.html", {
        "draft": draft, "version": version, "previous": previous, "changes": changes,
        "highlighted_body": mark_findings(version.body_text, body_findings)})


@login_required
@require_POST
def draft_submit(request, pk):
    draft = _draft_or_404(request, pk)
    try:
        actions.do_submit_draft(draft, acting_user=request.user)
    except ValidationError as exc:
        for errors in exc.message_dict.values():
            for e in errors:
                messages.error(request, e)
    else:
        messages.success(request, _("Submitted for review."))
    return redirect("publishing:draft-detail", draft.pk)


@login_required
@require_POST
def draft_withdraw(request, pk):
    draft = _draft_or_404(request, pk)
    try:
        actions.do_withdraw_draft(draft, acting_user=request.user)
    except ValidationError as exc:
        messages.error(request, "; ".join(exc.messages))
    return redirect("publishing:draft-detail", draft.pk)


@login_required
@require_POST
def attachment_add(request, pk):
    draft = _draft_or_404(request, pk)
    form = AttachmentForm(request.POST, request.FILES)
    if form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            data = read_capped(upload, media.MAX_VIDEO_BYTES, field="file")
            actions.do_add_attachment(draft, acting_user=request.user, data=data, name=upload.name)
        except ValidationError as exc:
            messages.error(request, "; ".join(exc.messages))
        else:
            messages.success(request, _("Attachment checked and added."))
    else:
        messages.error(request, _("Choose a file."))
    return redirect("publishing:draft-detail", draft.pk)


@login_required
@require_POST
def attachment_remove(request, pk):
    attachment = permissions.get_visible_or_404(request.user, Attachment.objects.select_related("draft"),
                                                "draft__organization", pk=pk)
    try:
        actions.do_remove_attachment(attachment, acting_user=request.user)
    except ValidationError as exc:
        messages.error(request, "; ".join(exc.messages))
    return redirect("publishing:draft-detail", attachment.draft_id)


@login_required
def attachment_file(request, pk):
    attachment = permissions.get_visible_or_404(request.user, Attachment.objects.all(), "draft__organization", pk=pk)
    return FileResponse(attachment.file.open("rb"), content_type=attachment.content_type,
                        filename=attachment.name)


@login_required
def publication_list(request):
    org = current_organization(request)
    records = visible_in_current(request, PublishRecord.objects.all()).prefetch_related("channels")
    page = Paginator(records.order_by("-approved_at", "-pk"), 50).get_page(request.GET.get("page"))
    return render(request, "publishing/publication_list.html", {"org": org, "page": page})


@login_required
def publication_detail(request, pk):
    record = permissions.get_visible_or_404(request.user, PublishRecord.objects.select_related("draft"), pk=pk)
    preview_form, publish_form = PreviewForm(), PublishForm(initial={"url": record.url})
    if request.method == "POST":
        which = request.POST.get("form")
        try:
            if which == "preview":
                preview_form = PreviewForm(request.POST)
                if preview_form.is_valid():
                    actions.do_record_preview(record, acting_user=request.user, **preview_form.cleaned_data)
                    messages.success(request, _("Test send recorded."))
                    return redirect("publishing:publication-detail", record.pk)
            elif which == "publish":
                publish_form = PublishForm(request.POST)
                if publish_form.is_valid():
                    actions.do_publish(record, acting_user=request.user, **publish_form.cleaned_data)
                    messages.success(request, _("Marked as published."))
                    return redirect("publishing:publication-detail", record.pk)
            elif which == "url":
                publish_form = PublishForm(request.POST)
                if publish_form.is_valid():
                    actions.do_set_publication_url(record, acting_user=request.user, **publish_form.cleaned_data)
                    return redirect("publishing:publication-detail", record.pk)
        except ValidationError as exc:
            apply_errors(publish_form if which != "preview" else preview_form, exc)
    return render(request, "publishing/publication_detail.html", {
        "record": record, "draft": record.draft, "archive": record.archive.all(), "channels": record.channels.all(),
        "preview_form": preview_form, "publish_form": publish_form,
        "may_publish": permissions.has_perm(request.user, Perm.PUBLISH_DRAFTS, record.organization),
    })


@login_required
def archive_file(request, pk):
    item = permissions.get_visible_or_404(request.user, ArchivedFile.objects.all(), "record__organization", pk=pk)
    return FileResponse(item.file.open("rb"), as_attachment=True, filename=item.name)


def _read_upload(upload) -> str:
    data = upload.read(MAX_CHECK_UPLOAD + 1)
    if len(data) > MAX_CHECK_UPLOAD:
        raise ValidationError({"file": [_("At most 5 MB.")]})
    name = upload.name.lower()
    if name.endswith(".docx"):
        from docx import Document

        try:
            doc = Document(io.BytesIO(data))
        except Exception as exc:  # python-docx raises several kinds for a file that is not a DOCX
            raise ValidationError({"file": [_("This is not a readable .docx file.")]}) from exc
        return "\n".join(p.text for p in doc.paragraphs)
    if name.endswith(".txt"):
        for encoding in ("utf-8-sig", "gb18030"):
            try:
                return data.decode(encoding)
            except UnicodeDecodeError:
                continue
        raise ValidationError({"file": [_("The text file is neither UTF-8 nor GB18030.")]})
    raise ValidationError({"file": [_("Upload a .docx or .txt file.")]})


@login_required
def check_text_page(request):
    """Any member pastes a text or uploads a file and sees the findings in place (the `yuqing check-text` engine)."""
    form = CheckTextForm(request.POST or None, request.FILES or None)
    result = None
    if request.method == "POST" and form.is_valid():
        text = form.cleaned_data["text"] or ""
        try:
            if form.cleaned_data.get("file"):
                text = _read_upload(form.cleaned_data["file"])
            if not text.strip():
                raise ValidationError({"text": [_("Paste a text or choose a file.")]})
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            findings = checks.check_text(text, check_links=form.cleaned_data["check_links"])
            result = {"text": text, "findings": findings, "highlighted": mark_findings(text, findings),
                      "blocking": checks.blocking(findings)}
    return render(request, "publishing/check_text.html", {"form": form, "result": result})


@login_required
def chain_config(request):
    """The organisation's review chain: stages, who may act, time limits; or inherit the bureau's."""
    org = current_organization(request)
    permissions.require(request.user, Perm.MANAGE_REVIEW_CHAINS, org)
    current = chains.stages_for(org)
    owner = chains.chain_owner(org)
    User = get_user_model()
    names = {u.pk: u.username for u in User.objects.filter(pk__in={p for s in current for p in s["people"]})}
    slots = max(len(current) + 1, 4)
    forms_ = []
    for i in range(slots):
        stage = current[i] if i < len(current) else None
        initial = {"name": stage["name"], "roles": stage["roles"], "hours": stage["hours"],
                   "people": ", ".join(names.get(p, str(p)) for p in stage["people"])} if stage else {}
        forms_.append(ChainStageForm(request.POST or None, prefix=f"s{i}", initial=initial, roles=Role.choices))
    error = None
    category_form = CategoryForm(prefix="cat")
    if request.method == "POST" and request.POST.get("form") == "category":
        category_form = CategoryForm(request.POST, prefix="cat")
        if category_form.is_valid():
            try:
                actions.do_add_category(org, acting_user=request.user, **category_form.cleaned_data)
            except ValidationError as exc:
                apply_errors(category_form, exc)
            else:
                messages.success(request, _("Category added."))
                return redirect("publishing:chain")
        forms_ = [ChainStageForm(prefix=f"s{i}", initial=f.initial, roles=Role.choices) for i, f in enumerate(forms_)]
    elif request.method == "POST":
        if request.POST.get("inherit"):
            actions.do_configure_chain(org, acting_user=request.user, stages=[])
            messages.success(request, _("This organisation now uses the inherited chain."))
            return redirect("publishing:chain")
        if all(f.is_valid() for f in forms_):
            stages = []
            try:
                for f in forms_:
                    d = f.cleaned_data
                    if not d["name"]:
                        continue
                    usernames = [u.strip() for u in d["people"].replace("，", ",").split(",") if u.strip()]
                    found = dict(User.objects.filter(username__in=usernames).values_list("username", "pk"))
                    missing = [u for u in usernames if u not in found]
                    if missing:
                        raise ValidationError({"stages": [_("Unknown people: %(ids)s.") % {"ids": ", ".join(missing)}]})
                    stages.append({"name": d["name"], "roles": d["roles"], "people": [found[u] for u in usernames],
                                   "hours": d["hours"]})
                if not stages:
                    raise ValidationError({"stages": [_("Name at least one stage, or choose to inherit.")]})
                actions.do_configure_chain(org, acting_user=request.user, stages=stages)
            except ValidationError as exc:
                error = "; ".join(f"{k}: {', '.join(v)}" for k, v in exc.message_dict.items())
            else:
                messages.success(request, _("Review chain saved."))
                return redirect("publishing:chain")
    return render(request, "publishing/chain_config.html", {
        "org": org, "forms": forms_, "owner": owner, "current": current, "error": error,
        "category_form": category_form, "categories": actions.categories_for(org)})
