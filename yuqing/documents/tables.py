"""Read an uploaded CSV or XLSX table row by row, naming the row and column of every problem.

Shared by the monitoring file import and every module with an Excel round trip. Uploads come from people, so
everything is bounded: the bytes, the rows, the columns and the size a workbook inflates to (an XLSX is a zip;
a few kilobytes can unpack to gigabytes).
"""

from __future__ import annotations

import codecs
import csv
import io
import zipfile
from collections.abc import Callable, Iterable, Iterator
from pathlib import PurePath
from typing import Any

MAX_BYTES = 20 * 1024 * 1024
MAX_ROWS = 200_000
MAX_COLUMNS = 500
MAX_UNPACKED_BYTES = 400 * 1024 * 1024
MAX_INFLATION = 200  # unpacked / packed size of one zip member; real sheets stay far below
_INFLATION_FLOOR = 1024 * 1024  # small members may compress extremely well (shared strings, styles)
# openpyxl streams the worksheets in read-only mode but loads every other part (the shared strings above all) whole
# into memory, at several times its size: those parts are held to much less than the sheets.
MAX_WHOLE_PART_BYTES = 32 * 1024 * 1024

ROW_COLUMN = "row %(row)s, column %(column)s: %(reason)s"
ROW_ONLY = "row %(row)s: %(reason)s"
COLUMN_ONLY = "column %(column)s: %(reason)s"


def gettext_noop(message: str) -> str:
    """Mark a template for translation without translating it here (this package has no Django)."""
    return message


gettext_noop("row %(row)s, column %(column)s: %(reason)s")
gettext_noop("row %(row)s: %(reason)s")
gettext_noop("column %(column)s: %(reason)s")


class TableError(Exception):
    """One problem with an uploaded table: ``row`` (as the spreadsheet numbers it, header = 1; None for the
    whole file), ``column`` (the header text, "" when not about one column) and ``reason``.

    ``template``/``params`` are the untranslated reason; ``render(gettext)`` gives "第 3 行，发布时间 列：…" in
    the Chinese interface and "row 3, column 发布时间: …" in English. ``str(err)`` is the English text.
    """

    def __init__(self, row: int | None, column: str, template: str, /, **params: Any) -> None:
        self.row = row
        self.column = column
        self.template = template
        self.params = params
        super().__init__(self.render())

    @property
    def reason(self) -> str:
        return self.template % self.params if self.params else self.template

    def render(self, gettext: Callable[[str], str] = gettext_noop) -> str:
        reason = gettext(self.template) % self.params if self.params else gettext(self.template)
        if self.row is not None and self.column:
            return gettext(ROW_COLUMN) % {"row": self.row, "column": self.column, "reason": reason}
        if self.row is not None:
            return gettext(ROW_ONLY) % {"row": self.row, "reason": reason}
        if self.column:
            return gettext(COLUMN_ONLY) % {"column": self.column, "reason": reason}
        return reason


def table_format(filename: str) -> str:
    """"csv" or "xlsx" from a file name's extension; ``TableError`` for anything else."""
    suffix = PurePath(filename).suffix.lower().lstrip(".")
    if suffix in ("csv", "txt"):
        return "csv"
    if suffix in ("xlsx", "xlsm"):
        return "xlsx"
    raise TableError(None, "", gettext_noop("cannot tell the format of %(name)r; use .csv or .xlsx"),
                     name=filename)


