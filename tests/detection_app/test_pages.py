"""Pages and API of detection: permissions, judgement, scheme preview, malformed expressions."""

from __future__ import annotations

import pytest

from tests.detection_app.factories import scheme, store
from yuqing.audit.models import AuditRecord
from yuqing.detection.models import Event, Judgement, LevelRuleSet, Mention, Scheme, SensitivePeriod

pytestmark = pytest.mark.django_db

CANTEEN = "(第一中学 OR 一中) AND (食堂 OR 饭菜 OR 收费 OR 欺凌)"


@pytest.fixture
def story(world):
    scheme(world.school, CANTEEN, name="一中食堂")
    item = store(world.school, "第一中学食堂饭菜涨价，家长不满", comments=120, views=50)
    return Mention.objects.get(item=item)


def test_pages_render_for_a_monitor(world, login, story):
    client = login(world.monitor)
    for url in ["/detection/", "/detection/mentions/", "/detection/events/", f"/detection/events/{story.event_id}/",
                "/detection/schemes/", "/detection/levels/", "/detection/periods/"]:
        response = client.get(url)
        assert response.status_code == 200, url
    page = client.get(f"/detection/events/{story.event_id}/").content.decode()
    assert "comments 120 ≥ 100" in page and "重大" in page


def test_mention_filters(world, login, story):
    client = login(world.monitor)
    assert "家长不满" in client.get("/detection/mentions/?level=3").content.decode()
    assert "家长不满" not in client.get("/detection/mentions/?level=1").content.decode()
    assert "家长不满" not in client.get("/detection/mentions/?relevance=irrelevant").content.decode()


def test_monitor_judges_a_mention_with_htmx_and_it_is_audited(world, login, story):
    client = login(world.monitor)
    response = client.post(f"/detection/mentions/{story.pk}/judge/", {"sentiment": "positive"}, HTTP_HX_REQUEST="true")
    assert response.status_code == 200 and f'id="mention-{story.pk}"' in response.content.decode()
    client.post(f"/detection/mentions/{story.pk}/judge/", {"relevance": "irrelevant"})
    story.refresh_from_db()
    assert (story.judged_sentiment, story.relevance, story.judged_by) == ("positive", "irrelevant", world.monitor)
    assert Judgement.objects.filter(mention=story).count() == 2
    assert AuditRecord.objects.filter(action="mention.judge", actor=world.monitor).count() == 2


def test_editor_may_not_judge(world, login, story):
    response = login(world.editor).post(f"/detection/mentions/{story.pk}/judge/", {"sentiment": "positive"})
    assert response.status_code == 403
    assert not Judgement.objects.exists()


def test_other_school_cannot_see_mentions_or_events(world, login, story):
    client = login(world.other_admin)
    assert client.get(f"/detection/events/{story.event_id}/").status_code == 404
    assert client.post(f"/detection/mentions/{story.pk}/judge/", {"sentiment": "positive"}).status_code == 404
    assert "家长不满" not in client.get("/detection/mentions/").content.decode()
    assert client.get(f"/api/events/{story.event_id}/").status_code == 404
    assert client.get("/api/mentions/").json()["count"] == 0


def test_bureau_supervisor_sees_the_school_event(world, login, story):
    client = login(world.supervisor)
    assert client.get(f"/detection/events/{story.event_id}/").status_code == 200


def test_scheme_preview_shows_matches_of_the_last_week_before_saving(world, login):
    store(world.school, "第一中学食堂饭菜涨价，家长不满")
    store(world.school, "第一中学运动会")
    client = login(world.publicity)
    response = client.post("/detection/schemes/preview/", {"expression": "一中 AND 食堂"}, HTTP_HX_REQUEST="true")
    page = response.content.decode()
    assert response.status_code == 200
    assert "家长不满" in page and "运动会" not in page
    assert not Scheme.objects.exists()


def test_scheme_preview_of_a_malformed_expression_shows_position_and_reason(world, login):
    client = login(world.publicity)
    page = client.post("/detection/schemes/preview/", {"expression": "学校 (食堂 OR 宿舍"}).content.decode()
    assert "Character 3" in page or "3" in page
    assert "is never closed" in page


