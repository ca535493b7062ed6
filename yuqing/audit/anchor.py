"""Anchors: the chain's head written outside the database on a schedule, so a truncated log is noticed.

The keyed chain (`yuqing.audit.chain`) stops someone with write access to the database from changing a record,
but removing the newest records leaves a shorter chain that still verifies. So a periodic job appends a signed
line — the newest record's id and hash, the number of records and the time — to a file in the data directory
and, where configured, mails it to the bureau (`YUQING_AUDIT_ANCHOR_EMAIL`) and posts it to a webhook
(`YUQING_AUDIT_ANCHOR_WEBHOOK`, through the outbound guard). `yuqing audit verify` checks the log against every
line of the file; a line kept by the bureau can be checked with `yuqing audit verify --anchor '<line>'`.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import os
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.utils import timezone

from yuqing.audit import chain
from yuqing.audit.models import AuditRecord

log = logging.getLogger(__name__)

VERSION = 1


@dataclass(frozen=True)
class Anchor:
    head_id: int
    head_hash: str
    count: int
    at: str
    sig: str = ""

    def message(self) -> bytes:
        body = {"v": VERSION, "head_id": self.head_id, "head_hash": self.head_hash, "count": self.count, "at": self.at}
        return json.dumps(body, sort_keys=True, separators=(",", ":")).encode()

    def signed(self) -> Anchor:
        return Anchor(self.head_id, self.head_hash, self.count, self.at, chain.sign(self.message()))

    def signature_ok(self) -> bool:
        return bool(self.sig) and chain.same(self.sig, chain.sign(self.message()))

    def line(self) -> str:
        return json.dumps({"v": VERSION, "head_id": self.head_id, "head_hash": self.head_hash, "count": self.count,
                           "at": self.at, "sig": self.sig}, sort_keys=True, separators=(",", ":"))

    @classmethod
    def parse(cls, line: str) -> Anchor:
        data = json.loads(line)
        if data.get("v") != VERSION:
            raise ValueError(f"unknown anchor version {data.get('v')!r}")
        return cls(int(data["head_id"]), str(data["head_hash"]), int(data["count"]), str(data["at"]),
                   str(data.get("sig", "")))


def anchor_file() -> Path:
    return Path(settings.YUQING_AUDIT_ANCHOR_FILE)


def read_anchors(path: Path | None = None) -> list[tuple[int, Anchor | None, str]]:
    """Every line of the anchor file as (line number, anchor or None when unreadable, text)."""
    path = path or anchor_file()
    if not path.exists():
        return []
    out = []
    for number, text in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if not text.strip():
            continue
        try:
            out.append((number, Anchor.parse(text), text))
        except (ValueError, KeyError, TypeError):
            out.append((number, None, text))
    return out


def current_head() -> Anchor | None:
    """The chain's newest record as an unsigned anchor, or None while the log is empty."""
    newest = AuditRecord.objects.order_by("-pk").values_list("pk", "hash").first()
    if newest is None:
        return None
    count = AuditRecord.objects.filter(pk__lte=newest[0]).count()
    return Anchor(newest[0], newest[1], count, timezone.now().astimezone(dt.UTC).isoformat(timespec="seconds"))


def check_anchor(anchor: Anchor) -> str | None:
    """Why the log does not match this anchor, or None when it does."""
    if not anchor.signature_ok():
        return "it is not signed with this installation's audit key (it was forged, or the key changed)"
    found = AuditRecord.objects.filter(pk=anchor.head_id).values_list("hash", flat=True).first()
    if found is None:
        return (f"record #{anchor.head_id}, the newest when it was anchored at {anchor.at}, is missing "
                "(the newest records were removed)")
    if not chain.same(found, anchor.head_hash):
        return f"record #{anchor.head_id} no longer has the hash anchored at {anchor.at} (the log was rewritten)"
    count = AuditRecord.objects.filter(pk__lte=anchor.head_id).count()
    if count != anchor.count:
        return (f"{anchor.count} records up to #{anchor.head_id} were anchored at {anchor.at}, "
                f"now there are {count} (records were removed)")
    return None


def write_anchor() -> Anchor | None:
    """Append the current head to the anchor file (unless it is the last line already) and send it on."""
    head = current_head()
    if head is None:
        return None
    anchors = [a for _, a, _ in read_anchors() if a is not None]
    if anchors and anchors[-1].head_id == head.head_id and anchors[-1].head_hash == head.head_hash:
        return anchors[-1]
    anchor = head.signed()
    path = anchor_file()
    path.parent.mkdir(parents=True, exist_ok=True)
    # O_APPEND: concurrent writers never interleave within a line this short; fsync so a crash keeps it.
    fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
    try:
        os.write(fd, (anchor.line() + "\n").encode())
        os.fsync(fd)
    finally:
        os.close(fd)
    send_anchor(anchor)
    return anchor


def send_anchor(anchor: Anchor) -> list[str]:
    """Mail and post the anchor where configured; returns the failures (the file already has the line)."""
    failures = []
    recipients = list(getattr(settings, "YUQING_AUDIT_ANCHOR_EMAIL", []) or [])
    if recipients:
        from django.core.mail import send_mail

        try:
            send_mail(f"Yuqing audit anchor #{anchor.head_id}", anchor.line() + "\n", None, recipients)
        except Exception as exc:  # a mail server being down must not stop the anchor being kept locally
            log.warning("audit anchor mail failed: %s", exc)
            failures.append(f"mail: {exc}")
    url = getattr(settings, "YUQING_AUDIT_ANCHOR_WEBHOOK", "")
    if url:
        from yuqing.outbound import current_proxy, guarded_client

        try:
            with guarded_client(proxy=current_proxy(), timeout=10) as client:
                response = client.post(url, content=anchor.line().encode(),
                                       headers={"Content-Type": "application/json"})
                response.raise_for_status()
        except Exception as exc:
            log.warning("audit anchor webhook failed: %s", exc)
            failures.append(f"webhook: {exc}")
    return failures
