"""The one DRF exception handler: an action's Django ``ValidationError`` becomes 400 with the fields it names,
``PermissionDenied`` 403 and ``Http404`` 404, so API views call actions without translating their errors."""

from __future__ import annotations

from django.core.exceptions import ValidationError as DjangoValidationError
from rest_framework import exceptions
from rest_framework.serializers import as_serializer_error
from rest_framework.views import exception_handler as drf_exception_handler


def exception_handler(exc, context):
    """DRF's handler, which already maps Django's PermissionDenied and Http404, plus ValidationError."""
    if isinstance(exc, DjangoValidationError):
        # {"field": ["reason", …]}; errors that name no field go under "non_field_errors" as DRF's own do
        exc = exceptions.ValidationError(as_serializer_error(exc))
    return drf_exception_handler(exc, context)
