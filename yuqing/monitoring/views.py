"""Pages for sources (with health and "test now"), items, tips and file imports."""

from __future__ import annotations

import json
from datetime import datetime, time

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db.models import Q
from django.http import FileResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from yuqing.collection.connectors import fileimport, tip
from yuqing.collection.entries import Platform
from yuqing.collection.errors import ConfigError
from yuqing.formerrors import apply_errors
from yuqing.keyset import page_or_400
from yuqing.monitoring import actions
from yuqing.monitoring.forms import ImportForm, SourceForm, TipForm
from yuqing.monitoring.health import health, health_text
from yuqing.monitoring.models import Evidence, Item, Source
from yuqing.monitoring.pipeline import plain_error, preview_source
from yuqing.orgs import permissions
from yuqing.orgs.permissions import Perm, current_organization, visible_in_current
from yuqing.system import runs
from yuqing.uploads import read_capped

PAGE_SIZE = 50
ITEM_ORDERING = ("-first_seen_at", "-id")


def _source(request, pk: int) -> Source:
    return permissions.get_visible_or_404(request.user, Source.objects.select_related("organization"), pk=pk)


# ------------------------------------------------------------------------------------------------ sources

@login_required
def source_list(request):
    sources = list(visible_in_current(request, Source.objects.select_related("organization")))
    for s in sources:
        s.health_state, s.health_words = health(s), health_text(s)
    org = request.organization
    return render(request, "monitoring/source_list.html", {
        "sources": sources,
        "can_manage": org is not None and permissions.has_perm(request.user, Perm.MANAGE_SOURCES, org),
        "can_tip": org is not None and permissions.has_perm(request.user, Perm.SUBMIT_TIP, org),
    })


def _form_kwargs(request, org):
    return {
        "organizations": permissions.visible_organizations(request.user, Perm.MANAGE_SOURCES),
        "can_allow_private": permissions.has_perm(request.user, Perm.MANAGE_ORGANIZATION, org),
    }


@login_required
def source_create(request):
    org = current_organization(request)
    permissions.require(request.user, Perm.MANAGE_SOURCES, org)
    form = SourceForm(request.POST or None, initial={"organization": org}, **_form_kwargs(request, org))
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        target = data.pop("organization")
        if "allow_private" in form.fields and form.fields["allow_private"].disabled:
            data["allow_private"] = False
        try:
            source = actions.do_create_source(organization=target, acting_user=request.user, **data)
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            if source.kind == Source.Kind.WEBHOOK and not data.get("secret"):
                messages.success(request, _("Source created. Its signing secret (shown only now): %(secret)s")
                                 % {"secret": source.secret})
            else:
                messages.success(request, _("Source created."))
            return redirect("monitoring:source-edit", pk=source.pk)
    return render(request, "monitoring/source_form.html", {"form": form, "org": org})


@login_required
def source_edit(request, pk):
    source = _source(request, pk)
    can_manage = permissions.has_perm(request.user, Perm.MANAGE_SOURCES, source.organization)
    initial = {"name": source.name, "kind": source.kind, "url": source.url,
               "options": json.dumps(source.options, ensure_ascii=False, indent=2) if source.options else "",
               "interval_seconds": source.interval_seconds, "enabled": source.enabled,
               "respect_robots": source.respect_robots, "allow_private": source.allow_private}
    form = SourceForm(request.POST or None, initial=initial, editing=True, has_secret=bool(source.secret),
                      has_headers=bool(source.secret_headers),
                      **_form_kwargs(request, source.organization))
    if request.method == "POST":
        permissions.require(request.user, Perm.MANAGE_SOURCES, source.organization)
        if form.is_valid():
            data = {k: v for k, v in form.cleaned_data.items() if k != "kind"}
            if form.fields["allow_private"].disabled:
                data.pop("allow_private", None)
            try:
                actions.do_update_source(source, acting_user=request.user, **data)
            except ValidationError as exc:
                apply_errors(form, exc)
            else:
                messages.success(request, _("Saved."))
                return redirect("monitoring:source-edit", pk=source.pk)
    # The push address is a credential: shown only to those who manage the source.
    push_url = (request.build_absolute_uri(f"/api/push/{source.push_token}")
                if source.kind == "webhook" and can_manage else "")
    return render(request, "monitoring/source_form.html", {
        "form": form, "source": source, "org": source.organization, "can_manage": can_manage,
        "health_state": health(source), "health_words": health_text(source), "push_url": push_url,
        "item_count": source.items.count(),
    })


