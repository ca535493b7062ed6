"""The one place that decides who may see or change what.

A role held in an organisation applies to that organisation and everything below it: a bureau's supervisor
sees every school under the bureau, a school's people see only their school and its units. Views call
`require()` (403) after fetching objects through `visible()` querysets (404 for anything outside).
"""

from __future__ import annotations

from enum import StrEnum

from django.core.exceptions import PermissionDenied
from django.db.models import Q, QuerySet
from django.http import Http404
from django.utils.translation import gettext as _

from yuqing.orgs.models import Membership, Organization, Role


class Perm(StrEnum):
    VIEW = "view"
    MANAGE_ORGANIZATION = "manage_organization"
    MANAGE_PEOPLE = "manage_people"
    VIEW_AUDIT = "view_audit"
    MANAGE_SOURCES = "manage_sources"
    MANAGE_SCHEMES = "manage_schemes"
    MANAGE_NOTIFIERS = "manage_notifiers"
    MANAGE_DUTY = "manage_duty"
    JUDGE_MENTIONS = "judge_mentions"
    SUBMIT_TIP = "submit_tip"
    APPLY_FILINGS = "apply_filings"
    APPROVE_FILINGS = "approve_filings"
    MANAGE_REGISTRY = "manage_registry"
    WRITE_DRAFTS = "write_drafts"
    REVIEW_DRAFTS = "review_drafts"
    PUBLISH_DRAFTS = "publish_drafts"
    MANAGE_REVIEW_CHAINS = "manage_review_chains"
    MANAGE_DEADLINES = "manage_deadlines"
    MANAGE_CASES = "manage_cases"
    CONFIRM_REPORTS = "confirm_reports"
    WRITE_REPORTS = "write_reports"


_ALL = frozenset(Perm)
_MONITORING = {Perm.MANAGE_SOURCES, Perm.MANAGE_SCHEMES, Perm.MANAGE_NOTIFIERS, Perm.MANAGE_DUTY,
               Perm.JUDGE_MENTIONS, Perm.SUBMIT_TIP}
_PUBLISHING = {Perm.WRITE_DRAFTS, Perm.REVIEW_DRAFTS, Perm.PUBLISH_DRAFTS, Perm.MANAGE_REVIEW_CHAINS}
ROLE_PERMS: dict[str, frozenset[Perm]] = {
    Role.ADMIN: _ALL,
    Role.PUBLICITY_LEAD: frozenset({Perm.VIEW, Perm.VIEW_AUDIT, *_MONITORING,
                                    Perm.APPLY_FILINGS, Perm.APPROVE_FILINGS, Perm.MANAGE_REGISTRY, *_PUBLISHING}),
    Role.EDITOR: frozenset({Perm.VIEW, Perm.SUBMIT_TIP, Perm.APPLY_FILINGS, Perm.WRITE_DRAFTS, Perm.PUBLISH_DRAFTS}),
    Role.REVIEWER_1: frozenset({Perm.VIEW, Perm.SUBMIT_TIP, Perm.REVIEW_DRAFTS}),
    Role.REVIEWER_2: frozenset({Perm.VIEW, Perm.SUBMIT_TIP, Perm.REVIEW_DRAFTS}),
    Role.REVIEWER_3: frozenset({Perm.VIEW, Perm.SUBMIT_TIP, Perm.REVIEW_DRAFTS}),
    Role.MONITOR: frozenset({Perm.VIEW, Perm.JUDGE_MENTIONS, Perm.SUBMIT_TIP, Perm.MANAGE_SOURCES}),
    Role.LEADER: frozenset({Perm.VIEW, Perm.VIEW_AUDIT, Perm.JUDGE_MENTIONS, Perm.REVIEW_DRAFTS}),
    Role.SUPERVISOR: frozenset({Perm.VIEW, Perm.VIEW_AUDIT, Perm.MANAGE_SCHEMES, Perm.JUDGE_MENTIONS,
                                Perm.APPROVE_FILINGS}),
}

# Deadlines (shared kit): who may waive a deadline or mark someone else's met. Kept apart so the modules'
# own additions to the role lines above stay independent.
for _role in (Role.PUBLICITY_LEAD, Role.SUPERVISOR):
    ROLE_PERMS[_role] = ROLE_PERMS[_role] | {Perm.MANAGE_DEADLINES}
# Cases are handled by the school's publicity lead, the monitor on duty and its leaders; the bureau reads them.
for _role in (Role.PUBLICITY_LEAD, Role.MONITOR, Role.LEADER):
    ROLE_PERMS[_role] = ROLE_PERMS[_role] | {Perm.MANAGE_CASES}
# The daily report is confirmed by the person on duty or the publicity lead.
for _role in (Role.PUBLICITY_LEAD, Role.MONITOR):
    ROLE_PERMS[_role] = ROLE_PERMS[_role] | {Perm.CONFIRM_REPORTS}
