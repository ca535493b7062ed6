"""Archived materials of a publication (相关资料存档备案): final text, a DOCX of it, the attachments; with SHA-256."""

from __future__ import annotations

import hashlib
import io

from django.core.files.base import ContentFile
from django.utils import timezone

from yuqing.publishing.models import ArchivedFile


def final_text(record, draft) -> str:
    """The approved text as published, with the reviewers' line appended."""
    lines = [draft.title, "", draft.body_text]
    if draft.is_repost and draft.source:
        lines += ["", f"来源：{draft.source}"]
    lines += ["", record.reviewer_line]
    return "\n".join(lines).strip() + "\n"


def approved_docx(record, draft) -> bytes:
    """A DOCX of the approved version: title, body paragraphs, source, reviewer names, approval time."""
    from docx import Document
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.oxml.ns import qn
    from docx.shared import Cm, Pt

    doc = Document()
    section = doc.sections[0]
    section.page_width, section.page_height = Cm(21), Cm(29.7)
    section.top_margin, section.bottom_margin = Cm(3.7), Cm(3.5)
    section.left_margin, section.right_margin = Cm(2.8), Cm(2.6)
    normal = doc.styles["Normal"]
    normal.font.size = Pt(16)
    normal.font.name = "FangSong"
    normal.element.rPr.rFonts.set(qn("w:eastAsia"), "仿宋_GB2312")
    title = doc.add_paragraph()
    title.alignment = WD_ALIGN_PARAGRAPH.CENTER
    run = title.add_run(draft.title)
    run.font.size, run.bold = Pt(22), True
    run.font.name = "SimSun"
    run._element.rPr.rFonts.set(qn("w:eastAsia"), "方正小标宋简体")
    for line in draft.body_text.split("\n"):
        para = doc.add_paragraph(line)
        para.paragraph_format.first_line_indent = Pt(32)
    if draft.is_repost and draft.source:
        doc.add_paragraph(f"来源：{draft.source}")
    doc.add_paragraph(record.reviewer_line)
    approved = timezone.localtime(record.approved_at).strftime("%Y-%m-%d %H:%M")
    doc.add_paragraph(f"终审通过：{approved}　版本 {record.version}")
    buf = io.BytesIO()
    doc.save(buf)
    return buf.getvalue()


def _store(record, kind: str, name: str, data: bytes) -> ArchivedFile:
    digest = hashlib.sha256(data).hexdigest()
    item = ArchivedFile(record=record, kind=kind, name=name, sha256=digest, size=len(data))
    extension = name.rsplit(".", 1)[-1] if "." in name else "bin"
    item.file.save(f"{record.pk}-{digest[:16]}.{extension}", ContentFile(data), save=True)
    return item


def archive_materials(record, draft) -> list[ArchivedFile]:
    out = [
        _store(record, ArchivedFile.Kind.TEXT, f"draft-{draft.pk}-v{record.version}.txt",
               final_text(record, draft).encode("utf-8")),
        _store(record, ArchivedFile.Kind.DOCX, f"draft-{draft.pk}-v{record.version}.docx",
               approved_docx(record, draft)),
    ]
    for att in draft.attachment_files.filter(removed=False):
        with att.file.open("rb") as fh:
            out.append(_store(record, ArchivedFile.Kind.ATTACHMENT, att.name, fh.read()))
    return out


def verify(item: ArchivedFile) -> bool:
    with item.file.open("rb") as fh:
        return hashlib.sha256(fh.read()).hexdigest() == item.sha256