@login_required
@require_POST
def source_test(request, pk):
    """Fetch now and show what would be collected; nothing is stored (an htmx partial)."""
    source = _source(request, pk)
    permissions.require(request.user, Perm.MANAGE_SOURCES, source.organization)
    context = {"source": source}
    if not source.is_pull:
        context["error"] = _("This kind of source receives items; there is nothing to fetch.")
    else:
        try:
            result = preview_source(source)
        except Exception as exc:  # the whole point is to show what goes wrong, in plain words
            context["error"] = plain_error(exc)
        else:
            context.update(entries=result.entries[:50], total=len(result.entries),
                           entry_errors=[str(e) for e in result.errors])
    return render(request, "monitoring/_source_test.html", context)


@login_required
@require_POST
def source_delete(request, pk):
    source = _source(request, pk)
    actions.do_delete_source(source, acting_user=request.user)
    messages.success(request, _("Source deleted."))
    return redirect("monitoring:source-list")


# -------------------------------------------------------------------------------------------------- items

def _parse_date(value: str, end: bool = False):
    try:
        day = datetime.strptime(value, "%Y-%m-%d").date()
    except ValueError:
        return None
    return timezone.make_aware(datetime.combine(day, time.max if end else time.min))


@login_required
def item_list(request):
    items = visible_in_current(request, Item.objects.select_related("source", "organization"))
    sources = visible_in_current(request, Source.objects.all())
    q = request.GET
    if q.get("source", "").isdigit():
        items = items.filter(source_id=int(q["source"]))
    if q.get("platform"):
        items = items.filter(platform=q["platform"])
    if q.get("since") and (start := _parse_date(q["since"])):
        items = items.filter(Q(published_at__gte=start) | Q(published_at__isnull=True, first_seen_at__gte=start))
    if q.get("until") and (end := _parse_date(q["until"], end=True)):
        items = items.filter(Q(published_at__lte=end) | Q(published_at__isnull=True, first_seen_at__lte=end))
    q_error = None
    relevance = False
    if text := q.get("q", "").strip():
        from yuqing.detection.expressions import ExpressionError
        from yuqing.search.query import ranked, search

        # The scheme language over the search index (AND / OR / NOT / "phrases"), not a LIKE scan.
        relevance = q.get("order") == "relevance"
        try:
            items = ranked(items, text) if relevance else search(items, text)
        except ExpressionError as exc:
            q_error = _("Search: character %(position)s: %(reason)s") % {"position": exc.position,
                                                                         "reason": exc.reason}
            items = items.none()
    if q.get("has_original") == "yes":
        items = items.filter(original__isnull=False)
    elif q.get("has_original") == "no":
        items = items.filter(original__isnull=True)
    if relevance:
        # ranked pages go by ?page= (a rank is no cursor); the first pages are what a search is read for
        page = page_or_400(items, {k: v for k, v in q.items() if k != "cursor"}, ordering=ITEM_ORDERING,
                           page_size=PAGE_SIZE, ranked=True)
    else:
        page = page_or_400(items, q, ordering=ITEM_ORDERING, page_size=PAGE_SIZE)
    return render(request, "monitoring/item_list.html", {
        "page": page, "sources": sources, "platforms": [p.value for p in Platform], "q": q, "q_error": q_error,
    })


@login_required
def item_detail(request, pk):
    item = permissions.get_visible_or_404(
        request.user, Item.objects.select_related("source", "organization", "original"), pk=pk)
    samples = list(item.metrics.order_by("observed_at"))
    chart = {
        "labels": [timezone.localtime(s.observed_at).strftime("%m-%d %H:%M") for s in samples],
        "views": [s.views for s in samples], "comments": [s.comments for s in samples],
        "reposts": [s.reposts for s in samples], "likes": [s.likes for s in samples],
    }
    copies = permissions.visible(request.user, item.copies.all()).order_by("first_seen_at")[:50]
    return render(request, "monitoring/item_detail.html", {
        "item": item, "samples": samples, "chart": chart, "copies": copies, "evidence": item.evidence.all(),
    })


# ---------------------------------------------------------------------------------------- tips and imports

