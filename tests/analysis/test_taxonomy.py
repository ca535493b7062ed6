"""Categories of concern from the shipped keyword taxonomy."""

from __future__ import annotations

import json

import pytest

from yuqing.analysis import Taxonomy, TaxonomyError, analyze, default_taxonomy

REQUIRED_CODES = {
    "food_safety",
    "bullying",
    "teacher_conduct",
    "fees",
    "admissions",
    "safety_accident",
    "rumour",
    "corporal_punishment",
    "mental_health",
    "education_equity",
    "campus_facilities",
}


def test_shipped_taxonomy_covers_the_school_concerns():
    codes = {c.code for c in default_taxonomy().categories}
    assert REQUIRED_CODES <= codes
    assert default_taxonomy().name_of("food_safety") == "食品安全"


def test_canteen_complaint_is_food_safety():
    found = default_taxonomy().match("某中学食堂饭菜发霉，多名学生腹泻")
    assert found.categories == ["food_safety"]
    assert found.matched_terms["food_safety"] == ["发霉", "腹泻"]


def test_one_post_can_raise_several_concerns_in_taxonomy_order():
    found = default_taxonomy().match("网传某校学生被欺凌后跳楼，校方称系谣言")
    assert found.categories == ["bullying", "rumour", "mental_health"]
    assert "谣言" in found.matched_terms["rumour"]


def test_spaced_out_and_traditional_spellings_still_match():
    found = default_taxonomy().match("老師體罰學生，還 亂 收 費")
    assert {"corporal_punishment", "fees"} <= set(found.categories)


def test_ordinary_post_has_no_category():
    assert default_taxonomy().match("今天阳光明媚，适合去公园散步").categories == []
    assert default_taxonomy().match("").categories == []


def test_analyze_reports_categories_and_terms():
    result = analyze("有家长反映老师有偿补课并收红包")
    # Paid tutoring is both a conduct problem and an academic-burden one.
    assert result.categories == ["teacher_conduct", "academic_burden"]
    assert result.matched_terms == {"teacher_conduct": ["收红包", "有偿补课"], "academic_burden": ["补课"]}


def test_custom_taxonomy_file(tmp_path):
    path = tmp_path / "taxonomy.json"
    path.write_text(
        json.dumps({"categories": [{"code": "flood", "name": "防汛", "terms": ["洪水", "内涝"]}]}),
        encoding="utf-8",
    )
    taxonomy = Taxonomy.from_file(path)
    assert taxonomy.match("暴雨导致校园内涝").categories == ["flood"]


def test_malformed_taxonomy_file_is_refused(tmp_path):
    path = tmp_path / "taxonomy.json"
    path.write_text('{"categories": [{"code": "x"}]}', encoding="utf-8")
    with pytest.raises(TaxonomyError):
        Taxonomy.from_file(path)
