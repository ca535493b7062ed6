"""Webhook pushes, the HTTP API, the command line and the demo feeds."""

from __future__ import annotations

import json
import time

import pytest
from django.core.cache import cache
from django.core.management import CommandError, call_command

from tests.collection.localserver import LocalServer, Reply
from yuqing.collection.connectors.webhook import signed_headers
from yuqing.monitoring.models import Item, Source

pytestmark = pytest.mark.django_db
SECRET = "a-long-enough-push-secret-123"


@pytest.fixture
def hook(make_source):
    cache.clear()
    return make_source("webhook", "", secret=SECRET, name="provider")


def push(client, source, payload, secret=SECRET, **header_kw):
    body = json.dumps(payload, ensure_ascii=False).encode()
    headers = signed_headers(secret, body, **header_kw)
    return client.post(f"/api/push/{source.push_token}", body, content_type="application/json",
                       headers=headers), body, headers


def test_a_signed_push_is_stored_and_bad_entries_are_reported_with_index_and_field(client, hook):
    response, *_ = push(client, hook, {"items": [
        {"url": "https://weibo.com/1/p", "text": "第一中学食堂的帖子", "metrics": {"comments": 7}},
        {"url": "not a url", "text": "坏的"},
    ]})
    assert response.status_code == 200, response.content
    answer = response.json()
    assert answer["new"] == 1 and answer["errors"][0]["index"] == 1 and answer["errors"][0]["field"] == "items[1].url"
    assert Item.objects.get().comments == 7 and Item.objects.get().source == hook


def test_a_bad_signature_is_refused_with_401_and_shown_on_the_source(client, hook):
    response, *_ = push(client, hook, {"items": [{"text": "伪造"}]}, secret="wrong-secret-wrong-secret")
    assert response.status_code == 401 and not Item.objects.exists()
    hook.refresh_from_db()
    assert "Refused a push" in hook.last_error and "signature" in hook.last_error


def test_a_replayed_push_is_refused(client, hook):
    first, body, headers = push(client, hook, {"items": [{"text": "一次就好的推送内容"}]})
    assert first.status_code == 200
    again = client.post(f"/api/push/{hook.push_token}", body, content_type="application/json", headers=headers)
    assert again.status_code == 401


def test_an_old_timestamp_is_refused(client, hook):
    response, *_ = push(client, hook, {"items": [{"text": "旧的"}]}, timestamp=int(time.time()) - 3600)
    assert response.status_code == 401


def test_an_unknown_push_address_is_404(client, hook):
    assert client.post("/api/push/nope", b"{}", content_type="application/json").status_code == 404


def test_the_api_lists_sources_without_their_secret_and_items_by_organisation(world, login, hook):
    client = login(world.monitor)
    sources = client.get("/api/sources/").json()
    rows = sources["results"] if isinstance(sources, dict) else sources
    assert rows[0]["name"] == "provider" and "secret" not in rows[0] and rows[0]["push_path"]
    push(client, hook, {"items": [{"url": "https://example.cn/x", "text": "接口里的条目"}]})
    items = client.get("/api/items/", {"organization": "no1", "since": "2000-01-01"}).json()
    rows = items["results"] if isinstance(items, dict) else items
    assert [r["text"] for r in rows] == ["接口里的条目"]
    assert client.get("/api/items/", {"since": "yesterday-ish"}).status_code == 400


def test_the_api_creates_sources_with_permission_checks(world, login):
    payload = {"organization": "no1", "name": "接口源", "kind": "rss", "url": "https://example.cn/feed",
               "options": {}, "interval_seconds": 600}
    assert login(world.editor).post("/api/sources/", payload, content_type="application/json").status_code == 403
    client = login(world.monitor)
    response = client.post("/api/sources/", payload, content_type="application/json")
    assert response.status_code == 201, response.content
    bad = client.post("/api/sources/", {**payload, "options": {"bogus": 1}}, content_type="application/json")
    assert bad.status_code == 400 and "options" in bad.json()
    private = client.post("/api/sources/", {**payload, "allow_private": True}, content_type="application/json")
    assert private.status_code == 403
    assert "/api/push/{token}" in client.get("/api/schema/").content.decode()


def test_cli_adds_lists_collects_and_shows_items(world, capsys):
    server = LocalServer()
    server.routes["/feed.xml"] = Reply('<?xml version="1.0"?><rss version="2.0"><channel><title>t</title><item>'
                                       "<title>命令行采集</title><link>https://example.cn/cli</link></item></channel></rss>")
    try:
        call_command("source", "add", server.url("/feed.xml"), "--org", "no1", "--kind", "rss", "--name", "命令行源",
                     "--interval", "600", "--allow-private", "--ignore-robots", "--option", "max_entries=50")
        source = Source.objects.get()
        assert source.allow_private and source.options == {"max_entries": 50}
        call_command("collect", "--once")
        out = capsys.readouterr().out
        assert "命令行源: 1 new" in out
        call_command("items", "--org", "no1", "--format", "json")
        rows = json.loads(capsys.readouterr().out)
        assert rows[0]["title"] == "命令行采集"
        call_command("source", "list", "--format", "json")
        assert json.loads(capsys.readouterr().out)[0]["name"] == "命令行源"
    finally:
        server.close()
    with pytest.raises(CommandError, match="no organisation with slug 'nope'"):
        call_command("items", "--org", "nope")
    with pytest.raises(CommandError, match="options"):
        call_command("source", "add", "https://example.cn", "--org", "no1", "--kind", "page", "--name", "x")


def test_cli_import_lists_bad_rows(world, tmp_path, capsys):
    path = tmp_path / "posts.jsonl"
    path.write_text('{"t": "好的一行", "u": "https://example.cn/j1"}\n{broken\n', encoding="utf-8")
    call_command("import", str(path), "--org", "no1", "--mapping", "title=t,url=u")
    out = capsys.readouterr().out
    assert "1 new" in out and "row 2" in out


def test_demo_feeds_are_served_locally_and_the_canteen_post_grows(world, client, settings):
    from datetime import timedelta

    from django.utils import timezone

    from yuqing.collection.connectors.rss import parse_feed
    from yuqing.monitoring import demo

    early = parse_feed(client.get("/demo-feeds/no1-weibo.xml").content)
    later = parse_feed(demo.render_feed("no1-weibo", now=timezone.now() + timedelta(minutes=30)).encode())
    comments = [e.metrics.get("comments") for e in early.entries if "食堂" in e.title]
    grown = [e.metrics.get("comments") for e in later.entries if "食堂" in e.title]
    assert comments and grown[0] >= 100 > comments[0]
    assert client.get("/demo-feeds/nope.xml").status_code == 404


def test_demo_feeds_link_the_canteen_reposts_to_the_original(world):
    from yuqing.collection.connectors.rss import parse_feed
    from yuqing.monitoring import demo
    from yuqing.monitoring.pipeline import store_entries

    for name in ("no1-weibo", "county-news"):
        store_entries(world.school, None, parse_feed(demo.render_feed(name).encode()).entries)
    original = Item.objects.get(url="https://weibo.com/7712345601/demoCanteen")
    assert Item.objects.get(url="https://weibo.com/7712345604/demoRepost").original == original
    mainstream = Item.objects.filter(mainstream=True)
    assert mainstream.count() == 2
    assert {i.original_id for i in mainstream} - {None} <= {i.pk for i in mainstream}
