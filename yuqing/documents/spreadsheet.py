"""Write XLSX workbooks people open in Excel or WPS: Chinese headers, sensible widths, a frozen header row,
number and date formats, and a chart when asked."""

from __future__ import annotations

import io
import unicodedata
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

from openpyxl import Workbook
from openpyxl.chart import BarChart, LineChart, PieChart, Reference
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter

SHANGHAI = ZoneInfo("Asia/Shanghai")
HEADER_FONT = Font(name="宋体", bold=True)
BODY_FONT = Font(name="宋体")
HEADER_FILL = PatternFill("solid", fgColor="DDEBF7")
THIN = Side(style="thin", color="999999")
BORDER = Border(left=THIN, right=THIN, top=THIN, bottom=THIN)
DATE_FORMAT = "yyyy-mm-dd"
DATETIME_FORMAT = "yyyy-mm-dd hh:mm"
INTEGER_FORMAT = "#,##0"
DECIMAL_FORMAT = "#,##0.00"
PERCENT_FORMAT = "0.0%"
MAX_WIDTH = 60
SHEET_TITLE_FORBIDDEN = set("[]:*?/\\")


@dataclass
class Chart:
    """A chart over one sheet's data: ``data_columns`` and ``category_column`` are header texts."""

    kind: str = "bar"  # "bar" | "line" | "pie"
    title: str = ""
    data_columns: Sequence[str] = ()
    category_column: str = ""


@dataclass
class Sheet:
    """One worksheet. ``widths`` maps header → width in characters (computed from the content otherwise);
    ``formats`` maps header → an Excel number format ("0.0%", "yyyy-mm-dd"); dates, datetimes, integers and
    decimals get a format by default. Aware datetimes are written as Asia/Shanghai wall-clock time."""

    title: str
    headers: Sequence[str]
    rows: Sequence[Sequence[Any]]
    widths: Mapping[str, float] | Sequence[float] | None = None
    formats: Mapping[str, str] | None = None
    chart: Chart | None = None


def display_width(value: Any) -> int:
    """Width of a value in Excel's character units: CJK and full-width characters count two."""
    text = value if isinstance(value, str) else _shown(value)
    longest = 0
    for line in text.split("\n"):
        longest = max(longest, sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in line))
    return longest


def _shown(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        return "0000-00-00 00:00"
    if isinstance(value, date):
        return "0000-00-00"
    if isinstance(value, float):
        return f"{value:,.2f}"
    if isinstance(value, int):
        return f"{value:,}"
    return str(value)


def _cell_value(value: Any) -> Any:
    # Excel has no time zones: show the time people in China read on their clocks
    if isinstance(value, datetime) and value.tzinfo is not None:
        return value.astimezone(SHANGHAI).replace(tzinfo=None)
    if isinstance(value, Decimal):
        return float(value)
    if isinstance(value, (str, int, float, date, time, bool)) or value is None:
        return value
    return str(value)


def _default_format(value: Any) -> str | None:
    if isinstance(value, datetime):
        return DATETIME_FORMAT
    if isinstance(value, date):
        return DATE_FORMAT
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return INTEGER_FORMAT
    if isinstance(value, (float, Decimal)):
        return DECIMAL_FORMAT
    return None


def _sheet_title(title: str, used: set[str]) -> str:
    """Excel refuses some characters and more than 31 of them in a sheet name, and duplicates."""
    clean = "".join("_" if ch in SHEET_TITLE_FORBIDDEN else ch for ch in title).strip("'") or "Sheet"
    clean = clean[:31]
    candidate, n = clean, 2
    while candidate.lower() in used:
        suffix = f"({n})"
        candidate, n = clean[:31 - len(suffix)] + suffix, n + 1
    used.add(candidate.lower())
    return candidate


def _column_index(headers: Sequence[str], name: str, what: str) -> int:
    try:
        return list(headers).index(name) + 1
    except ValueError:
        raise ValueError(f"{what} {name!r} is not one of the headers {list(headers)}") from None


def _add_chart(worksheet, sheet: Sheet, last_row: int) -> None:
    spec = sheet.chart
    assert spec is not None
    kinds = {"bar": BarChart, "line": LineChart, "pie": PieChart}
    if spec.kind not in kinds:
        raise ValueError(f"chart kind must be one of {sorted(kinds)}, not {spec.kind!r}")
    if not spec.data_columns:
        raise ValueError("a chart needs at least one data column")
    chart = kinds[spec.kind]()
    chart.title = spec.title or None
    for name in spec.data_columns:
        column = _column_index(sheet.headers, name, "chart data column")
        chart.add_data(Reference(worksheet, min_col=column, min_row=1, max_row=last_row), titles_from_data=True)
    if spec.category_column:
        column = _column_index(sheet.headers, spec.category_column, "chart category column")
        chart.set_categories(Reference(worksheet, min_col=column, min_row=2, max_row=last_row))
    chart.width, chart.height = 18, 9
    worksheet.add_chart(chart, f"{get_column_letter(len(sheet.headers) + 2)}2")


def _write_sheet(worksheet, sheet: Sheet) -> None:
    headers = list(sheet.headers)
    formats = dict(sheet.formats or {})
    for name in formats:
        _column_index(headers, name, "format column")
    worksheet.append(headers)
    for cell in worksheet[1]:
        cell.font, cell.fill, cell.border = HEADER_FONT, HEADER_FILL, BORDER
        cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
    widths = [display_width(h) for h in headers]
    for r, row in enumerate(sheet.rows, start=2):
        row = list(row)
        if len(row) != len(headers):
            raise ValueError(f"row {r} of sheet {sheet.title!r} has {len(row)} values for {len(headers)} headers")
        worksheet.append([_cell_value(v) for v in row])
        for c, (value, cell) in enumerate(zip(row, worksheet[r], strict=True)):
            cell.font, cell.border = BODY_FONT, BORDER
            if isinstance(value, str) and value.startswith("="):
                cell.data_type = "s"  # text people typed is never a formula (=HYPERLINK(…) injection)
            number_format = formats.get(headers[c]) or _default_format(value)
            if number_format:
                cell.number_format = number_format
            if isinstance(value, str) and "\n" in value:
                cell.alignment = Alignment(wrap_text=True, vertical="top")
            widths[c] = max(widths[c], display_width(value))
    if isinstance(sheet.widths, Mapping):
        for name in sheet.widths:
            _column_index(headers, name, "width column")
        chosen = [sheet.widths.get(h) for h in headers]
    elif sheet.widths is not None:
        if len(sheet.widths) != len(headers):
            raise ValueError("widths must give one width per header")
        chosen = list(sheet.widths)
    else:
        chosen = [None] * len(headers)
    for c, width in enumerate(chosen, start=1):
        worksheet.column_dimensions[get_column_letter(c)].width = (
            width if width is not None else min(MAX_WIDTH, widths[c - 1] + 2))
    worksheet.freeze_panes = "A2"
    if sheet.rows:
        worksheet.auto_filter.ref = f"A1:{get_column_letter(len(headers))}{len(sheet.rows) + 1}"
    if sheet.chart is not None:
        _add_chart(worksheet, sheet, len(sheet.rows) + 1)


def write_xlsx(sheets: Sequence[Sheet]) -> bytes:
    """A workbook with one worksheet per ``Sheet``, as bytes."""
    if not sheets:
        raise ValueError("a workbook needs at least one sheet")
    workbook = Workbook()
    workbook.remove(workbook.active)
    used: set[str] = set()
    for sheet in sheets:
        _write_sheet(workbook.create_sheet(_sheet_title(sheet.title, used)), sheet)
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()
