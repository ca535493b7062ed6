"""Every change to a case: permission, the change, its audit record and timeline entry; notices after commit."""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from yuqing import workflow
from yuqing.audit.log import record, snapshot
from yuqing.deadlines.actions import deadlines_for, do_meet_deadline, do_waive_deadline, open_deadline
from yuqing.deadlines.models import Deadline
from yuqing.incidents import policy as steps
from yuqing.incidents.models import Case, CaseLevelChange, CaseNote, CasePolicy, Evaluation
from yuqing.incidents.policy import PolicyError, merge
from yuqing.incidents.policy_store import effective_policy
from yuqing.levels import Level, parse_level
from yuqing.orgs import permissions
from yuqing.orgs.models import Role
from yuqing.orgs.permissions import Perm

_CASE_FIELDS = ["title", "summary", "origin", "reporter", "level", "handling_type", "responsible_unit",
                "responsible", "spokesperson", "status", "opened_at", "event"]

# Labels of the steps, as the case page and the documents name them.
STEP_LABELS = {
    steps.FORWARD: _("Forward to the responsible unit"),
    steps.RESPOND: _("Explain or resolve"),
    steps.REPORT_BACK: _("Report the result back"),
    steps.INFORM_LEADERS: _("Report to the leaders"),
    steps.AUTHORITATIVE_INFO: _("Release authoritative information"),
    steps.STATEMENT: _("Publish the statement"),
}
DEADLINE_PREFIX = "case."


def step_of(deadline: Deadline) -> str:
    return deadline.kind[len(DEADLINE_PREFIX):] if deadline.kind.startswith(DEADLINE_PREFIX) else deadline.kind


def step_label(kind: str) -> str:
    return str(STEP_LABELS.get(kind, kind))


def _require(acting_user, perm: Perm, org) -> None:
    # acting_user=None is the system itself (automatic opening, escalation).
    if acting_user is not None:
        permissions.require(acting_user, perm, org)


def _note(case: Case, text: str, *, kind=CaseNote.Kind.SYSTEM, author=None, at=None, **data) -> CaseNote:
    return CaseNote.objects.create(case=case, kind=kind, text=text, author=author, at=at or timezone.now(),
                                   data=data)


def _member_of_tree(user, case_org) -> bool:
    return user is not None and permissions.has_perm(user, Perm.VIEW, case_org)


def _validate_people(organization, fields: dict) -> None:
    from yuqing.orgs.models import Organization

    for name in ("responsible", "spokesperson"):
        user = fields.get(name)
        if user is not None and not _member_of_tree(user, organization):
            raise ValidationError({name: gettext("This person does not belong to the organisation.")})
    unit = fields.get("responsible_unit")
    if unit is not None and (not isinstance(unit, Organization) or not unit.path.startswith(organization.path)):
        raise ValidationError({"responsible_unit": gettext("Choose a unit of this organisation.")})


def _open_steps(case: Case, start) -> list[Deadline]:
    policy = effective_policy(case.organization)
    opened = []
    for step in policy.steps_for(case.level):
        params = {"level": case.level_enum.label, "step": step_label(step.kind), "hours": f"{step.hours:g}",
                  "minutes": f"{step.hours * 60:g}"}
        if step.hours <= steps.AT_ONCE_HOURS:
            rule = gettext("%(level)s: %(step)s at once (within %(minutes)s minutes)") % params
        elif step.clock == steps.WORKING:
            rule = gettext("%(level)s: %(step)s within %(hours)s working hours") % params
        else:
            rule = gettext("%(level)s: %(step)s within %(hours)s hours") % params
        opened.append(open_deadline(
            case, kind=DEADLINE_PREFIX + step.kind, due_at=step.due(start), rule=rule,
            organization=case.organization, title=step_label(step.kind), assignee=case.responsible,
        ))
    return opened


