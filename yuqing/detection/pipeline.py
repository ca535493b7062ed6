"""From stored items to mentions, events, levels and alerts (the detection pipeline).

`process_items(organization_id, item_ids)` is what the `detection.process_items` task runs after collection
stored or updated items. It is safe to run again on the same items: mentions are unique per (organisation,
item) and list every scheme that matched, events are found again through their mentions, and a level is only
raised (and alerted) once.

Grouping rule (documented in docs/detection.md), first match wins:
1. mentions of the same item share one event;
2. an item linked to an original (repost, near or exact duplicate) joins the event of its original or of
   another copy of that original;
3. an open event of the same organisation and of one of the schemes that matched the item, last seen within `GROUPING_WINDOW`, that shares at
   least `MIN_SHARED_TERMS` key terms (jieba keywords, not counting the scheme's own terms, which every
   mention of the scheme has) with the item;
4. otherwise a new event.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass, field
from datetime import datetime, timedelta

from django.db import connection, transaction
from django.db.models import Count, Max, Min, Q
from django.db.models.functions import Coalesce
from django.utils import timezone

from yuqing.audit.log import record
from yuqing.detection import signals
from yuqing.detection.expressions import SchemeSet
from yuqing.detection.grading import Grading, Level, LevelRules, Metrics, grade
from yuqing.detection.models import (
    Event,
    EventKey,
    LevelChange,
    LevelRuleSet,
    Mention,
    OrgClassifier,
    Scheme,
    SensitivePeriod,
)
from yuqing.monitoring.models import Item
from yuqing.orglocks import lock_organization
from yuqing.orgs.models import Organization

log = logging.getLogger(__name__)

GROUPING_WINDOW = timedelta(hours=72)
MIN_SHARED_TERMS = 2
KEY_TERMS_PER_ITEM = 10
MAX_EVENT_TERMS = 40
MAX_FINDINGS = 50


@dataclass
class ProcessResult:
    """What one run of the pipeline did."""

    items: int = 0
    mentions_created: int = 0
    mentions_updated: int = 0
    events_created: int = 0
    events_graded: int = 0
    level_changes: list[tuple[int, int | None, int]] = field(default_factory=list)
    proposals: list[tuple[int, int]] = field(default_factory=list)

    def to_dict(self) -> dict:
        return asdict(self)


# ---------------------------------------------------------------------------------------------- schemes


def ancestor_ids(org: Organization) -> list[int]:
    """Ids of the organisation's ancestors and itself, from the root down."""
    return [int(part) for part in org.path.strip("/").split("/") if part]


def schemes_for(org: Organization):
    """Enabled schemes watching `org`: its own and those of its ancestors that apply to children."""
    above = [pk for pk in ancestor_ids(org) if pk != org.pk]
    return Scheme.objects.filter(enabled=True).filter(
        Q(organization_id=org.pk) | Q(organization_id__in=above, applies_to_children=True)
    )


_cache_lock = threading.Lock()
_scheme_sets: dict[int, tuple[tuple, SchemeSet[int]]] = {}


def scheme_set_for(org: Organization) -> SchemeSet[int]:
    """One compiled SchemeSet per organisation, rebuilt when any of its schemes changed."""
    rows = list(schemes_for(org).order_by("pk").values_list("pk", "expression", "updated_at"))
    signature = tuple((pk, updated) for pk, _expression, updated in rows)
    with _cache_lock:
        cached = _scheme_sets.get(org.pk)
        if cached is not None and cached[0] == signature:
            return cached[1]
    schemes: SchemeSet[int] = SchemeSet()
    for pk, expression, _updated in rows:
        try:
            schemes.add(pk, expression)
        except ValueError:
            # Stored expressions are validated; one broken by a grammar change must not stop the others.
            log.warning("scheme %s has an expression that no longer compiles; skipped", pk)
    with _cache_lock:
        _scheme_sets[org.pk] = (signature, schemes)
    return schemes


def item_text(item: Item) -> str:
    """What schemes and the analysis read: title and text."""
    return f"{item.title}\n{item.text}" if item.title else item.text


# ---------------------------------------------------------------------------------------------- analysis


