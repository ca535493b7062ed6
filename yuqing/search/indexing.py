"""Keeping the search index in step with stored items (PostgreSQL tsvector + GIN, or an SQLite FTS5 table)."""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from django.db import connection

from yuqing.search.tokens import fts5_text, tsvector_text

TABLE = "search_itemdoc"
BATCH = 1000


def document_text(title: str, text: str, author: str) -> str:
    """What is searched: title, text and author, each its own run (a phrase never spans two of them)."""
    return "\n".join(part for part in (title, text, author) if part)


def index_items(organization_id: int | None, item_ids: Sequence[int]) -> int:
    """(Re)index the given items; returns how many were written. Safe to repeat."""
    from yuqing.monitoring.models import Item

    written = 0
    ids = sorted(set(item_ids))
    for start in range(0, len(ids), BATCH):
        rows = Item.objects.filter(pk__in=ids[start : start + BATCH])
        if organization_id is not None:
            rows = rows.filter(organization_id=organization_id)
        written += _write(rows.values_list("pk", "organization_id", "first_seen_at", "title", "text", "author"))
    return written


def _write(rows: Iterable[tuple]) -> int:
    ops = connection.ops
    if connection.vendor == "postgresql":
        values = [(pk, org, ops.adapt_datetimefield_value(seen), tsvector_text(document_text(t, x, a)))
                  for pk, org, seen, t, x, a in rows]
        sql = (f"INSERT INTO {TABLE} (item_id, organization_id, first_seen_at, document) "
               f"VALUES (%s, %s, %s, %s::tsvector) ON CONFLICT (item_id) DO UPDATE SET document = excluded.document")
    else:
        values = [(pk, fts5_text(document_text(t, x, a))) for pk, _org, _seen, t, x, a in rows]
        sql = f"INSERT OR REPLACE INTO {TABLE} (rowid, document) VALUES (%s, %s)"
    if values:
        with connection.cursor() as cursor:
            cursor.executemany(sql, values)
    return len(values)


def reindex(organization_ids: Sequence[int] | None = None, *, chunk: int = 5000, progress=None) -> int:
    """Index every item (of the given organisations), newest first, in chunks; for upgrades and repairs."""
    from yuqing.monitoring.models import Item

    items = Item.objects.all()
    if organization_ids is not None:
        items = items.filter(organization_id__in=list(organization_ids))
    done = 0
    last = None
    while True:
        page = items.order_by("-id")
        if last is not None:
            page = page.filter(pk__lt=last)
        rows = list(page.values_list("pk", "organization_id", "first_seen_at", "title", "text", "author")[:chunk])
        if not rows:
            return done
        done += _write(rows)
        last = rows[-1][0]
        if progress:
            progress(done)


# ---------------------------------------------------------------------------------------------- schema


def create_schema(schema_editor) -> None:
    """The index table: a tsvector with a GIN index on PostgreSQL, an FTS5 table on SQLite."""
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        schema_editor.execute(
            f"CREATE TABLE {TABLE} (item_id bigint PRIMARY KEY REFERENCES monitoring_item (id) ON DELETE CASCADE "
            f"DEFERRABLE INITIALLY DEFERRED, organization_id bigint NOT NULL, first_seen_at timestamptz NOT NULL, "
            f"document tsvector NOT NULL)")
        schema_editor.execute(f"CREATE INDEX {TABLE}_document ON {TABLE} USING GIN (document)")
    elif vendor == "sqlite":
        # unicode61 splits on the spaces between tokens and nothing else (tokens are letters and digits only);
        # prefix='1' keeps one-character terms (a prefix query) fast.
        schema_editor.execute(f"CREATE VIRTUAL TABLE {TABLE} USING fts5(document, tokenize='unicode61', prefix='1')")
        schema_editor.execute(
            f"CREATE TRIGGER {TABLE}_item_deleted AFTER DELETE ON monitoring_item "
            f"BEGIN DELETE FROM {TABLE} WHERE rowid = old.id; END")
    else:  # pragma: no cover - Yuqing supports the two
        raise NotImplementedError(f"search index on {vendor}")


def drop_schema(schema_editor) -> None:
    if schema_editor.connection.vendor == "sqlite":
        schema_editor.execute(f"DROP TRIGGER IF EXISTS {TABLE}_item_deleted")
    schema_editor.execute(f"DROP TABLE IF EXISTS {TABLE}")
