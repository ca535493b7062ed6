"""Keyset (cursor) pagination for list pages and the API, with counts capped so no page counts millions of rows.

An OFFSET page makes the database walk past every earlier row, and `COUNT(*)` reads the whole organisation; at
millions of items both take seconds. A keyset page starts right after the last row the person saw, through an
index on the ordering columns, so page 1 and page 10,000 cost the same, and rows inserted meanwhile neither
repeat nor skip rows between pages.

Use it from any module (items, mentions, events, cases, drafts):

    page = paginate(queryset, request.GET, ordering=("-first_seen_at", "-id"))
    # template: {% for row in page %} … {% include "keyset_pager.html" %}

    class CaseViewSet(viewsets.ReadOnlyModelViewSet):
        pagination_class = keyset_pagination(("-opened_at", "-id"))

The ordering must end with a unique column (the id) and name only non-null columns. `?page=N` keeps working for
the first `MAX_OFFSET_PAGES` pages (links in old bookmarks), deeper pages go by `?cursor=`.
"""

from __future__ import annotations

import base64
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from urllib.parse import urlencode

from django.core.exceptions import FieldDoesNotExist
from django.db.models import DateField, DateTimeField, DecimalField, Q, QuerySet
from django.utils.dateparse import parse_date, parse_datetime
from django.utils.translation import gettext as _
from rest_framework.exceptions import ValidationError as DrfValidationError
from rest_framework.pagination import BasePagination
from rest_framework.response import Response

PAGE_SIZE = 50
MAX_PAGE_SIZE = 200
# Counting stops here: "10,000+" says enough, and counting further reads rows nobody will page through.
COUNT_CAP = 10_000
# `?page=N` is an OFFSET query; beyond this many pages only cursors are offered.
MAX_OFFSET_PAGES = 20


class CursorError(ValueError):
    """A `cursor` parameter that was not made by this module (edited, truncated or for another list)."""


@dataclass(frozen=True)
class _Key:
    name: str
    descending: bool


def _keys(ordering: Sequence[str]) -> list[_Key]:
    return [_Key(o.lstrip("-"), o.startswith("-")) for o in ordering]


def _plain(value):
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    return value


