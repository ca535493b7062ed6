"""Demo registry shaped like a real school's self-inspection (seed 000): three channels, office and class groups."""

from __future__ import annotations

import datetime as dt

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone

from yuqing.orgs.models import Organization
from yuqing.registry import actions
from yuqing.registry.activity import record_publication
from yuqing.registry.models import Channel, ChatGroup, SelfInspection

SCHOOL = "no1-middle"

# (kind, name, account id, url, responsible, deputy, unit slug, days since last publication, purpose)
CHANNELS = [
    ("website", "示范县第一中学网站", "", "https://no1-middle.example.edu.cn/", "school-admin", "publicity",
     "no1-office", 2, "学校新闻、通知公告"),
    ("kuaishou", "一中艺体", "ks_no1_art", "", "editor", "", "", 21, "发布学校艺体工作短视频"),
    ("wechat_official", "和悦金地", "gh_no1_hyjd", "", "publicity", "editor", "", 1, "学校报道及各类宣传"),
]
# (kind, name, number, owner, responsible, unit slug, members, days since activity, temporary task end offset)
GROUPS = [
    ("wechat", "支委微信群", "", "钱校长", "leader", "no1-office", 7, 3, None),
    ("wechat", "全体教师微信群", "", "赵网管", "school-admin", "no1-office", 86, 0, None),
    ("wechat", "班主任微信群", "", "陈宣传", "publicity", "no1-office", 29, 1, None),
    ("qq", "全体教师QQ群", "371200451", "赵网管", "school-admin", "no1-office", 84, 20, None),
    ("qq", "党员QQ群", "371200452", "钱校长", "leader", "no1-office", 31, 35, None),
    ("qq", "团员QQ群", "371200453", "刘编辑", "editor", "no1-league", 56, 12, None),
    ("qq", "卫生工作上报QQ群", "371200454", "孙值班", "monitor", "no1-office", 12, 120, None),
    ("wechat", "七年级1班家长群", "", "周初审", "reviewer1", "no1-class7-1", 48, 0, None),
    ("wechat", "七年级2班家长群", "", "吴复审", "reviewer2", "no1-grade7", 46, 2, None),
    ("wechat", "七年级3班家长群", "", "郑终审", "reviewer3", "no1-grade7", 47, 1, None),
    ("wechat", "校运会临时工作群", "", "刘编辑", "editor", "no1-league", 25, 9, -10),
]


def load() -> str | None:
    """Create what is missing; safe to run again."""
    User = get_user_model()
    school = Organization.objects.filter(slug=SCHOOL).first()
    root = User.objects.filter(username="sysadmin").first()
    if school is None or root is None:
        return None
    people = {u.username: u for u in User.objects.filter(memberships__organization__path__startswith=school.path)}
    units = {o.slug: o for o in Organization.objects.filter(path__startswith=school.path)}
    now = timezone.now()
    today = timezone.localdate()
    made = []
    with transaction.atomic():
        for kind, name, account, url, resp, deputy, unit, silent, purpose in CHANNELS:
            if Channel.objects.filter(organization=school, kind=kind, name=name).exists():
                continue
            channel = actions.do_register_channel(
                school, acting_user=root, kind=kind, name=name, account_id=account, url=url,
                responsible=people.get(resp), deputy=people.get(deputy), unit=units.get(unit), purpose=purpose,
                filed_on=today - dt.timedelta(days=400), next_review_on=today + dt.timedelta(days=20 + silent * 10))
            at = now - dt.timedelta(days=silent)
            if kind == "wechat_official":
                record_publication(channel, at, url="https://mp.weixin.qq.com/s/demo")
            else:
                record_publication(channel, at, source="entered")
            made.append(name)
        for kind, name, number, owner, resp, unit, members, idle, task_end in GROUPS:
            if ChatGroup.objects.filter(organization=school, kind=kind, name=name).exists():
                continue
            actions.do_register_group(
                school, acting_user=root, kind=kind, name=name, number=number, owner_name=owner,
                responsible=people.get(resp), unit=units.get(unit), member_count=members,
                last_activity_on=today - dt.timedelta(days=idle), temporary=task_end is not None,
                task_ends_on=today + dt.timedelta(days=task_end) if task_end is not None else None,
                purpose="校运会报名与分工" if task_end is not None else "",
                filed_on=today - dt.timedelta(days=300))
            made.append(name)
        editor = people.get("editor")
        if editor and not Channel.objects.filter(organization=school, kind="douyin").exists():
            actions.do_apply_channel(school, acting_user=editor, kind="douyin", name="一中校园抖音",
                                     account_id="dy_no1_campus", responsible=editor, deputy=people.get("publicity"),
                                     purpose="校园活动短视频", reason="用于发布校园活动短视频，由宣传组统一审核发布")
            made.append("一中校园抖音 (filing waiting for the publicity lead)")
        if not SelfInspection.objects.filter(organization=school).exists():
            actions.do_record_inspection(school, acting_user=root, performed_on=today - dt.timedelta(days=60),
                                         note="清理临时性工作微信群 4 个、班级 QQ 群 2 个。")
            made.append("a self-inspection 60 days ago")
        primary = Organization.objects.filter(slug="experimental-primary").first()
        padmin = User.objects.filter(username="primary-admin").first()
        if primary and padmin and not Channel.objects.filter(organization=primary).exists():
            channel = actions.do_register_channel(primary, acting_user=root, kind="website", name="实验小学网站",
                                                  url="https://exp-primary.example.edu.cn/", responsible=padmin,
                                                  filed_on=today - dt.timedelta(days=200))
            record_publication(channel, now - dt.timedelta(days=5), source="entered")
            made.append("实验小学网站")
    if not made:
        return None
    return f"Registry: {len(made)} entries ({', '.join(made[:3])}, …)"
