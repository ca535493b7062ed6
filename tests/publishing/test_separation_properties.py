"""Property: whatever random people decide, edit and resubmit, no publication violates separation of duties."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from yuqing.publishing import actions
from yuqing.publishing.models import Decision, Draft, DraftVersion, PublishRecord

PEOPLE = ["editor", "publicity", "reviewer1", "reviewer2", "reviewer3", "leader", "school_admin"]
# Every stage is open to almost everyone, so only the separation rules stand between a person and two stages.
EVERYONE = ["editor", "publicity_lead", "reviewer_1", "reviewer_2", "reviewer_3", "leader", "admin"]

step = st.one_of(
    st.tuples(st.just("approve"), st.sampled_from(PEOPLE)),
    st.tuples(st.just("reject"), st.sampled_from(PEOPLE)),
    st.tuples(st.just("return"), st.sampled_from(PEOPLE), st.integers(min_value=1, max_value=3)),
    st.tuples(st.just("edit"), st.sampled_from(PEOPLE)),
    st.tuples(st.just("submit"), st.sampled_from(PEOPLE)),
)


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture,
                                                                 HealthCheck.too_slow])
@given(steps=st.lists(step, min_size=1, max_size=25), stage_count=st.integers(min_value=2, max_value=4))
def test_random_decisions_never_publish_against_separation_of_duties(world, channel, steps, stage_count):
    actions.do_configure_chain(world.school, acting_user=world.school_admin,
                               stages=[{"name": f"第{i}审", "roles": EVERYONE} for i in range(1, stage_count + 1)])
    draft = actions.do_create_draft(organization=world.school, acting_user=world.editor, title="随机稿件",
                                    body="<p>正文</p>", channels=[channel.pk])
    actions.do_submit_draft(draft, acting_user=world.editor)
    for n, (kind, person, *rest) in enumerate(steps):
        user = getattr(world, person)
        try:
            if kind == "edit":
                actions.do_update_draft(draft, acting_user=user, body=f"<p>第{n}次修改</p>")
            elif kind == "submit":
                actions.do_submit_draft(draft, acting_user=user)
            else:
                actions.do_decide_draft(draft, acting_user=user, decision=kind, comment="意见",
                                        to_stage=rest[0] if rest else None)
        except (PermissionDenied, ValidationError):
            pass
    draft.refresh_from_db()
    decisions = list(Decision.objects.filter(draft=draft))
    authors = set(DraftVersion.objects.filter(draft=draft).values_list("saved_by", flat=True)) | {draft.author_id}
    stages_of: dict[int, set[int]] = {}
    for d in decisions:
        stages_of.setdefault(d.actor_id, set()).add(d.stage)
    assert all(len(stages) == 1 for stages in stages_of.values()), stages_of
    assert not authors & set(stages_of), (authors, stages_of)
    record = PublishRecord.objects.filter(draft=draft).first()
    if record is not None:
        assert draft.status == Draft.Status.APPROVED
        reviewer_ids = [r["user_id"] for r in record.reviewers]
        assert len(reviewer_ids) == stage_count == len(set(reviewer_ids))
        assert not authors & set(reviewer_ids)
