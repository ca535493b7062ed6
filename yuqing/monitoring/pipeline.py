"""From raw entries to stored items: canonical URLs, upserts, metric time series, duplicate and repost links.

Every function here is safe to run again: items are unique per (organisation, URL hash), each chunk commits
on its own, and a re-run of the same entries finds the stored rows and changes nothing that is already right.
"""

from __future__ import annotations

import hashlib
import heapq
import json
import logging
import random
import threading
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.conf import settings
from django.db import IntegrityError, OperationalError, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext

from yuqing import outbound
from yuqing.audit.log import record
from yuqing.collection.canonical import canonical_url
from yuqing.collection.connectors import get_connector
from yuqing.collection.entries import CollectResult, EntryError, RawEntry
from yuqing.collection.errors import CollectionError
from yuqing.collection.fetching import Fetcher, FetchOptions, Validator
from yuqing.collection.sanitize import sanitize_html
from yuqing.collection.similarity import (
    DEFAULT_MAX_DISTANCE,
    SimHashIndex,
    from_signed64,
    normalize_text,
    simhash,
    to_signed64,
)
from yuqing.monitoring.bulk import db_datetime, db_json, insert_items, insert_metrics
from yuqing.monitoring.mainstream import is_mainstream
from yuqing.monitoring.models import FAILURES_BEFORE_FLAG, Item, Source
from yuqing.monitoring.signals import items_stored, source_failing
from yuqing.orglocks import lock_organization
from yuqing.search.indexing import index_items

log = logging.getLogger(__name__)

CHUNK_SIZE = 2000
METRIC_FIELDS = ("views", "comments", "reposts", "likes")
# Texts shorter than this (after normalising) say too little to call two of them the same story.
MIN_LINK_CHARS = 12
# The cached near-duplicate index of an organisation is rebuilt from the database this often.
INDEX_REBUILD_SECONDS = 3600
# Tries per chunk when concurrent workers store the same URLs; each retry turns the clashes into merges.
ATTEMPTS = 10
_REPOST_MARKERS = ("转发", "转载", "//@", "rt @", "repost", "来源：", "来源:")
_INT_MAX = 2**31 - 1


@dataclass
class StoreResult:
    """What one `store_entries` call did; ids are of rows created or changed."""

    new_ids: list[int] = field(default_factory=list)
    updated_ids: list[int] = field(default_factory=list)
    unchanged: int = 0
    linked: int = 0
    metric_rows: int = 0
    errors: list[EntryError] = field(default_factory=list)

    @property
    def received(self) -> int:
        return len(self.new_ids) + len(self.updated_ids) + self.unchanged

    def merge(self, other: StoreResult) -> None:
        self.new_ids += other.new_ids
        self.updated_ids += other.updated_ids
        self.unchanged += other.unchanged
        self.linked += other.linked
        self.metric_rows += other.metric_rows
        self.errors += other.errors


def url_hash_for(entry: RawEntry, canonical: str, source_id: int | None, norm_text: str) -> str:
    """Identity of an entry within an organisation: its canonical URL, else the source's own id, else its text."""
    if canonical:
        key = "url:" + canonical
    elif entry.source_ref:
        key = f"ref:{source_id or 0}:{entry.source_ref}"
    else:
        key = "text:" + norm_text
    return hashlib.sha256(key.encode("utf-8")).hexdigest()


def fingerprint_text(entry: RawEntry) -> str:
    """The normalised text that content hash and SimHash are computed over.

    The body alone when it says enough: feeds often make the title a truncated copy of the text (RSSHub's Weibo
    routes do), and a repost's title differs while its text is the same story. Title and body otherwise.
    """
    body = normalize_text(entry.text)
    return body if len(body) >= MIN_LINK_CHARS else normalize_text(f"{entry.title}\n{entry.text}")


def identity_hash(entry: RawEntry, source_id: int | None) -> str:
    """The url_hash an entry is stored under (to find the item again after storing it)."""
    url = canonical_url(entry.url) if entry.url else ""
    return url_hash_for(entry, url, source_id, fingerprint_text(entry))


