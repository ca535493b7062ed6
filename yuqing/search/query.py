"""Filtering and ranking items by a search in the scheme language, through the index."""

from __future__ import annotations

from django.db import connection
from django.db.models import QuerySet
from django.db.models.expressions import RawSQL

from yuqing.detection.expressions import And, Not
from yuqing.search.indexing import TABLE
from yuqing.search.tokens import Phrase, QNode, negation_free, plan, to_fts5, to_tsquery


def _sqlite_condition(node: QNode) -> tuple[str, list]:
    """A WHERE condition on the FTS5 table: one MATCH per negation-free part, NOT as SQL (FTS5 has no unary NOT)."""
    if isinstance(node, Phrase) or negation_free(node):
        return f"rowid IN (SELECT rowid FROM {TABLE} WHERE {TABLE} MATCH %s)", [to_fts5(node)]
    if isinstance(node, Not):
        sql, params = _sqlite_condition(node.child)
        return f"NOT ({sql})", params
    parts = [_sqlite_condition(c) for c in node.children]
    joiner = " AND " if isinstance(node, And) else " OR "
    return "(" + joiner.join(p[0] for p in parts) + ")", [x for p in parts for x in p[1]]


def matching_ids(expression: str) -> RawSQL:
    """A subquery of the ids of indexed items the expression matches (raises ExpressionError)."""
    node = plan(expression)
    if connection.vendor == "postgresql":
        return RawSQL(f"SELECT item_id FROM {TABLE} WHERE document @@ %s::tsquery", [to_tsquery(node)])
    if negation_free(node):
        return RawSQL(f"SELECT rowid FROM {TABLE} WHERE {TABLE} MATCH %s", [to_fts5(node)])
    sql, params = _sqlite_condition(node)
    return RawSQL(f"SELECT rowid FROM {TABLE} WHERE {sql}", params)


def search(queryset: QuerySet, expression: str) -> QuerySet:
    """Items of `queryset` the expression matches: same AND / OR / NOT / "phrase" meaning as in schemes."""
    return queryset.filter(pk__in=matching_ids(expression))


def ranked(queryset: QuerySet, expression: str) -> QuerySet:
    """`search`, ordered by relevance (ts_rank on PostgreSQL, bm25 on SQLite), then newest first."""
    node = plan(expression)
    table = queryset.model._meta.db_table
    if connection.vendor == "postgresql":
        rank = RawSQL(f"SELECT ts_rank(document, %s::tsquery) FROM {TABLE} WHERE item_id = {table}.id",
                      [to_tsquery(node)])
        return search(queryset, expression).annotate(rank=rank).order_by("-rank", "-first_seen_at", "-id")
    if not negation_free(node):
        return search(queryset, expression).order_by("-first_seen_at", "-id")
    # bm25 is smaller for better matches
    rank = RawSQL(f"SELECT bm25({TABLE}) FROM {TABLE} WHERE {TABLE} MATCH %s AND rowid = {table}.id",
                  [to_fts5(node)])
    return search(queryset, expression).annotate(rank=rank).order_by("rank", "-first_seen_at", "-id")
