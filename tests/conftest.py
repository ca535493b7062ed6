"""Shared fixtures: an organisation tree with one persona per role, and a real Celery worker when configured."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import pytest

PASSWORD = "correct-horse-battery-9"
REPO = Path(__file__).resolve().parents[1]
SHARED_DATA = Path(os.environ.get("YUQING_SHARED_DATA", REPO.parent / "shared" / "data"))


@pytest.fixture(autouse=True)
def _fresh_working_calendar():
    """Calendar overrides are cached per process; a rolled-back test's rows must not leak into the next."""
    from yuqing import worktime

    worktime.forget_overrides()
    yield
    worktime.forget_overrides()


@pytest.fixture(autouse=True)
def _inline_background_work(request, settings):
    """Tests run background tasks inline unless they are about Celery itself."""
    if request.node.get_closest_marker("celery") is None:
        settings.YUQING_EMBEDDED_WORKER = True
    # Assertions read English messages; tests of the Chinese default switch back explicitly.
    settings.LANGUAGE_CODE = "en"
    # Real password hashing costs half a second per persona; tests check behaviour, not key stretching.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def _own_audit_anchors(settings, tmp_path_factory):
    """Each test anchors its own audit chain: an anchor of another test's records would not match this one's."""
    settings.YUQING_AUDIT_ANCHOR_FILE = tmp_path_factory.mktemp("anchors") / "audit-anchors.log"
    settings.YUQING_AUDIT_ANCHOR_EMAIL = []
    settings.YUQING_AUDIT_ANCHOR_WEBHOOK = ""


@dataclass
class World:
    bureau: object
    school: object
    unit: object
    other_school: object
    other_bureau: object
    far_school: object
    users: dict

    def __getattr__(self, name):
        try:
            return self.__dict__["users"][name]
        except KeyError as exc:
            raise AttributeError(name) from exc


@pytest.fixture
def world(db):
    """Bureau A with schools no1 (with a unit) and no2; bureau B with school far. Personas by role."""
    from django.contrib.auth import get_user_model

    from yuqing.orgs.models import Membership, Organization, Role

    User = get_user_model()
    bureau = Organization.objects.create(name="示范县教育局", slug="bureau-a", kind="bureau")
    school = Organization.objects.create(name="第一中学", slug="no1", kind="school", parent=bureau)
    unit = Organization.objects.create(name="办公室", slug="no1-office", kind="unit", parent=school,
                                       unit_type="department")
    other_school = Organization.objects.create(name="第二中学", slug="no2", kind="school", parent=bureau)
    other_bureau = Organization.objects.create(name="邻县教育局", slug="bureau-b", kind="bureau")
    far_school = Organization.objects.create(name="邻县中学", slug="far", kind="school", parent=other_bureau)
    personas = {
        "bureau_admin": (bureau, Role.ADMIN),
        "supervisor": (bureau, Role.SUPERVISOR),
        "other_supervisor": (other_bureau, Role.SUPERVISOR),
        "school_admin": (school, Role.ADMIN),
        "publicity": (school, Role.PUBLICITY_LEAD),
        "editor": (school, Role.EDITOR),
        "reviewer1": (school, Role.REVIEWER_1),
        "reviewer2": (school, Role.REVIEWER_2),
        "reviewer3": (school, Role.REVIEWER_3),
        "monitor": (school, Role.MONITOR),
        "leader": (school, Role.LEADER),
        "other_admin": (other_school, Role.ADMIN),
        "other_editor": (other_school, Role.EDITOR),
    }
    users = {}
    for name, (org, role) in personas.items():
        user = User.objects.create_user(username=name.replace("_", "-"), password=PASSWORD, full_name=name)
        Membership.objects.create(user=user, organization=org, role=role)
        users[name] = user
    users["outsider"] = User.objects.create_user(username="outsider", password=PASSWORD)
    users["root"] = User.objects.create_superuser(username="root", password=PASSWORD)
    return World(bureau, school, unit, other_school, other_bureau, far_school, users)


@pytest.fixture
def local_servers_stand_for_public_ones(monkeypatch):
    """Let the outbound guard treat 127.0.0.1 as public, for tests whose local servers stand for public services
    (robots, mail servers). The guard's refusal of loopback itself is tested in tests/security/."""
    from yuqing import outbound

    real = outbound.non_public_reason
    monkeypatch.setattr(outbound, "non_public_reason", lambda a: None if str(a) == "127.0.0.1" else real(a))


@pytest.fixture
def login(client):
    """Log a persona in through the real login form; returns the client."""

    def _login(user, password=PASSWORD):
        client.logout()
        response = client.post("/accounts/login/", {"username": user.username, "password": password})
        assert response.status_code == 302, response.content[:500]
        return client

    return _login


@pytest.fixture(scope="session")
def celery_worker_process(django_db_setup, django_db_blocker):
    """A real Celery worker process on the configured broker, connected to the test database."""
    from django.conf import settings
    from django.db import connection

    if not settings.CELERY_BROKER_URL:
        pytest.skip("CELERY_BROKER_URL is not set: the Celery round trip runs in CI on Redis + PostgreSQL")
    if connection.vendor != "postgresql":
        pytest.skip("the Celery worker test needs PostgreSQL (SQLite test databases live in memory)")
    db = connection.settings_dict
    env = dict(os.environ)
    env["DATABASE_URL"] = f"postgres://{db['USER']}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"
    env["YUQING_EMBEDDED_WORKER"] = "0"
    # The worker is another process: the in-process stand-in for public servers does not reach it, so the
    # installation's own allow list lets it post to the tests' local servers.
    env["YUQING_OUTBOUND_ALLOW"] = "127.0.0.1"
    proc = subprocess.Popen(
        [sys.executable, "-m", "celery", "-A", "yuqing.celery", "worker", "--pool", "prefork", "--concurrency", "2",
         "--loglevel", "warning", "--without-gossip", "--without-mingle", "--without-heartbeat"],
        env=env, cwd=REPO, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
    )
    from yuqing.celery import app

    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError("celery worker exited: " + proc.stdout.read().decode(errors="replace")[-2000:])
        try:
            if app.control.ping(timeout=1.0):
                break
        except Exception:
            time.sleep(0.5)
    else:
        proc.terminate()
        raise RuntimeError("celery worker did not answer within 60 s")
    yield proc
    proc.terminate()
    try:
        proc.wait(timeout=20)
    except subprocess.TimeoutExpired:
        proc.kill()
