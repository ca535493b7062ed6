"""Every change people make in detection: permission check, audit record, one transaction."""

from __future__ import annotations

from datetime import timedelta

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from yuqing import workflow
from yuqing.audit.log import apply_changes, record, snapshot
from yuqing.detection import signals
from yuqing.detection.expressions import ExpressionError, compile_expression
from yuqing.detection.models import (
    Event,
    Judgement,
    LevelChange,
    LevelRuleSet,
    Mention,
    Relevance,
    Scheme,
    SensitivePeriod,
    Sentiment,
)
from yuqing.levels import Level
from yuqing.orgs import permissions
from yuqing.orgs.permissions import Perm

SCHEME_FIELDS = ("name", "expression", "description", "enabled", "applies_to_children")
PERIOD_FIELDS = ("name", "starts_at", "ends_at", "threshold_factor", "poll_factor")
PREVIEW_DAYS = 7
PREVIEW_LIMIT = 50


def expression_error(expression: str) -> ExpressionError | None:
    """The error of a malformed expression, or None when it compiles."""
    try:
        compile_expression(expression)
    except ExpressionError as exc:
        return exc
    return None


# ---------------------------------------------------------------------------------------------- schemes


def do_create_scheme(*, organization, acting_user, **values) -> Scheme:
    permissions.require(acting_user, Perm.MANAGE_SCHEMES, organization)
    scheme = Scheme(organization=organization, **{k: v for k, v in values.items() if k in SCHEME_FIELDS})
    scheme.full_clean()
    with transaction.atomic():
        scheme.save()
        record(actor=acting_user, action="scheme.create", obj=scheme, organization=organization,
               after=snapshot(scheme))
    return scheme


def do_update_scheme(scheme: Scheme, *, acting_user, **changes) -> Scheme:
    permissions.require(acting_user, Perm.MANAGE_SCHEMES, scheme.organization)
    before = snapshot(scheme)
    apply_changes(scheme, changes, SCHEME_FIELDS)
    scheme.full_clean()
    with transaction.atomic():
        scheme.save()
        record(actor=acting_user, action="scheme.update", obj=scheme, organization=scheme.organization,
               before=before, after=snapshot(scheme))
    return scheme


def do_delete_scheme(scheme: Scheme, *, acting_user) -> None:
    """Delete a scheme; its mentions go with it unless another scheme matched them too (they keep that one)."""
    permissions.require(acting_user, Perm.MANAGE_SCHEMES, scheme.organization)
    with transaction.atomic():
        through = Mention.schemes.through
        others = (through.objects.filter(mention__scheme=scheme).exclude(scheme=scheme)
                  .values_list("mention_id", "scheme_id").order_by("mention_id", "scheme_id"))
        for mention_id, other in dict(reversed(list(others))).items():
            Mention.objects.filter(pk=mention_id).update(scheme_id=other)
        record(actor=acting_user, action="scheme.delete", obj=scheme, organization=scheme.organization,
               before=snapshot(scheme))
        scheme.delete()


def preview_scheme(organization, expression: str, *, days: int = PREVIEW_DAYS, limit: int = PREVIEW_LIMIT,
                   applies_to_children: bool = True):
    """Items of the last `days` days (of the organisation and, if it applies, below) the expression matches.

    Returns (matches, scanned) where matches is a list of (item, matched_terms) and scanned the number of
    candidates checked. Raises ExpressionError.

    The search index narrows the candidates first (the same AND / OR / NOT / phrase language), so the cost
    follows the number of matches, not the size of the items table; each candidate is then checked with the
    scheme matcher itself so the preview shows exactly what detection would match.
    """
    from yuqing.detection.pipeline import item_text
    from yuqing.monitoring.models import Item
    from yuqing.orgs.permissions import org_subtree_ids
    from yuqing.search.query import search

    compiled = compile_expression(expression)
    since = timezone.now() - timedelta(days=days)
    orgs = org_subtree_ids(organization) if applies_to_children else [organization.pk]
    items = Item.objects.filter(organization_id__in=orgs, first_seen_at__gte=since)
    candidates = search(items, expression).select_related("source", "organization").order_by("-first_seen_at", "-id")
    found, scanned = [], 0
    # bounded: the index's bigram matching is a superset of the matcher's, rarely by much
    for item in candidates[: limit * 20].iterator(chunk_size=200):
        scanned += 1
        result = compiled.match(item_text(item))
        if result.matched:
            found.append((item, list(result.terms)))
            if len(found) >= limit:
                break
    return found, scanned