def classifier_for(org: Organization):
    """The negativity model retrained for the organisation or its nearest ancestor, else None (shipped)."""
    from yuqing.analysis import ModelFileError, load_classifier

    chain = ancestor_ids(org)
    stored = {c.organization_id: c.path for c in OrgClassifier.objects.filter(organization_id__in=chain)}
    for pk in reversed(chain):
        if pk in stored:
            try:
                return load_classifier(stored[pk])  # cached by path and modification time
            except (OSError, ModelFileError):
                log.warning("retrained model %s cannot be read; using the shipped model", stored[pk])
    return None


def analyse_texts(texts: Sequence[str], classifier=None) -> list[dict]:
    """Negativity, label, offensiveness, categories and text-check findings of each text, in batch."""
    from yuqing.analysis import analyze_many
    from yuqing.textcheck import default_checker

    if not texts:
        return []
    analyses = analyze_many(list(texts), classifier=classifier)
    try:
        findings = default_checker().check_many(list(texts))
    except Exception:  # a text-check failure must not stop detection; the mention simply has no findings
        log.exception("text check failed")
        findings = [[] for _ in texts]
    out = []
    for analysis, found in zip(analyses, findings, strict=True):
        out.append({
            "negativity": float(analysis.negativity),
            "sentiment": str(analysis.label),
            "offensive": float(analysis.offensive),
            "categories": list(analysis.categories),
            "findings": [f.to_dict() for f in found[:MAX_FINDINGS]],
        })
    return out


def key_terms(text: str, exclude: Iterable[str] = (), organization_id: int | None = None) -> list[str]:
    """The item's key terms (TF-IDF over the organisation's recent items, no stop words), without `exclude`."""
    from yuqing.detection import keyterms

    corpus = keyterms.corpus_for(organization_id) if organization_id else None
    return keyterms.extract(text, corpus, top=KEY_TERMS_PER_ITEM, exclude=exclude)


# ---------------------------------------------------------------------------------------------- rules


def effective_rules(org: Organization) -> LevelRules:
    """The SPEC defaults, overridden by each ancestor's rules from the bureau down to `org` itself."""
    chain = ancestor_ids(org)
    stored = {rs.organization_id: rs.rules for rs in LevelRuleSet.objects.filter(organization_id__in=chain)}
    rules = LevelRules.defaults()
    for pk in chain:
        if stored.get(pk):
            rules = rules.merged(stored[pk])
    return rules


def active_periods(org: Organization, at: datetime | None = None):
    at = at or timezone.now()
    return SensitivePeriod.objects.filter(
        organization_id__in=ancestor_ids(org), starts_at__lte=at, ends_at__gt=at
    ).order_by("starts_at")


def sensitive_factor(org: Organization, rules: LevelRules, at: datetime | None = None) -> float | None:
    """The threshold factor of the active sensitive periods (the lowest), or None outside any period."""
    factors = [p.threshold_factor or rules.sensitive_factor for p in active_periods(org, at)]
    return min(factors) if factors else None


def poll_factor(org: Organization, at: datetime | None = None) -> float:
    """Factor for a source's polling interval now: the lowest of the active sensitive periods, else 1."""
    factors = [p.poll_factor for p in active_periods(org, at)]
    return min(factors) if factors else 1.0


# ---------------------------------------------------------------------------------------------- main


