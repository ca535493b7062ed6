"""Cases: deadlines per level at their boundaries, overdue steps reported up once, escalation, closing rules,
statements meeting their step, documents, and who sees which case."""

from __future__ import annotations

import io
import json
from datetime import datetime, timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management import call_command
from django.utils import timezone

from yuqing.deadlines.actions import deadlines_for
from yuqing.deadlines.models import Deadline
from yuqing.incidents import actions
from yuqing.incidents.models import Case, CaseNote
from yuqing.levels import Level
from yuqing.notify.models import Notice

T0 = datetime(2026, 12, 1, 9, 0, tzinfo=timezone.get_fixed_timezone(8 * 60))


def run_deadlines(at: datetime) -> None:
    call_command("deadlines", "run", "--at", at.isoformat(), stdout=io.StringIO())


def step(case: Case, kind: str) -> Deadline:
    return deadlines_for(case).get(kind=actions.DEADLINE_PREFIX + kind)


@pytest.fixture
def general_case(world):
    return actions.do_open_case(organization=world.school, acting_user=world.monitor, title="食堂饭菜有虫",
                                level="一般", opened_at=T0, responsible=world.publicity)


def test_general_case_gets_the_seed_deadlines(general_case):
    due = {actions.step_of(d): d.due_at for d in deadlines_for(general_case)}
    assert due == {"forward": T0 + timedelta(hours=2), "respond": T0 + timedelta(days=1),
                   "report_back": T0 + timedelta(days=1)}


@pytest.mark.django_db(transaction=True)
def test_forward_step_is_overdue_at_2_01_not_1_59_and_reaches_the_bureau_once(world, general_case):
    run_deadlines(T0 + timedelta(hours=1, minutes=59))
    assert step(general_case, "forward").state == Deadline.State.OPEN
    run_deadlines(T0 + timedelta(hours=2, minutes=1))
    assert step(general_case, "forward").state == Deadline.State.OVERDUE
    run_deadlines(T0 + timedelta(hours=2, minutes=30))
    to_bureau = Notice.objects.filter(organization=world.bureau, kind="case.overdue_up")
    assert set(to_bureau.values_list("recipient__username", flat=True)) == {"bureau-admin", "supervisor"}
    assert to_bureau.count() == 2  # one each, although the check ran again
    assert not Notice.objects.filter(recipient=world.other_supervisor).exists()
    note = CaseNote.objects.get(case=general_case, data__reported_to=world.bureau.name)
    assert "示范县教育局" in note.text


