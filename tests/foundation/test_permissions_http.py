"""Who can see and change which organisation, person and audit record — through HTTP."""

import pytest

from yuqing.orgs import actions
from yuqing.orgs.models import Membership, Organization

pytestmark = pytest.mark.django_db


def test_school_admin_sees_own_school_but_not_another_school(world, login):
    c = login(world.school_admin)
    assert c.get("/orgs/no1/").status_code == 200
    assert c.get("/orgs/no1-office/").status_code == 200
    assert c.get("/orgs/no2/").status_code == 404
    assert c.get("/orgs/bureau-a/").status_code == 404
    listing = c.get("/orgs/").content.decode()
    assert "第一中学" in listing and "第二中学" not in listing


def test_school_admin_cannot_change_another_school(world, login):
    c = login(world.school_admin)
    assert c.post("/orgs/no2/edit/", {"name": "hacked"}).status_code == 404
    assert c.post("/orgs/no2/new/", {"name": "x", "slug": "x", "kind": "unit"}).status_code == 404
    assert c.post("/orgs/no2/people/new/", {"username": "mole", "role": "admin"}).status_code == 404
    assert Organization.objects.get(slug="no2").name == "第二中学"
    assert not Organization.objects.filter(slug="x").exists()


def test_school_people_are_invisible_to_another_school(world, login):
    c = login(world.school_admin)
    assert c.get(f"/people/{world.other_editor.pk}/").status_code == 404
    assert c.get(f"/people/{world.editor.pk}/").status_code == 200
    people = c.get("/people/").content.decode()
    assert "other-editor" not in people and "editor" in people
    other_membership = Membership.objects.get(user=world.other_editor)
    assert c.post(f"/memberships/{other_membership.pk}/remove/").status_code == 404
    assert Membership.objects.filter(pk=other_membership.pk).exists()


def test_editor_may_look_but_not_manage(world, login):
    c = login(world.editor)
    assert c.get("/orgs/no1/").status_code == 200
    assert c.post("/orgs/no1/edit/", {"name": "renamed"}).status_code == 403
    assert c.post("/orgs/no1/people/new/", {"username": "friend", "role": "admin"}).status_code == 403
    assert Organization.objects.get(slug="no1").name == "第一中学"


def test_bureau_supervisor_sees_its_schools_but_not_another_bureau(world, login):
    c = login(world.supervisor)
    assert c.get("/orgs/no1/").status_code == 200
    assert c.get("/orgs/no2/").status_code == 200
    assert c.get("/orgs/far/").status_code == 404
    assert c.get("/orgs/bureau-b/").status_code == 404
    # Supervising is reading: no changes to a school's tree.
    assert c.post("/orgs/no1/edit/", {"name": "renamed"}).status_code == 403


def test_school_admin_creates_unit_and_person_and_both_are_audited(world, login):
    c = login(world.school_admin)
    r = c.post("/orgs/no1/new/", {"name": "七年级", "slug": "no1-g7", "kind": "unit", "unit_type": "grade"})
    assert r.status_code == 302
    unit = Organization.objects.get(slug="no1-g7")
    assert unit.parent == world.school and unit.path.startswith(world.school.path)
    r = c.post("/orgs/no1-g7/people/new/", {"username": "teacher-li", "full_name": "李老师", "role": "editor",
                                            "password": ""})
    assert r.status_code == 302
    from yuqing.audit.models import AuditRecord

    actions_logged = list(AuditRecord.objects.filter(actor=world.school_admin).values_list("action", flat=True))
    assert "organization.create" in actions_logged and "user.create" in actions_logged


def test_bad_organisation_input_names_the_field(world, login):
    c = login(world.school_admin)
    r = c.post("/orgs/no1/new/", {"name": "", "slug": "no1", "kind": "school"})
    body = r.content.decode()
    assert r.status_code == 200
    assert "no1" in body
    # slug taken, name missing and a school cannot sit under a school: each named
    assert body.count('class="error"') >= 2
    r = c.post("/orgs/no1/new/", {"name": "分校", "slug": "branch", "kind": "school"})
    assert r.status_code == 200 and not Organization.objects.filter(slug="branch").exists()


def test_audit_records_of_another_school_are_hidden(world, login):
    actions.do_update_organization(world.other_school, acting_user=world.other_admin, name="第二中学（新）")
    actions.do_update_organization(world.school, acting_user=world.school_admin, name="第一中学（新）")
    c = login(world.school_admin)
    page = c.get("/audit/").content.decode()
    assert "第一中学（新）" in page and "第二中学（新）" not in page
    csv_body = c.get("/audit/export.csv").content.decode("utf-8-sig")
    assert "第一中学（新）" in csv_body and "第二中学（新）" not in csv_body
    api = c.get("/api/audit/").json()
    assert all(not r["organization_path"].startswith(world.other_school.path) for r in api["results"])
    # The bureau supervisor sees both schools' records.
    c2 = login(world.supervisor)
    page = c2.get("/audit/").content.decode()
    assert "第一中学（新）" in page and "第二中学（新）" in page


def test_outsider_and_anonymous_see_nothing(world, client, login):
    assert client.get("/orgs/").status_code == 302  # to the login page
    assert client.get("/api/organizations/").status_code in (401, 403)
    c = login(world.outsider)
    assert c.get("/orgs/no1/").status_code == 404
    assert c.get("/api/organizations/").json()["results"] == []


def test_api_lists_only_visible_organisations(world, login):
    c = login(world.school_admin)
    slugs = {o["slug"] for o in c.get("/api/organizations/").json()["results"]}
    assert slugs == {"no1", "no1-office"}
    assert c.get("/api/organizations/no2/").status_code == 404


def test_organisation_switcher_only_accepts_visible_organisations(world, login):
    from yuqing.orgs.models import Role

    Membership.objects.create(user=world.editor, organization=world.unit, role=Role.MONITOR)
    c = login(world.editor)
    assert c.post("/orgs/switch/", {"organization": world.unit.pk, "next": "/people/"}).status_code == 302
    assert c.get("/people/").context["org"] == world.unit
    assert c.post("/orgs/switch/", {"organization": world.other_school.pk}).status_code == 404
    assert c.post("/orgs/switch/", {"organization": "abc"}).status_code == 404
