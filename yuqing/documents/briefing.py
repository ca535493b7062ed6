"""The public-opinion briefing (舆情简报) of a day, week or month; pure: plain data in, DOCX out.

What a publicity office forwards to its leaders: the period at a glance, the trend per day (a chart and the
same numbers as a table, so the figures survive printing in black and white), and each event with its level,
summary and how it is being handled.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from yuqing.documents.official import OfficialDocument, chinese_date
from yuqing.documents.trendchart import bar_chart_png


@dataclass
class BriefingEvent:
    title: str
    level: str  # 一般 / 较大 / 重大 / 特别重大
    first_seen: str  # "2026-12-01 09:30"
    mentions: int
    summary: str
    handling: str  # the case's status in the reader's words, or 未立案处置


@dataclass
class TrendDay:
    day: date
    mentions: int
    negative: int
    events: int


@dataclass
class BriefingData:
    issuer: str
    kind: str  # 日 / 周 / 月: the title says 舆情日报 / 舆情周报 / 舆情月报
    period_label: str  # "2026年12月1日" / "2026年第48周（11月23日至11月29日）" / "2026年11月"
    mentions: int = 0
    negative: int = 0
    events_by_level: list[tuple[str, int]] = field(default_factory=list)
    cases_opened: int = 0
    cases_closed: int = 0
    events: list[BriefingEvent] = field(default_factory=list)
    trend: list[TrendDay] = field(default_factory=list)
    issue_number: str = ""
    date: date | None = None


TITLES = {"day": "网络舆情日报", "week": "网络舆情周报", "month": "网络舆情月报"}


def briefing_docx(data: BriefingData) -> bytes:
    doc = OfficialDocument(f"{data.issuer}\n{TITLES.get(data.kind, '网络舆情简报')}", issuer=data.issuer,
                           date=data.date)
    if data.issue_number:
        doc.paragraph(data.issue_number, indent=False)
    doc.heading("一、总体情况", 1)
    levels = "、".join(f"{label}{n}起" for label, n in data.events_by_level if n)
    total_events = sum(n for _label, n in data.events_by_level)
    doc.paragraph(f"{data.period_label}，共监测到涉及本单位的相关信息{data.mentions}条，其中负面信息{data.negative}条；"
                  f"涉及舆情事件{total_events}起" + (f"（{levels}）" if levels else "") +
                  f"；新立处置单{data.cases_opened}件，办结{data.cases_closed}件。")
    doc.table(["项目", "数量"], [["相关信息", data.mentions], ["负面信息", data.negative],
                                ["舆情事件", total_events], *[[f"其中{label}", n] for label, n in data.events_by_level],
                                ["新立处置单", data.cases_opened], ["办结处置单", data.cases_closed]], widths=[100, 56])
    if data.trend:
        doc.heading("二、舆情走势", 1)
        if len(data.trend) > 1:
            doc.picture(bar_chart_png([f"{t.day.month:02d}-{t.day.day:02d}" for t in data.trend],
                                      [[t.mentions for t in data.trend], [t.negative for t in data.trend]]))
            doc.paragraph("图：每日相关信息（蓝）与负面信息（红）条数。", indent=False)
        doc.table(["日期", "相关信息", "负面信息", "新增事件"],
                  [[chinese_date(t.day), t.mentions, t.negative, t.events] for t in data.trend],
                  widths=[50, 36, 36, 34])
    doc.heading("三、主要舆情及处置情况" if data.trend else "二、主要舆情及处置情况", 1)
    if not data.events:
        doc.paragraph("本期未发现涉及本单位的舆情事件。")
    for i, event in enumerate(data.events, 1):
        doc.heading(f"（{_cn(i)}）{event.title}", 2)
        doc.paragraph(f"级别：{event.level}；首次发现：{event.first_seen}；相关信息{event.mentions}条；"
                      f"处置情况：{event.handling}。")
        if event.summary:
            doc.paragraph(event.summary)
    doc.heading("四、工作建议" if data.trend else "三、工作建议", 1)
    doc.paragraph("持续关注舆情走势，对未办结的舆情按时限做好处置和回应，重要情况及时报告。")
    doc.signature_block()
    return doc.to_bytes()


def _cn(n: int) -> str:
    digits = "零一二三四五六七八九"
    if n < 10:
        return digits[n]
    if n < 20:
        return "十" + (digits[n % 10] if n % 10 else "")
    return digits[n // 10] + "十" + (digits[n % 10] if n % 10 else "")


__all__ = ["BriefingData", "BriefingEvent", "TrendDay", "briefing_docx"]
