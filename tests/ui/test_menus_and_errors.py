"""Menus shaped by role, styled Chinese 403/404 pages with a way back, and a few pages that showed codes."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.django_db


def _zh(client):
    client.post("/i18n/setlang/", {"language": "zh-hans", "next": "/"})
    return client


def _nav(page: str) -> str:
    return page.split('<nav class="mainnav"', 1)[1].split("</nav>", 1)[0]


def test_an_editor_sees_only_what_they_can_use(world, login):
    nav = _nav(_zh(login(world.editor)).get("/detection/").content.decode())
    assert "事件" in nav and "报送线索" in nav
    for hidden in ("/monitoring/sources/", "/detection/schemes/", "/audit/", "/system/", "/people/", "/notify/"):
        assert hidden not in nav, hidden


def test_an_administrator_sees_the_whole_menu(world, login):
    nav = _nav(login(world.school_admin).get("/detection/").content.decode())
    for shown in ("/monitoring/sources/", "/detection/schemes/", "/audit/", "/system/", "/people/", "/notify/"):
        assert shown in nav, shown


def test_forbidden_page_says_so_in_chinese_with_a_way_back(world, login):
    client = _zh(login(world.editor))
    response = client.get("/monitoring/import/")
    assert response.status_code == 403
    page = response.content.decode()
    assert "您无权使用此页面" in page and "返回首页" in page and 'class="topbar"' in page
    assert "you may not" not in page.lower()


def test_audit_log_tells_a_person_without_the_right_they_may_not_read_it(world, login):
    client = _zh(login(world.reviewer1))
    response = client.get("/audit/")
    assert response.status_code == 403
    assert "审计日志" in response.content.decode() and "暂无记录" not in response.content.decode()
    assert client.get("/audit/export.csv").status_code == 403
    assert login(world.leader).get("/audit/").status_code == 200


def test_missing_page_is_styled_and_chinese(world, login, settings):
    settings.DEBUG = False
    client = _zh(login(world.editor))
    response = client.get("/no-such-page/")
    assert response.status_code == 404
    page = response.content.decode()
    assert "页面不存在" in page and "返回首页" in page and 'class="topbar"' in page


def test_server_error_page_renders_on_its_own():
    from django.template.loader import render_to_string
    from django.utils import translation

    with translation.override("zh-hans"):
        page = render_to_string("500.html")
    assert "出错" in page and 'href="/"' in page


def test_new_person_form_defaults_to_the_least_privileged_role(world, login):
    from yuqing.orgs.models import Role
    from yuqing.orgs.permissions import ROLE_PERMS, least_privileged_role

    role = least_privileged_role()
    assert role != Role.ADMIN
    assert len(ROLE_PERMS[role]) == min(len(p) for p in ROLE_PERMS.values())
    page = login(world.school_admin).get(f"/orgs/{world.school.slug}/people/new/").content.decode()
    assert f'<option value="{role}" selected>' in page


def test_level_rules_in_effect_are_a_table_not_a_dict(world, login):
    page = _zh(login(world.publicity)).get("/detection/levels/").content.decode()
    effect = page.split("当前生效", 1)[1]
    assert "{'" not in effect and "sensitive_factor" not in effect
    assert "食品安全" in effect and "food_safety" not in effect
    assert "特别重大" in effect


def test_codes_are_shown_as_labels(world, login):
    from yuqing.audit.log import record
    from yuqing.labels import label

    client = _zh(login(world.school_admin))
    record(actor=world.school_admin, action="event.level_change", obj=world.school, organization=world.school)
    page = client.get("/audit/").content.decode()
    assert "更改级别" in page
    page = client.get("/system/").content.decode()
    assert "monitoring.collect" not in page.split("<tbody>", 1)[1].replace('title="monitoring.collect"', "")
    from django.utils import translation

    with translation.override("zh-hans"):
        assert label("weibo", "platform") == "微博" and label("food_safety", "category") == "食品安全"
    with translation.override("en"):
        assert label("weibo", "platform") == "Weibo" and label("unknown_code", "platform") == "unknown code"
