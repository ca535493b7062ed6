"""A post matched by several schemes is one mention per organisation: judged once, counted once."""

from __future__ import annotations

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone

from tests.detection_app.factories import scheme, store
from yuqing.detection.actions import do_delete_scheme
from yuqing.detection.models import Event, Judgement, Mention
from yuqing.detection.pipeline import process_items

pytestmark = pytest.mark.django_db

TEXT = "第一中学食堂饭菜发霉，家长很气愤"


def test_a_post_matched_by_the_bureaus_and_the_schools_scheme_is_one_mention(world):
    bureau = scheme(world.bureau, "食堂 AND 发霉", name="全县食品安全")
    school = scheme(world.school, "第一中学 AND 食堂", name="一中食堂")
    item = store(world.school, TEXT)
    mention = Mention.objects.get()
    assert mention.item == item
    assert set(mention.schemes.all()) == {bureau, school}
    assert set(mention.matched_terms) >= {"食堂", "发霉", "第一中学"}
    assert Event.objects.get().mention_count == 1
    process_items(world.school.pk, [item.pk])
    assert Mention.objects.count() == 1 and mention.schemes.count() == 2


def test_the_mention_list_and_api_show_it_once_with_both_schemes(world, login):
    scheme(world.bureau, "食堂 AND 发霉", name="全县食品安全")
    school = scheme(world.school, "第一中学 AND 食堂", name="一中食堂")
    store(world.school, TEXT)
    client = login(world.monitor)
    page = client.get("/detection/mentions/").content.decode()
    assert page.count("家长很气愤") == 1
    assert "全县食品安全" in page and "一中食堂" in page
    rows = client.get("/api/mentions/").json()
    rows = rows["results"] if isinstance(rows, dict) else rows
    assert len(rows) == 1
    assert sorted(rows[0]["scheme_names"]) == sorted(["全县食品安全", "一中食堂"])
    by_scheme = client.get(f"/api/mentions/?scheme={school.pk}").json()
    assert len(by_scheme["results"] if isinstance(by_scheme, dict) else by_scheme) == 1


def test_deleting_one_scheme_keeps_the_mention_the_other_scheme_matched(world):
    bureau = scheme(world.bureau, "食堂 AND 发霉", name="全县食品安全")
    school = scheme(world.school, "第一中学 AND 食堂", name="一中食堂")
    store(world.school, TEXT)
    first = Mention.objects.get().scheme
    remaining = school if first == bureau else bureau
    do_delete_scheme(first, acting_user=world.root)
    mention = Mention.objects.get()
    assert mention.scheme == remaining
    assert list(mention.schemes.all()) == [mention.scheme]


@pytest.mark.django_db(transaction=True)
def test_the_migration_merges_duplicate_mentions_and_keeps_their_judgements(world):
    executor = MigrationExecutor(connection)
    executor.migrate([("detection", "0005_event_keys")])
    apps = executor.loader.project_state([("detection", "0005_event_keys")]).apps
    OldScheme = apps.get_model("detection", "Scheme")
    OldMention = apps.get_model("detection", "Mention")
    OldEvent = apps.get_model("detection", "Event")
    OldJudgement = apps.get_model("detection", "Judgement")
    now = timezone.now()
    item = store(world.school, "与方案无关的帖子", send=False)
    other = store(world.school, "另一条帖子", send=False)
    s1 = OldScheme.objects.create(organization_id=world.bureau.pk, name="全县", expression="食堂")
    s2 = OldScheme.objects.create(organization_id=world.school.pk, name="一中", expression="食堂")
    event = OldEvent.objects.create(organization_id=world.school.pk, title="t", first_seen_at=now,
                                    last_seen_at=now, mention_count=3)
    first = OldMention.objects.create(scheme_id=s1.pk, item_id=item.pk, organization_id=world.school.pk,
                                      event_id=event.pk, matched_terms=["食堂"])
    second = OldMention.objects.create(scheme_id=s2.pk, item_id=item.pk, organization_id=world.school.pk,
                                       event_id=event.pk, matched_terms=["第一中学"], judged_sentiment="negative",
                                       relevance="relevant", judged_at=now, judged_by_id=world.monitor.pk)
    OldJudgement.objects.create(mention_id=second.pk, organization_id=world.school.pk, user_id=world.monitor.pk,
                                sentiment="negative", relevance="relevant")
    OldJudgement.objects.create(mention_id=first.pk, organization_id=world.school.pk, user_id=world.leader.pk,
                                sentiment="neutral")
    OldMention.objects.create(scheme_id=s1.pk, item_id=other.pk, organization_id=world.school.pk,
                              event_id=event.pk)

    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(executor.loader.graph.leaf_nodes())

    merged = Mention.objects.get(item=item)
    assert merged.pk == second.pk  # the judged one is kept
    assert (merged.judged_sentiment, merged.relevance) == ("negative", "relevant")
    assert set(merged.schemes.values_list("pk", flat=True)) == {s1.pk, s2.pk}
    assert set(merged.matched_terms) == {"食堂", "第一中学"}
    assert Judgement.objects.filter(mention=merged).count() == 2
    assert Mention.objects.count() == 2
    assert Event.objects.get(pk=event.pk).mention_count == 2
