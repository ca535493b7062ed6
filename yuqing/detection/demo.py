"""Demo schemes, level rules and a sensitive period, so the demo feeds produce an event that reaches 重大."""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone

# organisation slug → [(scheme name, expression)]
DEMO_SCHEMES = {
    "no1-middle": [
        ("第一中学 · 食堂与收费", "(第一中学 OR 一中) AND (食堂 OR 饭菜 OR 收费 OR 欺凌)"),
        ("第一中学 · 学业负担", "(第一中学 OR 一中) AND (作业 OR 补课 OR 减负)"),
    ],
    "experimental-primary": [
        ("实验小学 · 校园安全", "实验小学 AND (门口 OR 交通 OR 安全 OR 堵)"),
    ],
}
# A bureau-wide scheme for serious topics in any school (applies to children).
BUREAU_SCHEME = ("全县 · 校园安全与食品", "(学校 OR 中学 OR 小学) AND (中毒 OR 虫子 OR 坠楼 OR 欺凌) NOT 演练")


def load() -> str | None:
    """Create the demo configuration once (idempotent). Returns a line for the demo summary, or None."""
    from django.contrib.auth import get_user_model

    from yuqing.detection.actions import do_create_period, do_create_scheme, do_save_level_rules
    from yuqing.detection.models import LevelRuleSet, Scheme, SensitivePeriod
    from yuqing.orgs.models import Organization

    admin = get_user_model().objects.filter(is_superuser=True).order_by("pk").first()
    if admin is None:
        return None
    created: list[str] = []
    for slug, schemes in DEMO_SCHEMES.items():
        org = Organization.objects.filter(slug=slug).first()
        if org is None:
            continue
        for name, expression in schemes:
            if not Scheme.objects.filter(organization=org, name=name).exists():
                do_create_scheme(organization=org, acting_user=admin, name=name, expression=expression)
                created.append(name)
        bureau = org.parent if org.parent and org.parent.kind == Organization.Kind.BUREAU else None
        if bureau is None:
            continue
        name, expression = BUREAU_SCHEME
        if not Scheme.objects.filter(organization=bureau, name=name).exists():
            do_create_scheme(organization=bureau, acting_user=admin, name=name, expression=expression)
            created.append(name)
        if not LevelRuleSet.objects.filter(organization=bureau).exists():
            # The bureau asks for 较大 at 50 comments or 500 views; schools inherit it.
            do_save_level_rules(bureau, {"levels": {"relatively_major": {"comments": 50, "clicks": 500}}},
                                acting_user=admin)
            created.append(f"level rules of {bureau.name}")
        if not SensitivePeriod.objects.filter(organization=bureau).exists():
            today = timezone.localtime().replace(hour=0, minute=0, second=0, microsecond=0)
            do_create_period(organization=bureau, acting_user=admin, name="期中考试周（演示）",
                             starts_at=today + timedelta(days=14), ends_at=today + timedelta(days=21),
                             threshold_factor=0.5, poll_factor=0.5)
            created.append("sensitive period")
    if not created:
        return None
    return f"Demo detection configured: {', '.join(created)}"
