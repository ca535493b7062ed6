"""Daily report in a real browser: the school that has not reported today confirms its report, and the bureau's
compliance view then shows that school as submitted instead of missing."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.browser
SCHOOL = "示范县实验小学"  # the demo leaves today's report of this school missing


def _status_of(journey, school: str) -> str:
    row = journey.page.locator("table.list tbody tr", has_text=school).first
    return row.locator("td").nth(1).locator("span").get_attribute("class") or ""


def test_daily_report_confirmed_then_seen_by_the_bureau(journey, chromium):
    journey.login("supervisor")
    journey.go("/reports/compliance/")
    assert journey.page.locator("table.list").count()
    before = journey.page.locator("table.list tbody tr", has_text=SCHOOL).first.inner_text()
    journey.shot("compliance-before")
    journey.page.context.clear_cookies()

    journey.login("primary-admin")
    journey.go("/reports/daily/")
    assert journey.page.locator("h1").count()
    journey.shot("daily-report")
    journey.phone_check("daily-report")
    confirm = journey.page.locator("form[action*='/confirm/'] textarea#remarks")
    assert confirm.count(), "today's report offers no confirmation to the school's publicity lead"
    confirm.fill("今日无涉校舆情，值班正常。")
    journey.page.locator("form[action*='/confirm/'] p.actions button").first.click()
    journey.page.wait_for_load_state("networkidle")
    assert journey.page.locator("form[action*='/confirm/'] textarea#remarks").count() == 0
    assert "今日无涉校舆情" in journey.page.content()
    journey.shot("daily-report-confirmed")
    journey.page.context.clear_cookies()

    journey.login("supervisor")
    journey.go("/reports/compliance/")
    after = journey.page.locator("table.list tbody tr", has_text=SCHOOL).first.inner_text()
    assert after != before
    assert "ok" in _status_of(journey, SCHOOL) or "late" in after or "迟" in after
    journey.shot("compliance-after")
    journey.phone_check("compliance")
    assert not journey.errors, journey.errors
