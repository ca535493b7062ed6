"""Publishing in the shared kit: inbox tasks for reviewers, notices of decisions, deadlines per stage."""

from __future__ import annotations

from yuqing.publishing import actions


def _titles(user):
    from yuqing.notify.inbox import tasks_for

    return [t.title for t in tasks_for(user) if t.kind.startswith("publishing.")]


def test_next_stage_reviewer_gets_a_task_and_a_notice_and_the_author_hears_each_decision(
        world, make_draft, decide, django_capture_on_commit_callbacks):
    from yuqing.notify.models import Notice

    draft = make_draft()
    with django_capture_on_commit_callbacks(execute=True):
        actions.do_submit_draft(draft, acting_user=world.editor)
    assert any(draft.title in t for t in _titles(world.reviewer1))
    assert not _titles(world.reviewer2)
    assert Notice.objects.filter(recipient=world.reviewer1, kind="publishing.review").exists()
    with django_capture_on_commit_callbacks(execute=True):
        decide(draft, world.reviewer1)
    assert not _titles(world.reviewer1)
    assert any(draft.title in t for t in _titles(world.reviewer2))
    told = Notice.objects.filter(recipient=world.editor, kind="publishing.decision")
    assert told.count() == 1 and "初审一校" in told.get().title
    with django_capture_on_commit_callbacks(execute=True):
        decide(draft, world.reviewer2, "reject", comment="请补充时间")
    assert any("Revise" in t for t in _titles(world.editor))
    assert Notice.objects.filter(recipient=world.editor, kind="publishing.decision").count() == 2


def test_stage_time_limit_opens_a_deadline_met_by_the_decision(world, make_draft, decide):
    from yuqing.deadlines.actions import deadlines_for

    actions.do_configure_chain(world.school, acting_user=world.school_admin, stages=[
        {"name": "初审", "roles": ["reviewer_1"], "hours": 4}, {"name": "终审", "roles": ["reviewer_3"], "hours": 8}])
    draft = make_draft()
    actions.do_submit_draft(draft, acting_user=world.editor)
    first = deadlines_for(draft).get()
    assert first.state == "open" and first.remind_at < first.due_at and "初审" in first.rule
    decide(draft, world.reviewer1)
    states = sorted(deadlines_for(draft).values_list("state", flat=True))
    assert states == ["met", "open"]
    actions.do_withdraw_draft(draft, acting_user=world.editor)
    assert sorted(deadlines_for(draft).values_list("state", flat=True)) == ["met", "waived"]
