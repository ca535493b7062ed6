"""Bytes from the web decode as a reader would see them: wide encodings without a BOM, mislabelled UTF-8."""

from __future__ import annotations

import pytest

from yuqing.collection.decoding import decode_bytes, sniff_wide_encoding

PAGE = '<html><head><meta charset="gb2312"><title>一中通知</title></head><body>食堂饭菜有虫</body></html>'


def test_a_short_page_declaring_gb2312_that_is_utf8_reads_as_utf8():
    text, codec = decode_bytes(PAGE.encode("utf-8"))
    assert (text, codec) == (PAGE, "utf-8")


@pytest.mark.parametrize("body", ["好", "你好", "饭菜有虫", "家长：太差了！"])
def test_even_a_few_characters_of_utf8_under_a_gbk_header_read_as_utf8(body):
    assert decode_bytes(body.encode("utf-8"), "text/html; charset=GBK") == (body, "utf-8")


@pytest.mark.parametrize("body", ["中文", "食堂饭菜有虫", PAGE])
def test_real_gbk_stays_gbk(body):
    assert decode_bytes(body.encode("gbk"), "text/html; charset=gbk") == (body, "gb18030")


@pytest.mark.parametrize("codec", ["utf-16-le", "utf-16-be", "utf-32-le", "utf-32-be"])
def test_utf16_and_utf32_without_a_bom_are_recognised(codec):
    data = PAGE.replace("gb2312", "utf-16").encode(codec)
    assert sniff_wide_encoding(data) == codec
    assert decode_bytes(data)[0] == PAGE.replace("gb2312", "utf-16")


@pytest.mark.parametrize("codec", ["utf-16", "utf-32"])
def test_utf16_and_utf32_with_a_bom_are_read(codec):
    text, _ = decode_bytes(PAGE.encode(codec))
    assert text == PAGE


def test_plain_ascii_and_utf8_are_not_taken_for_wide_encodings():
    assert sniff_wide_encoding(b"<?xml version='1.0'?><rss/>") is None
    assert sniff_wide_encoding(PAGE.encode("utf-8")) is None
