"""A file import runs as a background job: the request returns at once and the job's page shows progress
(polled with htmx) and then the result; only the person who started it sees it."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from yuqing.monitoring.models import Item
from yuqing.system.models import JobRun

pytestmark = pytest.mark.django_db
MAPPING = "title=标题,text=内容,url=链接"


def _csv(rows: int) -> bytes:
    lines = ["标题,内容,链接"] + [f"第{i}条,内容{i},https://example.cn/{i}" for i in range(rows)]
    return ("\n".join(lines) + "\n第坏行,内容,not-a-url\n").encode()


def test_the_request_returns_at_once_and_the_page_polls_until_the_job_is_done(world, login,
                                                                              django_capture_on_commit_callbacks):
    client = login(world.publicity)
    # Without running the dispatched job: the request has only recorded it.
    response = client.post("/monitoring/import/", {"file": SimpleUploadedFile("a.csv", _csv(5), "text/csv"),
                                                    "mapping": MAPPING})
    assert response.status_code == 302
    run = JobRun.objects.get()
    assert run.status == "queued" and run.kind == "monitoring.import" and run.input_file
    assert Item.objects.count() == 0
    page = client.get(response["Location"]).content.decode()
    assert 'hx-trigger="every 1s"' in page and "/status/" in page

    from yuqing.monitoring.jobs import import_file_run

    import_file_run(run.pk, filename="a.csv", mapping={"title": "标题", "text": "内容", "url": "链接"})
    run.refresh_from_db()
    assert run.status == "ok" and run.done == run.total == 5 and not run.input_file
    assert run.result["new"] == 5 and run.result["bad"] == 1 and run.result["errors"][0]["row"] == 7
    status = client.get(f"/system/runs/{run.pk}/status/").content.decode()
    assert "hx-trigger" not in status and 'id="import-result"' in status
    assert Item.objects.count() == 5


def test_a_run_is_seen_only_by_whoever_started_it(world, login, django_capture_on_commit_callbacks):
    client = login(world.publicity)
    with django_capture_on_commit_callbacks(execute=True):
        location = client.post("/monitoring/import/", {
            "file": SimpleUploadedFile("a.csv", _csv(2), "text/csv"), "mapping": MAPPING})["Location"]
    assert client.get(location).status_code == 200
    assert login(world.school_admin).get(location).status_code == 404
    assert login(world.other_admin).get(location + "status/").status_code == 404
    assert login(world.root).get(location).status_code == 200


def test_a_job_that_fails_says_why_on_its_page(world, login, django_capture_on_commit_callbacks, settings):
    settings.LANGUAGE_CODE = "zh-hans"
    client = login(world.publicity)
    with django_capture_on_commit_callbacks(execute=True):
        location = client.post("/monitoring/import/", {
            "file": SimpleUploadedFile("a.csv", b"a,b\n1,2\n", "text/csv"), "mapping": "title=标题"})["Location"]
    run = JobRun.objects.get()
    assert run.status == "failed" and "标题" in run.error
    page = client.get(location).content.decode()
    assert "标题" in page and "every 1s" not in page


def test_a_wrong_kind_of_file_is_refused_at_once(world, login):
    client = login(world.publicity)
    r = client.post("/monitoring/import/", {"file": SimpleUploadedFile("a.pdf", b"%PDF", "application/pdf"),
                                             "mapping": MAPPING})
    assert r.status_code == 200 and r.context["form"].errors.get("file") and not JobRun.objects.exists()