def process_items(organization_id: int, item_ids: Sequence[int]) -> ProcessResult:
    """Match, analyse, group and grade the given items of one organisation."""
    result = ProcessResult()
    org = Organization.objects.filter(pk=organization_id).first()
    if org is None:
        return result
    items = list(Item.objects.filter(organization_id=org.pk, pk__in=list(item_ids)).order_by("first_seen_at", "pk"))
    result.items = len(items)
    if not items:
        return result
    schemes = scheme_set_for(org)
    matches: dict[int, dict[int, tuple[str, ...]]] = {}
    if len(schemes):
        for item in items:
            found = schemes.match(item_text(item))
            if found:
                matches[item.pk] = found
    existing = {
        m.item_id: m
        for m in Mention.objects.filter(organization_id=org.pk, item_id__in=[i.pk for i in items])
        .select_related("event")
    }
    # Items already mentioned must be re-graded when their metrics change, even if nothing new matched.
    touched_events: set[int] = {m.event_id for m in existing.values() if m.event_id}
    if matches:
        by_id = {item.pk: item for item in items}
        matched_items = [by_id[pk] for pk in matches]
        texts = [item_text(i) for i in matched_items]
        analyses = dict(zip(matches, analyse_texts(texts, classifier_for(org)), strict=True))
        new_mentions: list[Mention] = []
        changed: list[Mention] = []
        for item_id, found in matches.items():
            # One mention per post and organisation, however many schemes matched it (SPEC R4.7).
            terms = list(dict.fromkeys(t for scheme_id in sorted(found) for t in found[scheme_id]))
            values = {"matched_terms": terms, **analyses[item_id]}
            mention = existing.get(item_id)
            if mention is None:
                new_mentions.append(Mention(scheme_id=min(found), item_id=item_id, organization_id=org.pk,
                                            **values))
                continue
            if any(getattr(mention, k) != v for k, v in values.items()):
                for k, v in values.items():
                    setattr(mention, k, v)
                changed.append(mention)
        with transaction.atomic():
            if new_mentions:
                # ignore_conflicts: another worker may have created the same mention meanwhile.
                Mention.objects.bulk_create(new_mentions, ignore_conflicts=True)
            if changed:
                Mention.objects.bulk_update(
                    changed, ["matched_terms", "negativity", "sentiment", "offensive", "categories", "findings"]
                )
            ids = dict(Mention.objects.filter(organization_id=org.pk, item_id__in=list(matches))
                       .values_list("item_id", "pk"))
            Mention.schemes.through.objects.bulk_create(
                [Mention.schemes.through(mention_id=ids[item_id], scheme_id=scheme_id)
                 for item_id, found in matches.items() if item_id in ids for scheme_id in found],
                ignore_conflicts=True)
        result.mentions_created = len(new_mentions)
        result.mentions_updated = len(changed)
        with transaction.atomic():
            # workers detecting for the same organisation group one after the other, so two of them never
            # open two events for one story from stale snapshots; other organisations are not held up
            lock_organization(org.pk, "detect")
            unassigned = list(
                Mention.objects.filter(item_id__in=list(matches), event__isnull=True)
                .select_related("item", "scheme").order_by("item__first_seen_at", "item_id", "pk")
            )
            grouping = Grouping(org, unassigned)
            for mention in unassigned:
                event, created = _assign_event(org, mention, grouping)
                touched_events.add(event.pk)
                result.events_created += int(created)
    for event_id in sorted(touched_events):
        _regrade(event_id, result)
    return result


# ---------------------------------------------------------------------------------------------- grouping



class Grouping:
    """What one batch's grouping looks up, fetched for the whole batch at once and kept up to date as it goes.

    Events of the batch's items and of their stories come from two indexed queries for all mentions; only the
    key-term lookup runs per mention (it depends on the events the batch's earlier mentions created).
    """

    def __init__(self, org: Organization, mentions: Sequence[Mention]) -> None:
        self.org = org
        item_ids = sorted({m.item_id for m in mentions})
        self.item_event: dict[int, int] = {}
        for item_id, event_id in (Mention.objects.filter(item_id__in=item_ids, event__isnull=False)
                                  .order_by("pk").values_list("item_id", "event_id")):
            self.item_event.setdefault(item_id, event_id)
        roots = sorted({str(story_root(m.item)) for m in mentions})
        self.story_event: dict[str, int] = {}
        for key, event_id in (EventKey.objects.filter(organization_id=org.pk, kind=EventKey.Kind.STORY,
                                                      key__in=roots)
                              .order_by("event_id").values_list("key", "event_id")):
            self.story_event.setdefault(key, event_id)
        self.events: dict[int, Event] = {}
        self.schemes: dict[int, list[int]] = {}
        for mention_id, scheme_id in (Mention.schemes.through.objects.filter(mention_id__in=[m.pk for m in mentions])
                                      .order_by("scheme_id").values_list("mention_id", "scheme_id")):
            self.schemes.setdefault(mention_id, []).append(scheme_id)

    def event(self, event_id: int) -> Event:
        if event_id not in self.events:
            self.events[event_id] = Event.objects.get(pk=event_id)
        return self.events[event_id]

    def assigned(self, event: Event, item: Item) -> None:
        self.events[event.pk] = event
        self.item_event.setdefault(item.pk, event.pk)
        self.story_event.setdefault(str(story_root(item)), event.pk)


