"""A case's facts gathered for its documents: the incident bulletin and the evaluation (DOCX)."""

from __future__ import annotations

from django.db.models import Max, Sum
from django.utils import timezone
from django.utils.translation import gettext

from yuqing.deadlines.actions import deadlines_for
from yuqing.deadlines.models import Deadline
from yuqing.documents.bulletin import BulletinData, StepRow, bulletin_docx
from yuqing.documents.evaluation import EvaluationData, evaluation_docx
from yuqing.incidents.actions import case_items, statement_drafts, step_label, step_of
from yuqing.incidents.guides import guide
from yuqing.incidents.models import Case, Evaluation


def _local(value):
    return timezone.localtime(value) if value else None


def step_rows(case: Case) -> list[StepRow]:
    rows = []
    now = timezone.now()
    for d in deadlines_for(case):
        if d.state == Deadline.State.MET:
            state = gettext("Met in time") if d.met_at and d.met_at <= d.due_at else gettext("Met late")
        elif d.state == Deadline.State.WAIVED:
            state = gettext("Waived")
        elif d.state == Deadline.State.OVERDUE or d.due_at < now:
            state = gettext("Overdue, not done")
        else:
            state = gettext("In progress")
        rows.append(StepRow(step_label(step_of(d)), _local(d.due_at), _local(d.met_at), state))
    return rows


def _reach(case: Case) -> str:
    items = case_items(case)
    totals = items.aggregate(views=Sum("views"), comments=Sum("comments"), reposts=Sum("reposts"))
    parts = [gettext("%(n)s posts") % {"n": items.count()}]
    for key, label in (("views", gettext("views")), ("comments", gettext("comments")),
                       ("reposts", gettext("reposts"))):
        if totals[key]:
            parts.append(f"{label} {totals[key]:,}")
    return " · ".join(parts)


def bulletin_data(case: Case) -> BulletinData:
    posts = []
    for item in case_items(case)[:20]:
        when = _local(item.published_at or item.first_seen_at)
        posts.append((when.strftime("%Y-%m-%d %H:%M"), " · ".join(p for p in (item.platform, item.source.name
                                                                               if item.source_id else "") if p),
                      (item.title or item.text)[:60]))
    statement = statement_drafts(case).first()
    actions = [f"{_local(n.at):%m-%d %H:%M} {n.text}" for n in case.notes.exclude(kind="system")]
    return BulletinData(
        issuer=case.organization.name, title=case.title, level=case.level_enum.label,
        opened_at=_local(case.opened_at), status=case.get_status_display(), summary=case.summary,
        responsible=case.responsible.display_name if case.responsible_id else "",
        spokesperson=case.spokesperson.display_name if case.spokesperson_id else "",
        handling_type=case.get_handling_type_display() if case.handling_type else "",
        handling_guide=guide(case.handling_type), posts=posts, steps=step_rows(case), reach=_reach(case),
        actions=actions, statement=_plain(statement.body) if statement else "",
        date=timezone.localdate(),
    )


def _plain(html: str) -> str:
    import lxml.html

    if not html.strip():
        return ""
    return lxml.html.fromstring(html).text_content().strip()


def case_bulletin_docx(case: Case) -> bytes:
    return bulletin_docx(bulletin_data(case))


def metrics_before_after(case: Case) -> list[tuple[str, str, str]]:
    """The event's reach when the case was opened and now (or when it was closed)."""
    from yuqing.monitoring.models import ItemMetric

    items = case_items(case)
    end = case.closed_at or timezone.now()
    rows = []
    for key, label in (("views", gettext("Views")), ("comments", gettext("Comments")),
                       ("reposts", gettext("Reposts"))):
        def at(moment, key=key):
            latest = (ItemMetric.objects.filter(item__in=items, observed_at__lte=moment).values("item")
                      .annotate(v=Max(key)))
            return sum(r["v"] or 0 for r in latest)

        rows.append((label, f"{at(case.opened_at):,}", f"{at(end):,}"))
    posts_before = items.filter(first_seen_at__lte=case.opened_at).count()
    rows.append((gettext("Posts"), f"{posts_before:,}", f"{items.filter(first_seen_at__lte=end).count():,}"))
    return rows


def case_evaluation_docx(case: Case) -> bytes:
    evaluation = Evaluation.objects.filter(case=case).first() or Evaluation(case=case)
    return evaluation_docx(EvaluationData(
        issuer=case.organization.name, title=case.title, level=case.level_enum.label,
        opened_at=_local(case.opened_at), closed_at=_local(case.closed_at), what_happened=evaluation.what_happened,
        actions=evaluation.actions, effect=evaluation.effect, lessons=evaluation.lessons, steps=step_rows(case),
        metrics=metrics_before_after(case),
        rectifications=[(r["item"], r.get("owner", ""), r.get("due", ""),
                         gettext("Done") if r.get("done") else gettext("In progress"))
                        for r in evaluation.rectifications],
        written_by=evaluation.written_by.display_name if evaluation.written_by_id else "",
        date=timezone.localdate(),
    ))