def do_open_case(*, organization, acting_user, title: str, level=Level.GENERAL, event=None, summary: str = "",
                 origin: str = Case._meta.get_field("origin").default, reporter: str = "", opened_at=None,
                 responsible=None, responsible_unit=None, spokesperson=None, handling_type: str = "") -> Case:
    """Open a case from an event or by hand, with its deadlines running from `opened_at` (default now)."""
    _require(acting_user, Perm.MANAGE_CASES, organization)
    title = (title or "").strip()
    if not title and event is not None:
        title = event.title
    if not title:
        raise ValidationError({"title": gettext("Give the case a title.")})
    try:
        level = parse_level(level)
    except ValueError as exc:
        raise ValidationError({"level": gettext("Unknown level “%(value)s”.") % {"value": level}}) from exc
    if event is not None and not event.organization.path.startswith(organization.path):
        raise ValidationError({"event": gettext("The event belongs to another organisation.")})
    opened_at = opened_at or timezone.now()
    if timezone.is_naive(opened_at):
        raise ValidationError({"opened_at": gettext("Give a time with its time zone.")})
    fields = {"responsible": responsible, "spokesperson": spokesperson, "responsible_unit": responsible_unit}
    _validate_people(organization, fields)
    case = Case(organization=organization, event=event, title=title[:300], summary=summary, origin=origin,
                reporter=reporter[:200], level=int(level), opened_at=opened_at, opened_by=acting_user,
                handling_type=handling_type, **fields)
    case.full_clean(exclude=["event", "responsible", "spokesperson", "responsible_unit", "opened_by"])
    try:
        with transaction.atomic():
            case.save()
            record(actor=acting_user, action="case.open", obj=case, organization=organization,
                   after=snapshot(case, fields=_CASE_FIELDS))
            who = acting_user.display_name if acting_user else gettext("the system")
            _note(case, gettext("Case opened by %(who)s at level %(level)s.") % {"who": who, "level": level.label},
                  at=opened_at)
            _open_steps(case, opened_at)
    except IntegrityError as exc:
        existing = Case.objects.filter(event=event).exclude(status=Case.Status.CLOSED).first()
        raise ValidationError({"event": gettext("This event is already handled by case #%(id)s.")
                               % {"id": existing.pk if existing else "?"}}) from exc
    transaction.on_commit(lambda: _announce_opened(case))
    return case


def _announce_opened(case: Case) -> None:
    from yuqing.notify.notices import send_notice

    link = case.get_absolute_url()
    body = case.summary or case.title
    urgent = case.level >= Level.MAJOR
    told = send_notice(organization=case.organization, recipients=[case.responsible] if case.responsible else [],
                       roles=[Role.PUBLICITY_LEAD], subject=case, link=link, kind="case.opened",
                       urgency="urgent" if urgent else "normal",
                       title=gettext("New case (%(level)s): %(title)s") % {"level": case.level_enum.label,
                                                                           "title": case.title}, body=body)
    names = sorted({n.recipient.display_name for n in told})
    if urgent:
        leaders = send_notice(organization=case.organization, roles=[Role.LEADER], subject=case, link=link,
                              kind="case.leaders", urgency="urgent", body=body,
                              title=gettext("To the leaders — %(level)s incident: %(title)s")
                              % {"level": case.level_enum.label, "title": case.title})
        leader_names = sorted({n.recipient.display_name for n in leaders})
        if leader_names:
            # Reporting to the leaders "at once" is done by the system the moment the case opens.
            pending = deadlines_for(case).filter(kind=DEADLINE_PREFIX + steps.INFORM_LEADERS,
                                                 state__in=[Deadline.State.OPEN, Deadline.State.OVERDUE]).first()
            if pending is not None:
                do_meet_deadline(pending, acting_user=None,
                                 note=gettext("Reported to the leaders: %(names)s") % {"names": "、".join(leader_names)})
            names += leader_names
    if names:
        _note(case, gettext("Notified: %(names)s") % {"names": "、".join(names)}, notified=names)


def do_update_case(case: Case, *, acting_user, **changes) -> Case:
    """Change what the case says about itself (title, summary, people, handling type); not level or status."""
    _require(acting_user, Perm.MANAGE_CASES, case.organization)
    allowed = {"title", "summary", "reporter", "handling_type", "responsible", "responsible_unit", "spokesperson"}
    for name in changes:
        if name not in allowed:
            raise ValidationError({name: gettext("This field cannot be changed here.")})
    _validate_people(case.organization, changes)
    before = snapshot(case, fields=_CASE_FIELDS)
    for name, value in changes.items():
        setattr(case, name, value)
    if not (case.title or "").strip():
        raise ValidationError({"title": gettext("Give the case a title.")})
    case.full_clean(exclude=["event", "responsible", "spokesperson", "responsible_unit", "opened_by"])
    with transaction.atomic():
        case.save()
        record(actor=acting_user, action="case.update", obj=case, organization=case.organization, before=before,
               after=snapshot(case, fields=_CASE_FIELDS))
        if "responsible" in changes and case.responsible_id:
            # The person now answerable carries the open steps.
            deadlines_for(case).filter(state__in=[Deadline.State.OPEN, Deadline.State.OVERDUE]).update(
                assignee=case.responsible)
    return case