def _metrics(entry: RawEntry) -> dict[str, int | None]:
    out: dict[str, int | None] = {}
    for name in METRIC_FIELDS:
        value = entry.metrics.get(name)
        out[name] = None if value is None else max(0, min(int(value), _INT_MAX))
    return out


def _relation(text: str, same_content: bool) -> str:
    if same_content:
        return Item.Relation.EXACT
    head = text[:40].lower()
    if any(marker in head for marker in _REPOST_MARKERS):
        return Item.Relation.REPOST
    return Item.Relation.NEAR_DUPLICATE


@dataclass
class _Prepared:
    entry: RawEntry
    url: str
    url_hash: str
    norm: str
    content_hash: str
    metrics: dict[str, int | None]


def _prepare(entries: Iterable[RawEntry], source_id: int | None) -> list[_Prepared]:
    """Canonicalise and hash; within the batch the last entry for a URL wins (it carries the newest metrics)."""
    by_hash: dict[str, _Prepared] = {}
    for entry in entries:
        url = canonical_url(entry.url) if entry.url else ""
        norm = fingerprint_text(entry)
        digest = url_hash_for(entry, url, source_id, norm)
        prepared = _Prepared(entry, url, digest, norm, hashlib.sha256(norm.encode("utf-8")).hexdigest(),
                             _metrics(entry))
        previous = by_hash.pop(digest, None)
        if previous is not None:
            # keep the first entry's fields where the later one is empty
            for name, value in previous.metrics.items():
                if prepared.metrics[name] is None:
                    prepared.metrics[name] = value
        by_hash[digest] = prepared
    return list(by_hash.values())


class _LinkIndex:
    """Originals of the organisation seen within the link window, for near-duplicate and repost linking.

    Keys are item ids, or the url_hash of an original stored in this batch until its id is known. The index
    slides with the window: originals that fall out of it are evicted, so its size (and the cost of each
    lookup) follows the window's traffic, not the table; newer originals of other processes are read in
    incrementally, so the database is what the processes share and a process builds its index only once.
    """

    def __init__(self, organization_id: int, since: datetime, max_distance: int) -> None:
        self.organization_id = organization_id
        self.since = since
        self.max_distance = max_distance
        self.built_at = time.monotonic()
        self.index = SimHashIndex(max_distance)
        self.content: dict[int | str, str] = {}
        self.ids: dict[str, int] = {}
        self.max_id = 0
        self._ageing: list[tuple[datetime, int, int | str, int]] = []  # heap of (first seen, seq, key, fp)
        self._seq = 0
        self.load_newer()

    def load_newer(self) -> None:
        """Add originals stored since the last look (by this or any other process)."""
        rows = (
            Item.objects.filter(organization_id=self.organization_id, original__isnull=True,
                                first_seen_at__gte=self.since, pk__gt=self.max_id)
            .exclude(simhash=0)
            .order_by("id")
            .values_list("id", "simhash", "content_hash", "first_seen_at")
        )
        for pk, fingerprint, digest, first_seen in rows.iterator(chunk_size=5000):
            self.add(pk, from_signed64(fingerprint), digest, first_seen)
            self.max_id = pk

    def slide(self, since: datetime) -> int:
        """Move the window's start to `since`, evicting the originals first seen before it; returns how many."""
        if since <= self.since:
            return 0
        self.since = since
        evicted = 0
        while self._ageing and self._ageing[0][0] < since:
            _at, _seq, key, fingerprint = heapq.heappop(self._ageing)
            self.index.remove(key, fingerprint)
            self.content.pop(key, None)
            if isinstance(key, str):
                self.ids.pop(key, None)
            evicted += 1
        return evicted

    def stored(self, ids: dict[str, int]) -> None:
        self.ids.update(ids)
        if ids:
            self.max_id = max(self.max_id, *ids.values())

    def still_valid(self, since: datetime, max_distance: int) -> bool:
        if max_distance != self.max_distance or time.monotonic() - self.built_at > INDEX_REBUILD_SECONDS:
            return False
        # a rolled-back or deleted newest row means the cache no longer matches the database
        return self.max_id == 0 or Item.objects.filter(pk=self.max_id).exists()

    def __len__(self) -> int:
        return len(self.index)

    def add(self, key: int | str, fingerprint: int, digest: str, first_seen: datetime) -> None:
        self.index.add(key, fingerprint)
        self.content[key] = digest
        self._seq += 1
        heapq.heappush(self._ageing, (first_seen, self._seq, key, fingerprint))

    def nearest(self, fingerprint: int) -> int | str | None:
        match = self.index.nearest(fingerprint)
        return None if match is None else match[0]

    def resolve(self, key: int | str) -> int | None:
        return key if isinstance(key, int) else self.ids.get(key)