# Self-inspection reports and briefings are written by the publicity lead; briefings also by the monitor on
# duty and, for a bureau, its supervisor.
for _role in (Role.PUBLICITY_LEAD, Role.MONITOR, Role.SUPERVISOR):
    ROLE_PERMS[_role] = ROLE_PERMS[_role] | {Perm.WRITE_REPORTS}


def _memberships(user) -> list[tuple[str, str]]:
    """(organisation path, role) pairs of the user, cached on the user object for the request."""
    cached = getattr(user, "_yq_memberships", None)
    if cached is None:
        cached = list(Membership.objects.filter(user=user).values_list("organization__path", "role"))
        user._yq_memberships = cached
    return cached


def forget(user) -> None:
    """Drop the cached memberships after they changed."""
    if hasattr(user, "_yq_memberships"):
        del user._yq_memberships
    if hasattr(user, "_yq_subtrees"):
        del user._yq_subtrees


# Bumped whenever an organisation is saved or deleted, so subtree ids cached on a user object are refreshed.
_tree_version = [0]


def tree_changed(**_kwargs) -> None:
    _tree_version[0] += 1


def subtree_ids(paths: list[str]) -> list[int]:
    """Ids of the organisations at or below any of `paths` (one indexed prefix query on the small tree)."""
    if not paths:
        return []
    cond = Q()
    for path in paths:
        cond |= Q(path__startswith=path)
    return list(Organization.objects.filter(cond).order_by("pk").values_list("pk", flat=True))


def _visible_ids(user, perm: Perm) -> list[int]:
    """Ids of the organisations where the user holds `perm`, cached on the user object for the request."""
    cache = getattr(user, "_yq_subtrees", None)
    if cache is None or cache[0] != _tree_version[0]:
        cache = user._yq_subtrees = (_tree_version[0], {})
    if perm not in cache[1]:
        cache[1][perm] = subtree_ids(_root_paths(user, perm))
    return cache[1][perm]


def org_subtree_ids(org: Organization) -> list[int]:
    """Ids of `org` and everything below it, cached on the organisation object."""
    cached = getattr(org, "_yq_subtree", None)
    if cached is None or cached[0] != (_tree_version[0], org.path):
        cached = org._yq_subtree = ((_tree_version[0], org.path), subtree_ids([org.path]))
    return cached[1]


def has_perm(user, perm: Perm, org: Organization) -> bool:
    if user is None or not user.is_authenticated or not user.is_active:
        return False
    if user.is_superuser:
        return True
    return any(
        org.path.startswith(path) and perm in ROLE_PERMS.get(role, ())
        for path, role in _memberships(user)
    )


def has_own_perm(user, perm: Perm, org: Organization) -> bool:
    """`perm` through a role held in `org` itself or below, not inherited from above: a step that belongs to a
    school (its publicity lead approving a filing) is not the bureau's to take in the school's place."""
    if user is None or not user.is_authenticated or not user.is_active:
        return False
    if user.is_superuser:
        return True
    return any(path.startswith(org.path) and perm in ROLE_PERMS.get(role, ())
               for path, role in _memberships(user))


def holds_role(user, roles, org: Organization) -> bool:
    """Whether the user holds one of `roles` in `org` or above it (review stages name roles, not perms)."""
    if user is None or not user.is_authenticated or not user.is_active:
        return False
    wanted = set(roles)
    return any(org.path.startswith(path) and role in wanted for path, role in _memberships(user))


def require_own(user, perm: Perm, org: Organization) -> None:
    """Like `require()`, but only a role held in `org` itself (or below) counts; see `has_own_perm()`."""
    require(user, perm, org)
    if not has_own_perm(user, perm, org):
        raise PermissionDenied(f"only people of {org.name} may {perm.value.replace('_', ' ')} here")


def require(user, perm: Perm, org: Organization) -> None:
    """Raise PermissionDenied (403) unless the user holds `perm` in `org`; 404 if they cannot even see it."""
    if not has_perm(user, Perm.VIEW, org):
        raise Http404("no such organisation")
    if not has_perm(user, perm, org):
        raise PermissionDenied(_("Your roles in %(org)s do not allow this.") % {"org": org.name})


def least_privileged_role() -> str:
    """The role with the fewest permissions: what a new person gets unless someone chooses more."""
    return min(Role.values, key=lambda role: (len(ROLE_PERMS.get(role, _ALL)), Role.values.index(role)))


def perms_in(user, org: Organization | None) -> frozenset[str]:
    """The permissions the user holds in `org` (anywhere, without one), for shaping menus."""
    if user is None or not user.is_authenticated:
        return frozenset()
    if user.is_superuser:
        return frozenset(p.value for p in Perm)
    if org is not None:
        return frozenset(p.value for p in Perm if has_perm(user, p, org))
    return frozenset(p.value for _path, role in _memberships(user) for p in ROLE_PERMS.get(role, ()))


def is_sysadmin(user) -> bool:
    """System administrators run the installation itself (the working-day calendar, top-level bureaus)."""
    return bool(user is not None and user.is_authenticated and user.is_active and user.is_superuser)


