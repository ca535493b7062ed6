"""Chinese official documents (公文) as DOCX, laid out after GB/T 9704-2012 《党政机关公文格式》.

A4 paper; margins top 37 mm, bottom 35 mm, left 28 mm, right 26 mm (版心 156 × 225 mm); title in 小标宋 2号
(22 pt) centred; body in 仿宋_GB2312 3号 (16 pt) on a fixed 28-pt line (22 lines of 28 characters); headings
黑体 / 楷体 / 仿宋 by level ("一、" "（一）" "1." "（1）"); page numbers "— 1 —" in 4号 宋体, outside edge;
发文机关 and 成文日期 right-aligned, 4 characters from the right edge.

The fonts named by the standard are rarely installed outside government desktops, so every run names its
East-Asian font (w:eastAsia) and the document's font table records a fallback (w:altName) Word and WPS use
when it is missing; ``FONT_FALLBACKS`` lists the full chain (Noto / Source Han for Linux and macOS readers).
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from datetime import date, datetime

from docx import Document
from docx.enum.table import WD_CELL_VERTICAL_ALIGNMENT, WD_ROW_HEIGHT_RULE, WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_BREAK, WD_LINE_SPACING
from docx.opc.constants import RELATIONSHIP_TYPE as RT
from docx.oxml import OxmlElement, parse_xml
from docx.oxml.ns import nsdecls, qn
from docx.shared import Mm, Pt, RGBColor
from lxml import etree

PAGE_WIDTH_MM, PAGE_HEIGHT_MM = 210, 297
MARGINS_MM = {"top": 37, "bottom": 35, "left": 28, "right": 26}
TEXT_WIDTH_MM = PAGE_WIDTH_MM - MARGINS_MM["left"] - MARGINS_MM["right"]  # 156 mm

TITLE_FONT = "方正小标宋简体"
BODY_FONT = "仿宋_GB2312"
HEI_FONT = "黑体"
KAI_FONT = "楷体_GB2312"
PAGE_NUMBER_FONT = "宋体"
LATIN_FONT = "Times New Roman"

# the first fallback goes into the font table (w:altName); the rest is for readers without Chinese system fonts
FONT_FALLBACKS: dict[str, tuple[str, ...]] = {
    TITLE_FONT: ("华文中宋", "宋体", "Noto Serif CJK SC", "Source Han Serif SC"),
    BODY_FONT: ("仿宋", "FangSong", "Noto Serif CJK SC", "Source Han Serif SC"),
    HEI_FONT: ("SimHei", "Noto Sans CJK SC", "Source Han Sans SC"),
    KAI_FONT: ("楷体", "KaiTi", "Noto Serif CJK SC", "Source Han Serif SC"),
    PAGE_NUMBER_FONT: ("SimSun", "Noto Serif CJK SC", "Source Han Serif SC"),
}

SIZE_2 = Pt(22)  # 二号
SIZE_3 = Pt(16)  # 三号
SIZE_4 = Pt(14)  # 四号
BODY_LINE = Pt(28)
TITLE_LINE = Pt(36)
RED = RGBColor(0xFF, 0x00, 0x00)

# level → (East-Asian font, bold); GB/T 9704 §7.3.3: 一、黑体  （一）楷体  1. 仿宋 (bold)  （1）仿宋
HEADING_FONTS = {1: (HEI_FONT, False), 2: (KAI_FONT, False), 3: (BODY_FONT, True), 4: (BODY_FONT, False)}


def chinese_date(value: date | datetime) -> str:
    """成文日期 as GB/T 9704-2012 writes it: Arabic numerals, no leading zeros ("2026年3月5日")."""
    return f"{value.year}年{value.month}月{value.day}日"


def _set_fonts(rpr, east_asia: str, latin: str = LATIN_FONT) -> None:
    """Name the fonts of a run or style explicitly; theme fonts would win over them otherwise."""
    fonts = rpr.find(qn("w:rFonts"))
    if fonts is None:
        fonts = OxmlElement("w:rFonts")
        rpr.insert(0, fonts)
    for attribute in ("w:asciiTheme", "w:hAnsiTheme", "w:eastAsiaTheme", "w:cstheme"):
        fonts.attrib.pop(qn(attribute), None)
    fonts.set(qn("w:ascii"), latin)
    fonts.set(qn("w:hAnsi"), latin)
    fonts.set(qn("w:eastAsia"), east_asia)
    fonts.set(qn("w:cs"), latin)


def _style_run(run, east_asia: str, size, *, bold: bool = False, color: RGBColor | None = None) -> None:
    run.font.size = size
    run.font.bold = bold
    if color is not None:
        run.font.color.rgb = color
    _set_fonts(run._element.get_or_add_rPr(), east_asia)


def _exact_spacing(paragraph_format, line) -> None:
    paragraph_format.line_spacing_rule = WD_LINE_SPACING.EXACTLY
    paragraph_format.line_spacing = line
    paragraph_format.space_before = Pt(0)
    paragraph_format.space_after = Pt(0)


def _record_fallbacks(document) -> None:
    """Add each font with its first fallback to the font table (fontTable.xml)."""
    part = next((rel.target_part for rel in document.part.rels.values() if rel.reltype == RT.FONT_TABLE), None)
    if part is None:
        return
    table = parse_xml(part.blob)
    known = {font.get(qn("w:name")) for font in table.findall(qn("w:font"))}
    for name, fallbacks in FONT_FALLBACKS.items():
        if name in known:
            continue
        font = parse_xml(
            f'<w:font {nsdecls("w")} w:name="{name}"><w:altName w:val="{fallbacks[0]}"/>'
            '<w:charset w:val="86"/><w:family w:val="auto"/><w:pitch w:val="variable"/></w:font>')
        table.append(font)
    part._blob = etree.tostring(table, xml_declaration=True, encoding="UTF-8", standalone=True)


def _page_number(paragraph) -> None:
    """"— N —" with N a PAGE field, so Word and WPS number the pages themselves."""
    def text(value: str) -> None:
        _style_run(paragraph.add_run(value), PAGE_NUMBER_FONT, SIZE_4)

    def field_char(kind: str) -> None:
        run = paragraph.add_run()
        _style_run(run, PAGE_NUMBER_FONT, SIZE_4)
        element = OxmlElement("w:fldChar")
        element.set(qn("w:fldCharType"), kind)
        run._element.append(element)

    text("— ")
    field_char("begin")
    run = paragraph.add_run()
    _style_run(run, PAGE_NUMBER_FONT, SIZE_4)
    instruction = OxmlElement("w:instrText")
    instruction.set(qn("xml:space"), "preserve")
    instruction.text = " PAGE "
    run._element.append(instruction)
    field_char("separate")
    text("1")
    field_char("end")
    text(" —")


def _borders(table) -> None:
    """Single black borders on every edge and between every cell, whatever the style sheet says."""
    properties = table._tbl.tblPr
    for old in properties.findall(qn("w:tblBorders")):
        properties.remove(old)
    edges = "".join(f'<w:{edge} w:val="single" w:sz="4" w:space="0" w:color="000000"/>'
                    for edge in ("top", "left", "bottom", "right", "insideH", "insideV"))
    properties.append(parse_xml(f'<w:tblBorders {nsdecls("w")}>{edges}</w:tblBorders>'))


class OfficialDocument:
    """Build a 公文 piece by piece, then ``to_bytes()``.

    ``issuer`` and ``doc_number`` (发文字号, e.g. "X教发〔2026〕3号") put the red 发文机关标志, the number and
    the red separator line above the title; ``date`` is the default 成文日期 of ``signature_block``.
    """

    def __init__(self, title: str, *, issuer: str = "", doc_number: str = "", date: date | None = None) -> None:
        self.title = title
        self.issuer = issuer
        self.doc_number = doc_number
        self.date = date
        self._document = Document()
        self._setup()
        if doc_number:
            self._masthead()
        self._title()

    # -- layout -------------------------------------------------------------------------------------------
    def _setup(self) -> None:
        document = self._document
        section = document.sections[0]
        section.page_width, section.page_height = Mm(PAGE_WIDTH_MM), Mm(PAGE_HEIGHT_MM)
        section.top_margin, section.bottom_margin = Mm(MARGINS_MM["top"]), Mm(MARGINS_MM["bottom"])
        section.left_margin, section.right_margin = Mm(MARGINS_MM["left"]), Mm(MARGINS_MM["right"])
        # 页码 sits 7 mm below the text block: 35 − 7 − one 4号 line ≈ 23 mm from the paper's edge
        section.footer_distance = Mm(23)
        section.header_distance = Mm(15)

        normal = document.styles["Normal"]
        normal.font.size = SIZE_3
        normal.font.color.rgb = RGBColor(0, 0, 0)
        _set_fonts(normal.element.get_or_add_rPr(), BODY_FONT)
        _exact_spacing(normal.paragraph_format, BODY_LINE)
        normal.paragraph_format.alignment = WD_ALIGN_PARAGRAPH.JUSTIFY
        for level, (font, bold) in HEADING_FONTS.items():
            style = document.styles[f"Heading {level}"]
            style.font.size = SIZE_3
            style.font.bold = bold
            style.font.italic = False
            style.font.color.rgb = RGBColor(0, 0, 0)
            _set_fonts(style.element.get_or_add_rPr(), font)
            _exact_spacing(style.paragraph_format, BODY_LINE)
            style.paragraph_format.first_line_indent = Pt(32)
            style.paragraph_format.keep_with_next = True

        # page numbers: odd pages on the right, even pages on the left, one character in from the edge
        document.settings.odd_and_even_pages_header_footer = True
        odd = section.footer.paragraphs[0]
        odd.alignment = WD_ALIGN_PARAGRAPH.RIGHT
        odd.paragraph_format.right_indent = SIZE_4
        _page_number(odd)
        even = section.even_page_footer.paragraphs[0]
        even.alignment = WD_ALIGN_PARAGRAPH.LEFT
        even.paragraph_format.left_indent = SIZE_4
        _page_number(even)

        _record_fallbacks(document)
        document.core_properties.title = self.title
        document.core_properties.author = self.issuer
        document.core_properties.language = "zh-CN"

    def _masthead(self) -> None:
        mark = self._document.add_paragraph()
        mark.alignment = WD_ALIGN_PARAGRAPH.CENTER
        _exact_spacing(mark.paragraph_format, Pt(60))
        _style_run(mark.add_run(f"{self.issuer}文件" if self.issuer else ""), TITLE_FONT, Pt(42), color=RED)
        number = self._document.add_paragraph()
        number.alignment = WD_ALIGN_PARAGRAPH.CENTER
        number.paragraph_format.space_before = BODY_LINE
        _style_run(number.add_run(self.doc_number), BODY_FONT, SIZE_3)
        # the red separator line under the number (版头中的分隔线)
        properties = number._p.get_or_add_pPr()
        properties.append(parse_xml(f'<w:pBdr {nsdecls("w")}><w:bottom w:val="single" w:sz="12" '
                                    'w:space="12" w:color="FF0000"/></w:pBdr>'))
        number.paragraph_format.space_after = BODY_LINE

    def _title(self) -> None:
        paragraph = self._document.add_paragraph()
        paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
        _exact_spacing(paragraph.paragraph_format, TITLE_LINE)
        paragraph.paragraph_format.space_before = BODY_LINE
        paragraph.paragraph_format.space_after = BODY_LINE  # 标题下空一行
        for i, line in enumerate(self.title.split("\n")):
            if i:
                paragraph.add_run().add_break()
            _style_run(paragraph.add_run(line), TITLE_FONT, SIZE_2)

    # -- content ------------------------------------------------------------------------------------------
    def heading(self, text: str, level: int = 1) -> OfficialDocument:
        """A heading; write its number yourself ("一、" "（一）" "1." "（1）") as the standard wants."""
        if level not in HEADING_FONTS:
            raise ValueError(f"heading level must be 1–4, not {level}")
        font, bold = HEADING_FONTS[level]
        paragraph = self._document.add_paragraph(style=f"Heading {level}")
        _style_run(paragraph.add_run(text), font, SIZE_3, bold=bold)
        return self

    def paragraph(self, text: str, bold: bool = False, indent: bool = True) -> OfficialDocument:
        """A body paragraph, its first line indented two characters unless ``indent`` is false."""
        paragraph = self._document.add_paragraph()
        paragraph.paragraph_format.first_line_indent = Pt(32) if indent else Pt(0)
        _style_run(paragraph.add_run(text), BODY_FONT, SIZE_3, bold=bold)
        return self

    def table(self, headers: Sequence[str], rows: Sequence[Sequence[object]],
              widths: Sequence[float] | None = None) -> OfficialDocument:
        """A bordered table; ``widths`` in millimetres (they share the 156-mm text width when omitted)."""
        if widths is not None and len(widths) != len(headers):
            raise ValueError("widths must give one width per column")
        columns = len(headers)
        widths = list(widths) if widths is not None else [TEXT_WIDTH_MM / columns] * columns
        table = self._document.add_table(rows=1 + len(rows), cols=columns)
        table.alignment = WD_TABLE_ALIGNMENT.CENTER
        table.autofit = False
        _borders(table)
        for r, values in enumerate([list(headers), *[list(row) for row in rows]]):
            if len(values) != columns:
                raise ValueError(f"row {r} has {len(values)} values for {columns} columns")
            for c, value in enumerate(values):
                cell = table.cell(r, c)
                cell.width = Mm(widths[c])
                cell.vertical_alignment = WD_CELL_VERTICAL_ALIGNMENT.CENTER
                paragraph = cell.paragraphs[0]
                paragraph.paragraph_format.first_line_indent = Pt(0)
                _exact_spacing(paragraph.paragraph_format, Pt(22))
                paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER if r == 0 else WD_ALIGN_PARAGRAPH.LEFT
                text = "" if value is None else chinese_date(value) if isinstance(value, date) else str(value)
                _style_run(paragraph.add_run(text), HEI_FONT if r == 0 else BODY_FONT, SIZE_4)
        for c, width in enumerate(widths):
            table.columns[c].width = Mm(width)
        self._document.add_paragraph()  # a table never touches the next paragraph
        return self

    def signature_block(self, issuer: str | None = None, date: date | None = None) -> OfficialDocument:
        """发文机关署名 and 成文日期, right-aligned four characters from the edge, after one blank line."""
        issuer = self.issuer if issuer is None else issuer
        date = self.date if date is None else date
        self._document.add_paragraph()
        for text in (issuer, chinese_date(date) if date else ""):
            if not text:
                continue
            paragraph = self._document.add_paragraph()
            paragraph.alignment = WD_ALIGN_PARAGRAPH.RIGHT
            paragraph.paragraph_format.right_indent = Pt(64)  # 右空四字
            _style_run(paragraph.add_run(text), BODY_FONT, SIZE_3)
        return self

    def signature_boxes(self, labels: Sequence[str]) -> OfficialDocument:
        """A bordered row of boxes to sign or stamp in, one per label ("审核人签字", "单位盖章"), each with a
        "年 月 日" line."""
        if not labels:
            return self
        table = self._document.add_table(rows=2, cols=len(labels))
        table.alignment = WD_TABLE_ALIGNMENT.CENTER
        table.autofit = False
        _borders(table)
        width = Mm(TEXT_WIDTH_MM / len(labels))
        table.rows[1].height = Mm(32)
        table.rows[1].height_rule = WD_ROW_HEIGHT_RULE.AT_LEAST
        for c, label in enumerate(labels):
            head, box = table.cell(0, c), table.cell(1, c)
            head.width = box.width = width
            paragraph = head.paragraphs[0]
            paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
            paragraph.paragraph_format.first_line_indent = Pt(0)
            _style_run(paragraph.add_run(label), HEI_FONT, SIZE_4)
            box.vertical_alignment = WD_CELL_VERTICAL_ALIGNMENT.BOTTOM
            line = box.paragraphs[0]
            line.alignment = WD_ALIGN_PARAGRAPH.RIGHT
            line.paragraph_format.first_line_indent = Pt(0)
            _style_run(line.add_run("年　　月　　日"), BODY_FONT, SIZE_4)
        self._document.add_paragraph()
        return self

    def picture(self, png: bytes, width_mm: float = TEXT_WIDTH_MM) -> OfficialDocument:
        """An image (a chart) centred on its own line, `width_mm` wide (the text width by default)."""
        paragraph = self._document.add_paragraph()
        paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
        paragraph.paragraph_format.first_line_indent = Pt(0)
        # an exact 28-pt line would clip the picture to one line's height
        paragraph.paragraph_format.line_spacing_rule = WD_LINE_SPACING.SINGLE
        paragraph.add_run().add_picture(io.BytesIO(png), width=Mm(min(width_mm, TEXT_WIDTH_MM)))
        return self

    def page_break(self) -> OfficialDocument:
        self._document.add_paragraph().add_run().add_break(WD_BREAK.PAGE)
        return self

    def to_bytes(self) -> bytes:
        out = io.BytesIO()
        self._document.save(out)
        return out.getvalue()


__all__ = ["FONT_FALLBACKS", "OfficialDocument", "chinese_date"]
