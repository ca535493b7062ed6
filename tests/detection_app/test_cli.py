"""The scheme, mentions and train-classifier commands."""

from __future__ import annotations

import json
from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from tests.detection_app.factories import scheme, store
from yuqing.audit.models import AuditRecord
from yuqing.detection.models import Scheme

pytestmark = pytest.mark.django_db


def _run(*args) -> str:
    out = StringIO()
    call_command(*args, stdout=out)
    return out.getvalue()


def test_scheme_add_and_list(world):
    out = _run("scheme", "add", "--org", "no1", "--name", "食堂", "--expr", "一中 AND 食堂")
    assert "added to no1" in out
    assert Scheme.objects.get().expression == "一中 AND 食堂"
    assert AuditRecord.objects.filter(action="scheme.create").exists()
    rows = json.loads(_run("scheme", "list", "--format", "json"))
    assert rows[0]["name"] == "食堂"


def test_scheme_add_with_a_bad_expression_names_the_position_and_exits_2(world):
    with pytest.raises(CommandError) as info:
        call_command("scheme", "add", "--org", "no1", "--name", "x", "--expr", "学校 (食堂 OR 宿舍")
    assert info.value.returncode == 2
    assert "character 3" in str(info.value) and "unclosed parenthesis" in str(info.value)
    assert not Scheme.objects.exists()


def test_scheme_add_with_an_unknown_organisation_is_refused(world):
    with pytest.raises(CommandError, match="no organisation with slug"):
        call_command("scheme", "add", "--org", "nope", "--name", "x", "--expr", "a")


def test_mentions_as_json_lines(world, monkeypatch):
    monkeypatch.setattr("yuqing.notify.alerts.raise_alert", lambda event, level, reasons: None)
    scheme(world.school, "一中 AND 食堂")
    store(world.school, "一中食堂饭菜涨价", comments=120)
    lines = _run("mentions", "--org", "no1", "--format", "json").splitlines()
    row = json.loads(lines[0])
    assert row["level"] == "重大" and row["matched_terms"] == ["一中", "食堂"]
    assert _run("mentions", "--org", "no2", "--format", "json") == ""


def test_mentions_with_a_bad_date_is_refused(world):
    with pytest.raises(CommandError, match="not a date"):
        call_command("mentions", "--org", "no1", "--since", "yesterday")


def test_train_classifier_without_data_says_where_it_looked(world, tmp_path):
    with pytest.raises(CommandError, match="training data not found") as info:
        call_command("train-classifier", "--data-dir", str(tmp_path / "missing"))
    assert info.value.returncode == 2
