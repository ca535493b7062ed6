"""The publishing API driven with tokens from `yuqing token issue`, as an integration script would."""

from __future__ import annotations

import io

import pytest
from django.core.management import call_command


def _token(username: str, name: str = "test") -> str:
    out = io.StringIO()
    call_command("token", "issue", username, "--name", name, stdout=out)
    raw = out.getvalue().strip()
    assert raw.startswith("yq_")
    return raw


def _as(client, username):
    token = _token(username)
    return lambda method, url, data=None: getattr(client, method)(
        url, data=data, content_type="application/json", HTTP_AUTHORIZATION=f"Bearer {token}")


def test_token_issue_prints_a_working_token_and_refuses_unknown_people(world, client):
    raw = _token("editor", "ci")
    response = client.get("/api/drafts/", HTTP_AUTHORIZATION=f"Bearer {raw}")
    assert response.status_code == 200
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match="no user"):
        call_command("token", "issue", "nobody")


def test_editor_through_three_reviewers_to_a_publish_record(world, client, channel):
    editor = _as(client, "editor")
    channels = editor("get", "/api/channels/?status=active").json()["results"]
    assert [c["id"] for c in channels] == [channel.pk]
    created = editor("post", "/api/drafts/", {"title": "运动会通知", "body": "<p>本周五举行秋季运动会。</p>",
                                             "channels": [channel.pk], "category": "notices"})
    assert created.status_code == 201, created.content
    draft = created.json()
    assert draft["version"] == 1 and draft["status"] == "editing" and draft["channels"] == [channel.pk]
    updated = editor("patch", f"/api/drafts/{draft['id']}/", {"body": "<p>本周五下午举行秋季运动会。</p>"})
    assert updated.json()["version"] == 2
    submitted = editor("post", f"/api/drafts/{draft['id']}/submit/")
    assert submitted.status_code == 200 and submitted.json()["stage"] == "初审一校"
    for n in (1, 2, 3):
        reviewer = _as(client, f"reviewer{n}")
        response = reviewer("post", f"/api/drafts/{draft['id']}/decide/", {"decision": "approve", "comment": "同意"})
        assert response.status_code == 201, response.content
    records = editor("get", "/api/publications/").json()["results"]
    assert len(records) == 1
    record = records[0]
    assert record["draft"] == draft["id"]
    assert [(r["stage_name"], r["username"]) for r in record["reviewers"]] == [
        ("初审一校", "reviewer1"), ("复审二校", "reviewer2"), ("终审三校", "reviewer3")]
    assert {a["kind"] for a in record["archive"]} == {"text", "docx"}
    assert editor("post", f"/api/publications/{record['id']}/publish/").status_code == 400
    assert editor("post", f"/api/publications/{record['id']}/preview/", {"note": "预览无误"}).status_code == 200
    done = editor("post", f"/api/publications/{record['id']}/publish/", {"url": "https://mp.weixin.qq.com/s/x"})
    assert done.status_code == 200 and done.json()["status"] == "published"


def test_api_refuses_one_person_on_two_stages(world, client, channel):
    from yuqing.publishing.actions import do_configure_chain

    do_configure_chain(world.school, acting_user=world.school_admin, stages=[
        {"name": "初审", "roles": ["reviewer_1"]}, {"name": "终审", "roles": ["reviewer_1", "reviewer_3"]}])
    editor = _as(client, "editor")
    draft = editor("post", "/api/drafts/", {"title": "通知", "body": "正文", "channels": [channel.pk],
                                           "category": "notices"}).json()
    editor("post", f"/api/drafts/{draft['id']}/submit/")
    reviewer1 = _as(client, "reviewer1")
    assert reviewer1("post", f"/api/drafts/{draft['id']}/decide/", {"decision": "approve"}).status_code == 201
    second = reviewer1("post", f"/api/drafts/{draft['id']}/decide/", {"decision": "approve"})
    assert second.status_code == 403
    assert "one stage" in second.json()["detail"]
    # and the author is refused as well
    assert editor("post", f"/api/drafts/{draft['id']}/decide/", {"decision": "approve"}).status_code == 403


def test_api_errors_name_the_field(world, client, channel):
    editor = _as(client, "editor")
    response = editor("post", "/api/drafts/", {"title": "", "body": "x", "channels": [channel.pk],
                                               "category": "nonsense"})
    assert response.status_code == 400
    assert {"title", "category"} <= set(response.json())
    draft = editor("post", "/api/drafts/", {"title": "好", "body": "x", "channels": [channel.pk]}).json()
    editor("post", f"/api/drafts/{draft['id']}/submit/")
    reviewer1 = _as(client, "reviewer1")
    bad = reviewer1("post", f"/api/drafts/{draft['id']}/decide/", {"decision": "return", "comment": "改"})
    assert bad.status_code == 400 and "to_stage" in bad.json()
    assert reviewer1("post", f"/api/drafts/{draft['id']}/decide/", {"decision": "maybe"}).status_code == 400


def test_drafts_of_other_schools_are_invisible(world, client, make_draft):
    draft = make_draft()
    other = _as(client, "other-admin")
    assert other("get", f"/api/drafts/{draft.pk}/").status_code == 404
    assert other("get", "/api/drafts/").json()["count"] == 0
