"""Journeys through monitoring and detection in a real browser, as the demo's people."""

from __future__ import annotations

import io
import time

import pytest

pytestmark = pytest.mark.browser


def _wait_for_rows(journey, path: str, selector: str, seconds: float = 90):
    """The embedded worker collects the demo feeds shortly after start; wait until `selector` shows on `path`."""
    deadline = time.monotonic() + seconds
    while True:
        journey.go(path)
        if journey.page.locator(selector).count():
            return
        if time.monotonic() > deadline:
            raise AssertionError(f"nothing matching {selector} on {path} after {seconds} s")
        time.sleep(3)


def test_monitor_logs_in_reads_the_dashboard_judges_a_mention_and_opens_its_event(journey):
    journey.login("monitor")
    journey.go("/detection/")
    assert journey.page.locator("h1").first.inner_text()
    journey.shot("dashboard")
    _wait_for_rows(journey, "/detection/mentions/", "tr[id^=mention-]")
    journey.shot("mentions")
    row = journey.page.locator("tr[id^=mention-]").first
    row_id = row.get_attribute("id")
    row.locator("button[name=sentiment][value=negative]").click()
    journey.page.wait_for_selector(f"#{row_id} strong")  # htmx swapped in the judged row
    assert "已研判" in journey.page.locator(f"#{row_id}").inner_text() or \
        "负面" in journey.page.locator(f"#{row_id}").inner_text()
    journey.shot("judged")
    journey.page.locator(f"#{row_id} a[href*='/detection/events/']").first.click()
    journey.page.wait_for_load_state("networkidle")
    assert "/detection/events/" in journey.page.url
    assert journey.page.locator(".level").count()
    journey.shot("event")


def test_administrator_adds_a_source_and_tests_it_now(journey):
    journey.login("school-admin")
    journey.go("/monitoring/sources/new/")
    journey.page.fill("#id_name", "浏览器测试订阅源")
    journey.page.select_option("#id_kind", "rss")
    journey.page.fill("#id_url", f"{journey.site.url}/demo-feeds/county-news.xml")
    journey.page.check("#id_allow_private")
    journey.shot("new-source")
    journey.page.locator("form button.primary").click()
    journey.page.wait_for_load_state("networkidle")
    assert "/monitoring/sources/" in journey.page.url
    test_button = journey.page.locator("form[hx-post*='/test/'] button")
    test_button.click()
    journey.page.wait_for_selector("#test-result table, #test-result .errors", timeout=30_000)
    result = journey.page.locator("#test-result").inner_text()
    assert "将采集" in result, result
    assert "comments" not in result
    journey.shot("tested")


def _png() -> bytes:
    from PIL import Image, ImageDraw

    image = Image.new("RGB", (320, 200), "white")
    ImageDraw.Draw(image).rectangle([20, 20, 300, 180], outline="red", width=4)
    out = io.BytesIO()
    image.save(out, format="PNG")
    return out.getvalue()


def test_editor_reports_a_tip_with_a_screenshot_and_sees_it_as_evidence(journey):
    journey.login("editor")
    journey.page.locator(".mainnav a[href='/monitoring/tips/new/']").click()
    journey.page.wait_for_load_state("networkidle")
    journey.page.fill("#id_title", "家长群里转发的截图")
    journey.page.fill("#id_text", "有家长在群里说第一中学食堂的饭菜有异味，附截图。")
    journey.page.set_input_files("#id_screenshot", files=[{"name": "shot.png", "mimeType": "image/png",
                                                           "buffer": _png()}])
    journey.shot("tip-form")
    journey.page.locator("form button.primary").click()
    journey.page.wait_for_load_state("networkidle")
    assert "/monitoring/items/" in journey.page.url
    thumb = journey.page.locator("img.thumb")
    assert thumb.count() == 1
    assert journey.page.evaluate("(img) => img.naturalWidth", thumb.element_handle()) == 320
    assert journey.page.locator("a[download]").count() >= 1
    journey.shot("tip-item")


def test_scheme_with_a_malformed_expression_shows_the_error_in_chinese(journey):
    journey.login("publicity")
    journey.go("/detection/schemes/new/")
    journey.page.fill("#id_name", "括号未闭合")
    journey.page.fill("#id_expression", "一中 AND (食堂 OR 饭菜")
    journey.page.locator("button[hx-post*='preview']").click()
    journey.page.wait_for_selector("#preview .error")
    message = journey.page.locator("#preview .error").inner_text()
    assert "括号" in message and "unclosed" not in message, message
    journey.shot("preview-error")
    journey.page.locator("#scheme-form button.primary").click()
    journey.page.wait_for_load_state("networkidle")
    assert "括号" in journey.page.locator(".has-error, .errors").first.inner_text()
    journey.shot("save-error")


PHONE_PAGES = ["/detection/", "/detection/mentions/", "/detection/events/", "/monitoring/items/",
               "/monitoring/sources/", "/detection/schemes/", "/notify/", "/notify/roster/", "/audit/",
               "/people/", "/orgs/", "/detection/levels/", "/system/"]


def test_pages_fit_a_phone_and_the_menu_folds_behind_a_button(phone_journey):
    j = phone_journey
    j.login("school-admin")
    j.go("/detection/")
    assert not j.page.locator(".mainnav").is_visible()
    j.page.locator(".navtoggle").click()
    assert j.page.locator(".mainnav").is_visible()
    j.shot("menu-open")
    for path in PHONE_PAGES:
        response = j.go(path)
        assert response.status == 200, path
        j.no_overflow()
        j.shot(path.strip("/").replace("/", "-") or "home")
