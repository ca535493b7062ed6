"""The Content-Security-Policy in a real browser: no page's own script is refused, and the charts still draw."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.browser


def test_pages_run_under_the_policy_and_draw_their_charts(journey):
    refused = []
    journey.page.on("console", lambda msg: refused.append(msg.text)
                    if "Content Security Policy" in msg.text or "Refused to" in msg.text else None)
    journey.login("publicity")
    for path in ("/", "/detection/", "/detection/events/", "/monitoring/items/", "/publishing/", "/accounts/tokens/"):
        journey.go(path)
    journey.go("/detection/")
    assert journey.page.evaluate("Boolean(window.Chart && Chart.getChart(document.getElementById('dash-trend')))")
    link = journey.page.locator("a[href*='/detection/events/']").first
    if link.count():
        link.click()
        journey.page.wait_for_load_state("networkidle")
        if journey.page.locator("canvas#trend").count():
            assert journey.page.evaluate("Boolean(Chart.getChart(document.getElementById('trend')))")
    assert not refused, refused
    assert not journey.errors, journey.errors