def do_change_case_level(case: Case, *, acting_user, level, reason: str, escalated: bool = False) -> Case:
    """Set the case's level with a reason; the deadlines are recomputed for the new level from now."""
    _require(acting_user, Perm.MANAGE_CASES, case.organization)
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": gettext("Give a reason for changing the level.")})
    try:
        level = parse_level(level)
    except ValueError as exc:
        raise ValidationError({"level": gettext("Unknown level “%(value)s”.") % {"value": level}}) from exc
    with transaction.atomic():
        locked = Case.objects.select_for_update().get(pk=case.pk)
        if locked.level == int(level):
            return locked
        now = timezone.now()
        previous = Level(locked.level)
        CaseLevelChange.objects.create(case=locked, from_level=int(previous), to_level=int(level), reason=reason,
                                       actor=acting_user, at=now)
        locked.level = int(level)
        locked.escalated = locked.escalated or escalated
        locked.save(update_fields=["level", "escalated", "updated_at"])
        record(actor=acting_user, action="case.escalate" if escalated else "case.level", obj=locked,
               organization=locked.organization, before={"level": int(previous)},
               after={"level": int(level), "reason": reason})
        new_kinds = {DEADLINE_PREFIX + s.kind for s in effective_policy(locked.organization).steps_for(level)}
        for pending in deadlines_for(locked).filter(state__in=[Deadline.State.OPEN, Deadline.State.OVERDUE]):
            if pending.kind not in new_kinds:
                do_waive_deadline(pending, acting_user=None, reason=gettext(
                    "The case went from %(old)s to %(new)s: the steps were recomputed.")
                    % {"old": previous.label, "new": level.label})
        _open_steps(locked, now)
        _note(locked, gettext("Level %(old)s → %(new)s: %(reason)s")
              % {"old": previous.label, "new": level.label, "reason": reason})
    if level >= Level.MAJOR > previous:
        transaction.on_commit(lambda: _announce_opened(locked))
    for f in Case._meta.concrete_fields:
        setattr(case, f.attname, getattr(locked, f.attname))
    return case


def do_move_case(case: Case, to: str, *, acting_user, reason: str = "", note: str = "") -> Case:
    """Move the case through its workflow; forwarding and resolving meet their steps, following up sets its end."""
    now = timezone.now()
    data = {}
    if to == Case.Status.RESOLVED:
        data["resolved_at"] = now
    elif to == Case.Status.FOLLOWING_UP:
        days = effective_policy(case.organization).follow_up_days
        data["follow_up_until"] = now + dt.timedelta(days=days)
    elif to == Case.Status.CLOSED:
        data["closed_at"] = now
    with transaction.atomic():
        workflow.do_transition(case, to, acting_user=acting_user, reason=reason, **data)
        meets = {Case.Status.FORWARDED: steps.FORWARD, Case.Status.RESOLVED: steps.RESPOND}
        if to in meets:
            pending = deadlines_for(case).filter(kind=DEADLINE_PREFIX + meets[to],
                                                 state__in=[Deadline.State.OPEN, Deadline.State.OVERDUE]).first()
            if pending is not None:
                do_meet_deadline(pending, acting_user=acting_user, note=note)
        if to == Case.Status.CLOSED:
            for pending in deadlines_for(case).filter(state__in=[Deadline.State.OPEN, Deadline.State.OVERDUE]):
                do_waive_deadline(pending, acting_user=None, reason=gettext("The case was closed."))
        if note:
            _note(case, note, kind=CaseNote.Kind.ACTION, author=acting_user)
    return case


