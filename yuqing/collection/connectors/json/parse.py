"""Read a JSON document and map its records to raw entries; errors name the path or the record."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import datetime

from ...decoding import decode_bytes
from ...entries import EntryError, RawEntry
from ...errors import FieldError, ParseError, gettext_noop
from ...mapping import FieldMapping, PathError, entry_from_record, resolve_path


@dataclass
class MappedEntries:
    entries: list[RawEntry] = field(default_factory=list)
    errors: list[EntryError] = field(default_factory=list)


def load_json(content: bytes | str, content_type: str = "") -> object:
    """Parse JSON text or bytes (any charset); ``ParseError`` says where the syntax breaks."""
    text = decode_bytes(content, content_type)[0] if isinstance(content, bytes) else content
    try:
        return json.loads(text.lstrip("\ufeff"))
    except json.JSONDecodeError as exc:
        raise ParseError(
            gettext_noop("the response is not valid JSON: %(reason)s at line %(line)s, column %(column)s"),
            reason=exc.msg, line=exc.lineno, column=exc.colno,
        ) from exc


def map_records(
    data: object,
    *,
    items: str,
    mapping: FieldMapping,
    base_url: str = "",
    platform: str = "",
    now: datetime | None = None,
    max_entries: int = 500,
) -> MappedEntries:
    """Entries from the list at ``items``; a record that does not fit the mapping is reported, not fatal."""
    try:
        records = resolve_path(data, items)
    except PathError as exc:
        raise ParseError(exc.template, **exc.params) from exc  # params carry the path
    if not isinstance(records, list):
        raise ParseError(
            gettext_noop("path %(path)r leads to %(kind)s, not a list of records"),
            path=items, kind=type(records).__name__,
        )
    result = MappedEntries()
    for index, record in enumerate(records[:max_entries]):
        try:
            result.entries.append(entry_from_record(record, mapping, base_url=base_url, platform=platform, now=now))
        except FieldError as exc:
            result.errors.append(EntryError(index, exc.field, exc.message, exc.template, exc.params))
    return result
