"""Verify signed pushes (HMAC-SHA256 over timestamp and body, replay window) and read their entries.

Scheme, for providers: ``X-Yuqing-Timestamp: <unix seconds>`` and
``X-Yuqing-Signature: sha256=<hex of HMAC-SHA256(secret, "<timestamp>." + raw body bytes)>``.
"""

from __future__ import annotations

import enum
import hashlib
import hmac
import threading
import time
from collections.abc import Iterable, Mapping
from datetime import datetime
from typing import Any, Protocol

from ...entries import EntryError
from ...errors import CollectionError, FieldError, ParseError, gettext_noop
from ...mapping import IDENTITY_MAPPING, entry_from_record
from ..json.parse import MappedEntries, load_json
from .config import DEFAULT_WINDOW

TIMESTAMP_HEADER = "X-Yuqing-Timestamp"
SIGNATURE_HEADER = "X-Yuqing-Signature"
SIGNATURE_PREFIX = "sha256="


class SignatureProblem(enum.StrEnum):
    MISSING_TIMESTAMP = "missing_timestamp"
    BAD_TIMESTAMP = "bad_timestamp"
    OUTSIDE_WINDOW = "outside_window"
    MISSING_SIGNATURE = "missing_signature"
    BAD_FORMAT = "bad_format"
    MISMATCH = "mismatch"
    REPLAYED = "replayed"


class SignatureError(CollectionError):
    """A push was refused; ``problem`` says why (log it, answer 401, never say more to the caller)."""

    def __init__(self, problem: SignatureProblem, template: str, **params: Any) -> None:
        self.problem = problem
        super().__init__(template, **params)


class ReplayGuard(Protocol):
    def claim(self, signature: str, expires_at: float) -> bool:
        """Remember ``signature`` until ``expires_at``; False if it was already claimed."""


class MemoryReplayGuard:
    """Signatures seen within the window, in this process (use a shared store with several processes)."""

    def __init__(self, clock: Any = time.time) -> None:
        self._seen: dict[str, float] = {}
        self._lock = threading.Lock()
        self._clock = clock

    def claim(self, signature: str, expires_at: float) -> bool:
        now = self._clock()
        with self._lock:
            if len(self._seen) > 10_000:
                self._seen = {s: t for s, t in self._seen.items() if t > now}
            if self._seen.get(signature, 0) > now:
                return False
            self._seen[signature] = expires_at
            return True


def _as_bytes(value: str | bytes) -> bytes:
    return value.encode("utf-8") if isinstance(value, str) else value


def sign(secret: str | bytes, timestamp: int | str, body: bytes) -> str:
    """The ``X-Yuqing-Signature`` value for ``body`` sent at ``timestamp``."""
    message = str(timestamp).encode("ascii") + b"." + body
    return SIGNATURE_PREFIX + hmac.new(_as_bytes(secret), message, hashlib.sha256).hexdigest()


def signed_headers(secret: str | bytes, body: bytes, *, timestamp: int | None = None) -> dict[str, str]:
    """Headers a sender attaches (used by tests, the docs' example and any Yuqing-to-Yuqing push)."""
    stamp = int(time.time()) if timestamp is None else timestamp
    return {TIMESTAMP_HEADER: str(stamp), SIGNATURE_HEADER: sign(secret, stamp, body)}


