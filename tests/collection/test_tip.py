"""Manual tips: link, text and a screenshot kept as evidence with its SHA-256."""

from __future__ import annotations

import hashlib
import io
from datetime import datetime

import pytest
from PIL import Image

from yuqing.collection.connectors import tip
from yuqing.collection.entries import SHANGHAI
from yuqing.collection.errors import FieldError


def png() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (40, 20), "red").save(out, format="PNG")
    return out.getvalue()


def test_tip_with_screenshot_records_evidence() -> None:
    shot = png()
    now = datetime(2024, 5, 1, 9, 0, tzinfo=SHANGHAI)
    entry, evidence = tip.build_tip(url="https://weibo.com/1/X", text="有人在微博发布学校不实信息",
                                    screenshot=shot, screenshot_name="shot.png", submitted_by="duty-officer", now=now)
    assert evidence.sha256 == hashlib.sha256(shot).hexdigest()
    assert (evidence.content_type, evidence.width, evidence.height) == ("image/png", 40, 20)
    assert entry.extra["evidence"]["sha256"] == evidence.sha256
    assert entry.extra["submitted_by"] == "duty-officer"
    assert entry.platform == "weibo"
    assert entry.title == "有人在微博发布学校不实信息"
    assert entry.source_ref.startswith("tip:")


def test_tip_needs_link_or_text_and_a_real_image() -> None:
    with pytest.raises(FieldError) as err:
        tip.build_tip()
    assert err.value.field == "text"
    with pytest.raises(FieldError, match="not a web address"):
        tip.build_tip(url="javascript:alert(1)", text="x")
    with pytest.raises(FieldError, match="must be a PNG, JPEG, GIF or WebP image"):
        tip.build_tip(text="x", screenshot=b"<svg onload=alert(1)>")
    with pytest.raises(FieldError, match="damaged"):
        tip.build_tip(text="x", screenshot=png()[:30])
    with pytest.raises(FieldError, match="larger than 1 KB"):
        tip.build_tip(text="x", screenshot=b"\x89PNG\r\n\x1a\n" + b"0" * 2000, max_screenshot_bytes=1024)


def test_text_only_tip_without_screenshot() -> None:
    entry, evidence = tip.build_tip(text="家长群里有人说学校要收补课费")
    assert evidence is None
    assert entry.url == ""
    assert "evidence" not in entry.extra
