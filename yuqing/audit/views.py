"""Browsing the audit log with filters, and exporting it as CSV."""

from __future__ import annotations

import datetime as dt

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _

from yuqing.audit.log import write_csv
from yuqing.audit.models import AuditRecord
from yuqing.orgs import permissions
from yuqing.orgs.permissions import Perm


def _require_audit_right(request) -> None:
    """Someone who may see no organisation's audit log is told so, rather than shown an empty log."""
    if not permissions.visible_organizations(request.user, Perm.VIEW_AUDIT).exists():
        raise PermissionDenied(_("Only administrators, publicity leads, leaders and supervisors may read the audit log."))


def _filtered(request):
    qs = permissions.visible(request.user, AuditRecord.objects.all(), perm=Perm.VIEW_AUDIT,
                             path_field="organization_path")
    errors = {}
    org_slug = request.GET.get("org", "").strip()
    if org_slug:
        org = permissions.visible_organizations(request.user, Perm.VIEW_AUDIT).filter(slug=org_slug).first()
        qs = qs.filter(organization_path__startswith=org.path) if org else qs.none()
    if actor := request.GET.get("actor", "").strip():
        qs = qs.filter(actor_name__icontains=actor)
    if action := request.GET.get("action", "").strip():
        qs = qs.filter(action__startswith=action)
    for name, lookup in (("since", "created_at__gte"), ("until", "created_at__lt")):
        value = request.GET.get(name, "").strip()
        if not value:
            continue
        try:
            day = dt.date.fromisoformat(value)
        except ValueError:
            errors[name] = _("%(field)s: expected a date like 2026-01-31, got “%(value)s”.") % {
                "field": _("From") if name == "since" else _("To"), "value": value}
            continue
        start = timezone.make_aware(dt.datetime.combine(day, dt.time.min))
        qs = qs.filter(**{lookup: start if name == "since" else start + dt.timedelta(days=1)})
    return qs, errors


@login_required
def audit_list(request):
    _require_audit_right(request)
    qs, errors = _filtered(request)
    page = Paginator(qs.select_related("organization"), 50).get_page(request.GET.get("page"))
    orgs = permissions.visible_organizations(request.user, Perm.VIEW_AUDIT)
    return render(request, "audit/audit_list.html", {
        "page": page, "errors": errors, "orgs": orgs, "filters": request.GET,
        "query": _without_page(request.GET),
    })


def _without_page(params) -> str:
    params = params.copy()
    params.pop("page", None)
    return params.urlencode()


@login_required
def audit_export(request):
    _require_audit_right(request)
    qs, errors = _filtered(request)
    if errors:
        return HttpResponse("\n".join(errors.values()), status=400, content_type="text/plain; charset=utf-8")
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="yuqing-audit.csv"'
    response.write("\ufeff")  # so Excel opens the Chinese text as UTF-8
    write_csv(qs.order_by("pk").iterator(), response)
    return response



