"""The case policy in effect for an organisation: the defaults, changed by each ancestor from the top down."""

from __future__ import annotations

from yuqing.incidents.policy import DEFAULT_POLICY, Policy, merge


def effective_policy(organization) -> Policy:
    from yuqing.incidents.models import CasePolicy

    policy = DEFAULT_POLICY
    chain = list(organization.ancestors())
    own = {p.organization_id: p.changes for p in CasePolicy.objects.filter(organization__in=chain)}
    for org in chain:
        if org.pk in own:
            policy = merge(policy, own[org.pk])
    return policy
