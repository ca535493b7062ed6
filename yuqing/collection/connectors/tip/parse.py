"""Turn a person's tip (link, text, optional screenshot) into a raw entry with the screenshot as evidence."""

from __future__ import annotations

import hashlib
import io
from dataclasses import asdict, dataclass
from datetime import datetime
from urllib.parse import urlsplit

from ...entries import SHANGHAI, RawEntry, guess_platform
from ...errors import FieldError, gettext_noop
from ...fetching import format_size
from .config import DEFAULT_MAX_SCREENSHOT

_IMAGE_SIGNATURES = (
    (b"\x89PNG\r\n\x1a\n", "image/png"),
    (b"\xff\xd8\xff", "image/jpeg"),
    (b"GIF87a", "image/gif"),
    (b"GIF89a", "image/gif"),
)


@dataclass(frozen=True)
class Evidence:
    """What is recorded about a screenshot; the bytes themselves are stored by the caller under ``sha256``."""

    sha256: str
    size: int
    content_type: str
    width: int
    height: int
    filename: str = ""


def _image_type(data: bytes) -> str:
    for signature, content_type in _IMAGE_SIGNATURES:
        if data.startswith(signature):
            return content_type
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "image/webp"
    return ""


def screenshot_evidence(data: bytes, *, filename: str = "", max_bytes: int = DEFAULT_MAX_SCREENSHOT) -> Evidence:
    """Check that ``data`` is a PNG, JPEG, GIF or WebP image within the size limit and fingerprint it."""
    if len(data) > max_bytes:
        raise FieldError("screenshot", gettext_noop("the screenshot is larger than %(limit)s"),
                         limit=format_size(max_bytes))
    content_type = _image_type(data)
    if not content_type:
        raise FieldError("screenshot", gettext_noop("the screenshot must be a PNG, JPEG, GIF or WebP image"))
    from PIL import Image, UnidentifiedImageError

    try:
        with Image.open(io.BytesIO(data)) as image:
            width, height = image.size
            image.verify()
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, Image.DecompressionBombError) as exc:
        raise FieldError("screenshot", gettext_noop("the screenshot image is damaged")) from exc
    return Evidence(hashlib.sha256(data).hexdigest(), len(data), content_type, width, height, filename)


def build_tip(
    *,
    url: str = "",
    text: str = "",
    title: str = "",
    screenshot: bytes | None = None,
    screenshot_name: str = "",
    submitted_by: str = "",
    platform: str = "",
    published: datetime | None = None,
    now: datetime | None = None,
    max_screenshot_bytes: int = DEFAULT_MAX_SCREENSHOT,
) -> tuple[RawEntry, Evidence | None]:
    """A RawEntry for the tip plus the screenshot's ``Evidence`` (also in ``entry.extra["evidence"]``).

    Needs a link or a text; raises ``FieldError`` naming ``url``, ``text`` or ``screenshot``.
    """
    url, text, title = url.strip(), text.strip(), title.strip()
    if url:
        parts = urlsplit(url)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise FieldError("url", gettext_noop("not a web address: %(value)r"), value=url)
    if not (url or text):
        raise FieldError("text", gettext_noop("give the link or describe what you saw"))
    evidence = None
    if screenshot:
        evidence = screenshot_evidence(screenshot, filename=screenshot_name, max_bytes=max_screenshot_bytes)
    submitted_at = (now or datetime.now(SHANGHAI)).astimezone(SHANGHAI)
    extra: dict[str, object] = {"submitted_by": submitted_by, "submitted_at": submitted_at.isoformat()}
    if evidence:
        extra["evidence"] = asdict(evidence)
    entry = RawEntry(
        url=url,
        title=title or (text.splitlines()[0][:60] if text else url),
        text=text,
        author="",
        published=published,
        platform=platform or guess_platform(url),
        extra=extra,
        source_ref="tip:" + hashlib.sha256(f"{url}\n{text}".encode()).hexdigest()[:16],
    )
    return entry, evidence
