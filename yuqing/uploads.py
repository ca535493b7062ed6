"""Bounded uploads: a request body is refused by its declared length before anything is parsed, and an uploaded
file is read in chunks only up to its limit, so a huge upload never sits whole in the server's memory.

Django spools a large uploaded file to a temporary file, but `upload.read()` then loads all of it; a 400 MiB
"screenshot" doubled the worker's memory before its size was checked. Use `read_capped()` instead of `read()`.
"""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.utils.translation import gettext as _


def megabytes(n: int) -> str:
    return f"{n / (1024 * 1024):g}"


def read_capped(upload, limit: int, *, field: str) -> bytes:
    """The upload's bytes, or a ValidationError on `field` as soon as more than `limit` bytes arrive."""
    too_large = ValidationError({field: [_("The file is larger than %(limit)s MB.") % {"limit": megabytes(limit)}]})
    if getattr(upload, "size", None) is not None and upload.size > limit:
        raise too_large
    upload.seek(0)
    data = bytearray()
    for chunk in upload.chunks(64 * 1024):
        data += chunk
        if len(data) > limit:  # the declared size can be wrong for a file that is still being written
            raise too_large
    return bytes(data)


class RequestSizeLimitMiddleware:
    """413 for a request whose declared body is larger than YUQING_MAX_REQUEST_BYTES, before it is read."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        limit = getattr(settings, "YUQING_MAX_REQUEST_BYTES", 0)
        try:
            length = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            length = 0
        if limit and length > limit:
            return HttpResponse(_("The upload is larger than %(limit)s MB.") % {"limit": megabytes(limit)},
                                status=413, content_type="text/plain; charset=utf-8")
        return self.get_response(request)