_cache = threading.local()  # one index per organisation and thread: SimHashIndex is not thread-safe


def _link_index(organization_id: int, since: datetime, max_distance: int) -> _LinkIndex:
    """The organisation's cached index brought up to date, or a new one (after an hour, or when stale)."""
    indexes = getattr(_cache, "indexes", None)
    if indexes is None:
        indexes = _cache.indexes = {}
    index = indexes.get(organization_id)
    if index is not None and index.still_valid(since, max_distance):
        index.slide(since)
        index.load_newer()
        return index
    index = indexes[organization_id] = _LinkIndex(organization_id, since, max_distance)
    return index


def forget_link_indexes() -> None:
    """Drop the cached indexes of this thread (tests call it between tests)."""
    _cache.indexes = {}


def store_entries(
    organization,
    source: Source | None,
    entries: Sequence[RawEntry],
    *,
    now: datetime | None = None,
    chunk_size: int = CHUNK_SIZE,
    after_chunk: Callable[[int], None] | None = None,
) -> StoreResult:
    """Store ``entries`` for ``organization`` in chunks, each in its own transaction.

    New URLs become items (sanitised HTML, content hash, SimHash, mainstream flag, link to an original
    within the window); known URLs are merged: last seen moves on, changed metrics or text are updated and
    a new metric sample is recorded. ``items_stored`` is sent after each chunk commits.
    ``after_chunk(n)`` is called after chunk ``n`` committed (tests use it to interrupt a batch).
    """
    now = now or timezone.now()
    org_id = organization.pk if hasattr(organization, "pk") else int(organization)
    source_id = source.pk if source is not None else None
    window = timedelta(days=getattr(settings, "YUQING_LINK_WINDOW_DAYS", 7))
    max_distance = getattr(settings, "YUQING_SIMHASH_DISTANCE", DEFAULT_MAX_DISTANCE)
    prepared = _prepare(entries, source_id)
    index = _link_index(org_id, now - window, max_distance)
    total = StoreResult()
    try:
        for number, start in enumerate(range(0, len(prepared), chunk_size)):
            chunk = prepared[start : start + chunk_size]
            for attempt in range(ATTEMPTS):
                try:
                    result = _store_chunk(org_id, source_id, chunk, now, index)
                    break
                except (IntegrityError, OperationalError):
                    # another worker stored some of these URLs at the same moment (a unique-key clash, or a
                    # deadlock between the two inserts): the chunk rolled back whole; look again, they now merge
                    if attempt == ATTEMPTS - 1:
                        raise
                    _cache.indexes.pop(org_id, None)
                    # a little random wait, so two workers on neighbouring chunks stop clashing in lockstep
                    time.sleep(random.uniform(0, 0.05 * (attempt + 1)))
                    index = _link_index(org_id, now - window, max_distance)
            total.merge(result)
            if after_chunk is not None:
                after_chunk(number)
    except BaseException:
        # the index may hold entries of a chunk that rolled back
        _cache.indexes.pop(org_id, None)
        raise
    return total


