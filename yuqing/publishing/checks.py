"""The automatic checks of a draft (SPEC R3.2): text checks on title and body, the format policy on body and media."""

from __future__ import annotations

from django.conf import settings

from yuqing.textcheck import default_checker
from yuqing.textcheck.format_policy import Draft as FormatDraft
from yuqing.textcheck.format_policy import FormatPolicy, MediaFile, check_format

SEVERITY_ORDER = {"block": 0, "warn": 1, "info": 2}


def format_policy() -> FormatPolicy:
    """怀城中学's limits by default; a deployment may change them with the YUQING_FORMAT_POLICY setting (a dict)."""
    return FormatPolicy(**getattr(settings, "YUQING_FORMAT_POLICY", {}))


def check_text(text: str, *, check_links: bool = False) -> list[dict]:
    """Findings of the shared engine (the same one as `yuqing check-text`), as dicts."""
    return [f.to_dict() for f in default_checker().check(text, check_links=check_links)]


def check_draft(*, title: str, body_text: str, attachments=(), is_repost: bool = False, source: str = "",
                check_links: bool = False) -> list[dict]:
    """Every finding of a draft; `field` says where (title, body, media) and start/end index into that text."""
    findings = [{**f, "field": "title"} for f in check_text(title)]
    findings += [{**f, "field": "body"} for f in check_text(body_text, check_links=check_links)]
    images, videos = [], []
    for att in attachments:
        with att.file.open("rb") as fh:
            media = MediaFile(name=att.name, content=fh.read())
        (images if att.kind == "image" else videos).append(media)
    fmt = check_format(FormatDraft(body=body_text, images=images, videos=videos, is_repost=is_repost,
                                   source=source), format_policy())
    for f in fmt:
        d = f.to_dict()
        d["field"] = "body" if f.rule_id == "format.body_length" else "media"
        if d["field"] == "media":
            d["start"] = d["end"] = None
        findings.append(d)
    findings.sort(key=lambda f: (SEVERITY_ORDER.get(f["severity"], 3), f["field"], f["start"] or 0))
    return findings


def blocking(findings: list[dict]) -> list[dict]:
    return [f for f in findings if f.get("severity") == "block"]
