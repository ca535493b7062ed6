"""Who hears of an alert: the organisation's channels and the people on duty and responsible for the level.

Rules (docs/alerting.md):
- channels: every enabled notifier of the event's organisation (and of the organisations between it and its
  school) whose lowest level ≤ the alert's level; for 重大/特别重大 also those of the ancestors (the bureau);
- a level a topic only proposes (待研判) goes to the people on duty only (`duty_targets`);
- people, by e-mail through the nearest enabled e-mail notifier (the event's organisation first, then up
  the tree): whoever is on duty now in those organisations, the publicity lead always, the leader for 重大
  and above, the bureau's supervisor for 特别重大.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from email.utils import parseaddr

from django.contrib.auth import get_user_model

from yuqing.levels import Level
from yuqing.notify.models import DutyShift, Notifier
from yuqing.orgs.models import Membership, Organization, Role


@dataclass(frozen=True)
class Target:
    """One delivery to create: a notifier, and a person's address for personal e-mails ("" otherwise)."""

    notifier: Notifier
    recipient: str = ""
    reason: str = ""


def organizations_in_scope(org: Organization, level: Level) -> list[Organization]:
    """The organisation and its ancestors that hear of an alert at `level`, nearest first."""
    chain = list(reversed(list(org.ancestors())))  # org itself first, the top bureau last
    if level.is_major:
        return chain
    # Below 重大 an alert stays inside the school (a unit's alert reaches its school, not the bureau).
    kept = []
    for ancestor in chain:
        kept.append(ancestor)
        if ancestor.kind != Organization.Kind.UNIT:
            break
    return kept


def people_for(orgs: list[Organization], level: Level, now: datetime, *, include_roles: bool = True) -> dict:
    """E-mail address → why, for the people on duty now and the people responsible for `level`."""
    User = get_user_model()
    why: dict[int, str] = {}
    on_duty = (DutyShift.objects.filter(organization__in=orgs, starts_at__lte=now, ends_at__gt=now)
               .values_list("user_id", flat=True))
    for user_id in on_duty:
        why.setdefault(user_id, "on duty")
    if include_roles:
        roles = [(Role.PUBLICITY_LEAD, "publicity lead")]
        if level >= Level.MAJOR:
            roles.append((Role.LEADER, "leader"))
        if level >= Level.ESPECIALLY_MAJOR:
            roles.append((Role.SUPERVISOR, "supervisor"))
        for role, label in roles:
            scope = orgs
            if role == Role.SUPERVISOR:
                scope = [o for o in orgs if o.kind == Organization.Kind.BUREAU]
            for user_id in Membership.objects.filter(organization__in=scope, role=role).values_list(
                "user_id", flat=True
            ):
                why.setdefault(user_id, label)
    result: dict[str, str] = {}
    for user in User.objects.filter(pk__in=why, is_active=True).exclude(email=""):
        result.setdefault(user.email.strip().lower(), why[user.pk])
    return result


def email_notifier_for(orgs: list[Organization]) -> Notifier | None:
    """The nearest enabled e-mail notifier along `orgs` (nearest first)."""
    by_org = {}
    for notifier in Notifier.objects.filter(organization__in=orgs, kind=Notifier.Kind.EMAIL, enabled=True).order_by(
        "pk"
    ):
        by_org.setdefault(notifier.organization_id, notifier)
    for org in orgs:
        if org.pk in by_org:
            return by_org[org.pk]
    return None


def targets_for(org: Organization, level: Level, now: datetime, *, people: bool = True,
                include_roles: bool = True) -> list[Target]:
    """Every delivery an alert at `level` in `org` needs, without duplicates."""
    scope = organizations_in_scope(org, level)
    targets: list[Target] = []
    covered: set[str] = set()
    for notifier in Notifier.objects.filter(organization__in=scope, enabled=True, min_level__lte=level).order_by(
        "pk"
    ):
        targets.append(Target(notifier, "", "channel"))
        if notifier.kind == Notifier.Kind.EMAIL:
            covered.update(parseaddr(addr)[1].lower() for addr in (notifier.config or {}).get("to_addrs", []))
    if people:
        mailer = email_notifier_for(scope)
        if mailer is not None:
            for address, why in people_for(scope, level, now, include_roles=include_roles).items():
                if address not in covered:
                    covered.add(address)
                    targets.append(Target(mailer, address, why))
    return targets


def duty_targets(org: Organization, now: datetime) -> list[Target]:
    """Personal e-mails to whoever is on duty now in the organisation (and up to its school), nothing else."""
    scope = organizations_in_scope(org, Level.GENERAL)
    mailer = email_notifier_for(scope)
    if mailer is None:
        return []
    return [Target(mailer, address, why) for address, why in people_for(scope, Level.GENERAL, now,
                                                                          include_roles=False).items()]
