"""Level grading (分级) of mentions and events by configurable rules with the SPEC R4.6 defaults."""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, fields
from typing import Any

from yuqing.levels import Level  # re-exported: detection.grading.Level is how older code names it

__all__ = [
    "DEFAULT_ESCALATION_CATEGORIES",
    "DEFAULT_RULES",
    "DEFAULT_SENSITIVE_FACTOR",
    "Grading",
    "Level",
    "LevelRules",
    "Metrics",
    "RulesError",
    "Thresholds",
    "TopicRule",
    "grade",
]


# ---------------------------------------------------------------------------------------------- rules

DEFAULT_SENSITIVE_FACTOR = 0.5
# Codes of the analysis taxonomy for "touching safety, health, food, disasters" (SPEC R4.6).
DEFAULT_ESCALATION_CATEGORIES = frozenset({"safety_accident", "health", "food_safety", "disaster"})

CATEGORY_NAMES_ZH = {
    "safety_accident": "安全事故",
    "health": "卫生健康",
    "food_safety": "食品安全",
    "disaster": "灾害",
    "bullying": "校园欺凌",
    "teacher_conduct": "师德师风",
    "fees": "收费",
    "admissions": "招生",
    "rumour": "谣言",
}


class RulesError(ValueError):
    """Invalid rules: `field` is the dotted path of the bad value (e.g. `levels.major.comments`)."""

    def __init__(self, field_name: str, reason: str) -> None:
        super().__init__(f"{field_name}: {reason}")
        self.field = field_name
        self.reason = reason


@dataclass(frozen=True)
class Thresholds:
    """What lifts an event to one level; any one condition suffices, `None` switches a condition off.

    `sensitive_mainstream_reposts` only counts during a sensitive period (SPEC: "reposted by fewer than
    5 mainstream sites while drawing attention in a sensitive period").
    """

    clicks: int | None = None
    comments: int | None = None
    mainstream_reposts: int | None = None
    sensitive_mainstream_reposts: int | None = None
    categories: frozenset[str] = frozenset()
    severe_image_harm: bool = False

    def to_dict(self) -> dict[str, Any]:
        return {
            "clicks": self.clicks,
            "comments": self.comments,
            "mainstream_reposts": self.mainstream_reposts,
            "sensitive_mainstream_reposts": self.sensitive_mainstream_reposts,
            "categories": sorted(self.categories),
            "severe_image_harm": self.severe_image_harm,
        }


# Thresholds scaled by the sensitive-period factor; the sensitive-only repost rule is already a
# sensitive-period rule and is not scaled again.
_SCALED_FIELDS = ("clicks", "comments", "mainstream_reposts")
_COUNT_FIELDS = (*_SCALED_FIELDS, "sensitive_mainstream_reposts")
_THRESHOLD_FIELDS = {f.name for f in fields(Thresholds)}


_FLOOR_FIELDS = ("clicks", "comments", "mainstream_reposts")


@dataclass(frozen=True)
class TopicRule:
    """How a topic criterion (categories of concern, severe image harm) acts on the level.

    With `propose_only` (the default) a topic only *proposes* its level (待研判) unless the event also reaches
    the reach floor (any one of `clicks`, `comments`, `mainstream_reposts`; `None` switches one off): otherwise
    every complaint about the canteen would be 特别重大. Without it a topic grades at once, as reach does.
    """

    propose_only: bool = True
    clicks: int | None = 500
    comments: int | None = 50
    mainstream_reposts: int | None = 1

    def to_dict(self) -> dict[str, Any]:
        return {"propose_only": self.propose_only,
                "reach_floor": {name: getattr(self, name) for name in _FLOOR_FIELDS}}


DEFAULT_TOPIC_RULE = TopicRule()


