"""File import: CSV (UTF-8, UTF-8 with BOM, GB18030), XLSX and JSONL; bad rows reported by number."""

from __future__ import annotations

import io
import json
from datetime import datetime

import openpyxl
import pytest

from yuqing.collection.connectors import fileimport
from yuqing.collection.entries import SHANGHAI
from yuqing.collection.errors import ConfigError, ParseError
from yuqing.collection.mapping import FieldMapping

MAPPING = FieldMapping.from_dict({"title": "标题", "text": "内容", "url": "链接", "published": "发布时间",
                                  "author": "作者", "metrics": {"views": "阅读数", "comments": "评论数"}})
HEADER = ["标题", "内容", "链接", "发布时间", "作者", "阅读数", "评论数"]
ROWS = [
    ["某校学生打架视频流传", "视频显示两名学生在操场打架", "https://www.douyin.com/video/9", "2024-05-01 08:00",
     "网友甲", "1.5万", "320"],
    ["坏时间", "正文", "https://example.cn/1", "明年某天", "乙", "1", "1"],
    ["", "", "https://example.cn/2", "2024-05-01", "丙", "1", "1"],
    ["坏链接", "正文", "ftp://example.cn/3", "2024-05-01", "丁", "1", "1"],
    ["好的第二行", "正文二", "", "2024/5/2 9:00", "戊", "", "坏"],
    ["好的第三行", "正文三", "", "", "己", "", ""],
]


def csv_bytes(encoding: str) -> bytes:
    import csv

    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(HEADER)
    writer.writerows(ROWS)
    return out.getvalue().encode(encoding)


def check(result: fileimport.ImportResult) -> None:
    assert [e.title for e in result.entries] == ["某校学生打架视频流传", "好的第三行"]
    first = result.entries[0]
    assert first.metrics == {"views": 15000, "comments": 320}
    assert first.published == datetime(2024, 5, 1, 8, 0, tzinfo=SHANGHAI)
    assert first.platform == "douyin"
    # spreadsheet row numbers: the header is row 1, so the second data row is row 3
    assert [(e.index, e.field) for e in result.errors] == [(3, "发布时间"), (4, "内容"), (5, "链接"), (6, "评论数")]
    assert result.rows == 6


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "gb18030"])
def test_csv_in_every_common_encoding(encoding: str) -> None:
    check(fileimport.import_file(csv_bytes(encoding), format="csv", mapping=MAPPING))


def test_xlsx_with_dates_and_numbers_in_cells() -> None:
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.append(HEADER)
    for row in ROWS:
        sheet.append(row)
    sheet["D2"] = datetime(2024, 5, 1, 8, 0)  # a real date cell, naive as Excel keeps them
    sheet["G2"] = 320
    sheet.append([None] * 7)  # trailing empty row is ignored
    data = io.BytesIO()
    workbook.save(data)
    check(fileimport.import_file(data.getvalue(), format="xlsx", mapping=MAPPING))


def test_jsonl_reports_line_numbers() -> None:
    lines = [json.dumps(dict(zip(HEADER, row, strict=True)), ensure_ascii=False) for row in ROWS]
    lines.insert(2, "{broken json")
    lines.insert(3, "")
    lines.insert(4, "[1, 2]")
    result = fileimport.import_file("\n".join(lines).encode(), format="jsonl", mapping=MAPPING)
    assert [e.title for e in result.entries] == ["某校学生打架视频流传", "好的第三行"]
    assert [e.index for e in result.errors] == [2, 3, 5, 6, 7, 8]
    assert "not valid JSON" in result.errors[1].message


def test_missing_column_is_reported_before_any_row() -> None:
    mapping = FieldMapping.from_dict({"title": "标题", "text": "正文"})
    with pytest.raises(ParseError) as err:
        fileimport.import_file(csv_bytes("utf-8"), format="csv", mapping=mapping)
    assert str(err.value).startswith("column '正文' is not in the file; its columns are 标题, 内容")


def test_not_an_xlsx_file() -> None:
    with pytest.raises(ParseError, match="not a valid XLSX workbook"):
        fileimport.import_file(b"PK\x03\x04 not really", format="xlsx", mapping=MAPPING)


def test_binary_garbage_is_not_csv() -> None:
    with pytest.raises(ParseError):
        fileimport.import_file(bytes(range(128, 256)) * 3, format="csv", mapping=MAPPING, encoding="utf-8")


def test_format_from_filename_and_config() -> None:
    assert fileimport.format_from_filename("导出.XLSX") == fileimport.FileFormat.XLSX
    with pytest.raises(ConfigError):
        fileimport.format_from_filename("data.pdf")
    config = fileimport.Config.from_options({"format": "csv", "mapping": {"title": "标题"}})
    assert fileimport.import_with_config(csv_bytes("gb18030"), config).entries[0].title == "某校学生打架视频流传"
    with pytest.raises(ConfigError) as err:
        fileimport.Config.from_options({"format": "doc", "mapping": {"title": "标题"}})
    assert err.value.field == "format"
