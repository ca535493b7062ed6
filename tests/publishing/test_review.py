"""三审三校 through the actions: separation of duties, configured chains, block findings, decisions."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction

from yuqing.publishing import actions
from yuqing.publishing.models import Decision, Draft, Participation, PublishRecord


def _walk(draft, decide, *reviewers):
    for reviewer in reviewers:
        decide(draft, reviewer)
    draft.refresh_from_db()
    return draft


def test_default_chain_publishes_after_three_different_reviewers(world, make_draft, decide):
    draft = make_draft()
    actions.do_submit_draft(draft, acting_user=world.editor)
    draft.refresh_from_db()
    assert draft.status == Draft.Status.IN_REVIEW
    assert [s["name"] for s in draft.stages] == ["初审一校", "复审二校", "终审三校"]
    decide(draft, world.reviewer1)
    draft.refresh_from_db()
    assert draft.current_stage == 2 and draft.stage_name == "复审二校"
    _walk(draft, decide, world.reviewer2, world.reviewer3)
    assert draft.status == Draft.Status.APPROVED
    record = PublishRecord.objects.get(draft=draft)
    assert [r["username"] for r in record.reviewers] == ["reviewer1", "reviewer2", "reviewer3"]
    assert record.reviewer_line == "初审：reviewer1　复审：reviewer2　终审：reviewer3"


def test_author_cannot_review_own_draft(world, make_draft, decide):
    # The publicity lead may write and may be named at a stage; as the author they still may not review.
    actions.do_configure_chain(world.school, acting_user=world.school_admin, stages=[
        {"name": "初审", "roles": ["publicity_lead", "reviewer_1"]},
        {"name": "终审", "roles": ["reviewer_3"]},
    ])
    draft = make_draft(world.publicity)
    actions.do_submit_draft(draft, acting_user=world.publicity)
    with pytest.raises(PermissionDenied, match="may not review"):
        decide(draft, world.publicity)
    assert not Decision.objects.filter(draft=draft).exists()


def test_reviewer_of_one_stage_cannot_act_at_another(world, make_draft, decide):
    actions.do_configure_chain(world.school, acting_user=world.school_admin, stages=[
        {"name": "初审", "roles": ["reviewer_1", "reviewer_2"]},
        {"name": "复审", "roles": ["reviewer_1", "reviewer_2"]},
    ])
    draft = make_draft()
    actions.do_submit_draft(draft, acting_user=world.editor)
    decide(draft, world.reviewer1)
    with pytest.raises(PermissionDenied, match="only one stage"):
        decide(draft, world.reviewer1)
    decide(draft, world.reviewer2)
    draft.refresh_from_db()
    assert draft.status == Draft.Status.APPROVED


def test_one_stage_per_person_also_after_rejection_and_resubmission(world, make_draft, decide):
    actions.do_configure_chain(world.school, acting_user=world.school_admin, stages=[
        {"name": "初审", "roles": ["reviewer_1", "reviewer_2"]},
        {"name": "复审", "roles": ["reviewer_1", "reviewer_2"]},
    ])
    draft = make_draft()
    actions.do_submit_draft(draft, acting_user=world.editor)
    decide(draft, world.reviewer1, "reject", comment="标题不妥")
    draft.refresh_from_db()
    assert draft.status == Draft.Status.REJECTED
    actions.do_update_draft(draft, acting_user=world.editor, title="校园开放日通知")
    actions.do_submit_draft(draft, acting_user=world.editor)
    # reviewer2 takes stage 1 this time; reviewer1, who acted at stage 1 before, may not take stage 2.
    decide(draft, world.reviewer2)
    with pytest.raises(PermissionDenied, match="only one stage"):
        decide(draft, world.reviewer1)


def test_editor_during_review_becomes_author(world, make_draft, decide):
    actions.do_configure_chain(world.school, acting_user=world.school_admin, stages=[
        {"name": "初审", "roles": ["reviewer_1"]},
        {"name": "终审", "roles": ["publicity_lead", "reviewer_3"]},
    ])
    draft = make_draft()
    actions.do_submit_draft(draft, acting_user=world.editor)
    decide(draft, world.reviewer1)
    actions.do_update_draft(draft, acting_user=world.publicity, body="<p>改过的正文。</p>")
    with pytest.raises(PermissionDenied, match="may not review"):
        decide(draft, world.publicity)
    # …and a reviewer who acted may not edit afterwards, even holding an editor's role as well
    from yuqing.orgs.models import Membership
    from yuqing.orgs.permissions import forget

    Membership.objects.create(user=world.reviewer1, organization=world.school, role="editor")
    forget(world.reviewer1)
    with pytest.raises(PermissionDenied, match="may not edit"):
        actions.do_update_draft(draft, acting_user=world.reviewer1, title="新标题")


def test_database_refuses_second_role_for_a_person(world, make_draft):
    draft = make_draft()
    with pytest.raises(IntegrityError), transaction.atomic():
        Participation.objects.create(draft=draft, user=world.editor, role="reviewer", stage=1)


def test_someone_without_the_stage_role_cannot_decide(world, make_draft, decide):
    draft = make_draft()
    actions.do_submit_draft(draft, acting_user=world.editor)
    with pytest.raises(PermissionDenied, match="not one of the reviewers"):
        decide(draft, world.reviewer2)
    assert not draft.participations.filter(user=world.reviewer2).exists()


def test_refusals_name_separation_of_duties_before_roles(world, make_draft, decide):
    draft = make_draft()
    actions.do_submit_draft(draft, acting_user=world.editor)
    with pytest.raises(PermissionDenied, match="may not review"):
        decide(draft, world.editor)
    decide(draft, world.reviewer1)
    with pytest.raises(PermissionDenied, match="only one stage"):
        decide(draft, world.reviewer1)


@pytest.mark.parametrize("count", [2, 4])
def test_configured_chain_of_n_stages(world, make_draft, decide, count):
    roles = ["reviewer_1", "reviewer_2", "reviewer_3", "leader"][:count]
    names = ["一审", "二审", "三审", "四审"][:count]
    actions.do_configure_chain(world.bureau, acting_user=world.bureau_admin, stages=[
        {"name": n, "roles": [r], "hours": 8} for n, r in zip(names, roles, strict=True)])
    draft = make_draft()  # the school inherits the bureau's chain
    actions.do_submit_draft(draft, acting_user=world.editor)
    draft.refresh_from_db()
    assert [s["name"] for s in draft.stages] == names
    assert draft.stage_due_at is not None
    people = [world.reviewer1, world.reviewer2, world.reviewer3, world.leader][:count]
    _walk(draft, decide, *people)
    assert draft.status == Draft.Status.APPROVED
    assert len(draft.publish_record.reviewers) == count


def test_return_to_an_earlier_stage(world, make_draft, decide):
    draft = make_draft()
    actions.do_submit_draft(draft, acting_user=world.editor)
    decide(draft, world.reviewer1)
    decide(draft, world.reviewer2)
    with pytest.raises(ValidationError) as exc:
        decide(draft, world.reviewer3, "return", to_stage=3)
    assert "to_stage" in exc.value.message_dict
    decide(draft, world.reviewer3, "return", to_stage=1, comment="第二段需核实", passage="欢迎家长参加")
    draft.refresh_from_db()
    assert draft.current_stage == 1 and draft.status == Draft.Status.IN_REVIEW
    _walk(draft, decide, world.reviewer1, world.reviewer2, world.reviewer3)
    assert draft.status == Draft.Status.APPROVED


def test_reject_needs_a_comment(world, make_draft, decide):
    draft = make_draft()
    actions.do_submit_draft(draft, acting_user=world.editor)
    with pytest.raises(ValidationError) as exc:
        decide(draft, world.reviewer1, "reject", comment="")
    assert "comment" in exc.value.message_dict


def test_block_finding_stops_final_approval_unless_overridden(world, make_draft, decide):
    from yuqing.audit.models import AuditRecord

    draft = make_draft(body="<p>欢迎来网上赌场。</p>")
    assert draft.has_block
    actions.do_submit_draft(draft, acting_user=world.editor)
    decide(draft, world.reviewer1)
    decide(draft, world.reviewer2)
    with pytest.raises(ValidationError) as exc:
        decide(draft, world.reviewer3)
    assert "override_reason" in exc.value.message_dict
    assert "赌场" in exc.value.message_dict["override_reason"][0]
    with pytest.raises(ValidationError) as exc:
        decide(draft, world.reviewer3, "return", to_stage=1, comment="看看", override_reason="退回时不能豁免")
    assert "override_reason" in exc.value.message_dict
    decide(draft, world.reviewer3, override_reason="禁毒宣传引用原文，已核实")
    draft.refresh_from_db()
    assert draft.status == Draft.Status.APPROVED
    assert AuditRecord.objects.filter(action="draft.override_block", object_id=str(draft.pk)).exists()


def test_fixing_the_block_finding_lets_it_pass(world, make_draft, decide):
    draft = make_draft(body="<p>欢迎来网上赌场。</p>")
    actions.do_update_draft(draft, acting_user=world.editor, body="<p>欢迎来校园参观。</p>")
    draft.refresh_from_db()
    assert not draft.has_block
    actions.do_submit_draft(draft, acting_user=world.editor)
    _walk(draft, decide, world.reviewer1, world.reviewer2, world.reviewer3)
    assert draft.status == Draft.Status.APPROVED


def test_reviewers_cannot_see_other_organisations_drafts(world, make_draft, decide):
    draft = make_draft()
    actions.do_submit_draft(draft, acting_user=world.editor)
    with pytest.raises(PermissionDenied):
        decide(draft, world.other_admin)


def test_chain_configuration_errors_name_the_field(world):
    with pytest.raises(ValidationError) as exc:
        actions.do_configure_chain(world.school, acting_user=world.school_admin,
                                   stages=[{"name": "", "roles": ["nobody"]}])
    assert set(exc.value.message_dict) == {"stages.1.name", "stages.1.roles"}
    with pytest.raises(PermissionDenied):
        actions.do_configure_chain(world.school, acting_user=world.editor, stages=[])
