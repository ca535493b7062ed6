"""The filing form (备案登记表) as DOCX: the channel's or group's data, the people answerable, signature boxes."""

from __future__ import annotations

from django.utils import timezone
from django.utils.translation import override

from yuqing.documents.official import OfficialDocument
from yuqing.registry.actions import display_value
from yuqing.registry.models import Channel, Filing


def _person(user) -> str:
    return (user.full_name or user.username) if user else ""


def _rows(filing: Filing) -> list[list[str]]:
    s = filing.subject
    rows = [["单位", s.organization.name + (f"（{s.unit.name}）" if s.unit_id else "")],
            ["类型", s.get_kind_display()], ["名称", s.name]]
    if isinstance(s, Channel):
        rows += [["账号ID", s.account_id or "—"], ["网址", s.url or "—"],
                 ["负责人", _person(s.responsible) or "—"], ["副负责人", _person(s.deputy) or "—"],
                 ["下次审核日期", s.next_review_on.isoformat() if s.next_review_on else "—"]]
    else:
        rows += [["群号", s.number or "—"], ["群主", s.owner_name or "—"],
                 ["负责人", _person(s.responsible) or "—"],
                 ["成员数", str(s.member_count) if s.member_count is not None else "—"],
                 ["临时任务", f"是，{s.task_ends_on.isoformat()} 结束" if s.temporary and s.task_ends_on else "否"]]
    rows += [["用途", s.purpose or "—"], ["当前状态", s.get_status_display()]]
    return rows


def filing_document(filing: Filing) -> bytes:
    """Always in Chinese: it is printed, signed and stamped as the school's own record."""
    with override("zh-hans"):
        s = filing.subject
        what = "新媒体平台" if isinstance(s, Channel) else "工作群"
        doc = OfficialDocument(f"{what}{filing.get_action_display()}备案登记表", issuer=filing.organization.name,
                               date=timezone.localtime(filing.created_at).date())
        doc.paragraph(f"备案编号：{filing.pk}　　申请类别：{filing.get_action_display()}　　"
                      f"状态：{filing.get_status_display()}", indent=False)
        doc.heading("一、基本情况")
        doc.table(["项目", "内容"], _rows(filing), widths=[40, 116])
        if filing.proposed and filing.action == Filing.Action.CHANGE:
            doc.heading("二、申请变更的内容")
            changes = []
            for name, raw in filing.proposed.items():
                field = type(s)._meta.get_field(name)
                changes.append([str(field.verbose_name), display_value(s, name, raw)])
            doc.table(["项目", "变更为"], changes, widths=[40, 116])
        doc.heading("三、申请理由" if filing.action == Filing.Action.CHANGE else "二、申请理由")
        doc.paragraph(filing.reason or "—")
        applicant = _person(filing.applicant)
        decisions = [f"申请人：{applicant}，{timezone.localtime(filing.created_at):%Y-%m-%d}"]
        if filing.lead_by_id:
            decisions.append(f"宣传负责人：{_person(filing.lead_by)}，{timezone.localtime(filing.lead_at):%Y-%m-%d}，"
                             f"{filing.lead_comment or '同意'}")
        if filing.bureau_by_id:
            decisions.append(f"教育局：{_person(filing.bureau_by)}，{timezone.localtime(filing.bureau_at):%Y-%m-%d}，"
                             f"{filing.bureau_comment or '同意'}")
        for line in decisions:
            doc.paragraph(line, indent=False)
        doc.paragraph("本人承诺：按照“谁主管谁负责、谁使用谁负责、谁运维谁负责”的原则，落实信息发布“三审三校”制度，"
                      "专人专管，切实履行网络安全管理责任。")
        boxes = ["申请人签字", "负责人签字", "宣传负责人审核意见", "单位盖章"]
        if filing.needs_bureau:
            boxes.append("教育局审核意见（盖章）")
        doc.signature_boxes(boxes)
        return doc.to_bytes()