# ---------------------------------------------------------------------------------------------- judgement


def do_judge_mention(mention: Mention, *, acting_user, sentiment: str | None = None,
                     relevance: str | None = None, note: str = "") -> Judgement:
    """A monitor confirms or corrects a mention's sentiment and/or relevance (人工判读)."""
    permissions.require(acting_user, Perm.JUDGE_MENTIONS, mention.organization)
    if sentiment is not None and sentiment not in Sentiment.values:
        raise ValidationError({"sentiment": f"unknown sentiment {sentiment!r}"})
    if relevance is not None and relevance not in Relevance.values:
        raise ValidationError({"relevance": f"unknown relevance {relevance!r}"})
    if sentiment is None and relevance is None:
        raise ValidationError("give a sentiment or a relevance")
    fields = ["judged_sentiment", "relevance", "judged_by", "judged_at"]
    before = snapshot(mention, fields=fields)
    with transaction.atomic():
        judgement = Judgement.objects.create(
            mention=mention, organization=mention.organization, user=acting_user,
            sentiment=sentiment or mention.judged_sentiment, relevance=relevance or mention.relevance,
            previous_sentiment=mention.judged_sentiment or mention.sentiment,
            previous_relevance=mention.relevance, note=note,
        )
        if sentiment is not None:
            mention.judged_sentiment = sentiment
        if relevance is not None:
            mention.relevance = relevance
        mention.judged_by = acting_user
        mention.judged_at = timezone.now()
        mention.save(update_fields=[*fields, "updated_at"])
        record(actor=acting_user, action="mention.judge", obj=mention, organization=mention.organization,
               before=before, after={**snapshot(mention, fields=fields), "note": note})
    return judgement


# ---------------------------------------------------------------------------------------------- events


def do_set_event_level(event: Event, level, *, reason: str, acting_user) -> Event:
    """A person sets an event's level (also lowering it); automatic grading only raises it later."""
    permissions.require(acting_user, Perm.JUDGE_MENTIONS, event.organization)
    level = Level.from_label(level)
    if not reason.strip():
        raise ValidationError({"reason": "say why the level changes"})
    if int(level) == event.level:
        return event
    with transaction.atomic():
        previous = event.level
        event.level = int(level)
        event.level_reason = reason
        event.level_reason_zh = reason
        event.save(update_fields=["level", "level_reason", "level_reason_zh"])
        LevelChange.objects.create(event=event, from_level=previous, to_level=int(level), reason=reason,
                                   reason_zh=reason, actor=acting_user, at=timezone.now())
        record(actor=acting_user, action="event.level_change", obj=event, organization=event.organization,
               before={"level": previous}, after={"level": int(level), "reason": reason})
        if level > Level(previous):
            signals.announce_level_raised(event, from_level=previous, to_level=level, reasons=[reason],
                                          acting_user=acting_user)
    return event


def do_confirm_event_proposal(event: Event, *, acting_user, reason: str = "") -> Event:
    """研判: the person on duty confirms the level a topic proposed; it takes effect and is alerted."""
    permissions.require(acting_user, Perm.JUDGE_MENTIONS, event.organization)
    proposed = event.pending_proposal
    if proposed is None:
        raise ValidationError({"level": _("There is no proposed level waiting for a decision.")})
    why = f"研判确认：{event.proposal_reason_zh}" + (f"；{reason.strip()}" if reason.strip() else "")
    with transaction.atomic():
        previous = event.level
        event.level = int(proposed)
        event.level_reason = f"confirmed in judgement: {event.proposal_reason}"
        event.level_reason_zh = why
        event.proposal_decided_level = int(proposed)
        event.save(update_fields=["level", "level_reason", "level_reason_zh", "proposal_decided_level"])
        LevelChange.objects.create(event=event, from_level=previous, to_level=int(proposed),
                                   reason=event.level_reason, reason_zh=why, actor=acting_user, at=timezone.now())
        record(actor=acting_user, action="event.proposal_confirm", obj=event, organization=event.organization,
               before={"level": previous}, after={"level": int(proposed), "reason": why})
        signals.announce_level_raised(event, from_level=previous, to_level=proposed, reasons=[why],
                                      acting_user=acting_user)
    return event


