"""The inbox: my tasks from the providers, my own notices only, mark as read, the bell, and /api/notices/."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from yuqing.deadlines.actions import open_deadline
from yuqing.detection.models import Event
from yuqing.notify.inbox import PROVIDERS, Task, task_provider
from yuqing.notify.models import Notice
from yuqing.notify.notices import send_notice

pytestmark = pytest.mark.django_db


def notice(world, user, title, **kwargs):
    [n] = send_notice(organization=world.school, recipients=[user], title=title, **kwargs)
    return n


def test_inbox_shows_only_my_notices_and_the_bell_counts_them(world, login):
    notice(world, world.monitor, "请研判食堂事件", body="两小时内转交", urgency="urgent")
    notice(world, world.editor, "稿件被退回")
    page = login(world.monitor).get("/inbox/").content.decode()
    assert "请研判食堂事件" in page and "两小时内转交" in page
    assert "稿件被退回" not in page
    assert 'class="bell-count">1<' in page
    home = login(world.editor).get("/detection/").content.decode()
    assert 'class="bell-count">1<' in home


def test_another_persons_notice_is_not_found(world, login):
    mine = notice(world, world.editor, "稿件被退回")
    client = login(world.monitor)
    assert client.post(f"/inbox/notices/{mine.pk}/read/").status_code == 404
    assert client.get(f"/inbox/notices/{mine.pk}/open/").status_code == 404
    assert client.get(f"/api/notices/{mine.pk}/").status_code == 404
    assert client.post(f"/api/notices/{mine.pk}/read/").status_code == 404
    mine.refresh_from_db()
    assert mine.read_at is None


def test_mark_one_with_htmx_then_all_as_read(world, login):
    first = notice(world, world.monitor, "一")
    notice(world, world.monitor, "二")
    notice(world, world.editor, "别人的")
    client = login(world.monitor)
    response = client.post(f"/inbox/notices/{first.pk}/read/", HTTP_HX_REQUEST="true")
    body = response.content.decode()
    assert response.status_code == 200 and f'id="notice-{first.pk}"' in body and 'hx-swap-oob="true"' in body
    assert Notice.objects.filter(recipient=world.monitor, read_at__isnull=True).count() == 1
    client.post("/inbox/read-all/")
    assert not Notice.objects.filter(recipient=world.monitor, read_at__isnull=True).exists()
    assert Notice.objects.get(recipient=world.editor).read_at is None
    page = client.get("/inbox/").content.decode()
    assert "No unread notices." in page and "bell-count" not in page
    assert "一" in client.get("/inbox/?show=all").content.decode()


def test_opening_a_notice_marks_it_read_and_follows_its_link(world, login):
    n = notice(world, world.monitor, "查看事件", link="/detection/events/")
    evil = notice(world, world.monitor, "外链", link="https://evil.example/")
    client = login(world.monitor)
    response = client.get(f"/inbox/notices/{n.pk}/open/")
    assert response.status_code == 302 and response["Location"] == "/detection/events/"
    n.refresh_from_db()
    assert n.read_at is not None
    assert client.get(f"/inbox/notices/{evil.pk}/open/")["Location"] == "/inbox/"


def test_my_tasks_list_my_open_deadlines_and_other_providers(world, login):
    now = timezone.now()
    event = Event.objects.create(organization=world.school, title="食堂", first_seen_at=now, last_seen_at=now)
    open_deadline(event, kind="case.forward", due_at=now - timedelta(minutes=5), rule="一般: 2 小时内转交",
                  organization=world.school, title="转交责任部门", assignee=world.monitor)
    open_deadline(event, kind="case.answer", due_at=now + timedelta(hours=3), rule="一般: 1 天内回应",
                  organization=world.school, title="回应家长", assignee=world.monitor)
    open_deadline(event, kind="case.report", due_at=now + timedelta(hours=3), rule="r",
                  organization=world.school, title="别人的时限", assignee=world.editor)

    @task_provider
    def review_tasks(user):
        return [Task("初审：招生简章", "/publishing/drafts/1/", kind="draft.review")] if user == world.monitor else []

    try:
        page = login(world.monitor).get("/inbox/").content.decode()
    finally:
        PROVIDERS.pop(f"{review_tasks.__module__}.{review_tasks.__qualname__}")
    assert "转交责任部门" in page and "回应家长" in page and "初审：招生简章" in page
    assert "别人的时限" not in page
    assert page.index("转交责任部门") < page.index("回应家长") < page.index("初审：招生简章")
    assert 'class="task-overdue"' in page and 'class="task-soon"' in page


def test_a_failing_task_provider_does_not_break_the_inbox(world, login):
    @task_provider
    def broken(user):
        raise RuntimeError("module down")

    try:
        assert login(world.monitor).get("/inbox/").status_code == 200
    finally:
        PROVIDERS.pop(f"{broken.__module__}.{broken.__qualname__}")


def test_api_lists_only_my_notices_and_marks_them_read(world, login):
    a = notice(world, world.monitor, "一", urgency="urgent", link="/inbox/")
    notice(world, world.monitor, "二")
    notice(world, world.editor, "别人的")
    client = login(world.monitor)
    body = client.get("/api/notices/").json()
    assert [r["title"] for r in body["results"]] == ["二", "一"]
    assert body["results"][1]["urgency"] == "urgent" and body["results"][1]["read"] is False
    response = client.post(f"/api/notices/{a.pk}/read/")
    assert response.status_code == 200 and response.json() == {"marked": 1, "unread": 1}
    assert [r["title"] for r in client.get("/api/notices/?unread=1").json()["results"]] == ["二"]
    assert client.post("/api/notices/read-all/").json() == {"marked": 1, "unread": 0}
    assert Notice.objects.get(recipient=world.editor).read_at is None


def test_api_notices_need_a_login(client):
    assert client.get("/api/notices/").status_code == 401


def test_inbox_in_chinese(world, login, settings):
    settings.LANGUAGE_CODE = "zh-hans"
    notice(world, world.monitor, "请研判食堂事件", urgency="urgent")
    page = login(world.monitor).get("/inbox/").content.decode()
    assert "我的待办" in page and "通知" in page and "紧急" in page and "全部标为已读" in page
