"""Cursor pages of items, mentions and events: stable under inserts, capped counts, flat query counts."""

from __future__ import annotations

import hashlib
from datetime import timedelta
from itertools import count

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from tests.detection_app.factories import scheme, store
from yuqing import keyset
from yuqing.monitoring.models import Item

pytestmark = pytest.mark.django_db
_n = count(1)


def make_items(org, n: int, *, at=None, step=timedelta(seconds=1)) -> list[Item]:
    """`n` items, newest last; several share a first_seen_at so the id must break ties."""
    at = at or timezone.now() - timedelta(days=1)
    rows = []
    for i in range(n):
        k = next(_n)
        url = f"https://example.cn/k/{k}"
        seen = at + step * (i // 3)
        rows.append(Item(organization=org, url=url, url_hash=hashlib.sha256(url.encode()).hexdigest(),
                         title=f"条目{k}", text=f"第{k}条关于学校的帖子", platform="weibo",
                         first_seen_at=seen, last_seen_at=seen))
    return Item.objects.bulk_create(rows)


def _ids(html: str) -> list[int]:
    import re

    return [int(x) for x in re.findall(r'href="/monitoring/items/(\d+)/"', html)]


def _walk_api(client, url: str, params: dict, inserts=None) -> list[int]:
    seen, pages = [], 0
    answer = client.get(url, params).json()
    while True:
        seen += [r["id"] for r in answer["results"]]
        pages += 1
        if inserts and pages == 1:
            inserts()
        if not answer["next"]:
            return seen
        answer = client.get(answer["next"]).json()


def test_cursor_pages_of_the_api_neither_skip_nor_repeat_items_inserted_meanwhile(world, login):
    made = make_items(world.school, 23)
    client = login(world.monitor)
    expected = [i.pk for i in sorted(made, key=lambda i: (i.first_seen_at, i.pk), reverse=True)]
    seen = _walk_api(client, "/api/items/", {"limit": 5},
                     inserts=lambda: make_items(world.school, 7, at=timezone.now()))
    assert seen == expected  # new items arrived at the top; the pages already started are unaffected


def test_item_pages_follow_the_cursor_and_go_back(world, login):
    make_items(world.school, 120)
    client = login(world.monitor)
    first = client.get("/monitoring/items/")
    assert first.status_code == 200
    page1 = _ids(first.content.decode())
    assert len(page1) == 50
    html = first.content.decode()
    assert "120 in all" in html
    next_url = html.split('rel="next"')[0].rsplit('href="', 1)[1].split('"')[0].replace("&amp;", "&")
    second = client.get("/monitoring/items/" + next_url)
    page2 = _ids(second.content.decode())
    assert len(page2) == 50 and not set(page1) & set(page2)
    back = second.content.decode().split('rel="prev"')[0].rsplit('href="', 1)[1].split('"')[0].replace("&amp;", "&")
    assert _ids(client.get("/monitoring/items/" + back).content.decode()) == page1
    # ?page= still works for the first pages
    assert _ids(client.get("/monitoring/items/?page=2").content.decode()) == page2


def test_a_tampered_cursor_is_refused_naming_the_parameter(world, login):
    client = login(world.monitor)
    assert client.get("/monitoring/items/?cursor=bm90LWEtY3Vyc29y").status_code == 400
    answer = client.get("/api/items/?cursor=garbage!")
    assert answer.status_code == 400 and "cursor" in answer.json()
    assert client.get("/api/items/?offset=99999999").status_code == 400


def test_counts_stop_at_the_cap(world, login, monkeypatch):
    monkeypatch.setattr(keyset, "COUNT_CAP", 10)
    make_items(world.school, 25)
    html = login(world.monitor).get("/monitoring/items/").content.decode()
    assert "10+ in all" in html
    answer = login(world.monitor).get("/api/items/").json()
    assert answer["count"] == 10 and answer["count_capped"] is True


def _queries(client, url: str) -> int:
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    return len(ctx.captured_queries)


@pytest.mark.parametrize("url", ["/monitoring/items/", "/api/items/"])
def test_item_list_queries_do_not_grow_with_rows(world, login, url):
    client = login(world.supervisor)
    make_items(world.school, 3)
    few = _queries(client, url)
    make_items(world.school, 80)
    make_items(world.other_school, 40)
    assert _queries(client, url) == few


@pytest.mark.parametrize("url", ["/detection/mentions/", "/detection/events/", "/api/mentions/", "/api/events/",
                                 "/detection/"])
def test_detection_list_queries_do_not_grow_with_rows(world, login, url):
    scheme(world.bureau, "食堂")
    client = login(world.supervisor)
    for k in range(2):
        store(world.school, f"食堂第{k}次出现问题，家长投诉饭菜")
    few = _queries(client, url)
    for k in range(12):
        store(world.school if k % 2 else world.other_school, f"食堂又有新情况{k}，学生反映价格上涨")
    assert _queries(client, url) == few


def test_a_supervisor_pages_only_through_what_they_may_see(world, login):
    make_items(world.school, 4)
    make_items(world.far_school, 4)
    mine = _walk_api(login(world.supervisor), "/api/items/", {"limit": 3})
    assert len(mine) == 4
    assert set(Item.objects.filter(pk__in=mine).values_list("organization_id", flat=True)) == {world.school.pk}


def test_the_event_page_pages_its_posts_and_costs_the_same_for_a_large_event(world, login, monkeypatch):
    from yuqing.detection import views
    from yuqing.detection.models import Event

    monkeypatch.setattr(views, "POSTS_PER_PAGE", 3)
    scheme(world.school, "食堂")
    first = store(world.school, "第一中学食堂饭菜涨价，家长不满", comments=4)
    for k in range(2):
        store(world.school, f"转发{k}：第一中学食堂饭菜涨价，家长不满", comments=1, original=first)
    event = Event.objects.get()
    client = login(world.monitor)
    url = f"/detection/events/{event.pk}/"
    few = _queries(client, url)
    for k in range(9):
        store(world.school, f"转发第{k}次：第一中学食堂饭菜涨价，家长不满", comments=2, original=first)
    assert Event.objects.count() == 1 and event.mentions.count() == 12
    assert _queries(client, url) == few
    html = client.get(url).content.decode()
    assert html.count('rel="noopener noreferrer"') == 3 and 'rel="next"' in html
    trend = views._trend(event)
    assert trend["mentions"][-1] == 12 and trend["comments"][-1] == 4 + 2 * 1 + 9 * 2


@pytest.mark.parametrize("url", ["/cases/", "/api/cases/"])
def test_case_list_queries_do_not_grow_with_rows(world, login, url):
    from yuqing.incidents.actions import do_open_case

    def open_cases(n):
        for k in range(n):
            do_open_case(organization=world.school if k % 2 else world.other_school, acting_user=world.bureau_admin,
                         title=f"家长反映食堂问题{k}")

    client = login(world.supervisor)
    open_cases(2)
    few = _queries(client, url)
    open_cases(14)
    assert _queries(client, url) == few


def test_case_api_pages_by_cursor_without_repeats(world, login):
    from yuqing.incidents.actions import do_open_case

    for k in range(7):
        do_open_case(organization=world.school, acting_user=world.bureau_admin, title=f"个案{k}")
    client = login(world.supervisor)
    first = client.get("/api/cases/", {"limit": 4}).json()
    do_open_case(organization=world.school, acting_user=world.bureau_admin, title="新开个案")  # inserted meanwhile
    second = client.get(first["next"]).json()
    seen = [c["id"] for c in first["results"] + second["results"]]
    assert len(seen) == len(set(seen)) == 7 and second["next"] is None
