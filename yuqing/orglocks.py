"""Per-organisation write locks, so concurrent workers take turns on one organisation instead of fighting.

Two Celery workers storing entries for the same organisation used to clash on the items' unique keys (and
deadlock between their inserts): one chunk rolled back, waited and retried, so two workers were slower
than one. With a transaction-scoped PostgreSQL advisory lock per (scope, organisation) the second worker
waits for the first chunk to commit and then merges cleanly, while workers on *different* organisations
never wait for each other — throughput scales with the number of organisations being written at once.

SQLite serialises every write transaction already, so there the lock is a no-op.
"""

from __future__ import annotations

import zlib

from django.db import connection

# one namespace per kind of work, so storing and detecting for the same organisation can overlap
SCOPES = {"store": 1, "detect": 2}


def _scope_key(scope: str) -> int:
    return SCOPES.get(scope) or (zlib.crc32(scope.encode()) & 0x7FFFFFFF)


def lock_organization(organization_id: int, scope: str = "store") -> None:
    """Hold the organisation's `scope` lock until the current transaction ends (call inside atomic())."""
    if connection.vendor != "postgresql":
        return
    if not connection.in_atomic_block:
        raise RuntimeError("lock_organization must be called inside a transaction")
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_advisory_xact_lock(%s, %s)", [_scope_key(scope), int(organization_id)])


def organization_locked(organization_id: int, scope: str = "store") -> bool:
    """Whether some session holds the organisation's `scope` lock now (what the tests look at)."""
    if connection.vendor != "postgresql":
        return False
    with connection.cursor() as cursor:
        # the two-key form of an advisory lock shows its keys as classid / objid with objsubid 2
        cursor.execute("SELECT EXISTS (SELECT 1 FROM pg_locks WHERE locktype = 'advisory' AND granted "
                       "AND classid = %s AND objid = %s AND objsubid = 2)", [_scope_key(scope), int(organization_id)])
        return bool(cursor.fetchone()[0])
