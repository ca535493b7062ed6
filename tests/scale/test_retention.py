"""Retention removes old items in batches but keeps what events, evidence and other protectors refer to."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.management import call_command
from django.utils import timezone

from tests.detection_app.factories import scheme, store
from yuqing.audit.models import AuditRecord
from yuqing.detection.models import Event, Mention
from yuqing.monitoring.models import Evidence, Item, ItemMetric
from yuqing.retention import engine
from yuqing.retention.actions import do_set_retention
from yuqing.retention.protectors import register_protector, unregister_protector
from yuqing.search.query import search

pytestmark = pytest.mark.django_db


def _age(items, days: int) -> None:
    Item.objects.filter(pk__in=[i.pk for i in items]).update(
        first_seen_at=timezone.now() - timedelta(days=days))


@pytest.fixture
def old_and_new(world):
    scheme(world.school, "食堂")
    in_event = store(world.school, "三年前食堂的旧闻，家长投诉")
    plain_old = [store(world.school, f"三年前的普通帖子第{k}条") for k in range(5)]
    with_evidence = store(world.school, "三年前举报的截图帖")
    Evidence.objects.create(item=with_evidence, sha256="0" * 64, file="evidence/x.png", size=1)
    recent = store(world.school, "昨天的普通帖子")
    _age([in_event, *plain_old, with_evidence], days=3 * 365)
    return in_event, plain_old, with_evidence, recent


def test_retention_removes_what_is_past_the_period_and_keeps_events_and_evidence(world, old_and_new):
    in_event, plain_old, with_evidence, recent = old_and_new
    dry = engine.run(dry_run=True)
    assert dry.removed == 5 and Item.objects.count() == 8  # a dry run changes nothing
    outcome = engine.run(batch=2)
    assert outcome.removed == 5 and outcome.kept == 2
    left = set(Item.objects.values_list("pk", flat=True))
    assert left == {in_event.pk, with_evidence.pk, recent.pk}
    assert not ItemMetric.objects.filter(item_id__in=[i.pk for i in plain_old]).exists()
    assert Mention.objects.filter(item=in_event).exists() and Event.objects.count() == 1
    assert not search(Item.objects.all(), "普通帖子 AND 三年前").exists()  # their search documents went too
    assert AuditRecord.objects.filter(action="retention.remove").count() == 1


def test_a_shorter_period_of_the_school_and_a_registered_protector(world, old_and_new, school_admin_client=None):
    in_event, plain_old, with_evidence, recent = old_and_new
    _age([recent], days=40)
    do_set_retention(world.school, 30, acting_user=world.school_admin)
    register_protector("cases.test", lambda ids: [pk for pk in ids if pk == plain_old[0].pk])
    try:
        engine.run()
    finally:
        unregister_protector("cases.test")
    left = set(Item.objects.values_list("pk", flat=True))
    assert left == {in_event.pk, with_evidence.pk, plain_old[0].pk}  # the 40-day-old post went at 30 days


def test_only_an_administrator_sets_the_period_and_bad_values_name_the_field(world):
    from django.core.exceptions import PermissionDenied, ValidationError

    with pytest.raises(PermissionDenied):
        do_set_retention(world.school, 365, acting_user=world.monitor)
    with pytest.raises(ValidationError) as exc:
        do_set_retention(world.school, 3, acting_user=world.school_admin)
    assert "keep_days" in exc.value.message_dict


def test_a_run_stops_at_its_batch_limit_and_the_next_one_continues(world, old_and_new):
    first = engine.run(batch=1, max_batches=2)
    assert not first.complete
    engine.run()
    assert Item.objects.count() == 3


def test_cli_and_status_page(world, old_and_new, capsys, login, django_user_model):
    call_command("retention", "run", "--dry-run")
    assert "would remove 5 items" in capsys.readouterr().out
    call_command("retention", "run")
    assert "removed 5 items" in capsys.readouterr().out
    root = django_user_model.objects.create_superuser(username="root-r", password="correct-horse-battery-9")
    page = login(root).get("/system/").content.decode()
    assert "Retention" in page and "730" in page and "detection.event" in page
