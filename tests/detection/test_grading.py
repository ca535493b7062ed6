"""Level grading: SPEC R4.6 defaults at their boundaries, sensitive periods, aliases, stored rules."""

from __future__ import annotations

import json

import pytest

from yuqing.detection.grading import DEFAULT_RULES, Level, LevelRules, Metrics, RulesError, grade


@pytest.mark.parametrize(
    ("clicks", "comments", "expected"),
    [
        (999, 0, Level.GENERAL),
        (1000, 0, Level.MAJOR),
        (2999, 0, Level.MAJOR),
        (3000, 0, Level.ESPECIALLY_MAJOR),
        (0, 99, Level.GENERAL),
        (0, 100, Level.MAJOR),
        (0, 499, Level.MAJOR),
        (0, 500, Level.ESPECIALLY_MAJOR),
    ],
)
def test_default_thresholds_at_their_boundaries(clicks, comments, expected):
    assert grade(Metrics(clicks=clicks, comments=comments)).level is expected


def test_reason_says_which_threshold_was_crossed_in_english_and_chinese():
    result = grade({"comments": 120, "clicks": 10})
    assert result.level is Level.MAJOR
    assert result.reasons == ["comments 120 ≥ 100"]
    assert result.reasons_zh == ["评论数 120 ≥ 100"]


def test_every_condition_met_is_listed():
    result = grade(Metrics(clicks=5000, comments=800))
    assert result.reasons == ["clicks 5000 ≥ 3000", "comments 800 ≥ 500"]
    assert result.reason == "clicks 5000 ≥ 3000; comments 800 ≥ 500"


def test_quiet_post_is_general_with_a_reason():
    result = grade(Metrics())
    assert result.level is Level.GENERAL
    assert result.reasons == ["no escalation threshold reached"]


def test_five_mainstream_sites_make_it_especially_major_four_do_not():
    assert grade(Metrics(), mainstream_reposts=4).level is Level.GENERAL
    result = grade(Metrics(), mainstream_reposts=5)
    assert result.level is Level.ESPECIALLY_MAJOR
    assert result.reasons_zh == ["主流网站转载数 5 ≥ 5"]


def test_few_mainstream_reposts_make_it_major_only_during_a_sensitive_period():
    assert grade(Metrics(), mainstream_reposts=2).level is Level.GENERAL
    result = grade(Metrics(), mainstream_reposts=2, in_sensitive_period=True)
    assert result.level is Level.MAJOR
    assert result.reasons == ["mainstream reposts during a sensitive period 2 ≥ 1"]


def test_sensitive_period_halves_numeric_thresholds_by_default():
    assert grade(Metrics(comments=49), in_sensitive_period=True).level is Level.GENERAL
    result = grade(Metrics(comments=50), in_sensitive_period=True)
    assert result.level is Level.MAJOR
    assert result.reasons == ["comments 50 ≥ 50 (100 × 0.5 in a sensitive period)"]
    assert result.reasons_zh == ["评论数 50 ≥ 50（敏感期 100 × 0.5）"]
    assert grade(Metrics(clicks=1500), in_sensitive_period=True).level is Level.ESPECIALLY_MAJOR
    assert grade(Metrics(), mainstream_reposts=3, in_sensitive_period=True).level is Level.ESPECIALLY_MAJOR


def test_sensitive_factor_is_configurable():
    rules = LevelRules.from_dict({"sensitive_factor": 0.8})
    assert grade(Metrics(comments=79), in_sensitive_period=True, rules=rules).level is Level.GENERAL
    assert grade(Metrics(comments=80), in_sensitive_period=True, rules=rules).level is Level.MAJOR


@pytest.mark.parametrize("category", ["food_safety", "safety_accident", "health", "disaster"])
def test_safety_health_food_and_disaster_categories_only_propose_the_top_level_without_reach(category):
    result = grade(Metrics(), categories=[category, "fees"])
    assert result.level is Level.GENERAL
    assert result.proposed is Level.ESPECIALLY_MAJOR
    assert result.proposed_reasons == [f"touches {category.replace('_', ' ')}"]
    assert result.to_dict()["proposed"]["label"] == "特别重大"


