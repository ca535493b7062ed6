"""The publishing pages through HTTP with personas: lists, the draft page, decisions, records, the text checker."""

from __future__ import annotations

import io

from yuqing.publishing import actions
from yuqing.publishing.models import Draft


def test_editor_writes_a_draft_through_the_form(world, login, channel):
    client = login(world.editor)
    response = client.post("/publishing/new/", {
        "title": "家长会通知", "body": '<p class="MsoNormal"><b>时间</b>：周五</p><script>x()</script>',
        "category": "notices", "channels": [str(channel.pk)], "source": ""})
    assert response.status_code == 302
    draft = Draft.objects.get(title="家长会通知")
    assert draft.body == "<p><b>时间</b>：周五</p>" and list(draft.channels.all()) == [channel]
    page = client.get(f"/publishing/drafts/{draft.pk}/")
    assert page.status_code == 200 and "家长会通知" in page.content.decode()


def test_form_errors_name_the_field(world, login, channel):
    client = login(world.editor)
    response = client.post("/publishing/new/", {"title": "转载", "body": "x", "category": "notices",
                                                "channels": [str(channel.pk)], "is_repost": "on", "source": ""})
    assert response.status_code == 200
    assert "Source: A repost must name its source." in response.content.decode()


def test_reviewer_sees_waiting_draft_the_diff_and_decides_on_the_page(world, login, make_draft):
    draft = make_draft(body="<p>周六举行开放日。</p>")
    actions.do_submit_draft(draft, acting_user=world.editor)
    client = login(world.reviewer1)
    waiting = client.get("/publishing/?tab=review").content.decode()
    assert draft.title in waiting
    client.get(f"/publishing/drafts/{draft.pk}/")  # reviewer1 looks at v1
    actions.do_update_draft(draft, acting_user=world.editor, body="<p>周日举行开放日。</p>")
    page = client.get(f"/publishing/drafts/{draft.pk}/").content.decode()
    assert '<del class="diff-del">六</del><ins class="diff-ins">日</ins>' in page
    response = client.post(f"/publishing/drafts/{draft.pk}/", {"form": "decide", "decision": "approve",
                                                               "comment": "同意"})
    assert response.status_code == 302
    draft.refresh_from_db()
    assert draft.current_stage == 2
    # reviewer1 is not offered stage 2, and nothing waits for them any more
    assert draft.title not in client.get("/publishing/?tab=review").content.decode()
    assert client.get("/publishing/?tab=review").status_code == 200


def test_author_is_refused_on_the_page_with_the_reason(world, login, make_draft):
    actions.do_configure_chain(world.school, acting_user=world.school_admin,
                               stages=[{"name": "初审", "roles": ["editor", "reviewer_1"]}])
    draft = make_draft()
    actions.do_submit_draft(draft, acting_user=world.editor)
    client = login(world.editor)
    page = client.get(f"/publishing/drafts/{draft.pk}/").content.decode()
    assert 'name="decision"' not in page
    response = client.post(f"/publishing/drafts/{draft.pk}/", {"form": "decide", "decision": "approve"})
    assert "may not review" in response.content.decode()


def test_findings_are_highlighted_in_place(world, login, make_draft):
    draft = make_draft(body="<p>欢迎来网上赌场，电话13812345678。</p>")
    page = login(world.editor).get(f"/publishing/drafts/{draft.pk}/").content.decode()
    assert '<mark class="finding sev-block"' in page and ">网上赌场</mark>" in page
    assert "138****5678" in page


def test_publication_page_records_test_send_then_mass_send(world, login, make_draft, decide):
    draft = make_draft()
    actions.do_submit_draft(draft, acting_user=world.editor)
    for reviewer in (world.reviewer1, world.reviewer2, world.reviewer3):
        decide(draft, reviewer)
    record = draft.publish_record
    client = login(world.editor)
    page = client.get(f"/publishing/publications/{record.pk}/").content.decode()
    assert "初审：reviewer1" in page and record.archive.first().sha256 in page
    client.post(f"/publishing/publications/{record.pk}/", {"form": "preview", "note": "已预览"})
    client.post(f"/publishing/publications/{record.pk}/", {"form": "publish", "url": "https://example.edu.cn/a"})
    record.refresh_from_db()
    assert record.status == "published" and record.url == "https://example.edu.cn/a"
    docx = record.archive.get(kind="docx")
    download = client.get(f"/publishing/archive/{docx.pk}/")
    assert download.status_code == 200 and b"".join(download.streaming_content)[:2] == b"PK"
    assert login(world.other_admin).get(f"/publishing/publications/{record.pk}/").status_code == 404


def test_text_checker_page_highlights_pasted_text_and_docx(world, login):
    client = login(world.monitor)
    response = client.post("/publishing/check/", {"text": "本校是全国最好的学校，联系13812345678。"})
    body = response.content.decode()
    assert response.status_code == 200 and ">13812345678</mark>" in body and "138****5678" in body
    from docx import Document

    doc = Document()
    doc.add_paragraph("欢迎来网上赌场")
    buf = io.BytesIO()
    doc.save(buf)
    buf.seek(0)
    buf.name = "稿件.docx"
    response = client.post("/publishing/check/", {"text": "", "file": buf})
    assert ">网上赌场</mark>" in response.content.decode()
    bad = io.BytesIO(b"not a docx")
    bad.name = "x.docx"
    assert "not a readable .docx" in client.post("/publishing/check/", {"file": bad}).content.decode()


def test_chain_page_configures_stages(world, login):
    client = login(world.school_admin)
    assert client.get("/publishing/chain/").status_code == 200
    response = client.post("/publishing/chain/", {
        "s0-name": "初审", "s0-roles": ["reviewer_1"], "s0-hours": "4",
        "s1-name": "终审", "s1-roles": [], "s1-people": "reviewer3"})
    assert response.status_code == 302
    from yuqing.publishing.chains import stages_for

    stages = stages_for(world.school)
    assert [(s["name"], s["hours"]) for s in stages] == [("初审", 4), ("终审", None)]
    assert stages[1]["people"] == [world.reviewer3.pk]
    assert login(world.editor).get("/publishing/chain/").status_code == 403


def test_pages_render_in_chinese(world, login, make_draft, settings):
    settings.LANGUAGE_CODE = "zh-hans"
    make_draft()
    page = login(world.editor).get("/publishing/").content.decode()
    assert "稿件" in page and "待我审核" in page


def test_chain_page_adds_an_own_category_offered_to_drafts(world, login, make_draft):
    client = login(world.school_admin)
    response = client.post("/publishing/chain/", {"form": "category", "cat-code": "sports", "cat-name": "体育赛事"})
    assert response.status_code == 302
    assert make_draft(category="sports").category_label == "体育赛事"
    again = client.post("/publishing/chain/", {"form": "category", "cat-code": "sports", "cat-name": "重复"})
    assert "already exists" in again.content.decode()