def do_meet_step(deadline: Deadline, *, acting_user, note: str = "") -> Deadline:
    """One click with a note: the case's people mark a step done."""
    case = deadline.subject
    if not isinstance(case, Case):
        raise ValidationError({"deadline": gettext("This deadline does not belong to a case.")})
    _require(acting_user, Perm.MANAGE_CASES, case.organization)
    with transaction.atomic():
        # The case's own permission decides here; the deadline's transition runs as the system.
        do_meet_deadline(deadline, acting_user=None, note=note)
        Deadline.objects.filter(pk=deadline.pk).update(met_by=acting_user)
        _note(case, gettext("Step met: %(step)s.") % {"step": step_label(step_of(deadline))}
              + (f" {note}" if note else ""), kind=CaseNote.Kind.ACTION, author=acting_user)
    deadline.refresh_from_db()
    return deadline


def do_add_note(case: Case, *, acting_user, text: str, kind: str = CaseNote.Kind.NOTE) -> CaseNote:
    _require(acting_user, Perm.MANAGE_CASES, case.organization)
    text = (text or "").strip()
    if not text:
        raise ValidationError({"text": gettext("Write the note first.")})
    if len(text) > 5000:
        raise ValidationError({"text": gettext("At most 5,000 characters.")})
    if kind not in (CaseNote.Kind.NOTE, CaseNote.Kind.CALL, CaseNote.Kind.ACTION):
        raise ValidationError({"kind": gettext("Unknown kind of note.")})
    with transaction.atomic():
        note = _note(case, text, kind=kind, author=acting_user)
        record(actor=acting_user, action="case.note", obj=case, organization=case.organization,
               after={"kind": kind, "text": text})
    return note


def do_draft_statement(case: Case, *, acting_user, title: str = "", body: str = ""):
    """The statement (统一口径) as a publishing draft of the case; it goes through the review chain."""
    from yuqing.publishing.actions import do_create_draft
    from yuqing.publishing.models import Draft

    _require(acting_user, Perm.MANAGE_CASES, case.organization)
    existing = statement_drafts(case).exclude(status__in=_CLOSED_DRAFT_STATES).first()
    if existing is not None:
        raise ValidationError({"statement": gettext("The case already has a statement in preparation (draft #%(id)s).")
                               % {"id": existing.pk}})
    with transaction.atomic():
        draft = do_create_draft(organization=case.organization, acting_user=acting_user,
                                title=title or gettext("Statement on %(title)s") % {"title": case.title},
                                body=body, category=_statement_category(), purpose=Draft.Purpose.STATEMENT,
                                subject=case, channels=official_channels(case.organization))
        _note(case, gettext("Statement drafted (draft #%(id)s).") % {"id": draft.pk}, kind=CaseNote.Kind.ACTION,
              author=acting_user)
    return draft


_CLOSED_DRAFT_STATES = ("published", "withdrawn")


# A statement goes out where the school speaks officially: its website and WeChat official account first.
OFFICIAL_KINDS = ("website", "wechat_official")


def official_channels(organization) -> list[int]:
    """Ids of the organisation's active official channels (the author may change them in the draft)."""
    from yuqing.registry.models import Channel

    active = Channel.objects.active().filter(organization=organization)
    official = list(active.filter(kind__in=OFFICIAL_KINDS).values_list("pk", flat=True))
    return official or list(active.values_list("pk", flat=True)[:3])


def _statement_category() -> str:
    from yuqing.publishing.models import Category

    return getattr(Category, "NOTICE", Category.SCHOOL_NEWS)


def statement_drafts(case: Case):
    from django.contrib.contenttypes.models import ContentType

    from yuqing.publishing.models import Draft

    return Draft.objects.filter(subject_type=ContentType.objects.get_for_model(Case), subject_id=str(case.pk),
                                purpose=Draft.Purpose.STATEMENT).order_by("-pk")


def do_capture_evidence(case: Case, *, acting_user, items=None, limit: int = 50) -> list:
    """Capture each post of the case (its event's items) as evidence, or the given items."""
    from yuqing.monitoring.evidence import capture_item

    _require(acting_user, Perm.MANAGE_CASES, case.organization)
    items = list(items if items is not None else case_items(case)[:limit])
    if not items:
        raise ValidationError({"items": gettext("The case has no posts to capture.")})
    captures = [capture_item(item, acting_user=acting_user, organization=case.organization) for item in items]
    _note(case, gettext("Evidence captured for %(n)s posts.") % {"n": len(captures)}, kind=CaseNote.Kind.ACTION,
          author=acting_user)
    return captures


