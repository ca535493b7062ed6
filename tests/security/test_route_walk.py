"""The route walk: every URL pattern of the project, pages and API, list and detail, requested with GET as every
persona, against the expected statuses in `route_table.py`.

The detail routes get the ids of school A's objects (the demo school no1-middle), so the personas of school B, of
another bureau and a person without membership ask for another organisation's objects: they must never get 200.

When you add a URL pattern, this test fails naming it and printing the row it observed; check that row (who may
see it, who gets 404) and paste it into `ROUTES` in tests/security/route_table.py. To regenerate the whole table
after reviewing a change: ROUTE_WALK_WRITE=1 pytest tests/security/test_route_walk.py. To walk only your new
routes: ROUTE_WALK_ONLY=reports/briefings/,api/^briefings pytest tests/security/test_route_walk.py.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest
from django.apps import apps
from django.urls import URLPattern, URLResolver, get_resolver

from tests.security.route_table import PERSONAS, ROUTES, SKIPPED

pytestmark = pytest.mark.django_db

SCHOOL_A = "no1-middle"
# A path segment before an id → the model whose id it is (pages); API routes name their model through the viewset.
SEGMENT_MODELS = {
    "sources": "monitoring.Source", "items": "monitoring.Item", "evidence": "monitoring.Evidence",
    "notifiers": "notify.Notifier", "alerts": "notify.Alert", "deliveries": "notify.Delivery",
    "roster": "notify.DutyShift", "notices": "notify.Notice", "schemes": "detection.Scheme",
    "mentions": "detection.Mention", "events": "detection.Event", "judgements": "detection.Judgement",
    "drafts": "publishing.Draft", "publications": "publishing.PublishRecord", "attachments": "publishing.Attachment",
    "cases": "incidents.Case", "channels": "registry.Channel", "groups": "registry.ChatGroup",
    "filings": "registry.Filing", "people": "accounts.User", "memberships": "orgs.Membership",
    "tokens": "accounts.ApiToken", "reports": "reports.Report", "deadlines": "deadlines.Deadline",
    "captures": "monitoring.Capture", "bulletins": "reports.Bulletin", "inspections": "registry.Inspection",
}
_PARAM = re.compile(r"<(?:(?P<conv>\w+):)?(?P<name>\w+)>")


def url_patterns(resolver=None, prefix: str = ""):
    """(route as written, callback) for every pattern of the project, includes flattened."""
    for p in (resolver or get_resolver()).url_patterns:
        if isinstance(p, URLResolver):
            yield from url_patterns(p, prefix + str(p.pattern))
        elif isinstance(p, URLPattern):
            yield prefix + str(p.pattern), p.callback


def _model_for(route: str, name: str, callback):
    cls = getattr(callback, "cls", None)
    serializer = getattr(cls, "serializer_class", None)
    if cls is not None and getattr(cls, "queryset", None) is not None:
        return cls.queryset.model
    if serializer is not None and hasattr(serializer, "Meta"):
        return serializer.Meta.model
    before = route.split("<" + (name if ":" not in route else ""))[0]
    segments = [s for s in re.sub(_PARAM, "", route.split(f"{name}>")[0]).split("/") if s]
    for segment in reversed(segments or before.split("/")):
        label = SEGMENT_MODELS.get(segment)
        if label:
            try:
                return apps.get_model(label)
            except LookupError:
                return None
    return None


def _object_of_school_a(model):
    from yuqing.orgs.models import Membership, Organization

    if model is None:
        return None
    if model is Organization:
        return Organization.objects.get(slug=SCHOOL_A)
    if model._meta.label == "accounts.User":
        return model.objects.get(username="editor")
    if model is Membership:
        return Membership.objects.filter(organization__slug=SCHOOL_A).first()
    fields = {f.name for f in model._meta.get_fields()}
    qs = model.objects.all()
    if "organization" in fields:
        qs = qs.filter(organization__slug=SCHOOL_A)
    elif "item" in fields:
        qs = qs.filter(item__organization__slug=SCHOOL_A)
    elif "draft" in fields:
        qs = qs.filter(draft__organization__slug=SCHOOL_A)
    elif "user" in fields:
        qs = qs.filter(user__username="editor")
    return qs.order_by("pk").first()


_REGEX_PARAM = re.compile(r"\(\?P<(?P<name>\w+)>[^)]*\)")


def concrete_url(route: str, callback) -> str | None:
    """The route with its parameters filled with school A's objects; None for a format-suffix twin."""
    from yuqing.monitoring.models import Source

    if "(?P<format>" in route or "<drf_format_suffix:" in route:
        return None  # DRF's .json twins of the routes walked anyway
    # DRF's router writes regular expressions (^items/(?P<pk>[^/.]+)/$): the same parameters, written otherwise
    url = _REGEX_PARAM.sub(lambda m: f"<{m.group('name')}>", route).replace("^", "").replace("$", "")
    for match in list(_PARAM.finditer(url)):
        conv, name = match.group("conv") or "str", match.group("name")
        if name == "number":
            value = "1"  # a version number within the object, not a row id: every draft has its first version
        elif conv == "int" or name in ("pk", "id"):
            obj = _object_of_school_a(_model_for(route, name, callback))
            value = str(obj.pk) if obj is not None else "999999"
        elif name == "slug":
            value = SCHOOL_A
        elif name == "token":
            src = Source.objects.filter(organization__slug=SCHOOL_A, kind="webhook").first()
            value = src.push_token if src else "x" * 32
        elif name == "kind":
            value = "webhook"
        else:
            value = "x"
        url = url.replace(match.group(0), value, 1)
    return "/" + url


