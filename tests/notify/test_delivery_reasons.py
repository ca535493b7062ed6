"""Why an alert went to a delivery (推送原因) reads as a label, not as routing's code."""

import pytest

from tests.notify.conftest import make_event
from yuqing.notify.models import Delivery, Notifier

pytestmark = pytest.mark.django_db


def test_delivery_reasons_are_labels_in_chinese(world, login, settings):
    from yuqing.levels import Level
    from yuqing.notify.alerts import raise_alert

    settings.LANGUAGE_CODE = "zh-hans"
    alert = raise_alert(make_event(world.school), Level.GENERAL, ["x"])
    notifier = Notifier.objects.create(organization=world.school, name="办公室群", kind=Notifier.Kind.WEBHOOK,
                                       config={"url": "https://example.cn/hook"})
    Delivery.objects.create(alert=alert, notifier=notifier, reason="channel")
    Delivery.objects.create(alert=alert, notifier=notifier, recipient="duty@no1.example.cn", reason="on duty")
    client = login(world.publicity)
    for path in (f"/notify/alerts/{alert.pk}/", "/notify/alerts/"):
        page = client.get(path).content.decode()
        assert ">channel<" not in page and "(channel)" not in page and "on duty" not in page, path
    page = client.get(f"/notify/alerts/{alert.pk}/").content.decode()
    assert "通知渠道" in page and "值班人员" in page
