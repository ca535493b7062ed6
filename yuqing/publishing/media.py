"""Checking uploaded images and videos by their content (Pillow, container signatures) and size limits."""

from __future__ import annotations

import hashlib
import io
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from PIL import Image, UnidentifiedImageError

MAX_IMAGE_BYTES = 10 * 1024 * 1024
MAX_VIDEO_BYTES = 200 * 1024 * 1024  # hard upload limit; the format policy's 20 MB is a finding, not a refusal
IMAGE_FORMATS = {"JPEG": "image/jpeg", "PNG": "image/png", "GIF": "image/gif", "WEBP": "image/webp"}
MAX_IMAGE_PIXELS = 40_000_000  # a decompression bomb is refused before it is decoded


@dataclass(frozen=True)
class CheckedMedia:
    kind: str  # "image" | "video"
    content_type: str
    sha256: str
    size: int
    width: int | None = None
    height: int | None = None
    extension: str = ""


def _video_container(data: bytes) -> tuple[str, str] | None:
    """(content type, extension) from the container's signature, whatever the file is called."""
    if data[:3] == b"FLV":
        return "video/x-flv", "flv"
    if data[4:8] == b"ftyp":
        brand = data[8:12]
        if brand.startswith(b"f4v"):
            return "video/x-f4v", "f4v"
        return "video/mp4", "mp4"
    return None


def check_upload(data: bytes, name: str, *, field: str = "attachment") -> CheckedMedia:
    """Accept an image (JPEG/PNG/GIF/WebP, decodable) or an MP4/F4V/FLV video; refuse anything else by name."""
    if not data:
        raise ValidationError({field: [_("%(name)s is empty.") % {"name": name}]})
    digest = hashlib.sha256(data).hexdigest()
    video = _video_container(data)
    if video is not None:
        if len(data) > MAX_VIDEO_BYTES:
            raise ValidationError({field: [_("%(name)s is larger than %(mb)s MB.")
                                           % {"name": name, "mb": MAX_VIDEO_BYTES // 1048576}]})
        return CheckedMedia("video", video[0], digest, len(data), extension=video[1])
    if len(data) > MAX_IMAGE_BYTES:
        raise ValidationError({field: [_("%(name)s is larger than %(mb)s MB.")
                                       % {"name": name, "mb": MAX_IMAGE_BYTES // 1048576}]})
    try:
        with Image.open(io.BytesIO(data)) as img:
            fmt, (width, height) = (img.format or "").upper(), img.size
            if width * height > MAX_IMAGE_PIXELS:
                raise ValidationError({field: [_("%(name)s has too many pixels.") % {"name": name}]})
            img.verify()
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError) as exc:
        raise ValidationError({field: [_("%(name)s is neither an image (JPEG, PNG, GIF, WebP) nor an MP4/FLV/F4V "
                                         "video.") % {"name": name}]}) from exc
    if fmt not in IMAGE_FORMATS:
        raise ValidationError({field: [_("%(name)s is a %(format)s image; JPEG, PNG, GIF or WebP are accepted.")
                                       % {"name": name, "format": fmt or "?"}]})
    extension = {"JPEG": "jpg"}.get(fmt, fmt.lower())
    return CheckedMedia("image", IMAGE_FORMATS[fmt], digest, len(data), width, height, extension)
