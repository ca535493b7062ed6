"""Read CSV (UTF-8 with or without BOM, GB18030), XLSX (both through ``documents.tables``) and JSONL exports into
raw entries."""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from yuqing.documents import tables

from ...entries import EntryError, RawEntry
from ...errors import FieldError, ParseError, gettext_noop
from ...mapping import FieldMapping, entry_from_record
from .config import FileFormat

MAX_ROWS = 200_000


@dataclass
class ImportResult:
    """Entries from the good rows, and one error per bad row (``index`` is the row or line number)."""

    entries: list[RawEntry] = field(default_factory=list)
    errors: list[EntryError] = field(default_factory=list)
    rows: int = 0  # data rows read, good and bad


def decode_csv(data: bytes, encoding: str = "") -> str:
    """CSV text: the given encoding, else UTF-8 (BOM or not), else GB18030 (Excel's default on Chinese Windows)."""
    try:
        return tables.decode_text(data, encoding)
    except tables.TableError as exc:
        raise _parse_error(exc) from exc


def _parse_error(exc: tables.TableError) -> ParseError:
    """The shared reader's file-level error as this library's ``ParseError`` (same template, same translation)."""
    params = dict(exc.params)
    if exc.column and "column" in params:
        return ParseError(exc.template, path=exc.column, **params)
    return ParseError(exc.template, **params)


_TEXT_FIELDS = ("title", "text", "url", "published", "author", "html", "source_ref", "platform")
_METRICS = ("views", "comments", "reposts", "likes")


def fit_to_header(columns: list[str], mapping: FieldMapping) -> FieldMapping:
    """The mapping with a field's own name taken as its column where the file is headed that way.

    A file exported with the field names as headers (``title,text,url``) imports under the default mapping
    written for Chinese headers (``title=标题``): once the header uses field names, mapped columns it lacks are
    dropped instead of refusing the file. A file headed otherwise keeps the check for mistyped columns.
    """
    present = set(columns)
    if not any(n in present for n in (*_TEXT_FIELDS, *_METRICS)):
        return mapping
    changes: dict[str, Any] = {}
    for name in _TEXT_FIELDS:
        mapped = getattr(mapping, name)
        if name in present and mapped not in present:
            changes[name] = name
        elif mapped and mapped not in present:
            changes[name] = ""
    metrics = {}
    for name in _METRICS:
        mapped = mapping.metrics.get(name, "")
        if name in present and mapped not in present:
            metrics[name] = name
        elif mapped in present:
            metrics[name] = mapped
    return dataclasses.replace(mapping, **changes, metrics=metrics)


def _mapped_columns(mapping: FieldMapping) -> list[str]:
    return [p for p in (mapping.title, mapping.text, mapping.url, mapping.published, mapping.author,
                        mapping.html, mapping.source_ref, mapping.platform, *mapping.metrics.values()) if p]


def _table_rows(data: bytes, file_format: FileFormat, mapping: FieldMapping, encoding: str, sheet: str,
                max_rows: int) -> tuple[tables.TableReader, Iterator[tuple[int, dict[str, Any]]], FieldMapping]:
    try:
        reader = tables.read_table(data, f"import.{file_format}", encoding=encoding, sheet=sheet,
                                   max_rows=max_rows, max_bytes=max(tables.MAX_BYTES, len(data)))
        mapping = fit_to_header(reader.headers, mapping)
        reader.require(_mapped_columns(mapping))
    except tables.TableError as exc:
        raise _parse_error(exc) from exc

    def rows() -> Iterator[tuple[int, dict[str, Any]]]:
        try:
            yield from reader
        except tables.TableError as exc:
            raise _parse_error(exc) from exc

    return reader, rows(), mapping


def _jsonl_rows(data: bytes, encoding: str) -> Iterator[tuple[int, dict[str, Any]]]:
    text = decode_csv(data, encoding)
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        try:
            record = json.loads(line)
        except json.JSONDecodeError as exc:
            yield number, {"__error__": f"not valid JSON: {exc.msg} at column {exc.colno}"}
            continue
        yield number, record if isinstance(record, dict) else {"__error__": "each line must be a JSON object"}


def import_file(
    data: bytes,
    *,
    format: FileFormat | str,
    mapping: FieldMapping,
    platform: str = "",
    encoding: str = "",
    sheet: str = "",
    now: datetime | None = None,
    max_rows: int = MAX_ROWS,
) -> ImportResult:
    """Read every row; a bad row becomes an ``EntryError`` with its row (CSV, XLSX) or line (JSONL) number.

    A file that cannot be read at all, or lacks a mapped column, raises ``ParseError``.
    """
    file_format = FileFormat(format)
    reader = None
    if file_format is FileFormat.JSONL:
        rows = _jsonl_rows(data, encoding)
    else:
        reader, rows, mapping = _table_rows(data, file_format, mapping, encoding, sheet, max_rows)
    result = ImportResult()
    for number, record in rows:
        result.rows += 1
        if result.rows > max_rows:
            raise ParseError(gettext_noop("the file has more than %(limit)s rows; split it"), limit=max_rows)
        if "__error__" in record:
            result.errors.append(EntryError(number, "", str(record["__error__"])))
            continue
        try:
            result.entries.append(entry_from_record(record, mapping, platform=platform, now=now))
        except FieldError as exc:
            column = _column_of(mapping, exc.field)
            result.errors.append(EntryError(number, column, exc.message, exc.template, exc.params))
    if reader is not None and reader.errors:
        # rows the reader could not parse at all count as read (and bad), in file order among the others
        result.rows += len(reader.errors)
        result.errors.extend(EntryError(e.row or 0, e.column, e.reason, e.template, e.params) for e in reader.errors)
        result.errors.sort(key=lambda e: e.index)
    return result


def _column_of(mapping: FieldMapping, field_name: str) -> str:
    """Name the error after the file's column (what the user sees), not our field name."""
    if field_name.startswith("metrics."):
        return mapping.metrics.get(field_name.split(".", 1)[1], field_name)
    return getattr(mapping, field_name, "") or field_name
