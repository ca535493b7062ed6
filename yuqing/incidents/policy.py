"""The deadlines a case must meet, by level, with the defaults of seed 001 (篇十三, 篇二十二); pure.

一般 (and 较大): forwarded to the responsible unit within 2 hours, explained or resolved within 1 day, the result
reported back. 重大 / 特别重大: reported to the leaders at once, authoritative information within 5 hours, a press
statement within 24 hours. An organisation may change any step; a school inherits its bureau's policy.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from datetime import datetime, timedelta

from yuqing.levels import Level

WALL = "wall"
WORKING = "working"

# Step kinds are stable codes (they key deadlines and the API); their labels live in STEP_LABELS.
FORWARD = "forward"
RESPOND = "respond"
REPORT_BACK = "report_back"
INFORM_LEADERS = "inform_leaders"
AUTHORITATIVE_INFO = "authoritative_info"
STATEMENT = "statement"
STEP_KINDS = (FORWARD, RESPOND, REPORT_BACK, INFORM_LEADERS, AUTHORITATIVE_INFO, STATEMENT)

# "At once" still needs a time on the clock: half an hour, in which the system itself reports to the leaders.
AT_ONCE_HOURS = 0.5


@dataclass(frozen=True)
class Step:
    kind: str
    hours: float
    clock: str = WALL  # wall-clock hours, or working hours within office hours

    def due(self, start: datetime) -> datetime:
        if self.clock == WORKING:
            from yuqing import worktime

            return worktime.add_working_hours(start, self.hours)
        return start + timedelta(hours=self.hours)


_GENERAL = (Step(FORWARD, 2), Step(RESPOND, 24), Step(REPORT_BACK, 24))
_MAJOR = (Step(INFORM_LEADERS, AT_ONCE_HOURS), Step(AUTHORITATIVE_INFO, 5), Step(STATEMENT, 24))

DEFAULT_STEPS: dict[Level, tuple[Step, ...]] = {
    Level.GENERAL: _GENERAL,
    Level.RELATIVELY_MAJOR: _GENERAL,
    Level.MAJOR: _MAJOR,
    Level.ESPECIALLY_MAJOR: _MAJOR,
}
DEFAULT_AUTO_OPEN_LEVEL = Level.MAJOR
DEFAULT_FOLLOW_UP_DAYS = 7


class PolicyError(ValueError):
    def __init__(self, field: str, reason: str):
        super().__init__(f"{field}: {reason}")
        self.field = field
        self.reason = reason


@dataclass(frozen=True)
class Policy:
    steps: dict[Level, tuple[Step, ...]]
    auto_open_level: Level = DEFAULT_AUTO_OPEN_LEVEL
    follow_up_days: int = DEFAULT_FOLLOW_UP_DAYS

    def steps_for(self, level: int | Level) -> tuple[Step, ...]:
        return self.steps[Level(level)]

    def needs_spokesperson(self, level: int | Level) -> bool:
        return Level(level) >= Level.MAJOR

    def needs_evaluation(self, level: int | Level) -> bool:
        return Level(level) >= Level.MAJOR

    def to_dict(self) -> dict:
        return {
            "steps": {lvl.code: [asdict(s) for s in steps] for lvl, steps in self.steps.items()},
            "auto_open_level": self.auto_open_level.code,
            "follow_up_days": self.follow_up_days,
        }


DEFAULT_POLICY = Policy(dict(DEFAULT_STEPS))


def _parse_steps(field: str, raw) -> tuple[Step, ...]:
    if not isinstance(raw, list):
        raise PolicyError(field, "a list of steps is expected")
    steps = []
    for i, entry in enumerate(raw):
        where = f"{field}[{i}]"
        if not isinstance(entry, dict):
            raise PolicyError(where, "a step is an object with kind and hours")
        kind = entry.get("kind")
        if kind not in STEP_KINDS:
            raise PolicyError(f"{where}.kind", f"unknown step {kind!r}")
        try:
            hours = float(entry.get("hours"))
        except (TypeError, ValueError) as exc:
            raise PolicyError(f"{where}.hours", "a number of hours is expected") from exc
        if not 0 < hours <= 24 * 30:
            raise PolicyError(f"{where}.hours", "between 0 and 720 hours")
        clock = entry.get("clock", WALL)
        if clock not in (WALL, WORKING):
            raise PolicyError(f"{where}.clock", "wall or working")
        steps.append(Step(kind, hours, clock))
    return tuple(steps)


def merge(base: Policy, changes: dict) -> Policy:
    """`base` with an organisation's changes: steps per level replaced whole, other settings as given."""
    from yuqing.levels import parse_level

    steps = dict(base.steps)
    for code, raw in (changes.get("steps") or {}).items():
        try:
            level = parse_level(code)
        except ValueError as exc:
            raise PolicyError(f"steps.{code}", "unknown level") from exc
        steps[level] = _parse_steps(f"steps.{code}", raw)
    auto = base.auto_open_level
    if changes.get("auto_open_level") not in (None, ""):
        try:
            auto = parse_level(changes["auto_open_level"])
        except ValueError as exc:
            raise PolicyError("auto_open_level", "unknown level") from exc
    days = base.follow_up_days
    if changes.get("follow_up_days") not in (None, ""):
        try:
            days = int(changes["follow_up_days"])
        except (TypeError, ValueError) as exc:
            raise PolicyError("follow_up_days", "a whole number of days is expected") from exc
        if not 0 <= days <= 90:
            raise PolicyError("follow_up_days", "between 0 and 90 days")
    return Policy(steps, auto, days)
