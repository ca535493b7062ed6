"""The written evaluation (总结评估) after a 重大 / 特别重大 case; pure: plain data in, DOCX out."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime

from yuqing.documents.bulletin import StepRow
from yuqing.documents.official import OfficialDocument


@dataclass
class EvaluationData:
    issuer: str
    title: str
    level: str
    opened_at: datetime
    closed_at: datetime | None
    what_happened: str
    actions: str
    effect: str
    lessons: str
    steps: list[StepRow] = field(default_factory=list)
    metrics: list[tuple[str, str, str]] = field(default_factory=list)  # (measure, before, after)
    rectifications: list[tuple[str, str, str, str]] = field(default_factory=list)  # (item, owner, due, state)
    written_by: str = ""
    date: date | None = None


def _time(value: datetime | None) -> str:
    return value.strftime("%Y-%m-%d %H:%M") if value else "—"


def evaluation_docx(data: EvaluationData) -> bytes:
    doc = OfficialDocument(f"关于“{data.title}”舆情处置的总结评估", issuer=data.issuer,
                           date=data.date or (data.closed_at or data.opened_at).date())
    doc.heading("一、事件经过", 1)
    doc.paragraph(f"舆情等级：{data.level}；发现时间：{_time(data.opened_at)}。")
    for part in (data.what_happened or "").split("\n"):
        if part.strip():
            doc.paragraph(part.strip())
    doc.heading("二、处置时间线", 1)
    if data.steps:
        doc.table(["处置环节", "时限", "完成时间", "是否按时"],
                  [[s.name, _time(s.due), _time(s.done), s.state] for s in data.steps], widths=[46, 36, 36, 38])
    doc.heading("三、处置措施", 1)
    for part in (data.actions or "").split("\n"):
        if part.strip():
            doc.paragraph(part.strip())
    doc.heading("四、处置效果", 1)
    for part in (data.effect or "").split("\n"):
        if part.strip():
            doc.paragraph(part.strip())
    if data.metrics:
        doc.table(["指标", "处置前", "处置后"], [list(m) for m in data.metrics], widths=[56, 50, 50])
    doc.heading("五、经验教训", 1)
    for part in (data.lessons or "").split("\n"):
        if part.strip():
            doc.paragraph(part.strip())
    doc.heading("六、整改措施", 1)
    if data.rectifications:
        doc.table(["整改事项", "责任人", "完成时限", "完成情况"], [list(r) for r in data.rectifications],
                  widths=[70, 28, 30, 28])
    else:
        doc.paragraph("无。")
    if data.written_by:
        doc.paragraph(f"评估人：{data.written_by}", indent=False)
    doc.signature_block()
    doc.signature_boxes(["评估人签字", "分管领导签字", "单位盖章"])
    return doc.to_bytes()
