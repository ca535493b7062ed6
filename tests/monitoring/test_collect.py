"""Collecting every pull kind from real servers on 127.0.0.1: health, 304s, SSRF refusal, one bad source among good ones."""

from __future__ import annotations

import json

import pytest
from django.utils import timezone

from tests.collection.localserver import Reply
from yuqing.monitoring.jobs import collect_due
from yuqing.monitoring.models import Item, Source
from yuqing.monitoring.pipeline import collect_source
from yuqing.monitoring.signals import source_failing

pytestmark = pytest.mark.django_db

RSS = """<?xml version="1.0" encoding="{enc}"?>
<rss version="2.0" xmlns:slash="http://purl.org/rss/1.0/modules/slash/"><channel><title>第一中学</title>
<item><title>第一中学食堂饭菜出现异物</title><link>https://weibo.com/1/canteen?utm_source=feed</link>
<description>家长反映食堂饭菜里有虫子，学生肚子不舒服。</description><pubDate>Wed, 01 May 2024 08:00:00 +0800</pubDate>
<slash:comments>{comments}</slash:comments></item>
<item><title>运动会圆满落幕</title><link>https://weibo.com/1/sports</link><description>七年级1班获得团体第一名。</description></item>
</channel></rss>"""


def rss(comments=5, enc="utf-8") -> bytes:
    return RSS.format(enc=enc, comments=comments).encode("gb18030" if enc == "gbk" else "utf-8")


def test_an_rss_feed_in_gbk_is_collected_and_health_says_working(server, make_source):
    server.routes["/feed.xml"] = Reply(rss(enc="gbk"), headers={"Content-Type": "application/rss+xml"})
    source = make_source("rss", server.url("/feed.xml"))
    outcome = collect_source(source)
    assert outcome.ok, outcome.error
    titles = set(Item.objects.values_list("title", flat=True))
    assert titles == {"第一中学食堂饭菜出现异物", "运动会圆满落幕"}
    canteen = Item.objects.get(title__contains="食堂")
    assert canteen.url == "https://weibo.com/1/canteen" and canteen.platform == "weibo" and canteen.comments == 5
    source.refresh_from_db()
    assert source.last_success_at and source.consecutive_failures == 0 and source.last_error == ""


def test_a_second_run_sends_the_etag_and_a_304_changes_nothing(server, make_source):
    def handler(request):
        if request.headers.get("if-none-match") == '"v1"':
            return Reply(status=304, headers={"ETag": '"v1"'})
        return Reply(rss(), headers={"Content-Type": "application/rss+xml", "ETag": '"v1"'})

    server.routes["/feed.xml"] = handler
    source = make_source("rss", server.url("/feed.xml"))
    assert collect_source(source).ok
    second = collect_source(source)
    assert second.ok and second.not_modified
    assert server.requests[-1].headers["if-none-match"] == '"v1"'
    assert Item.objects.count() == 2


def test_comment_growth_between_runs_is_recorded(server, make_source):
    counts = iter([5, 60, 150])
    server.routes["/feed.xml"] = lambda request: Reply(rss(comments=next(counts)))
    source = make_source("rss", server.url("/feed.xml"))
    for _ in range(3):
        collect_source(source, now=timezone.now())
    canteen = Item.objects.get(title__contains="食堂")
    assert canteen.comments == 150
    assert list(canteen.metrics.values_list("comments", flat=True)) == [5, 60, 150]


def test_a_private_address_is_refused_without_the_administrators_permission(server, make_source):
    server.routes["/feed.xml"] = Reply(rss())
    source = make_source("rss", server.url("/feed.xml"), allow_private=False)
    outcome = collect_source(source)
    assert not outcome.ok and server.requests == []
    source.refresh_from_db()
    assert "private" in source.last_error.lower() or "not allowed" in source.last_error.lower(), source.last_error
    assert source.consecutive_failures == 1


def test_a_page_source_collects_articles_linked_from_the_list(server, make_source):
    server.routes["/news/"] = Reply('<html><body><ul><li><a href="/news/1.html">食堂</a></li>'
                                    '<li><a href="/about.html">关于</a></li></ul></body></html>',
                                    headers={"Content-Type": "text/html; charset=utf-8"})
    article = ("<html><head><title>第一中学召开食品安全专题会议</title></head><body><article><h1>第一中学召开食品安全专题会议"
               "</h1><p>" + "学校就食堂饭菜问题召开专题会议，决定全面整改食堂卫生，邀请家长代表参与监督。" * 5 + "</p></article></body></html>")
    server.routes["/news/1.html"] = Reply(article, headers={"Content-Type": "text/html; charset=utf-8"})
    source = make_source("page", server.url("/news/"), options={"link_pattern": r"/news/\d+\.html$"})
    outcome = collect_source(source)
    assert outcome.ok, outcome.error
    item = Item.objects.get()
    assert "食堂" in item.text and item.url.endswith("/news/1.html")


