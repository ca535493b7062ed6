"""Feedback a person gets: evidence thumbnails and downloads, bounded tips, honest secret fields, imports headed
with field names, expression errors in Chinese, a menu button and no inline scripts in the frame."""

from __future__ import annotations

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from yuqing.monitoring.models import Evidence, Item

pytestmark = pytest.mark.django_db


def _png() -> bytes:
    from PIL import Image

    out = io.BytesIO()
    Image.new("RGB", (40, 30), "red").save(out, format="PNG")
    return out.getvalue()


def test_a_tips_screenshot_shows_as_a_thumbnail_and_downloads_for_those_who_may_see_it(world, login):
    client = login(world.editor)
    response = client.post("/monitoring/tips/new/", {
        "text": "家长群里说食堂饭菜有异味", "screenshot": SimpleUploadedFile("shot.png", _png(), "image/png")})
    assert response.status_code == 302
    evidence = Evidence.objects.get()
    page = client.get(response["Location"]).content.decode()
    assert f'src="/monitoring/evidence/{evidence.pk}/"' in page and 'class="thumb"' in page
    inline = client.get(f"/monitoring/evidence/{evidence.pk}/")
    assert inline.status_code == 200 and inline["Content-Type"] == "image/png"
    assert b"".join(inline.streaming_content) == _png()
    assert "sandbox" in inline["Content-Security-Policy"]
    download = client.get(f"/monitoring/evidence/{evidence.pk}/?download=1")
    assert download["Content-Disposition"].startswith("attachment")
    assert login(world.other_admin).get(f"/monitoring/evidence/{evidence.pk}/").status_code == 404


def test_an_overlong_tip_is_refused_with_the_reason_and_nothing_is_stored(world, login):
    client = login(world.editor)
    response = client.post("/monitoring/tips/new/", {"text": "长" * 600_000})
    assert response.status_code == 200
    assert "20000" in response.content.decode()
    assert not Item.objects.exists()


def test_a_secret_field_says_saved_only_when_something_is_saved(world, login):
    client = login(world.school_admin)
    page = client.get("/monitoring/sources/new/").content.decode()
    assert "not set yet" in page and "saved — enter a new value" not in page
    from yuqing.monitoring.actions import do_create_source

    source = do_create_source(organization=world.school, acting_user=world.school_admin, name="json 接口",
                              kind="json", url="https://example.cn/api", secret="s3cret",
                              options={"items": "data", "mapping": {"title": "t"}})
    page = client.get(f"/monitoring/sources/{source.pk}/").content.decode()
    assert "saved — enter a new value" in page and "s3cret" not in page


def test_an_import_headed_with_the_field_names_needs_no_mapping(world, login, django_capture_on_commit_callbacks):
    client = login(world.publicity)
    csv = "title,text,url\n食堂通报,学校食堂整改情况说明,https://example.cn/a\n".encode()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/monitoring/import/", {
            "file": SimpleUploadedFile("posts.csv", csv, "text/csv"),
            "mapping": "title=标题,text=内容,url=链接,published=时间,author=作者"})
    assert response.status_code in (200, 302)
    item = Item.objects.get()
    assert item.title == "食堂通报" and item.url == "https://example.cn/a"


def test_a_malformed_expression_is_explained_in_chinese(world, login):
    client = login(world.publicity)
    client.post("/i18n/setlang/", {"language": "zh-hans", "next": "/"})
    page = client.post("/detection/schemes/preview/", {"expression": "一中 AND (食堂 OR 饭菜"}).content.decode()
    assert "左括号没有闭合" in page and "unclosed" not in page
    page = client.post("/detection/schemes/new/", {"name": "x", "expression": "食堂 AND"}).content.decode()
    assert "AND 后面需要一个关键词" in page


def test_the_frame_has_a_menu_button_and_no_inline_script(world, login):
    page = login(world.editor).get("/detection/").content.decode()
    assert 'class="navtoggle"' in page and "yuqing/yuqing.js" in page
    head_and_nav = page.split("<main>", 1)[0]
    assert "onchange=" not in head_and_nav and "<script>" not in head_and_nav
