"""The demo configuration makes the demo canteen post an event of at least 重大."""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model

from tests.detection_app.factories import store
from yuqing.detection import demo
from yuqing.detection.models import Event, LevelRuleSet, Scheme, SensitivePeriod
from yuqing.orgs.models import Organization

pytestmark = pytest.mark.django_db


def test_demo_configures_schemes_and_the_canteen_post_reaches_major(monkeypatch):
    monkeypatch.setattr("yuqing.notify.alerts.raise_alert", lambda event, level, reasons: None)
    get_user_model().objects.create_superuser(username="root", password="x-very-long-password")
    bureau = Organization.objects.create(name="示范县教育局", slug="demo-bureau", kind="bureau")
    school = Organization.objects.create(name="示范县第一中学", slug="no1-middle", kind="school", parent=bureau)
    assert demo.load()
    assert demo.load() is None  # idempotent
    assert Scheme.objects.filter(organization=school).count() == 2
    assert LevelRuleSet.objects.filter(organization=bureau).exists()
    assert SensitivePeriod.objects.filter(organization=bureau).exists()
    store(school, "有家长反映，示范县第一中学食堂今天中午的饭菜里吃出了虫子，好几个孩子下午说肚子不舒服。",
          title="第一中学食堂饭菜里吃出虫子", comments=120, views=3000)
    assert Event.objects.filter(organization=school).order_by("-level").first().level >= 3
