"""Official documents reopen with python-docx showing GB/T 9704-2012 layout, fonts, tables and page numbers."""

from __future__ import annotations

import io
import zipfile
from datetime import date

import docx
import pytest
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_LINE_SPACING
from docx.oxml.ns import qn
from docx.shared import Mm, Pt

from yuqing.documents.official import FONT_FALLBACKS, OfficialDocument, chinese_date


def east_asia(run) -> str:
    return run._element.rPr.rFonts.get(qn("w:eastAsia"))


def build() -> bytes:
    document = OfficialDocument("关于加强学校新媒体管理的通知", issuer="示范县教育局",
                                doc_number="示教发〔2026〕3号", date=date(2026, 3, 5))
    document.heading("一、总体要求").paragraph("各学校要落实主体责任，建立健全审核制度。")
    document.heading("（一）备案范围", level=2).heading("1.公众号", level=3)
    document.paragraph("重点提示", bold=True, indent=False)
    document.table(["序号", "学校", "账号数"], [[1, "第一中学", 3], [2, "实验小学", None]], widths=[20, 96, 40])
    document.page_break()
    document.signature_block("示范县教育局", date(2026, 3, 5))
    document.signature_boxes(["审核人签字", "单位盖章"])
    return document.to_bytes()


@pytest.fixture(scope="module")
def reopened():
    return docx.Document(io.BytesIO(build()))


def paragraph_with(document, text):
    return next(p for p in document.paragraphs if p.text == text)


def test_a4_with_the_standard_margins(reopened) -> None:
    section = reopened.sections[0]
    measured = [section.page_width, section.page_height, section.top_margin, section.bottom_margin,
                section.left_margin, section.right_margin]
    # DOCX stores twentieths of a point: each length is within one of them of the millimetre figure
    assert all(abs(length - Mm(mm)) <= 635 for length, mm in zip(measured, [210, 297, 37, 35, 28, 26], strict=True))


def test_title_is_centred_xiaobiaosong_size_2(reopened) -> None:
    title = paragraph_with(reopened, "关于加强学校新媒体管理的通知")
    assert title.alignment == WD_ALIGN_PARAGRAPH.CENTER
    assert all(east_asia(r) == "方正小标宋简体" and r.font.size == Pt(22) for r in title.runs)
    assert reopened.core_properties.title == "关于加强学校新媒体管理的通知"


def test_masthead_and_document_number(reopened) -> None:
    texts = [p.text for p in reopened.paragraphs]
    assert texts.index("示范县教育局文件") < texts.index("示教发〔2026〕3号") < \
        texts.index("关于加强学校新媒体管理的通知")
    mark = paragraph_with(reopened, "示范县教育局文件")
    assert str(mark.runs[0].font.color.rgb) == "FF0000"
    number = paragraph_with(reopened, "示教发〔2026〕3号")
    assert number._p.pPr.find(qn("w:pBdr")).find(qn("w:bottom")).get(qn("w:color")) == "FF0000"


def test_body_is_fangsong_size_3_on_a_28_point_line(reopened) -> None:
    body = paragraph_with(reopened, "各学校要落实主体责任，建立健全审核制度。")
    run = body.runs[0]
    assert east_asia(run) == "仿宋_GB2312" and run.font.size == Pt(16)
    assert body.paragraph_format.first_line_indent == Pt(32)  # two characters
    normal = reopened.styles["Normal"].paragraph_format
    assert normal.line_spacing_rule == WD_LINE_SPACING.EXACTLY and normal.line_spacing == Pt(28)
    bold = paragraph_with(reopened, "重点提示")
    assert bold.runs[0].font.bold and bold.paragraph_format.first_line_indent == 0


def test_headings_by_level(reopened) -> None:
    fonts = {p.text: (p.style.name, east_asia(p.runs[0]), p.runs[0].font.size) for p in reopened.paragraphs
             if p.style.name.startswith("Heading")}
    assert fonts == {"一、总体要求": ("Heading 1", "黑体", Pt(16)),
                     "（一）备案范围": ("Heading 2", "楷体_GB2312", Pt(16)),
                     "1.公众号": ("Heading 3", "仿宋_GB2312", Pt(16))}
    with pytest.raises(ValueError):
        OfficialDocument("x").heading("五级", level=5)


