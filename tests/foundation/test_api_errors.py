"""The one API exception handler: an action's ValidationError names its fields (400), PermissionDenied is 403."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import translation
from rest_framework.decorators import api_view, permission_classes
from rest_framework.permissions import AllowAny
from rest_framework.test import APIRequestFactory


def action_refusing(exc):
    @api_view(["POST"])
    @permission_classes([AllowAny])
    def view(request):
        raise exc  # as an action called from a view raises it, uncaught

    return view


def call(exc):
    return action_refusing(exc)(APIRequestFactory().post("/api/x/", {}, format="json"))


def test_validation_error_names_the_field() -> None:
    response = call(ValidationError({"reason": ["say why the level changes"], "level": ["not a level"]}))
    assert response.status_code == 400
    assert response.data == {"reason": ["say why the level changes"], "level": ["not a level"]}


def test_validation_error_without_a_field() -> None:
    response = call(ValidationError("the event is closed"))
    assert response.status_code == 400 and response.data == {"non_field_errors": ["the event is closed"]}


def test_validation_error_in_chinese() -> None:
    with translation.override("zh-hans"):
        response = call(ValidationError({"kind": [translation.gettext("Choose a day off or a working day.")]}))
    assert response.data == {"kind": ["请选择休息日或工作日。"]}


def test_permission_denied_is_403_with_its_reason() -> None:
    response = call(PermissionDenied("you may not manage sources in 第一中学"))
    assert response.status_code == 403 and response.data == {"detail": "you may not manage sources in 第一中学"}

