"""Language, encryption of secrets, scheduler, health check and the command line."""

import io
import json
import subprocess
import sys
from datetime import timedelta

import pytest
from django.core.management import call_command
from django.utils import timezone

from yuqing.system import scheduler
from yuqing.system.models import ScheduledJob

pytestmark = pytest.mark.django_db


def test_interface_is_chinese_by_default_and_switches_to_english(world, client, settings):
    import yuqing.settings as shipped

    assert shipped.LANGUAGE_CODE == "zh-hans"
    settings.LANGUAGE_CODE = shipped.LANGUAGE_CODE
    page = client.get("/accounts/login/").content.decode()
    assert "登录" in page and 'lang="zh-hans"' in page
    client.post("/i18n/setlang/", {"language": "en", "next": "/accounts/login/"})
    page = client.get("/accounts/login/").content.decode()
    assert "Log in" in page and 'lang="en"' in page
    client.post("/i18n/setlang/", {"language": "zh-hans", "next": "/"})
    assert "登录" in client.get("/accounts/login/").content.decode()


def test_times_are_shown_in_shanghai_time(settings):
    assert settings.TIME_ZONE == "Asia/Shanghai"
    assert timezone.localtime(timezone.now()).utcoffset() == timedelta(hours=8)


def test_encrypted_secret_is_stored_encrypted_and_never_rendered():
    from yuqing.encryption import EncryptedTextField, SecretInput, decrypt

    field = EncryptedTextField()
    stored = field.get_prep_value("robot-key-123")
    assert "robot-key-123" not in stored and stored.startswith("fernet:")
    assert decrypt(stored) == "robot-key-123"
    assert field.from_db_value(stored, None, None) == "robot-key-123"
    html = SecretInput().render("secret", "robot-key-123")
    assert "robot-key-123" not in html


def test_healthz_reports_database_and_last_job():
    from django.test import Client

    scheduler.ensure_jobs()
    body = Client().get("/healthz").json()
    assert body["status"] == "ok" and body["database"]["ok"] is True
    assert body["scheduler"]["last_run_at"] is None
    scheduler.run_due_jobs()
    body = Client().get("/healthz").json()
    assert body["scheduler"]["last_job"] in scheduler.JOBS and body["scheduler"]["last_run_at"]


def test_due_job_is_claimed_once_and_failures_are_recorded(monkeypatch):
    scheduler.ensure_jobs()
    assert scheduler.claim("system.heartbeat") is True
    assert scheduler.claim("system.heartbeat") is False  # already claimed and rescheduled

    calls = []

    @scheduler.periodic("test.failing", seconds=30)
    def failing():
        calls.append(1)
        raise RuntimeError("source unreachable")

    try:
        scheduler.ensure_jobs()
        ran = scheduler.run_due_jobs()
        assert "test.failing" in ran and calls == [1]
        job = ScheduledJob.objects.get(name="test.failing")
        assert job.last_status == ScheduledJob.Status.FAILED and "source unreachable" in job.last_error
        assert job.locked_until is None and job.next_run_at > timezone.now()
    finally:
        scheduler.JOBS.pop("test.failing", None)


def test_dispatch_runs_inline_after_commit_without_broker(django_capture_on_commit_callbacks):
    seen = []

    @scheduler.background_task("test.collect")
    def collect(value):
        seen.append(value)

    with django_capture_on_commit_callbacks(execute=True):
        scheduler.dispatch("test.collect", value=7)
    assert seen == [7]


def test_status_page_lists_jobs(world, login):
    scheduler.ensure_jobs()
    scheduler.run_due_jobs()
    page = login(world.bureau_admin).get("/system/").content.decode()
    assert "system.heartbeat" in page


def test_org_list_json_gives_slugs(world):
    out = io.StringIO()
    call_command("org", "list", "--format", "json", stdout=out)
    rows = json.loads(out.getvalue())
    assert {"slug": "no1", "name": "第一中学", "kind": "school", "unit_type": "", "parent": "bureau-a"} in rows


def test_demo_is_idempotent(tmp_path, settings):
    from django.contrib.auth import get_user_model

    from yuqing.audit.log import verify
    from yuqing.orgs.models import Organization

    settings.DATA_DIR = tmp_path
    out = io.StringIO()
    call_command("demo", stdout=out)
    assert "sysadmin" in out.getvalue()
    counts = (Organization.objects.count(), get_user_model().objects.count())
    again = io.StringIO()
    call_command("demo", stdout=again)
    assert (Organization.objects.count(), get_user_model().objects.count()) == counts
    assert "already present" in again.getvalue()
    roles = set(get_user_model().objects.get(username="publicity").memberships.values_list("role", flat=True))
    assert roles == {"publicity_lead"}
    assert verify().ok


def test_cli_help_lists_commands_with_examples():
    out = subprocess.run([sys.executable, "-m", "yuqing.cli", "--help"], capture_output=True, text=True, check=True)
    for command in ("migrate", "demo", "run", "worker", "org list", "audit verify", "check-text"):
        assert command in out.stdout
    sub = subprocess.run([sys.executable, "-m", "yuqing.cli", "audit", "--help"], capture_output=True, text=True)
    assert sub.returncode == 0 and "yuqing audit verify" in sub.stdout


def test_worker_without_broker_says_why(settings):
    from django.core.management.base import CommandError

    settings.CELERY_BROKER_URL = ""
    with pytest.raises(CommandError, match="CELERY_BROKER_URL"):
        call_command("worker")


def test_start_page_is_the_dashboard(world, login):
    c = login(world.monitor)
    r = c.get("/")
    assert r.status_code == 302 and r["Location"] == "/detection/"
    assert c.get("/detection/").status_code == 200


def test_openapi_schema_covers_every_module(world, login):
    schema = login(world.editor).get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json").json()
    paths = set(schema["paths"])
    for expected in ("/api/organizations/", "/api/audit/", "/api/sources/", "/api/items/", "/api/schemes/",
                     "/api/mentions/", "/api/events/", "/api/judgements/", "/api/notifiers/", "/api/deliveries/"):
        assert expected in paths
    assert schema["components"]["securitySchemes"]["bearerToken"]["scheme"] == "bearer"


def test_every_model_change_has_a_migration():
    out = io.StringIO()
    try:
        call_command("makemigrations", "--check", "--dry-run", stdout=out)
    except SystemExit as exc:
        pytest.fail(f"models changed without a migration: {out.getvalue()} ({exc.code})")