def is_detail(route: str) -> bool:
    """Whether the route names an object (an id or an organisation's slug) rather than a list or a form."""
    return bool(re.search(r"<int:|<slug:slug>|\(\?P<pk>|<pk>", route))


@pytest.fixture
def demo_world(settings, tmp_path):
    """The demo data (every kind of object for school no1-middle), another bureau and a person with no role."""
    from django.contrib.auth import get_user_model
    from django.core.management import call_command

    from yuqing.orgs.models import Membership, Organization, Role

    settings.DATA_DIR = tmp_path
    call_command("demo", "--addr", "127.0.0.1:8139", stdout=open(os.devnull, "w"))
    User = get_user_model()
    far = Organization.objects.create(name="邻县教育局", slug="walk-far-bureau", kind="bureau")
    far_admin = User.objects.create(username="walk-far-admin")
    Membership.objects.create(user=far_admin, organization=far, role=Role.ADMIN)
    User.objects.create(username="walk-nobody")
    users = {
        "anon": None, "admin": "school-admin", "publicity": "publicity", "editor": "editor",
        "reviewer1": "reviewer1", "reviewer2": "reviewer2", "reviewer3": "reviewer3", "monitor": "monitor",
        "leader": "leader", "supervisor": "supervisor", "school_b_admin": "primary-admin",
        "far_admin": "walk-far-admin", "nobody": "walk-nobody",
    }
    assert list(users) == list(PERSONAS)
    return {k: (User.objects.get(username=v) if v else None) for k, v in users.items()}


OUTSIDERS = ("school_b_admin", "far_admin", "nobody")


def test_every_route_as_every_persona(demo_world, client):
    observed: dict[str, list[int]] = {}
    urls = {}
    # ROUTE_WALK_ONLY=prefix[,prefix]: walk only those routes (to get the rows of the patterns you added, quickly)
    only = tuple(p for p in os.environ.get("ROUTE_WALK_ONLY", "").split(",") if p)
    for route, callback in url_patterns():
        if route in SKIPPED or (only and not route.startswith(only)):
            continue
        url = concrete_url(route, callback)
        if url is not None:
            urls[route] = (url, is_detail(route))
    for user in demo_world.values():
        client.logout()
        if user is not None:
            client.force_login(user)
        for route, (url, _detail) in urls.items():
            observed.setdefault(route, []).append(client.get(url, HTTP_ACCEPT="text/html").status_code)

    if os.environ.get("ROUTE_WALK_WRITE") and not only:
        _write_table(observed)

    problems = []
    for route, statuses in observed.items():
        row = dict(zip(PERSONAS, statuses, strict=True))
        if any(s >= 500 for s in statuses):
            problems.append(f"{route!r}: server error {row}")
        if urls[route][1]:
            leaked = [p for p in OUTSIDERS if row[p] == 200]
            if leaked:
                problems.append(f"{route!r}: school A's object answered 200 to {', '.join(leaked)}")
        expected = ROUTES.get(route)
        if expected is None:
            problems.append(f"{route!r} has no entry in tests/security/route_table.py ROUTES; observed, check "
                            f"and paste:\n    {route!r}: {_row_text(statuses)!r},")
        elif list(map(int, expected.split())) != statuses:
            problems.append(f"{route!r}: expected {expected}, got {_row_text(statuses)} "
                            f"(personas: {' '.join(PERSONAS)})")
    gone = sorted(set(ROUTES) - set(observed))
    if gone and not only:
        problems.append("entries without a URL pattern (remove them): " + ", ".join(gone))
    assert not problems, "\n".join(problems)


def _row_text(statuses) -> str:
    return " ".join(str(s) for s in statuses)


def _write_table(observed) -> None:
    path = Path(__file__).with_name("route_table.py")
    text = path.read_text(encoding="utf-8")
    head, _, _ = text.partition("ROUTES = {")
    body = "".join(f"    {route!r}: {_row_text(statuses)!r},\n" for route, statuses in sorted(observed.items()))
    path.write_text(head + "ROUTES = {\n" + body + "}\n", encoding="utf-8")
