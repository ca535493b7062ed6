"""Read CSV (UTF-8 with or without BOM, GB18030), XLSX and JSONL exports row by row into raw entries."""

from __future__ import annotations

import codecs
import csv
import io
import json
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from ...decoding import codec_for
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
    if encoding:
        name = codec_for(encoding)
        if name is None:
            raise ParseError(gettext_noop("unknown encoding %(name)r"), name=encoding)
        try:
            return data.decode(name)
        except UnicodeDecodeError as exc:
            raise ParseError(gettext_noop("the file is not in %(name)s: byte %(position)s cannot be read"),
                             name=encoding, position=exc.start) from exc
    if data.startswith(codecs.BOM_UTF8):
        return data[len(codecs.BOM_UTF8):].decode("utf-8", errors="replace")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        pass
    try:
        return data.decode("gb18030")
    except UnicodeDecodeError as exc:
        raise ParseError(gettext_noop("the file is neither UTF-8 nor GB18030 text")) from exc


def _check_columns(columns: list[str], mapping: FieldMapping) -> None:
    wanted = [p for p in (mapping.title, mapping.text, mapping.url, mapping.published, mapping.author,
                          mapping.html, mapping.source_ref, mapping.platform, *mapping.metrics.values()) if p]
    for column in wanted:
        if column not in columns:
            raise ParseError(gettext_noop("column %(column)r is not in the file; its columns are %(columns)s"),
                             path=column, column=column, columns=", ".join(c for c in columns if c) or "none")


def _csv_rows(data: bytes, encoding: str) -> tuple[list[str], Iterator[tuple[int, dict[str, Any]]]]:
    reader = csv.reader(io.StringIO(decode_csv(data, encoding), newline=""))
    try:
        header = [h.strip() for h in next(reader)]
    except StopIteration as exc:
        raise ParseError(gettext_noop("the file is empty")) from exc
    except csv.Error as exc:
        raise ParseError(gettext_noop("the CSV header cannot be read: %(reason)s"), reason=str(exc)) from exc

    def rows() -> Iterator[tuple[int, dict[str, Any]]]:
        number = 1
        while True:
            number += 1  # row numbers as a spreadsheet shows them: the header is row 1
            try:
                values = next(reader)
            except StopIteration:
                return
            except csv.Error as exc:
                yield number, {"__error__": str(exc)}
                continue
            if not any(v.strip() for v in values):
                continue
            yield number, dict(zip(header, values, strict=False))

    return header, rows()


def _xlsx_rows(data: bytes, sheet: str) -> tuple[list[str], Iterator[tuple[int, dict[str, Any]]]]:
    import openpyxl

    try:
        workbook = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except (zipfile.BadZipFile, KeyError, ValueError, OSError) as exc:
        raise ParseError(gettext_noop("the file is not a valid XLSX workbook")) from exc
    if sheet:
        if sheet not in workbook.sheetnames:
            raise ParseError(gettext_noop("there is no sheet %(sheet)r; the sheets are %(sheets)s"),
                             sheet=sheet, sheets=", ".join(workbook.sheetnames))
        worksheet = workbook[sheet]
    else:
        worksheet = workbook.worksheets[0]
    iterator = worksheet.iter_rows(values_only=True)
    try:
        header = ["" if h is None else str(h).strip() for h in next(iterator)]
    except StopIteration as exc:
        raise ParseError(gettext_noop("the sheet is empty")) from exc

    def rows() -> Iterator[tuple[int, dict[str, Any]]]:
        for number, values in enumerate(iterator, start=2):
            if all(v is None or str(v).strip() == "" for v in values):
                continue
            yield number, {h: v for h, v in zip(header, values, strict=False) if h}

    return header, rows()


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
    if file_format is FileFormat.CSV:
        header, rows = _csv_rows(data, encoding)
        _check_columns(header, mapping)
    elif file_format is FileFormat.XLSX:
        header, rows = _xlsx_rows(data, sheet)
        _check_columns(header, mapping)
    else:
        rows = _jsonl_rows(data, encoding)
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
    return result


def _column_of(mapping: FieldMapping, field_name: str) -> str:
    """Name the error after the file's column (what the user sees), not our field name."""
    if field_name.startswith("metrics."):
        return mapping.metrics.get(field_name.split(".", 1)[1], field_name)
    return getattr(mapping, field_name, "") or field_name