@login_required
def tip_create(request):
    org = current_organization(request)
    permissions.require(request.user, Perm.SUBMIT_TIP, org)
    form = TipForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data.get("screenshot")
        try:
            outcome = actions.do_submit_tip(
                organization=org, acting_user=request.user, url=form.cleaned_data["url"],
                text=form.cleaned_data["text"], title=form.cleaned_data["title"],
                screenshot=read_capped(upload, tip.DEFAULT_MAX_SCREENSHOT, field="screenshot") if upload else None,
                screenshot_name=upload.name if upload else "",
                level=form.cleaned_data.get("level"))
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, _("Thank you, the tip was recorded."))
            return redirect("monitoring:item-detail", pk=outcome.item.pk)
    return render(request, "monitoring/tip_form.html", {"form": form, "org": org})


@login_required
def import_file(request):
    org = current_organization(request)
    permissions.require(request.user, Perm.MANAGE_SOURCES, org)
    form = ImportForm(request.POST or None, request.FILES or None)
    outcome = None
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            data = read_capped(upload, ImportForm.MAX_BYTES, field="file")
            if "dry_run" in request.POST:
                outcome = actions.do_import_file(organization=org, acting_user=request.user, data=data,
                                                 filename=upload.name, mapping=form.cleaned_data["mapping"],
                                                 platform=form.cleaned_data["platform"], dry_run=True)
            else:
                # Storing thousands of rows takes a while: it runs as a job and its page shows the progress.
                fileimport.format_from_filename(upload.name)  # a wrong kind of file is refused here, at once
                run = runs.start("monitoring.import", organization=org, acting_user=request.user,
                                 upload=(upload.name, data), filename=upload.name,
                                 mapping=form.cleaned_data["mapping"], platform=form.cleaned_data["platform"])
                return redirect(runs.run_url(run))
        except ValidationError as exc:
            apply_errors(form, exc)
        except ConfigError as exc:
            form.add_error("file", plain_error(exc))
    return render(request, "monitoring/import_form.html", {"form": form, "org": org, "outcome": outcome})


# The template's columns are the default mapping's, so a filled-in template imports without changes.
IMPORT_TEMPLATE_HEADERS = ["标题", "内容", "链接", "时间", "作者"]
IMPORT_TEMPLATE_EXAMPLE = ["（示例）第一中学运动会通讯", "这里填写帖子或文章的正文。", "https://example.cn/post/1",
                           "2026-09-01 08:30", "某网友"]


@login_required
def import_template(request, fmt: str):
    """A file to fill in for the import: the default mapping's headers and one example row."""
    from django.http import HttpResponse

    permissions.require(request.user, Perm.MANAGE_SOURCES, current_organization(request))
    if fmt == "xlsx":
        from yuqing.documents.spreadsheet import Sheet, write_xlsx

        data = write_xlsx([Sheet("导入", IMPORT_TEMPLATE_HEADERS, [IMPORT_TEMPLATE_EXAMPLE])])
        content_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    else:
        import csv
        import io

        buf = io.StringIO()
        writer = csv.writer(buf)
        writer.writerow(IMPORT_TEMPLATE_HEADERS)
        writer.writerow(IMPORT_TEMPLATE_EXAMPLE)
        # UTF-8 with a BOM: Excel on Chinese Windows opens it without mangling the headers.
        data = ("\ufeff" + buf.getvalue()).encode("utf-8")
        content_type = "text/csv; charset=utf-8"
    response = HttpResponse(data, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="yuqing-import-template.{fmt}"'
    return response


@login_required
def evidence_file(request, pk: int):
    """An evidence file for people who may see its item: images inline (thumbnails), anything with ?download."""
    evidence = get_object_or_404(Evidence.objects.select_related("item"), pk=pk)
    permissions.get_visible_or_404(request.user, Item.objects.all(), pk=evidence.item_id)
    inline = evidence.content_type.startswith("image/") and "download" not in request.GET
    extension = evidence.file.name.rsplit(".", 1)[-1] if "." in evidence.file.name else "bin"
    response = FileResponse(evidence.file.open("rb"), content_type=evidence.content_type or "application/octet-stream",
                            as_attachment=not inline, filename=f"evidence-{evidence.item_id}-{evidence.sha256[:12]}.{extension}")
    # a stored file is never run as a page, whatever it contains
    response["Content-Security-Policy"] = "default-src 'none'; img-src 'self'; sandbox"
    response["Cache-Control"] = "private, max-age=3600"
    return response