def decode_text(data: bytes, encoding: str = "") -> str:
    """Text of an upload: the given encoding, else UTF-8 (BOM or not), else GB18030 (what Excel writes on
    Chinese Windows; GB2312 and GBK are subsets of it)."""
    if encoding:
        try:
            name = codecs.lookup(encoding).name
        except LookupError:
            raise TableError(None, "", gettext_noop("unknown encoding %(name)r"), name=encoding) from None
        if name in ("gb2312", "gbk"):
            name = "gb18030"
        try:
            return data.decode(name)
        except UnicodeDecodeError as exc:
            raise TableError(None, "", gettext_noop("the file is not in %(name)s: byte %(position)s cannot be read"),
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
        raise TableError(None, "", gettext_noop("the file is neither UTF-8 nor GB18030 text")) from exc


def _clean(value: Any) -> Any:
    if isinstance(value, str):
        return value.strip()
    return value


def _empty(values: Iterable[Any]) -> bool:
    return all(v is None or (isinstance(v, str) and not v.strip()) for v in values)


class TableReader:
    """Iterate ``(row_number, {header: value})`` over the data rows; empty rows are skipped.

    ``headers`` are the header row's texts (blank header cells are dropped with their column). Values are as
    the file holds them: strings (stripped) from CSV; strings, numbers, naive datetimes (wall-clock time in
    whatever zone the author meant, normally Asia/Shanghai) or None from XLSX. A CSV row that cannot be parsed
    is skipped and recorded in ``errors``; a file-level problem raises ``TableError``.
    """

    def __init__(self, *, format: str, headers: list[str], header_row: int, rows: Iterator[tuple[int, tuple]],
                 max_rows: int, sheet: str = "", sheet_names: list[str] | None = None) -> None:
        self.format = format
        self.headers = [h for h in headers if h]
        self.header_row = header_row
        self.sheet = sheet
        self.sheet_names = sheet_names or []
        self.max_rows = max_rows
        self.errors: list[TableError] = []
        self.rows_read = 0
        self._positions = [(i, h) for i, h in enumerate(headers) if h]
        self._width = len(headers)
        self._rows = rows
        self._started = False

    def require(self, columns: Iterable[str]) -> None:
        """Refuse a file that lacks one of ``columns``, before any row is read."""
        for column in columns:
            if column not in self.headers:
                raise TableError(self.header_row, column,
                                 gettext_noop("column %(column)r is not in the file; its columns are %(columns)s"),
                                 column=column, columns=", ".join(self.headers) or "—")

    def __iter__(self) -> Iterator[tuple[int, dict[str, Any]]]:
        if self._started:
            raise RuntimeError("a TableReader can be iterated once")
        self._started = True
        for number, values in self._rows:
            if isinstance(values, TableError):
                self.errors.append(values)
                continue
            if _empty(values):
                continue
            self.rows_read += 1
            if self.rows_read > self.max_rows:
                raise TableError(number, "", gettext_noop("the file has more than %(limit)s rows; split it"),
                                 limit=self.max_rows)
            beyond = self._width
            stray = next((i for i in range(beyond, len(values)) if not _empty([values[i]])), None)
            if stray is not None:
                column = _column_letter(stray + 1) if self.format == "xlsx" else str(stray + 1)
                self.errors.append(TableError(number, column,
                                              gettext_noop("this cell has a value but its column has no header")))
                continue
            yield number, {h: _clean(values[i]) if i < len(values) else None for i, h in self._positions}


def _column_letter(index: int) -> str:
    letters = ""
    while index:
        index, rest = divmod(index - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


def _header(values: tuple, header_row: int, column_name: Callable[[int], str]) -> list[str]:
    headers = ["" if v is None else str(v).strip() for v in values[:MAX_COLUMNS]]
    while headers and not headers[-1]:
        headers.pop()
    if not headers:
        raise TableError(header_row, "", gettext_noop("the header row is empty"))
    seen: set[str] = set()
    for header in headers:
        if header and header in seen:
            raise TableError(header_row, header, gettext_noop("this column appears twice (also in column %(other)s)"),
                             other=column_name(headers.index(header) + 1))
        seen.add(header)
    return headers


def _csv(data: bytes, encoding: str, header_row: int, max_rows: int) -> TableReader:
    text = decode_text(data, encoding)
    # csv.Sniffer guesses wrongly on Chinese prose; exports are comma- or (as .txt) tab-separated
    first_line = text.split("\n", 1)[0]
    dialect = csv.excel_tab if "\t" in first_line and "," not in first_line else csv.excel
    reader = csv.reader(io.StringIO(text, newline=""), dialect)
    number = 0
    try:
        for number, values in enumerate(reader, start=1):  # noqa: B007 (values is the header row after the loop)
            if number == header_row:
                break
        else:
            raise TableError(None, "", gettext_noop("the file is empty"))
    except csv.Error as exc:
        raise TableError(number + 1, "", gettext_noop("the CSV header cannot be read: %(reason)s"),
                         reason=str(exc)) from exc
    headers = _header(tuple(values), header_row, str)
    if len(headers) > MAX_COLUMNS:
        raise TableError(header_row, "", gettext_noop("more than %(limit)s columns"), limit=MAX_COLUMNS)

    def rows() -> Iterator[tuple[int, tuple]]:
        # numbered by record, as a spreadsheet shows them: a quoted value spanning lines is still one row
        number = header_row
        while True:
            number += 1
            try:
                values = next(reader)
            except StopIteration:
                return
            except csv.Error as exc:
                yield number, TableError(number, "", gettext_noop("the line cannot be read: %(reason)s"),
                                         reason=str(exc))
                continue
            yield number, tuple(values)

    return TableReader(format="csv", headers=headers, header_row=header_row, rows=rows(), max_rows=max_rows)


def _streamed_part(name: str) -> bool:
    return name.startswith("xl/worksheets/") and name.endswith(".xml")


def _check_zip(data: bytes) -> zipfile.ZipFile:
    """Refuse a workbook that would inflate too far before openpyxl reads any of it.

    The declared sizes are enough: Python's zipfile stops inflating a member at its declared size (a member that
    holds more fails its CRC check), so a forged small size cannot smuggle more in.
    """
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except (zipfile.BadZipFile, OSError, ValueError) as exc:
        raise TableError(None, "", gettext_noop("the file is not a valid XLSX workbook")) from exc
    unpacked = 0
    for member in archive.infolist():
        unpacked += member.file_size
        if member.file_size > _INFLATION_FLOOR and member.file_size > MAX_INFLATION * max(member.compress_size, 1):
            raise TableError(None, "", gettext_noop("the workbook inflates %(ratio)s-fold when opened; refused"),
                             ratio=member.file_size // max(member.compress_size, 1))
        if not _streamed_part(member.filename) and member.file_size > MAX_WHOLE_PART_BYTES:
            raise TableError(None, "", gettext_noop("the workbook's part %(part)s unpacks to more than %(limit)s MB; "
                                                    "refused"),
                             part=member.filename, limit=MAX_WHOLE_PART_BYTES // (1024 * 1024))
    if unpacked > MAX_UNPACKED_BYTES:
        raise TableError(None, "", gettext_noop("the workbook unpacks to more than %(limit)s MB; refused"),
                         limit=MAX_UNPACKED_BYTES // (1024 * 1024))
    return archive


def _xlsx(data: bytes, sheet: str, header_row: int, max_rows: int) -> TableReader:
    import openpyxl

    _check_zip(data)
    try:
        workbook = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except (zipfile.BadZipFile, KeyError, ValueError, OSError, TypeError) as exc:
        raise TableError(None, "", gettext_noop("the file is not a valid XLSX workbook")) from exc
    if sheet:
        if sheet not in workbook.sheetnames:
            raise TableError(None, "", gettext_noop("there is no sheet %(sheet)r; the sheets are %(sheets)s"),
                             sheet=sheet, sheets=", ".join(workbook.sheetnames))
        worksheet = workbook[sheet]
    else:
        worksheet = workbook.worksheets[0]
    # read_only sheets trust the declared dimension; a forged one must not make every row 16,384 cells wide
    iterator = worksheet.iter_rows(min_row=header_row, max_col=MAX_COLUMNS, values_only=True)
    try:
        first = next(iterator)
    except StopIteration as exc:
        raise TableError(None, "", gettext_noop("the sheet is empty")) from exc
    headers = _header(tuple(first), header_row, _column_letter)

    def rows() -> Iterator[tuple[int, tuple]]:
        for number, values in enumerate(iterator, start=header_row + 1):
            yield number, tuple(values)

    return TableReader(format="xlsx", headers=headers, header_row=header_row, rows=rows(), max_rows=max_rows,
                       sheet=worksheet.title, sheet_names=list(workbook.sheetnames))


def read_table(data: bytes, filename: str, *, max_rows: int = MAX_ROWS, max_bytes: int = MAX_BYTES,
               encoding: str = "", sheet: str = "", header_row: int = 1,
               required: Iterable[str] = ()) -> TableReader:
    """Open an uploaded table; the format comes from ``filename`` (.csv/.txt or .xlsx/.xlsm).

    ``encoding`` forces a CSV encoding (detected when empty); ``sheet`` picks an XLSX sheet (the first when
    empty); ``header_row`` is the spreadsheet row holding the headers; ``required`` columns must be present.
    Raises ``TableError`` for a file that cannot be read at all.
    """
    if len(data) > max_bytes:
        raise TableError(None, "", gettext_noop("the file is larger than %(limit)s MB"),
                         limit=round(max_bytes / (1024 * 1024), 1))
    if table_format(filename) == "csv":
        reader = _csv(data, encoding, header_row, max_rows)
    else:
        reader = _xlsx(data, sheet, header_row, max_rows)
    reader.require(required)
    return reader