@pytest.mark.parametrize(("metrics", "mainstream", "reason_zh"), [
    (Metrics(comments=50), 0, "评论数 50 ≥ 50（话题生效门槛）"),
    (Metrics(clicks=500), 0, "点击量 500 ≥ 500（话题生效门槛）"),
    (Metrics(), 1, "主流网站转载数 1 ≥ 1（话题生效门槛）"),
])
def test_a_category_of_concern_takes_effect_at_the_reach_floor(metrics, mainstream, reason_zh):
    result = grade(metrics, categories=["food_safety"], mainstream_reposts=mainstream)
    assert result.level is Level.ESPECIALLY_MAJOR
    assert result.proposed is None
    assert result.reasons_zh == ["涉及食品安全", reason_zh]


def test_just_below_the_reach_floor_the_category_still_only_proposes():
    result = grade(Metrics(clicks=499, comments=49), categories=["food_safety"])
    assert (result.level, result.proposed) == (Level.GENERAL, Level.ESPECIALLY_MAJOR)


def test_the_reach_floor_and_propose_only_are_configurable():
    rules = DEFAULT_RULES.merged({"topics": {"reach_floor": {"comments": 10, "clicks": None}}})
    assert grade(Metrics(comments=10), categories=["health"], rules=rules).level is Level.ESPECIALLY_MAJOR
    # Clicks no longer count towards the floor: 2,000 clicks grade 重大 by reach and 特别重大 stays proposed.
    switched_off = grade(Metrics(clicks=2000), categories=["health"], rules=rules)
    assert (switched_off.level, switched_off.proposed) == (Level.MAJOR, Level.ESPECIALLY_MAJOR)
    grading_at_once = DEFAULT_RULES.merged({"topics": {"propose_only": False}})
    result = grade(Metrics(), categories=["health"], rules=grading_at_once)
    assert (result.level, result.proposed) == (Level.ESPECIALLY_MAJOR, None)
    assert LevelRules.from_dict(rules.to_dict()) == rules


@pytest.mark.parametrize(("override", "field"), [
    ({"topics": {"propose_only": "yes"}}, "topics.propose_only"),
    ({"topics": {"reach_floor": {"comments": 0}}}, "topics.reach_floor.comments"),
    ({"topics": {"reach_floor": {"likes": 3}}}, "topics.reach_floor.likes"),
    ({"topics": {"quorum": 3}}, "topics.quorum"),
    ({"topics": []}, "topics"),
])
def test_bad_topic_rules_name_the_field(override, field):
    with pytest.raises(RulesError) as info:
        DEFAULT_RULES.merged(override)
    assert info.value.field == field


def test_reach_grades_at_once_and_a_higher_topic_level_is_proposed_on_top():
    result = grade(Metrics(comments=120), categories=["disaster"], rules=DEFAULT_RULES.merged(
        {"topics": {"reach_floor": {"comments": 200, "clicks": None, "mainstream_reposts": None}}}))
    assert result.level is Level.MAJOR
    assert result.proposed is Level.ESPECIALLY_MAJOR


def test_a_tip_submitters_level_is_taken():
    result = grade(Metrics(), submitted_level=Level.MAJOR)
    assert result.level is Level.MAJOR
    assert result.reasons_zh == ["报料人设定为重大"]


def test_other_categories_do_not_escalate_and_the_set_is_configurable():
    assert grade(Metrics(), categories=["bullying"]).level is Level.GENERAL
    rules = DEFAULT_RULES.merged({"levels": {"重大": {"categories": ["bullying"]}},
                                  "topics": {"propose_only": False}})
    result = grade(Metrics(), categories=["bullying"], rules=rules)
    assert result.level is Level.MAJOR
    assert result.reasons_zh == ["涉及校园欺凌"]


def test_severe_harm_to_the_school_image_proposes_especially_major():
    result = grade(Metrics(), severe_image_harm=True)
    assert result.proposed is Level.ESPECIALLY_MAJOR
    assert result.proposed_reasons_zh == ["严重损害学校形象"]


