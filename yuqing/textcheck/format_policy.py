"""Format policy for drafts (SPEC R3.2): body length, image format and size, video size and type, repost source."""

from __future__ import annotations

import io
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import BinaryIO

from .findings import Category, Finding, Severity

RULE_BODY_LENGTH = "format.body_length"
RULE_IMAGE_FORMAT = "format.image_format"
RULE_IMAGE_SIZE = "format.image_size"
RULE_IMAGE_UNREADABLE = "format.image_unreadable"
RULE_VIDEO_SIZE = "format.video_size"
RULE_VIDEO_TYPE = "format.video_type"
RULE_REPOST_SOURCE = "format.repost_source"


@dataclass(frozen=True)
class FormatPolicy:
    """Limits from 怀城中学's rules, all configurable per organisation.

    ``max_body_chars`` counts characters other than whitespace. ``image_size`` is (width, height);
    with ``exact_image_size`` False it is a maximum instead of the required size.
    """

    max_body_chars: int = 1200
    image_formats: Sequence[str] = ("JPEG",)
    image_size: tuple[int, int] | None = (900, 500)
    exact_image_size: bool = True
    max_video_bytes: int = 20 * 1024 * 1024
    video_extensions: Sequence[str] = ("mp4", "flv", "f4v")
    require_repost_source: bool = True
    severity: str = Severity.WARN.value


@dataclass(frozen=True)
class MediaFile:
    """An attached image or video, given by path or by content."""

    name: str
    path: Path | None = None
    content: bytes | None = None

    @classmethod
    def from_path(cls, path: str | Path) -> MediaFile:
        path = Path(path)
        return cls(name=path.name, path=path)

    def size(self) -> int:
        if self.content is not None:
            return len(self.content)
        assert self.path is not None
        return self.path.stat().st_size

    def open(self) -> BinaryIO:
        if self.content is not None:
            return io.BytesIO(self.content)
        assert self.path is not None
        return self.path.open("rb")


@dataclass(frozen=True)
class Draft:
    """What the format policy looks at in a draft."""

    body: str = ""
    images: Sequence[MediaFile] = field(default_factory=tuple)
    videos: Sequence[MediaFile] = field(default_factory=tuple)
    is_repost: bool = False
    source: str = ""


def _finding(policy: FormatPolicy, rule: str, matched: str, suggestion: str, start: int | None = None,
             end: int | None = None) -> Finding:
    return Finding(rule, Category.FORMAT.value, policy.severity, start, end, matched, "", suggestion)


def check_format(draft: Draft, policy: FormatPolicy | None = None) -> list[Finding]:
    """Findings for every way ``draft`` breaks ``policy``."""
    policy = policy or FormatPolicy()
    findings: list[Finding] = []
    length = sum(1 for ch in draft.body if not ch.isspace())
    if length > policy.max_body_chars:
        findings.append(_finding(policy, RULE_BODY_LENGTH, f"{length}",
                                 f"正文 {length} 字，超过上限 {policy.max_body_chars} 字", 0, len(draft.body)))
    for image in draft.images:
        findings.extend(_check_image(image, policy))
    for video in draft.videos:
        extension = video.name.rsplit(".", 1)[-1].lower() if "." in video.name else ""
        if extension not in {e.lower() for e in policy.video_extensions}:
            findings.append(_finding(policy, RULE_VIDEO_TYPE, video.name,
                                     f"视频格式须为 {'/'.join(policy.video_extensions)}"))
        size = video.size()
        if size > policy.max_video_bytes:
            findings.append(_finding(policy, RULE_VIDEO_SIZE, video.name,
                                     f"视频 {size / 1048576:.1f} MB，超过上限 {policy.max_video_bytes / 1048576:g} MB"))
    if policy.require_repost_source and draft.is_repost and not draft.source.strip():
        findings.append(_finding(policy, RULE_REPOST_SOURCE, "", "转载须注明来源"))
    return findings


def _check_image(image: MediaFile, policy: FormatPolicy) -> list[Finding]:
    from PIL import Image, UnidentifiedImageError  # here: `yuqing check-text` never needs Pillow

    try:
        with image.open() as fh, Image.open(fh) as img:
            fmt, (width, height) = img.format or "", img.size
    except (UnidentifiedImageError, OSError) as exc:
        return [_finding(policy, RULE_IMAGE_UNREADABLE, image.name, f"无法读取图片：{exc}")]
    findings = []
    if fmt.upper() not in {f.upper() for f in policy.image_formats}:
        findings.append(_finding(policy, RULE_IMAGE_FORMAT, image.name,
                                 f"图片格式为 {fmt or '未知'}，须为 {'/'.join(policy.image_formats)}"))
    if policy.image_size is not None:
        want_w, want_h = policy.image_size
        wrong = (width, height) != (want_w, want_h) if policy.exact_image_size else (width > want_w or height > want_h)
        if wrong:
            findings.append(_finding(policy, RULE_IMAGE_SIZE, image.name,
                                     f"图片尺寸 {width}×{height}，须为 {want_w}×{want_h}"))
    return findings
