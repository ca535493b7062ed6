"""Evidence captures: the page as fetched with hashes, a removal recorded on re-capture, a ZIP that checks out."""

from __future__ import annotations

import hashlib
import io
import json
import zipfile

import pytest

from tests.collection.localserver import Reply
from yuqing.collection import screenshot
from yuqing.monitoring.evidence import capture_item, evidence_zip
from yuqing.monitoring.models import Capture, Evidence, Item

PAGE = """<html><head><meta charset="utf-8"><title>一中食堂饭菜有虫_论坛</title></head>
<body><h1>一中食堂饭菜有虫</h1><article><p>今天中午在一中食堂吃饭，发现饭菜里有虫，家长们都很担心。</p>
<p>希望学校尽快给个说法，把食品安全管起来。</p></article></body></html>"""


@pytest.fixture
def item(world, make_source, server):
    source = make_source(kind="page", url=server.url("/list"))
    from django.utils import timezone

    now = timezone.now()
    return Item.objects.create(organization=world.school, source=source, url=server.url("/post/1"), url_hash="x" * 64,
                               title="一中食堂饭菜有虫", text="饭菜里有虫", first_seen_at=now, last_seen_at=now)


def test_capture_keeps_the_page_its_text_and_hashes(item, server, world, monkeypatch):
    monkeypatch.setattr(screenshot, "find_browser", lambda: None)
    server.routes["/post/1"] = Reply(PAGE.encode("utf-8"), headers={"Content-Type": "text/html; charset=utf-8"})
    capture = capture_item(item, acting_user=world.monitor)
    assert capture.outcome == Capture.Outcome.CAPTURED and capture.http_status == 200
    files = {f.kind: f for f in capture.files.all()}
    assert set(files) == {Evidence.Kind.ARCHIVE, Evidence.Kind.TEXT}
    with files[Evidence.Kind.ARCHIVE].file.open("rb") as fh:
        raw = fh.read()
    assert raw == PAGE.encode("utf-8")
    assert files[Evidence.Kind.ARCHIVE].sha256 == hashlib.sha256(raw).hexdigest()
    with files[Evidence.Kind.TEXT].file.open("rb") as fh:
        assert "饭菜里有虫" in fh.read().decode("utf-8")
    # Without a browser the capture says so instead of failing.
    assert "Chromium" in capture.screenshot_note


def test_recapture_of_a_removed_page_records_the_removal(item, server, world, monkeypatch):
    monkeypatch.setattr(screenshot, "find_browser", lambda: None)
    server.routes["/post/1"] = Reply(PAGE.encode("utf-8"), headers={"Content-Type": "text/html; charset=utf-8"})
    first = capture_item(item, acting_user=world.monitor)
    server.routes["/post/1"] = Reply(b"gone", status=404)
    second = capture_item(item, acting_user=world.monitor)
    assert first.outcome == Capture.Outcome.CAPTURED
    assert second.outcome == Capture.Outcome.REMOVED and second.http_status == 404
    assert "removed" in second.note
    # The removal keeps what Yuqing had collected, so the evidence still shows what was said.
    text = second.files.get(kind=Evidence.Kind.TEXT)
    with text.file.open("rb") as fh:
        assert "饭菜里有虫" in fh.read().decode("utf-8")


def test_evidence_zip_manifest_matches_the_files(item, server, world, monkeypatch):
    monkeypatch.setattr(screenshot, "find_browser", lambda: None)
    server.routes["/post/1"] = Reply(PAGE.encode("utf-8"), headers={"Content-Type": "text/html; charset=utf-8"})
    capture_item(item, acting_user=world.monitor)
    server.routes["/post/1"] = Reply(b"gone", status=410)
    capture_item(item, acting_user=world.monitor)
    data = evidence_zip(Capture.objects.filter(item=item).order_by("captured_at", "id"), title="测试")
    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        manifest = json.loads(zf.read("manifest.json"))
        assert len(manifest["files"]) == 3
        for entry in manifest["files"]:
            assert hashlib.sha256(zf.read(entry["path"])).hexdigest() == entry["sha256"]
        sums = zf.read("SHA256SUMS").decode()
        assert all(e["sha256"] in sums for e in manifest["files"])
        assert [c["outcome"] for c in manifest["captures"]] == ["captured", "removed"]


@pytest.mark.skipif(screenshot.find_browser() is None, reason="no headless Chromium installed")
def test_screenshot_is_rendered_offline_when_chromium_is_installed(item, server, world):
    server.routes["/post/1"] = Reply(PAGE.encode("utf-8"), headers={"Content-Type": "text/html; charset=utf-8"})
    capture = capture_item(item, acting_user=world.monitor)
    shot = capture.files.get(kind=Evidence.Kind.SCREENSHOT)
    with shot.file.open("rb") as fh:
        assert fh.read().startswith(screenshot.PNG_MAGIC)
    # The browser itself fetched nothing: only Yuqing's guarded fetch reached the server.
    assert [r.path for r in server.requests] == ["/post/1"]