def do_dismiss_event_proposal(event: Event, *, acting_user, reason: str) -> Event:
    """研判: the person on duty finds the proposed level not warranted; the level stays, the reason is kept."""
    permissions.require(acting_user, Perm.JUDGE_MENTIONS, event.organization)
    proposed = event.pending_proposal
    if proposed is None:
        raise ValidationError({"level": _("There is no proposed level waiting for a decision.")})
    if not reason.strip():
        raise ValidationError({"reason": _("Say why the proposed level is not warranted.")})
    with transaction.atomic():
        event.proposal_decided_level = int(proposed)
        event.save(update_fields=["proposal_decided_level"])
        record(actor=acting_user, action="event.proposal_dismiss", obj=event, organization=event.organization,
               before={"proposed_level": int(proposed)}, after={"level": event.level, "reason": reason.strip()})
    return event


def do_close_event(event: Event, *, acting_user, reason: str = "", reopen: bool = False) -> Event:
    """Close an event (a reason is required) or reopen it; the change shows in the event's history."""
    return workflow.do_transition(event, Event.Status.OPEN if reopen else Event.Status.CLOSED,
                                  acting_user=acting_user, reason=reason)


def do_merge_events(source: Event, target: Event, *, acting_user, reason: str) -> Event:
    """A person finds two events are one story: `source`'s posts move to `target`, `source` is closed.

    The target keeps the higher of the two levels (a `LevelChange` by the person when it rises), the union of
    the key terms and the earlier first-seen time; it is then re-graded like any grown event.
    """
    from yuqing.detection import pipeline

    permissions.require(acting_user, Perm.JUDGE_MENTIONS, source.organization)
    permissions.require(acting_user, Perm.JUDGE_MENTIONS, target.organization)
    if source.pk == target.pk:
        raise ValidationError({"target": _("An event cannot be merged into itself.")})
    if source.organization_id != target.organization_id:
        raise ValidationError({"target": _("Only events of the same organisation can be merged.")})
    if source.merged_into_id or target.merged_into_id:
        raise ValidationError({"target": _("One of the events was already merged into another.")})
    if not reason.strip():
        raise ValidationError({"reason": _("Say why the two events are one story.")})
    reason = reason.strip()
    with transaction.atomic():
        moved = list(Mention.objects.filter(event=source).values_list("pk", flat=True))
        Mention.objects.filter(pk__in=moved).update(event=target)
        before = snapshot(target, fields=["level", "mention_count", "first_seen_at", "last_seen_at"])
        target.key_terms = list(dict.fromkeys([*target.key_terms, *source.key_terms]))[:pipeline.MAX_EVENT_TERMS]
        target.first_seen_at = min(target.first_seen_at, source.first_seen_at)
        target.last_seen_at = max(target.last_seen_at, source.last_seen_at)
        fields = ["key_terms", "first_seen_at", "last_seen_at"]
        if source.level > target.level:
            why = f"合并自事件 #{source.pk}（{Level(source.level).label}）：{reason}"
            LevelChange.objects.create(event=target, from_level=target.level, to_level=source.level, reason=why,
                                       reason_zh=why, actor=acting_user, at=timezone.now())
            target.level, target.level_reason, target.level_reason_zh = source.level, why, why
            fields += ["level", "level_reason", "level_reason_zh"]
        target.save(update_fields=fields)
        source.merged_into = target
        source.mention_count = 0
        source.save(update_fields=["merged_into", "mention_count"])
        if source.status == Event.Status.OPEN:
            workflow.do_transition(source, Event.Status.CLOSED, acting_user=acting_user,
                                   reason=f"合并入事件 #{target.pk}：{reason}")
        record(actor=acting_user, action="event.merge", obj=target, organization=target.organization,
               before=before, after={"merged": source.pk, "mentions": moved, "reason": reason,
                                     **snapshot(target, fields=["level", "first_seen_at", "last_seen_at"])})
        pipeline.reindex_event(source)
        pipeline.reindex_event(target)
        pipeline.regrade(target.pk)
    target.refresh_from_db()
    return target