def test_a_json_source_sends_its_token_and_maps_fields(server, make_source):
    seen = {}

    def handler(request):
        seen["auth"] = request.headers.get("authorization")
        return Reply(json.dumps({"data": {"list": [
            {"t": "第一中学家长会", "c": "本周五召开家长会。", "u": "https://example.cn/p/1", "stats": {"cm": "1.2万"}},
            {"t": "", "c": "", "u": "not a url"},
        ]}}, ensure_ascii=False), headers={"Content-Type": "application/json"})

    server.routes["/api"] = handler
    source = make_source("json", server.url("/api"), secret="s3cret-token", options={
        "items": "data.list", "mapping": {"title": "t", "text": "c", "url": "u", "metrics": {"comments": "stats.cm"}}})
    outcome = collect_source(source)
    assert outcome.ok, outcome.error
    assert seen["auth"] == "Bearer s3cret-token"
    assert Item.objects.get().comments == 12000
    assert outcome.entry_errors == 1
    source.refresh_from_db()
    assert source.last_error  # the skipped entry is reported in plain words


@pytest.mark.parametrize(("reply", "words"), [
    (Reply("<rss><channel><item><title>坏", headers={"Content-Type": "application/rss+xml"}), ""),
    (Reply("oops", status=500), "500"),
    (Reply(b"x" * (3 * 1024 * 1024)), "MB"),
])
def test_a_broken_source_never_stops_the_others_and_says_why(server, make_source, settings, reply, words):
    settings.YUQING_FETCH_MAX_BYTES = 1024 * 1024
    server.routes["/bad.xml"] = reply
    server.routes["/good.xml"] = Reply(rss())
    bad = make_source("rss", server.url("/bad.xml"), name="bad")
    make_source("rss", server.url("/good.xml"), name="good")
    outcomes = {o.name: o for o in collect_due()}
    assert outcomes["good"].ok and not outcomes["bad"].ok
    assert Item.objects.filter(source__name="good").count() == 2
    bad.refresh_from_db()
    assert bad.last_error and words in bad.last_error
    assert "Traceback" not in bad.last_error


def test_a_slow_server_times_out_in_plain_words(server, make_source, settings):
    settings.YUQING_FETCH_TIMEOUT = 0.3
    server.routes["/slow.xml"] = Reply(rss(), delay=1.0)
    source = make_source("rss", server.url("/slow.xml"))
    assert not collect_source(source).ok
    source.refresh_from_db()
    assert "time" in source.last_error.lower()


def test_a_redirect_to_a_private_address_is_refused(server, make_source):
    server.routes["/feed.xml"] = Reply(status=302, headers={"Location": "http://127.0.0.1:1/internal"})
    source = make_source("rss", server.url("/feed.xml", host="localhost"), allow_private=False)
    assert not collect_source(source).ok
    assert server.requests == []  # even the first hop was refused: localhost is loopback


def test_three_failures_in_a_row_flag_the_source_and_raise_the_event_once(server, make_source,
                                                                          django_capture_on_commit_callbacks):
    server.routes["/feed.xml"] = Reply("nope", status=404)
    source = make_source("rss", server.url("/feed.xml"))
    events = []

    def listener(**kw):
        events.append((kw["source"].pk, kw["failures"], kw["error"]))

    source_failing.connect(listener)
    try:
        with django_capture_on_commit_callbacks(execute=True):
            for _ in range(5):
                collect_source(source)
    finally:
        source_failing.disconnect(listener)
    source.refresh_from_db()
    assert source.flagged and source.consecutive_failures == 5
    assert len(events) == 1 and events[0][:2] == (source.pk, 3)
    server.routes["/feed.xml"] = Reply(rss())
    collect_source(source)
    source.refresh_from_db()
    assert not source.flagged and source.consecutive_failures == 0


def test_due_sources_are_claimed_once_and_rescheduled(server, make_source):
    server.routes["/feed.xml"] = Reply(rss())
    source = make_source("rss", server.url("/feed.xml"), interval_seconds=600)
    assert len(collect_due()) == 1
    assert collect_due() == []  # not due again for ten minutes
    source.refresh_from_db()
    assert source.next_run_at > timezone.now() and source.locked_until is None


def test_disabled_and_push_sources_are_not_fetched(server, make_source):
    make_source("rss", server.url("/feed.xml"), enabled=False)
    make_source("webhook", "", secret="x" * 20)
    assert collect_due() == [] and server.requests == []
    assert Source.objects.count() == 2
