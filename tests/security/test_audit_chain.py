"""M5: the audit chain cannot be rewritten or truncated by someone who can only write to the database.

Each attack is done the way the review did it: raw SQL, recomputing plain SHA-256 over the altered records and
moving the chain head. The chain is keyed (HMAC with a key outside the database) and anchored outside the
database, so `yuqing audit verify` notices.
"""

from __future__ import annotations

import hashlib
import io
import json

import pytest
from django.core import mail
from django.core.management import call_command
from django.db import connection

from tests.collection.localserver import LocalServer, Reply
from yuqing.audit import anchor as anchoring
from yuqing.audit import chain
from yuqing.audit.jobs import AuditChainBroken, anchor_now
from yuqing.audit.log import record, verify
from yuqing.audit.models import AuditChainHead, AuditRecord

pytestmark = pytest.mark.django_db


def _verify_cli(*args):
    out, err = io.StringIO(), io.StringIO()
    code = 0
    try:
        call_command("audit", "verify", *args, stdout=out, stderr=err)
    except SystemExit as exc:
        code = exc.code
    return code, out.getvalue() + err.getvalue()


def _plain_sha(values: dict) -> str:
    """What the review's attacker computes: SHA-256 over the record, with no key."""
    data = json.dumps({k: (v.isoformat(timespec="microseconds") if hasattr(v, "isoformat") else v)
                       for k, v in values.items()}, sort_keys=True, ensure_ascii=False,
                      separators=(",", ":"), default=str).encode()
    return hashlib.sha256(data).hexdigest()


def _rewrite_from(victim_pk: int, **changes) -> None:
    """Change a record by SQL, then recompute every later link with plain SHA-256 and move the head."""
    rows = list(AuditRecord.objects.filter(pk__gte=victim_pk).order_by("pk"))
    prev = rows[0].prev_hash
    with connection.cursor() as cur:
        for rec in rows:
            for name, value in (changes if rec.pk == victim_pk else {}).items():
                setattr(rec, name, value)
            rec.prev_hash = prev
            # both the old scheme's columns and every column: neither key-less hash passes
            rec.hash = _plain_sha(chain.record_values(rec))
            sets = ", ".join(f"{c} = %s" for c in [*changes, "prev_hash", "hash"] if rec.pk == victim_pk
                             or c in ("prev_hash", "hash"))
            values = [getattr(rec, c) for c in [*changes, "prev_hash", "hash"] if rec.pk == victim_pk
                      or c in ("prev_hash", "hash")]
            cur.execute(f"UPDATE audit_auditrecord SET {sets} WHERE id = %s", [*values, rec.pk])
            prev = rec.hash
    AuditChainHead.objects.filter(pk=1).update(last_id=rows[-1].pk, last_hash=prev)


def _records(world, n=5):
    return [record(actor=world.root, action="test.write", organization=world.school, after={"i": i})
            for i in range(n)]


def test_every_column_of_the_record_is_hashed():
    columns = {f.attname for f in AuditRecord._meta.concrete_fields} - {"hash"}
    assert set(chain.HASHED_COLUMNS) == columns, "add the new column to yuqing.audit.chain.HASHED_COLUMNS " \
        "and re-key the existing records in a migration"


def test_the_chain_is_keyed_not_a_plain_hash(world, settings):
    rec = _records(world, 1)[0]
    assert rec.hash != _plain_sha(chain.record_values(rec))
    settings.YUQING_AUDIT_KEY = "another installation's key"
    assert rec.compute_hash() != rec.hash


def test_untouched_log_with_anchors_passes(world):
    _records(world, 3)
    anchor_now()
    _records(world, 2)
    anchor_now()
    code, output = _verify_cli()
    assert code == 0, output
    assert "intact" in output and "2 anchors matched" in output


def test_rewriting_a_record_and_recomputing_plain_sha_fails(world):
    recs = _records(world)
    _rewrite_from(recs[2].pk, object_repr="nothing happened")
    code, output = _verify_cli()
    assert code == 1 and f"#{recs[2].pk}" in output


def test_moving_a_record_to_another_organisation_fails(world):
    """organization_id was outside the hash: moving a record to another school passed."""
    recs = _records(world)
    with connection.cursor() as cur:
        cur.execute("UPDATE audit_auditrecord SET organization_id = %s WHERE id = %s",
                    [world.other_school.pk, recs[1].pk])
    result = verify()
    assert not result.ok and result.broken_id == recs[1].pk


@pytest.mark.parametrize("column,value", [("actor_name", "someone-else"), ("ip_address", "10.9.9.9"),
                                          ("organization_path", "/x/"), ("action", "test.other")])
