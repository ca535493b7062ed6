"""Drafts: channels, versions and diffs, sanitised bodies, attachments, publish records and their archive."""

from __future__ import annotations

import hashlib
import io

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from PIL import Image

from yuqing.publishing import actions, archive, diff, richtext
from yuqing.publishing.models import ArchivedFile, Draft, PublishRecord


def _jpeg(size=(900, 500)) -> bytes:
    buf = io.BytesIO()
    Image.new("RGB", size, (200, 30, 30)).save(buf, "JPEG")
    return buf.getvalue()


@pytest.mark.parametrize("status", ["suspended", "closed", "applied"])
def test_draft_cannot_target_a_channel_that_is_not_active(world, make_draft, status):
    from yuqing.registry.actions import do_register_channel

    channel = do_register_channel(world.school, acting_user=world.school_admin, kind="weibo", name=f"微博-{status}",
                                  account_id=f"wb-{status}", responsible=world.publicity, status=status)
    with pytest.raises(ValidationError) as exc:
        make_draft(channels=[channel.pk])
    assert "channels" in exc.value.message_dict
    assert "active" in exc.value.message_dict["channels"][0]


def test_submission_refuses_a_channel_suspended_since_the_draft_was_written(world, make_draft, channel):
    from yuqing.registry.models import Channel

    draft = make_draft()
    Channel.objects.filter(pk=channel.pk).update(status="suspended")
    with pytest.raises(ValidationError) as exc:
        actions.do_submit_draft(draft, acting_user=world.editor)
    assert "channels" in exc.value.message_dict


def test_draft_cannot_target_another_schools_channel(world, make_draft):
    from yuqing.registry.actions import do_register_channel

    theirs = do_register_channel(world.other_school, acting_user=world.other_admin, kind="weibo", name="二中微博",
                                 account_id="wb2", responsible=world.other_admin)
    with pytest.raises(ValidationError, match="does not exist"):
        make_draft(channels=[theirs.pk])


def test_every_save_is_a_version_and_the_reviewer_sees_the_diff_since_they_last_looked(world, make_draft, client):
    draft = make_draft(body="<p>本周六举行开放日。</p>")
    actions.do_submit_draft(draft, acting_user=world.editor)
    assert actions.do_mark_seen(draft, acting_user=world.reviewer1) is None
    actions.do_update_draft(draft, acting_user=world.editor, body="<p>本周日上午举行开放日。</p>")
    actions.do_update_draft(draft, acting_user=world.editor, title="开放日通知")
    draft.refresh_from_db()
    assert draft.version == 3
    assert list(draft.versions.values_list("number", "title")) == [
        (1, "校园开放日活动通知"), (2, "校园开放日活动通知"), (3, "开放日通知")]
    seen = actions.do_mark_seen(draft, acting_user=world.reviewer1)
    assert seen == 1
    old, new = draft.versions.get(number=seen), draft.versions.get(number=draft.version)
    pieces = diff.char_diff(old.body_text, new.body_text)
    assert [(p.op, p.text) for p in pieces if p.op != "equal"] == [("delete", "六"), ("insert", "日上午")]
    assert actions.do_mark_seen(draft, acting_user=world.reviewer1) == 3


def test_char_diff_reconstructs_both_texts():
    old, new = "学校召开家长会，地点在礼堂。", "学校于周五召开家长会，地点改在体育馆。"
    pieces = diff.char_diff(old, new)
    assert "".join(p.text for p in pieces if p.op != "insert") == old
    assert "".join(p.text for p in pieces if p.op != "delete") == new
    html = diff.render_inline(pieces)
    assert '<ins class="diff-ins">于周五</ins>' in html and '<del class="diff-del">礼堂</del>' in html


def test_body_from_word_keeps_headings_lists_bold_and_loses_scripts():
    pasted = ('<p class=MsoTitle>开学典礼<o:p></o:p></p><p><span style="font-weight:bold">时间</span>：九月一日'
              '<script>alert(1)</script></p><p class=MsoListParagraph style="mso-list:l0">升旗</p>'
              '<p class=MsoListParagraph style="mso-list:l0">致辞</p><a href="javascript:alert(1)">x</a>'
              '<img src="x" onerror="alert(1)">')
    clean = richtext.sanitize(pasted)
    assert "<h1>开学典礼</h1>" in clean.html
    assert "<strong>时间</strong>" in clean.html
    assert "<ul><li>升旗</li>" in clean.html.replace("\n", "")
    assert "script" not in clean.html and "onerror" not in clean.html and "javascript" not in clean.html
    assert clean.text.split("\n")[:3] == ["开学典礼", "时间：九月一日", "升旗"]


def test_pasted_inline_image_becomes_a_checked_attachment(world, make_draft):
    import base64

    data = base64.b64encode(_jpeg()).decode()
    draft = make_draft(body=f'<p>配图</p><img src="data:image/jpeg;base64,{data}">')
    att = draft.attachment_files.get()
    assert att.kind == "image" and (att.width, att.height) == (900, 500)
    assert f"/publishing/attachments/{att.pk}/" in draft.body and "data:" not in draft.body


def test_attachments_are_checked_by_content(world, make_draft):
    draft = make_draft()
    with pytest.raises(ValidationError) as exc:
        actions.do_add_attachment(draft, acting_user=world.editor, data=b"MZ\x90\x00 not an image", name="a.jpg")
    assert "attachment" in exc.value.message_dict
    png = io.BytesIO()
    Image.new("RGB", (1200, 800)).save(png, "PNG")
    actions.do_add_attachment(draft, acting_user=world.editor, data=png.getvalue(), name="photo.png")
    video = b"\x00\x00\x00\x18ftypisom" + b"\x00" * 64
    actions.do_add_attachment(draft, acting_user=world.editor, data=video, name="clip.mov")
    draft.refresh_from_db()
    rules = {f["rule_id"] for f in draft.findings}
    assert {"format.image_format", "format.image_size", "format.video_type"} <= rules
    assert draft.version == 3