def _assign_event(org: Organization, mention: Mention, grouping: Grouping | None = None) -> tuple[Event, bool]:
    item = mention.item
    terms = key_terms(item_text(item), exclude=mention.matched_terms, organization_id=org.pk)
    grouping = grouping or Grouping(org, [mention])
    with transaction.atomic():
        event = _find_event(org, mention, terms, grouping)
        created = event is None
        seen = item.published_at or item.first_seen_at
        if created:
            event = Event.objects.create(
                organization=org, scheme=mention.scheme, title=(item.title or item.text[:80] or item.url)[:500],
                key_terms=terms, first_seen_at=seen, last_seen_at=max(seen, item.first_seen_at),
                representative_item=item, level=int(Level.GENERAL), graded_level=0,
            )
        else:
            merged = list(dict.fromkeys([*event.key_terms, *terms]))[:MAX_EVENT_TERMS]
            if merged != event.key_terms:
                Event.objects.filter(pk=event.pk).update(key_terms=merged)
                event.key_terms = merged
        remember_keys(event, item, terms, seen)
        Mention.objects.filter(pk=mention.pk, event__isnull=True).update(event=event)
        mention.event = event
        grouping.assigned(event, item)
    return event, created


def _find_event(org: Organization, mention: Mention, terms: list[str],
                grouping: Grouping | None = None) -> Event | None:
    """The event a mention joins by the grouping rules, found through indexes only (`EventKey`).

    The story and term lookups are equality / range queries on the key index, so their cost does not grow
    with the number of items, mentions or events stored (an OR across the item join used to scan).
    """
    item = mention.item
    grouping = grouping or Grouping(org, [mention])
    if item.pk in grouping.item_event:
        return grouping.event(grouping.item_event[item.pk])
    story = grouping.story_event.get(str(story_root(item)))
    if story is not None:
        return grouping.event(story)
    if len(terms) < MIN_SHARED_TERMS:
        return None
    seen = item.published_at or item.first_seen_at
    scheme_ids = grouping.schemes.get(mention.pk) or [mention.scheme_id]
    best = _best_by_terms(org.pk, scheme_ids, [t[:100] for t in dict.fromkeys(terms)], seen)
    return None if best is None else grouping.event(best)


def _best_by_terms(org_id: int, scheme_ids: list[int], terms: list[str], seen: datetime) -> int | None:
    """The open event of the mention's schemes sharing most key terms (at least MIN_SHARED_TERMS) within the window.

    Plain SQL: it runs once per new mention, and building the same ORM query each time cost more than
    running it.
    """
    ops = connection.ops
    key, event = EventKey._meta.db_table, Event._meta.db_table
    marks = ", ".join(["%s"] * len(terms))
    scheme_marks = ", ".join(["%s"] * len(scheme_ids))
    sql = (
        f"SELECT k.event_id, COUNT(*) AS shared, MAX(e.last_seen_at) AS last FROM {key} k "
        f"JOIN {event} e ON e.id = k.event_id "
        f"WHERE k.organization_id = %s AND k.kind = %s AND k.{ops.quote_name('key')} IN ({marks}) "
        f"AND k.last_seen_at >= %s AND e.status = %s AND e.scheme_id IN ({scheme_marks}) AND e.first_seen_at <= %s "
        f"GROUP BY k.event_id HAVING COUNT(*) >= %s ORDER BY shared DESC, last DESC, k.event_id DESC LIMIT 1"
    )
    params = [org_id, EventKey.Kind.TERM, *terms, ops.adapt_datetimefield_value(seen - GROUPING_WINDOW),
              Event.Status.OPEN, *scheme_ids, ops.adapt_datetimefield_value(seen + GROUPING_WINDOW),
              MIN_SHARED_TERMS]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        row = cursor.fetchone()
    return row[0] if row else None


def story_root(item: Item) -> int:
    """The id of the original a story's copies link to (the item itself when it is an original)."""
    return item.original_id or item.pk