def require_sysadmin(user) -> None:
    if not is_sysadmin(user):
        raise PermissionDenied("only a system administrator may do this")


def _root_paths(user, perm: Perm) -> list[str]:
    paths = sorted({path for path, role in _memberships(user) if perm in ROLE_PERMS.get(role, ())})
    # Drop paths already covered by an ancestor path.
    roots: list[str] = []
    for p in paths:
        if not any(p.startswith(r) for r in roots):
            roots.append(p)
    return roots


def visible(user, queryset: QuerySet, org_field: str = "organization", perm: Perm = Perm.VIEW,
            path_field: str | None = None) -> QuerySet:
    """Filter any queryset of objects that belong to an organisation down to what the user may see.

    `org_field` names the foreign key to the organisation ("" for organisations themselves); `path_field`
    names a column that holds the organisation's path directly (audit records keep it that way).

    The subtree is given as `organization_id IN (…)` from the tree, not as a `path LIKE` join: with the id
    list the database can walk an `(organization_id, time)` index in order, where the join made it scan and
    sort every row of the subtree.
    """
    if user is None or not user.is_authenticated:
        return queryset.none()
    if user.is_superuser:
        return queryset
    roots = _root_paths(user, perm)
    if not roots:
        return queryset.none()
    if path_field:
        cond = Q()
        for root in roots:
            cond |= Q(**{f"{path_field}__startswith": root})
        return queryset.filter(cond)
    return queryset.filter(**{_in_lookup(org_field): _visible_ids(user, perm)})


def _in_lookup(org_field: str) -> str:
    return "pk__in" if org_field == "" else f"{org_field}__in"


def visible_organizations(user, perm: Perm = Perm.VIEW) -> QuerySet:
    return visible(user, Organization.objects.all(), org_field="", perm=perm)


def get_visible_or_404(user, queryset: QuerySet, org_field: str = "organization", **lookup):
    try:
        return visible(user, queryset, org_field).get(**lookup)
    except queryset.model.DoesNotExist as exc:
        raise Http404(f"no such {queryset.model._meta.verbose_name}") from exc



def may_manage_person(user, person) -> bool:
    """Whether `user` may change `person`'s account (password, e-mail, active flag, tokens).

    An account is one key to every organisation its person belongs to, so changing it needs MANAGE_PEOPLE over
    every one of them: a school's administrator must not reset the password of a bureau administrator who also
    holds a role in the school. Only a system administrator changes a system administrator.
    """
    if user is None or not user.is_authenticated or not user.is_active:
        return False
    if user.is_superuser:
        return True
    if person.is_superuser:
        return False
    orgs = list(Organization.objects.filter(memberships__user=person).distinct())
    return bool(orgs) and all(has_perm(user, Perm.MANAGE_PEOPLE, org) for org in orgs)


def require_manage_person(user, person) -> None:
    """403 unless `user` may change `person`'s account (see may_manage_person). Changing one's own second factor
    or password goes through one's own pages, which ask for the current factor, not through this."""
    if user is not None and getattr(user, "pk", None) == person.pk:
        raise PermissionDenied(_("Change your own account on your own account pages."))
    if not may_manage_person(user, person):
        raise PermissionDenied(_("This person also belongs to an organisation you do not manage; an administrator "
                                 "there must do this."))


def may_view_run(user, run) -> bool:
    """A background job's progress and result are for the person who started it (and system administrators):
    a result may list rows of a file only they uploaded."""
    if user is None or not user.is_authenticated or not user.is_active:
        return False
    return user.is_superuser or run.created_by_id == user.pk


def may_view_system_status(user) -> bool:
    """The system page (jobs, scheduler) is for system administrators and organisation administrators."""
    if user is None or not user.is_authenticated or not user.is_active:
        return False
    return user.is_superuser or bool(_root_paths(user, Perm.MANAGE_ORGANIZATION))


def may_view_job_errors(user) -> bool:
    """Job errors are installation-wide tracebacks that may quote any organisation's data."""
    return bool(user is not None and user.is_authenticated and user.is_active and user.is_superuser)


def may_manage_outbound(user) -> bool:
    """Allowing non-public destinations or a proxy for the whole installation: system administrators, and the
    command line (acting as "system")."""
    if isinstance(user, str):
        return user == "system"
    return bool(user is not None and user.is_authenticated and user.is_active and user.is_superuser)


def current_organization(request) -> Organization:
    """The organisation the person is working in (the switcher's choice); 404 when they have none."""
    if getattr(request, "organization", None) is None:
        raise Http404("no organisation")
    return request.organization


def visible_in_current(request, queryset: QuerySet, org_field: str = "organization") -> QuerySet:
    """What the person may see, narrowed to the organisation they are working in and below."""
    org = current_organization(request)
    return visible(request.user, queryset, org_field).filter(**{_in_lookup(org_field): org_subtree_ids(org)})