def _store_chunk(org_id: int, source_id: int | None, chunk: list[_Prepared], now: datetime,
                 index: _LinkIndex) -> StoreResult:
    result = StoreResult()
    hashes = [p.url_hash for p in chunk]
    with transaction.atomic():
        # workers storing for the same organisation take turns here rather than clash and retry
        lock_organization(org_id, "store")
        existing = {
            row[1]: row
            for row in Item.objects.filter(organization_id=org_id, url_hash__in=hashes).values_list(
                "id", "url_hash", "content_hash", *METRIC_FIELDS
            )
        }
        fresh: list[_Prepared] = []
        changed: dict[tuple[str, ...], list[Item]] = {}  # one bulk_update per set of changed fields
        seen_only: list[int] = []
        metric_rows: list[tuple] = []
        for p in chunk:
            row = existing.get(p.url_hash)
            if row is None:
                fresh.append(p)
                continue
            pk, _hash, old_content, *old_metrics = row
            old = dict(zip(METRIC_FIELDS, old_metrics, strict=True))
            new_metrics = {k: v for k, v in p.metrics.items() if v is not None}
            metrics_changed = any(old[k] != v for k, v in new_metrics.items())
            text_changed = bool(p.norm) and p.content_hash != old_content
            if not metrics_changed and not text_changed:
                seen_only.append(pk)
                continue
            item = Item(pk=pk, last_seen_at=now, **{**old, **new_metrics})
            fields = ["last_seen_at", *METRIC_FIELDS]
            if metrics_changed:
                item.metrics_updated_at = now
                fields.append("metrics_updated_at")
                metric_rows.append((pk, db_datetime(now), *(new_metrics.get(k) for k in METRIC_FIELDS)))
            if text_changed:
                entry = p.entry
                item.title, item.text, item.content_hash = entry.title, entry.text, p.content_hash
                item.html = sanitize_html(entry.html, base_url=p.url or None)
                fields += ["title", "text", "html", "content_hash"]
            changed.setdefault(tuple(fields), []).append(item)
        if seen_only:
            Item.objects.filter(pk__in=seen_only).update(last_seen_at=now)
        for fields_key, group in changed.items():
            Item.objects.bulk_update(group, list(fields_key), batch_size=500)
            result.updated_ids += [i.pk for i in group]
        result.unchanged = len(seen_only)

        # New items: earliest published first, so the original of a story is the first one told.
        fresh.sort(key=lambda p: (p.entry.published is None, p.entry.published or now))
        now_db = db_datetime(now)
        first_rows, linked_rows = [], []
        for p in fresh:
            fingerprint = simhash(p.norm, normalized=True) if len(p.norm) >= MIN_LINK_CHARS else 0
            original, relation = None, ""
            if fingerprint:
                original = index.nearest(fingerprint)
                if original is None:
                    index.add(p.url_hash, fingerprint, p.content_hash, now)
                else:
                    relation = _relation(p.entry.text or p.entry.title, index.content.get(original) == p.content_hash)
            row = (p, fingerprint, original, relation)
            # a copy of an original stored in this very chunk waits until that original has its id
            (linked_rows if original is not None and index.resolve(original) is None else first_rows).append(row)
        ids = insert_items([_item_row(org_id, source_id, *row, index, now_db) for row in first_rows])
        index.stored(ids)
        later = insert_items([_item_row(org_id, source_id, *row, index, now_db) for row in linked_rows])
        index.stored(later)
        ids.update(later)
        if len(ids) < len(fresh):
            # another worker stored some of these URLs meanwhile (now committed): redo the chunk as merges
            missing = [p.url_hash for p in fresh if p.url_hash not in ids]
            raise IntegrityError(f"{len(missing)} item(s) stored concurrently by another worker, e.g. {missing[0][:12]}")
        links = [p for p, _fp, original, _rel in first_rows + linked_rows if original is not None]
        for p in fresh:
            if any(v is not None for v in p.metrics.values()):
                metric_rows.append((ids[p.url_hash], now_db, *(p.metrics[k] for k in METRIC_FIELDS)))
        insert_metrics(metric_rows)
        result.new_ids = [ids[p.url_hash] for p in fresh]
        result.linked = len(links)
        result.metric_rows = len(metric_rows)
        # Indexed for search in the same transaction: the index never lags behind or outlives the items.
        index_items(org_id, [*result.new_ids, *(i.pk for key, group in changed.items() if "text" in key
                                                 for i in group)])
        if result.new_ids or result.updated_ids:
            new_ids, updated_ids = list(result.new_ids), list(result.updated_ids)
            transaction.on_commit(lambda: items_stored.send(
                sender=Item, organization_id=org_id, new_ids=new_ids, updated_ids=updated_ids, indexed=True))
    return result