@dataclass(frozen=True)
class LevelRules:
    """Thresholds per level, the sensitive-period factor and how topics act (propose or grade)."""

    levels: Mapping[Level, Thresholds] = field(default_factory=dict)
    sensitive_factor: float = DEFAULT_SENSITIVE_FACTOR
    topics: TopicRule = DEFAULT_TOPIC_RULE

    def __post_init__(self) -> None:
        # Every graded level present (empty = switched off) so that equal rules compare equal.
        complete = {level: self.levels.get(level, Thresholds()) for level in Level if level is not Level.GENERAL}
        object.__setattr__(self, "levels", complete)

    @classmethod
    def defaults(cls) -> LevelRules:
        return DEFAULT_RULES

    def thresholds(self, level: Level) -> Thresholds:
        return self.levels.get(level, Thresholds())

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form; `from_dict(to_dict())` gives equal rules."""
        return {
            "sensitive_factor": self.sensitive_factor,
            "levels": {
                level.code: self.thresholds(level).to_dict() for level in Level if level is not Level.GENERAL
            },
            "topics": self.topics.to_dict(),
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any] | None) -> LevelRules:
        """Rules from stored JSON; missing parts take the SPEC defaults. Raises `RulesError`."""
        return DEFAULT_RULES.merged(data or {})

    def merged(self, override: Mapping[str, Any]) -> LevelRules:
        """These rules with `override` on top (field by field), e.g. a school's changes to its bureau's."""
        if not isinstance(override, Mapping):
            raise RulesError("rules", "must be an object")
        base = self.to_dict()
        for key, value in override.items():
            if key == "sensitive_factor":
                base[key] = value
            elif key == "levels":
                if not isinstance(value, Mapping):
                    raise RulesError("levels", "must be an object keyed by level")
                for level_key, level_override in value.items():
                    try:
                        level = Level.from_label(level_key)
                    except ValueError:
                        raise RulesError(f"levels.{level_key}", "unknown level") from None
                    if level is Level.GENERAL:
                        if level_override:
                            raise RulesError(
                                f"levels.{level_key}", "一般 is the level below every threshold; it takes none"
                            )
                        continue
                    if not isinstance(level_override, Mapping):
                        raise RulesError(f"levels.{level_key}", "must be an object")
                    for name in level_override:
                        if name not in _THRESHOLD_FIELDS:
                            raise RulesError(f"levels.{level_key}.{name}", "unknown field")
                    base["levels"][level.code].update(level_override)
            elif key == "topics":
                if not isinstance(value, Mapping):
                    raise RulesError("topics", "must be an object")
                for name, topic_value in value.items():
                    if name == "propose_only":
                        base["topics"]["propose_only"] = topic_value
                    elif name == "reach_floor":
                        if not isinstance(topic_value, Mapping):
                            raise RulesError("topics.reach_floor", "must be an object")
                        for floor_name in topic_value:
                            if floor_name not in _FLOOR_FIELDS:
                                raise RulesError(f"topics.reach_floor.{floor_name}", "unknown field")
                        base["topics"]["reach_floor"].update(topic_value)
                    else:
                        raise RulesError(f"topics.{name}", "unknown field")
            else:
                raise RulesError(str(key), "unknown field")
        return _parse_rules(base)


def _parse_rules(data: Mapping[str, Any]) -> LevelRules:
    factor = data["sensitive_factor"]
    if isinstance(factor, bool) or not isinstance(factor, int | float) or not 0 < factor <= 1:
        raise RulesError("sensitive_factor", "must be a number greater than 0 and at most 1")
    levels: dict[Level, Thresholds] = {}
    for code, raw in data["levels"].items():
        levels[Level.from_label(code)] = _parse_thresholds(f"levels.{code}", raw)
    rules = LevelRules(levels=levels, sensitive_factor=float(factor), topics=_parse_topics(data["topics"]))
    _check_ordering(rules)
    return rules


def _parse_topics(raw: Mapping[str, Any]) -> TopicRule:
    propose_only = raw.get("propose_only", True)
    if not isinstance(propose_only, bool):
        raise RulesError("topics.propose_only", "must be true or false")
    floor = raw.get("reach_floor") or {}
    values: dict[str, Any] = {}
    for name in _FLOOR_FIELDS:
        value = floor.get(name)
        if value is not None and (isinstance(value, bool) or not isinstance(value, int) or value < 1):
            raise RulesError(f"topics.reach_floor.{name}",
                             "must be a whole number of at least 1, or null to switch it off")
        values[name] = value
    return TopicRule(propose_only=propose_only, **values)


def _parse_thresholds(path: str, raw: Mapping[str, Any]) -> Thresholds:
    values: dict[str, Any] = {}
    for name in _COUNT_FIELDS:
        value = raw.get(name)
        if value is not None and (isinstance(value, bool) or not isinstance(value, int) or value < 1):
            raise RulesError(f"{path}.{name}", "must be a whole number of at least 1, or null to switch it off")
        values[name] = value
    categories = raw.get("categories") or []
    if isinstance(categories, str) or not isinstance(categories, Iterable):
        raise RulesError(f"{path}.categories", "must be a list of category codes")
    categories = list(categories)
    for category in categories:
        if not isinstance(category, str) or not category.strip():
            raise RulesError(f"{path}.categories", f"{category!r} is not a category code")
    harm = raw.get("severe_image_harm", False)
    if not isinstance(harm, bool):
        raise RulesError(f"{path}.severe_image_harm", "must be true or false")
    return Thresholds(**values, categories=frozenset(c.strip() for c in categories), severe_image_harm=harm)


def _check_ordering(rules: LevelRules) -> None:
    """A higher level must not be easier to reach than a lower one, or grading would skip levels oddly."""
    graded = [level for level in Level if level is not Level.GENERAL]
    for name in _COUNT_FIELDS:
        lower_level: Level | None = None
        for level in graded:
            value = getattr(rules.thresholds(level), name)
            if value is None:
                continue
            if lower_level is not None:
                lower_value = getattr(rules.thresholds(lower_level), name)
                if value < lower_value:
                    raise RulesError(
                        f"levels.{level.code}.{name}",
                        f"{value} is lower than {lower_value} for the lower level {lower_level.label}",
                    )
            lower_level = level


DEFAULT_RULES = LevelRules(
    levels={
        Level.MAJOR: Thresholds(clicks=1000, comments=100, sensitive_mainstream_reposts=1),
        Level.ESPECIALLY_MAJOR: Thresholds(
            clicks=3000,
            comments=500,
            mainstream_reposts=5,
            categories=DEFAULT_ESCALATION_CATEGORIES,
            severe_image_harm=True,
        ),
    },
    sensitive_factor=DEFAULT_SENSITIVE_FACTOR,
)

# ---------------------------------------------------------------------------------------------- grading


@dataclass(frozen=True)
class Metrics:
    """Counters of a post or the sum over an event's posts."""

    clicks: int = 0
    comments: int = 0
    reposts: int = 0
    likes: int = 0

    @classmethod
    def from_mapping(cls, data: Mapping[str, Any]) -> Metrics:
        known = {f.name for f in fields(cls)}
        return cls(**{k: int(v or 0) for k, v in data.items() if k in known})