def test_repost_must_name_its_source(world, make_draft):
    with pytest.raises(ValidationError) as exc:
        make_draft(is_repost=True, source="")
    assert "source" in exc.value.message_dict


def test_unknown_category_is_refused_and_own_categories_are_offered(world, make_draft):
    from yuqing.publishing.models import OwnCategory

    with pytest.raises(ValidationError) as exc:
        make_draft(category="gossip")
    assert "category" in exc.value.message_dict
    OwnCategory.objects.create(organization=world.bureau, code="sports", name="体育赛事")
    assert make_draft(category="sports").category == "sports"


def test_only_writers_create_drafts(world, make_draft):
    with pytest.raises(PermissionDenied):
        make_draft(world.reviewer1)


def test_publish_record_carries_reviewers_and_archive_hashes_match(world, make_draft, decide, channel):
    draft = make_draft()
    actions.do_add_attachment(draft, acting_user=world.editor, data=_jpeg(), name="banner.jpg")
    actions.do_submit_draft(draft, acting_user=world.editor)
    for reviewer in (world.reviewer1, world.reviewer2, world.reviewer3):
        decide(draft, reviewer)
    record = PublishRecord.objects.get(draft=draft)
    assert [(r["stage_name"], r["username"]) for r in record.reviewers] == [
        ("初审一校", "reviewer1"), ("复审二校", "reviewer2"), ("终审三校", "reviewer3")]
    kinds = sorted(record.archive.values_list("kind", flat=True))
    assert kinds == ["attachment", "docx", "text"]
    for item in record.archive.all():
        with item.file.open("rb") as fh:
            assert hashlib.sha256(fh.read()).hexdigest() == item.sha256
        assert archive.verify(item)
    text = record.archive.get(kind=ArchivedFile.Kind.TEXT)
    with text.file.open("rb") as fh:
        content = fh.read().decode()
    assert "初审：reviewer1" in content and "校园开放日活动通知" in content
    from docx import Document

    with record.archive.get(kind="docx").file.open("rb") as fh:
        doc = Document(io.BytesIO(fh.read()))
    assert doc.paragraphs[0].text == "校园开放日活动通知"
    assert any("终审：reviewer3" in p.text for p in doc.paragraphs)
    assert list(record.channels.all()) == [channel]


def test_mass_send_needs_the_test_send_first_and_moves_the_channels_date(world, make_draft, decide, channel,
                                                                        django_capture_on_commit_callbacks):
    from yuqing.publishing import signals

    draft = make_draft()
    actions.do_submit_draft(draft, acting_user=world.editor)
    for reviewer in (world.reviewer1, world.reviewer2, world.reviewer3):
        decide(draft, reviewer)
    record = draft.publish_record
    with pytest.raises(ValidationError, match="test send"):
        actions.do_publish(record, acting_user=world.editor)
    actions.do_record_preview(record, acting_user=world.editor, note="发给编辑组预览，无误")
    received = []
    signals.draft_published.connect(lambda **kw: received.append(kw["record"].pk), weak=False, dispatch_uid="t")
    try:
        with django_capture_on_commit_callbacks(execute=True):
            actions.do_publish(record, acting_user=world.editor, url="https://mp.weixin.qq.com/s/abc")
    finally:
        signals.draft_published.disconnect(dispatch_uid="t")
    record.refresh_from_db()
    channel.refresh_from_db()
    assert record.status == "published" and record.preview_by == world.editor
    assert Draft.objects.get(pk=draft.pk).status == Draft.Status.PUBLISHED
    assert channel.last_published_via_yuqing_at == record.published_at
    assert channel.last_published_url == "https://mp.weixin.qq.com/s/abc"
    assert received == [record.pk]


def test_statement_draft_for_a_subject_goes_through_the_same_chain(world, make_draft, decide):
    draft = make_draft(title="关于网传食堂问题的情况说明", purpose="statement", subject=world.school)
    assert draft.subject == world.school and draft.purpose == "statement"
    actions.do_submit_draft(draft, acting_user=world.editor)
    with pytest.raises(PermissionDenied):
        decide(draft, world.editor)


def test_publication_url_is_found_later_by_the_channels_own_source(world, make_draft, decide, channel):
    from django.utils import timezone

    from yuqing.monitoring.models import Item, Source
    from yuqing.monitoring.signals import items_stored

    source = Source.objects.create(organization=world.school, name="公众号文章", kind="rss",
                                   url="https://example.edu.cn/feed")
    channel.source = source
    channel.save()
    draft = make_draft()
    actions.do_submit_draft(draft, acting_user=world.editor)
    for reviewer in (world.reviewer1, world.reviewer2, world.reviewer3):
        decide(draft, reviewer)
    record = draft.publish_record
    actions.do_record_preview(record, acting_user=world.editor)
    actions.do_publish(record, acting_user=world.editor)
    now = timezone.now()
    other = Item.objects.create(organization=world.school, source=source, url="https://example.edu.cn/other",
                                url_hash="a" * 64, title="别的文章", first_seen_at=now, last_seen_at=now)
    ours = Item.objects.create(organization=world.school, source=source, url="https://example.edu.cn/open-day",
                               url_hash="b" * 64, title=record.title, first_seen_at=now, last_seen_at=now)
    items_stored.send(sender=Item, organization_id=world.school.pk, new_ids=[other.pk, ours.pk], updated_ids=[])
    record.refresh_from_db()
    assert record.url == "https://example.edu.cn/open-day"
