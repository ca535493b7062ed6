"""M4: uploads cannot exhaust the server's memory.

A tip's screenshot was read whole before its size was checked, and an XLSX whose shared strings inflate a
hundredfold was handed to openpyxl, which loads the shared strings whole. Both are reproduced with small files
and smaller limits.
"""

from __future__ import annotations

import io
import random
import string
import tracemalloc
import zipfile

import openpyxl
import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile, TemporaryUploadedFile

from yuqing.collection.connectors import tip
from yuqing.documents import tables
from yuqing.monitoring.models import Item
from yuqing.uploads import read_capped


def test_an_oversized_upload_is_refused_without_being_read_whole():
    """12 MB on disk (where Django spools large uploads) against a 10 MB limit: refused, never loaded."""
    upload = TemporaryUploadedFile("big.png", "image/png", 0, None)
    chunk = b"\x89PNG\r\n\x1a\n" + b"\0" * (1024 * 1024 - 8)
    for _ in range(12):
        upload.write(chunk)
    upload.flush()
    upload.size = 12 * 1024 * 1024
    tracemalloc.start()
    try:
        with pytest.raises(ValidationError) as err:
            read_capped(upload, 10 * 1024 * 1024, field="screenshot")
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
        upload.close()
    assert "screenshot" in err.value.message_dict
    assert peak < 1024 * 1024, f"{peak} bytes were held to refuse it"


def test_a_size_that_lies_is_caught_while_reading():
    upload = SimpleUploadedFile("x.png", b"x" * 5000)
    upload.size = 10  # what a handler would claim for a file still being written
    with pytest.raises(ValidationError):
        read_capped(upload, 4096, field="screenshot")
    assert read_capped(SimpleUploadedFile("y.png", b"y" * 100), 4096, field="screenshot") == b"y" * 100


@pytest.mark.django_db
def test_a_tip_with_an_oversized_screenshot_names_the_field_and_stores_nothing(world, login, monkeypatch):
    monkeypatch.setattr(tip, "DEFAULT_MAX_SCREENSHOT", 64 * 1024)
    c = login(world.editor)
    shot = SimpleUploadedFile("shot.png", b"\x89PNG\r\n\x1a\n" + b"\0" * (100 * 1024), content_type="image/png")
    r = c.post("/monitoring/tips/new/", {"text": "群里有人说食堂出事了", "screenshot": shot})
    assert r.status_code == 200
    assert "screenshot" in r.context["form"].errors
    assert "64 MB" not in r.content.decode() and "0.0625 MB" in r.content.decode()
    assert not Item.objects.filter(organization=world.school).exists()


@pytest.mark.django_db
def test_a_request_larger_than_the_limit_is_refused_before_it_is_read(world, login, settings):
    settings.YUQING_MAX_REQUEST_BYTES = 1024 * 1024
    c = login(world.editor)
    body = b"x" * (1024 * 1024 + 1)
    r = c.post("/monitoring/tips/new/", data=body, content_type="application/octet-stream")
    assert r.status_code == 413


def _workbook(rows: int) -> bytes:
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.append(["标题", "内容"])
    for i in range(rows):
        sheet.append([f"t{i}", f"内容{i}"])
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def _with_shared_strings(data: bytes, strings: int, length: int) -> bytes:
    """The workbook plus shared strings of many distinct random strings (they compress only about 2:1)."""
    rng = random.Random(7)
    body = "".join(f"<si><t>{''.join(rng.choices(string.ascii_letters, k=length))}</t></si>" for _ in range(strings))
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for member in src.infolist():
            dst.writestr(member, src.read(member))
        dst.writestr("xl/sharedStrings.xml", f'<sst count="{strings}">{body}</sst>')
    return out.getvalue()


def test_shared_strings_that_inflate_past_the_limit_are_refused_before_openpyxl(monkeypatch):
    """The review's bomb had shared strings inflating 1.2 MB -> 331 MiB; the ratio check alone let a member
    below 200-fold through. Here the limit is lowered to 256 KB and the shared strings are 400 KB."""
    data = _with_shared_strings(_workbook(5), 4000, 100)
    sizes = {m.filename: m.file_size for m in zipfile.ZipFile(io.BytesIO(data)).infolist()}
    assert sizes["xl/sharedStrings.xml"] > 256 * 1024
    monkeypatch.setattr(tables, "MAX_WHOLE_PART_BYTES", 256 * 1024)
    opened = []
    monkeypatch.setattr(openpyxl, "load_workbook", lambda *a, **k: opened.append(1))
    with pytest.raises(tables.TableError, match="sharedStrings"):
        tables.read_table(data, "posts.xlsx")
    assert not opened


def test_a_small_highly_compressed_shared_strings_bomb_is_refused():
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("xl/sharedStrings.xml", b"<si><t>x</t></si>" * 2_500_000)  # 42 MB from ~100 KB
    assert len(out.getvalue()) < 1024 * 1024
    with pytest.raises(tables.TableError):
        tables.read_table(out.getvalue(), "bomb.xlsx")


def test_an_ordinary_workbook_still_imports():
    reader = tables.read_table(_workbook(50), "posts.xlsx")
    assert reader.headers[:2] == ["标题", "内容"] and len(list(reader)) == 50
