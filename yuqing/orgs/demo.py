"""Demo organisations and one person per role; passwords are random, printed once and kept in the data dir."""

from __future__ import annotations

import secrets
from dataclasses import dataclass

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import transaction

from yuqing.orgs import actions
from yuqing.orgs.models import Organization, Role

User = get_user_model()

BUREAU = ("demo-bureau", "示范县教育局")
SCHOOLS = [
    ("no1-middle", "示范县第一中学", [("no1-office", "办公室", "department"), ("no1-grade7", "七年级", "grade"),
                                 ("no1-class7-1", "七年级1班", "class"), ("no1-league", "校团委", "league")]),
    ("experimental-primary", "示范县实验小学", [("exp-office", "办公室", "department"), ("exp-grade3", "三年级", "grade")]),
]
# (username, full name, organisation slug, roles)
PEOPLE = [
    ("bureau-admin", "王建国", "demo-bureau", [Role.ADMIN]),
    ("supervisor", "李监督", "demo-bureau", [Role.SUPERVISOR]),
    ("school-admin", "赵网管", "no1-middle", [Role.ADMIN]),
    ("publicity", "陈宣传", "no1-middle", [Role.PUBLICITY_LEAD]),
    ("editor", "刘编辑", "no1-middle", [Role.EDITOR]),
    ("reviewer1", "周初审", "no1-middle", [Role.REVIEWER_1]),
    ("reviewer2", "吴复审", "no1-middle", [Role.REVIEWER_2]),
    ("reviewer3", "郑终审", "no1-middle", [Role.REVIEWER_3]),
    ("monitor", "孙值班", "no1-middle", [Role.MONITOR]),
    ("leader", "钱校长", "no1-middle", [Role.LEADER]),
    ("primary-admin", "何老师", "experimental-primary", [Role.ADMIN, Role.PUBLICITY_LEAD]),
]


@dataclass
class DemoResult:
    created_people: list[tuple[str, str]]
    credentials_file: str


def load() -> DemoResult:
    """Create what is missing; never duplicates and never resets an existing password."""
    created: list[tuple[str, str]] = []
    with transaction.atomic():
        root, made = User.objects.get_or_create(
            username="sysadmin", defaults={"full_name": "系统管理员", "is_superuser": True, "is_staff": True}
        )
        if made:
            pw = _password()
            root.set_password(pw)
            root.save()
            created.append(("sysadmin", pw))
        bureau = _org(BUREAU[0], BUREAU[1], Organization.Kind.BUREAU, None, "", root)
        for slug, name, units in SCHOOLS:
            school = _org(slug, name, Organization.Kind.SCHOOL, bureau, "", root)
            for uslug, uname, utype in units:
                parent = school
                if utype == "class":
                    parent = Organization.objects.get(slug="no1-grade7")
                _org(uslug, uname, Organization.Kind.UNIT, parent, utype, root)
        for username, full_name, org_slug, roles in PEOPLE:
            org = Organization.objects.get(slug=org_slug)
            user = User.objects.filter(username=username).first()
            if user is None:
                pw = _password()
                user, _m = actions.do_create_user(username=username, password=pw, full_name=full_name,
                                                  organization=org, role=roles[0], acting_user=root)
                created.append((username, pw))
            for role in roles:
                actions.do_add_membership(user=user, organization=org, role=role, acting_user=root)
    cred_file = settings.DATA_DIR / "demo-credentials.txt"
    if created:
        with open(cred_file, "a", encoding="utf-8") as fh:
            for username, pw in created:
                fh.write(f"{username}\t{pw}\n")
        cred_file.chmod(0o600)
    return DemoResult(created, str(cred_file))


def _org(slug, name, kind, parent, unit_type, actor) -> Organization:
    org = Organization.objects.filter(slug=slug).first()
    if org is None:
        org = actions.do_create_organization(name=name, slug=slug, kind=kind, parent=parent, unit_type=unit_type,
                                             acting_user=actor)
    return org


def _password() -> str:
    # Readable but strong enough for a demo: four groups of letters and digits.
    alphabet = "abcdefghjkmnpqrstuvwxyz23456789"
    return "-".join("".join(secrets.choice(alphabet) for _ in range(4)) for _ in range(4))