def encode_cursor(values: Sequence, direction: str = "n") -> str:
    raw = json.dumps([direction, [_plain(v) for v in values]], separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_cursor(queryset: QuerySet, keys: list[_Key], cursor: str) -> tuple[str, list]:
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
        direction, values = json.loads(raw)
    except (ValueError, TypeError) as exc:
        raise CursorError("not a cursor") from exc
    if direction not in ("n", "p") or not isinstance(values, list) or len(values) != len(keys):
        raise CursorError("not a cursor for this list")
    out = []
    for key, value in zip(keys, values, strict=True):
        out.append(_typed(queryset, key.name, value))
    return direction, out


def _field(model, name: str):
    """The model field a (possibly related, `item__first_seen_at`) ordering name ends on, or None."""
    model_field = None
    for part in name.split("__"):
        try:
            model_field = model._meta.get_field(part)
        except FieldDoesNotExist:
            return None
        model = model_field.related_model or model
    return model_field


def _typed(queryset: QuerySet, name: str, value):
    model_field = _field(queryset.model, name)
    if value is None:
        raise CursorError(f"no value for {name}")
    if isinstance(model_field, DateTimeField):
        parsed = parse_datetime(str(value))
    elif isinstance(model_field, DateField):
        parsed = parse_date(str(value))
    elif isinstance(model_field, DecimalField):
        parsed = Decimal(str(value))
    else:
        parsed = value if isinstance(value, int | float | str) else None
    if parsed is None:
        raise CursorError(f"bad value for {name}")
    return parsed


def after(keys: list[_Key], values: list, *, reverse: bool = False) -> Q:
    """Rows strictly after `values` in the ordering (before them when `reverse`).

    Written as `a <= x AND (a < x OR (a = x AND b < y))` rather than a bare OR, so the first column bounds an
    index range scan on PostgreSQL and SQLite instead of filtering every earlier row.
    """
    def cmp(key: _Key, strict: bool) -> str:
        down = key.descending != reverse
        return ("lt" if strict else "lte") if down else ("gt" if strict else "gte")

    first = keys[0]
    cond = Q()
    for i in range(len(keys)):
        part = Q(**{f"{k.name}": v for k, v in zip(keys[:i], values[:i], strict=True)})
        part &= Q(**{f"{keys[i].name}__{cmp(keys[i], True)}": values[i]})
        cond |= part
    return Q(**{f"{first.name}__{cmp(first, False)}": values[0]}) & cond


def capped_count(queryset: QuerySet, cap: int | None = None) -> tuple[int, bool]:
    """(count, capped): counts at most `cap` rows, so the answer costs the same at 10 k and at 10 M."""
    cap = COUNT_CAP if cap is None else cap
    n = queryset.order_by()[: cap + 1].count()
    return min(n, cap), n > cap


def count_text(count: int, capped: bool) -> str:
    return f"{count:,}+" if capped else f"{count:,}"


@dataclass
class KeysetPage:
    """One page of rows with cursors to the pages around it."""

    rows: list
    next_cursor: str | None = None
    previous_cursor: str | None = None
    number: int | None = None  # set for `?page=N` pages
    count: int = 0
    count_capped: bool = False
    params: dict = field(default_factory=dict)
    page_links: bool = False  # ranked pages link by ?page= instead of cursors
    has_next_page: bool = False

    def __iter__(self):
        return iter(self.rows)

    def __len__(self) -> int:
        return len(self.rows)

    @property
    def count_text(self) -> str:
        return count_text(self.count, self.count_capped)

    def _url(self, **extra) -> str:
        params = {k: v for k, v in self.params.items() if k not in ("page", "cursor")}
        params.update({k: v for k, v in extra.items() if v is not None})
        return "?" + urlencode(params)

    @property
    def next_url(self) -> str | None:
        if self.page_links:
            return self._url(page=self.number + 1) if self.has_next_page else None
        return self._url(cursor=self.next_cursor) if self.next_cursor else None

    @property
    def previous_url(self) -> str | None:
        if self.page_links:
            return self._url(page=self.number - 1) if self.number and self.number > 1 else None
        return self._url(cursor=self.previous_cursor) if self.previous_cursor else None

    @property
    def first_url(self) -> str:
        return self._url()

    @property
    def is_first(self) -> bool:
        return self.number == 1 if self.page_links else self.previous_cursor is None


def _values(row, keys: list[_Key]) -> list:
    out = []
    for key in keys:
        value = row
        for part in key.name.split("__"):
            value = getattr(value, part) if not isinstance(value, Mapping) else value[part]
        out.append(value)
    return out


def paginate(queryset: QuerySet, params: Mapping[str, str], *, ordering: Sequence[str] = ("-id",),
             page_size: int = PAGE_SIZE, count: bool = True, ranked: bool = False) -> KeysetPage:
    """The page `params` asks for (`cursor=`, else `page=`, else the first), in `ordering`.

    `ranked` keeps the queryset's own order (a relevance rank) and pages by `?page=` only.
    Raises CursorError for a malformed cursor (views answer 400 naming the parameter).
    """
    if ranked:
        return _ranked_page(queryset, params, page_size, count)
    keys = _keys(ordering)
    reversed_ordering = [("" if k.descending else "-") + k.name for k in keys]
    cursor = (params.get("cursor") or "").strip()
    page = KeysetPage(rows=[], params={k: params.get(k) for k in params})
    if count:
        page.count, page.count_capped = capped_count(queryset)
    if cursor:
        direction, values = decode_cursor(queryset, keys, cursor)
        if direction == "p":
            rows = list(queryset.filter(after(keys, values, reverse=True)).order_by(*reversed_ordering)
                        [: page_size + 1])
            more_before = len(rows) > page_size
            page.rows = list(reversed(rows[:page_size]))
            if page.rows:
                page.next_cursor = encode_cursor(_values(page.rows[-1], keys), "n")
                if more_before:
                    page.previous_cursor = encode_cursor(_values(page.rows[0], keys), "p")
            return page
        rows = list(queryset.filter(after(keys, values)).order_by(*ordering)[: page_size + 1])
        page.rows = rows[:page_size]
        if page.rows:
            page.previous_cursor = encode_cursor(_values(page.rows[0], keys), "p")
        if len(rows) > page_size:
            page.next_cursor = encode_cursor(_values(page.rows[-1], keys), "n")
        return page
    number = params.get("page") or "1"
    number = int(number) if str(number).isdigit() and int(number) > 0 else 1
    number = min(number, MAX_OFFSET_PAGES)
    offset = (number - 1) * page_size
    rows = list(queryset.order_by(*ordering)[offset : offset + page_size + 1])
    page.rows, page.number = rows[:page_size], number
    if page.rows and number > 1:
        page.previous_cursor = encode_cursor(_values(page.rows[0], keys), "p")
    if len(rows) > page_size:
        page.next_cursor = encode_cursor(_values(page.rows[-1], keys), "n")
    return page


def _ranked_page(queryset: QuerySet, params: Mapping[str, str], page_size: int, count: bool) -> KeysetPage:
    page = KeysetPage(rows=[], params={k: params.get(k) for k in params})
    if count:
        page.count, page.count_capped = capped_count(queryset)
    number = params.get("page") or "1"
    number = min(int(number) if str(number).isdigit() and int(number) > 0 else 1, MAX_OFFSET_PAGES)
    offset = (number - 1) * page_size
    rows = list(queryset[offset : offset + page_size + 1])
    page.rows, page.number = rows[:page_size], number
    page.page_links = True
    page.has_next_page = len(rows) > page_size and number < MAX_OFFSET_PAGES
    return page


def page_or_400(queryset: QuerySet, params: Mapping[str, str], **kwargs) -> KeysetPage:
    """`paginate`, with a malformed cursor answered as a 400 that names the parameter (for views)."""
    from django.core.exceptions import BadRequest

    try:
        return paginate(queryset, params, **kwargs)
    except CursorError as exc:
        raise BadRequest(_("cursor: %(reason)s") % {"reason": _("this link is not valid any more")}) from exc


class KeysetPagination(BasePagination):
    """DRF pagination: `?cursor=` pages, `?limit=` (up to 200) and `?offset=` for the first pages.

    The answer keeps the shape of DRF's limit/offset pages (`count`, `next`, `previous`, `results`); `count`
    stops at 10,000 and `count_capped` says so.
    """

    ordering: Sequence[str] = ("-id",)
    page_size = PAGE_SIZE

    def paginate_queryset(self, queryset, request, view=None):
        params = request.query_params
        limit = params.get("limit", "")
        size = min(int(limit), MAX_PAGE_SIZE) if limit.isdigit() and int(limit) > 0 else self.page_size
        query = {k: params.get(k) for k in params}
        offset = params.get("offset", "")
        if offset and not query.get("cursor"):
            if not offset.isdigit():
                raise DrfValidationError({"offset": ["not a whole number"]})
            if int(offset) > size * MAX_OFFSET_PAGES:
                raise DrfValidationError({"offset": [
                    f"at most {size * MAX_OFFSET_PAGES}; follow the `next` cursor for deeper pages"]})
            # an offset that is a page boundary maps onto ?page=; others are rounded down to one
            query["page"] = str(int(offset) // size + 1)
        try:
            self.page = paginate(queryset, query, ordering=self.ordering, page_size=size)
        except CursorError as exc:
            raise DrfValidationError({"cursor": [str(exc)]}) from exc
        self.request = request
        return self.page.rows

    def _link(self, cursor: str | None) -> str | None:
        if not cursor:
            return None
        url = self.request.build_absolute_uri(self.request.path)
        params = {k: v for k, v in self.request.query_params.items() if k not in ("cursor", "offset", "page")}
        params["cursor"] = cursor
        return f"{url}?{urlencode(params)}"

    def get_paginated_response(self, data):
        return Response({"count": self.page.count, "count_capped": self.page.count_capped,
                         "next": self._link(self.page.next_cursor),
                         "previous": self._link(self.page.previous_cursor), "results": data})

    def get_paginated_response_schema(self, schema):
        return {"type": "object", "required": ["count", "results"], "properties": {
            "count": {"type": "integer", "description": f"rows, counted up to {COUNT_CAP:,}"},
            "count_capped": {"type": "boolean", "description": "true when there are more than `count` rows"},
            "next": {"type": "string", "nullable": True, "format": "uri"},
            "previous": {"type": "string", "nullable": True, "format": "uri"},
            "results": schema}}

    def get_schema_operation_parameters(self, view):
        return [
            {"name": "cursor", "required": False, "in": "query", "schema": {"type": "string"},
             "description": "opaque position from a `next` or `previous` link"},
            {"name": "limit", "required": False, "in": "query", "schema": {"type": "integer"},
             "description": f"rows per page (default {PAGE_SIZE}, at most {MAX_PAGE_SIZE})"},
            {"name": "offset", "required": False, "in": "query", "schema": {"type": "integer"},
             "description": "start row, for the first pages only"},
        ]


def keyset_pagination(ordering: Sequence[str], page_size: int = PAGE_SIZE) -> type[KeysetPagination]:
    """A KeysetPagination class for one list's ordering (set as a viewset's `pagination_class`)."""
    return type("KeysetPagination", (KeysetPagination,), {"ordering": tuple(ordering), "page_size": page_size})
