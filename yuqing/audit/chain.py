"""The audit chain's keyed hash: HMAC-SHA256 over every column of a record, with a key kept outside the database.

A plain hash can be recomputed by anyone who can write to the database, so a rewritten or truncated log would
verify again. With a key that lives in the data directory (or the environment) and never in the database, the
database alone is not enough to forge a record. What the key does not stop (someone who also reads the data
directory) is what the anchors (`yuqing.audit.anchor`) and their copies sent to the bureau are for.

The functions take plain values, so the migration that re-keys existing records uses them with its historical
model.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import json

from django.conf import settings

GENESIS_HASH = "0" * 64

# Every column of `AuditRecord` except `hash` itself, by attribute name. A new column must be added here (and the
# existing records re-keyed by a migration); tests/security/test_audit_chain.py fails when one is missing.
HASHED_COLUMNS = (
    "id", "created_at", "actor_id", "actor_name", "organization_id", "organization_path", "action", "object_type",
    "object_id", "object_repr", "before", "after", "ip_address", "prev_hash",
)


def chain_key() -> bytes:
    # Domain-separated, so the same key material could never double as another HMAC key of the platform.
    return hashlib.sha256(("yuqing-audit-chain:" + settings.YUQING_AUDIT_KEY).encode()).digest()


def _value(name: str, value):
    if name == "created_at" and isinstance(value, dt.datetime):
        return value.astimezone(dt.UTC).isoformat(timespec="microseconds")
    return value


def canonical(values: dict) -> bytes:
    """The bytes that are keyed-hashed: every column, in a fixed order and form."""
    payload = {name: _value(name, values.get(name)) for name in HASHED_COLUMNS}
    return json.dumps(payload, sort_keys=True, ensure_ascii=False, separators=(",", ":"), default=str).encode()


def record_values(rec) -> dict:
    """The hashed columns of a record (an `AuditRecord` or a migration's historical one)."""
    return {name: getattr(rec, name) for name in HASHED_COLUMNS}


def record_hash(rec, key: bytes | None = None) -> str:
    return hmac.new(key or chain_key(), canonical(record_values(rec)), hashlib.sha256).hexdigest()


def sign(message: bytes, key: bytes | None = None) -> str:
    """A signature for an anchor line, under a key derived apart from the records' key."""
    anchor_key = hashlib.sha256(b"yuqing-audit-anchor:" + (key or chain_key())).digest()
    return hmac.new(anchor_key, message, hashlib.sha256).hexdigest()


def same(a: str, b: str) -> bool:
    return hmac.compare_digest(a.encode(), b.encode())
