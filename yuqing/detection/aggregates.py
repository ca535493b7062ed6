"""Counting mentions in the database: by level, sentiment, platform, source, category, matched term and day.

Each function takes a queryset of mentions already narrowed to what the reader may see and the time window,
and runs one grouped query: a busy month's mentions are never read into Python. The dashboard and the
statistics (reports) both count through here, so their numbers agree.
"""

from __future__ import annotations

from datetime import date
from zoneinfo import ZoneInfo

from django.db import connection
from django.db.models import Count, DateField, F, Func, Q, Value
from django.db.models.functions import Coalesce, NullIf, TruncDate

from yuqing.detection.models import Mention, Sentiment
from yuqing.levels import Level

SHANGHAI = ZoneInfo("Asia/Shanghai")
# The monitor's judgement when there is one, else the classifier's label (Mention.effective_sentiment).
EFFECTIVE_SENTIMENT = Coalesce(NullIf("judged_sentiment", Value("")), "sentiment")
NO_LEVEL = 0  # a mention not (yet) part of an event


def by_level(mentions) -> dict[int, int]:
    """Mentions by their event's level; NO_LEVEL for mentions outside any event."""
    rows = mentions.order_by().values_list("event__level").annotate(n=Count("id"))
    out: dict[int, int] = {}
    for level, n in rows:
        key = int(level) if level else NO_LEVEL
        out[key] = out.get(key, 0) + n
    return out


def by_sentiment(mentions) -> dict[str, int]:
    return dict(mentions.order_by().annotate(effective=EFFECTIVE_SENTIMENT).values_list("effective")
                .annotate(n=Count("id")))


def by_platform(mentions) -> dict[str, int]:
    return dict(mentions.order_by().values_list("item__platform").annotate(n=Count("id")))


def by_source(mentions, limit: int = 20) -> list[dict]:
    """The sources the mentions' posts came from, busiest first (a tip or an import has a source too)."""
    rows = (mentions.order_by().values("item__source_id", "item__source__name", "item__source__kind")
            .annotate(n=Count("id")).order_by("-n", "item__source__name")[:limit])
    return [{"id": r["item__source_id"], "name": r["item__source__name"] or "", "kind": r["item__source__kind"] or "",
             "count": r["n"]} for r in rows]


def by_organization(mentions) -> dict[int, dict]:
    """Per organisation: all mentions and the negative ones (for league tables and per-school rows)."""
    rows = (mentions.order_by().values("organization_id")
            .annotate(n=Count("id"), negative=Count("id", filter=Q(judged_sentiment=Sentiment.NEGATIVE) | Q(
                judged_sentiment="", sentiment=Sentiment.NEGATIVE))))
    return {r["organization_id"]: {"mentions": r["n"], "negative": r["negative"]} for r in rows}


def local_day(field: str):
    """The Asia/Shanghai calendar day of a datetime column, computed by the database.

    SQLite has no time zones, so Django's TruncDate calls a Python function for every row (a second for 20,000
    mentions); China has kept UTC+8 without daylight saving since 1991, so SQLite's own date(…, '+8 hours')
    gives the same day natively. PostgreSQL converts with AT TIME ZONE itself.
    """
    if connection.vendor == "sqlite":
        return Func(F(field), Value("+8 hours"), function="date", output_field=DateField())
    return TruncDate(field, tzinfo=SHANGHAI)


def per_day(mentions, days: list[date]) -> dict:
    """A series per day (Asia/Shanghai): the total, by sentiment and by level, for a trend chart."""
    rows = (mentions.order_by().annotate(day=local_day("created_at"),
                                         effective=EFFECTIVE_SENTIMENT, lvl=Coalesce("event__level", Value(0)))
            .values_list("day", "effective", "lvl").annotate(n=Count("id")))
    index = {d: i for i, d in enumerate(days)}
    series = {"labels": [d.isoformat() for d in days], "total": [0] * len(days)}
    for s in Sentiment:
        series[s.value] = [0] * len(days)
    for level in Level:
        series[f"level_{int(level)}"] = [0] * len(days)
    for day, sentiment, level, n in rows:
        if isinstance(day, str):  # some backends hand back the date as text
            day = date.fromisoformat(day[:10])
        i = index.get(day)
        if i is None:
            continue
        series["total"][i] += n
        if sentiment in series:
            series[sentiment][i] += n
        if level:
            series[f"level_{int(level)}"][i] += n
    return series


def json_list_counts(mentions, field: str, limit: int = 20) -> list[tuple[str, int]]:
    """Count the values of a JSON list field (categories, matched terms) over the mentions, in SQL.

    The mentions' own query (with its permission and time filters) is the subquery, so the unnesting runs on
    exactly those rows: `json_each` on SQLite, `jsonb_array_elements_text` on PostgreSQL.
    """
    column = Mention._meta.get_field(field).column
    table = Mention._meta.db_table
    inner, params = mentions.order_by().values("pk").query.sql_with_params()
    qn = connection.ops.quote_name
    if connection.vendor == "postgresql":
        unnest = f"CROSS JOIN LATERAL jsonb_array_elements_text(m.{qn(column)}) AS j(value)"
        guard = f"AND jsonb_typeof(m.{qn(column)}) = 'array'"
    else:
        unnest = f", json_each(m.{qn(column)}) AS j"
        guard = f"AND json_type(m.{qn(column)}) = 'array'"
    sql = (f"SELECT j.value, COUNT(*) FROM {qn(table)} m {unnest} WHERE m.{qn('id')} IN ({inner}) {guard} "
           f"GROUP BY j.value ORDER BY COUNT(*) DESC, j.value LIMIT %s")
    with connection.cursor() as cursor:
        cursor.execute(sql, [*params, limit])
        return [(str(value), int(n)) for value, n in cursor.fetchall() if value not in (None, "")]


def top_posts(mentions, limit: int = 10):
    """The posts with the widest reach (views, then comments, then reposts) among the mentions."""
    return list(mentions.select_related("item", "item__source", "event", "organization").order_by(
        F("item__views").desc(nulls_last=True), F("item__comments").desc(nulls_last=True),
        F("item__reposts").desc(nulls_last=True), "-id")[:limit])