def remember_keys(event: Event, item: Item, terms: Iterable[str], seen: datetime) -> None:
    """Index the event under the item's story and the mention's key terms (idempotent upserts)."""
    rows = [(event.organization_id, event.pk, EventKey.Kind.STORY, str(story_root(item)))]
    rows += [(event.organization_id, event.pk, EventKey.Kind.TERM, term[:100]) for term in dict.fromkeys(terms)]
    ops = connection.ops
    when = ops.adapt_datetimefield_value(seen)
    key = ops.quote_name("key")
    # Plain SQL for the same reason as _best_by_terms; ON CONFLICT … DO UPDATE works on SQLite and PostgreSQL.
    with connection.cursor() as cursor:
        cursor.executemany(
            f"INSERT INTO {EventKey._meta.db_table} (organization_id, event_id, kind, {key}, last_seen_at) "
            f"VALUES (%s, %s, %s, %s, %s) ON CONFLICT (organization_id, kind, {key}, event_id) "
            f"DO UPDATE SET last_seen_at = excluded.last_seen_at",
            [(*row, when) for row in rows])


def reindex_event(event: Event) -> None:
    """Rebuild an event's keys from its mentions (after a merge or split moved mentions between events)."""
    with transaction.atomic():
        EventKey.objects.filter(event=event).delete()
        rows = (Mention.objects.filter(event=event).order_by("item_id")
                .values_list("item_id", "item__original_id", "item__first_seen_at").distinct())
        keys = {(EventKey.Kind.STORY, str(original or pk)): seen for pk, original, seen in rows.iterator()}
        for term in event.key_terms or []:
            keys[(EventKey.Kind.TERM, str(term)[:100])] = event.last_seen_at
        EventKey.objects.bulk_create(
            [EventKey(organization_id=event.organization_id, event_id=event.pk, kind=kind, key=key,
                      last_seen_at=seen) for (kind, key), seen in keys.items()],
            batch_size=1000, ignore_conflicts=True)


# ---------------------------------------------------------------------------------------------- grading


def event_figures(event: Event) -> dict:
    """Max views and comments over the event's relevant items, distinct mainstream items, categories.

    Aggregated in the database, so re-grading a large event does not read its mentions into Python.
    """
    mentions = Mention.objects.filter(event=event).exclude(relevance="irrelevant").order_by()
    figures = mentions.aggregate(
        views=Max("item__views"), comments=Max("item__comments"),
        mainstream=Count("item_id", distinct=True, filter=Q(item__mainstream=True)),
        count=Count("item_id", distinct=True), mentions=Count("id"),
        first=Min(Coalesce("item__published_at", "item__first_seen_at")), last=Max("item__first_seen_at"),
    )
    # distinct category lists are few (combinations of a handful of categories) however many mentions there are
    categories = sorted({c for cats in mentions.values_list("categories", flat=True).distinct() for c in (cats or [])})
    # a tip's submitted level (tips carry it in `extra`); distinct values are at most the five levels
    submitted = [int(v) for v in mentions.values_list("item__extra__submitted_level", flat=True).distinct()
                 if isinstance(v, int) and v in Level._value2member_map_]
    return {**figures, "views": figures["views"] or 0, "comments": figures["comments"] or 0,
            "categories": categories, "submitted_level": max(submitted, default=None)}


def representative_post(event: Event) -> tuple[int, str] | None:
    """(item id, title) of the post that best stands for the event, which its title follows as it grows.

    The original post (not a repost or copy) with the largest reach — comments weigh as ten views, as in the
    level thresholds (100 comments ≈ 1000 clicks) — the earliest on ties; copies only when there is no original.
    Mentions judged irrelevant never give the title.
    """
    reach = Coalesce("item__comments", 0) * 10 + Coalesce("item__views", 0)
    rows = (Mention.objects.filter(event=event).exclude(relevance="irrelevant")
            .annotate(reach=reach, is_copy=Q(item__original__isnull=False))
            .order_by("is_copy", "-reach", "item__first_seen_at", "item_id")
            .values_list("item_id", "item__title", "item__text", "item__url"))
    row = rows.first()
    if row is None:
        return None
    item_id, title, text, url = row
    return item_id, (title or (text or "")[:80] or url or f"#{item_id}")[:500]