def test_table_has_borders_cells_and_widths(reopened) -> None:
    table = reopened.tables[0]
    assert [[c.text for c in row.cells] for row in table.rows] == [
        ["序号", "学校", "账号数"], ["1", "第一中学", "3"], ["2", "实验小学", ""]]
    borders = table._tbl.tblPr.find(qn("w:tblBorders"))
    assert {child.tag.split("}")[1]: child.get(qn("w:val")) for child in borders} == dict.fromkeys(
        ["top", "left", "bottom", "right", "insideH", "insideV"], "single")
    assert abs(table.columns[1].width - Mm(96)) < Mm(0.1)
    assert east_asia(table.cell(0, 1).paragraphs[0].runs[0]) == "黑体"
    assert east_asia(table.cell(1, 1).paragraphs[0].runs[0]) == "仿宋_GB2312"


def test_signature_block_right_aligned_four_characters_in(reopened) -> None:
    issuer = [p for p in reopened.paragraphs if p.text == "示范县教育局"][-1]
    when = paragraph_with(reopened, "2026年3月5日")
    for paragraph in (issuer, when):
        assert paragraph.alignment == WD_ALIGN_PARAGRAPH.RIGHT
        assert paragraph.paragraph_format.right_indent == Pt(64)
    assert chinese_date(date(2026, 10, 1)) == "2026年10月1日"  # Arabic numerals, no leading zeros


def test_signature_and_stamp_boxes(reopened) -> None:
    boxes = reopened.tables[1]
    assert [c.text for c in boxes.rows[0].cells] == ["审核人签字", "单位盖章"]
    assert all("年" in c.text and "日" in c.text for c in boxes.rows[1].cells)
    assert boxes.rows[1].height >= Mm(30)
    assert boxes._tbl.tblPr.find(qn("w:tblBorders")) is not None


def test_page_numbers_are_a_page_field_between_dashes(reopened) -> None:
    section = reopened.sections[0]
    assert reopened.settings.odd_and_even_pages_header_footer
    for footer, alignment in ((section.footer, WD_ALIGN_PARAGRAPH.RIGHT),
                              (section.even_page_footer, WD_ALIGN_PARAGRAPH.LEFT)):
        paragraph = footer.paragraphs[0]
        assert paragraph.alignment == alignment
        assert paragraph.text.startswith("— ") and paragraph.text.endswith(" —")
        xml = paragraph._p.xml
        assert "PAGE" in "".join(t.text for t in paragraph._p.iter(qn("w:instrText")))
        assert xml.count('w:fldCharType="begin"') == 1 and xml.count('w:fldCharType="end"') == 1


def test_page_break_and_fallback_fonts_recorded() -> None:
    data = build()
    body = zipfile.ZipFile(io.BytesIO(data)).read("word/document.xml").decode()
    assert 'w:type="page"' in body
    fonts = zipfile.ZipFile(io.BytesIO(data)).read("word/fontTable.xml").decode()
    for name, fallbacks in FONT_FALLBACKS.items():
        assert f'w:name="{name}"' in fonts and f'w:val="{fallbacks[0]}"' in fonts
    assert "Noto Serif CJK SC" in FONT_FALLBACKS["仿宋_GB2312"]


def test_plain_document_without_masthead() -> None:
    reopened = docx.Document(io.BytesIO(OfficialDocument("情况说明\n（第二稿）").to_bytes()))
    assert "文件" not in "".join(p.text for p in reopened.paragraphs)
    assert reopened.paragraphs[0].text == "情况说明\n（第二稿）"  # a two-line title, one paragraph


def test_table_refuses_a_row_of_the_wrong_length() -> None:
    with pytest.raises(ValueError, match="row 1"):
        OfficialDocument("x").table(["a", "b"], [["only one"]])
