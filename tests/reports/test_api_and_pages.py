"""The reports API (OpenAPI, permissions, confirm on time vs late, finalised reports frozen) and the pages."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from yuqing.reports import archive, briefing, daily, selfinspection
from yuqing.reports.models import DailyReport

pytestmark = pytest.mark.django_db

DAY = dt.date(2026, 12, 1)


def at(hour, minute=0, day=DAY):
    return timezone.make_aware(dt.datetime.combine(day, dt.time(hour, minute)))


def api(user):
    client = APIClient()
    client.force_login(user)  # through the middleware, like a browser session (OTP state included)
    return client


@pytest.fixture
def reports(world):
    mine = daily.compile_daily(world.school, DAY, now=at(16, 30))
    theirs = daily.compile_daily(world.other_school, DAY, now=at(16, 30))
    far = daily.compile_daily(world.far_school, DAY, now=at(16, 30))
    return mine, theirs, far


def test_a_school_sees_its_own_reports_and_the_bureau_its_schools(world, reports):
    mine, theirs, far = reports
    ids = lambda user: {r["id"] for r in api(user).get("/api/daily-reports/").json()["results"]}  # noqa: E731
    assert ids(world.monitor) == {mine.pk}
    assert ids(world.other_admin) == {theirs.pk}
    assert ids(world.supervisor) == {mine.pk, theirs.pk}
    assert ids(world.other_supervisor) == {far.pk}
    assert api(world.other_admin).get(f"/api/daily-reports/{mine.pk}/").status_code == 404
    assert api(world.other_admin).post(f"/api/daily-reports/{mine.pk}/confirm/", {}).status_code == 404
    assert api(world.supervisor).get("/api/daily-reports/?organization=no2").json()["count"] == 1
    assert api(world.supervisor).get("/api/daily-reports/?date=2026-12-01").json()["count"] == 2


@pytest.mark.parametrize(("hour", "minute", "late"), [(17, 29, False), (17, 30, False), (17, 31, True)])
def test_confirm_through_the_api_on_time_or_late_at_the_deadline(world, reports, monkeypatch, hour, minute, late):
    mine = reports[0]
    monkeypatch.setattr(timezone, "now", lambda: at(hour, minute))
    response = api(world.monitor).post(f"/api/daily-reports/{mine.pk}/confirm-zero/", {}, format="json")
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["status"] == "confirmed" and body["late"] is late and body["confirmed_by"] == "monitor"
    assert [v["step"] for v in body["versions"]] == ["confirmed"]
    status = {r["slug"]: r["status"] for r in daily.compliance(world.bureau, DAY)}
    assert status["no1"] == ("late" if late else "on_time")
    again = api(world.monitor).post(f"/api/daily-reports/{mine.pk}/confirm/", {"remarks": "x"}, format="json")
    assert again.status_code == 400 and "status" in again.json()


def test_confirm_with_remarks_and_who_may_confirm(world, reports):
    from yuqing.incidents.actions import do_open_case

    do_open_case(organization=world.school, acting_user=world.publicity, title="家长来电", level="一般",
                 opened_at=at(10))
    mine = daily.compile_daily(world.school, DAY, now=at(16, 40))
    assert not mine.zero
    refused = api(world.monitor).post(f"/api/daily-reports/{mine.pk}/confirm-zero/", {}, format="json")
    assert refused.status_code == 400 and "zero" in refused.json()
    assert api(world.editor).post(f"/api/daily-reports/{mine.pk}/confirm/", {}, format="json").status_code == 403
    ok = api(world.publicity).post(f"/api/daily-reports/{mine.pk}/confirm/", {"remarks": "已核实处置"}, format="json")
    assert ok.status_code == 200 and ok.json()["remarks"] == "已核实处置"
    download = api(world.supervisor).get(f"/api/daily-reports/{mine.pk}/download/")
    assert download.status_code == 200 and download["Content-Type"].startswith("application/vnd.openxml")
    row = archive.versions(DailyReport.objects.get(pk=mine.pk)).get()
    import hashlib

    assert hashlib.sha256(download.content).hexdigest() == row.sha256


def test_self_inspections_through_the_api(world):
    client = api(world.publicity)
    created = client.post("/api/self-inspections/", {"organization": "no1", "period_start": "2026-11-01",
                                                     "period_end": "2026-11-30"}, format="json")
    assert created.status_code == 201, created.content
    pk = created.json()["id"]
    assert created.json()["status"] == "draft" and created.json()["version"] == 1
    edited = client.patch(f"/api/self-inspections/{pk}/", {"next_steps": "1. 加强备案。"}, format="json")
    assert edited.status_code == 200 and edited.json()["version"] == 2
    assert client.post(f"/api/self-inspections/{pk}/regenerate/").json()["version"] == 3
    final = client.post(f"/api/self-inspections/{pk}/finalise/")
    assert final.status_code == 200 and final.json()["status"] == "final"
    frozen = client.patch(f"/api/self-inspections/{pk}/", {"remarks": "改"}, format="json")
    assert frozen.status_code == 400 and "status" in frozen.json()
    assert client.post(f"/api/self-inspections/{pk}/regenerate/").status_code == 400
    first = client.get(f"/api/self-inspections/{pk}/download/?version=1")
    last = client.get(f"/api/self-inspections/{pk}/download/")
    assert first.status_code == last.status_code == 200 and first.content != last.content
    assert client.get(f"/api/self-inspections/{pk}/download/?version=9").status_code == 404
    # the other school cannot see it, the bureau can; an editor may not write one
    assert api(world.other_admin).get(f"/api/self-inspections/{pk}/").status_code == 404
    assert api(world.supervisor).get(f"/api/self-inspections/{pk}/").status_code == 200
    refused = api(world.editor).post("/api/self-inspections/", {
        "organization": "no1", "period_start": "2026-11-01", "period_end": "2026-11-30"}, format="json")
    assert refused.status_code == 403
    hidden = api(world.other_admin).post("/api/self-inspections/", {
        "organization": "no1", "period_start": "2026-11-01", "period_end": "2026-11-30"}, format="json")
    assert hidden.status_code == 404
    backwards = client.post("/api/self-inspections/", {"organization": "no1", "period_start": "2026-11-30",
                                                       "period_end": "2026-11-01"}, format="json")
    assert backwards.status_code == 400 and "period_end" in backwards.json()


def test_briefings_through_the_api(world):
    client = api(world.supervisor)
    created = client.post("/api/briefings/", {"organization": "bureau-a", "period": "2026-W48"}, format="json")
    assert created.status_code == 201, created.content
    body = created.json()
    assert body["period_kind"] == "week" and body["period_start"] == "2026-11-23" and body["version"] == 1
    assert client.post("/api/briefings/", {"organization": "bureau-a", "period": "2026-W48"},
                       format="json").json()["version"] == 2
    bad = client.post("/api/briefings/", {"organization": "bureau-a", "period": "48周"}, format="json")
    assert bad.status_code == 400 and "period" in bad.json()
    assert client.get(f"/api/briefings/{body['id']}/download/?version=1").status_code == 200
    assert api(world.monitor).get(f"/api/briefings/{body['id']}/").status_code == 404  # a school: not the bureau's
    assert api(world.other_supervisor).post("/api/briefings/", {"organization": "bureau-a", "period": "2026-11"},
                                            format="json").status_code == 404


def test_the_schema_names_the_report_routes(world):
    schema = api(world.root).get("/api/schema/?format=json").json()
    for path in ("/api/daily-reports/", "/api/daily-reports/{id}/confirm/", "/api/daily-reports/{id}/confirm-zero/",
                 "/api/self-inspections/", "/api/self-inspections/{id}/finalise/",
                 "/api/self-inspections/{id}/download/", "/api/briefings/"):
        assert path in schema["paths"], path


def test_list_queries_stay_flat(world, django_assert_max_num_queries):
    for day in range(1, 21):
        daily.compile_daily(world.school, dt.date(2026, 11, day), now=at(16, 30, dt.date(2026, 11, day)))
    client = api(world.supervisor)
    with django_assert_max_num_queries(12):
        assert client.get("/api/daily-reports/").json()["count"] == 20


# ---------------------------------------------------------------------------------------------- pages

@pytest.fixture
def chinese(settings):
    settings.LANGUAGE_CODE = "zh-hans"


def test_pages_generate_edit_finalise_and_history(world, login, chinese):
    client = login(world.publicity)
    page = client.get("/reports/self-inspections/")
    assert page.status_code == 200 and "生成自查报告" in page.content.decode()
    response = client.post("/reports/self-inspections/", {"organization": world.school.pk,
                                                          "period_start": "2026-11-01", "period_end": "2026-11-30"})
    assert response.status_code == 302
    report = world.school.self_inspection_reports.get()
    detail = client.get(report.get_absolute_url()).content.decode()
    assert "下一步打算" in detail and "定稿" in detail
    client.post(report.get_absolute_url(), {"step": "edit", "next_steps": "1. 网页里写的打算。", "remarks": ""})
    client.post(report.get_absolute_url(), {"step": "finalise"})
    report.refresh_from_db()
    assert report.status == "final" and report.next_steps == "1. 网页里写的打算。" and report.version == 3
    frozen = client.get(report.get_absolute_url()).content.decode()
    assert "该报告已定稿，不能再修改。" in frozen and 'name="next_steps"' not in frozen
    client.post(report.get_absolute_url(), {"step": "edit", "next_steps": "改掉", "remarks": ""})
    report.refresh_from_db()
    assert report.next_steps == "1. 网页里写的打算。"
    history = client.get("/reports/history/").content.decode()
    assert "报告记录" in history and "第 3 版" in history and "定稿" in history
    row = archive.versions(report).last()
    download = client.get(f"/reports/files/{row.pk}/")
    assert download.status_code == 200 and download.content == archive.read(row)
    assert login(world.other_admin).get(f"/reports/files/{row.pk}/").status_code == 404
    assert login(world.other_admin).get(report.get_absolute_url()).status_code == 404


def test_briefing_pages(world, login, chinese):
    client = login(world.monitor)
    response = client.post("/reports/briefings/", {"organization": world.school.pk, "period": "2026-11"})
    assert response.status_code == 302
    b = world.school.briefings.get()
    page = client.get(b.get_absolute_url()).content.decode()
    assert "舆情简报" in page and "第 1 版" in page
    client.post(f"/reports/briefings/{b.pk}/regenerate/")
    b.refresh_from_db()
    assert b.version == 2
    bad = client.post("/reports/briefings/", {"organization": world.school.pk, "period": "十一月"}).content.decode()
    assert "请填写日（2026-12-01）、周（2026-W48）或月（2026-11）。" in bad
    assert login(world.other_admin).get(b.get_absolute_url()).status_code == 404


def test_demo_reports_open_right_away(db):
    import io

    from django.core.management import call_command

    call_command("demo", stdout=io.StringIO())
    from yuqing.orgs.models import Organization
    from yuqing.reports.models import Briefing, SelfInspectionReport

    school = Organization.objects.get(slug="no1-middle")
    final = SelfInspectionReport.objects.get(organization=school, status="final")
    assert "示范县第一中学新媒体平台自查整改情况报告" in _first_paragraph(archive.read(archive.versions(final).last()))
    assert Briefing.objects.filter(organization__slug="demo-bureau").exists()
    today = timezone.localdate()
    rows = {r["slug"]: r["status"] for r in daily.compliance(Organization.objects.get(slug="demo-bureau"),
                                                            today - dt.timedelta(days=1))}
    assert "late" in rows.values()
    today_rows = {r["slug"]: r for r in daily.compliance(Organization.objects.get(slug="demo-bureau"), today)}
    assert today_rows["experimental-primary"]["status"] == "missing"
    assert not DailyReport.objects.filter(organization__slug="experimental-primary", date=today).exists()
    assert selfinspection and briefing


def _first_paragraph(data: bytes) -> str:
    import io

    from docx import Document

    return Document(io.BytesIO(data)).paragraphs[0].text
