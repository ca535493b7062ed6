"""Review chains: the organisation's own, else the nearest ancestor's, else the default 三审三校."""

from __future__ import annotations

from yuqing.orgs import permissions
from yuqing.orgs.models import Organization, Role
from yuqing.publishing.models import Draft, Participation, ReviewChain

DEFAULT_STAGES = [
    {"position": 1, "name": "初审一校", "roles": [Role.REVIEWER_1.value], "people": [], "hours": None},
    {"position": 2, "name": "复审二校", "roles": [Role.REVIEWER_2.value], "people": [], "hours": None},
    {"position": 3, "name": "终审三校", "roles": [Role.REVIEWER_3.value], "people": [], "hours": None},
]


def chain_owner(organization: Organization) -> Organization | None:
    """The organisation whose configured chain applies (itself or the nearest ancestor), None for the default."""
    ancestors = {o.pk: o for o in organization.ancestors()}
    owners = {c.organization_id for c in ReviewChain.objects.filter(organization_id__in=ancestors)}
    for pk in reversed([int(p) for p in organization.path.strip("/").split("/") if p]):
        if pk in owners:
            return ancestors[pk]
    return None


def stages_for(organization: Organization) -> list[dict]:
    """The stages that apply to drafts of `organization`, as plain dicts (copied onto a draft at submission)."""
    owner = chain_owner(organization)
    if owner is None:
        return [dict(s) for s in DEFAULT_STAGES]
    chain = ReviewChain.objects.prefetch_related("stages__people").get(organization=owner)
    return [
        {"position": s.position, "name": s.name, "roles": list(s.roles),
         "people": sorted(p.pk for p in s.people.all()), "hours": s.time_limit_hours}
        for s in chain.stages.all()
    ]


def may_act_at(user, stage: dict, organization: Organization) -> bool:
    """Whether `user` is one of the people a stage names or holds one of its roles in the draft's organisation."""
    if not permissions.has_perm(user, permissions.Perm.VIEW, organization):
        return False
    if user.pk in stage.get("people", []):
        return True
    return bool(stage.get("roles")) and permissions.holds_role(user, stage["roles"], organization)


def eligible_users(stage: dict, organization: Organization):
    """Everyone who may act at a stage (for the inbox task and the notice)."""
    from django.contrib.auth import get_user_model
    from django.db.models import Q

    paths = [organization.path[: i + 1] for i, ch in enumerate(organization.path) if ch == "/"][1:]
    cond = Q(pk__in=stage.get("people", []))
    if stage.get("roles"):
        cond |= Q(memberships__role__in=stage["roles"], memberships__organization__path__in=paths)
    return get_user_model().objects.filter(cond, is_active=True).distinct()


def waiting_for(user, drafts) -> list:
    """Drafts in review whose current stage the person may act at and where separation of duties allows them."""
    out = []
    mine = {p.draft_id: p for p in Participation.objects.filter(user=user, draft__in=drafts)}
    for draft in drafts.filter(status=Draft.Status.IN_REVIEW).select_related("organization"):
        stage = draft.stages[draft.current_stage - 1]
        if not may_act_at(user, stage, draft.organization):
            continue
        role = mine.get(draft.pk)
        if role is None or (role.role == Participation.Role.REVIEWER and role.stage == draft.current_stage):
            out.append(draft)
    return out