@pytest.mark.parametrize(
    ("alias", "level"),
    [
        ("一般", Level.GENERAL), ("较大", Level.RELATIVELY_MAJOR), ("重大", Level.MAJOR),
        ("特别重大", Level.ESPECIALLY_MAJOR),
        ("Ⅳ", Level.GENERAL), ("Ⅲ", Level.RELATIVELY_MAJOR), ("Ⅱ", Level.MAJOR), ("Ⅰ", Level.ESPECIALLY_MAJOR),
        ("IV", Level.GENERAL), ("iii", Level.RELATIVELY_MAJOR), ("II", Level.MAJOR), ("I", Level.ESPECIALLY_MAJOR),
        ("blue", Level.GENERAL), ("Yellow", Level.RELATIVELY_MAJOR), ("orange", Level.MAJOR),
        ("RED", Level.ESPECIALLY_MAJOR),
        ("蓝", Level.GENERAL), ("黄色", Level.RELATIVELY_MAJOR), ("橙色预警", Level.MAJOR), ("红", Level.ESPECIALLY_MAJOR),
        ("Ⅱ级", Level.MAJOR), ("especially_major", Level.ESPECIALLY_MAJOR), ("Major", Level.MAJOR),
        (3, Level.MAJOR), (Level.GENERAL, Level.GENERAL),
    ],
)
def test_level_accepts_every_statutory_alias(alias, level):
    assert Level.from_label(alias) is level


@pytest.mark.parametrize("bad", ["紧急", "V", "", "purple"])
def test_unknown_level_label_is_refused(bad):
    with pytest.raises(ValueError, match="not a level"):
        Level.from_label(bad)


def test_levels_are_ordered_and_carry_their_aliases():
    assert Level.GENERAL < Level.RELATIVELY_MAJOR < Level.MAJOR < Level.ESPECIALLY_MAJOR
    assert [(lv.label, lv.roman, lv.color) for lv in Level] == [
        ("一般", "Ⅳ", "blue"), ("较大", "Ⅲ", "yellow"), ("重大", "Ⅱ", "orange"), ("特别重大", "Ⅰ", "red"),
    ]
    assert Level.MAJOR.is_major and not Level.RELATIVELY_MAJOR.is_major
    assert Level.choices()[0] == ("general", "一般")


def test_rules_survive_a_json_round_trip():
    stored = json.dumps(DEFAULT_RULES.to_dict())
    assert LevelRules.from_dict(json.loads(stored)) == DEFAULT_RULES


def test_school_inherits_bureau_rules_and_overrides_one_field():
    bureau = LevelRules.from_dict({"levels": {"major": {"clicks": 800}}})
    school = bureau.merged({"levels": {"orange": {"comments": 60}}})
    major = school.thresholds(Level.MAJOR)
    assert (major.clicks, major.comments) == (800, 60)
    assert school.thresholds(Level.ESPECIALLY_MAJOR) == DEFAULT_RULES.thresholds(Level.ESPECIALLY_MAJOR)
    assert grade(Metrics(comments=60), rules=school).level is Level.MAJOR
    assert grade(Metrics(comments=60), rules=bureau).level is Level.GENERAL


def test_relatively_major_level_can_be_switched_on():
    rules = LevelRules.from_dict({"levels": {"较大": {"comments": 50}}})
    assert grade(Metrics(comments=50), rules=rules).level is Level.RELATIVELY_MAJOR
    assert grade(Metrics(comments=100), rules=rules).level is Level.MAJOR


def test_null_switches_a_condition_off():
    rules = LevelRules.from_dict({"levels": {"major": {"clicks": None}}})
    assert grade(Metrics(clicks=2000), rules=rules).level is Level.GENERAL


@pytest.mark.parametrize(
    ("override", "field"),
    [
        ({"levels": {"major": {"comments": -1}}}, "levels.major.comments"),
        ({"levels": {"major": {"comments": "many"}}}, "levels.major.comments"),
        ({"levels": {"major": {"comments": True}}}, "levels.major.comments"),
        ({"levels": {"major": {"likes": 5}}}, "levels.major.likes"),
        ({"levels": {"purple": {}}}, "levels.purple"),
        ({"levels": {"一般": {"clicks": 1}}}, "levels.一般"),
        ({"levels": {"major": {"categories": "food_safety"}}}, "levels.major.categories"),
        ({"levels": {"major": {"severe_image_harm": "yes"}}}, "levels.major.severe_image_harm"),
        ({"levels": {"major": {"comments": 600}}}, "levels.especially_major.comments"),
        ({"sensitive_factor": 0}, "sensitive_factor"),
        ({"sensitive_factor": 1.5}, "sensitive_factor"),
        ({"threshold": 1}, "threshold"),
        ({"levels": []}, "levels"),
    ],
)
def test_invalid_rules_name_the_bad_field(override, field):
    with pytest.raises(RulesError) as caught:
        LevelRules.from_dict(override)
    assert caught.value.field == field
