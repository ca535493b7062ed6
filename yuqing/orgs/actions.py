"""Every change to organisations, people and memberships: permission check, audit record, one transaction."""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import transaction

from yuqing.audit.log import apply_changes, record, snapshot
from yuqing.orgs import permissions
from yuqing.orgs.models import Membership, Organization, Role
from yuqing.orgs.permissions import Perm

User = get_user_model()
_USER_FIELDS = ["username", "full_name", "email", "phone", "is_active"]


def do_create_organization(*, name: str, slug: str, kind: str, parent: Organization | None,
                           unit_type: str = "", acting_user) -> Organization:
    if parent is None:
        if not getattr(acting_user, "is_superuser", False):
            raise permissions.PermissionDenied("only a system administrator may create a top-level bureau")
    else:
        permissions.require(acting_user, Perm.MANAGE_ORGANIZATION, parent)
    org = Organization(name=name, slug=slug, kind=kind, parent=parent, unit_type=unit_type)
    org.full_clean()
    with transaction.atomic():
        org.save()
        record(actor=acting_user, action="organization.create", obj=org, organization=org, after=snapshot(org))
    return org


def do_update_organization(org: Organization, *, acting_user, **changes) -> Organization:
    permissions.require(acting_user, Perm.MANAGE_ORGANIZATION, org)
    before = snapshot(org)
    apply_changes(org, changes, {"name", "slug", "unit_type"})
    org.full_clean()
    with transaction.atomic():
        org.save()
        record(actor=acting_user, action="organization.update", obj=org, organization=org,
               before=before, after=snapshot(org))
    return org


def do_create_user(*, username: str, password: str | None, full_name: str = "", email: str = "",
                   organization: Organization, role: str, acting_user):
    """Create a person together with their first membership, so nobody exists outside the tree."""
    permissions.require(acting_user, Perm.MANAGE_PEOPLE, organization)
    _check_role(role)
    user = User(username=username, full_name=full_name, email=email)
    if password:
        user.set_password(password)
    else:
        user.set_unusable_password()
    user.full_clean(exclude=["password"])
    with transaction.atomic():
        user.save()
        m = Membership.objects.create(user=user, organization=organization, role=role)
        record(actor=acting_user, action="user.create", obj=user, organization=organization,
               after={**snapshot(user, fields=_USER_FIELDS), "membership": [organization.slug, role]})
    return user, m


def do_update_user(user, *, acting_user, organization: Organization, **changes):
    _require_manages(acting_user, user, organization)
    before = snapshot(user, fields=_USER_FIELDS)
    apply_changes(user, changes, {"full_name", "email", "phone", "is_active"})
    user.full_clean(exclude=["password"])
    with transaction.atomic():
        user.save()
        record(actor=acting_user, action="user.update", obj=user, organization=organization,
               before=before, after=snapshot(user, fields=_USER_FIELDS))
    return user


def do_set_password(user, *, password: str, acting_user, organization: Organization | None = None) -> None:
    if acting_user != user:
        _require_manages(acting_user, user, organization)
    from django.contrib.auth.password_validation import validate_password

    validate_password(password, user)
    from yuqing.accounts.models import ApiToken

    with transaction.atomic():
        user.set_password(password)
        user.save(update_fields=["password"])
        revoked = 0
        if acting_user != user:
            # A reset by an administrator means the account may be in the wrong hands: its API tokens go too.
            revoked, _ = ApiToken.objects.filter(user=user).delete()
        record(actor=acting_user, action="user.set_password", obj=user, organization=organization,
               after={"api_tokens_revoked": revoked})


def do_add_membership(*, user, organization: Organization, role: str, acting_user) -> Membership:
    permissions.require(acting_user, Perm.MANAGE_PEOPLE, organization)
    _check_role(role)
    if role == Role.SUPERVISOR and organization.kind != Organization.Kind.BUREAU:
        raise ValidationError({"role": "a supervisor belongs to a bureau"})
    with transaction.atomic():
        m, created = Membership.objects.get_or_create(user=user, organization=organization, role=role)
        if created:
            record(actor=acting_user, action="membership.create", obj=m, organization=organization,
                   after={"user": user.username, "organization": organization.slug, "role": role})
    permissions.forget(user)
    return m


def do_remove_membership(membership: Membership, *, acting_user) -> None:
    org = membership.organization
    permissions.require(acting_user, Perm.MANAGE_PEOPLE, org)
    with transaction.atomic():
        before = {"user": membership.user.username, "organization": org.slug, "role": membership.role}
        record(actor=acting_user, action="membership.delete", obj=membership, organization=org, before=before)
        membership.delete()
    permissions.forget(membership.user)


def _check_role(role: str) -> None:
    if role not in Role.values:
        raise ValidationError({"role": f"unknown role {role!r}; choose one of {', '.join(Role.values)}"})


def _require_manages(acting_user, user, organization: Organization | None) -> None:
    """An administrator may change a person only where that person is a member, and only if they manage every
    organisation the person belongs to (see permissions.may_manage_person)."""
    if organization is None or not Membership.objects.filter(
        user=user, organization__path__startswith=organization.path
    ).exists():
        raise permissions.PermissionDenied("that person is not a member of this organisation")
    permissions.require(acting_user, Perm.MANAGE_PEOPLE, organization)
    if not permissions.may_manage_person(acting_user, user):
        raise permissions.PermissionDenied(
            "this person also belongs to an organisation you do not manage; an administrator there must do this")