def test_major_case_tells_the_leaders_at_once_and_starts_5h_and_24h(world, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        case = actions.do_open_case(organization=world.school, acting_user=world.monitor, title="学生受伤",
                                    level="重大", opened_at=T0)
    assert step(case, "inform_leaders").state == Deadline.State.MET
    assert Notice.objects.filter(recipient=world.leader, kind="case.leaders", urgency="urgent").exists()
    assert step(case, "authoritative_info").due_at == T0 + timedelta(hours=5)
    assert step(case, "statement").due_at == T0 + timedelta(hours=24)


def test_major_step_boundary_at_5_hours(world, django_capture_on_commit_callbacks):
    case = actions.do_open_case(organization=world.school, acting_user=world.monitor, title="学生受伤", level="重大",
                                opened_at=T0)
    with django_capture_on_commit_callbacks(execute=True):
        run_deadlines(T0 + timedelta(hours=4, minutes=59))
    assert step(case, "authoritative_info").state == Deadline.State.OPEN
    with django_capture_on_commit_callbacks(execute=True):
        run_deadlines(T0 + timedelta(hours=5, minutes=1))
    assert step(case, "authoritative_info").state == Deadline.State.OVERDUE


def test_rising_general_case_escalates_with_recomputed_deadlines(world, general_case, make_event,
                                                                django_capture_on_commit_callbacks):
    from yuqing.detection.signals import event_level_raised

    event = make_event(world.school, level=Level.GENERAL)
    Case.objects.filter(pk=general_case.pk).update(event=event)
    event.level = int(Level.MAJOR)
    event.save(update_fields=["level"])
    with django_capture_on_commit_callbacks(execute=True):
        event_level_raised.send(sender=type(event), event=event, from_level=Level.GENERAL, to_level=Level.MAJOR,
                                reason="评论 120 ≥ 100")
    general_case.refresh_from_db()
    assert general_case.level == Level.MAJOR and general_case.escalated
    assert step(general_case, "forward").state == Deadline.State.WAIVED
    assert step(general_case, "statement").state == Deadline.State.OPEN
    change = general_case.level_changes.get()
    assert "评论 120" in change.reason and change.actor is None


def test_an_event_reaching_major_opens_a_case_by_itself(world, make_event, django_capture_on_commit_callbacks):
    from yuqing.detection.signals import event_level_raised

    event = make_event(world.school, level=Level.MAJOR)
    with django_capture_on_commit_callbacks(execute=True):
        event_level_raised.send(sender=type(event), event=event, from_level=Level.GENERAL, to_level=Level.MAJOR,
                                reason="点击 1200")
    case = Case.objects.get(event=event)
    assert case.level == Level.MAJOR and case.opened_by is None


def test_closing_a_major_case_needs_a_finalised_evaluation(world):
    case = actions.do_open_case(organization=world.school, acting_user=world.publicity, title="学生受伤",
                                level="特别重大")
    actions.do_move_case(case, "resolved", acting_user=world.publicity)
    with pytest.raises(ValidationError) as refused:
        actions.do_move_case(case, "closed", acting_user=world.publicity)
    assert "evaluation" in str(refused.value)
    actions.do_save_evaluation(case, acting_user=world.publicity, what_happened="午餐时学生摔伤",
                               actions="及时送医并通报家长", effect="舆情平息", lessons="加强巡查",
                               rectifications=[{"item": "楼梯加装防滑条", "owner": "总务处", "due": "2026-12-20"}])
    actions.do_finalise_evaluation(case, acting_user=world.publicity)
    actions.do_move_case(case, "closed", acting_user=world.publicity)
    case.refresh_from_db()
    assert case.status == Case.Status.CLOSED and case.closed_at


def test_reopening_needs_a_reason(world, general_case):
    actions.do_move_case(general_case, "resolved", acting_user=world.publicity)
    actions.do_move_case(general_case, "closed", acting_user=world.publicity)
    with pytest.raises(ValidationError):
        actions.do_move_case(general_case, "responding", acting_user=world.publicity)
    actions.do_move_case(general_case, "responding", acting_user=world.publicity, reason="家长再次投诉")
    assert Case.objects.get(pk=general_case.pk).status == Case.Status.RESPONDING


def test_forwarding_meets_the_forward_step(world, general_case):
    actions.do_move_case(general_case, "forwarded", acting_user=world.publicity, note="已转总务处")
    assert step(general_case, "forward").state == Deadline.State.MET


def test_people_without_the_right_cannot_handle_cases(world, general_case):
    with pytest.raises(PermissionDenied):
        actions.do_open_case(organization=world.school, acting_user=world.editor, title="x", level="一般")
    with pytest.raises(PermissionDenied):
        actions.do_move_case(general_case, "forwarded", acting_user=world.reviewer1)


def test_statement_publication_meets_the_statement_step(world, django_capture_on_commit_callbacks):
    from yuqing.publishing.signals import draft_published

    case = actions.do_open_case(organization=world.school, acting_user=world.publicity, title="学生受伤",
                                level="重大")
    draft = actions.do_draft_statement(case, acting_user=world.publicity, body="<p>学校高度重视。</p>")
    assert draft.subject == case and draft.purpose == "statement"
    with django_capture_on_commit_callbacks(execute=True):
        draft_published.send(sender=type(draft), draft=draft, record=None, acting_user=world.publicity)
    assert step(case, "statement").state == Deadline.State.MET


def test_bulletin_and_evaluation_reopen_with_the_case_facts(world):
    from docx import Document

    from yuqing.incidents.documents import case_bulletin_docx, case_evaluation_docx

    case = actions.do_open_case(organization=world.school, acting_user=world.publicity, title="食堂饭菜有虫",
                                level="重大", summary="家长群反映午餐有虫", spokesperson=world.leader)
    actions.do_save_evaluation(case, acting_user=world.publicity, what_happened="家长群反映午餐有虫",
                               actions="停用该批次食材", effect="当日平息", lessons="食材验收",
                               rectifications=[{"item": "更换供应商", "owner": "总务处", "due": "2026-12-31"}])

    def text(data: bytes) -> str:
        doc = Document(io.BytesIO(data))
        cells = [c.text for t in doc.tables for row in t.rows for c in row.cells]
        return "\n".join([p.text for p in doc.paragraphs] + cells)

    bulletin = text(case_bulletin_docx(case))
    assert "关于“食堂饭菜有虫”的网络舆情通报" in bulletin
    assert "重大" in bulletin and "第一中学" in bulletin and "家长群反映午餐有虫" in bulletin
    assert "Release authoritative information" in bulletin or "发布权威信息" in bulletin
    evaluation = text(case_evaluation_docx(case))
    assert "总结评估" in evaluation and "停用该批次食材" in evaluation and "更换供应商" in evaluation


def test_a_school_sees_only_its_cases_and_its_bureau_sees_all(world, client):
    mine = actions.do_open_case(organization=world.school, acting_user=world.publicity, title="一中的事", level=1)
    theirs = actions.do_open_case(organization=world.other_school, acting_user=world.other_admin, title="二中的事",
                                  level=1)
    client.force_login(world.publicity)
    ids = {c["id"] for c in client.get("/api/cases/").json()["results"]}
    assert ids == {mine.pk}
    assert client.get(f"/cases/{theirs.pk}/").status_code == 404
    assert client.get(f"/api/cases/{theirs.pk}/").status_code == 404
    client.force_login(world.supervisor)
    assert {c["id"] for c in client.get("/api/cases/").json()["results"]} == {mine.pk, theirs.pk}
    client.force_login(world.other_supervisor)
    assert client.get("/api/cases/").json()["results"] == []


def test_case_pages_render_in_chinese(world, client, settings):
    settings.LANGUAGE_CODE = "zh-hans"
    case = actions.do_open_case(organization=world.school, acting_user=world.publicity, title="食堂饭菜有虫",
                                level="重大")
    client.force_login(world.publicity)
    page = client.get(f"/cases/{case.pk}/", HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    assert "发布权威信息" in page and "统一口径" in page
    assert client.get("/cases/", HTTP_ACCEPT_LANGUAGE="zh-hans").status_code == 200


def test_cli_opens_lists_and_shows_cases(world, django_capture_on_commit_callbacks):
    out = io.StringIO()
    with django_capture_on_commit_callbacks(execute=True):
        call_command("case", "open", "--org", world.school.slug, "--title", "家长来电", "--level", "Ⅱ",
                     "--opened-at", T0.isoformat(), stdout=out)
    case_id = int(out.getvalue().strip())
    assert Case.objects.get(pk=case_id).level == Level.MAJOR
    out = io.StringIO()
    call_command("case", "list", "--org", world.school.slug, "--format", "json", stdout=out)
    rows = json.loads(out.getvalue())
    assert rows[0]["id"] == case_id and rows[0]["level"] == "major" and rows[0]["status"] == "open"
    assert {d["kind"] for d in rows[0]["deadlines"]} == {"inform_leaders", "authoritative_info", "statement"}
    assert set(rows[0]["deadlines"][0]) >= {"kind", "due_at", "state"}
    out = io.StringIO()
    call_command("case", "show", str(case_id), "--format", "json", stdout=out)
    shown = json.loads(out.getvalue())
    assert any(e.get("data", {}).get("notified") for e in shown["timeline"])