def case_items(case: Case):
    from yuqing.monitoring.models import Item

    if case.event_id is None:
        return Item.objects.none()
    return Item.objects.filter(mentions__event_id=case.event_id).distinct().order_by("first_seen_at", "id")


_EVALUATION_FIELDS = ("what_happened", "actions", "effect", "lessons", "rectifications")


def _validate_rectifications(rows) -> list[dict]:
    if not isinstance(rows, list):
        raise ValidationError({"rectifications": gettext("A list of rectifications is expected.")})
    clean = []
    for i, row in enumerate(rows, start=1):
        item = str(row.get("item", "")).strip() if isinstance(row, dict) else ""
        if not item:
            continue
        due = str(row.get("due", "")).strip()
        if due:
            try:
                dt.date.fromisoformat(due)
            except ValueError as exc:
                raise ValidationError({"rectifications": gettext(
                    "Rectification %(n)s: the date “%(value)s” is not a date (YYYY-MM-DD).")
                    % {"n": i, "value": due}}) from exc
        clean.append({"item": item[:500], "owner": str(row.get("owner", "")).strip()[:100], "due": due,
                      "done": bool(row.get("done"))})
    return clean


def do_save_evaluation(case: Case, *, acting_user, **fields) -> Evaluation:
    _require(acting_user, Perm.MANAGE_CASES, case.organization)
    for name in fields:
        if name not in _EVALUATION_FIELDS:
            raise ValidationError({name: gettext("This field cannot be changed here.")})
    if "rectifications" in fields:
        fields["rectifications"] = _validate_rectifications(fields["rectifications"])
    with transaction.atomic():
        evaluation, _created = Evaluation.objects.select_for_update().get_or_create(case=case)
        if evaluation.finalised_at:
            raise ValidationError({"evaluation": gettext("The evaluation is finalised and can no longer change.")})
        before = snapshot(evaluation, fields=_EVALUATION_FIELDS)
        for name, value in fields.items():
            setattr(evaluation, name, value.strip() if isinstance(value, str) else value)
        evaluation.written_by = acting_user
        evaluation.save()
        record(actor=acting_user, action="case.evaluation", obj=case, organization=case.organization,
               before=before, after=snapshot(evaluation, fields=_EVALUATION_FIELDS))
    return evaluation


def do_finalise_evaluation(case: Case, *, acting_user) -> Evaluation:
    _require(acting_user, Perm.MANAGE_CASES, case.organization)
    with transaction.atomic():
        evaluation = Evaluation.objects.select_for_update().filter(case=case).first()
        if evaluation is None:
            raise ValidationError({"evaluation": gettext("Write the evaluation first.")})
        missing = [str(Evaluation._meta.get_field(n).verbose_name) for n in ("what_happened", "actions", "effect",
                                                                               "lessons")
                   if not getattr(evaluation, n).strip()]
        if missing:
            raise ValidationError({"evaluation": gettext("Fill in before finalising: %(fields)s.")
                                   % {"fields": "、".join(missing)}})
        evaluation.finalised_at = timezone.now()
        evaluation.finalised_by = acting_user
        evaluation.save(update_fields=["finalised_at", "finalised_by", "updated_at"])
        record(actor=acting_user, action="case.evaluation_final", obj=case, organization=case.organization,
               after={"finalised_at": evaluation.finalised_at})
        _note(case, gettext("Evaluation finalised."), kind=CaseNote.Kind.ACTION, author=acting_user)
    return evaluation


def do_set_case_policy(organization, *, acting_user, changes: dict) -> CasePolicy:
    """An organisation's deadline steps per level, auto-open level and follow-up days; schools inherit."""
    if acting_user is None:
        raise PermissionDenied("people change the policy")
    permissions.require(acting_user, Perm.MANAGE_ORGANIZATION, organization)
    try:
        merge(effective_policy(organization), changes)
    except PolicyError as exc:
        raise ValidationError({exc.field: exc.reason}) from exc
    with transaction.atomic():
        policy, _created = CasePolicy.objects.select_for_update().get_or_create(organization=organization)
        before = dict(policy.changes)
        policy.changes = changes
        policy.save()
        record(actor=acting_user, action="case.policy", obj=policy, organization=organization, before=before,
               after=changes)
    return policy
