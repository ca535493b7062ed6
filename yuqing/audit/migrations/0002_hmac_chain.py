"""Re-key the audit chain: from plain SHA-256 over most columns to HMAC-SHA256 over every column.

The old chain is checked as it goes, so re-keying never blesses a log that was already altered; set
YUQING_AUDIT_REKEY_FORCE=1 to re-key a broken log anyway (after investigating it: its old state is then lost).
"""

import hashlib
import json
import os

from django.db import migrations


def _old_hash(rec) -> str:
    payload = {
        "id": rec.pk,
        "created_at": rec.created_at.isoformat(timespec="microseconds"),
        "actor_id": rec.actor_id,
        "actor_name": rec.actor_name,
        "organization_path": rec.organization_path,
        "action": rec.action,
        "object_type": rec.object_type,
        "object_id": rec.object_id,
        "object_repr": rec.object_repr,
        "before": rec.before,
        "after": rec.after,
        "ip_address": rec.ip_address,
        "prev_hash": rec.prev_hash,
    }
    data = json.dumps(payload, sort_keys=True, ensure_ascii=False, separators=(",", ":"), default=str).encode()
    return hashlib.sha256(data).hexdigest()


def rekey(apps, schema_editor):
    from yuqing.audit.chain import GENESIS_HASH, chain_key, record_hash

    AuditRecord = apps.get_model("audit", "AuditRecord")
    AuditChainHead = apps.get_model("audit", "AuditChainHead")
    force = os.environ.get("YUQING_AUDIT_REKEY_FORCE", "") in {"1", "true", "yes"}
    key = chain_key()
    old_prev, new_prev, last_id = GENESIS_HASH, GENESIS_HASH, 0
    while True:
        rows = list(AuditRecord.objects.filter(pk__gt=last_id).order_by("pk")[:2000])
        if not rows:
            break
        for rec in rows:
            if not force and (rec.prev_hash != old_prev or _old_hash(rec) != rec.hash):
                raise RuntimeError(
                    f"audit record #{rec.pk} does not match the old chain, so it was altered before the upgrade; "
                    "investigate (yuqing audit export), then set YUQING_AUDIT_REKEY_FORCE=1 to re-key anyway")
            old_prev = rec.hash
            rec.prev_hash = new_prev
            rec.hash = record_hash(rec, key)
            AuditRecord.objects.filter(pk=rec.pk).update(prev_hash=rec.prev_hash, hash=rec.hash)
            new_prev, last_id = rec.hash, rec.pk
    AuditChainHead.objects.update_or_create(pk=1, defaults={"last_id": last_id, "last_hash": new_prev})


class Migration(migrations.Migration):

    dependencies = [("audit", "0001_initial")]

    operations = [migrations.RunPython(rekey, migrations.RunPython.noop)]