def grade_event(event: Event, figures: dict | None = None, at: datetime | None = None) -> Grading:
    """The level the event's figures reach under its organisation's rules and sensitive periods now."""
    figures = figures or event_figures(event)
    org = event.organization
    rules = effective_rules(org)
    factor = sensitive_factor(org, rules, at)
    if factor is not None and factor != rules.sensitive_factor:
        rules = LevelRules(levels=rules.levels, sensitive_factor=factor)
    return grade(
        Metrics(clicks=figures["views"], comments=figures["comments"]),
        categories=figures["categories"],
        mainstream_reposts=figures["mainstream"],
        in_sensitive_period=factor is not None,
        rules=rules,
        submitted_level=Level(figures["submitted_level"]) if figures.get("submitted_level") else None,
    )


def regrade(event_id: int) -> ProcessResult:
    """Re-grade one event now (after a person moved posts between events); returns what it did."""
    result = ProcessResult()
    _regrade(event_id, result)
    return result


def _regrade(event_id: int, result: ProcessResult) -> None:
    with transaction.atomic():
        event = Event.objects.select_for_update().select_related("organization").filter(pk=event_id).first()
        if event is None:
            return
        figures = event_figures(event)
        grading = grade_event(event, figures)
        result.events_graded += 1
        updates = {
            "views": figures["views"], "comments": figures["comments"], "mainstream_count": figures["mainstream"],
            "categories": figures["categories"], "mention_count": figures["mentions"],
        }
        if figures["last"] and figures["last"] > event.last_seen_at:
            updates["last_seen_at"] = figures["last"]
        representative = representative_post(event)
        if representative is not None and representative[0] != event.representative_item_id:
            updates.update(representative_item_id=representative[0], title=representative[1])
        new_level = int(grading.level)
        # Levels only rise automatically; after a person lowered a level, only a grading above the one they
        # overrode (graded_level) raises it again.
        # The first grading records the initial level (and alerts it) even though it is the default 一般.
        rise = new_level > event.graded_level and (new_level > event.level or event.graded_level == 0)
        if new_level > event.graded_level:
            updates["graded_level"] = new_level
        if rise:
            previous = event.level if event.graded_level else None
            updates.update(level=new_level, level_reason=grading.reason, level_reason_zh=grading.reason_zh)
        proposed = int(grading.proposed or 0)
        propose = (proposed > max(new_level, event.level, event.proposed_level, event.proposal_decided_level))
        if propose:
            updates.update(proposed_level=proposed, proposal_reason=grading.proposed_reason,
                           proposal_reason_zh=grading.proposed_reason_zh)
        Event.objects.filter(pk=event.pk).update(**updates)
        for key, value in updates.items():
            setattr(event, key, value)
        if propose:
            _propose(event, grading, result)
        if not rise:
            return
        now = timezone.now()
        change = LevelChange.objects.create(event=event, from_level=previous, to_level=new_level,
                                            reason=grading.reason, reason_zh=grading.reason_zh, at=now)
        record(actor=None, action="event.level_change", obj=event, organization=event.organization,
               before={"level": previous}, after={"level": new_level, "reasons": grading.reasons,
                                                  "reasons_zh": grading.reasons_zh},
               object_repr=event.title[:200])
        result.level_changes.append((event.pk, previous, new_level))
        signals.announce_level_raised(event, from_level=previous, to_level=new_level, reasons=grading.reasons_zh)
        log.info("event %s level %s → %s (%s)", event.pk, previous, new_level, change.reason)


def _propose(event: Event, grading: Grading, result: ProcessResult) -> None:
    """Record a topic's proposal (疑似… · 待研判) for the person on duty; the level does not change."""
    record(actor=None, action="event.level_propose", obj=event, organization=event.organization,
           before={"level": event.level},
           after={"proposed_level": int(grading.proposed), "reasons": grading.proposed_reasons,
                  "reasons_zh": grading.proposed_reasons_zh},
           object_repr=event.title[:200])
    result.proposals.append((event.pk, int(grading.proposed)))
    signals.announce_level_proposed(event, level=grading.proposed,
                                    reasons=[f"疑似{grading.proposed.label} · 待研判", *grading.proposed_reasons_zh])


def warm_up() -> None:
    """Load the models, the text checker and jieba once, so the first item is not slowed by loading them.

    `bench/alerting.py` and the embedded worker may call this before measuring or serving.
    """
    analyse_texts(["预热"])
    key_terms("学校食堂预热")