def test_any_column_changed_fails(world, column, value):
    recs = _records(world, 3)
    with connection.cursor() as cur:
        cur.execute(f"UPDATE audit_auditrecord SET {column} = %s WHERE id = %s", [value, recs[1].pk])
    assert verify().broken_id == recs[1].pk


def test_truncating_the_newest_records_fails_against_the_anchor(world):
    recs = _records(world, 6)
    anchor_now()
    # the attacker removes the last three records and moves the head to the survivor's hash
    with connection.cursor() as cur:
        cur.execute("DELETE FROM audit_auditrecord WHERE id > %s", [recs[2].pk])
    AuditChainHead.objects.filter(pk=1).update(last_id=recs[2].pk, last_hash=recs[2].hash)
    code, output = _verify_cli()
    assert code == 1
    assert f"#{recs[-1].pk}" in output and "removed" in output


def test_truncation_is_found_with_the_line_the_bureau_received(world, settings, tmp_path):
    """Whoever also deletes the anchor file is caught by the copy mailed to the bureau."""
    settings.YUQING_AUDIT_ANCHOR_EMAIL = ["audit@bureau.example"]
    recs = _records(world, 4)
    anchor_now()
    line = mail.outbox[-1].body.strip()
    with connection.cursor() as cur:
        cur.execute("DELETE FROM audit_auditrecord WHERE id > %s", [recs[1].pk])
    AuditChainHead.objects.filter(pk=1).update(last_id=recs[1].pk, last_hash=recs[1].hash)
    anchoring.anchor_file().unlink()
    assert _verify_cli()[0] == 0  # without any anchor, a truncation is not visible: that is what anchors are for
    code, output = _verify_cli("--anchor", line)
    assert code == 1 and "removed" in output


def test_a_forged_anchor_line_is_refused(world):
    recs = _records(world, 2)
    forged = anchoring.Anchor(recs[-1].pk, recs[-1].hash, 2, "2026-01-01T00:00:00+00:00", "0" * 64)
    code, output = _verify_cli("--anchor", forged.line())
    assert code == 1 and "not signed" in output


def test_the_job_refuses_to_anchor_a_broken_chain(world):
    recs = _records(world, 3)
    anchor_now()
    _records(world, 2)
    _rewrite_from(recs[-1].pk + 1, object_repr="forged")
    lines_before = anchoring.anchor_file().read_text()
    with pytest.raises(AuditChainBroken):
        anchor_now()
    assert anchoring.anchor_file().read_text() == lines_before


def test_anchor_lines_are_signed_appended_and_posted(world, settings):
    server = LocalServer()
    server.routes["/anchor"] = Reply(b"ok")
    try:
        settings.YUQING_AUDIT_ANCHOR_WEBHOOK = server.url("/anchor")
        settings.YUQING_OUTBOUND_ALLOW = [f"127.0.0.1:{server.port}"]
        recs = _records(world, 2)
        anchor_now()
        assert anchor_now() == {"head_id": recs[-1].pk, "count": 2}  # nothing new: no new line
        _records(world, 1)
        anchor_now()
        posted = [json.loads(r.body) for r in server.requests if r.path == "/anchor"]
    finally:
        server.close()
    lines = [a for _, a, _ in anchoring.read_anchors()]
    assert [a.head_id for a in lines] == [recs[-1].pk, recs[-1].pk + 1]
    assert all(a.signature_ok() for a in lines)
    assert [p["head_id"] for p in posted] == [a.head_id for a in lines]


def test_migration_rekeys_a_plain_chain_and_refuses_an_altered_one(world):
    import importlib

    from django.apps import apps as django_apps

    rekey = importlib.import_module("yuqing.audit.migrations.0002_hmac_chain")
    recs = _records(world, 4)
    # put the records back the way 0001 hashed them
    prev = chain.GENESIS_HASH
    for rec in recs:
        rec.prev_hash = prev
        rec.hash = rekey._old_hash(rec)
        AuditRecord.objects.filter(pk=rec.pk).update(prev_hash=rec.prev_hash, hash=rec.hash)
        prev = rec.hash
    assert not verify().ok
    rekey.rekey(django_apps, None)
    assert verify().ok
    # an old chain altered before the upgrade is not laundered by the re-keying
    for rec in recs:
        rec.refresh_from_db()
    prev = chain.GENESIS_HASH
    for rec in recs:
        rec.prev_hash = prev
        rec.hash = rekey._old_hash(rec)
        AuditRecord.objects.filter(pk=rec.pk).update(prev_hash=rec.prev_hash, hash=rec.hash)
        prev = rec.hash
    AuditRecord.objects.filter(pk=recs[1].pk).update(object_repr="forged")
    with pytest.raises(RuntimeError, match=f"#{recs[1].pk}"):
        rekey.rekey(django_apps, None)
