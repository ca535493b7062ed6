"""Panels other modules add to the monitoring dashboard, without detection importing them.

Reports reads cases, deadlines, daily reports and the registry; detection must not import those (dependencies
point down). So a module registers a provider at import of its own module (from `apps.ready()`), like the
inbox's task providers, and the dashboard renders whatever the providers return:

    from yuqing.detection.panels import Panel, dashboard_panel

    @dashboard_panel
    def league(request, org, window) -> Panel | None:
        return Panel("reports/_league.html", {"rows": ...}, order=20)

A provider runs a fixed number of grouped queries; it returns None when it has nothing for this organisation.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime


@dataclass(frozen=True)
class Window:
    """The dashboard's time range: today, the last 7 or the last 30 days (Asia/Shanghai days, today included)."""

    key: str  # "today" | "7" | "30"
    first: date
    last: date
    start: datetime
    end: datetime

    @property
    def days(self) -> list[date]:
        return [date.fromordinal(n) for n in range(self.first.toordinal(), self.last.toordinal() + 1)]


@dataclass
class Panel:
    template: str
    context: dict = field(default_factory=dict)
    order: int = 100


_providers: list[Callable] = []


def dashboard_panel(provider: Callable) -> Callable:
    if provider not in _providers:
        _providers.append(provider)
    return provider


def panels_for(request, org, window: Window) -> list[Panel]:
    found = [p for p in (provider(request, org, window) for provider in _providers) if p is not None]
    return sorted(found, key=lambda p: p.order)
