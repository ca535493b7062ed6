"""Demo case: a parent's complaint about the canteen, handled as a 重大 case (idempotent).

Opened six hours before the demo was loaded: the leaders were told at once (met), the authoritative information
(5 h) is overdue and has reached the bureau, the statement is in review. When the demo feeds' canteen event later
reaches its level, it is attached to this case rather than opening a second one.
"""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone

DEMO_TITLE = "一中食堂饭菜有虫（家长投诉）"


def load() -> str | None:
    from django.contrib.auth import get_user_model

    from yuqing.deadlines.actions import deadlines_for
    from yuqing.deadlines.jobs import check_deadlines
    from yuqing.incidents import actions
    from yuqing.incidents.models import Case, HandlingType, Origin
    from yuqing.orgs.models import Organization

    school = Organization.objects.filter(slug="no1-middle").first()
    if school is None or Case.objects.filter(organization=school, title=DEMO_TITLE).exists():
        return None
    users = get_user_model().objects
    publicity = users.filter(username="publicity").first()
    leader = users.filter(username="leader").first()
    if publicity is None:
        return None
    opened_at = timezone.now() - timedelta(hours=6)
    case = actions.do_open_case(
        organization=school, acting_user=publicity, title=DEMO_TITLE, level="重大", origin=Origin.COMPLAINT,
        reporter="一位家长（电话）", opened_at=opened_at, responsible=publicity, spokesperson=leader,
        handling_type=HandlingType.SAME_DAY,
        summary="家长来电反映：今天午餐在第一中学食堂发现饭菜里有虫，家长群里已有讨论，要求学校说明情况。",
    )
    # The leaders were told the moment the case opened; the demo, loaded later, dates that step back to then.
    from yuqing.deadlines.models import Deadline

    Deadline.objects.filter(pk__in=deadlines_for(case).filter(kind="case.inform_leaders", state="met")).update(
        met_at=opened_at + timedelta(minutes=5))
    actions.do_add_note(case, acting_user=publicity, kind="call",
                        text="已回电家长，说明学校正在核查，今天下班前答复。")
    actions.do_draft_statement(case, acting_user=publicity, body=(
        "<p>今日，有家长反映我校食堂午餐中发现异物。学校高度重视，已第一时间封存当餐留样，"
        "暂停相关食材使用，并邀请市场监管部门到校检查。检查结果将及时向家长和社会公布。</p>"))
    _submit_statement(case, publicity)
    # The 5-hour step passed an hour ago: the check marks it overdue and tells the bureau, as it would have then.
    check_deadlines(opened_at + timedelta(hours=5, minutes=1))
    return f"Demo case opened: {DEMO_TITLE} (#{case.pk})"


def _submit_statement(case, user) -> None:
    from django.core.exceptions import ValidationError

    from yuqing.incidents.actions import statement_drafts
    from yuqing.publishing.actions import do_submit_draft

    draft = statement_drafts(case).first()
    try:
        do_submit_draft(draft, acting_user=user)
    except ValidationError:
        # A statement with a blocking finding stays with its author; the case shows it either way.
        pass
