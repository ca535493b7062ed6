"""Remembers which of their organisations a person is working in (the organisation switcher)."""

from __future__ import annotations

from yuqing.orgs.models import Organization
from yuqing.orgs.permissions import visible_organizations

SESSION_KEY = "yuqing_current_org"


class CurrentOrganizationMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        request.organization = None
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            request.organization = current_organization_for(request)
        return self.get_response(request)


def current_organization_for(request) -> Organization | None:
    orgs = visible_organizations(request.user)
    org_id = request.session.get(SESSION_KEY)
    if org_id:
        org = orgs.filter(pk=org_id).first()
        if org is not None:
            return org
    # Default: the highest organisation where the person holds a membership.
    first = request.user.memberships.select_related("organization").order_by("organization__path").first()
    if first is not None:
        return first.organization
    return orgs.first()
