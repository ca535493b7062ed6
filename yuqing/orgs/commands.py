"""Shared by every command that takes --org: find an organisation by slug, and act as the system administrator."""

from __future__ import annotations

from django.core.management.base import CommandError

from yuqing.orgs.models import Organization


def organization_by_slug(slug: str) -> Organization:
    org = Organization.objects.filter(slug=slug).first()
    if org is None:
        known = ", ".join(Organization.objects.order_by("path").values_list("slug", flat=True)[:20])
        raise CommandError(f"--org: no organisation with slug {slug!r}; known slugs: {known or 'none'} "
                           "(see: yuqing org list)", returncode=2)
    return org


def system_user():
    """Commands act as the first system administrator, so their changes are audited under a real account."""
    from django.contrib.auth import get_user_model

    user = get_user_model().objects.filter(is_superuser=True, is_active=True).order_by("pk").first()
    if user is None:
        raise CommandError("there is no system administrator yet; create one with: yuqing createsuperuser")
    return user
