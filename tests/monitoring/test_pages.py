"""Source, item, tip and import pages through HTTP: permissions, validation naming the field, audit."""

from __future__ import annotations

import io
import json

import pytest
from PIL import Image

from tests.collection.localserver import Reply
from yuqing.audit.models import AuditRecord
from yuqing.collection.entries import RawEntry
from yuqing.monitoring.models import Evidence, Item, Source
from yuqing.monitoring.pipeline import collect_source, store_entries

pytestmark = pytest.mark.django_db
FEED = ('<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel><title>t</title>'
        '<item><title>第一中学食堂新闻</title><link>https://example.cn/1</link><description>食堂</description></item>'
        '</channel></rss>')


def new_source_form(**kw):
    data = {"organization": "", "name": "学校微博", "kind": "rss", "url": "https://rsshub.example.cn/weibo/1",
            "options": "", "secret": "", "interval_seconds": "600", "enabled": "on", "respect_robots": "on"}
    data.update(kw)
    return data


def test_a_monitor_adds_a_source_and_it_is_audited(world, login):
    client = login(world.monitor)
    response = client.post("/monitoring/sources/new/", new_source_form(organization=world.school.pk))
    assert response.status_code == 302, response.content.decode()[:2000]
    source = Source.objects.get()
    assert source.organization == world.school and not source.allow_private
    assert AuditRecord.objects.filter(action="source.create", object_id=str(source.pk)).exists()
    assert "学校微博" in client.get("/monitoring/sources/").content.decode()


def test_an_editor_cannot_add_a_source(world, login):
    client = login(world.editor)
    assert client.get("/monitoring/sources/new/").status_code == 403
    assert client.post("/monitoring/sources/new/", new_source_form(organization=world.school.pk)).status_code == 403
    assert not Source.objects.exists()


def test_bad_options_are_refused_naming_the_field(world, login):
    client = login(world.monitor)
    response = client.post("/monitoring/sources/new/", new_source_form(
        organization=world.school.pk, kind="page", options='{"link_selector": "a[", "bogus": 1}'))
    body = response.content.decode()
    assert response.status_code == 200 and not Source.objects.exists()
    assert "Options (JSON)" in body and ("bogus" in body or "link_selector" in body)
    response = client.post("/monitoring/sources/new/", new_source_form(organization=world.school.pk, options="{oops"))
    assert "Not valid JSON" in response.content.decode()
    response = client.post("/monitoring/sources/new/", new_source_form(organization=world.school.pk, url=""))
    assert "A web address is required" in response.content.decode()


def test_only_an_administrator_may_allow_private_networks(world, login):
    client = login(world.monitor)
    client.post("/monitoring/sources/new/", new_source_form(organization=world.school.pk, allow_private="on"))
    assert Source.objects.get().allow_private is False  # the field is disabled for a monitor
    client = login(world.school_admin)
    client.post("/monitoring/sources/new/", new_source_form(organization=world.school.pk, name="内网",
                                                            allow_private="on"))
    assert Source.objects.get(name="内网").allow_private is True


def test_another_school_cannot_see_or_change_sources_and_items(world, login, make_source):
    source = make_source("rss", "https://example.cn/feed")
    store_entries(world.school, source, [RawEntry(url="https://example.cn/1", title="第一中学的事")])
    item = Item.objects.get()
    client = login(world.other_admin)
    assert client.get(f"/monitoring/sources/{source.pk}/").status_code == 404
    assert client.post(f"/monitoring/sources/{source.pk}/", new_source_form()).status_code == 404
    assert client.post(f"/monitoring/sources/{source.pk}/delete/").status_code == 404
    assert client.get(f"/monitoring/items/{item.pk}/").status_code == 404
    assert "第一中学的事" not in client.get("/monitoring/items/").content.decode()
    assert client.get(f"/api/items/{item.pk}/").status_code == 404
    assert client.get(f"/api/sources/{source.pk}/").status_code == 404


def test_a_supervisor_of_the_bureau_sees_the_schools_items_but_cannot_change_sources(world, login, make_source):
    source = make_source("rss", "https://example.cn/feed")
    store_entries(world.school, source, [RawEntry(url="https://example.cn/1", title="第一中学的事")])
    client = login(world.supervisor)
    assert "第一中学的事" in client.get("/monitoring/items/").content.decode()
    assert client.post(f"/monitoring/sources/{source.pk}/", new_source_form()).status_code == 403


def test_editing_keeps_the_secret_when_left_empty_and_audits_the_change(world, login, make_source):
    source = make_source("json", "https://example.cn/api", secret="token-123", options={"mapping": {"title": "t"}},
                         allow_private=False)
    client = login(world.monitor)
    response = client.post(f"/monitoring/sources/{source.pk}/", new_source_form(
        kind="json", url="https://example.cn/api2", options=json.dumps({"mapping": {"title": "t"}}), secret=""))
    assert response.status_code == 302
    source.refresh_from_db()
    assert source.url == "https://example.cn/api2" and source.secret == "token-123"
    record = AuditRecord.objects.get(action="source.update")
    assert record.after["secret"] == "***" and "token-123" not in json.dumps(record.after)
    assert "token-123" not in client.get(f"/monitoring/sources/{source.pk}/").content.decode()


