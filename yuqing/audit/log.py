"""Writing, verifying and exporting the audit log.

Every write in Yuqing calls `record()` inside the transaction of the change it describes, so the change and its
audit record commit together or not at all.
"""

from __future__ import annotations

import csv
import datetime as dt
import decimal
import uuid
from collections.abc import Iterable
from dataclasses import dataclass

from django.db import models, transaction
from django.utils import timezone

from yuqing.audit import chain
from yuqing.audit.models import GENESIS_HASH, AuditChainHead, AuditRecord


def snapshot(obj: models.Model | None, fields: Iterable[str] | None = None, exclude: Iterable[str] = ()) -> dict | None:
    """A JSON-safe dict of a model instance's concrete fields; encrypted secrets are never included."""
    from yuqing.encryption import EncryptedTextField

    if obj is None:
        return None
    out = {}
    for f in obj._meta.concrete_fields:
        if fields is not None and f.name not in fields:
            continue
        if f.name in exclude or f.name in {"password"}:
            continue
        if isinstance(f, EncryptedTextField):
            out[f.name] = "***" if getattr(obj, f.attname) else ""
            continue
        out[f.name] = _json_safe(getattr(obj, f.attname))
    return out


def apply_changes(obj: models.Model, changes: dict, allowed) -> None:
    """Set the changed fields of an action's object; a field outside `allowed` is refused by name."""
    from django.core.exceptions import ValidationError
    from django.utils.translation import gettext

    for field in changes:
        if field not in allowed:
            raise ValidationError({field: gettext("This field cannot be changed here.")})
    for field, value in changes.items():
        setattr(obj, field, value)


def _json_safe(value):
    if isinstance(value, dt.datetime | dt.date | dt.time):
        return value.isoformat()
    if isinstance(value, decimal.Decimal | uuid.UUID):
        return str(value)
    if isinstance(value, bytes):
        return f"<{len(value)} bytes>"
    if isinstance(value, dict):
        return {str(k): _json_safe(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_json_safe(v) for v in value]
    return value


def record(
    *,
    actor,
    action: str,
    obj: models.Model | None = None,
    organization=None,
    before: dict | None = None,
    after: dict | None = None,
    object_repr: str | None = None,
    ip_address: str = "",
) -> AuditRecord:
    """Append one audit record, chained to the previous one. Call inside the change's transaction."""
    with transaction.atomic():
        head, _ = AuditChainHead.objects.select_for_update().get_or_create(pk=1)
        rec = AuditRecord(
            created_at=timezone.now(),
            actor=actor if getattr(actor, "pk", None) else None,
            actor_name=_actor_name(actor),
            organization=organization,
            organization_path=getattr(organization, "path", "") or "",
            action=action,
            object_type=obj._meta.label_lower if obj is not None else "",
            object_id=str(obj.pk) if obj is not None and obj.pk is not None else "",
            object_repr=(object_repr if object_repr is not None else (str(obj) if obj is not None else ""))[:200],
            before=_json_safe(before),
            after=_json_safe(after),
            ip_address=ip_address,
            prev_hash=head.last_hash,
            hash="pending-" + uuid.uuid4().hex,
        )
        rec.save()
        # The id is part of what is hashed, so the hash is set once the row has its id.
        rec.hash = rec.compute_hash()
        AuditRecord.objects.filter(pk=rec.pk).update(hash=rec.hash)
        head.last_id, head.last_hash = rec.pk, rec.hash
        head.save(update_fields=["last_id", "last_hash"])
    return rec


def _actor_name(actor) -> str:
    if actor is None:
        return "system"
    if isinstance(actor, str):
        return actor
    return getattr(actor, "username", str(actor))


@dataclass
class VerifyResult:
    ok: bool
    checked: int
    broken_id: int | None = None
    reason: str = ""
    anchors_checked: int = 0


def verify(batch: int = 2000, *, anchors=None, start=None) -> VerifyResult:
    """Recompute the keyed chain, then hold the log against the anchors kept outside the database.

    `anchors`: the anchors to check (default: every line of the anchor file). `start`: an anchor already
    trusted to begin from instead of the first record (the anchoring job checks only what came after it).
    """
    from yuqing.audit.anchor import check_anchor, read_anchors

    prev, checked, last_id = GENESIS_HASH, 0, 0
    if start is not None:
        if reason := check_anchor(start):
            return VerifyResult(False, 0, start.head_id, reason)
        prev, checked, last_id = start.head_hash, start.count, start.head_id
    while True:
        rows = list(AuditRecord.objects.filter(pk__gt=last_id).order_by("pk")[:batch])
        if not rows:
            break
        for rec in rows:
            if not chain.same(rec.prev_hash, prev):
                return VerifyResult(False, checked, rec.pk, "its link to the previous record does not match "
                                    "(a record before it was removed or changed)")
            if not chain.same(rec.compute_hash(), rec.hash):
                return VerifyResult(False, checked, rec.pk, "its content does not match its hash (it was changed)")
            prev = rec.hash
            checked += 1
            last_id = rec.pk
    head = AuditChainHead.objects.filter(pk=1).first()
    if head is not None and checked and head.last_hash != prev:
        return VerifyResult(False, checked, head.last_id, "the newest records were removed")
    if anchors is None:
        anchors = []
        for number, anchor, _text in read_anchors():
            if anchor is None:
                return VerifyResult(False, checked, None, f"line {number} of the anchor file cannot be read")
            anchors.append(anchor)
    for n, anchor in enumerate(anchors, start=1):
        if reason := check_anchor(anchor):
            return VerifyResult(False, checked, anchor.head_id, f"anchor of {anchor.at}: {reason}", n - 1)
    return VerifyResult(True, checked, anchors_checked=len(anchors))


EXPORT_COLUMNS = ["id", "created_at", "actor_name", "organization_path", "action", "object_type", "object_id",
                  "object_repr", "before", "after", "ip_address", "prev_hash", "hash"]


# A spreadsheet runs a cell that starts with one of these as a formula (=HYPERLINK(…), =cmd|…); titles of tips and
# collected posts reach the log, so an outsider could plant one.
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r", "\n", "＝", "＋", "－", "＠")


def spreadsheet_safe(value):
    """A text cell that a spreadsheet shows as text: a leading formula character is escaped with a quote."""
    if isinstance(value, str) and value.lstrip(" ").startswith(_FORMULA_START):
        return "'" + value
    return value


def write_csv(records: Iterable[AuditRecord], out) -> None:
    import json

    writer = csv.writer(out)
    writer.writerow(EXPORT_COLUMNS)
    for r in records:
        writer.writerow([spreadsheet_safe(cell) for cell in [
            r.pk, timezone.localtime(r.created_at).isoformat(), r.actor_name, r.organization_path, r.action,
            r.object_type, r.object_id, r.object_repr,
            json.dumps(r.before, ensure_ascii=False) if r.before is not None else "",
            json.dumps(r.after, ensure_ascii=False) if r.after is not None else "",
            r.ip_address, r.prev_hash, r.hash,
        ]])
