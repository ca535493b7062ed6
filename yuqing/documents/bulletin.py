"""The incident bulletin (网络舆情通报) of one case, as an official document; pure: plain data in, DOCX out."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime

from yuqing.documents.official import OfficialDocument


@dataclass
class StepRow:
    name: str
    due: datetime
    done: datetime | None
    state: str  # 按时完成 / 逾期完成 / 逾期未完成 / 进行中 / 已免除, already in the reader's words


@dataclass
class BulletinData:
    issuer: str
    title: str
    level: str
    opened_at: datetime
    status: str
    summary: str
    responsible: str = ""
    spokesperson: str = ""
    handling_type: str = ""
    handling_guide: str = ""
    posts: list[tuple[str, str, str]] = field(default_factory=list)  # (time, platform · source, title)
    steps: list[StepRow] = field(default_factory=list)
    reach: str = ""  # "浏览 3,200 · 评论 520 · 主流媒体 2"
    actions: list[str] = field(default_factory=list)
    statement: str = ""
    doc_number: str = ""
    date: date | None = None


def _time(value: datetime | None) -> str:
    return value.strftime("%Y-%m-%d %H:%M") if value else "—"


def bulletin_docx(data: BulletinData) -> bytes:
    doc = OfficialDocument(f"关于“{data.title}”的网络舆情通报", issuer=data.issuer, doc_number=data.doc_number,
                           date=data.date or data.opened_at.date())
    doc.heading("一、基本情况", 1)
    doc.paragraph(f"{_time(data.opened_at)}，监测发现“{data.title}”相关网络舆情，定为{data.level}舆情，"
                  f"目前处置状态为“{data.status}”。")
    if data.summary:
        doc.paragraph(data.summary)
    if data.reach:
        doc.paragraph(f"传播情况：{data.reach}。")
    if data.posts:
        doc.heading("二、主要信息", 1)
        doc.table(["时间", "平台 · 来源", "标题"], [list(p) for p in data.posts], widths=[34, 40, 82])
    doc.heading("三、处置情况", 1)
    people = "；".join(p for p in (f"责任人：{data.responsible}" if data.responsible else "",
                                   f"新闻发言人：{data.spokesperson}" if data.spokesperson else "") if p)
    if people:
        doc.paragraph(people + "。")
    if data.handling_type:
        doc.paragraph(f"处置方式：{data.handling_type}。{data.handling_guide}")
    if data.steps:
        doc.table(["处置环节", "时限", "完成时间", "情况"],
                  [[s.name, _time(s.due), _time(s.done), s.state] for s in data.steps], widths=[46, 36, 36, 38])
    for line in data.actions:
        doc.paragraph(line)
    if data.statement:
        doc.heading("四、统一口径", 1)
        doc.paragraph(data.statement)
    doc.heading("五、下一步工作", 1)
    doc.paragraph("持续关注舆情走势，及时回应社会关切，做好跟踪研判和总结评估工作。")
    doc.signature_block()
    return doc.to_bytes()
