"""The publishing demo: drafts at each stage, a blocking finding, a rejected-and-resubmitted one, a publication."""

from __future__ import annotations


def test_demo_drafts_cover_every_step_and_load_twice_without_duplicates(db, settings, tmp_path):
    from yuqing.orgs import demo as org_demo
    from yuqing.publishing import demo
    from yuqing.publishing.models import Decision, Draft, PublishRecord

    settings.DATA_DIR = tmp_path
    org_demo.load()
    assert demo.load().startswith("Publishing demo: 7 drafts")
    assert demo.load() == ""
    drafts = {d.title: d for d in Draft.objects.all()}
    assert len(drafts) == 7
    stages = {d.current_stage for d in drafts.values() if d.status == "in_review"}
    assert stages == {1, 2, 3}
    assert any(d.has_block and d.current_stage == 3 for d in drafts.values())
    resubmitted = drafts["七年级家长会通知"]
    assert resubmitted.round == 2 and Decision.objects.filter(draft=resubmitted, decision="reject").exists()
    record = PublishRecord.objects.get()
    assert record.status == "published" and record.reviewer_line == "初审：周初审　复审：吴复审　终审：郑终审"
    assert record.archive.count() == 3