def do_split_mention(mention: Mention, *, acting_user, reason: str) -> Event:
    """A person finds a post is another story: it leaves its event for a new event of its own."""
    from yuqing.detection import pipeline

    permissions.require(acting_user, Perm.JUDGE_MENTIONS, mention.organization)
    old = mention.event
    if old is None:
        raise ValidationError({"mention": _("The post belongs to no event.")})
    if not reason.strip():
        raise ValidationError({"reason": _("Say why the post is another story.")})
    if Mention.objects.filter(event=old).count() < 2:
        raise ValidationError({"mention": _("The post is the event's only one; there is nothing to split.")})
    reason = reason.strip()
    item = mention.item
    with transaction.atomic():
        seen = item.published_at or item.first_seen_at
        new = Event.objects.create(
            organization=old.organization, scheme=mention.scheme, title=(item.title or item.text[:80] or item.url)[:500],
            key_terms=pipeline.key_terms(pipeline.item_text(item), exclude=mention.matched_terms,
                                         organization_id=old.organization_id),
            first_seen_at=seen, last_seen_at=max(seen, item.first_seen_at), representative_item=item,
            level=int(Level.GENERAL), graded_level=0,
        )
        Mention.objects.filter(pk=mention.pk).update(event=new)
        mention.event = new
        record(actor=acting_user, action="event.split", obj=old, organization=old.organization,
               after={"mention": mention.pk, "item": item.pk, "new_event": new.pk, "reason": reason})
        record(actor=acting_user, action="event.create_by_split", obj=new, organization=new.organization,
               after={"from_event": old.pk, "mention": mention.pk, "reason": reason})
        pipeline.reindex_event(old)
        pipeline.reindex_event(new)
        pipeline.regrade(old.pk)
        pipeline.regrade(new.pk)
    new.refresh_from_db()
    return new


# ---------------------------------------------------------------------------------------------- configuration


def do_save_level_rules(organization, rules: dict, *, acting_user) -> LevelRuleSet:
    """Store the organisation's changes to the inherited level rules (validated with LevelRules)."""
    permissions.require(acting_user, Perm.MANAGE_SCHEMES, organization)
    ruleset = LevelRuleSet.objects.filter(organization=organization).first() or LevelRuleSet(
        organization=organization
    )
    before = snapshot(ruleset) if ruleset.pk else None
    ruleset.rules = rules
    ruleset.full_clean()
    with transaction.atomic():
        ruleset.save()
        record(actor=acting_user, action="level_rules.update", obj=ruleset, organization=organization,
               before=before, after=snapshot(ruleset))
    return ruleset


def do_create_period(*, organization, acting_user, **values) -> SensitivePeriod:
    permissions.require(acting_user, Perm.MANAGE_SCHEMES, organization)
    period = SensitivePeriod(organization=organization, **{k: v for k, v in values.items() if k in PERIOD_FIELDS})
    period.full_clean()
    with transaction.atomic():
        period.save()
        record(actor=acting_user, action="sensitive_period.create", obj=period, organization=organization,
               after=snapshot(period))
    return period


def do_update_period(period: SensitivePeriod, *, acting_user, **changes) -> SensitivePeriod:
    permissions.require(acting_user, Perm.MANAGE_SCHEMES, period.organization)
    before = snapshot(period)
    apply_changes(period, changes, PERIOD_FIELDS)
    period.full_clean()
    with transaction.atomic():
        period.save()
        record(actor=acting_user, action="sensitive_period.update", obj=period,
               organization=period.organization, before=before, after=snapshot(period))
    return period


def do_delete_period(period: SensitivePeriod, *, acting_user) -> None:
    permissions.require(acting_user, Perm.MANAGE_SCHEMES, period.organization)
    with transaction.atomic():
        record(actor=acting_user, action="sensitive_period.delete", obj=period,
               organization=period.organization, before=snapshot(period))
        period.delete()
