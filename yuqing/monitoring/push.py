"""The webhook push endpoint: providers POST signed batches to /api/push/<token>."""

from __future__ import annotations

import logging

from django.core.cache import cache
from django.utils import timezone
from django.utils.translation import gettext as _

from yuqing.collection.connectors import webhook
from yuqing.collection.errors import CollectionError
from yuqing.monitoring.models import Source
from yuqing.monitoring.pipeline import plain_error, source_config, store_entries

log = logging.getLogger(__name__)
MAX_BODY_BYTES = 10 * 1024 * 1024


class CacheReplayGuard:
    """Signatures seen within the window, in Django's cache (shared by every process when the cache is)."""

    def claim(self, signature: str, expires_at: float) -> bool:
        ttl = max(1, int(expires_at - timezone.now().timestamp()) + 1)
        return cache.add(f"yuqing:push:{signature}", 1, ttl)


replay_guard = CacheReplayGuard()


def _refuse(source: Source, status: int, message: str) -> tuple[int, dict]:
    # Recorded on the source so its page shows refused pushes; not counted as failures (anyone could send them).
    Source.objects.filter(pk=source.pk).update(last_attempt_at=timezone.now(),
                                               last_error=_("Refused a push: %(why)s") % {"why": message})
    return status, {"error": message}


def handle_push(token: str, headers, body: bytes, remote_addr: str = "", *, too_large: bool = False) -> tuple[int, dict]:
    """Verify and store one push; returns the HTTP status and the JSON answer."""
    source = Source.objects.filter(push_token=token, kind=Source.Kind.WEBHOOK).select_related("organization").first()
    if source is None or not source.enabled:
        return 404, {"error": "unknown push address"}
    if too_large or len(body) > MAX_BODY_BYTES:
        return _refuse(source, 413, _("the body is larger than 10 MB"))
    try:
        config = source_config(source)
        webhook.verify(config.secrets, headers, body, window=config.window, replay_guard=replay_guard)
    except webhook.SignatureError as exc:
        log.warning("refused push to source %s from %s: %s", source.pk, remote_addr, exc)
        return _refuse(source, 401, plain_error(exc))
    except CollectionError as exc:  # the source itself is misconfigured
        return _refuse(source, 503, plain_error(exc))
    try:
        parsed = webhook.parse_payload(body, platform=config.platform, max_entries=config.max_entries)
    except CollectionError as exc:
        return _refuse(source, 400, plain_error(exc))
    stored = store_entries(source.organization, source, parsed.entries)
    now = timezone.now()
    errors = [{"index": e.index, "field": e.field, "message": e.message} for e in parsed.errors]
    Source.objects.filter(pk=source.pk).update(
        last_attempt_at=now, last_success_at=now, consecutive_failures=0, flagged=False,
        last_item_count=len(parsed.entries), last_error="; ".join(str(e) for e in parsed.errors[:5]))
    return 200, {"accepted": len(parsed.entries), "new": len(stored.new_ids), "updated": len(stored.updated_ids),
                 "unchanged": stored.unchanged, "errors": errors}