def test_scheme_create_refuses_a_malformed_expression_and_saves_a_good_one(world, login):
    client = login(world.publicity)
    response = client.post("/detection/schemes/new/", {"organization": world.school.pk, "name": "x",
                                                       "expression": "学校 AND", "enabled": "on"})
    assert response.status_code == 200 and "AND needs a keyword after it" in response.content.decode()
    response = client.post("/detection/schemes/new/", {"organization": world.school.pk, "name": "x",
                                                       "expression": "学校 AND 食堂", "enabled": "on"})
    assert response.status_code == 302
    assert AuditRecord.objects.filter(action="scheme.create").count() == 1


def test_editor_cannot_manage_schemes(world, login):
    assert login(world.editor).get("/detection/schemes/new/").status_code == 403


def test_api_scheme_validation_names_field_and_position(world, login):
    client = login(world.publicity)
    response = client.post("/api/schemes/", {"organization": "no1", "name": "x", "expression": "学校)"},
                           content_type="application/json")
    assert response.status_code == 400
    assert "expression" in response.json() and "character 2" in response.json()["expression"][0].lower()
    response = client.post("/api/schemes/", {"organization": "no1", "name": "x", "expression": "学校 食堂"},
                           content_type="application/json")
    assert response.status_code == 201, response.content
    assert client.get("/api/schemes/").json()["count"] == 1


def test_api_events_have_level_history_and_judgements_post(world, login, story):
    client = login(world.monitor)
    event = client.get(f"/api/events/{story.event_id}/").json()
    assert [c["to_label"] for c in event["level_history"]] == ["重大"]
    response = client.post("/api/judgements/", {"mention": story.pk, "relevance": "relevant"},
                           content_type="application/json")
    assert response.status_code == 201, response.content
    assert client.get("/api/mentions/?relevance=relevant").json()["count"] == 1


def test_api_schema_lists_detection_endpoints(world, login):
    schema = login(world.root).get("/api/schema/").content.decode()
    for path in ["/api/schemes/", "/api/mentions/", "/api/events/", "/api/judgements/"]:
        assert path in schema


def test_level_rules_form_saves_an_override_and_school_sees_inherited_values(world, login):
    client = login(world.bureau_admin)
    response = client.post("/detection/levels/bureau-a/", {"major__comments": "80"})
    assert response.status_code == 302
    assert LevelRuleSet.objects.get(organization=world.bureau).rules == {"levels": {"major": {"comments": 80}}}
    page = login(world.monitor).get("/detection/levels/no1/").content.decode()
    assert "Inherited: 80" in page


def test_sensitive_period_is_created_for_whole_days(world, login):
    client = login(world.publicity)
    response = client.post("/detection/periods/", {"organization": world.school.pk, "name": "中考",
                                                   "starts": "2026-06-20", "ends": "2026-06-22", "poll_factor": "0.5"})
    assert response.status_code == 302
    period = SensitivePeriod.objects.get()
    assert (period.ends_at - period.starts_at).days == 3
    assert AuditRecord.objects.filter(action="sensitive_period.create").exists()


def test_a_person_may_lower_a_level_and_automatic_grading_respects_it(world, login, story):
    from tests.detection_app.factories import update_metrics

    client = login(world.monitor)
    client.post(f"/detection/events/{story.event_id}/level/", {"level": "1", "reason": "已核实为旧闻"})
    update_metrics(story.item, comments=130)
    assert Event.objects.get().level == 1
    update_metrics(story.item, comments=600)
    assert Event.objects.get().level == 4


def test_level_rules_form_sets_how_topics_act_and_the_reach_floor(world, login):
    client = login(world.bureau_admin)
    response = client.post("/detection/levels/bureau-a/", {"topics__propose_only": "1",
                                                           "topics__floor__comments": "20",
                                                           "topics__floor__clicks": "0"})
    assert response.status_code == 302
    assert LevelRuleSet.objects.get(organization=world.bureau).rules == {
        "topics": {"propose_only": True, "reach_floor": {"comments": 20, "clicks": None}}}
    assert AuditRecord.objects.filter(action="level_rules.update").exists()
    page = login(world.monitor).get("/detection/levels/no1/").content.decode()
    assert "Inherited: 20" in page
