"""The audit log: written with every change, hash-chained, tamper-evident, exportable."""

import csv
import io

import pytest
from django.core.management import call_command
from django.db import connection

from yuqing.audit.log import record, verify
from yuqing.audit.models import AuditRecord
from yuqing.orgs import actions
from yuqing.orgs.permissions import PermissionDenied

pytestmark = pytest.mark.django_db


def _run_verify():
    out, err = io.StringIO(), io.StringIO()
    code = 0
    try:
        call_command("audit", "verify", stdout=out, stderr=err)
    except SystemExit as exc:
        code = exc.code
    return code, out.getvalue() + err.getvalue()


def test_change_writes_record_with_before_and_after(world):
    actions.do_update_organization(world.school, acting_user=world.school_admin, name="第一中学（本部）")
    rec = AuditRecord.objects.filter(action="organization.update").latest("pk")
    assert rec.actor == world.school_admin and rec.actor_name == "school-admin"
    assert rec.before["name"] == "第一中学" and rec.after["name"] == "第一中学（本部）"
    assert rec.organization == world.school


def test_refused_change_writes_nothing(world):
    before = AuditRecord.objects.count()
    with pytest.raises(PermissionDenied):
        actions.do_update_organization(world.school, acting_user=world.editor, name="x")
    assert AuditRecord.objects.count() == before


def test_chain_verifies_and_each_record_links_to_previous(world):
    for i in range(5):
        record(actor=world.root, action="test.write", organization=world.school, after={"i": i})
    result = verify()
    assert result.ok and result.checked == AuditRecord.objects.count()
    records = list(AuditRecord.objects.order_by("pk"))
    for prev, cur in zip(records, records[1:], strict=False):
        assert cur.prev_hash == prev.hash


def test_raw_sql_change_is_detected_and_named(world):
    for i in range(4):
        record(actor=world.root, action="test.write", organization=world.school, after={"i": i})
    victim = AuditRecord.objects.order_by("pk")[2]
    with connection.cursor() as cur:
        cur.execute("UPDATE audit_auditrecord SET object_repr = %s WHERE id = %s", ["forged", victim.pk])
    code, output = _run_verify()
    assert code == 1
    assert f"#{victim.pk}" in output and "changed" in output


def test_raw_sql_deletion_is_detected(world):
    for i in range(4):
        record(actor=world.root, action="test.write", organization=world.school, after={"i": i})
    victim = AuditRecord.objects.order_by("pk")[1]
    with connection.cursor() as cur:
        cur.execute("DELETE FROM audit_auditrecord WHERE id = %s", [victim.pk])
    code, output = _run_verify()
    assert code == 1 and "removed" in output


def test_verify_passes_on_untouched_log(world):
    record(actor=world.root, action="test.write")
    code, output = _run_verify()
    assert code == 0 and "intact" in output


def test_records_cannot_be_changed_or_deleted_through_the_application(world):
    rec = record(actor=world.root, action="test.write")
    rec.object_repr = "changed"
    with pytest.raises(PermissionError):
        rec.save()
    with pytest.raises(PermissionError):
        rec.delete()


def test_export_csv_has_every_record_with_hashes(world, tmp_path):
    record(actor=world.root, action="test.write", organization=world.school, after={"名称": "中文"})
    out = tmp_path / "audit.csv"
    call_command("audit", "export", "--org", "no1", "-o", str(out), stdout=io.StringIO())
    rows = list(csv.DictReader(out.open(encoding="utf-8-sig")))
    assert rows and rows[-1]["action"] == "test.write" and "中文" in rows[-1]["after"]
    assert len(rows[-1]["hash"]) == 64


def test_export_unknown_org_is_a_clear_error(world):
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match="--org"):
        call_command("audit", "export", "--org", "nope")


def test_audit_page_filters_and_rejects_bad_dates(world, login):
    actions.do_update_organization(world.school, acting_user=world.school_admin, name="第一中学（新）")
    c = login(world.school_admin)
    r = c.get("/audit/", {"action": "organization.", "since": "2000-01-01"})
    assert "第一中学（新）" in r.content.decode()
    r = c.get("/audit/", {"since": "yesterday"})
    assert "since" in r.content.decode() and r.status_code == 200
    assert c.get("/audit/export.csv", {"since": "yesterday"}).status_code == 400
    assert c.get("/audit/", {"actor": "nobody-like-this"}).context["page"].paginator.count == 0


def test_secrets_never_reach_the_audit_log(world):
    from yuqing.audit.log import snapshot

    assert "password" not in snapshot(world.editor)