def verify(
    secrets: str | bytes | Iterable[str | bytes],
    headers: Mapping[str, str],
    body: bytes,
    *,
    now: float | None = None,
    window: int = DEFAULT_WINDOW,
    replay_guard: ReplayGuard | None = None,
) -> int:
    """Check a push; returns its timestamp or raises ``SignatureError``.

    Refuses a missing or malformed timestamp, one more than ``window`` seconds away from ``now`` (either
    way), a missing or wrong signature (compared in constant time against every given secret), and, with a
    ``replay_guard``, the same signed request seen twice within the window.
    """
    lowered = {k.lower(): v for k, v in headers.items()}
    raw_stamp = (lowered.get(TIMESTAMP_HEADER.lower()) or "").strip()
    if not raw_stamp:
        raise SignatureError(SignatureProblem.MISSING_TIMESTAMP, gettext_noop("the %(header)s header is missing"),
                             header=TIMESTAMP_HEADER)
    if not raw_stamp.isdigit() or len(raw_stamp) > 12:
        raise SignatureError(SignatureProblem.BAD_TIMESTAMP,
                             gettext_noop("the %(header)s header is not a Unix time in seconds"),
                             header=TIMESTAMP_HEADER)
    stamp = int(raw_stamp)
    current = time.time() if now is None else now
    if abs(current - stamp) > window:
        raise SignatureError(SignatureProblem.OUTSIDE_WINDOW,
                             gettext_noop("the request is %(age)s s away from now, outside the %(window)s s window"),
                             age=int(current - stamp), window=window)
    given = (lowered.get(SIGNATURE_HEADER.lower()) or "").strip()
    if not given:
        raise SignatureError(SignatureProblem.MISSING_SIGNATURE, gettext_noop("the %(header)s header is missing"),
                             header=SIGNATURE_HEADER)
    if not given.startswith(SIGNATURE_PREFIX):
        raise SignatureError(SignatureProblem.BAD_FORMAT, gettext_noop("the signature must look like sha256=<hex>"))
    candidates = [secrets] if isinstance(secrets, str | bytes) else list(secrets)
    matched = False
    for secret in candidates:
        # compare every candidate, so timing does not reveal which secret (if any) matched
        matched |= hmac.compare_digest(sign(secret, raw_stamp, body).encode(), given.lower().encode())
    if not matched:
        raise SignatureError(SignatureProblem.MISMATCH, gettext_noop("the signature does not match"))
    if replay_guard is not None and not replay_guard.claim(given.lower(), stamp + window):
        raise SignatureError(SignatureProblem.REPLAYED, gettext_noop("this request was already received"))
    return stamp


def parse_payload(
    body: bytes | str | Mapping[str, Any] | list[Any],
    *,
    platform: str = "",
    now: datetime | None = None,
    max_entries: int = 1000,
) -> MappedEntries:
    """Entries of a push: ``{"items": [...]}`` or a bare list of objects with the fields of RawEntry
    (``id``, ``url``, ``title``, ``text``, ``html``, ``author``, ``published``, ``platform``, ``metrics``,
    ``extra``). A bad item is reported as ``items[i].field`` and left out; the good ones are kept."""
    data = load_json(body) if isinstance(body, bytes | str) else body
    if isinstance(data, Mapping):
        if "items" not in data:
            raise ParseError(gettext_noop('the payload needs an "items" list'), path="items")
        data = data["items"]
    if not isinstance(data, list):
        raise ParseError(gettext_noop('"items" must be a list, not %(kind)s'), path="items", kind=type(data).__name__)
    if len(data) > max_entries:
        raise ParseError(gettext_noop("too many items: %(count)s, at most %(limit)s per push"),
                         count=len(data), limit=max_entries)
    result = MappedEntries()
    for index, record in enumerate(data):
        try:
            entry = entry_from_record(record, IDENTITY_MAPPING, platform=platform, now=now)
            extra = record.get("extra") if isinstance(record, Mapping) else None
            if extra is not None and not isinstance(extra, Mapping):
                raise FieldError("extra", gettext_noop("must be an object"))
            metrics = record.get("metrics") if isinstance(record, Mapping) else None
            if metrics is not None and not isinstance(metrics, Mapping):
                raise FieldError("metrics", gettext_noop("must be an object"))
            entry.extra = dict(extra or {})
        except FieldError as exc:
            field = f"items[{index}].{exc.field}" if exc.field else f"items[{index}]"
            result.errors.append(EntryError(index, field, exc.message, exc.template, exc.params))
            continue
        result.entries.append(entry)
    return result