@dataclass(frozen=True)
class Grading:
    """The level reached and why, in English (`reasons`) and Chinese (`reasons_zh`).

    `proposed` is a higher level a topic criterion suggests but that has not taken effect (待研判): a person
    confirms it, or the event reaches the topics' reach floor. `None` when there is nothing to confirm.
    """

    level: Level
    reasons: list[str]
    reasons_zh: list[str]
    proposed: Level | None = None
    proposed_reasons: list[str] = field(default_factory=list)
    proposed_reasons_zh: list[str] = field(default_factory=list)

    @property
    def reason(self) -> str:
        return "; ".join(self.reasons)

    @property
    def reason_zh(self) -> str:
        return "；".join(self.reasons_zh)

    @property
    def proposed_reason(self) -> str:
        return "; ".join(self.proposed_reasons)

    @property
    def proposed_reason_zh(self) -> str:
        return "；".join(self.proposed_reasons_zh)

    def to_dict(self) -> dict[str, Any]:
        out = {"level": self.level.code, "label": self.level.label, "reasons": self.reasons,
               "reasons_zh": self.reasons_zh}
        if self.proposed is not None:
            out["proposed"] = {"level": self.proposed.code, "label": self.proposed.label,
                               "reasons": self.proposed_reasons, "reasons_zh": self.proposed_reasons_zh}
        return out


_FIELD_NAMES = {
    "clicks": ("clicks", "点击量"),
    "comments": ("comments", "评论数"),
    "mainstream_reposts": ("mainstream reposts", "主流网站转载数"),
    "sensitive_mainstream_reposts": ("mainstream reposts during a sensitive period", "敏感期内主流网站转载数"),
}


def _effective(threshold: int, name: str, in_sensitive_period: bool, factor: float) -> int:
    if in_sensitive_period and name in _SCALED_FIELDS and factor < 1:
        # Round up so that a factor never turns a threshold into 0 (which would match everything).
        return max(1, math.ceil(threshold * factor - 1e-9))
    return threshold


def _check_reach(
    thresholds: Thresholds, values: Mapping[str, int], in_sensitive_period: bool, factor: float,
) -> tuple[list[str], list[str]]:
    reasons: list[str] = []
    reasons_zh: list[str] = []
    for name in _COUNT_FIELDS:
        threshold = getattr(thresholds, name)
        if threshold is None:
            continue
        if name == "sensitive_mainstream_reposts" and not in_sensitive_period:
            continue
        effective = _effective(threshold, name, in_sensitive_period, factor)
        value = values[name]
        if value >= effective:
            english, chinese = _FIELD_NAMES[name]
            if effective != threshold:
                reasons.append(f"{english} {value} ≥ {effective} ({threshold} × {factor:g} in a sensitive period)")
                reasons_zh.append(f"{chinese} {value} ≥ {effective}（敏感期 {threshold} × {factor:g}）")
            else:
                reasons.append(f"{english} {value} ≥ {threshold}")
                reasons_zh.append(f"{chinese} {value} ≥ {threshold}")
    return reasons, reasons_zh


