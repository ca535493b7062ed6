"""The file import's downloadable template and its dry run (what would be imported, nothing stored)."""

import csv
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from yuqing.audit.models import AuditRecord
from yuqing.monitoring.models import Item

pytestmark = pytest.mark.django_db

MAPPING = "title=标题,text=内容,url=链接,published=时间,author=作者"


def test_the_csv_template_imports_as_it_is(world, login, django_capture_on_commit_callbacks):
    client = login(world.publicity)
    r = client.get("/monitoring/import/template.csv")
    assert r.status_code == 200 and r["Content-Disposition"].startswith("attachment")
    assert r.content.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(r.content.decode("utf-8-sig"))))
    assert rows[0] == ["标题", "内容", "链接", "时间", "作者"] and len(rows) == 2
    with django_capture_on_commit_callbacks(execute=True):
        r = client.post("/monitoring/import/", {"file": SimpleUploadedFile("t.csv", r.content, "text/csv"),
                                                 "mapping": MAPPING})
    assert r.status_code == 302 and Item.objects.count() == 1


def test_the_excel_template_opens_with_the_headers(world, login):
    from openpyxl import load_workbook

    r = login(world.publicity).get("/monitoring/import/template.xlsx")
    assert r.status_code == 200
    sheet = load_workbook(io.BytesIO(r.content)).active
    assert [c.value for c in sheet[1]] == ["标题", "内容", "链接", "时间", "作者"]


def test_the_template_is_for_people_who_may_import(world, login):
    assert login(world.editor).get("/monitoring/import/template.csv").status_code == 403


def test_a_dry_run_shows_what_would_be_imported_and_stores_nothing(world, login, settings,
                                                                  django_capture_on_commit_callbacks):
    settings.LANGUAGE_CODE = "zh-hans"
    client = login(world.publicity)
    data = ("标题,内容,链接,时间,作者\n"
            "食堂通报,学校食堂整改情况说明,https://example.cn/a,2026-09-01 08:30,网友甲\n"
            "运动会,秋季运动会开幕,https://example.cn/b,不是时间,网友乙\n").encode()
    r = client.post("/monitoring/import/", {"file": SimpleUploadedFile("p.csv", data, "text/csv"),
                                             "mapping": MAPPING, "dry_run": "1"})
    page = r.content.decode()
    assert r.status_code == 200 and 'id="import-dry-run"' in page and "试运行" in page
    outcome = r.context["outcome"]
    assert outcome.dry_run and outcome.rows == 2 and outcome.would_be_new == 1 and len(outcome.errors) == 1
    assert "食堂通报" in page
    assert Item.objects.count() == 0 and not AuditRecord.objects.filter(action="items.import").exists()

    # The real import, then a dry run of the same file counts the row as already known.
    with django_capture_on_commit_callbacks(execute=True):
        client.post("/monitoring/import/", {"file": SimpleUploadedFile("p.csv", data, "text/csv"),
                                            "mapping": MAPPING})
    assert Item.objects.count() == 1
    r = client.post("/monitoring/import/", {"file": SimpleUploadedFile("p.csv", data, "text/csv"),
                                             "mapping": MAPPING, "dry_run": "1"})
    assert r.context["outcome"].already_known == 1 and r.context["outcome"].would_be_new == 0
    assert Item.objects.count() == 1


def test_a_dry_run_needs_the_import_permission(world, login):
    r = login(world.editor).post("/monitoring/import/", {
        "file": SimpleUploadedFile("p.csv", b"title\nx\n", "text/csv"), "mapping": MAPPING, "dry_run": "1"})
    assert r.status_code == 403
