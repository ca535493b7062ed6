"""Template context: the current organisation and the ones the person can switch to."""

from __future__ import annotations


def current_organization(request):
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    switchable = [m.organization for m in user.memberships.select_related("organization")]
    seen, unique = set(), []
    for org in switchable:
        if org.pk not in seen:
            seen.add(org.pk)
            unique.append(org)
    from yuqing.orgs.permissions import may_view_system_status, perms_in

    current = getattr(request, "organization", None)
    # nav_perms: what the person may do in the organisation they work in; menus show only what they can use
    return {"current_org": current, "switchable_orgs": unique, "nav_perms": perms_in(user, current),
            "can_view_system": may_view_system_status(user)}
