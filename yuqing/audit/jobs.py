"""The anchoring job: check what was added since the last anchor, then anchor the new head."""

from __future__ import annotations

from django.conf import settings

from yuqing.system.scheduler import periodic


class AuditChainBroken(Exception):
    """The log no longer matches its chain or its last anchor; nothing is anchored until someone looks."""


def anchor_now() -> dict:
    from yuqing.audit.anchor import read_anchors, write_anchor
    from yuqing.audit.log import verify

    anchors = [a for _, a, _ in read_anchors() if a is not None]
    # Anchoring a rewritten or truncated chain would bless it: check from the last anchor first.
    result = verify(start=anchors[-1] if anchors else None, anchors=[])
    if not result.ok:
        raise AuditChainBroken(f"audit log broken at record #{result.broken_id}: {result.reason}")
    anchor = write_anchor()
    if anchor is None:
        return {"anchored": 0}
    return {"head_id": anchor.head_id, "count": anchor.count}


@periodic("audit.anchor", seconds=max(60, settings.YUQING_AUDIT_ANCHOR_MINUTES * 60))
def anchor_chain() -> dict:
    return anchor_now()
