"""Workbooks reopen with openpyxl: headers, widths, frozen header row, formats, charts, safe text."""

from __future__ import annotations

import io
from datetime import date, datetime
from zoneinfo import ZoneInfo

import openpyxl
import pytest

from yuqing.documents.spreadsheet import Chart, Sheet, display_width, write_xlsx

SHANGHAI = ZoneInfo("Asia/Shanghai")


def reopen(data: bytes):
    return openpyxl.load_workbook(io.BytesIO(data))


def test_headers_rows_formats_and_frozen_header() -> None:
    when = datetime(2026, 3, 5, 1, 30, tzinfo=ZoneInfo("UTC"))
    data = write_xlsx([Sheet("账号台账", ["学校", "账号名称", "粉丝数", "占比", "备案日期", "最近发布"],
                             [["第一中学", "第一中学微信公众号", 12345, 0.25, date(2026, 1, 8), when],
                              ["实验小学", "=HYPERLINK(\"http://x\")", 80, 0.5, None, None]],
                             formats={"占比": "0.0%"})])
    sheet = reopen(data)["账号台账"]
    assert [c.value for c in sheet[1]] == ["学校", "账号名称", "粉丝数", "占比", "备案日期", "最近发布"]
    assert sheet["A1"].font.bold
    assert sheet.freeze_panes == "A2"
    assert sheet["C2"].value == 12345 and sheet["C2"].number_format == "#,##0"
    assert sheet["D2"].number_format == "0.0%"
    assert sheet["E2"].value == datetime(2026, 1, 8) and sheet["E2"].number_format == "yyyy-mm-dd"
    # aware times are written as Shanghai wall-clock time
    assert sheet["F2"].value == datetime(2026, 3, 5, 9, 30) and sheet["F2"].number_format == "yyyy-mm-dd hh:mm"
    # text from people never becomes a formula
    assert sheet["B3"].data_type == "s" and sheet["B3"].value.startswith("=HYPERLINK")


def test_widths_follow_chinese_text_or_are_given() -> None:
    assert display_width("第一中学") == 8 and display_width("abc") == 3
    data = write_xlsx([Sheet("宽度", ["学校", "说明"], [["第一中学微信公众号", "x"]], widths={"说明": 40})])
    sheet = reopen(data).active
    assert sheet.column_dimensions["A"].width == display_width("第一中学微信公众号") + 2
    assert sheet.column_dimensions["B"].width == 40
    with pytest.raises(ValueError, match="not one of the headers"):
        write_xlsx([Sheet("x", ["a"], [[1]], widths={"b": 3})])


@pytest.mark.parametrize("kind,chart_type", [("bar", "BarChart"), ("line", "LineChart"), ("pie", "PieChart")])
def test_a_chart_when_asked(kind: str, chart_type: str) -> None:
    rows = [["第一中学", 3, 5], ["第二中学", 4, 1], ["实验小学", 2, 2]]
    data = write_xlsx([Sheet("统计", ["学校", "公众号", "视频号"], rows,
                             chart=Chart(kind=kind, title="各校账号数", data_columns=["公众号", "视频号"],
                                         category_column="学校"))])
    sheet = reopen(data)["统计"]
    assert len(sheet._charts) == 1
    chart = sheet._charts[0]
    assert type(chart).__name__ == chart_type
    assert len(chart.series) == 2
    assert chart.series[0].tx.strRef.f == "'统计'!B1"  # the header names the series
    assert chart.series[0].val.numRef.f == "'统计'!$B$2:$B$4"
    assert chart.series[0].cat.numRef.f == "'统计'!$A$2:$A$4"  # openpyxl writes categories as numRef


def test_no_chart_unless_asked_and_several_sheets() -> None:
    workbook = reopen(write_xlsx([Sheet("一", ["a"], [[1]]), Sheet("一", ["b"], [[2]]),
                                  Sheet("名称:带[非法]字符", ["c"], [])]))
    assert workbook.sheetnames == ["一", "一(2)", "名称_带_非法_字符"]
    assert all(not sheet._charts for sheet in workbook.worksheets)


def test_bad_input_is_refused_by_name() -> None:
    with pytest.raises(ValueError, match="row 2"):
        write_xlsx([Sheet("x", ["a", "b"], [[1]])])
    with pytest.raises(ValueError, match="chart data column '件数'"):
        write_xlsx([Sheet("x", ["a"], [[1]], chart=Chart(data_columns=["件数"]))])
    with pytest.raises(ValueError, match="chart kind"):
        write_xlsx([Sheet("x", ["a"], [[1]], chart=Chart(kind="radar", data_columns=["a"]))])
