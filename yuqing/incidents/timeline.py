"""One chronological view of a case: its states, notes, notices, level changes, deadlines, captures and posts."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from django.utils import timezone
from django.utils.translation import gettext

from yuqing import workflow
from yuqing.deadlines.actions import deadlines_for
from yuqing.deadlines.models import Deadline
from yuqing.incidents.actions import step_label, step_of
from yuqing.incidents.models import Case
from yuqing.levels import Level

# The posts of a big event would drown the rest: the timeline names the first ones and counts the others.
MAX_POSTS = 30


@dataclass
class Entry:
    at: datetime
    kind: str  # status, note, call, action, system, level, deadline, capture, post
    text: str
    actor: str = ""
    data: dict = field(default_factory=dict)

    def as_dict(self) -> dict:
        return {"at": timezone.localtime(self.at).isoformat(), "kind": self.kind, "text": self.text, "actor": self.actor,
                **({"data": self.data} if self.data else {})}


def _name(user) -> str:
    return user.display_name if user is not None else gettext("System")


def timeline(case: Case) -> list[Entry]:
    entries: list[Entry] = []
    wf = Case.workflow
    for change in workflow.history(case):
        text = gettext("Status: %(from)s → %(to)s") % {"from": wf.state_label(change.from_state),
                                                       "to": wf.state_label(change.to_state)}
        if change.reason:
            text += gettext(" (reason: %(reason)s)") % {"reason": change.reason}
        entries.append(Entry(change.at, "status", text, _name(change.actor)))
    for note in case.notes.select_related("author"):
        entries.append(Entry(note.at, note.kind, note.text, _name(note.author) if note.author_id else "",
                             note.data or {}))
    for change in case.level_changes.select_related("actor"):
        text = gettext("Level %(from)s → %(to)s: %(reason)s") % {
            "from": Level(change.from_level).label, "to": Level(change.to_level).label, "reason": change.reason}
        entries.append(Entry(change.at, "level", text, _name(change.actor)))
    for d in deadlines_for(case).select_related("met_by"):
        label = step_label(step_of(d))
        if d.state == Deadline.State.MET and d.met_at:
            late = d.met_at > d.due_at
            text = (gettext("Step met late: %(step)s") if late else gettext("Step met in time: %(step)s")) % {
                "step": label}
            entries.append(Entry(d.met_at, "deadline", text, _name(d.met_by) if d.met_by_id else "",
                                 {"kind": step_of(d), "due_at": d.due_at.isoformat(), "late": late}))
        elif d.state == Deadline.State.OVERDUE or (d.notified_overdue_at and d.state != Deadline.State.MET):
            entries.append(Entry(d.notified_overdue_at or d.due_at, "deadline",
                                 gettext("Step overdue: %(step)s") % {"step": label}, "",
                                 {"kind": step_of(d), "due_at": d.due_at.isoformat()}))
        elif d.state == Deadline.State.WAIVED:
            entries.append(Entry(d.due_at, "deadline", gettext("Step waived: %(step)s") % {"step": label}, "",
                                 {"kind": step_of(d), "reason": d.reason}))
    from yuqing.incidents.actions import case_items
    from yuqing.monitoring.models import Capture

    items = list(case_items(case)[:MAX_POSTS + 1])
    for item in items[:MAX_POSTS]:
        entries.append(Entry(item.published_at or item.first_seen_at, "post",
                             gettext("New post: %(title)s") % {"title": (item.title or item.text)[:80]}, "",
                             {"item": item.pk, "url": item.url}))
    for capture in Capture.objects.filter(item__in=[i.pk for i in items]).order_by("captured_at"):
        entries.append(Entry(capture.captured_at, "capture",
                             gettext("Evidence captured: %(outcome)s") % {"outcome": capture.get_outcome_display()},
                             _name(capture.requested_by) if capture.requested_by_id else "",
                             {"item": capture.item_id, "capture": capture.pk}))
    entries.sort(key=lambda e: e.at)
    return entries
