"""The school's self-inspection report (自查报告) as an official document; pure: plain data in, DOCX out.

Its shape follows the reports schools send their bureau (seed 000, 学校公众号自查报告): the platforms and
groups in use with what they published, the self-inspection of each, the problems found, the rectifications
done and the next steps.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from yuqing.documents.official import OfficialDocument, chinese_date


@dataclass
class PlatformRow:
    kind: str  # already in the reader's words: 微信公众号, 学校网站 …
    name: str
    address: str
    publications: int
    status: str = ""


@dataclass
class GroupCount:
    level: str  # 学校层面 / 班级层面
    kind: str  # 微信群, QQ群 …
    count: int
    names: list[str] = field(default_factory=list)


@dataclass
class Problem:
    heading: str  # 长期未更新的账号
    explanation: str  # what the problem is in general, one sentence
    items: list[str]  # one line per channel, group, account or draft


@dataclass
class Rectification:
    day: date
    what: str
    note: str = ""


@dataclass
class SelfInspectionData:
    school: str
    period_start: date
    period_end: date
    superior: str = ""  # the bureau whose notice asks for the report
    platforms: list[PlatformRow] = field(default_factory=list)
    groups: list[GroupCount] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    rectifications: list[Rectification] = field(default_factory=list)
    next_steps: str = ""
    remarks: str = ""
    date: date | None = None
    draft: bool = False


def _counts_sentence(rows: list[tuple[str, int]]) -> str:
    return "、".join(f"{kind}{n}个" for kind, n in rows)


def _by_kind(platforms: list[PlatformRow]) -> list[tuple[str, int]]:
    out: dict[str, int] = {}
    for p in platforms:
        out[p.kind] = out.get(p.kind, 0) + 1
    return list(out.items())


def self_inspection_docx(data: SelfInspectionData) -> bytes:
    period = f"{chinese_date(data.period_start)}至{chinese_date(data.period_end)}"
    title = f"{data.school}新媒体平台自查整改情况报告" + ("（草稿）" if data.draft else "")
    doc = OfficialDocument(title, issuer=data.school, date=data.date or data.period_end)
    superior = data.superior or "上级主管部门"
    doc.paragraph(f"根据{superior}关于进一步加强教育系统新媒体管理工作的要求，结合学校实际，现将我校{period}"
                  "新媒体平台及工作群自查整改情况报告如下：")

    doc.heading("一、学校目前新媒体平台使用情况", 1)
    if data.platforms:
        doc.paragraph(f"1. 我校目前在使用的新媒体平台共{len(data.platforms)}个，其中"
                      f"{_counts_sentence(_by_kind(data.platforms))}。")
        doc.table(["序号", "类型", "名称", "账号 / 网址", "本期发布"],
                  [[i, p.kind, p.name, p.address or "—", p.publications] for i, p in enumerate(data.platforms, 1)],
                  widths=[14, 30, 44, 44, 24])
    else:
        doc.paragraph("1. 我校目前没有在使用的新媒体平台。")
    school_groups = [g for g in data.groups if g.level == "学校层面"]
    class_groups = [g for g in data.groups if g.level != "学校层面"]
    total = sum(g.count for g in data.groups)
    if total:
        parts = []
        if school_groups:
            parts.append("学校层面建立的工作群" + "、".join(f"{g.kind}{g.count}个" for g in school_groups))
        if class_groups:
            parts.append("班级层面的群" + "、".join(f"{g.kind}{g.count}个" for g in class_groups))
        doc.paragraph(f"2. 在用工作群共{total}个：" + "；".join(parts) + "。")
        doc.table(["层面", "类型", "数量", "名称"],
                  [[g.level, g.kind, g.count, "、".join(g.names[:12]) + ("等" if len(g.names) > 12 else "")]
                   for g in data.groups], widths=[26, 26, 18, 86])
    else:
        doc.paragraph("2. 我校目前没有在用的工作群。")

    doc.heading("二、本次自查整改情况", 1)
    doc.heading("（一）新媒体平台自查情况", 2)
    lines = [f"{p.kind}“{p.name}”本期共发布{p.publications}篇（条）" for p in data.platforms]
    problems_found = sum(len(p.items) for p in data.problems)
    doc.paragraph(("；".join(lines) + "。") if lines else "本期没有在用的新媒体平台。")
    doc.paragraph(f"本次自查共发现问题{problems_found}项，详见第三部分。" if problems_found
                  else "本次自查没有发现问题。")
    doc.heading("（二）工作群号及整改情况", 2)
    if data.rectifications:
        doc.paragraph(f"本期共完成整改{len(data.rectifications)}项：")
        doc.table(["序号", "日期", "整改内容", "说明"],
                  [[i, r.day, r.what, r.note or "—"] for i, r in enumerate(data.rectifications, 1)],
                  widths=[14, 36, 62, 44])
    else:
        doc.paragraph("本期没有需要关闭、解散或补办备案的账号和群。")

    doc.heading("三、自查中发现的问题", 1)
    found = [p for p in data.problems if p.items]
    if not found:
        doc.paragraph("本次自查未发现长期未更新、未备案、闲置或冒用校名等问题。")
    for i, problem in enumerate(found, 1):
        doc.paragraph(f"{i}. {problem.heading}（{len(problem.items)}项）。{problem.explanation}")
        for line in problem.items:
            doc.paragraph(f"——{line}")

    doc.heading("四、下一步打算", 1)
    steps = [line.strip() for line in (data.next_steps or "").splitlines() if line.strip()]
    for line in steps or ["继续加强新媒体平台和工作群的备案管理，落实“三审三校”制度。"]:
        doc.paragraph(line)
    if data.remarks.strip():
        doc.heading("五、其他说明", 1)
        for line in data.remarks.splitlines():
            if line.strip():
                doc.paragraph(line.strip())
    doc.signature_block()
    return doc.to_bytes()


__all__ = ["GroupCount", "PlatformRow", "Problem", "Rectification", "SelfInspectionData", "self_inspection_docx"]
