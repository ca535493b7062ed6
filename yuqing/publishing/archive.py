"""Archived materials of a publication (相关资料存档备案): final text, a DOCX of it, the attachments; with SHA-256."""

from __future__ import annotations

import hashlib

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
    """A DOCX of the approved version (GB/T 9704 layout): title, body, source, reviewers and approval time."""
    from yuqing.documents.official import OfficialDocument

    approved = timezone.localtime(record.approved_at)
    doc = OfficialDocument(draft.title, issuer=draft.organization.name, date=approved.date())
    for line in draft.body_text.split("\n"):
        doc.paragraph(line)
    if draft.is_repost and draft.source:
        doc.paragraph(f"来源：{draft.source}")
    doc.paragraph(record.reviewer_line, indent=False)
    doc.paragraph(f"终审通过：{approved:%Y-%m-%d %H:%M}　版本 {record.version}", indent=False)
    return doc.to_bytes()


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