def _check_topic(
    thresholds: Thresholds, categories: frozenset[str], severe_image_harm: bool,
) -> tuple[list[str], list[str]]:
    reasons: list[str] = []
    reasons_zh: list[str] = []
    for category in sorted(categories & thresholds.categories):
        # reasons are read by people: the category's name, never its code
        reasons.append(f"touches {category.replace('_', ' ')}")
        name_zh = CATEGORY_NAMES_ZH.get(category)
        reasons_zh.append(f"涉及{name_zh}" if name_zh else f"涉及类别 {category}")
    if severe_image_harm and thresholds.severe_image_harm:
        reasons.append("severely harms the school's image")
        reasons_zh.append("严重损害学校形象")
    return reasons, reasons_zh


def _check_floor(topics: TopicRule, values: Mapping[str, int]) -> tuple[list[str], list[str]]:
    reasons: list[str] = []
    reasons_zh: list[str] = []
    for name in _FLOOR_FIELDS:
        floor = getattr(topics, name)
        if floor is not None and values[name] >= floor:
            english, chinese = _FIELD_NAMES[name]
            reasons.append(f"{english} {values[name]} ≥ {floor} (topic reach floor)")
            reasons_zh.append(f"{chinese} {values[name]} ≥ {floor}（话题生效门槛）")
    return reasons, reasons_zh


def _highest(found: dict[Level, tuple[list[str], list[str]]]) -> tuple[Level | None, list[str], list[str]]:
    for level in sorted(found, reverse=True):
        if found[level][0]:
            return level, *found[level]
    return None, [], []


def grade(
    metrics: Metrics | Mapping[str, Any],
    categories: Iterable[str] = (),
    mainstream_reposts: int = 0,
    in_sensitive_period: bool = False,
    rules: LevelRules | None = None,
    *,
    severe_image_harm: bool = False,
    submitted_level: Level | None = None,
) -> Grading:
    """The highest level reached, with every reason met, and any higher level a topic only proposes.

    Reach thresholds (any one condition suffices) grade at once. A topic (category of concern, severe image
    harm) grades at once only when `rules.topics.propose_only` is off or the reach floor is met; otherwise it
    comes back as `proposed`. `submitted_level` is the level a tip's submitter chose: a person's decision.
    """
    rules = rules or DEFAULT_RULES
    if not isinstance(metrics, Metrics):
        metrics = Metrics.from_mapping(metrics)
    values = {
        "clicks": metrics.clicks,
        "comments": metrics.comments,
        "mainstream_reposts": mainstream_reposts,
        "sensitive_mainstream_reposts": mainstream_reposts,
    }
    category_set = frozenset(categories)
    graded = [level for level in Level if level is not Level.GENERAL]
    reach = {level: _check_reach(rules.thresholds(level), values, in_sensitive_period, rules.sensitive_factor)
             for level in graded}
    topic = {level: _check_topic(rules.thresholds(level), category_set, severe_image_harm) for level in graded}
    level, reasons, reasons_zh = _highest(reach)
    level = level or Level.GENERAL
    if submitted_level is not None and submitted_level > level:
        level = submitted_level
        reasons = [f"set to {submitted_level.english} by the tip's submitter"]
        reasons_zh = [f"报料人设定为{submitted_level.label}"]
    topic_level, topic_reasons, topic_reasons_zh = _highest(topic)
    proposed = None
    proposed_reasons: list[str] = []
    proposed_reasons_zh: list[str] = []
    if topic_level is not None and topic_level > level:
        floor, floor_zh = _check_floor(rules.topics, values)
        if not rules.topics.propose_only or floor:
            level, reasons, reasons_zh = topic_level, topic_reasons + floor, topic_reasons_zh + floor_zh
        else:
            proposed, proposed_reasons, proposed_reasons_zh = topic_level, topic_reasons, topic_reasons_zh
    elif topic_level is not None and topic_level == level and level is not Level.GENERAL:
        reasons, reasons_zh = reasons + topic_reasons, reasons_zh + topic_reasons_zh
    if level is Level.GENERAL and not reasons:
        reasons, reasons_zh = ["no escalation threshold reached"], ["未达到升级标准"]
    return Grading(level, reasons, reasons_zh, proposed, proposed_reasons, proposed_reasons_zh)
