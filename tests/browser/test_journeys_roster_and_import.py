"""Repeating duty shifts and a file import running as a background job, in a real browser (desktop and phone)."""

from __future__ import annotations

import time

import pytest

pytestmark = pytest.mark.browser



def test_publicity_lead_adds_a_weekly_shift_for_a_month(journey):
    journey.login("publicity")
    journey.go("/notify/roster/?week=2026-09-07")
    journey.page.select_option("#id_user", label=journey.page.locator("#id_user option").nth(1).inner_text())
    journey.page.fill("#id_starts_at", "2026-09-07T17:30")
    journey.page.fill("#id_ends_at", "2026-09-08T08:30")
    journey.page.fill("#id_note", "夜班（每周一、三）")
    journey.page.fill("#id_repeat_until", "2026-09-30")
    journey.page.check("#id_weekdays_0")
    journey.page.check("#id_weekdays_2")
    journey.page.check("#id_skip_non_working")
    journey.shot("roster-form")
    journey.phone_check("roster-form")
    journey.page.locator("form button.primary").click()
    journey.page.wait_for_load_state("networkidle")
    assert "8" in journey.page.locator(".messages").inner_text()
    assert journey.page.locator("text=夜班（每周一、三）").count() >= 2
    journey.shot("roster-week")
    journey.phone_check("roster-week")


def test_an_import_runs_in_the_background_and_shows_its_result(journey, tmp_path):
    rows = ["标题,内容,链接,时间,作者"] + [
        f"浏览器导入{i},第{i}条内容,https://example.cn/browser-import/{int(time.time())}/{i},2026-09-01 08:30,网友"
        for i in range(300)]
    path = tmp_path / "import.csv"
    path.write_text("\n".join(rows) + "\n", encoding="utf-8")
    journey.login("publicity")
    journey.go("/monitoring/import/")
    journey.page.set_input_files("#id_file", str(path))
    journey.page.locator("button[name=dry_run]").click()
    journey.page.wait_for_load_state("networkidle")
    assert journey.page.locator("#import-dry-run").count()
    journey.shot("dry-run")
    journey.phone_check("dry-run")
    journey.page.set_input_files("#id_file", str(path))
    journey.page.locator("form button.primary").click()
    journey.page.wait_for_load_state("networkidle")
    assert "/system/runs/" in journey.page.url
    journey.page.wait_for_selector("#import-result", timeout=60_000)  # htmx polled until the job finished
    assert "300" in journey.page.locator("#import-result").inner_text()
    journey.shot("import-result")
    journey.phone_check("import-result")