def _item_row(org_id: int, source_id: int | None, p: _Prepared, fingerprint: int, original, relation: str,
              index: _LinkIndex, now_db) -> tuple:
    """One row in bulk.ITEM_COLUMNS order."""
    entry = p.entry
    has_metrics = any(v is not None for v in p.metrics.values())
    return (
        org_id, source_id, p.url, p.url_hash, entry.title[:2000], entry.text,
        sanitize_html(entry.html, base_url=p.url or None) if entry.html else "",
        entry.author[:200], str(entry.platform or "web")[:32], db_datetime(entry.published), now_db, now_db,
        p.content_hash, to_signed64(fingerprint), index.resolve(original) if original is not None else None,
        relation, *(p.metrics[k] for k in METRIC_FIELDS), now_db if has_metrics else None, db_json(entry.extra),
        is_mainstream(p.url) if p.url else False,
    )


_fetcher: Fetcher | None = None
_fetcher_lock = threading.Lock()


def get_fetcher() -> Fetcher:
    """The process-wide fetcher, so per-host rate limits and the robots.txt cache apply across sources."""
    global _fetcher
    with _fetcher_lock:
        if _fetcher is None:
            _fetcher = Fetcher(min_interval=float(getattr(settings, "YUQING_FETCH_MIN_INTERVAL", 1.0)))
        return _fetcher


def set_fetcher(fetcher: Fetcher | None) -> None:
    """Replace the shared fetcher (tests use one without waiting between requests)."""
    global _fetcher
    with _fetcher_lock:
        _fetcher = fetcher


def connector_options(source: Source) -> dict:
    """The connector's options: the stored ones plus the address and secret kept in their own columns."""
    options = dict(source.options or {})
    if source.secret_headers:
        options["headers"] = json.loads(source.secret_headers)
    if source.kind == Source.Kind.PAGE:
        options["list_url"] = source.url
    elif source.kind in (Source.Kind.RSS, Source.Kind.JSON):
        options["url"] = source.url
    if source.kind == Source.Kind.JSON and source.secret:
        options["token"] = source.secret
    elif source.kind == Source.Kind.WEBHOOK:
        options["secret"] = source.secret
    return options


def source_config(source: Source):
    """The connector's Config for ``source``; raises ConfigError naming the bad option."""
    return get_connector(source.kind).Config.from_options(connector_options(source))


def fetch_options(source: Source) -> FetchOptions:
    return FetchOptions(
        timeout=float(getattr(settings, "YUQING_FETCH_TIMEOUT", 10.0)),
        total_timeout=float(getattr(settings, "YUQING_FETCH_TOTAL_TIMEOUT", 60.0)),
        max_bytes=int(getattr(settings, "YUQING_FETCH_MAX_BYTES", 5 * 1024 * 1024)),
        retries=int(getattr(settings, "YUQING_FETCH_RETRIES", 2)),
        backoff=float(getattr(settings, "YUQING_FETCH_BACKOFF", 1.0)),
        allow_private=source.allow_private,
        respect_robots=source.respect_robots,
        allow=outbound.current_policy().allow,
        proxy=outbound.current_proxy(source.proxy),
    )


def plain_error(exc: Exception) -> str:
    """The error in plain words, in the active language."""
    if isinstance(exc, CollectionError):
        text = gettext(exc.template) % exc.params if exc.params else gettext(exc.template)
        field_name = getattr(exc, "field", "")
        return f"{field_name}: {text}" if field_name else text
    return gettext("Unexpected error: %(error)s") % {"error": str(exc) or type(exc).__name__}