def test_test_now_shows_what_would_be_collected_without_storing(world, login, make_source, server):
    server.routes["/feed.xml"] = Reply(FEED)
    source = make_source("rss", server.url("/feed.xml"))
    client = login(world.monitor)
    response = client.post(f"/monitoring/sources/{source.pk}/test/", HTTP_HX_REQUEST="true")
    body = response.content.decode()
    assert response.status_code == 200 and "第一中学食堂新闻" in body and "<html" not in body
    assert not Item.objects.exists()


def test_a_failing_source_shows_its_error_in_plain_words_on_the_pages(world, login, make_source, server):
    server.routes["/feed.xml"] = Reply("<rss><channel><item><title>x", headers={"Content-Type": "application/xml"})
    source = make_source("rss", server.url("/feed.xml"), name="坏掉的源")
    collect_source(source)
    client = login(world.monitor)
    source.refresh_from_db()
    assert source.last_error
    for page in ("/monitoring/sources/", f"/monitoring/sources/{source.pk}/"):
        body = client.get(page).content.decode()
        assert "Failed 1 time(s) in a row" in body and source.last_error.split(":")[0] in body
    response = client.post(f"/monitoring/sources/{source.pk}/test/")
    assert "cannot be collected" in response.content.decode()


def test_item_list_filters_and_searches_in_chinese(world, login, make_source):
    source = make_source("rss", "https://example.cn/feed")
    store_entries(world.school, source, [
        RawEntry(url="https://weibo.com/1/a", title="食堂饭菜有问题", platform="weibo"),
        RawEntry(url="https://example.cn/b", title="运动会", text="田径比赛"),
    ])
    client = login(world.leader)
    body = client.get("/monitoring/items/", {"q": "饭菜"}).content.decode()
    assert "食堂饭菜有问题" in body and "运动会" not in body
    body = client.get("/monitoring/items/", {"platform": "web"}).content.decode()
    assert "运动会" in body and "食堂饭菜有问题" not in body
    body = client.get("/monitoring/items/", {"has_original": "yes"}).content.decode()
    assert "No items match" in body


def test_item_detail_has_the_metrics_chart_and_no_script(world, login):
    store_entries(world.school, None, [RawEntry(url="https://example.cn/1", title="帖子",
                                                html="<p>正文<script>alert(1)</script></p>", metrics={"comments": 3})])
    store_entries(world.school, None, [RawEntry(url="https://example.cn/1", title="帖子", metrics={"comments": 9})])
    item = Item.objects.get()
    body = login(world.leader).get(f"/monitoring/items/{item.pk}/").content.decode()
    assert "metrics-chart" in body and "chart-4.6.1" in body and "alert(1)" not in body
    assert '"comments": [3, 9]' in body


def png() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (4, 4), "red").save(out, format="PNG")
    return out.getvalue()


def test_a_tip_with_a_screenshot_keeps_the_evidence(world, login, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    client = login(world.editor)
    shot = io.BytesIO(png())
    shot.name = "shot.png"
    response = client.post("/monitoring/tips/new/", {"url": "https://weibo.com/9/tip", "text": "有人在骂学校",
                                                     "title": "", "screenshot": shot})
    assert response.status_code == 302
    item = Item.objects.get()
    evidence = Evidence.objects.get(item=item)
    assert evidence.submitted_by == world.editor and evidence.content_type == "image/png"
    assert (tmp_path / evidence.file.name).read_bytes() == png()
    assert item.source.kind == Source.Kind.TIP
    assert AuditRecord.objects.filter(action="item.tip").exists()


def test_a_tip_needs_a_link_or_text_and_a_real_image(world, login):
    client = login(world.editor)
    assert "Give a link or the text" in client.post("/monitoring/tips/new/", {"url": "", "text": ""}).content.decode()
    bad = io.BytesIO(b"not an image")
    bad.name = "x.png"
    body = client.post("/monitoring/tips/new/", {"text": "看这个", "screenshot": bad}).content.decode()
    assert "Screenshot" in body and not Item.objects.exists()


def test_an_outsider_cannot_submit_a_tip(world, login):
    assert login(world.outsider).get("/monitoring/tips/new/").status_code == 404


def test_import_keeps_good_rows_and_lists_bad_ones_with_row_numbers(world, login,
                                                                    django_capture_on_commit_callbacks):
    csv = "标题,内容,链接,评论数\n第一条,内容一,https://example.cn/1,5\n第二条,内容二,not-a-url,3\n,,,\n第四条,内容四,https://example.cn/4,1.2万\n"
    upload = io.BytesIO(csv.encode("utf-8"))
    upload.name = "export.csv"
    client = login(world.monitor)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/monitoring/import/", {"file": upload, "platform": "",
                                                       "mapping": "title=标题,text=内容,url=链接,comments=评论数"})
    assert response.status_code == 302 and "/system/runs/" in response["Location"]  # a job with a progress page
    response = client.get(response["Location"])
    body = response.content.decode()
    assert response.status_code == 200
    assert Item.objects.count() == 2 and Item.objects.get(url="https://example.cn/4").comments == 12000
    assert "<td>3</td>" in body  # row 3 (the header is row 1) is listed
    assert AuditRecord.objects.filter(action="items.import").exists()


def test_import_names_a_missing_column(world, login, django_capture_on_commit_callbacks):
    upload = io.BytesIO(b"a,b\n1,2\n")
    upload.name = "x.csv"
    client = login(world.monitor)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/monitoring/import/", {"file": upload, "mapping": "title=标题"})
    body = client.get(response["Location"]).content.decode()  # the job's page says why it failed
    assert "标题" in body and not Item.objects.exists()
