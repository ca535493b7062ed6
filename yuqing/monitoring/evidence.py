"""Evidence that holds: capture an item's page (raw bytes, extracted text, screenshot, metrics) with hashes.

A tip's screenshot and a case's captures are the same `Evidence` files; a `Capture` groups the files of one
visit to the page. Every file is stored with its SHA-256, and `evidence_zip()` packs them with a manifest so a
copy handed to someone else can be checked file by file.
"""

from __future__ import annotations

import hashlib
import io
import json
import zipfile
from collections.abc import Iterable

from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext

from yuqing.audit.log import record
from yuqing.collection.errors import gettext_noop
from yuqing.collection.fetching import FetchError, FetchErrorKind, FetchOptions
from yuqing.collection.screenshot import render_html
from yuqing.monitoring.models import Capture, Evidence, Item, ItemMetric

# Answers that mean the post itself is gone rather than the server being unwell.
REMOVED_STATUSES = frozenset({404, 410, 451})


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _metrics(item: Item) -> list[dict]:
    rows = ItemMetric.objects.filter(item=item).order_by("observed_at").values(
        "observed_at", "views", "comments", "reposts", "likes")
    return [{**r, "observed_at": r["observed_at"].isoformat()} for r in rows]


def _extract_text(html: str, url: str) -> str:
    from yuqing.collection.connectors.page.parse import extract_article

    try:
        entry = extract_article(html, url)
    except Exception:  # a page that defeats the extractor still has its raw bytes archived
        return ""
    return "\n\n".join(part for part in (entry.title, entry.text) if part)


def _store(capture: Capture, kind: str, data: bytes, content_type: str, extension: str, user) -> Evidence:
    digest = sha256(data)
    evidence = Evidence(item=capture.item, capture=capture, kind=kind, sha256=digest, size=len(data),
                        content_type=content_type, submitted_by=user)
    evidence.file.save(f"{digest}.{extension}", ContentFile(data), save=True)
    return evidence


def capture_item(item: Item, *, acting_user=None, organization=None, fetcher=None,
                 screenshot: bool = True) -> Capture:
    """Fetch the item's page through the guarded fetcher and keep what it showed; audited.

    The caller checks permission (a case's people may capture its posts). A page that answers 404/410 is
    recorded as removed; a fetch that fails otherwise is recorded as failed with the reason — never raised.
    """
    from yuqing.monitoring.pipeline import get_fetcher

    now = timezone.now()
    capture = Capture(item=item, captured_at=now, url=item.url, metrics=_metrics(item), requested_by=acting_user)
    raw = None
    content_type = ""
    if not item.url.startswith(("http://", "https://")):
        capture.outcome = Capture.Outcome.NO_ADDRESS
        capture.note = gettext_noop("The post has no web address; its collected text is archived instead.")
    else:
        allow_private = bool(item.source and getattr(item.source, "allow_private", False))
        from yuqing import outbound

        # The same outbound guard as collection: the administrators' allow list and the source's (or global) proxy.
        options = FetchOptions(allow_private=allow_private, respect_robots=False, retries=1,
                               allow=outbound.current_policy().allow,
                               proxy=outbound.current_proxy(getattr(item.source, "proxy", "") if item.source else ""))
        try:
            result = (fetcher or get_fetcher()).fetch(item.url, options=options)
        except FetchError as exc:
            capture.http_status = exc.status
            if exc.kind == FetchErrorKind.HTTP_STATUS and exc.status in REMOVED_STATUSES:
                capture.outcome = Capture.Outcome.REMOVED
                capture.note = gettext_noop("The page answered that it no longer exists: the post was removed.")
            else:
                capture.outcome = Capture.Outcome.FAILED
                capture.note = str(exc)
        else:
            capture.http_status = result.status
            capture.url = result.final_url or item.url
            capture.outcome = Capture.Outcome.CAPTURED
            raw = result.content
            content_type = result.content_type or "text/html"
    with transaction.atomic():
        capture.save()
        files = []
        if raw is not None:
            files.append(_store(capture, Evidence.Kind.ARCHIVE, raw, content_type, "html", acting_user))
            text = _extract_text(result.text, capture.url)
        else:
            # What Yuqing collected is all there is left of a removed post: keep it with the capture.
            text = "\n\n".join(p for p in (item.title, item.text) if p)
        files.append(_store(capture, Evidence.Kind.TEXT, text.encode("utf-8"), "text/plain; charset=utf-8", "txt",
                            acting_user))
        previous = (Evidence.objects.filter(item=item, kind=Evidence.Kind.TEXT, capture__isnull=False)
                    .exclude(capture=capture).order_by("-created_at", "-id").first())
        capture.changed = previous is not None and previous.sha256 != files[-1].sha256
        if raw is not None and screenshot:
            shot = render_html(raw)
            if shot.png:
                files.append(_store(capture, Evidence.Kind.SCREENSHOT, shot.png, "image/png", "png", acting_user))
            else:
                capture.screenshot_note = shot.note
        capture.save(update_fields=["changed", "screenshot_note"])
        record(actor=acting_user, action="item.capture", obj=item, organization=organization or item.organization,
               after={"outcome": capture.outcome, "http_status": capture.http_status,
                      "files": {f.kind: f.sha256 for f in files}})
    return capture


def manifest(captures: Iterable[Capture]) -> list[dict]:
    """One entry per file: the path inside the ZIP, its SHA-256 and size, and what capture it belongs to."""
    out = []
    for capture in captures:
        for f in capture.files.all().order_by("id"):
            out.append({
                "path": _zip_path(capture, f), "sha256": f.sha256, "size": f.size, "kind": f.kind,
                "item": capture.item_id, "url": capture.url, "captured_at": capture.captured_at.isoformat(),
                "outcome": capture.outcome, "http_status": capture.http_status,
            })
    return out


def _zip_path(capture: Capture, f: Evidence) -> str:
    extension = f.file.name.rsplit(".", 1)[-1] if "." in f.file.name else "bin"
    return f"item-{capture.item_id}/{capture.captured_at:%Y%m%dT%H%M%S}-{capture.pk}/{f.kind}.{extension}"


def evidence_zip(captures: Iterable[Capture], *, title: str = "") -> bytes:
    """A ZIP of every file with manifest.json (and a plain sha256sum-style list) to check them against."""
    captures = list(captures)
    entries = manifest(captures)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as zf:
        by_path = {}
        for capture in captures:
            for f in capture.files.all().order_by("id"):
                by_path[_zip_path(capture, f)] = f
        for entry in entries:
            with by_path[entry["path"]].file.open("rb") as fh:
                zf.writestr(entry["path"], fh.read())
        zf.writestr("manifest.json", json.dumps({
            "title": title, "generated_at": timezone.now().isoformat(), "files": entries,
            "captures": [{"id": c.pk, "item": c.item_id, "url": c.url, "captured_at": c.captured_at.isoformat(),
                          "outcome": c.outcome, "note": gettext(c.note) if c.note else "",
                          "http_status": c.http_status, "changed": c.changed, "metrics": c.metrics}
                         for c in captures],
        }, ensure_ascii=False, indent=2))
        zf.writestr("SHA256SUMS", "".join(f"{e['sha256']}  {e['path']}\n" for e in entries))
    return buffer.getvalue()