def preview_source(source: Source, *, fetcher: Fetcher | None = None) -> CollectResult:
    """Fetch a pull source and return what would be collected, storing nothing (the "test now" button)."""
    connector = get_connector(source.kind)
    if not connector.PULL:
        raise ValueError(f"{source.kind} sources receive items; they cannot be fetched")
    config = source_config(source)
    return connector.collect(config, fetcher or get_fetcher(), options=fetch_options(source))


@dataclass
class CollectOutcome:
    """One collection run of one source, for the CLI summary and the job log."""

    source_id: int
    name: str
    ok: bool
    not_modified: bool = False
    stored: StoreResult | None = None
    entry_errors: int = 0
    error: str = ""

    def summary(self) -> str:
        if not self.ok:
            return gettext("failed: %(error)s") % {"error": self.error}
        if self.not_modified:
            return gettext("not modified")
        stored = self.stored or StoreResult()
        return gettext("%(new)s new, %(updated)s updated, %(unchanged)s unchanged, %(skipped)s skipped") % {
            "new": len(stored.new_ids), "updated": len(stored.updated_ids), "unchanged": stored.unchanged,
            "skipped": self.entry_errors}


def failures_before_flag() -> int:
    return int(getattr(settings, "YUQING_SOURCE_FAILURES_BEFORE_FLAG", FAILURES_BEFORE_FLAG))


def collect_source(source: Source, *, fetcher: Fetcher | None = None, now: datetime | None = None) -> CollectOutcome:
    """Fetch one pull source, store what it yields and record its health. Never raises for source problems."""
    now = now or timezone.now()
    outcome = CollectOutcome(source.pk, source.name, ok=False)
    try:
        connector = get_connector(source.kind)
        config = source_config(source)
        validator = Validator(etag=source.etag, last_modified=source.last_modified)

        def is_known(url: str) -> bool:
            digest = hashlib.sha256(("url:" + canonical_url(url)).encode("utf-8")).hexdigest()
            return Item.objects.filter(organization_id=source.organization_id, url_hash=digest).exists()

        result = connector.collect(config, fetcher or get_fetcher(), options=fetch_options(source),
                                   validator=validator, now=now, is_known=is_known)
        stored = None if result.not_modified else store_entries(source.organization_id, source, result.entries,
                                                                now=now)
    except Exception as exc:  # one broken source must never stop the others; its error is shown in plain words
        if not isinstance(exc, CollectionError):
            log.exception("collecting source %s failed unexpectedly", source.pk)
        outcome.error = plain_error(exc)
        record_failure(source, outcome.error, now)
        return outcome
    outcome.ok, outcome.not_modified, outcome.stored = True, result.not_modified, stored
    outcome.entry_errors = len(result.errors)
    changes: dict = {
        "last_attempt_at": now, "last_success_at": now, "consecutive_failures": 0, "flagged": False,
        "last_error": "; ".join(str(e) for e in result.errors[:5]), "locked_until": None,
    }
    if not result.not_modified:
        validator = result.validator or Validator()
        changes.update(etag=validator.etag[:500], last_modified=validator.last_modified[:100],
                       last_item_count=len(result.entries))
    Source.objects.filter(pk=source.pk).update(**changes)
    for name, value in changes.items():
        setattr(source, name, value)
    return outcome


def record_failure(source: Source, message: str, now: datetime) -> None:
    """Count a failed attempt; the Nth failure in a row flags the source and tells the notification layer once."""
    with transaction.atomic():
        Source.objects.filter(pk=source.pk).update(
            last_attempt_at=now, last_error=message[:2000], consecutive_failures=F("consecutive_failures") + 1,
            locked_until=None,
        )
        source.refresh_from_db(fields=["last_attempt_at", "last_error", "consecutive_failures", "flagged",
                                       "locked_until"])
        failures = source.consecutive_failures
        if failures >= failures_before_flag() and not source.flagged:
            if Source.objects.filter(pk=source.pk, flagged=False).update(flagged=True):
                source.flagged = True
                record(actor=None, action="source.flag", obj=source, organization=source.organization,
                       after={"consecutive_failures": failures, "last_error": message})
                transaction.on_commit(lambda: source_failing.send(
                    sender=Source, source=source, failures=failures, error=message))
