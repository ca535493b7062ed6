"""Fast multi-row INSERTs for the pipeline, without building a model instance per row.

Django's bulk_create spends most of its time preparing each value of each instance; at 100,000 items per
batch that dominates. Here values arrive already in database form (datetimes adapted once per row, JSON as
text); SQLite uses ``INSERT … RETURNING`` and PostgreSQL ``COPY`` then one SELECT, both giving ids keyed by
url_hash, so row order does not matter.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from django.db import IntegrityError, connection, transaction

from yuqing.monitoring.models import Item, ItemMetric

ITEM_COLUMNS = ("organization_id", "source_id", "url", "url_hash", "title", "text", "html", "author", "platform",
                "published_at", "first_seen_at", "last_seen_at", "content_hash", "simhash", "original_id",
                "relation", "views", "comments", "reposts", "likes", "metrics_updated_at", "extra", "mainstream")
METRIC_COLUMNS = ("item_id", "observed_at", "views", "comments", "reposts", "likes")
_ROWS_PER_STATEMENT = 500  # 23 columns × 500 stays below SQLite's and PostgreSQL's parameter limits


def db_datetime(value: datetime | None) -> Any:
    return connection.ops.adapt_datetimefield_value(value) if value is not None else None


def db_json(value: Any) -> str:
    return json.dumps(value or {}, ensure_ascii=False)


def _insert(table: str, columns: Sequence[str], rows: list[tuple], returning: str = "", tail: str = "") -> list[tuple]:
    qn = connection.ops.quote_name
    head = f"INSERT INTO {qn(table)} ({', '.join(qn(c) for c in columns)}) VALUES "
    one = "(" + ", ".join(["%s"] * len(columns)) + ")"
    out: list[tuple] = []
    with connection.cursor() as cursor:
        for start in range(0, len(rows), _ROWS_PER_STATEMENT):
            part = rows[start : start + _ROWS_PER_STATEMENT]
            sql = head + ", ".join([one] * len(part)) + tail
            params = [value for row in part for value in row]
            if returning:
                cursor.execute(sql + f" RETURNING {returning}", params)
                out += cursor.fetchall()
            else:
                cursor.execute(sql, params)
    return out


def _copy(table: str, columns: Sequence[str], rows: list[tuple]) -> None:
    """PostgreSQL's COPY: several times faster than INSERT for thousands of rows."""
    qn = connection.ops.quote_name
    with connection.cursor() as cursor, connection.wrap_database_errors:  # raw psycopg errors → Django's
        with cursor.cursor.copy(f"COPY {qn(table)} ({', '.join(qn(c) for c in columns)}) FROM STDIN") as copy:
            for row in rows:
                copy.write_row(row)


def insert_items(rows: list[tuple]) -> dict[str, int]:
    """Insert item rows (values in ITEM_COLUMNS order); returns {url_hash: id}.

    A row whose URL another worker stored meanwhile is skipped (ON CONFLICT DO NOTHING) and is missing from
    the answer; the caller then rolls the chunk back and merges it on the next attempt.
    """
    if not rows:
        return {}
    qn = connection.ops.quote_name
    returning = f"{qn('url_hash')}, {qn('id')}"
    conflict = f" ON CONFLICT ({qn('organization_id')}, {qn('url_hash')}) DO NOTHING"
    if connection.vendor == "postgresql":
        try:
            with transaction.atomic():  # a savepoint, so a clash leaves the chunk's transaction usable
                _copy(Item._meta.db_table, ITEM_COLUMNS, rows)
        except IntegrityError:
            return dict(_insert(Item._meta.db_table, ITEM_COLUMNS, rows, returning=returning, tail=conflict))
        org_id = rows[0][0]
        hashes = [row[3] for row in rows]
        if any(row[0] != org_id for row in rows):
            raise ValueError("insert_items takes the rows of one organisation at a time")
        with connection.cursor() as cursor:
            cursor.execute(f"SELECT {qn('url_hash')}, {qn('id')} FROM {qn(Item._meta.db_table)} "
                           f"WHERE {qn('organization_id')} = %s AND {qn('url_hash')} = ANY(%s)", [org_id, hashes])
            return dict(cursor.fetchall())
    returned = _insert(Item._meta.db_table, ITEM_COLUMNS, rows, returning=returning, tail=conflict)
    return {url_hash: pk for url_hash, pk in returned}


def insert_metrics(rows: list[tuple]) -> None:
    """Insert metric samples (values in METRIC_COLUMNS order)."""
    if rows and connection.vendor == "postgresql":
        _copy(ItemMetric._meta.db_table, METRIC_COLUMNS, rows)
    elif rows:
        _insert(ItemMetric._meta.db_table, METRIC_COLUMNS, rows)
