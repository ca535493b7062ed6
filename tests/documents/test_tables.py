"""Uploaded CSV/XLSX tables: encodings, header row, row and column named in every error, bounded sizes."""

from __future__ import annotations

import io
import zipfile
from datetime import datetime

import openpyxl
import pytest

from yuqing.documents import tables
from yuqing.documents.spreadsheet import Sheet, write_xlsx
from yuqing.documents.tables import TableError, read_table

HEADERS = ["学校", "账号名称", "粉丝数"]
ROWS = [["第一中学", "一中发布", "1200"], ["实验小学", "实小之声", "80"]]


def csv_bytes(encoding: str, rows=ROWS, headers=HEADERS, delimiter=",") -> bytes:
    lines = [delimiter.join(headers), *(delimiter.join(r) for r in rows)]
    return ("\r\n".join(lines) + "\r\n").encode(encoding)


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "gb18030", "gbk"])
def test_csv_in_every_common_encoding(encoding: str) -> None:
    reader = read_table(csv_bytes(encoding), "台账.csv")
    assert reader.headers == HEADERS
    assert list(reader) == [(2, dict(zip(HEADERS, ROWS[0], strict=True))),
                            (3, dict(zip(HEADERS, ROWS[1], strict=True)))]


def test_tab_separated_text_and_forced_encoding() -> None:
    reader = read_table(csv_bytes("gb18030", delimiter="\t"), "export.txt", encoding="gb2312")
    assert [row["账号名称"] for _, row in reader] == ["一中发布", "实小之声"]
    with pytest.raises(TableError, match="not in utf-8"):
        read_table(csv_bytes("gb18030"), "x.csv", encoding="utf-8")


def test_xlsx_values_keep_their_types_and_empty_rows_are_skipped() -> None:
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.append(["学校", "粉丝数", "备案日期", None])
    sheet.append(["第一中学", 1200, datetime(2026, 1, 8, 9, 0), None])
    sheet.append([None, None, None, None])
    sheet.append(["  实验小学 ", 80, None, None])
    data = io.BytesIO()
    workbook.save(data)
    reader = read_table(data.getvalue(), "台账.xlsx")
    assert reader.headers == ["学校", "粉丝数", "备案日期"]
    assert list(reader) == [(2, {"学校": "第一中学", "粉丝数": 1200, "备案日期": datetime(2026, 1, 8, 9, 0)}),
                            (4, {"学校": "实验小学", "粉丝数": 80, "备案日期": None})]


def test_reads_back_what_the_spreadsheet_writer_wrote_and_picks_a_sheet() -> None:
    data = write_xlsx([Sheet("说明", ["说明"], [["请填写第二个工作表"]]),
                       Sheet("账号", HEADERS, [["第一中学", "一中发布", 1200]])])
    reader = read_table(data, "导入模板.xlsx", sheet="账号", required=["账号名称"])
    assert reader.sheet_names == ["说明", "账号"]
    assert list(reader) == [(2, {"学校": "第一中学", "账号名称": "一中发布", "粉丝数": 1200})]
    with pytest.raises(TableError) as err:
        read_table(data, "导入模板.xlsx", sheet="渠道")
    assert "no sheet '渠道'; the sheets are 说明, 账号" in str(err.value)


def test_header_row_further_down() -> None:
    data = csv_bytes("utf-8", rows=ROWS, headers=HEADERS)
    reader = read_table("某县学校新媒体台账,,\r\n".encode() + data, "x.csv", header_row=2)
    assert reader.headers == HEADERS
    assert [n for n, _ in reader] == [3, 4]


def test_missing_and_duplicate_columns_name_row_and_column() -> None:
    with pytest.raises(TableError) as err:
        read_table(csv_bytes("utf-8"), "x.csv", required=["学校", "主办单位"])
    assert (err.value.row, err.value.column) == (1, "主办单位")
    assert str(err.value) == "row 1, column 主办单位: column '主办单位' is not in the file; its columns are 学校, 账号名称, 粉丝数"
    with pytest.raises(TableError) as err:
        read_table(csv_bytes("utf-8", headers=["学校", "名称", "学校"]), "x.csv")
    assert (err.value.row, err.value.column) == (1, "学校")
    assert "appears twice (also in column 1)" in str(err.value)


def test_render_in_chinese_through_a_catalogue() -> None:
    catalogue = {tables.ROW_COLUMN: "第 %(row)s 行，%(column)s 列：%(reason)s",
                 "this cell has a value but its column has no header": "该单元格有值但所在列没有表头"}
    error = TableError(7, "D", "this cell has a value but its column has no header")
    assert error.render(lambda s: catalogue.get(s, s)) == "第 7 行，D 列：该单元格有值但所在列没有表头"
    assert str(error) == "row 7, column D: this cell has a value but its column has no header"
    assert str(TableError(None, "", "the file is empty")) == "the file is empty"


def test_values_beyond_the_last_header_are_reported_not_lost() -> None:
    data = "学校,名称\r\n第一中学,一中发布,多出来的\r\n实验小学,实小之声\r\n".encode()
    reader = read_table(data, "x.csv")
    assert [n for n, _ in reader] == [3]
    assert [(e.row, e.column) for e in reader.errors] == [(2, "3")]


def test_row_limit_names_the_row() -> None:
    rows = [["学校", str(i), "1"] for i in range(6)]
    reader = read_table(csv_bytes("utf-8", rows=rows), "x.csv", max_rows=5)
    with pytest.raises(TableError) as err:
        list(reader)
    assert err.value.row == 7 and "more than 5 rows" in str(err.value)


def test_bounded_bytes_and_unknown_formats() -> None:
    with pytest.raises(TableError, match="larger than"):
        read_table(b"a,b\r\n" * 100, "x.csv", max_bytes=100)
    with pytest.raises(TableError, match="cannot tell the format"):
        read_table(b"", "x.pdf")
    with pytest.raises(TableError, match="the file is empty"):
        read_table(b"", "x.csv")
    with pytest.raises(TableError, match="not a valid XLSX"):
        read_table(b"PK\x03\x04 not really", "x.xlsx")
    with pytest.raises(TableError, match="neither UTF-8 nor GB18030"):
        read_table(b"\xff\xfe\xff" * 10, "x.csv")


def test_a_zip_bomb_is_refused_before_it_is_opened() -> None:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("xl/worksheets/sheet1.xml", b"<row/>" * 3_000_000)  # 18 MB of one byte pattern
    with pytest.raises(TableError, match="inflates"):
        read_table(out.getvalue(), "bomb.xlsx")


def test_a_forged_dimension_does_not_make_rows_wide() -> None:
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.append(["学校", "名称"])
    sheet.append(["第一中学", "一中发布"])
    sheet.cell(row=1, column=16000).value = None  # declared dimension A1:WQR2
    data = io.BytesIO()
    workbook.save(data)
    reader = read_table(data.getvalue(), "x.xlsx")
    assert list(reader) == [(2, {"学校": "第一中学", "名称": "一中发布"})]


def test_errors_read_in_chinese_in_the_chinese_interface() -> None:
    from django.utils import translation

    error = TableError(3, "发布时间", "this cell has a value but its column has no header")
    with translation.override("zh-hans"):
        assert error.render(translation.gettext) == "第 3 行，发布时间 列：该单元格有内容，但所在列没有表头"
